package web_test

import (
	"context"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao/demo"
	"banhao/identity"
	"banhao/payments/banktest"
	"banhao/web"
)

// TestBrowserGongjijinPaidAtTheCounter (秒到账): the 公积金 首席代表 clerk_gjj does 住房公积金提取
// start to finish at the window in one step — applicant, materials, amount and account — the
// test bank confirms the payment, the counter's case page shows 已到账 with the bank's reference,
// and the decision notice read back from the PDF says 已到账 (it said 尚未到账 before the bank
// answered). One person, one visit. A refused account shows 支付被拒 and its reason at the
// counter. An unauthorised clerk is not offered 当场办结 and cannot decide on the normal path.
func TestBrowserGongjijinPaidAtTheCounter(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	bank := banktest.New([]byte("web-test-bank-secret"))
	defer bank.Close()
	bank.RefuseAccountsEndingIn("9")
	dir := t.TempDir()
	scan := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(scan, []byte(onePDF), 0o600); err != nil {
		t.Fatal(err)
	}
	code := h.itemNamed(t, "住房公积金提取（购买住房）")
	allowDownloads(t, ctx, dir)
	steps := []chromedp.Action[chromedp.Void]{
		signIn(h, "clerk_gjj"),
		chromedp.Navigate(h.ts.URL + "/window/new?item=" + url.QueryEscape(code)),
		chromedp.WaitVisible(chromedp.CSS(`#do-one-step`)),
		chromedp.SendKeys(chromedp.CSS(`#applicant_name`), demo.CitizenName),
		chromedp.SendKeys(chromedp.CSS(`#applicant_id_number`), demo.CitizenID),
		chromedp.SendKeys(chromedp.CSS(`#applicant_phone`), "13805431234"),
		chromedp.SendKeys(chromedp.CSS(`#pay_amount`), "86,000.50"),
		chromedp.SendKeys(chromedp.CSS(`#pay_account`), "6222 0215 0000 1234"),
		chromedp.SendKeys(chromedp.CSS(`#pay_name`), demo.CitizenName),
	}
	for _, m := range []string{"m1", "m2", "m3"} {
		steps = append(steps, chromedp.SetUploadFiles(chromedp.CSS(`input[name="file_`+m+`"]`), []string{scan}))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS(`#do-one-step`)), chromedp.WaitVisible(chromedp.CSS(`#case-status`)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#case-status`), "data-status"))
	if status.Value != "delivered" {
		page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
		t.Fatalf("one step: status %q: %s", status.Value, page)
	}
	number, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#case-number`)))
	paid, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#payment-status`)))
	account, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#payment-account`)))
	if !strings.Contains(paid, "待银行处理") || !strings.Contains(account, "**** **** 1234") || strings.Contains(account, "0215") {
		t.Errorf("before the bank answered: %q, account %q", paid, account)
	}
	if text := pdfToText(t, download(t, ctx, dir, `#notice-decision`)); strings.Contains(text, "已到账") || !strings.Contains(text, "尚未到账") {
		t.Errorf("the notice printed before the bank answered claims the money arrived:\n%s", text)
	}

	// The job's work: the instruction goes to the bank, which confirms it.
	p, err := h.cases.PaymentOf(context.Background(), number)
	if err != nil || p == nil {
		t.Fatalf("payment of %s: %v", number, err)
	}
	if err := h.cases.SendPayment(context.Background(), bank.Client(), p.ID); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#payment-reference`))); err != nil {
		t.Fatal(err)
	}
	paid, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#payment-status`)))
	ref, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#payment-reference`)))
	amount, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#payment-amount`)))
	timeline, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if paid != "已到账" || ref == "" || amount != "86000.50 元" || !strings.Contains(timeline, "资金已到账") || bank.Paid(p.InstructionID) != 8600050 {
		t.Fatalf("after the bank confirmed: %q %q %q, bank paid %d", paid, ref, amount, bank.Paid(p.InstructionID))
	}
	text := pdfToText(t, download(t, ctx, dir, `#notice-decision`))
	for _, want := range []string{"办结通知书", number, "准予公积金提取", "86000.50元", "已到账", ref, "****1234"} {
		if !strings.Contains(text, strings.ReplaceAll(want, " ", "")) {
			t.Errorf("the decision notice lacks %q:\n%s", want, text)
		}
	}
	// One person: every step of the case by clerk_gjj, but the bank's answer (the system).
	c := decode[struct {
		Timeline []struct{ Actor, Action string }
	}](t, h.do(t, "GET", "/api/v1/cases/"+number, web.API, ptr(h.approverOf(t, "clerk_gjj")), nil, ""))
	for _, ev := range c.Timeline {
		if ev.Actor != "clerk_gjj" && ev.Action != "payment_confirm" {
			t.Errorf("%s by %s", ev.Action, ev.Actor)
		}
	}

	// A refused account: the counter's case page says so, with the reason.
	chief := h.approverOf(t, "clerk_gjj")
	refused := url.Values{"item": {code}, "token": {"pay-refused-1"}, "applicant_type": {"person"}, "applicant_name": {demo.CitizenName},
		"applicant_id_number": {demo.CitizenID}, "action": {"one_step"}, "pay_amount": {"1200"}, "pay_account": {"6222021500001239"}, "pay_name": {demo.CitizenName}}
	resp, _ := h.postPage(t, chief, "/window/cases", refused, map[string]string{"file_m1": onePDF, "file_m2": onePDF, "file_m3": onePDF})
	if resp.StatusCode != 303 {
		t.Fatalf("second one step: %d", resp.StatusCode)
	}
	second := strings.TrimPrefix(resp.Header.Get("Location"), "/cases/")
	p2, _ := h.cases.PaymentOf(context.Background(), second)
	if err := h.cases.SendPayment(context.Background(), bank.Client(), p2.ID); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/cases/"+second), chromedp.WaitVisible(chromedp.CSS(`#payment-refused`))); err != nil {
		t.Fatal(err)
	}
	if s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#payment-refused`))); !strings.Contains(s, "支付被拒") || !strings.Contains(s, "账户状态异常") {
		t.Errorf("refused at the counter: %q", s)
	}

	// /supervise counts them: 支付确认.
	sup := h.sessions[identity.Supervisor]
	page := h.do(t, "GET", "/supervise?from="+h.today()+"&to="+h.today(), web.Page, &sup, nil, "")
	if b, _ := io.ReadAll(page.Body); !strings.Contains(string(b), `id="payments-confirmed">1<`) || !strings.Contains(string(b), `id="payments-refused">1<`) {
		t.Errorf("/supervise 支付确认: %d", page.StatusCode)
	}

	// An unauthorised clerk: no 当场办结; accepted on the normal path, no decision at the window.
	err = chromedp.Do(ctx,
		signIn(h, "clerk"),
		chromedp.Navigate(h.ts.URL+"/window/new?item="+url.QueryEscape(code)),
		chromedp.WaitVisible(chromedp.CSS(`#do-accept`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#do-one-step').length`)); n != 0 {
		t.Error("an unauthorised clerk is offered 当场办结")
	}
	clerk := h.sessions[identity.Clerk]
	normal := url.Values{"item": {code}, "token": {"pay-normal-1"}, "applicant_type": {"person"}, "applicant_name": {demo.CitizenName},
		"applicant_id_number": {demo.CitizenID}, "action": {"accept"}, "pay_amount": {"1200"}, "pay_account": {"6222021500001111"}, "pay_name": {demo.CitizenName}}
	resp, _ = h.postPage(t, clerk, "/window/cases", normal, map[string]string{"file_m1": onePDF, "file_m2": onePDF, "file_m3": onePDF})
	if resp.StatusCode != 303 {
		t.Fatalf("normal intake: %d", resp.StatusCode)
	}
	third := strings.TrimPrefix(resp.Header.Get("Location"), "/cases/")
	if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/cases/"+third), chromedp.WaitVisible(chromedp.CSS(`#payment-status`))); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#do-decide').length`)); n != 0 {
		t.Error("the clerk is offered a decision")
	}
	dec := h.do(t, "POST", "/api/v1/cases/"+third+"/decide", web.API, &clerk, strings.NewReader(`{"decision":"approved"}`), "application/json")
	if b, _ := io.ReadAll(dec.Body); dec.StatusCode != 403 {
		t.Errorf("the clerk decides: %d %s", dec.StatusCode, b)
	}
	if p3, _ := h.cases.PaymentOf(context.Background(), third); p3 == nil || p3.Status != "held" || bank.Paid(p3.InstructionID) != 0 {
		t.Errorf("an undecided case's payment: %+v", p3)
	}
}

package web_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/demo"
	"banhao/identity"
	"banhao/payments"
	"banhao/payments/banktest"
	"banhao/web"
)

// TestOnlinePaymentApplication (秒到账 online): the citizen applying for 住房公积金提取 online is
// asked for the amount and account; a bad account is refused next to its field, as typed; the
// application keeps the account masked; once the 公积金 department approves and the bank
// confirms, the citizen's own case page says 已到账.
func TestOnlinePaymentApplication(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	bank := banktest.New([]byte("online-bank-secret"))
	defer bank.Close()
	me, apply, page := h.applyForm(t, "住房公积金提取（购买住房）")
	files := pdfFor(requiredFiles(page))
	for _, want := range []string{`id="pay_amount"`, "提取金额（元）", `id="pay_account"`, "收款银行账号"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the online form lacks %s", want)
		}
	}
	// 审批地 市本级, chosen on the form: the city's 公积金中心 (approver_gjj) decides; by default the
	// applicant's county (滨城区, by the ID number) would.
	form := url.Values{"action": {"submit"}, "token": {"p1"}, "pay_amount": {"20000"}, "pay_account": {"6222-0215"}, "pay_name": {demo.CitizenName},
		"deciding_region": {demo.RegionCode}}
	resp, page := h.citizenMultipart(t, me, apply, form, files)
	if resp.StatusCode != 400 || !strings.Contains(page, "收款银行账号须为 12–30 位数字") || !strings.Contains(page, `value="6222-0215"`) {
		t.Fatalf("a bad account online: %d", resp.StatusCode)
	}
	form.Set("pay_account", "6222 0215 0000 7777")
	form.Set("token", "p2")
	resp, page = h.citizenMultipart(t, me, apply, form, files)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/my/cases/") {
		i := strings.Index(page, "error-summary")
		t.Fatalf("submit: %d %q %s", resp.StatusCode, loc, page[max(i, 0):min(len(page), max(i, 0)+1500)])
	}
	number := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/my/cases/")
	clerk, gjj := h.sessions[identity.Clerk], h.approverOf(t, "approver_gjj")
	for _, step := range []struct {
		who  *identity.Session
		path string
		body string
	}{{&clerk, "accept", `{}`}, {&gjj, "decide", `{"decision":"approved"}`}} {
		r := h.do(t, "POST", "/api/v1/cases/"+number+"/"+step.path, web.API, step.who, strings.NewReader(step.body), "application/json")
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d", step.path, r.StatusCode)
		}
	}
	c := decode[cases.Case](t, h.do(t, "GET", "/api/v1/cases/"+number, web.API, &gjj, nil, ""))
	if c.Payment == nil || c.Payment.Status != cases.PayPending || strings.Contains(string(c.Form), "02150000") {
		t.Fatalf("approved online: %+v form %s", c.Payment, c.Form)
	}
	if err := h.cases.SendPayment(ctx, bank.Client(), c.Payment.ID); err != nil {
		t.Fatal(err)
	}
	_, page = h.citizenDo(t, me, "GET", "/my/cases/"+number, nil)
	if !strings.Contains(page, `id="my-payment"`) || !strings.Contains(page, "已到账") || !strings.Contains(page, "尾号 7777") {
		i := strings.Index(page, "<h1>")
		t.Errorf("the citizen's case page does not say the money arrived: %s", page[max(i, 0):min(len(page), max(i, 0)+1500)])
	}
}

// TestPaymentWithoutBankSaysNotSent: with no bank interface configured (the harness's
// payments.NoBank) an approved payment's instruction waits unsent, and the case pages say so —
// not 支付指令已发出; once a bank has taken it, they say it was sent.
func TestPaymentWithoutBankSaysNotSent(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	number, p := h.approvedGJJ(t, "6222021500007777", "nobank-1")
	if p.Status != cases.PayPending {
		t.Fatalf("approved: %s", p.Status)
	}
	if err := h.cases.SendPayment(ctx, payments.NoBank{}, p.ID); !errors.Is(err, payments.ErrNoBank) {
		t.Fatalf("sent without a bank: %v", err)
	}
	gjj := h.approverOf(t, "approver_gjj")
	me := h.citizenSession(t)
	page := h.raw(t, "/cases/"+number, gjj)
	if strings.Contains(page, "支付指令已发出") || !strings.Contains(page, `id="payment-no-bank"`) || !strings.Contains(page, "未接入银行支付接口") {
		i := strings.Index(page, `id="payment"`)
		t.Fatalf("the staff case page without a bank: %s", page[max(i, 0):min(len(page), max(i, 0)+1200)])
	}
	if _, mine := h.citizenDo(t, me, "GET", "/my/cases/"+number, nil); strings.Contains(mine, "已向银行发出") || !strings.Contains(mine, `id="my-payment-no-bank"`) {
		t.Fatal("the applicant's case page says the instruction was sent without a bank")
	}
	bank := banktest.New([]byte("nobank-secret"))
	defer bank.Close()
	bank.RefuseAccountsEndingIn("4")
	bank.FailNext(1, false)
	_ = h.cases.SendPayment(ctx, bank.Client(), p.ID)
	if page := h.raw(t, "/cases/"+number, gjj); !strings.Contains(page, "银行接口暂未应答") || strings.Contains(page, `id="payment-no-bank"`) {
		t.Fatal("a failed attempt is not shown as one")
	}
}

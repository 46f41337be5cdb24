package web_test

import (
	"context"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/demo"
	"banhao/identity"
	"banhao/payments/banktest"
	"banhao/web"
)

// refusedGJJ is a 公积金提取 done in one step at the window by clerk_gjj into an account the bank
// refuses (ending in 4), sent and refused.
func (h *harness) refusedGJJ(t *testing.T, bank *banktest.Bank, token string) string {
	t.Helper()
	number, p := h.approvedGJJ(t, "6222021500001234", token)
	if err := h.cases.SendPayment(context.Background(), bank.Client(), p.ID); err != nil {
		t.Fatal(err)
	}
	return number
}

// approvedGJJ is a 公积金提取 into account done in one step at the window by clerk_gjj: the case
// and its payment instruction, approved and not yet sent.
func (h *harness) approvedGJJ(t *testing.T, account, token string) (string, *cases.Payment) {
	t.Helper()
	chief := h.approverOf(t, "clerk_gjj")
	form := url.Values{"item": {h.itemNamed(t, "住房公积金提取（购买住房）")}, "token": {token}, "applicant_type": {"person"}, "applicant_name": {demo.CitizenName},
		"applicant_id_number": {demo.CitizenID}, "applicant_phone": {"13805431234"}, "action": {"one_step"}, "pay_amount": {"1200"},
		"pay_account": {account}, "pay_name": {demo.CitizenName}}
	resp, _ := h.postPage(t, chief, "/window/cases", form, map[string]string{"file_m1": onePDF, "file_m2": onePDF, "file_m3": onePDF})
	if resp.StatusCode != 303 {
		t.Fatalf("one step: %d", resp.StatusCode)
	}
	number := strings.TrimPrefix(resp.Header.Get("Location"), "/cases/")
	p, err := h.cases.PaymentOf(context.Background(), number)
	if err != nil || p == nil {
		t.Fatalf("payment of %s: %v", number, err)
	}
	return number, p
}

// TestRepayAPI: POST /api/v1/cases/{number}/repay corrects a refused payment's account and
// sends it again — not for a supervisor, a bad account named (problem+json keeps the key),
// a new instruction with the refused one in its history; the applicant's page says 已到账 only
// once the bank confirms the new one. A payment the sender gave up on shows 发送失败 on the case
// page and in /supervise's 支付确认.
func TestRepayAPI(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	bank := banktest.New([]byte("repay-secret"))
	defer bank.Close()
	bank.RefuseAccountsEndingIn("4")
	number := h.refusedGJJ(t, bank, "repay-1")
	sup, gjj := h.sessions[identity.Supervisor], h.approverOf(t, "approver_gjj")
	post := func(who *identity.Session, body string) int {
		resp := h.do(t, "POST", "/api/v1/cases/"+number+"/repay", web.API, who, strings.NewReader(body), "application/json")
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(&sup, `{"account":"6222021500005555"}`); code != 403 {
		t.Errorf("a supervisor resends: %d", code)
	}
	resp := h.do(t, "POST", "/api/v1/cases/"+number+"/repay", web.API, &gjj, strings.NewReader(`{"account":"12"}`), "application/json")
	if p := decode[struct {
		Errors []struct{ Field, Message string } `json:"errors"`
	}](t, resp); resp.StatusCode != 400 || len(p.Errors) == 0 || p.Errors[0].Field != "account" {
		t.Errorf("a bad account: %d %+v", resp.StatusCode, p)
	}
	me := h.citizenSession(t)
	if _, page := h.citizenDo(t, me, "GET", "/my/cases/"+number, nil); !strings.Contains(page, "未能到账") {
		t.Errorf("the applicant's page of a refused payment")
	}
	c := decode[cases.Case](t, h.do(t, "POST", "/api/v1/cases/"+number+"/repay", web.API, &gjj, strings.NewReader(`{"account":"6222 0215 0000 5555"}`), "application/json"))
	if c.Payment == nil || c.Payment.Status != cases.PayPending || c.Payment.Account != "**** **** 5555" || len(c.Payment.History) != 1 || c.Payment.History[0].Status != cases.PayRefused {
		t.Fatalf("after the correction: %+v", c.Payment)
	}
	page := h.raw(t, "/cases/"+number, h.sessions[identity.Clerk])
	for _, want := range []string{`id="payment-history"`, "已更正重发", "更正收款账户并重新发送", "重新发送支付指令 " + c.Payment.InstructionID} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if strings.Contains(page, `id="repay-form"`) {
		t.Errorf("the case page offers to correct a payment on its way")
	}
	if _, page := h.citizenDo(t, me, "GET", "/my/cases/"+number, nil); strings.Contains(page, "已到账") || strings.Contains(page, "未能到账") {
		t.Errorf("the applicant's page before the bank answered the new instruction")
	}
	if err := h.cases.SendPayment(ctx, bank.Client(), c.Payment.ID); err != nil {
		t.Fatal(err)
	}
	if _, page := h.citizenDo(t, me, "GET", "/my/cases/"+number, nil); !strings.Contains(page, "已到账") || !strings.Contains(page, "尾号 5555") {
		t.Errorf("the applicant's page after the bank confirmed")
	}

	// Given up: 发送失败 on the case page (with the form) and on /supervise.
	other := h.refusedGJJ(t, bank, "repay-2")
	if _, err := h.db.ExecContext(ctx, `UPDATE payment_instructions SET status = 'failed' WHERE case_number = ?`, other); err != nil {
		t.Fatal(err)
	}
	page = h.raw(t, "/cases/"+other, h.sessions[identity.Clerk])
	if !strings.Contains(page, `id="payment-failed"`) || !strings.Contains(page, "发送失败") || !strings.Contains(page, `id="repay-form"`) {
		t.Errorf("a failed payment's case page")
	}
	supPage := h.raw(t, "/supervise?from="+h.today()+"&to="+h.today(), sup)
	if !strings.Contains(supPage, `id="payments-failed">1<`) || !strings.Contains(supPage, `id="payments-confirmed">1<`) {
		t.Errorf("/supervise 支付确认 lacks the failed one")
	}
	if code := post(&sup, `{}`); code != 403 {
		t.Errorf("%d", code)
	}
}

// TestRefusedPaymentFoundByStaff: a one-step 公积金 case whose payment the bank refused reads
// 支付被拒 (never 正常) on its case page's badge and is listed on /window under 待更正的支付,
// linking to the case; given up on, it reads 发送失败; corrected, it leaves the list.
func TestRefusedPaymentFoundByStaff(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	bank := banktest.New([]byte("found-secret"))
	defer bank.Close()
	bank.RefuseAccountsEndingIn("4")
	window := h.approverOf(t, "clerk_gjj")
	if page := h.raw(t, "/window", window); strings.Contains(page, `id="payments-to-correct"`) {
		t.Errorf("/window lists payments to correct before any was refused")
	}
	number := h.refusedGJJ(t, bank, "found-1")
	badge := func(page string) string {
		i := strings.Index(page, `id="case-warning"`)
		if i < 0 {
			t.Fatalf("no badge on the case page")
		}
		return page[i : i+60]
	}
	if b := badge(h.raw(t, "/cases/"+number, window)); !strings.Contains(b, "支付被拒") || strings.Contains(b, "正常") {
		t.Errorf("the refused case's badge: %q", b)
	}
	page := h.raw(t, "/window", window)
	i := strings.Index(page, `id="payments-to-correct"`)
	if i < 0 || !strings.Contains(page[i:], `href="/cases/`+number+`"`) || !strings.Contains(page[i:], "支付被拒") {
		t.Fatalf("/window lacks the refused payment: %q", page[max(i, 0):min(len(page), max(i, 0)+1500)])
	}
	if _, err := h.db.ExecContext(context.Background(), `UPDATE payment_instructions SET status = 'failed' WHERE case_number = ?`, number); err != nil {
		t.Fatal(err)
	}
	if b := badge(h.raw(t, "/cases/"+number, window)); !strings.Contains(b, "发送失败") {
		t.Errorf("the failed case's badge: %q", b)
	}
	if page := h.raw(t, "/window", window); !strings.Contains(page, `id="payments-to-correct"`) || !strings.Contains(page, "发送失败") {
		t.Errorf("/window lacks the failed payment")
	}
	if _, err := h.cases.ResendPayment(context.Background(), window.User.Actor(), number, cases.PaymentCorrection{Account: "6222021500005555"}); err != nil {
		t.Fatal(err)
	}
	if page := h.raw(t, "/window", window); strings.Contains(page, `id="payments-to-correct"`) {
		t.Errorf("/window still lists a corrected payment")
	}
}

// TestRevokedCaseReadsRevoked: a 告知承诺 case revoked after its post-check found the commitment
// false reads 已撤销 wherever its status shows — the case page's badge (never 正常), the public
// tracking page's result (never 准予办理) — and the applicant sees why.
func TestRevokedCaseReadsRevoked(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	approver := h.approverOf(t, "approver")
	number := h.commitmentCase(t)
	resp := h.do(t, "POST", "/api/v1/postchecks/"+number, web.API, &approver, strings.NewReader(`{"finding":"false","reason":"现场无冷藏设施"}`), "application/json")
	if resp.StatusCode != 200 {
		t.Fatalf("不实: %d", resp.StatusCode)
	}
	raw := h.do(t, "GET", "/cases/"+number, web.Page, &approver, nil, "")
	pb, _ := io.ReadAll(raw.Body)
	page := string(pb)
	i := strings.Index(page, `id="case-warning"`)
	if i < 0 {
		t.Fatalf("the case page: %s", page[:min(len(page), 3000)])
	}
	if !strings.Contains(page[i:i+40], "已撤销") || strings.Contains(page[i:i+40], "正常") {
		t.Errorf("the case page's badge: %q", page[max(i, 0):max(i, 0)+40])
	}
	tr := h.do(t, "GET", "/track?number="+url.QueryEscape(number)+"&phone4="+demo.CompanyPhone[len(demo.CompanyPhone)-4:], web.Page, nil, nil, "")
	b, _ := io.ReadAll(tr.Body)
	track := string(b)
	if !strings.Contains(track, "已撤销") || strings.Contains(track, "准予办理") || !strings.Contains(track, "承诺不实") {
		j := strings.Index(track, `id="case-summary"`)
		t.Errorf("the tracking page of a revoked case: %s", track[max(j, 0):min(len(track), max(j, 0)+3000)])
	}
	// The company's own /my page: 已撤销 with the reason, the certificate not offered as valid.
	company := h.applicantSession(t, demo.CompanyCode)
	_, mine := h.citizenDo(t, company, "GET", "/my/cases/"+number, nil)
	if !strings.Contains(mine, `id="case-revoked"`) || !strings.Contains(mine, "现场无冷藏设施") || strings.Contains(mine, "已签发电子证照") {
		j := strings.Index(mine, `<table class="kv">`)
		t.Errorf("the applicant's page of a revoked case: %s", mine[max(j, 0):min(len(mine), max(j, 0)+2000)])
	}

	// Its certificate's PDF: 已撤销（作废） across the page, never 注销, never 同等法律效力.
	c, err := h.cases.Get(context.Background(), approver.User.Actor(), number)
	if err != nil || c.ResultCertificate == "" {
		t.Fatalf("the revoked case's certificate: %q %v", c.ResultCertificate, err)
	}
	resp, pdf := h.citizenDo(t, company, "GET", "/my/certificates/"+c.ResultCertificate+"/pdf", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("the revoked certificate's PDF: %d", resp.StatusCode)
	}
	path := filepath.Join(t.TempDir(), "revoked.pdf")
	if err := os.WriteFile(path, []byte(pdf), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = pdfToText(t, path)                                                             // skips without pdftotext
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", path, "-").Output() // in drawing order: the mark across the page reads whole
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	if strings.Count(text, "已撤销（作废）") < 2 || strings.Contains(text, "同等法律效力") || strings.Contains(text, "注销") ||
		strings.Contains(text, "盖章") || !strings.Contains(text, "不再具有法律效力") || !strings.Contains(text, "现场无冷藏设施") {
		t.Errorf("the revoked certificate's PDF reads: %s", text)
	}
}

// raw is a page's HTML as sess gets it.
func (h *harness) raw(t *testing.T, path string, sess identity.Session) string {
	t.Helper()
	resp := h.do(t, "GET", path, web.Page, &sess, nil, "")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return string(b)
}

// TestPublicItemMasksRuleExamples: the public item API shows a 秒批 item's stored examples with
// the ID numbers masked (3716**********…); the catalog's admin, who edits them, gets them whole.
func TestPublicItemMasksRuleExamples(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	code := url.PathEscape(h.itemNamed(t, "城乡居民基本养老保险参保登记"))
	read := func(sess *identity.Session) string {
		resp := h.do(t, "GET", "/api/v1/items/"+code, web.API, sess, nil, "")
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET item: %d", resp.StatusCode)
		}
		return string(b)
	}
	public := read(nil)
	if !strings.Contains(public, `"examples"`) || !strings.Contains(public, `"id_number":"3716**********`) || strings.Contains(public, "371602198503") {
		i := strings.Index(public, `"examples"`)
		t.Errorf("the public item's examples: %s", public[max(i, 0):min(len(public), max(i, 0)+600)])
	}
	admin := h.sessions[identity.Admin]
	if whole := read(&admin); !strings.Contains(whole, `"id_number":"371602198503`) {
		t.Errorf("the admin's item lacks the whole examples")
	}
}

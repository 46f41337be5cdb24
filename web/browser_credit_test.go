package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao/demo"
	"banhao/identity"
	"banhao/web"
)

// revokedCompany records a false commitment on the demo company: its 食品经营许可 approved on
// its word and revoked after the post-check.
func (h *harness) revokedCompany(t *testing.T) string {
	t.Helper()
	approver := h.approverOf(t, "approver")
	number := h.commitmentCase(t)
	resp := h.do(t, "POST", "/api/v1/postchecks/"+number, web.API, &approver, strings.NewReader(`{"finding":"false","reason":"现场无冷藏设施"}`), "application/json")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("不实: %d", resp.StatusCode)
	}
	return number
}

// TestCreditWarningBeforeCommitment: an applicant with a credit record applying again for a
// 告知承诺 item is flagged before the commitment is signed — at the window as the clerk types
// the credit code, online in the applicant's own words — and not for another applicant.
func TestCreditWarningBeforeCommitment(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	first := h.revokedCompany(t)
	code := url.QueryEscape(h.itemNamed(t, "食品经营许可"))
	clerk := h.sessions[identity.Clerk]
	page := h.raw(t, "/window/new?item="+code+"&applicant_id_number="+demo.CompanyCode, clerk)
	if !strings.Contains(page, `id="credit-warning"`) || !strings.Contains(page, "该申请人有失信记录") || !strings.Contains(page, first) {
		t.Errorf("the window's intake lacks the warning")
	}
	if page := h.raw(t, "/window/new?item="+code+"&applicant_id_number="+demo.CitizenID, clerk); strings.Contains(page, `id="credit-warning"`) {
		t.Errorf("a warning for an applicant without records")
	}
	_, mine := h.citizenDo(t, h.applicantSession(t, demo.CompanyCode), "GET", "/my/apply/"+code, nil)
	if !strings.Contains(mine, `id="my-credit"`) || !strings.Contains(mine, "您有 1 条信用记录") || !strings.Contains(mine, "现场无冷藏设施") {
		i := strings.Index(mine, `id="commitment"`)
		t.Errorf("the online application lacks the applicant's own records: %s", mine[max(i, 0):min(len(mine), max(i, 0)+800)])
	}
}

// TestBrowserCreditWarningAsTyped: at the window the warning appears as soon as the clerk has
// typed the company's credit code, before anything is submitted.
func TestBrowserCreditWarningAsTyped(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	h.revokedCompany(t)
	code := h.itemNamed(t, "食品经营许可")
	if err := chromedp.Do(ctx, signIn(h, "clerk"), chromedp.Navigate(h.ts.URL+"/window/new?item="+url.QueryEscape(code)),
		chromedp.WaitVisible(chromedp.CSS(`#applicant_id_number`))); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#credit-warning').length`)); n != 0 {
		t.Fatalf("a warning before a number was typed")
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#applicant_id_number`), demo.CompanyCode+"\t"),
		chromedp.WaitVisible(chromedp.CSS(`#credit-warning`))); err != nil {
		t.Fatal(err)
	}
	if s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#credit-warning`))); !strings.Contains(s, "该申请人有失信记录") {
		t.Errorf("the warning: %q", s)
	}
}

package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao/cases"
)

// TestBrowserRulesApproveAndHandOver (秒批): the demo citizen applies online for 城乡居民基本养老保险
// 参保登记, answers the two questions the rules read, and is approved at once by the rules;
// at the window a clerk registers and accepts a Beijing resident who is already in the
// employees' pension scheme, and the 社保中心's approver finds the case in the queue with the
// failed rules named (转人工：…), and on the case page; the first case's page names the rules that
// approved it. /supervise shows the 秒批率.
func TestBrowserRulesApproveAndHandOver(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	item := h.itemNamed(t, "城乡居民基本养老保险参保登记")
	dir := t.TempDir()
	scan := filepath.Join(dir, "form.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Online: every rule holds.
	err := chromedp.Do(ctx,
		h.signInCitizen(t),
		chromedp.Navigate(h.ts.URL+"/my/apply/"+item),
		chromedp.WaitVisible(chromedp.CSS(`#rule-fields`)),
		chromedp.SetValue(chromedp.CSS(`#rf_student`), "否"),
		chromedp.SetValue(chromedp.CSS(`#rf_employee_insured`), "否"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="file_m2"]`), []string{scan}),
		chromedp.ScrollIntoView(chromedp.CSS(`#rule-fields`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshotAt(t, ctx, 390, 900, "rules-apply")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#submitted`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	approved := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], h.ts.URL+"/my/cases/")
	mine, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if !strings.Contains(mine, "秒批通过") {
		t.Errorf("the applicant's page does not say 秒批通过: %s", mine)
	}

	// The window: a Beijing resident already insured as an employee.
	err = chromedp.Do(ctx,
		signIn(h, "clerk"),
		chromedp.Navigate(h.ts.URL+"/window/new?item="+item),
		chromedp.WaitVisible(chromedp.CSS(`#applicant_name`)),
		chromedp.SendKeys(chromedp.CSS(`#applicant_name`), "王五"),
		chromedp.SendKeys(chromedp.CSS(`#applicant_id_number`), "110105198001010032"),
		chromedp.SendKeys(chromedp.CSS(`#applicant_phone`), "13805431235"),
		chromedp.SetValue(chromedp.CSS(`#rf_student`), "否"),
		chromedp.SetValue(chromedp.CSS(`#rf_employee_insured`), "是"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="file_m1"]`), []string{scan}),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="file_m2"]`), []string{scan}),
		chromedp.Click(chromedp.CSS(`#do-accept`)),
		chromedp.WaitVisible(chromedp.CSS(`#case-status, .errors`)), // the case page, or the form refused
	)
	if err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#case-status`), "data-status"))
	handed, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#case-number`)))
	if status.Value != string(cases.Accepted) {
		page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
		t.Fatalf("window case %s: %s: %s", handed, status.Value, page)
	}

	// The approver's queue says why.
	err = chromedp.Do(ctx,
		signIn(h, "approver_sbzx"),
		chromedp.Navigate(h.ts.URL+"/office"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/cases/`+handed+`"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshotAt(t, ctx, 1920, 900, "rules-office")
	row, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('tbody tr')).map(tr => tr.textContent).find(t => t.includes('`+handed+`')) || ''`))
	for _, want := range []string{"转人工", "「未参加职工基本养老保险」已参加职工基本养老保险的，不能重复参保", "「本市户籍或持有居住证」"} {
		if !strings.Contains(row, want) {
			t.Errorf("the queue's row lacks %q: %s", want, row)
		}
	}
	if strings.Contains(row, "年满16周岁") {
		t.Errorf("the queue names a rule that held: %s", row)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/cases/"+handed), chromedp.WaitVisible(chromedp.CSS(`#case-rules`)))
	if err != nil {
		t.Fatal(err)
	}
	if txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#case-rules`))); !strings.HasPrefix(txt, "转人工：") {
		t.Errorf("the case page: %s", txt)
	}

	// The approved case: decided by 系统（秒批）, naming its rules, and sent electronically.
	err = chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/cases/"+approved), chromedp.WaitVisible(chromedp.CSS(`#case-rules`)))
	if err != nil {
		t.Fatal(err)
	}
	screenshotAt(t, ctx, 390, 900, "rules-approved-case")
	status, _ = chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#case-status`), "data-status"))
	txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#case-rules`)))
	timeline, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#timeline`)))
	if status.Value != string(cases.Delivered) || !strings.Contains(txt, "秒批通过，符合规则：「年满16周岁」") ||
		!strings.Contains(timeline, "秒批审核 · 系统（秒批）") || !strings.Contains(timeline, "作出决定 · 系统（秒批）") {
		t.Errorf("the approved case: %s %q %q", status.Value, txt, timeline)
	}

	// 秒批率 on /supervise.
	err = chromedp.Do(ctx, signIn(h, "supervisor"), chromedp.Navigate(h.ts.URL+"/supervise"), chromedp.WaitVisible(chromedp.CSS(`#rules-rate`)))
	if err != nil {
		t.Fatal(err)
	}
	rate, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#rules-rate-value`)))
	of, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#rules-rate-of`)))
	if rate != "50.0%" || of != "自动通过 1 / 申请 2 件" {
		t.Errorf("秒批率 %q %q", rate, of)
	}
	_ = context.Background
}

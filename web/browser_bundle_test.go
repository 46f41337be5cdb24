package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserOpeningACompany: one form for 开办企业 (each shared field asked once), one
// acceptance at the window, five departments' approvers each decide their own case, and the
// bundle becomes deliverable with one notice that lists every item.
func TestBrowserOpeningACompany(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	dir := t.TempDir()
	scan := filepath.Join(dir, "scan.pdf")
	os.WriteFile(scan, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o600)

	err := chromedp.Do(ctx, signIn(h, "clerk"), chromedp.Navigate(h.ts.URL+"/window"), chromedp.Click(chromedp.CSS(`#bundle-KBQY`)),
		chromedp.WaitVisible(chromedp.CSS(`#f_company_name`)))
	if err != nil {
		t.Fatal(err)
	}
	// Each field is asked once, though several items use it.
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](`(() => { const c = {}; for (const el of document.querySelectorAll('[name^="f_"]')) c[el.name] = (c[el.name] || 0) + 1; return c })()`))
	if err != nil || counts["f_legal_id"] != 1 || counts["f_company_name"] != 1 || counts["f_phone"] != 1 {
		t.Fatalf("merged form fields: %v (%v)", counts, err)
	}
	fill := map[string]string{"#applicant_name": "滨州示例科技有限公司", "#applicant_id_number": "91350100M000100Y43", "#applicant_phone": "13805431234",
		"#f_company_name": "滨州示例科技有限公司", "#f_capital": "100", "#f_business_scope": "软件开发", "#f_address": "滨州市黄河五路391号",
		"#f_legal_name": "张三", "#f_legal_id": "11010519491231002X", "#f_phone": "13805431234"}
	steps := []chromedp.Action[chromedp.Void]{}
	for sel, v := range fill {
		steps = append(steps, chromedp.SendKeys(chromedp.CSS(sel), v))
	}
	steps = append(steps, chromedp.SetValue(chromedp.CSS(`#f_company_kind`), "有限责任公司"), chromedp.SetValue(chromedp.CSS(`#f_seal_kinds`), "公章、财务章、发票章"))
	inputs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('input[type=file]')).map(i => i.name)`))
	if err != nil || len(inputs) < 5 {
		t.Fatalf("material inputs: %v %v", inputs, err)
	}
	for _, name := range inputs {
		steps = append(steps, chromedp.SetUploadFiles(chromedp.CSS(`input[name="`+name+`"]`), []string{scan}))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS(`#do-accept-bundle`)), chromedp.WaitVisible(chromedp.CSS(`#children`)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	parent, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#case-number`)))
	kids, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll('#children tbody tr')).map(r => [r.cells[0].innerText, r.dataset.department, r.dataset.status])`))
	if err != nil || len(kids) != 5 {
		page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
		t.Fatalf("children: %v (%v): %s", kids, err, page)
	}
	for _, k := range kids {
		if k[2] != "accepted" {
			t.Fatalf("child %s is %s after the one acceptance", k[0], k[2])
		}
	}
	// Each department's approver finds its case in its own queue and approves it.
	for _, k := range kids {
		user := "approver"
		if k[1] != "XZSP" {
			user = "approver_" + strings.ToLower(k[1])
		}
		err := chromedp.Do(ctx, signIn(h, user),
			chromedp.Navigate(h.ts.URL+"/office"),
			chromedp.WaitVisible(chromedp.CSS(`a[href="/cases/`+k[0]+`"]`)),
			chromedp.Click(chromedp.CSS(`a[href="/cases/`+k[0]+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#do-decide`)),
			chromedp.Click(chromedp.CSS(`#do-decide`)),
			chromedp.WaitNotPresent(chromedp.CSS(`#do-decide`)))
		if err != nil {
			t.Fatalf("%s deciding %s: %v", user, k[0], err)
		}
	}
	allowDownloads(t, ctx, dir)
	if err := chromedp.Do(ctx, signIn(h, "clerk"), chromedp.Navigate(h.ts.URL+"/cases/"+parent), chromedp.WaitVisible(chromedp.CSS(`#case-status`))); err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#case-status`), "data-status"))
	if status.Value != "decided" {
		t.Fatalf("bundle status %q after five approvals, want decided (deliverable)", status.Value)
	}
	text := pdfToText(t, download(t, ctx, dir, `#notice-decision`))
	for _, want := range []string{"办结通知书", "开办企业", "企业设立登记", "公章刻制备案", "发票领用", "单位社会保险登记", "住房公积金单位缴存登记"} {
		if !strings.Contains(text, want) {
			t.Errorf("the bundle's notice lacks %q", want)
		}
	}
}

package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// signIn starts a fresh browser session as user and waits until the desk page has loaded.
func signIn(h *harness, user string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, chromedp.Do(ctx,
			chromedp.Navigate(h.ts.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`#username`)),
			chromedp.SendKeys(chromedp.CSS(`#username`), user),
			chromedp.SendKeys(chromedp.CSS(`#password`), "banhao-demo-2026"),
			chromedp.Click(chromedp.CSS(`#login`)),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"] button`)), // only a signed-in page has it
		)
	}
}

// TestBrowserDeferredAcceptance: a clerk accepts company registration with the lease deferred
// (容缺), prints the 容缺受理通知书; the approver cannot decide until the clerk takes in the
// lease, then can.
func TestBrowserDeferredAcceptance(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	dir := t.TempDir()
	scan := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	today := h.today()
	allowDownloads(t, ctx, dir)
	steps := []chromedp.Action[chromedp.Void]{
		signIn(h, "clerk"),
		chromedp.Navigate(h.ts.URL + "/window?q=" + "企业设立登记"),
		chromedp.Click(chromedp.CSS(`a.intake-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#applicant_name`)),
		chromedp.SetValue(chromedp.CSS(`#applicant_type`), "organization"),
		chromedp.SendKeys(chromedp.CSS(`#applicant_name`), "滨州市示例科技有限公司"),
		chromedp.SendKeys(chromedp.CSS(`#applicant_id_number`), "91350100M000100Y43"),
		chromedp.SendKeys(chromedp.CSS(`#applicant_phone`), "13805431234"),
	}
	for _, m := range []string{"m1", "m2", "m3", "m4"} {
		steps = append(steps, chromedp.SetUploadFiles(chromedp.CSS(`input[name="file_`+m+`"]`), []string{scan}))
	}
	steps = append(steps,
		chromedp.Click(chromedp.CSS(`#defer_m5`)),
		chromedp.SetValue(chromedp.CSS(`#due_m5`), today),
		chromedp.Click(chromedp.CSS(`#do-accept`)),
		chromedp.WaitVisible(chromedp.CSS(`#case-status`)), // the intake form has none
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#case-status`), "data-status"))
	if err != nil || status.Value != "accepted" {
		problem, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
		t.Fatalf("after 受理: status %q (%v): %s", status.Value, err, problem)
	}
	number, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#case-number`)))

	// Print the 容缺受理通知书.
	text := pdfToText(t, download(t, ctx, dir, `#notice-deferred_acceptance`))
	for _, want := range []string{"容缺受理通知书", "企业设立登记", "住所使用相关文件", number} {
		if !strings.Contains(text, want) {
			t.Errorf("the printed notice lacks %q", want)
		}
	}

	// The approver cannot decide while the lease is missing.
	err = chromedp.Do(ctx,
		signIn(h, "approver"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/cases/`+number+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/cases/`+number+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#do-decide`)),
		chromedp.Click(chromedp.CSS(`#do-decide`)),
		chromedp.WaitVisible(chromedp.CSS(`#problem`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	problem, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#problem`)))
	status, _ = chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#case-status`), "data-status"))
	if !strings.Contains(problem, "容缺") || status.Value != "accepted" {
		t.Fatalf("decide with the lease missing: %q, status %s", problem, status.Value)
	}

	// The clerk takes in the lease; now the approver decides.
	err = chromedp.Do(ctx,
		signIn(h, "clerk"),
		chromedp.Navigate(h.ts.URL+"/cases/"+number),
		chromedp.WaitVisible(chromedp.CSS(`#sup_m5`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#sup_m5`), []string{scan}),
		chromedp.Click(chromedp.CSS(`#do-supply`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#sup_m5`)), // the reloaded page no longer asks for it
		signIn(h, "approver"),
		chromedp.Navigate(h.ts.URL+"/cases/"+number),
		chromedp.WaitVisible(chromedp.CSS(`#do-decide`)),
		chromedp.Click(chromedp.CSS(`#do-decide`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#do-decide`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	status, _ = chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#case-status`), "data-status"))
	page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if status.Value != "decided" {
		t.Fatalf("after the lease was supplied the decision gave status %q: %s", status.Value, page)
	}
	if !strings.Contains(page, "按时办结") { // decided on the day of acceptance, well before the due day
		t.Fatalf("the decided case does not say it was decided on time: %s", page)
	}
}

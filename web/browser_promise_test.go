package web_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"banhao/audit"
	"banhao/cases"
	"banhao/demo"
)

// TestBrowserCommitmentSignedOnlineThenFoundFalse: a company applies online for 食品经营许可
// (告知承诺); submitted without signing, it is told to tick the commitment and nothing is
// decided; ticked and signed in its own name, it is approved at once (承诺制审批通过). The
// department's approver finds the post-check on /office/postchecks (按期), records 承诺不实 with
// the reason: the case reads 已撤销许可, the company's /my shows the credit record, and the
// clerk's case page of its next application warns 该申请人有失信记录.
func TestBrowserCommitmentSignedOnlineThenFoundFalse(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	item := h.itemNamed(t, "食品经营许可")
	dir := t.TempDir()
	scan := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/my/apply/"+url.PathEscape(item)),
		chromedp.WaitVisible(chromedp.CSS(`#send-code`)),
		chromedp.SendKeys(chromedp.CSS(`#id_number`), demo.CompanyCode),
		chromedp.Click(chromedp.CSS(`#send-code`)),
		chromedp.WaitVisible(chromedp.CSS(`#code`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	upload := func() error {
		names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#apply input[type=file]')).filter(i => i.offsetParent !== null).map(i => i.name)`))
		if err != nil {
			return err
		}
		for _, n := range names {
			if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`input[name="`+n+`"]`), []string{scan})); err != nil {
				return err
			}
		}
		return nil
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#code`), h.browserCode(t, demo.CompanyCode)),
		chromedp.Click(chromedp.CSS(`#sign-in`)),
		chromedp.WaitVisible(chromedp.CSS(`#commitment-text`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := upload(); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "apply")
	// Not signed: refused, the error next to the box, nothing decided.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#error-summary`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#error-summary`)))
	if !strings.Contains(summary, "本人已阅读并承诺") || h.caseCount(t) != 0 {
		t.Fatalf("unsigned: %q, %d cases", summary, h.caseCount(t))
	}
	// Signed in the company's name: approved at once.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#commitment-agree`)),
		chromedp.SendKeys(chromedp.CSS(`#commitment-signer`), demo.CompanyName),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := upload(); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#submitted`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	number := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], h.ts.URL+"/my/cases/")
	body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if !strings.Contains(body, "承诺制审批通过") {
		t.Fatalf("the applicant's case page after signing: %s", body)
	}

	// The approver: the post-check on the list, 按期; 承诺不实 with the reason.
	err = chromedp.Do(ctx,
		signIn(h, "approver"),
		chromedp.Navigate(h.ts.URL+"/office"),
		chromedp.Click(chromedp.CSS(`#postchecks-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#pc-`+number)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "postchecks")
	row, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#pc-`+number)))
	if !strings.Contains(row, "按期") || !strings.Contains(row, "待核查") {
		t.Fatalf("post-check row: %s", row)
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = chromedp.Do(sctx,
		chromedp.Click(chromedp.CSS(`#pc-`+number+` input[value="false"]`)),
		chromedp.SendKeys(chromedp.CSS(`#reason-`+number), "现场核查无冷藏设施，与承诺不符"),
		chromedp.Click(chromedp.CSS(`#pc-`+number+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#false-consequences, #error-summary`)),
	)
	if err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(`#pc-`+number)))
		t.Fatal(err, html)
	}
	// Not one click: the consequences are said first, nothing is revoked until confirmed.
	shot(t, ctx, "postcheck-confirm")
	said, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	for _, want := range []string{"撤销办件 " + number, "电子证照同时撤销", "信用记录", "现场核查无冷藏设施"} {
		if !strings.Contains(said, want) {
			t.Errorf("the confirmation does not say %q: %s", want, said)
		}
	}
	if c, _ := h.cases.Get(context.Background(), audit.System, number); c.Status == cases.Revoked {
		t.Fatal("revoked before the confirmation")
	}
	err = chromedp.Do(sctx,
		chromedp.Click(chromedp.CSS(`#confirm-false`)),
		chromedp.WaitVisible(chromedp.CSS(`#postcheck-flash, #error-summary`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if flash, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#postcheck-flash`))); !strings.Contains(flash, "已撤销许可") {
		t.Fatalf("after recording 不实: %s", flash)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/cases/"+number),
		chromedp.WaitVisible(chromedp.CSS(`#case-promise`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "case")
	page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	for _, want := range []string{"已撤销许可", "撤销许可", "冷藏设施", demo.CompanyName + " · 网上勾选承诺并签名", "承诺不实"} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page after 不实 lacks %q", want)
		}
	}

	// The company's own view (signed in again: the approver's sign-in cleared the browser): the credit record.
	_, mine := h.citizenDo(t, h.applicantSession(t, demo.CompanyCode), "GET", "/my", nil)
	if !strings.Contains(mine, `id="my-credit"`) || !strings.Contains(mine, number) || !strings.Contains(mine, "冷藏设施") {
		t.Errorf("/my lacks the credit record")
	}
}

// shot saves a full-page screenshot to $BANHAO_SHOTS/promise-<name>.png when that is set (for
// a person to look at; nothing is asserted on it). Quality 100 is a PNG.
func shot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("BANHAO_SHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "promise-"+name+".png"), png, 0o644)
	}
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

package web_test

import (
	"context"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserNoticeKeepsConditionsWhole: a citizen opens the guide of a fully specified item,
// downloads its 一次性告知单, and the whole conditions paragraph is in it, not one character lost
// where the line wraps ("符合法律法规规定" once printed as "符合法/法规规定"). The notice is one
// page and carries the center as issuer with the date.
func TestBrowserNoticeKeepsConditionsWhole(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	dir := t.TempDir()
	code := h.itemNamed(t, "企业设立登记")
	it, err := h.cat.Item(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if len([]rune(it.Conditions)) < 40 { // longer than a line of the notice's value column
		t.Fatalf("the conditions of %s are too short to wrap: %q", it.Name, it.Conditions)
	}

	allowDownloads(t, ctx, dir)
	err = chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/items/"+url.PathEscape(code)),
		chromedp.WaitVisible(chromedp.CSS(`#notice-pdf`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	path := download(t, ctx, dir, `#notice-pdf`)
	text := pdfToText(t, path)
	if want := strings.Join(strings.Fields(it.Conditions), ""); !strings.Contains(text, want) {
		t.Fatalf("the downloaded notice lacks the whole conditions paragraph %q:\n%s", want, text)
	}
	for _, want := range []string{"一次性告知单", it.Name, "（盖章）", h.srv.Now().In(shanghai).Format("2006年01月02日")} {
		if !strings.Contains(text, want) {
			t.Errorf("the downloaded notice lacks %q", want)
		}
	}
	if out, err := exec.Command("pdfinfo", path).Output(); err == nil && !strings.Contains(string(out), "Pages:           1\n") {
		t.Errorf("the notice is not one page:\n%s", out)
	}
}

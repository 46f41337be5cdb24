package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// browserContext starts headless Chromium. When BANHAO_TEST_BROWSER is set (CI) a missing
// browser fails the test instead of skipping it.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("BANHAO_CHROMIUM")
	if path == "" {
		for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("BANHAO_TEST_BROWSER") != "" {
			t.Fatal("BANHAO_TEST_BROWSER is set but no Chromium was found (apt-get install chromium)")
		}
		t.Skip("no Chromium; set BANHAO_TEST_BROWSER=1 to require it")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(412, 915), // a phone
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute) // a safety net: -race on 2 cores is slow
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// download clicks sel and returns the path of the file the browser saved into dir (the
// browser's download behaviour must already point at dir).
func download(t *testing.T, ctx context.Context, dir, sel string) string {
	t.Helper()
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.BrowserEvents(dctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatal(err)
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download from %s: %v", sel, err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			return filepath.Join(dir, ev.GUID)
		}
	}
	t.Fatalf("no download from %s", sel)
	return ""
}

// allowDownloads saves the browser's downloads into dir, named by their GUID.
func allowDownloads(t *testing.T, ctx context.Context, dir string) {
	t.Helper()
	yes := true
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes}); err != nil {
		t.Fatal(err)
	}
}

func pdfToText(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("BANHAO_TEST_BROWSER") != "" {
			t.Fatal("pdftotext (poppler-utils) is required")
		}
		t.Skip("no pdftotext")
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

// TestBrowserSearchGuideAndNotice is what a citizen does on a phone: search in Chinese, open
// the guide, download the one-time notice, and find the item and every material in it.
func TestBrowserSearchGuideAndNotice(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	dir := t.TempDir()

	allowDownloads(t, ctx, dir)
	err := chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), "公积金提取"),
		chromedp.Submit(chromedp.CSS(`#q`)),
		chromedp.WaitVisible(chromedp.CSS(`a.item-link`)),
		chromedp.Click(chromedp.CSS(`a.item-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#item-name`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	itemName, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#item-name`)))
	if err != nil {
		t.Fatal(err)
	}
	materials, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#materials tbody tr td:nth-child(2)')).map(td => td.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(itemName, "公积金提取") || len(materials) < 2 {
		t.Fatalf("guide page: name %q, materials %v", itemName, materials)
	}

	text := pdfToText(t, download(t, ctx, dir, `#notice-pdf`))
	if !strings.Contains(text, strings.Join(strings.Fields(itemName), "")) || !strings.Contains(text, "一次性告知单") {
		t.Fatalf("the downloaded notice lacks the item name %q", itemName)
	}
	for _, m := range materials {
		if !strings.Contains(text, strings.Join(strings.Fields(m), "")) {
			t.Errorf("the downloaded notice lacks the material %q", m)
		}
	}
}

// TestBrowserAdminPublishesItem signs in as the admin, creates an item as a draft (invisible to
// the public), publishes it, and finds it in the public search.
func TestBrowserAdminPublishesItem(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	err := chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "banhao-demo-2026"),
		chromedp.Click(chromedp.CSS(`#login`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/items"]`)),
		chromedp.Navigate(h.ts.URL+"/admin/items/new"),
		chromedp.WaitVisible(chromedp.CSS(`#code`)),
		chromedp.SendKeys(chromedp.CSS(`#code`), "UI-1"),
		chromedp.SendKeys(chromedp.CSS(`#name`), "浏览器新建测试事项"),
		chromedp.SetValue(chromedp.CSS(`#legal_limit_value`), "10"),
		chromedp.SetValue(chromedp.CSS(`#legal_limit_unit`), "working_day"),
		chromedp.SetValue(chromedp.CSS(`#promised_limit_value`), "3"),
		chromedp.SetValue(chromedp.CSS(`#promised_limit_unit`), "working_day"),
		chromedp.SetValue(chromedp.CSS(`#visits`), "0"),
		chromedp.SetValue(chromedp.CSS(`#online_depth`), "4"),
		chromedp.SetValue(chromedp.CSS(`input[name="m0_name"]`), "申请表"),
		chromedp.Click(chromedp.CSS(`input[name="m0_required"]`)),
		chromedp.Click(chromedp.CSS(`button[value="draft"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.badge.draft`)),
		chromedp.Navigate(h.ts.URL+"/items?q=UI-1"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if total, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#total`))); err != nil || total != "0" {
		t.Fatalf("a draft shows in the public search: %q hits (%v)", total, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/admin/items?q=UI-1"),
		chromedp.Click(chromedp.CSS(`form[action$="/publish"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.badge.published`)),
		chromedp.Navigate(h.ts.URL+"/items?q=UI-1"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if total, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#total`))); err != nil || total != "1" {
		t.Fatalf("after publishing, the public search finds %q items (%v), want 1", total, err)
	}
}

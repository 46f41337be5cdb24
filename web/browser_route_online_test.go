package web_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao/demo"
)

// TestBrowserOnlineApplicationChoosesRoute: a 滨城区 resident applying online for 社会保障卡申领
// (全市通办, decided by the county) finds 审批地 preselected to 滨城区 by their ID number and 出件地
// to choose, on a phone and on a wide screen without sideways scrolling and without serious
// accessibility faults; choosing 沾化区 and the 彭李街道 center, the case's page shows the three
// places. Screenshots go under $BANHAO_SCREENSHOTS when set.
func TestBrowserOnlineApplicationChoosesRoute(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	scan := filepath.Join(t.TempDir(), "scan.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	apply := "/my/apply/" + url.PathEscape(h.itemNamed(t, "社会保障卡申领"))
	err := chromedp.Do(ctx, h.signInCitizen(t), chromedp.Navigate(h.ts.URL+apply), chromedp.WaitVisible(chromedp.CSS(`#route`)))
	if err != nil {
		t.Fatal(err)
	}
	region, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#deciding_region').value`))
	if err != nil || region != "371602000000" {
		t.Fatalf("审批地 preselected %q, want 滨城区 by the ID number (%v)", region, err)
	}
	for _, size := range [][2]int64{{390, 900}, {1920, 1080}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1]), chromedp.ScrollIntoView(chromedp.CSS(`#route`))); err != nil {
			t.Fatal(err)
		}
		screenshotAt(t, ctx, size[0], size[1], "online-route")
		if fits, w, _, vw, _ := pageFits(t, ctx); w > vw {
			t.Errorf("at %d px the form scrolls sideways: %d > %d (%v)", size[0], w, vw, fits)
		}
	}
	axeCheck(t, ctx, apply)
	// An item whose kind of department no county has (社保中心): the form says the city decides.
	fallback := "/my/apply/" + url.PathEscape(h.itemNamed(t, "失业保险金申领"))
	if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+fallback), chromedp.WaitVisible(chromedp.CSS(`#route-fallback`)),
		chromedp.ScrollIntoView(chromedp.CSS(`#route`))); err != nil {
		t.Fatal(err)
	}
	screenshotAt(t, ctx, 390, 900, "online-route-fallback")
	axeCheck(t, ctx, fallback)
	if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+apply), chromedp.WaitVisible(chromedp.CSS(`#route`))); err != nil {
		t.Fatal(err)
	}
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#apply input[type=file]')).filter(i => i.offsetParent !== null).map(i => i.name)`))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`input[name="`+n+`"]`), []string{scan})); err != nil {
			t.Fatal(err)
		}
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#deciding_region`), "371603000000"),
		chromedp.SetValue(chromedp.CSS(`#delivery_center`), demo.PengliCenter),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#route-deciding`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	places, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`['#route-accepted', '#route-deciding', '#route-delivery'].map(s => document.querySelector(s).textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if places[0] != demo.CenterName || !strings.Contains(places[1], "沾化区") || places[2] != "彭李街道便民服务中心" {
		t.Fatalf("the case's places: %q", places)
	}
}

package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// wrappedJS lists the cells matching the selector whose text takes more than one line.
const wrappedJS = `(() => { const out = [];
  for (const el of document.querySelectorAll(%q)) {
    if (!el.textContent.trim()) continue;
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (!n.textContent.trim()) continue;
      const r = document.createRange(); r.selectNodeContents(n);
      const tops = new Set(); for (const b of r.getClientRects()) if (b.width > 0) tops.add(Math.round(b.top));
      if (tops.size > 1) { out.push(el.textContent.trim()); break; }
    }
  }
  return out; })()`

// TestBrowserShortCellsKeepOneLine: at 1920 px the calendar's days keep their two digits on one
// line (1 2 / 1 3 stacked before), and on /office/grants 授予人 and 状态 are not squeezed to a
// character a line; at 390 px the grants are cards with no empty line.
func TestBrowserShortCellsKeepOneLine(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	for _, tc := range []struct{ user, path, cells string }{
		{"admin", "/admin/calendar?year=2026", "table.cal td"},
		{"approver_gjj", "/office/grants", "#grants td.nowrap"},
		{"admin_zhanhua", "/office/grants", "#grants td.nowrap"},
	} {
		if err := chromedp.Do(ctx, signIn(h, tc.user), chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(h.ts.URL+tc.path),
			chromedp.WaitVisible(chromedp.CSS(strings.Fields(tc.cells)[0]))); err != nil {
			t.Fatal(err)
		}
		wrapped, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(wrappedJS, tc.cells)))
		if err != nil {
			t.Fatal(err)
		}
		if len(wrapped) > 0 {
			t.Errorf("%s %s at 1920 px: cells on more than one line: %q", tc.user, tc.path, wrapped)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(h.ts.URL+"/office/grants"), chromedp.WaitVisible(chromedp.CSS(`#grants`))); err != nil {
		t.Fatal(err)
	}
	empty, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('#grants td')].filter(td => td.offsetHeight > 0 && !td.textContent.trim()).length`))
	if err != nil || empty > 0 {
		t.Errorf("at 390 px the grants' cards have %d empty lines (%v)", empty, err)
	}
}

package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao/catalog"
)

// TestBrowserSearchAndThemes: a phrase finds its bundle and items, a search that finds nothing
// offers items and themes (no stray label at the top), and the theme tiles work — on a phone and
// a desktop, without horizontal scrolling and without serious accessibility violations.
func TestBrowserSearchAndThemes(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	pages := []struct{ name, path, wait string }{
		{"search-phrase", "/items?q=" + url.QueryEscape("给孩子上户口"), `.bundle-hit`},
		{"search-empty", "/items?q=" + url.QueryEscape("zzqx不存在的事"), `#no-results`},
		{"themes", "/themes", `.theme-tile`},
		{"theme-birth", "/themes/birth", `.hit-list`},
		{"search-too-long", "/items?q=" + url.QueryEscape(strings.Repeat("营业执照怎么办理", 13)), `#q-error`},
		{"theme-medical", "/themes/medical", `.hit-list`},
	}
	for _, p := range pages {
		for _, size := range [][2]int64{{390, 844}, {1920, 1080}} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(h.ts.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait))); err != nil {
				t.Fatalf("%s: %v", p.name, err)
			}
			screenshotAt(t, ctx, size[0], size[1], p.name)
			dims, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
			if err != nil || dims[0] > dims[1] {
				t.Errorf("%s at %d px: page is %v wide", p.name, size[0], dims)
			}
			axeCheck(t, ctx, p.name)
		}
	}
	// Too long a search: the message at the box, the box keeps 50 characters and takes no more.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(h.ts.URL+pages[4].path), chromedp.WaitVisible(chromedp.CSS(`#q-error`))); err != nil {
		t.Fatal(err)
	}
	state, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`(() => { const q = document.getElementById('q'), e = document.getElementById('q-error');
		const a = q.getBoundingClientRect(), b = e.getBoundingClientRect();
		q.value = ''; q.focus(); return [[...q.getAttribute('value')].length, Math.round(b.top - a.bottom)]; })()`))
	if err != nil || state[0] != catalog.MaxQueryLen || state[1] < 0 || state[1] > 40 {
		t.Fatalf("too long a search: the box kept %v characters, the message %v px under it (err %v)", state[0], state[1], err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(`#q`, strings.Repeat("公积金", 40))); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.getElementById('q').value].length`)); n != catalog.MaxQueryLen {
		t.Errorf("the box took %d characters, want at most %d", n, catalog.MaxQueryLen)
	}
	// The empty result: no "：" left from a table cell's label, and its links lead somewhere.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(h.ts.URL+pages[1].path), chromedp.WaitVisible(chromedp.CSS(`#no-results`))); err != nil {
		t.Fatal(err)
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#results`)))
	if strings.HasPrefix(strings.TrimSpace(text), "：") || !strings.Contains(text, "您可能要找") {
		t.Fatalf("empty result reads: %q", text)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#no-results .theme-tile`)), chromedp.WaitVisible(chromedp.CSS(`.crumbs`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/"), chromedp.Click(chromedp.CSS(`a.theme-tile[href="/themes/housing"]`)), chromedp.WaitVisible(chromedp.CSS(`.hit-list`))); err != nil {
		t.Fatal(err)
	}
	items, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.hit-list`)))
	if !strings.Contains(items, "住房公积金提取") {
		t.Fatalf("the 住房 theme lists: %q", items)
	}
	// A result shows its long code on a desktop, not on a phone, where it would take three lines.
	for _, size := range [][2]int64{{390, 844}, {1920, 1080}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(h.ts.URL+"/items?q="+url.QueryEscape("公积金")), chromedp.WaitVisible(chromedp.CSS(`.item-link`))); err != nil {
			t.Fatal(err)
		}
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('.item-code').offsetParent !== null`))
		if err != nil || shown != (size[0] > 640) {
			t.Errorf("at %d px the result's code is shown: %v (%v)", size[0], shown, err)
		}
	}
	// The home page offers no tile that leads to an empty list, and in 大字版 on a phone the
	// search box's hint is read whole.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(h.ts.URL+"/large-text?on=1&back=/"), chromedp.WaitVisible(chromedp.CSS(`#q`))); err != nil {
		t.Fatal(err)
	}
	home, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if strings.Contains(home, " 0 个事项") || strings.Contains(home, "\n0 个事项") {
		t.Errorf("the home page offers an empty list: %q", home)
	}
	fit, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const i = document.querySelector('#q'), s = getComputedStyle(i);
		const c = document.createElement('canvas').getContext('2d'); c.font = s.font;
		return [c.measureText(i.placeholder).width, i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)]; })()`))
	if err != nil || fit[0] > fit[1] {
		t.Errorf("大字版 at 390 px: the search hint is %v px wide in a %v px box (%v)", fit[0], fit[1], err)
	}
	screenshotAt(t, ctx, 390, 844, "home-large")
}

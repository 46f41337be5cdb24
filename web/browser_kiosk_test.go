package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"banhao/audit"
	"banhao/catalog"
	"banhao/demo"
	"banhao/queue"
)

// kioskSizes are the two common kiosk screens: upright and lying.
var kioskSizes = []struct {
	name string
	w, h int64
}{{"portrait", 1080, 1920}, {"landscape", 1920, 1080}}

// kioskLayout is what a person standing at the kiosk checks on a screen: body text of at least
// 24 px, every link and button at least 64 px high, no website navigation or staff sign-in, and
// the content spread over the screen rather than hugging its left edge.
type kioskLayout struct {
	BodyPx    float64  `json:"bodyPx"`
	Small     []string `json:"small"`
	Staff     []string `json:"staff"`
	Left      float64  `json:"left"`
	Right     float64  `json:"right"`
	ViewWidth float64  `json:"viewWidth"`
}

const kioskLayoutJS = `(() => {
  const vis = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const small = [...document.querySelectorAll('a, button, summary, input:not([type=hidden])')].filter(vis)
    .filter(e => e.getBoundingClientRect().height < 64).map(e => e.outerHTML.slice(0, 80));
  const staff = [...document.querySelectorAll('a[href^="/login"], a[href^="/hall"], a[href^="/my"], a[href="/"], nav[aria-label="主导航"]')].map(e => e.outerHTML.slice(0, 80));
  let left = innerWidth, right = 0;
  for (const e of document.querySelectorAll('main > *')) {
    if (!vis(e)) continue;
    const r = e.getBoundingClientRect(); left = Math.min(left, r.left); right = Math.max(right, r.right);
  }
  return {bodyPx: parseFloat(getComputedStyle(document.body).fontSize), small, staff, left, right, viewWidth: innerWidth};
})()`

func checkKioskLayout(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	l, err := chromedp.Run(ctx, chromedp.Evaluate[kioskLayout](kioskLayoutJS))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	if l.BodyPx < 24 {
		t.Errorf("%s: body text %.0f px, want at least 24", page, l.BodyPx)
	}
	if len(l.Small) > 0 {
		t.Errorf("%s: touch targets lower than 64 px: %q", page, l.Small)
	}
	if len(l.Staff) > 0 {
		t.Errorf("%s: links out of the kiosk: %q", page, l.Staff)
	}
	if l.Left > 0.1*l.ViewWidth || l.Right < 0.9*l.ViewWidth {
		t.Errorf("%s: the content spans %.0f–%.0f px of %.0f: it should use the screen's width", page, l.Left, l.Right, l.ViewWidth)
	}
}

// TestBrowserKioskScreens: at both kiosk sizes the home screen fits without scrolling; an item
// is found by touch only, through its section (paging on) and through its life-event theme;
// a ticket is taken without signing in and shown by the kiosk itself, which then returns home
// on its own. axe-core finds no serious or critical violation on the home screen, a tile list,
// a guide and the ticket.
func TestBrowserKioskScreens(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	h.srv.KioskIdle = 6 * time.Second
	bg := context.Background()

	// The item is listed under 就业创业 (the demo's themes are filled in elsewhere).
	name := "个体工商户设立登记"
	code := h.itemNamed(t, name)
	it, err := h.cat.Item(bg, code)
	if err != nil {
		t.Fatal(err)
	}
	it.Themes = []string{"employment"}
	if _, err := h.cat.PutItem(bg, audit.System, it, catalog.StatusPublished); err != nil {
		t.Fatal(err)
	}
	guide := `a[href="/kiosk/guide/` + code + `"]`
	// More items under the theme than one screen holds, and a bundle.
	others, err := h.cat.Search(bg, catalog.Query{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	themed := 1
	for _, o := range others.Items {
		if o.Code == code || themed > 14 {
			continue
		}
		oi, err := h.cat.Item(bg, o.Code)
		if err != nil {
			t.Fatal(err)
		}
		oi.Themes = []string{"employment"}
		if _, err := h.cat.PutItem(bg, audit.System, oi, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		themed++
	}
	bundles, err := h.cat.Bundles(bg)
	if err != nil || len(bundles) == 0 {
		t.Fatalf("no bundles: %v", err)
	}
	b := bundles[0]
	b.Themes = []string{"employment"}
	if _, err := h.cat.PutBundle(bg, audit.System, b, catalog.StatusPublished); err != nil {
		t.Fatal(err)
	}

	for _, size := range kioskSizes {
		t.Run(size.name, func(t *testing.T) {
			shot := func(name string) { screenshotAt(t, ctx, size.w, size.h, "kiosk-"+name) }
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(h.ts.URL+"/kiosk"),
				chromedp.WaitVisible(chromedp.CSS(`#kiosk-welcome`))); err != nil {
				t.Fatal(err)
			}
			shot("home")
			if fits, sw, sh, vw, vh := pageFits(t, ctx); !fits {
				t.Errorf("the home screen scrolls: content %d×%d in %d×%d", sw, sh, vw, vh)
			}
			checkKioskLayout(t, ctx, "home")
			axeCheck(t, ctx, "kiosk home "+size.name)

			// Section → item, turning pages until the item shows.
			err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-by-section`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-sections`)))
			if err != nil {
				t.Fatal(err)
			}
			shot("sections")
			checkKioskLayout(t, ctx, "sections")
			if fits, sw, sh, vw, vh := pageFits(t, ctx); !fits {
				t.Errorf("the sections scroll: content %d×%d in %d×%d", sw, sh, vw, vh)
			}
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-sections a[href="/kiosk/sections/S01"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#kiosk-items`))); err != nil {
				t.Fatal(err)
			}
			shot("section-items")
			checkKioskLayout(t, ctx, "section items")
			axeCheck(t, ctx, "kiosk item tiles "+size.name)
			turnPagesUntil(t, ctx, `#kiosk-items `+guide)
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-items `+guide)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-guide-title`))); err != nil {
				t.Fatal(err)
			}
			if title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-guide-title`))); title != name {
				t.Fatalf("the guide shows %q, want %s", title, name)
			}
			materials, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-materials`)))
			if it.Materials[0].Name == "" || !strings.Contains(materials, it.Materials[0].Name) {
				t.Errorf("the guide's materials %q lack %q", materials, it.Materials[0].Name)
			}
			facts, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-facts`)))
			if !strings.Contains(facts, it.PromisedLimit.String()) {
				t.Errorf("the guide's facts %q lack the limit %s", facts, it.PromisedLimit)
			}
			shot("guide")
			checkKioskLayout(t, ctx, "guide")
			axeCheck(t, ctx, "kiosk guide "+size.name)
			// The notice opens inside the kiosk's page (its print button, its idle timeout).
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-notice`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-notice-frame`)))
			if err != nil {
				t.Fatal(err)
			}
			shot("notice")
			checkKioskLayout(t, ctx, "notice")

			// Home → 个人办事 → 就业创业 → the item.
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-home-link`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-welcome`)),
				chromedp.Click(chromedp.CSS(`#kiosk-by-person`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-themes`)))
			if err != nil {
				t.Fatal(err)
			}
			shot("themes")
			checkKioskLayout(t, ctx, "themes")
			if fits, sw, sh, vw, vh := pageFits(t, ctx); !fits {
				t.Errorf("the themes scroll: content %d×%d in %d×%d", sw, sh, vw, vh)
			}
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-themes a[href="/kiosk/themes/employment"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#kiosk-items`)))
			if err != nil {
				t.Fatal(err)
			}
			shot("theme-items")
			checkKioskLayout(t, ctx, "theme items")
			tiles := func() string {
				s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-items`)))
				return s
			}
			first := tiles()
			if !strings.Contains(first, b.Name) || !strings.Contains(first, "一件事") {
				t.Errorf("the theme's first screen %q lacks the bundle %s", first, b.Name)
			}
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-next-page`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-prev`)))
			if err != nil {
				t.Fatalf("%d items and a bundle under one theme: no second screen: %v", themed, err)
			}
			if second := tiles(); second == "" || second == first {
				t.Errorf("the second screen shows %q", second)
			}
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-prev`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-next-page`))); err != nil {
				t.Fatal(err)
			}
			turnPagesUntil(t, ctx, `#kiosk-items `+guide)
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-items `+guide)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-guide-title`)))
			if err != nil {
				t.Fatal(err)
			}
			if title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-guide-title`))); title != name {
				t.Fatalf("the theme led to %q, want %s", title, name)
			}

			// Home → 取号 without signing in → the kiosk shows the ticket.
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-home-link`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-welcome`)),
				chromedp.Click(chromedp.CSS(`#kiosk-take`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-lines`)))
			if err != nil {
				t.Fatal(err)
			}
			shot("lines")
			checkKioskLayout(t, ctx, "lines")
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-line-`+demo.ServiceCode("A"))), chromedp.WaitVisible(chromedp.CSS(`#kiosk-ticket-number`)))
			if err != nil {
				t.Fatal(err)
			}
			shot("ticket")
			checkKioskLayout(t, ctx, "ticket")
			axeCheck(t, ctx, "kiosk ticket "+size.name)
			if fits, sw, sh, vw, vh := pageFits(t, ctx); !fits {
				t.Errorf("the ticket scrolls: content %d×%d in %d×%d", sw, sh, vw, vh)
			}
			number, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-ticket-number`)))
			line, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-ticket-line`)))
			ahead, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-ticket-ahead`)))
			when, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-ticket-time`)))
			link, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-ticket-link`)))
			here, _ := chromedp.Run(ctx, chromedp.Location())
			id := strings.TrimPrefix(mustParse(t, here).Path, "/kiosk/tickets/")
			tk, err := h.queue.Get(bg, id, "")
			if err != nil {
				t.Fatalf("the kiosk shows a ticket the queue does not know (%s): %v", here, err)
			}
			if number != tk.Number || tk.Source != "kiosk" || line != tk.ServiceName || !regexp.MustCompile(`^A\d+$`).MatchString(number) {
				t.Errorf("the kiosk shows %q %q for the ticket %s %s from %s", number, line, tk.Number, tk.ServiceName, tk.Source)
			}
			if !strings.Contains(ahead, queue.AheadText(tk.Ahead)) || !strings.Contains(when, tk.ArrivedAt.In(shanghai).Format("15:04")) {
				t.Errorf("the ticket says %q, %q", ahead, when)
			}
			// The link (and its QR code) follows the ticket on a phone.
			if !strings.HasSuffix(link, "/tickets/"+id) {
				t.Errorf("the ticket's phone link is %q", link)
			}
			resp, err := http.Get(h.ts.URL + "/tickets/" + id)
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("the phone page of the ticket: %v %v", resp, err)
			}

			// Nobody touches the screen: it returns home.
			wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			if err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(`#kiosk-welcome`))); err != nil {
				t.Fatalf("the ticket screen did not return home: %v", err)
			}
		})
	}
}

// turnPagesUntil taps 下一页 until an element shows; it returns the page it is on.
func turnPagesUntil(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	for page := 1; ; page++ {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`))
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return page
		}
		more, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.getElementById('kiosk-next-page')`))
		if !more || page > 30 {
			t.Fatalf("%s is on none of the %d pages", sel, page)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-next-page`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-items`))); err != nil {
			t.Fatal(err)
		}
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

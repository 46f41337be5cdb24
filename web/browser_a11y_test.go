package web_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"banhao/demo"
	"banhao/identity"
	"banhao/web"
)

// decidedCase is a case of the demo citizen that the clerk accepted, an approver claimed (the
// center's own work) and approved: its result waits to be collected.
func (h *harness) decidedCase(t *testing.T) string {
	t.Helper()
	clerk, approver := h.sessions[identity.Clerk], h.sessions[identity.Approver]
	file := h.uploadPDF(t, &clerk)
	payload := fmt.Sprintf(`{"item":%q,"applicant":{"type":"person","name":%q,"id_number":%q,"phone":%q},"channel":"window",
		"materials":[{"material_id":"m1","file_id":%q},{"material_id":"m2","file_id":%q},{"material_id":"m3","file_id":%q}]}`,
		h.itemNamed(t, "个体工商户设立登记"), demo.CitizenName, demo.CitizenID, demo.CitizenPhone, file, file, file)
	resp := h.do(t, "POST", "/api/v1/cases", web.API, &clerk, strings.NewReader(payload), "application/json")
	c := decode[struct{ Number string }](t, resp)
	if resp.StatusCode != 201 {
		t.Fatalf("create the case: %d", resp.StatusCode)
	}
	for _, step := range []struct {
		sess *identity.Session
		path string
		body string
	}{{&clerk, "accept", ""}, {&approver, "claim", ""}, {&approver, "decide", `{"decision":"approved"}`}} {
		var body io.Reader
		if step.body != "" {
			body = strings.NewReader(step.body)
		}
		resp := h.do(t, "POST", "/api/v1/cases/"+c.Number+"/"+step.path, web.API, step.sess, body, "application/json")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", step.path, resp.StatusCode)
		}
		resp.Body.Close()
	}
	return c.Number
}

// signInCitizen gives the browser the demo citizen's online session, as after a sign-in.
func (h *harness) signInCitizen(t *testing.T) chromedp.Action[chromedp.Void] {
	sess := h.citizenSession(t)
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "banhao_citizen", Value: sess.Token, URL: h.ts.URL + "/"})
		return chromedp.Void{}, err
	}
}

// href reads the address of the first link matching sel on the page at path.
func href(t *testing.T, ctx context.Context, base, path, sel string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitReady(chromedp.CSS(`body`))); err != nil {
		t.Fatal(err)
	}
	u, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(`+"`"+sel+"`"+`) || {}).href || ''`))
	if err != nil || u == "" {
		t.Fatalf("no link %s on %s (%v)", sel, path, err)
	}
	return strings.TrimPrefix(u, base)
}

// a11yPage is a page to check and an element that shows it has loaded.
type a11yPage struct{ name, path, ready string }

// publicPages are the citizen's pages, signed out and signed in to the online hall.
func publicPages(t *testing.T, ctx context.Context, h *harness, number string) (out, signedIn []a11yPage) {
	t.Helper()
	item := h.itemNamed(t, "企业设立登记")
	bundle := href(t, ctx, h.ts.URL, "/bundles", `a.tile[href^="/bundles/"]`)
	take := href(t, ctx, h.ts.URL, "/hall", `a[href$="/take"]`)
	out = []a11yPage{
		{"home", "/", `#q`},
		{"items", "/items", `#results`},
		{"search", "/items?q=" + url.QueryEscape("营业执照"), `#results`},
		{"section", "/items?section=S01", `#results`},
		{"guide", "/items/" + url.PathEscape(item), `#item-name`},
		{"bundles", "/bundles", `h1`},
		{"bundle", bundle, `#bundle-name`},
		{"departments", "/departments", `h1`},
		{"track-form", "/track", `form[action="/track"]`},
		{"track", "/track?number=" + url.QueryEscape(number) + "&phone4=" + demo.CitizenPhone[len(demo.CitizenPhone)-4:], `#progress`},
		{"login", "/login", `#username`},
		{"my-login", "/my/login", `#id_number`},
		{"hall", "/hall", `h1`},
		{"take", take, `#take`}, // the 绿色通道 box
		{"book", "/appointments/new", `h1`},
	}
	signedIn = []a11yPage{
		{"my", "/my", `#my-cases`},
		{"my-case", "/my/cases/" + url.PathEscape(number), `#progress`},
		{"my-apply", "/my/apply/" + url.PathEscape(h.itemNamed(t, "个体工商户设立登记")), `#apply`},
		{"my-bundle", "/my" + bundle, `#apply-bundle`},
	}
	return out, signedIn
}

// pageMeasure is what a person would check with a ruler: the text size, targets too small to
// touch, text smaller than 16 px, and whether a phone has to scroll sideways.
type pageMeasure struct {
	BodyFont float64  `json:"bodyFont"`
	Small    []string `json:"small"`
	TinyText []string `json:"tinyText"`
	ScrollW  int      `json:"scrollW"`
	InnerW   int      `json:"innerW"`
}

const measureJS = `(() => {
  const shown = el => {
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return el.checkVisibility({visibilityProperty: true}) && r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && r.right > 0 && r.left < innerWidth;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.textContent || el.value || el.name || '').trim().slice(0, 24) + '"';
  const big = r => r.width >= 43.5 && r.height >= 43.5;
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, select, summary, input:not([type=hidden])')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (big(r)) continue;
    if (el.matches('input[type=checkbox], input[type=radio]')) { // the label is the target
      const lab = el.closest('label') || (el.id && document.querySelector('label[for="' + el.id + '"]'));
      if (lab && big(lab.getBoundingClientRect())) continue;
    }
    small.push(name(el) + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
  }
  const tiny = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || !shown(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 15.99) tiny.push(name(el) + ' ' + size + 'px');
  }
  return {bodyFont: parseFloat(getComputedStyle(document.body).fontSize), small: small, tinyText: tiny.slice(0, 10),
    scrollW: document.documentElement.scrollWidth, innerW: innerWidth};
})()`

// TestBrowserAccessibility runs axe-core on every public and online-hall page, in the normal
// and the large-text mode, on a 390 px phone and a 1920 px screen, and measures what axe does
// not: text of at least 16 px, targets of at least 44 × 44 px, no sideways scrolling on the
// phone.
func TestBrowserAccessibility(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	number := h.decidedCase(t)
	pages, signedIn := publicPages(t, ctx, h, number)
	if err := chromedp.Do(ctx, h.signInCitizen(t)); err != nil {
		t.Fatal(err)
	}
	cert := href(t, ctx, h.ts.URL, "/my", `#my-certificates a[href^="/my/certificates/"]`)
	id := strings.TrimPrefix(cert, "/my/certificates/")
	signedIn = append(signedIn, a11yPage{"my-certificate", cert, `#certificate`})
	pages = append(pages, a11yPage{"verify", "/api/v1/verify/" + id, `#cert-status`})

	for _, large := range []bool{false, true} {
		mode := "normal"
		if large {
			mode = "large"
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/large-text?on=%d", h.ts.URL, map[bool]int{false: 0, true: 1}[large]))); err != nil {
			t.Fatal(err)
		}
		for _, size := range [][2]int64{{390, 844}, {1920, 1080}} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1])); err != nil {
				t.Fatal(err)
			}
			for _, p := range append(append([]a11yPage{}, pages...), signedIn...) {
				where := fmt.Sprintf("%s (%s, %d px)", p.name, mode, size[0])
				if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready))); err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				axeCheck(t, ctx, where)
				if large { // 大字版 pages, for people to look at
					screenshotAt(t, ctx, size[0], size[1], "large-page-"+p.name)
				}
				m, err := chromedp.Run(ctx, chromedp.Evaluate[pageMeasure](measureJS))
				if err != nil {
					t.Fatal(err)
				}
				if m.BodyFont < 16 {
					t.Errorf("%s: body text %.1f px, want at least 16", where, m.BodyFont)
				}
				if len(m.Small) > 0 {
					t.Errorf("%s: %d targets smaller than 44 × 44 px: %s", where, len(m.Small), strings.Join(m.Small[:min(len(m.Small), 8)], "; "))
				}
				if len(m.TinyText) > 0 {
					t.Errorf("%s: text smaller than 16 px: %s", where, strings.Join(m.TinyText, "; "))
				}
				if size[0] == 390 && m.ScrollW > m.InnerW {
					t.Errorf("%s: the page is %d px wide on a %d px phone (sideways scrolling)", where, m.ScrollW, m.InnerW)
				}
			}
		}
	}
}

// TestBrowserGuideAndTrackOnPhone: on a phone the guide opens on what to bring, what it costs,
// how long it takes and how often one must come, with the codes and the legal fields folded
// below; /track and the citizen's own case page show the road to the result — no internal step,
// no blank row — and where and when to collect it. Screenshots at 390 and 1920 px, in both
// text sizes, for people to look at.
func TestBrowserGuideAndTrackOnPhone(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	number := h.decidedCase(t)
	item := h.itemNamed(t, "企业设立登记")
	it, err := h.cat.Item(context.Background(), item)
	if err != nil {
		t.Fatal(err)
	}
	tracked, err := h.cat.Item(context.Background(), h.itemNamed(t, "个体工商户设立登记"))
	if err != nil {
		t.Fatal(err)
	}
	track := "/track?number=" + url.QueryEscape(number) + "&phone4=" + demo.CitizenPhone[len(demo.CitizenPhone)-4:]

	for _, large := range []string{"0", "1"} {
		mode := map[string]string{"0": "", "1": "large-"}[large]
		if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/large-text?on="+large), chromedp.EmulateViewport(390, 844),
			chromedp.Navigate(h.ts.URL+"/items/"+url.PathEscape(item)), chromedp.WaitVisible(chromedp.CSS(`#item-name`))); err != nil {
			t.Fatal(err)
		}
		first, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`(() => {
			const top = sel => document.querySelector(sel).getBoundingClientRect().top;
			const seen = s => { const e = Array.from(document.querySelectorAll('main dt, main dd, main th, main td, main h2')).find(e => e.textContent.trim() === s);
				return !!e && e.checkVisibility() && e.getBoundingClientRect().top < innerHeight; };
			return {materials: top('#materials-title'), firstMaterial: top('#materials tbody tr'), facts: document.querySelector('#key-facts').textContent,
				time: seen('办理时限'), visits: seen('到现场'), fee: seen('收费'), code: document.body.innerText.includes(`+"`"+it.Code+"`"+`),
				basisShown: Array.from(document.querySelectorAll('dt')).some(d => d.textContent === '设定依据' && d.checkVisibility()), height: innerHeight};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if first["time"] != true || first["visits"] != true || first["fee"] != true {
			t.Errorf("guide (%s390 px): the first screen lacks the time, visits or fee: %v", mode, first)
		}
		if first["materials"].(float64) > first["height"].(float64) {
			t.Errorf("guide (%s390 px): the materials start at %.0f px, below the first screen (%v px)", mode, first["materials"], first["height"])
		}
		if first["code"] == true || first["basisShown"] == true {
			t.Errorf("guide (%s390 px): the code or the legal basis shows before it is unfolded: %v", mode, first)
		}
		screenshotAt(t, ctx, 390, 844, mode+"guide")
		// Unfolded, the code and the legal basis are there.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#item-details summary`))); err != nil {
			t.Fatal(err)
		}
		if text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#item-details`))); !strings.Contains(text, it.Code) || !strings.Contains(text, it.LegalBasis) {
			t.Errorf("the unfolded details lack the code or the legal basis: %q", text)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/items/"+url.PathEscape(item)), chromedp.WaitVisible(chromedp.CSS(`#item-name`))); err != nil {
			t.Fatal(err)
		}
		screenshotAt(t, ctx, 1920, 1080, mode+"guide")

		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(h.ts.URL+track), chromedp.WaitVisible(chromedp.CSS(`#progress`))); err != nil {
			t.Fatal(err)
		}
		checkProgress(t, ctx, "/track "+mode, tracked.Where, tracked.Hours)
		screenshotAt(t, ctx, 390, 844, mode+"track")
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('#progress').scrollIntoView()`)); err != nil {
			t.Fatal(err)
		}
		screenshotAt(t, ctx, 390, 844, mode+"track-progress")
		screenshotAt(t, ctx, 1920, 1080, mode+"track")
	}

	if err := chromedp.Do(ctx, h.signInCitizen(t), chromedp.Navigate(h.ts.URL+"/large-text?on=0"), chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(h.ts.URL+"/my/cases/"+url.PathEscape(number)), chromedp.WaitVisible(chromedp.CSS(`#progress`))); err != nil {
		t.Fatal(err)
	}
	checkProgress(t, ctx, "/my/cases", tracked.Where, tracked.Hours)
	screenshotAt(t, ctx, 390, 844, "my-case")
}

// checkProgress reads the road of a decided, approved case and where to collect its result.
func checkProgress(t *testing.T, ctx context.Context, page, where, hours string) {
	t.Helper()
	steps, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#progress li.step')).map(li => li.className + '|' + li.querySelector('.step-body').innerText.replace(/\s+/g, ' ').trim())`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"step done|收到申请 已完成", "step done|受理 已完成", "step done|审查 已完成", "step done|办理决定 已完成", "step current|领取结果 进行中"}
	if len(steps) != len(want) {
		t.Fatalf("%s: steps %q", page, steps)
	}
	for i, s := range steps {
		if !strings.HasPrefix(s, want[i]) || len(strings.TrimPrefix(s, want[i])) < 4 {
			t.Errorf("%s: step %d is %q, want %q with its day and what it means", page, i+1, s, want[i])
		}
	}
	if !strings.Contains(steps[3], "准予办理") {
		t.Errorf("%s: the decision step %q does not say the application was approved", page, steps[3])
	}
	body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	for _, internal := range []string{"认领", "释放", "预警", "approver"} {
		if strings.Contains(body, internal) {
			t.Errorf("%s shows the internal %q", page, internal)
		}
	}
	result, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#result`)))
	for _, want := range []string{"准予办理", "营业执照", where, hours} {
		if !strings.Contains(strings.Join(strings.Fields(result), ""), strings.Join(strings.Fields(want), "")) {
			t.Errorf("%s: the result box %q lacks %q", page, result, want)
		}
	}
}

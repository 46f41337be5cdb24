package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"banhao/audit"
	"banhao/identity"
	"banhao/queue"
)

// screenCheckJS measures a hall screen as a person in front of it would see it: everything
// inside the screen and nothing cut off (no element wider or taller than its box), every row of
// the lines and the calls on one line, and nothing of the website (navigation, links, forms,
// sign-in). It answers a list of faults, empty when none.
const screenCheckJS = `(() => {
  const out = [], W = innerWidth, H = innerHeight;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('[hidden]') || !el.getClientRects().length) continue;
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    if (r.right > W + 1 || r.bottom > H + 1 || r.left < -1 || r.top < -1) out.push(name(el) + ' is outside the screen');
    if (cs.display !== 'inline' && el.tagName !== 'TEXTAREA' && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1))
      out.push(name(el) + ' cuts off its content (' + el.scrollWidth + '×' + el.scrollHeight + ' in ' + el.clientWidth + '×' + el.clientHeight + ')');
  }
  for (const el of document.querySelectorAll('#lines th, #lines td, #calls li')) {
    const cs = getComputedStyle(el), inner = el.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    if (inner > 1.8 * parseFloat(cs.fontSize)) out.push(name(el) + ' wraps: "' + el.textContent + '"');
  }
  if (document.querySelector('nav, a, form')) out.push('the website\'s navigation, links or forms are on the screen');
  if (/退出|工作台|登录/.test(document.body.innerText)) out.push('the screen shows sign-in state: ' + document.body.innerText.match(/.{0,10}(退出|工作台|登录).{0,10}/)[0]);
  if (document.documentElement.scrollWidth > W || document.documentElement.scrollHeight > H) out.push('the page scrolls');
  return out;
})()`

// settled waits for the screen's layout after a change of size (display.js fits text on resize).
var settled = chromedp.Evaluate[chromedp.Void](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))`, chromedp.EvalAwaitPromise)

// checkScreen sets the viewport to w × h, checks the screen with screenCheckJS and keeps a
// screenshot named name (under $BANHAO_SCREENSHOTS when set).
func checkScreen(t *testing.T, ctx context.Context, name string, w, h int64) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h), settled); err != nil {
		t.Fatal(err)
	}
	faults, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](screenCheckJS))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faults {
		t.Errorf("%s at %d×%d: %s", name, w, h, f)
	}
	screenshotAt(t, ctx, w, h, name)
}

// poll waits until js is true on the page.
func poll(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("%s: %v\npage: %s", what, err, text)
	}
}

// dropEvents cuts the browser off the hall's event stream (the server closes every connection
// and the browser may not open the stream again) until the returned function is called.
func dropEvents(t *testing.T, h *harness, tab context.Context) (restore func()) {
	t.Helper()
	block := func(patterns ...string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
				return chromedp.Void{}, err
			}
			ps := []*network.BlockPattern{}
			for _, p := range patterns {
				ps = append(ps, &network.BlockPattern{URLPattern: p, Block: true})
			}
			_, err := cdp.Call(ctx, tg, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: ps})
			return chromedp.Void{}, err
		}
	}
	if err := chromedp.Do(tab, block(h.ts.URL+"/api/v1/halls/main/events")); err != nil {
		t.Fatal(err)
	}
	h.ts.CloseClientConnections()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	poll(t, tab, "the screen does not show that it lost its connection", `document.getElementById('conn').classList.contains('d-off')`)
	return func() {
		t.Helper()
		if err := chromedp.Do(tab, block()); err != nil {
			t.Fatal(err)
		}
	}
}

// restartServer stops the harness's server (every connection closed, nothing listening), runs
// meanwhile, and starts it again on the same address, as after a restart of the process.
func restartServer(t *testing.T, h *harness, tab context.Context, meanwhile func()) {
	t.Helper()
	addr := h.ts.Listener.Addr().String()
	h.ts.CloseClientConnections()
	h.ts.Close()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	poll(t, tab, "the screen does not show that it lost its connection", `document.getElementById('conn').classList.contains('d-off')`)
	meanwhile()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	h.ts = httptest.NewUnstartedServer(h.srv.Handler())
	h.ts.Listener.Close()
	h.ts.Listener = ln
	h.ts.Start()
}

// counterAPI does a counter action as the clerk and returns the ticket's number.
func counterAPI(t *testing.T, h *harness, counter, action string) string {
	t.Helper()
	st, b, _ := call(t, nil, "POST", h.ts.URL+"/api/v1/counters/"+counter+"/"+action, "", bearer(h.sessions[identity.Clerk].Token))
	if st != 200 {
		t.Fatalf("counter %s %s: %d %s", counter, action, st, b)
	}
	var tk struct{ Number string }
	_ = json.Unmarshal([]byte(b), &tk)
	return tk.Number
}

// takeTicket takes a ticket for a line at the guide desk.
func takeTicket(t *testing.T, h *harness, service string) {
	t.Helper()
	if st, b, _ := call(t, nil, "POST", h.ts.URL+"/api/v1/tickets", `{"service":"`+service+`"}`, bearer(h.sessions[identity.Clerk].Token)); st != 201 {
		t.Fatalf("ticket %s: %d %s", service, st, b)
	}
}

// TestBrowserHallDisplay: the hall's display on a TV, lying (1920 × 1080) and upright
// (1080 × 1920), idle and with calls: nothing of the website even with staff signed in on the
// device, the call now in type of at least 96 px, the five calls before it, every line's count
// and estimate on one row, nothing cut off; it follows the calls without reloading, goes idle
// when the call's visit ends, and after its stream drops it reads the hall's state again.
func TestBrowserHallDisplay(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	if err := chromedp.Do(ctx, signIn(h, "admin")); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(h.ts.URL+"/hall/main/display"),
		chromedp.WaitVisible(chromedp.CSS(`#idle`)))
	if err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, "the display never connected", `document.getElementById('conn').textContent === '实时更新中'`)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.notReloaded = 1`)); err != nil {
		t.Fatal(err)
	}
	idle, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#idle`)))
	if !strings.Contains(idle, "暂无叫号") {
		t.Errorf("idle display says %q", idle)
	}
	checkScreen(t, ctx, "display-idle", 1920, 1080)
	checkScreen(t, ctx, "display-idle", 1080, 1920)
	axeCheck(t, ctx, "display (idle)")

	// A morning's calls: seven calls at five counters, people still waiting in four lines.
	for _, svc := range []string{"Q-S01", "Q-S01", "Q-S01", "Q-S01", "Q-S03", "Q-S03", "Q-S05", "Q-S05", "Q-S05", "Q-S06", "Q-S06", "Q-S10"} {
		takeTicket(t, h, svc)
	}
	var last string
	for _, c := range []string{"1", "2", "5", "9", "11", "1", "16"} {
		last = counterAPI(t, h, c, "call")
	}
	poll(t, ctx, "the display does not show the last call", `document.getElementById('now-number').textContent === '`+last+`' && !document.getElementById('now').hidden`)
	// Every line's count and estimate as the hall's state has them.
	_, b, _ := call(t, nil, "GET", h.ts.URL+"/api/v1/halls/main/board", "", nil)
	var board struct {
		Services []struct {
			Code    string
			Waiting int
			Text    string `json:"estimated_wait_text"`
		}
	}
	if err := json.Unmarshal([]byte(b), &board); err != nil || len(board.Services) != 10 {
		t.Fatalf("board: %v %s", err, b)
	}
	var want []string
	for _, s := range board.Services {
		want = append(want, fmt.Sprintf(`document.getElementById('waiting-%s').textContent === '%d 人' && document.getElementById('eta-%s').textContent === '%s'`, s.Code, s.Waiting, s.Code, s.Text))
	}
	poll(t, ctx, "the lines' counts and estimates did not follow", strings.Join(want, " && "))
	now, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#now`)))
	if !strings.Contains(now, "16号综合窗口") {
		t.Errorf("the call now reads %q", now)
	}
	recent, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#calls li')].map(li => li.textContent)`))
	if len(recent) != 5 || !strings.Contains(recent[0], "1号窗口") {
		t.Errorf("the calls before: %q", recent)
	}
	for _, size := range [][2]int64{{1920, 1080}, {1080, 1920}} {
		checkScreen(t, ctx, "display-calls", size[0], size[1])
		px, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`['now-number', 'now-counter'].map(id => parseFloat(getComputedStyle(document.getElementById(id)).fontSize))`))
		if err != nil || px[0] < 96 || px[1] < 96 {
			t.Errorf("at %d×%d the call now is in %v px type, want at least 96 (%v)", size[0], size[1], px, err)
		}
	}
	axeCheck(t, ctx, "display (calls)")

	// The counter finishes that visit: nobody is called now, the call moves to the list.
	counterAPI(t, h, "16", "finish")
	poll(t, ctx, "the display did not go idle after the visit ended", `!document.getElementById('idle').hidden && document.getElementById('now').hidden &&
		document.querySelector('#calls li').dataset.number === '`+last+`'`)

	// The server restarts; a call made while it is down reaches the display when it reconnects
	// and reads the hall's state again (the event itself went to nobody).
	var missed string
	restartServer(t, h, ctx, func() {
		tk, ok, err := h.queue.Act(context.Background(), audit.Actor{Username: "clerk", Role: "clerk"}, "9", queue.Call, queue.ActInput{})
		if err != nil || !ok {
			t.Fatalf("call at counter 9: %v %v", ok, err)
		}
		missed = tk.Number
	})
	poll(t, ctx, "the display did not read the call it missed after reconnecting", `document.getElementById('now-number').textContent === '`+missed+`' &&
		document.getElementById('conn').textContent === '实时更新中'`)

	// Its stream alone drops (a proxy, the network): a call made meanwhile reaches it the same way.
	restore := dropEvents(t, h, ctx)
	missed = counterAPI(t, h, "10", "call")
	if shown, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#now-number`))); shown == missed {
		t.Fatalf("the display got %s while cut off from its stream", missed)
	}
	restore()
	poll(t, ctx, "the display did not read the call it missed after its stream came back", `document.getElementById('now-number').textContent === '`+missed+`' &&
		document.getElementById('conn').textContent === '实时更新中'`)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.notReloaded || 0`)); err != nil || n != 1 {
		t.Errorf("the display reloaded the page (%v)", err)
	}

	// The voice button answers; the board's first address shows the same display.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#voice`))); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, "the voice button did not answer", `document.getElementById('voice').getAttribute('aria-pressed') === 'true'`)
	if st, page, _ := call(t, nil, "GET", h.ts.URL+"/hall/main/board", "", nil); st != 200 || !strings.Contains(page, `id="display"`) {
		t.Errorf("/hall/main/board: %d", st)
	}
}

// TestBrowserRatingPad: the counter's rating pad, opened after the visit ended, asks for the
// rating; its five levels look alike; nothing but the pad is on it; a visit that ends while
// its stream is down is asked for once it reconnects; a browser that is not the pad gets no
// grant. The screen above the counter follows the counter.
func TestBrowserRatingPad(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	padKey := h.enrollDevice(t, `{"kind":"pad","counter":"9","name":"9号窗口评价器"}`)
	takeTicket(t, h, "Q-S05")
	takeTicket(t, h, "Q-S05")
	first := counterAPI(t, h, "9", "call")
	counterAPI(t, h, "9", "finish")

	// Opened only now, after the visit ended.
	setPad := func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(c, tg, network.SetCookie, network.SetCookieParams{Name: "banhao_device", Value: padKey, URL: h.ts.URL + "/"})
		return chromedp.Void{}, err
	}
	err := chromedp.Do(ctx, signIn(h, "clerk"), chromedp.Action[chromedp.Void](setPad), chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(h.ts.URL+"/counter/9/rate"), chromedp.WaitVisible(chromedp.CSS(`#ask`)))
	if err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, "the pad never connected", `document.getElementById('conn').textContent === '实时更新中'`)
	if n, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#rate-number`))); n != first {
		t.Errorf("the pad asks about %q, want %s", n, first)
	}
	// The five levels weigh the same: one look for all.
	looks, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-level]')].map(b => {
		const s = getComputedStyle(b), r = b.getBoundingClientRect();
		return [s.backgroundColor, s.color, s.borderTopColor, s.borderTopWidth, s.borderTopStyle, s.fontSize, s.fontWeight, Math.round(r.width), Math.round(r.height)].join(' ');
	})`))
	if err != nil || len(looks) != 5 {
		t.Fatalf("levels: %v %v", looks, err)
	}
	for i, l := range looks {
		if l != looks[0] {
			t.Errorf("level %d looks like %q, level 5 like %q", 5-i, l, looks[0])
		}
	}
	checkScreen(t, ctx, "rating-pad", 1280, 800)
	checkScreen(t, ctx, "rating-pad", 800, 1280)
	axeCheck(t, ctx, "rating pad")

	// Rated; then a visit ends while the pad is cut off from its stream.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-level="2"]`)), chromedp.WaitVisible(chromedp.CSS(`#thanks`))); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, "the pad did not return to its welcome", `!document.getElementById('idle').hidden && document.getElementById('ask').hidden`)
	checkScreen(t, ctx, "rating-pad-idle", 1280, 800)
	restore := dropEvents(t, h, ctx)
	second := counterAPI(t, h, "9", "call")
	counterAPI(t, h, "9", "finish")
	restore()
	poll(t, ctx, "the pad did not ask for the visit that ended while it was cut off", `!document.getElementById('ask').hidden &&
		document.getElementById('rate-number').textContent === '`+second+`'`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-level="5"]`)), chromedp.WaitVisible(chromedp.CSS(`#thanks`))); err != nil {
		t.Fatal(err)
	}
	var levels string
	if err := h.db.QueryRowContext(context.Background(), `SELECT GROUP_CONCAT(level) FROM (SELECT level FROM ratings WHERE channel = 'counter' ORDER BY id)`).Scan(&levels); err != nil || levels != "2,5" {
		t.Errorf("stored ratings: %q %v", levels, err)
	}

	// A browser that is not the pad: told so, and no grant.
	other, cancel := chromedp.NewContext(ctx)
	defer cancel()
	takeTicket(t, h, "Q-S05")
	counterAPI(t, h, "9", "call")
	counterAPI(t, h, "9", "finish")
	if err := chromedp.Do(other, chromedp.Navigate(h.ts.URL+"/counter/10/rate"), chromedp.WaitVisible(chromedp.CSS(`#unregistered`))); err != nil {
		t.Fatal(err)
	}
	if hidden, _ := chromedp.Run(other, chromedp.Evaluate[bool](`document.getElementById('ask').hidden && !document.querySelector('[data-grant-token]')`)); !hidden {
		t.Error("a browser that is not the counter's pad is asked to rate")
	}
	cancel()

	// The screen above counter 9: welcome, the number called, 暂停服务 when closed.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/counter/9/screen"), chromedp.WaitVisible(chromedp.CSS(`#screen-idle`))); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, "the counter screen never connected", `document.getElementById('conn').textContent === '实时更新中'`)
	checkScreen(t, ctx, "counter-screen-idle", 1920, 1080)
	takeTicket(t, h, "Q-S05")
	called := counterAPI(t, h, "9", "call")
	poll(t, ctx, "the counter screen does not show the call", `document.getElementById('current').textContent === '`+called+`' && !document.getElementById('serving').hidden`)
	checkScreen(t, ctx, "counter-screen", 1920, 1080)
	checkScreen(t, ctx, "counter-screen", 1920, 540)
	if px, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`parseFloat(getComputedStyle(document.getElementById('current')).fontSize)`)); err != nil || px < 96 {
		t.Errorf("the counter screen's number is %v px (%v)", px, err)
	}
	counterAPI(t, h, "9", "finish")
	if st, b, _ := call(t, nil, "POST", h.ts.URL+"/api/v1/counters/9/close", "", bearer(h.sessions[identity.Clerk].Token)); st >= 300 {
		t.Fatalf("close counter 9: %d %s", st, b)
	}
	poll(t, ctx, "the counter screen does not say the counter is closed", `!document.getElementById('screen-closed').hidden && document.getElementById('serving').hidden`)
}

package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCallReachesHallBoard: the hall board, a citizen's phone ticket page and a counter
// desk are open at once; the clerk calls, and the board shows the call within a second, the
// phone says where to go, and neither page reloads.
func TestBrowserCallReachesHallBoard(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	board, cancelBoard := chromedp.NewContext(ctx)
	defer cancelBoard()
	phone, cancelPhone := chromedp.NewContext(ctx)
	defer cancelPhone()
	pad, cancelPad := chromedp.NewContext(ctx)
	defer cancelPad()
	mark := func(tab context.Context) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Evaluate[int](`window.notReloaded = 1`)); err != nil {
			t.Fatal(err)
		}
	}
	reloaded := func(tab context.Context) bool {
		n, err := chromedp.Run(tab, chromedp.Evaluate[int](`window.notReloaded || 0`))
		return err != nil || n != 1
	}

	// The citizen takes a ticket on the phone page (scanned from the hall's QR code).
	err := chromedp.Do(phone,
		chromedp.Navigate(h.ts.URL+"/hall/main/take?via=phone"),
		chromedp.WaitVisible(chromedp.CSS(`#svc-Q-S05`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), "13700002222"),
		chromedp.Click(chromedp.CSS(`#svc-Q-S05`)),
		chromedp.WaitVisible(chromedp.CSS(`#number`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if number, _ := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`#number`))); number != "E001" {
		t.Fatalf("the phone shows ticket %q", number)
	}
	mark(phone)
	err = chromedp.Do(board,
		chromedp.Navigate(h.ts.URL+"/hall/main/display"),
		chromedp.WaitVisible(chromedp.CSS(`#idle`)),
	)
	if err == nil {
		_, err = chromedp.Run(board, chromedp.Poll[bool](`document.getElementById('conn').textContent === '实时更新中'`, chromedp.WithPollingTimeout(10*time.Second)))
	}
	if err != nil {
		t.Fatal(err)
	}
	mark(board)
	err = chromedp.Do(ctx,
		signIn(h, "clerk"),
		chromedp.Navigate(h.ts.URL+"/counter/9"),
		chromedp.WaitVisible(chromedp.CSS(`#btn-call`)),
		chromedp.Click(chromedp.CSS(`#btn-call`)),
		chromedp.WaitVisible(chromedp.CSS(`#msg`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The call must be on the board within a second of the desk's answer.
	within, cancel := context.WithTimeout(board, time.Second)
	defer cancel()
	if _, err := chromedp.Run(within, chromedp.Poll[bool](`document.getElementById('now-number').textContent === 'E001'`)); err != nil {
		t.Fatalf("the board did not show E001 within a second: %v", err)
	}
	text, _ := chromedp.Run(board, chromedp.Text(chromedp.CSS(`#now`)))
	if !strings.Contains(text, "9号窗口") || reloaded(board) {
		t.Errorf("board shows %q (reloaded: %v)", text, reloaded(board))
	}
	if _, err := chromedp.Run(phone, chromedp.Poll[bool](`document.getElementById('status').textContent.indexOf('9号窗口') >= 0`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("the phone never said where to go: %v", err)
	}
	status, _ := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`#status`)))
	if !strings.Contains(status, "已叫号") || reloaded(phone) {
		t.Errorf("phone shows %q (reloaded: %v)", status, reloaded(phone))
	}

	// The counter's rating pad asks for a rating once the clerk finishes, and stores it. (One
	// browser allows six HTTP/1.1 connections per host and every screen holds one open: close
	// the board and the phone first. Devices in a hall are separate browsers.)
	cancelBoard()
	cancelPhone()
	// The pad is registered for counter 9 (as the hall manager does on the device itself).
	padKey := h.enrollDevice(t, `{"kind":"pad","counter":"9","name":"9号窗口评价器"}`)
	err = chromedp.Do(pad,
		chromedp.Navigate(h.ts.URL+"/hall"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "banhao_device=`+padKey+`; path=/"; undefined`),
		chromedp.Navigate(h.ts.URL+"/counter/9/rate"),
		chromedp.WaitVisible(chromedp.CSS(`#idle`)),
	)
	if err == nil {
		poll(t, pad, "the pad's event stream never connected", `document.getElementById('conn').textContent === '实时更新中'`)
		err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#btn-finish`)), chromedp.WaitVisible(chromedp.CSS(`#msg`)))
	}
	if err == nil {
		err = chromedp.Do(pad,
			chromedp.WaitVisible(chromedp.CSS(`#ask`)),
			chromedp.SendKeys(chromedp.CSS(`#rate-comment`), "窗口服务很耐心"),
			chromedp.Click(chromedp.CSS(`button[data-level="5"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#thanks`)),
		)
	}
	if err != nil {
		t.Fatalf("rating pad: %v", err)
	}
	var level int
	var comment string
	if err := h.db.QueryRowContext(context.Background(), `SELECT level, comment FROM ratings WHERE channel = 'counter'`).Scan(&level, &comment); err != nil || level != 5 || comment != "窗口服务很耐心" {
		t.Errorf("stored rating: %d %q %v", level, comment, err)
	}
}

package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserKioskCodeSteps: at a registered kiosk, a number without an account reaches the code
// step, which says what to do without an account and offers another number, a ticket and the
// guides; 重新输入 goes back to the ID step. A code request refused by a limit (the same number
// again within the minute) stays on the ID step with the number kept, the reason and a ticket
// without signing in — never the code step. Both orientations, axe-core on both steps.
func TestBrowserKioskCodeSteps(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	key := h.enrollDevice(t, `{"kind":"kiosk","name":"24小时自助终端"}`)
	if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/kiosk"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "banhao_device=`+key+`; path=/"; undefined`)); err != nil {
		t.Fatal(err)
	}
	for i, size := range kioskSizes {
		t.Run(size.name, func(t *testing.T) {
			shot := func(name string) { screenshotAt(t, ctx, size.w, size.h, "kiosk-code-"+name) }
			unknown := kioskTestID(200 + i)
			err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(h.ts.URL+"/kiosk"),
				chromedp.WaitVisible(chromedp.CSS(`#id_number`)),
				chromedp.SendKeys(chromedp.CSS(`#id_number`), unknown),
				chromedp.Click(chromedp.CSS(`#kiosk-next`)),
				chromedp.WaitVisible(chromedp.CSS(`#code`)))
			if err != nil {
				t.Fatal(err)
			}
			shot("no-account")
			if fits, sw, sh, vw, vh := pageFits(t, ctx); !fits {
				t.Errorf("the code step scrolls: content %d×%d in %d×%d", sw, sh, vw, vh)
			}
			checkKioskLayout(t, ctx, "code step")
			axeCheck(t, ctx, "kiosk code step "+size.name)
			sent, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-sent`)))
			if !strings.Contains(sent, "未开户的，请到综合窗口开户") {
				t.Errorf("the code step says %q", sent)
			}
			for _, b := range []string{`#kiosk-reenter`, `#kiosk-code-take`, `#kiosk-code-guide`} {
				if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(b))); err != nil {
					t.Errorf("the code step lacks %s: %v", b, err)
				}
			}

			// 重新输入, then one number twice within the minute: the second is refused on the ID step.
			again := kioskTestID(300 + i)
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-reenter`)), chromedp.WaitVisible(chromedp.CSS(`#id_number`)),
				chromedp.SendKeys(chromedp.CSS(`#id_number`), again), chromedp.Click(chromedp.CSS(`#kiosk-next`)),
				chromedp.WaitVisible(chromedp.CSS(`#code`)),
				chromedp.Click(chromedp.CSS(`#kiosk-reenter`)), chromedp.WaitVisible(chromedp.CSS(`#id_number`)),
				chromedp.SendKeys(chromedp.CSS(`#id_number`), again), chromedp.Click(chromedp.CSS(`#kiosk-next`)),
				chromedp.WaitVisible(chromedp.CSS(`#kiosk-error-take`)))
			if err != nil {
				t.Fatal(err)
			}
			shot("refused")
			if fits, sw, sh, vw, vh := pageFits(t, ctx); !fits {
				t.Errorf("the ID step with a refusal scrolls: content %d×%d in %d×%d", sw, sh, vw, vh)
			}
			checkKioskLayout(t, ctx, "refused code request")
			axeCheck(t, ctx, "kiosk refused code request "+size.name)
			kept, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('id_number').value`))
			onCode, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.getElementById('code')`))
			if kept != again || onCode {
				t.Errorf("after a refused request: the number field holds %q, the code step shows %v", kept, onCode)
			}
			if msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-error`))); !strings.Contains(msg, "秒后再试") {
				t.Errorf("the refusal says %q", msg)
			}
			// The offered ticket is the kiosk's own ticket screen.
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-error-take`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-take-form`))); err != nil {
				t.Errorf("不登录，直接取号 from the refusal: %v", err)
			}
		})
	}
}

package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBrowserKioskApplySubtitleFollowsTheRegion: at the kiosk, applying for 失业保险金申领 (the
// city's 社保中心, 5 working days; 沾化区 published its own: its 社保中心, 3 working days), the
// subtitle names the 审批地, its deciding department and limit, and follows the applicant's choice
// as it changes — 沾化区's department and 3 working days, then 惠民县's (the city's 社保中心, 5) —
// with no reload.
func TestBrowserKioskApplySubtitleFollowsTheRegion(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	benefit := h.itemNamed(t, "失业保险金申领")
	h.zhanhuaOwn(t, benefit) // the demo's
	sess := h.kioskSession(t)
	signIn := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "banhao_citizen", Value: sess.Token, URL: h.ts.URL + "/"})
		return chromedp.Void{}, err
	}
	size := kioskSizes[0]
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h), signIn, chromedp.Navigate(h.ts.URL+"/kiosk/apply/"+url.PathEscape(benefit)),
		chromedp.WaitVisible(chromedp.CSS(`#deciding_region`))); err != nil {
		t.Fatal(err)
	}
	subtitle := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#apply-subtitle').textContent`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	choose := func(code string) { // as a person does: the select changes, its events fire
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#deciding_region'); s.value = '`+code+`';
			s.dispatchEvent(new Event('input', {bubbles: true})); s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)); err != nil {
			t.Fatal(err)
		}
	}
	if s := subtitle(); !strings.Contains(s, "滨州市社会保险事业中心") || !strings.Contains(s, "5个工作日") {
		t.Fatalf("the subtitle before a choice (the applicant's 滨城区: the city's 社保中心): %q", s)
	}
	choose("371603000000")
	if s := subtitle(); !strings.Contains(s, "审批地：沾化区") || !strings.Contains(s, "沾化区社会保险事业中心") || !strings.Contains(s, "3个工作日") {
		t.Errorf("after choosing 沾化区: %q", s)
	}
	screenshotAt(t, ctx, size.w, size.h, "kiosk-apply-zhanhua")
	choose("371621000000")
	if s := subtitle(); !strings.Contains(s, "审批地：惠民县") || !strings.Contains(s, "滨州市社会保险事业中心") || !strings.Contains(s, "5个工作日") {
		t.Errorf("after choosing 惠民县: %q", s)
	}
}

// TestBrowserWindowIntakeHeadingFollowsTheRegion: at 彭李街道's window, the intake form of
// 失业保险金申领 heads with what the case will follow — the city's 社保中心 and its 5 working days
// until a region is chosen, then, as the clerk chooses 沾化区, 沾化区's 社保中心, its 3 working days
// and the day they end — with no reload.
func TestBrowserWindowIntakeHeadingFollowsTheRegion(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	benefit := h.itemNamed(t, "失业保险金申领")
	h.zhanhuaOwn(t, benefit) // the demo's
	if err := chromedp.Do(ctx, signIn(h, "clerk_pengli"), chromedp.EmulateViewport(390, 1600), chromedp.Navigate(h.ts.URL+"/window/new?item="+url.QueryEscape(benefit)),
		chromedp.WaitVisible(chromedp.CSS(`#deciding_region`))); err != nil {
		t.Fatal(err)
	}
	heading := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#applies`)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := heading(); !strings.Contains(s, "滨州市社会保险事业中心 · 承诺时限 5个工作日") {
		t.Fatalf("the heading before a choice: %q", s)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#deciding_region'); s.value = '371603000000';
		s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	if s := heading(); !strings.Contains(s, "审批地：沾化区 · 沾化区社会保险事业中心 · 承诺时限 3个工作日 · 今日受理则承诺办结日为 2026-12-01") {
		t.Errorf("after choosing 沾化区: %q", s)
	}
	screenshotAt(t, ctx, 390, 1600, "window-intake-zhanhua")
}

package web_test

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"banhao/demo"
)

// framePDF fetches the document of the frame sel as the page itself would (the person's cookie)
// and saves it in dir; the kiosk must send it inline and uncached.
func framePDF(t *testing.T, ctx context.Context, dir, sel string) string {
	t.Helper()
	type fetched struct {
		Status      int    `json:"status"`
		Type        string `json:"type"`
		Disposition string `json:"disposition"`
		Cache       string `json:"cache"`
		PDF         string `json:"pdf"`
	}
	js := `(async () => {
  const r = await fetch(document.querySelector(` + strconv.Quote(sel) + `).src);
  const b = new Uint8Array(await r.arrayBuffer());
  let s = ''; for (const x of b) s += String.fromCharCode(x);
  return {status: r.status, type: r.headers.get('Content-Type') || '', disposition: r.headers.get('Content-Disposition') || '',
    cache: r.headers.get('Cache-Control') || '', pdf: btoa(s)};
})()`
	f, err := chromedp.Run(ctx, chromedp.Evaluate[fetched](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("the frame %s: %v", sel, err)
	}
	if f.Status != 200 || f.Type != "application/pdf" || !strings.HasPrefix(f.Disposition, "inline") || f.Cache != "no-store" {
		t.Errorf("the frame's document: %d %s, %q, Cache-Control %q; want an inline PDF, not stored", f.Status, f.Type, f.Disposition, f.Cache)
	}
	b, err := base64.StdEncoding.DecodeString(f.PDF)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, strings.Trim(sel, "#")+".pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBrowserKioskFinish: signed in at the kiosk, the home offers 办完了，退出登录; a case's
// notice prints from the kiosk's frame; a ticket is taken and 完成 on the ticket screen signs
// out: the start screen follows, Back shows nothing of the person (the pages were not kept),
// and their pages send the next person to the start screen. At both kiosk sizes.
func TestBrowserKioskFinish(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	h.srv.KioskIdle = 60 * time.Second
	number := h.decidedCase(t)
	dir := t.TempDir()
	for i, size := range kioskSizes {
		line := demo.ServiceCode([]string{"A", "E"}[i]) // one waiting ticket per phone and line
		t.Run(size.name, func(t *testing.T) {
			shot := func(name string) { screenshotAt(t, ctx, size.w, size.h, "kiosk-finish-"+name) }
			sess := h.kioskSession(t)
			signIn := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
				_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "banhao_citizen", Value: sess.Token, URL: h.ts.URL + "/"})
				return chromedp.Void{}, err
			}
			err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h), signIn, chromedp.Navigate(h.ts.URL+"/kiosk/home"),
				chromedp.WaitVisible(chromedp.CSS(`#kiosk-done`)))
			if err != nil {
				t.Fatal(err)
			}
			shot("home")
			checkKioskLayout(t, ctx, "signed-in home")
			axeCheck(t, ctx, "kiosk signed-in home "+size.name)
			if done, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-done`))); !strings.Contains(done, "退出登录") {
				t.Errorf("the home's finish button says %q", done)
			}

			// The case's notice, printed at the kiosk.
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-cases a[href="/kiosk/cases/`+number+`"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#my-notices a[href="/kiosk/cases/`+number+`/notices/decision"]`)),
				chromedp.Click(chromedp.CSS(`#my-notices a[href="/kiosk/cases/`+number+`/notices/decision"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#kiosk-print-frame`)))
			if err != nil {
				t.Fatal(err)
			}
			shot("notice")
			checkKioskLayout(t, ctx, "case notice")
			if text := pdfToText(t, framePDF(t, ctx, dir, "#kiosk-print-frame")); !strings.Contains(text, number) {
				t.Errorf("the printed notice lacks the case number %s: %.300q", number, text)
			}

			// A ticket with the account, then 完成.
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-home-link`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-done`)),
				chromedp.Click(chromedp.CSS(`a[href="/kiosk/ticket"]`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-lines`)),
				chromedp.Click(chromedp.CSS(`#kiosk-line-`+line)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-ticket-number`)))
			if err != nil {
				t.Fatal(err)
			}
			shot("ticket")
			checkKioskLayout(t, ctx, "signed-in ticket")
			if fits, sw, sh, vw, vh := pageFits(t, ctx); !fits {
				t.Errorf("the ticket scrolls: content %d×%d in %d×%d", sw, sh, vw, vh)
			}
			if done, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#kiosk-ticket-done`))); done != "完成，退出登录" {
				t.Errorf("the ticket's finish button says %q", done)
			}
			err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#kiosk-ticket-done`)), chromedp.WaitVisible(chromedp.CSS(`#kiosk-welcome`)))
			if err != nil {
				t.Fatalf("完成 did not return to the start screen: %v", err)
			}
			if _, err := h.people.Authenticate(context.Background(), sess.Token); err == nil {
				t.Fatal("完成 left the session alive")
			}
			// Back, twice: the ticket (no name on it now), then the account's page, which sends
			// the next person to the start screen.
			for i := range 2 {
				err := chromedp.Do(ctx, chromedp.NavigateBack(), chromedp.WaitReady(chromedp.CSS(`main`)))
				if err != nil {
					t.Fatal(err)
				}
				if page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`))); strings.Contains(page, demo.CitizenName) {
					t.Errorf("Back %d after 完成 shows %s", i+1, demo.CitizenName)
				}
			}
			err = chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/kiosk/home"), chromedp.WaitVisible(chromedp.CSS(`#kiosk-next`)))
			if err != nil {
				t.Fatalf("/kiosk/home after 完成: %v", err)
			}
		})
	}
}

package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao/payments/banktest"
)

// TestBrowserPaymentCorrectedAtTheCounter (秒到账): the bank refuses the account (ending in 4);
// the counter's case page says 支付被拒 and offers 更正收款账户并重新发送; a bad account is
// refused next to its field, as typed; the corrected one goes out as a new instruction, the
// refused one listed below; the bank confirms it and the page says 已到账. The payment card is
// photographed at 390 and 1920 px at each step ($BANHAO_SCREENSHOTS keeps them).
func TestBrowserPaymentCorrectedAtTheCounter(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	bank := banktest.New([]byte("browser-repay-secret"))
	defer bank.Close()
	bank.RefuseAccountsEndingIn("4")
	number := h.refusedGJJ(t, bank, "browser-repay-1")
	shoot := func(name string) {
		t.Helper()
		for _, w := range []int64{390, 1920} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 900), chromedp.ScrollIntoView(chromedp.CSS(`#payment`))); err != nil {
				t.Fatal(err)
			}
			png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			dir := os.Getenv("BANHAO_SCREENSHOTS")
			if dir == "" {
				dir = t.TempDir()
			}
			_ = os.WriteFile(filepath.Join(dir, name+"-"+map[int64]string{390: "390", 1920: "1920"}[w]+".png"), png, 0o644)
		}
	}
	if err := chromedp.Do(ctx, signIn(h, "clerk_gjj"), chromedp.Navigate(h.ts.URL+"/cases/"+number), chromedp.WaitVisible(chromedp.CSS(`#repay-form`))); err != nil {
		t.Fatal(err)
	}
	shoot("payment-refused")
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#repay_account`), "6222-99"), chromedp.Click(chromedp.CSS(`#do-repay`)),
		chromedp.WaitVisible(chromedp.CSS(`#repay_account-error`))); err != nil {
		t.Fatal(err)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#repay_account-error`)))
	typed, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#repay_account').value`))
	if !strings.Contains(msg, "收款银行账号须为 12–30 位数字") || typed != "6222-99" {
		t.Errorf("a bad account: %q, typed %q", msg, typed)
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#repay_account`), "6222 0215 0000 5555"), chromedp.Click(chromedp.CSS(`#do-repay`)),
		chromedp.WaitVisible(chromedp.CSS(`#payment-history`)), chromedp.WaitNotPresent(chromedp.CSS(`#repay-form`))); err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#payment-status`)))
	account, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#payment-account`)))
	history, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#payment-history`)))
	main, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if !strings.Contains(status, "待银行处理") || !strings.Contains(account, "5555") || !strings.Contains(history, "支付被拒") || !strings.Contains(main, "重新发送支付指令") {
		t.Errorf("after the correction: %q %q %q", status, account, history)
	}
	shoot("payment-corrected")
	p, err := h.cases.PaymentOf(context.Background(), number)
	if err != nil || p == nil || len(p.History) != 1 {
		t.Fatalf("payment: %+v %v", p, err)
	}
	if err := h.cases.SendPayment(context.Background(), bank.Client(), p.ID); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#payment-reference`))); err != nil {
		t.Fatal(err)
	}
	if status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#payment-status`))); status != "已到账" {
		t.Errorf("after the bank confirmed: %q", status)
	}
	shoot("payment-confirmed")
}

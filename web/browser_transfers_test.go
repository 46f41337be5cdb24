package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPaperHandOffs (材料流转, 收件核验): at 彭李街道 a clerk accepts a 全市通办 case for 沾化区
// with 原件已核验 left unticked, signs the originals off afterwards on the case page, sends the
// materials in a batch from the transfers page; 沾化区's clerk signs for them; 沾化区's approver
// reads who checked the originals.
func TestBrowserPaperHandOffs(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	scan := filepath.Join(t.TempDir(), "scan.pdf")
	if err := os.WriteFile(scan, []byte(onePDF), 0o600); err != nil {
		t.Fatal(err)
	}
	item := h.withOriginals(t, "社会保障卡申领")
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return v
	}
	err := chromedp.Do(ctx,
		signIn(h, "clerk_pengli"),
		chromedp.Navigate(h.ts.URL+"/window/new?item="+item),
		chromedp.WaitVisible(chromedp.CSS(`#applicant_name`)),
		chromedp.SendKeys(chromedp.CSS(`#applicant_name`), "孙丽"),
		chromedp.SendKeys(chromedp.CSS(`#applicant_id_number`), "11010519491231002X"),
		chromedp.SendKeys(chromedp.CSS(`#applicant_phone`), "13805437788"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="file_m1"]`), []string{scan}),
		chromedp.SetValue(chromedp.CSS(`#deciding_region`), "371603000000"),
		chromedp.Click(chromedp.CSS(`#orig_m1`)), // ticked by default: the guide asks for the original
		chromedp.Click(chromedp.CSS(`#do-accept`)),
		chromedp.WaitVisible(chromedp.CSS(`#case-status`)),
		chromedp.WaitVisible(chromedp.CSS(`#orig-m1`)),
		chromedp.Click(chromedp.CSS(`#do-originals`)),
		chromedp.WaitVisible(chromedp.CSS(`#original-m1`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	number := text(`#case-number`)
	if got := text(`#original-m1`); !strings.HasPrefix(got, "原件已由彭李街道便民服务中心 韩雪 于") {
		t.Fatalf("the sign-off: %q", got)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/office/transfers"),
		chromedp.WaitVisible(chromedp.CSS(`#to-send`)),
		chromedp.SendKeys(chromedp.CSS(`#batch`), "滨城—沾化交换 第 1 批"),
		chromedp.Click(chromedp.CSS(`#do-send`)),
		chromedp.WaitVisible(chromedp.CSS(`#transfer-flash`)),
		signIn(h, "clerk_zhanhua"),
		chromedp.Navigate(h.ts.URL+"/office/transfers"),
		chromedp.WaitVisible(chromedp.CSS(`#to-receive button`)),
		chromedp.Click(chromedp.CSS(`#to-receive button`)),
		chromedp.WaitVisible(chromedp.CSS(`#transfer-flash`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if f := text(`#transfer-flash`); !strings.Contains(f, "已签收：办件 "+number+" 的申请材料") {
		t.Fatalf("receipt: %q", f)
	}
	err = chromedp.Do(ctx,
		signIn(h, "approver_rsj_zhanhua"),
		chromedp.Navigate(h.ts.URL+"/cases/"+number),
		chromedp.WaitVisible(chromedp.CSS(`#original-m1`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(`#original-m1`); !strings.Contains(got, "原件已由彭李街道便民服务中心 韩雪 于") || !strings.Contains(got, "无需再向申请人索要原件") {
		t.Fatalf("the approver reads: %q", got)
	}
	if tl := text(`#timeline`); !strings.Contains(tl, "申请材料已由沾化区政务服务中心签收（寄自彭李街道便民服务中心）") {
		t.Fatalf("timeline: %s", tl)
	}
}

package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao/audit"
	"banhao/cases"
)

// TestBrowserAcceptAnywhere (收受分离): a clerk at the 彭李街道 center (滨城区) accepts the 全市通办
// 社会保障卡申领 for a resident of 沾化区; 沾化区's 人社局 approver finds it in the queue and
// decides; the 彭李街道 clerk hands the result out; the applicant's tracking page shows the
// three places.
func TestBrowserAcceptAnywhere(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	scan := filepath.Join(t.TempDir(), "scan.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	item := h.itemNamed(t, "社会保障卡申领")
	err := chromedp.Do(ctx,
		signIn(h, "clerk_pengli"),
		chromedp.Navigate(h.ts.URL+"/window/new?item="+item),
		chromedp.WaitVisible(chromedp.CSS(`#applicant_name`)),
		chromedp.SendKeys(chromedp.CSS(`#applicant_name`), "孙丽"),
		chromedp.SendKeys(chromedp.CSS(`#applicant_id_number`), "11010519491231002X"),
		chromedp.SendKeys(chromedp.CSS(`#applicant_phone`), "13805437788"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="file_m1"]`), []string{scan}),
		chromedp.SetValue(chromedp.CSS(`#deciding_region`), "371603000000"),
		chromedp.Click(chromedp.CSS(`#do-accept`)),
		chromedp.WaitVisible(chromedp.CSS(`#case-status`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return v
	}
	number := text(`#case-number`)
	if a, d, o := text(`#route-accepted`), text(`#route-deciding`), text(`#route-delivery`); a != "彭李街道便民服务中心" ||
		!strings.Contains(d, "沾化区人力资源和社会保障局") || o != "彭李街道便民服务中心" {
		t.Fatalf("the case's places: %q → %q → %q", a, d, o)
	}
	if tl := text(`#timeline`); !strings.Contains(tl, "受理地：彭李街道便民服务中心 → 审批地：沾化区 沾化区人力资源和社会保障局 → 出件地：彭李街道便民服务中心") {
		t.Fatalf("the timeline lacks the hand-off in words: %s", tl)
	}

	err = chromedp.Do(ctx,
		signIn(h, "approver_rsj_zhanhua"),
		chromedp.Navigate(h.ts.URL+"/office"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/cases/`+number+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/cases/`+number+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#do-decide`)),
		chromedp.Click(chromedp.CSS(`#do-decide`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#do-decide`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// the paper result travels from 沾化区 to 彭李街道 and is signed for there before it is handed
	// out (材料流转: the pages of it have their own browser test)
	c, err := h.cases.Get(context.Background(), audit.Actor{Username: "supervisor", Role: "supervisor"}, number)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range c.Transfers {
		if tr.Kind != cases.TransferResult {
			continue
		}
		if _, err := h.cases.SendTransfers(context.Background(), h.approverOf(t, "clerk_zhanhua").User.Actor(), []int64{tr.ID}, "沾化—滨城 第 1 批"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.cases.ReceiveTransfer(context.Background(), h.approverOf(t, "clerk_pengli").User.Actor(), tr.ID); err != nil {
			t.Fatal(err)
		}
	}
	err = chromedp.Do(ctx,
		signIn(h, "clerk_pengli"),
		chromedp.Navigate(h.ts.URL+"/cases/"+number),
		chromedp.WaitVisible(chromedp.CSS(`#do-deliver`)),
		chromedp.SetValue(chromedp.CSS(`#method`), "window"),
		chromedp.Click(chromedp.CSS(`#do-deliver`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#do-deliver`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#case-status`), "data-status")); st.Value != "delivered" {
		t.Fatalf("after delivery at 彭李街道: %s", st.Value)
	}
	if tl := text(`#timeline`); !strings.Contains(tl, "结果由沾化区人力资源和社会保障局送至出件地：彭李街道便民服务中心") {
		t.Fatalf("the timeline lacks the result's hand-off: %s", tl)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/track?number="+number+"&phone4=7788"),
		chromedp.WaitVisible(chromedp.CSS(`#track-accepted`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if a, d, o := text(`#track-accepted`), text(`#track-deciding`), text(`#track-delivery`); a != "彭李街道便民服务中心" ||
		d != "沾化区 沾化区人力资源和社会保障局" || o != "彭李街道便民服务中心" {
		t.Fatalf("tracking: %q / %q / %q", a, d, o)
	}
}

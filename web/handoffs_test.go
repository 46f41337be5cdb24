package web_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/catalog"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/web"
)

// TestDeliveryWaitsForThePaperResultThroughThePages: a case accepted at 彭李街道 and decided by
// 沾化区 is 待结果送达 on 彭李街道's delivery list, its case page says the paper result has not
// arrived, and handing it out at the window is refused with that sentence; once 沾化区 sends it
// and 彭李街道 signs for it, the list says 可出件 and the window hands it out.
func TestDeliveryWaitsForThePaperResultThroughThePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		pengli, zhanhua := h.approverOf(t, "clerk_pengli"), h.approverOf(t, "clerk_zhanhua")
		approver := h.approverOf(t, "approver_rsj_zhanhua")
		file := h.uploadAs(t, &pengli, "a.pdf", onePDF)
		code := h.itemNamed(t, "社会保障卡申领")
		it, _ := h.cat.Item(ctx, code)
		var refs []cases.MaterialRef
		for _, m := range it.Materials {
			if m.Required && m.Source != catalog.SourceShared {
				refs = append(refs, cases.MaterialRef{MaterialID: m.ID, FileID: file})
			}
		}
		c, _, err := h.cases.Create(ctx, pengli.User.Actor(), cases.CreateInput{Item: code, Applicant: cases.Applicant{Type: "person", Name: "孙丽",
			IDNumber: "11010519491231002X", Phone: "13805437788"}, Materials: refs, DecidingRegion: "371603000000", Accept: &cases.Input{}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.cases.Act(ctx, approver.User.Actor(), c.Number, cases.Decide, cases.Input{Decision: "approved"}); err != nil {
			t.Fatal(err)
		}
		var res cases.Transfer
		for _, tr := range c.Transfers {
			if tr.Kind == cases.TransferResult {
				res = tr
			}
		}
		raw := func(path string) string {
			t.Helper()
			b, _ := io.ReadAll(h.do(t, "GET", path, web.Page, &pengli, nil, "").Body)
			return string(b)
		}
		if page := raw("/delivery"); !strings.Contains(between(page, `id="ready-`+c.Number+`"`, "</td>"), "待结果送达") {
			t.Fatalf("彭李街道's delivery list does not say the result is awaited:\n%s", between(page, `id="ready-`+c.Number+`"`, "</tr>"))
		}
		if page := raw("/cases/" + c.Number); !strings.Contains(page, `id="result-awaited"`) || !strings.Contains(page, fmt.Sprintf("流转单 %d 待寄出", res.ID)) {
			t.Fatalf("the case page does not say the paper result has not arrived:\n%s", between(page, `action="/cases/`+c.Number+`/deliver"`, "</form>"))
		}
		resp, page := h.postPage(t, pengli, "/cases/"+c.Number+"/deliver", url.Values{"method": {"window"}}, nil)
		if resp.StatusCode < 400 || !strings.Contains(page, "纸质结果尚未送达本中心（流转单") {
			t.Fatalf("handing out a result still at 沾化区: %d\n%s", resp.StatusCode, between(page, "<main", "</form>"))
		}
		if _, err := h.cases.SendTransfers(ctx, zhanhua.User.Actor(), []int64{res.ID}, "B-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.cases.ReceiveTransfer(ctx, pengli.User.Actor(), res.ID); err != nil {
			t.Fatal(err)
		}
		if page := raw("/delivery"); !strings.Contains(between(page, `id="ready-`+c.Number+`"`, "</td>"), "可出件") {
			t.Fatalf("signed for, still not ready:\n%s", between(page, `id="ready-`+c.Number+`"`, "</tr>"))
		}
		if resp, page := h.postPage(t, pengli, "/cases/"+c.Number+"/deliver", url.Values{"method": {"window"}}, nil); resp.StatusCode >= 400 {
			t.Fatalf("delivery once signed for: %d\n%s", resp.StatusCode, between(page, "<main", "</form>"))
		}
	})
}

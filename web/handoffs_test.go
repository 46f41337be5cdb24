package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/catalog"
	"banhao/store"
	"banhao/web"
)

// TestDeliveryWaitsForThePaperResultThroughThePages: a case accepted at 彭李街道 and decided by
// 沾化区 is 待结果送达 on 彭李街道's delivery list, its case page says the paper result has not
// arrived, and handing it out at the window is refused with that sentence; once 沾化区 sends it
// and 彭李街道 signs for it, the list says 可出件 and the window hands it out.
func TestDeliveryWaitsForThePaperResultThroughThePages(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
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
			IDNumber: "11010519491231002X", Phone: "13805437788"}, Materials: refs, DecidingRegion: "371603000000", Accept: &cases.AcceptInput{}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.cases.Act(ctx, approver.User.Actor(), c.Number, cases.DecisionInput{Decision: "approved"}); err != nil {
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
		// The public tracking page: on its way to 彭李街道, a text to follow — not 请领取 yet.
		track := func() string {
			t.Helper()
			resp := h.do(t, "GET", "/track?number="+c.Number+"&phone4=7788", web.Page, nil, nil, "")
			b, _ := io.ReadAll(resp.Body)
			return visible(between(string(b), `id="result"`, `id="progress"`) + between(string(b), `id="progress"`, "</ol>"))
		}
		if s := track(); !strings.Contains(s, "正在送往彭李街道便民服务中心") || !strings.Contains(s, "送达后将以短信通知您领取") || strings.Contains(s, "请领取") || strings.Contains(s, "领取地点") {
			t.Errorf("/track while the result is at 沾化区: %s", s)
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
		if s := track(); !strings.Contains(s, "请领取") || !strings.Contains(s, "领取地点") || strings.Contains(s, "正在送往") {
			t.Errorf("/track once 彭李街道 signed for it: %s", s)
		}
		if page := raw("/delivery"); !strings.Contains(between(page, `id="ready-`+c.Number+`"`, "</td>"), "可出件") {
			t.Fatalf("signed for, still not ready:\n%s", between(page, `id="ready-`+c.Number+`"`, "</tr>"))
		}
		if resp, page := h.postPage(t, pengli, "/cases/"+c.Number+"/deliver", url.Values{"method": {"window"}}, nil); resp.StatusCode >= 400 {
			t.Fatalf("delivery once signed for: %d\n%s", resp.StatusCode, between(page, "<main", "</form>"))
		}
	})
}

// TestBundleWindowRoutesItsMembers: the 开办企业 form at the 彭李街道 window offers the
// applicant's region and the 出件地; taken for a company of 沾化区, the bundle is 彭李街道's and
// its members each decided where competent — some by 沾化区, the others by the city.
func TestBundleWindowRoutesItsMembers(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	pengli := h.approverOf(t, "clerk_pengli")
	b, _ := h.cat.Bundle(t.Context(), "KBQY")
	page, _ := io.ReadAll(h.do(t, "GET", "/window/bundle?code=KBQY", web.Page, &pengli, nil, "").Body)
	if !strings.Contains(string(page), `id="deciding_region"`) || !strings.Contains(string(page), `<option value="" selected>本中心：彭李街道便民服务中心（默认）</option>`) {
		t.Fatalf("the bundle form offers no 审批地 or 出件地:\n%s", between(string(page), `id="route"`, "</fieldset>"))
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"csrf": pengli.CSRF, "bundle": "KBQY", "token": "form-bundle-route", "action": "accept",
		"applicant_type": "organization", "applicant_name": "滨州示例科技有限公司", "applicant_id_number": "91350100M000100Y43",
		"applicant_phone": "13805431234", "deciding_region": "371603000000"} {
		mw.WriteField(k, v)
	}
	var form map[string]any
	_ = json.Unmarshal([]byte(`{"company_name":"滨州示例科技有限公司","company_kind":"有限责任公司","capital":"100","business_scope":"软件开发",
		"address":"滨州市黄河五路391号","legal_name":"张三","legal_id":"11010519491231002X","phone":"13805431234","seal_kinds":"公章、财务章、发票章"}`), &form)
	for k, v := range form {
		mw.WriteField("f_"+k, fmt.Sprint(v))
	}
	for _, ic := range b.Stages[0].Items {
		it, _ := h.cat.Item(t.Context(), ic)
		for _, m := range it.Materials {
			if m.Required && m.Source != "shared" {
				fw, _ := mw.CreateFormFile("file_"+ic+"__"+m.ID, "scan.pdf")
				fw.Write([]byte("%PDF-1.4\n%%EOF\n"))
			}
		}
	}
	mw.Close()
	resp := h.do(t, "POST", "/window/bundles", web.Page, &pengli, &body, mw.FormDataContentType())
	if resp.StatusCode != 303 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("bundle intake at 彭李街道: %d %s", resp.StatusCode, between(string(b), "<main", "</form>"))
	}
	c, err := h.cases.Get(t.Context(), auditActor("supervisor"), strings.TrimPrefix(resp.Header.Get("Location"), "/cases/"))
	if err != nil || c.AcceptedCenter != pengli.User.Center {
		t.Fatalf("bundle: accepted %s, %v", c.AcceptedCenter, err)
	}
	regions := map[string]int{}
	for _, k := range c.Children {
		kid, _ := h.cases.Get(t.Context(), auditActor("supervisor"), k.Number)
		regions[kid.DecidingRegion]++
	}
	if regions["371603000000"] == 0 || regions["371600000000"] == 0 {
		t.Fatalf("members decided in %v: want 沾化区's and the city's", regions)
	}
}

package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// TestPaperHandOffsThroughThePages (材料流转, 收件核验): a clerk at 彭李街道 accepts a 全市通办 case
// for 沾化区 at the window with the originals checked; 沾化区's approver reads on the case page who
// checked them; 彭李街道's transfers page lists the materials to send, 沾化区's clerk cannot send
// them (403) nor list 彭李街道's, a post without the form's token is refused (403); sent in a
// batch, they wait on 沾化区's page, where only 沾化区's clerk signs for them; every step is on the
// timeline and in the audit log.
func TestPaperHandOffsThroughThePages(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		pengli, zhanhua := h.staffSession(t, "clerk_pengli"), h.staffSession(t, "clerk_zhanhua")
		approver := h.staffSession(t, "approver_rsj_zhanhua")
		item := h.withOriginals(t, "社会保障卡申领")
		get := func(sess *identity.Session, path string) (int, string) {
			t.Helper()
			resp := h.do(t, "GET", path, web.Page, sess, nil, "")
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if _, page := get(&pengli, "/window/new?item="+url.QueryEscape(item)); !strings.Contains(page, `id="orig_m1" checked`) {
			t.Fatal("the intake form does not tick 原件已核验 for a material whose originals the guide asks for")
		}
		resp, page := h.postPage(t, pengli, "/window/cases", url.Values{"item": {item}, "applicant_type": {"person"}, "applicant_name": {"孙丽"},
			"applicant_id_number": {"11010519491231002X"}, "applicant_phone": {"13805437788"}, "deciding_region": {"371603000000"},
			"action": {"accept"}, "orig_m1": {"1"}, "token": {"form-transfers-1"}}, map[string]string{"file_m1": onePDF})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("intake: %d\n%s", resp.StatusCode, page)
		}
		number := strings.TrimPrefix(resp.Header.Get("Location"), "/cases/")

		_, page = get(&approver, "/cases/"+number)
		if !strings.Contains(page, "原件已由彭李街道便民服务中心 韩雪 于") || !strings.Contains(page, "无需再向申请人索要原件") {
			t.Fatalf("the deciding approver does not read who checked the originals:\n%s", between(page, `id="paper"`, "</section>"))
		}

		var list struct{ Transfers []cases.Transfer }
		if err := json.NewDecoder(h.do(t, "GET", "/api/v1/transfers?status=pending", web.API, &pengli, nil, "").Body).Decode(&list); err != nil || len(list.Transfers) != 2 {
			t.Fatalf("彭李街道's pending hand-offs: %+v %v", list.Transfers, err)
		}
		mat, res := list.Transfers[0], list.Transfers[1]
		if mat.Kind != cases.TransferMaterials || mat.Case != number || res.Kind != cases.TransferResult {
			t.Fatalf("hand-offs: %+v", list.Transfers)
		}
		if resp := h.do(t, "GET", "/api/v1/transfers?center="+demo.PengliCenter, web.API, &zhanhua, nil, ""); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("沾化区's clerk listing 彭李街道's hand-offs: %d", resp.StatusCode)
		}
		if code, page := get(&pengli, "/office/transfers"); code != 200 || !strings.Contains(page, fmt.Sprintf(`id="pick-%d"`, mat.ID)) ||
			strings.Contains(page, fmt.Sprintf(`id="pick-%d"`, res.ID)) {
			t.Fatalf("彭李街道's transfers page: %d\n%s", code, between(page, `id="send-ids"`, "</section>"))
		}
		send := url.Values{"id": {fmt.Sprint(mat.ID)}, "batch": {"滨城—沾化交换 第 1 批"}}
		if resp := h.do(t, "POST", "/office/transfers/send", web.Page, &pengli, strings.NewReader(send.Encode()), "application/x-www-form-urlencoded"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a post without the form's token: %d", resp.StatusCode)
		}
		if resp, _ := h.postPage(t, zhanhua, "/office/transfers/send", send, nil); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("沾化区's clerk sending 彭李街道's materials: %d", resp.StatusCode)
		}
		resp, page = h.postPage(t, pengli, "/office/transfers/send", send, nil)
		if resp.StatusCode != 200 || !strings.Contains(page, "已确认寄出 1 份") {
			t.Fatalf("send: %d\n%s", resp.StatusCode, page)
		}
		if _, page := get(&zhanhua, "/office/transfers"); !strings.Contains(page, fmt.Sprintf(`id="receive-%d"`, mat.ID)) {
			t.Fatalf("沾化区's page lacks the materials to sign for:\n%s", between(page, `id="to-receive-title"`, "</section>"))
		}
		receive := fmt.Sprintf("/office/transfers/%d/receive", mat.ID)
		if resp, _ := h.postPage(t, pengli, receive, url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("the sender signing for it: %d", resp.StatusCode)
		}
		if resp, page := h.postPage(t, zhanhua, receive, url.Values{}, nil); resp.StatusCode != 200 || !strings.Contains(page, "已签收：办件 "+number) {
			t.Fatalf("receive: %d\n%s", resp.StatusCode, page)
		}
		if resp := h.do(t, "POST", fmt.Sprintf("/api/v1/transfers/%d/send", res.ID), web.API, &zhanhua, strings.NewReader(`{"batch":"B-2"}`), "application/json"); resp.StatusCode != http.StatusConflict {
			t.Fatalf("sending the result of an undecided case: %d", resp.StatusCode)
		}
		_, page = get(&pengli, "/cases/"+number)
		for _, want := range []string{"申请材料已由彭李街道便民服务中心寄往沾化区政务服务中心（批次/单号：滨城—沾化交换 第 1 批）", "申请材料已由沾化区政务服务中心签收（寄自彭李街道便民服务中心）", "收件核验：原件已核验"} {
			if !strings.Contains(page, want) {
				t.Errorf("the timeline lacks %q", want)
			}
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_id = ? AND action IN ('case.transfer_send', 'case.transfer_receive', 'case.originals_check')`, number).Scan(&n); err != nil || n != 3 {
			t.Fatalf("audit entries of the paper's steps: %d %v", n, err)
		}
	})
}

// between is the part of page from the first from to the next to (for failure messages).
func between(page, from, to string) string {
	i := strings.Index(page, from)
	if i < 0 {
		return page
	}
	j := strings.Index(page[i:], to)
	if j < 0 {
		return page[i:]
	}
	return page[i : i+j]
}

// withOriginals publishes a version of the item named name whose first material is brought on
// paper with its original (the demo's 社会保障卡申领 needs no visit: its materials are electronic).
func (h *harness) withOriginals(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	code := h.itemNamed(t, name)
	it, err := h.cat.LatestItem(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	it.Materials[0].Form, it.Materials[0].Originals = "paper", 1
	if _, err := h.cat.PutItem(ctx, audit.System, it, catalog.StatusPublished); err != nil {
		t.Fatal(err)
	}
	// the counties publish the standard's change (it reached their implementing items as drafts):
	// a case decided in a county is made under the county's item
	derived, err := h.cat.Derived(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range derived {
		if _, err := h.cat.Publish(ctx, audit.System, d.Code); err != nil {
			t.Fatal(err)
		}
	}
	return code
}

// TestWindowFindsItsRegionsItem: at 沾化区's center the clerk searching 不动产转移登记 finds
// 沾化区's implementing item (its department, acceptable here), not only the city's standard
// item that the city's center alone accepts; at the city's center the standard stays.
func TestWindowFindsItsRegionsItem(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	standard := h.itemNamed(t, "不动产转移登记（存量房买卖）")
	derived, err := h.cat.Derived(ctx, standard)
	if err != nil {
		t.Fatal(err)
	}
	local := ""
	for _, d := range derived {
		if d.RegionCode == "371603000000" {
			local = d.Code
		}
	}
	if local == "" {
		t.Fatal("the demo has no 沾化区 implementing item of 不动产转移登记")
	}
	search := func(user string) string {
		t.Helper()
		sess := h.staffSession(t, user)
		resp := h.do(t, "GET", "/window?q="+url.QueryEscape("不动产转移登记"), web.Page, &sess, nil, "")
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	page := search("clerk_zhanhua")
	if !strings.Contains(page, "item="+url.QueryEscape(local)) && !strings.Contains(page, "item="+local) {
		t.Fatalf("沾化区's clerk does not find 沾化区's item %s:\n%s", local, page)
	}
	if strings.Contains(page, `id="not-here-`+local+`"`) || strings.Contains(page, `id="not-here-`+standard+`"`) {
		t.Fatal("the region's own item is marked 不可在本中心受理, or the standard is still offered")
	}
	if page := search("clerk"); !strings.Contains(page, standard) || strings.Contains(page, local) {
		t.Fatal("the city's clerk should find the city's standard item")
	}
}

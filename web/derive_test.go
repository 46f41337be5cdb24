package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/identity"
)

// TestDeriveOnAPage: 沾化区's admin (a demo account) derives 沾化区's implementing item of a city standard item on
// a page: the standard's editor offers 派生本地实施事项, the form offers 沾化区's departments only
// (the standard's kind first); a looser limit and another county's department are refused at
// their fields by label, nothing written; a good one is derived, audited, opens in the editor
// naming its standard, is listed on the standard's editor, and its guide names the standard.
func TestDeriveOnAPage(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	zh, city := h.staffSession(t, "admin_zhanhua"), h.sessions[identity.Admin]
	code := h.itemNamed(t, "旅馆业特种行业许可证核发")
	std, err := h.cat.Item(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	status, page := h.pageOf(t, city, "/admin/items/"+url.PathEscape(code)+"/edit")
	if status != 200 || !strings.Contains(page, `id="derive-link"`) || !strings.Contains(page, "尚无区县派生该标准事项") {
		t.Fatalf("the standard's editor offers no 派生本地实施事项 (%d)", status)
	}
	derive := "/admin/items/" + url.PathEscape(code) + "/derive"
	status, page = h.pageOf(t, zh, derive)
	if status != 200 || !strings.Contains(page, `<option value="GAJ-371603" selected>沾化区 · 沾化区公安局</option>`) || strings.Contains(page, "GAJ-371621") {
		t.Fatalf("沾化区's admin is offered the wrong departments (%d):\n%s", status, page)
	}

	form := url.Values{"department": {"GAJ-371603"}, "where": {"沾化区政务服务中心公安窗口"}, "hours": {"工作日 9:00–17:00"}, "consult_phone": {"0543-7321110"},
		"promised_limit_value": {fmt.Sprint(std.PromisedLimit.Value + 1)}, "publish": {"1"}}
	resp, page := h.postPage(t, zh, derive, form, nil)
	if resp.StatusCode != 400 || !strings.Contains(page, `id="promised_limit_value-error"`) || !strings.Contains(page, "承诺时限不得长于标准") ||
		!strings.Contains(page, `value="沾化区政务服务中心公安窗口"`) {
		t.Fatalf("a looser limit: %d, want it refused at 承诺时限 with what was typed kept", resp.StatusCode)
	}
	form.Set("promised_limit_value", fmt.Sprint(max(std.PromisedLimit.Value-1, 1)))
	form.Set("consult_phone", "abc")
	resp, page = h.postPage(t, zh, derive, form, nil)
	if resp.StatusCode != 400 || !strings.Contains(page, `id="consult_phone-error"`) || !strings.Contains(page, "咨询电话须为数字") {
		t.Fatalf("咨询电话 abc: %d, want it refused at its field", resp.StatusCode)
	}
	form.Set("consult_phone", "0543-7321110")
	form.Set("department", "GAJ-371621")
	resp, page = h.postPage(t, zh, derive, form, nil)
	if resp.StatusCode != 400 || !strings.Contains(page, `id="department-error"`) || !strings.Contains(page, "您只能为沾化区及其下辖区划派生实施事项") {
		t.Fatalf("惠民县's department by 沾化区's admin: %d", resp.StatusCode)
	}
	if d, _ := h.cat.Derived(ctx, code); len(d) != 0 {
		t.Fatalf("%d implementing items written by refused posts", len(d))
	}

	form.Set("department", "GAJ-371603")
	resp, _ = h.postPage(t, zh, derive, form, nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/admin/items/") {
		t.Fatalf("derive: %d %q", resp.StatusCode, loc)
	}
	d, err := h.cat.Derived(ctx, code)
	if err != nil || len(d) != 1 || d[0].RegionCode != "371603000000" || d[0].Department != "GAJ-371603" || d[0].Status != "published" {
		t.Fatalf("derived: %+v %v", d, err)
	}
	it, err := h.cat.Item(ctx, d[0].Code)
	if err != nil || it.Where != "沾化区政务服务中心公安窗口" || it.ConsultPhone != "0543-7321110" || it.PromisedLimit.Value != max(std.PromisedLimit.Value-1, 1) {
		t.Fatalf("the local fields: %+v %v", it, err)
	}
	entries, _ := h.log.List(ctx, h.db, audit.Query{ObjectType: "item", ObjectID: d[0].Code, Limit: 10})
	found := false
	for _, e := range entries {
		found = found || e.Action == "item.derive" && e.Actor == "admin_zhanhua"
	}
	if !found {
		t.Error("no audit entry item.derive by 沾化区's admin")
	}
	status, page = h.pageOf(t, zh, loc)
	if status != 200 || !strings.Contains(page, `id="derived-ok"`) || !strings.Contains(page, `依据市级标准事项 <a href="/admin/items/`+code+`/edit">旅馆业特种行业许可证核发</a>`) {
		t.Errorf("the implementing item's editor does not name its standard (%d)", status)
	}
	if _, page = h.pageOf(t, city, "/admin/items/"+url.PathEscape(code)+"/edit"); !strings.Contains(page, `<a href="/admin/items/`+d[0].Code+`/edit">`) {
		t.Error("the standard's editor does not list its implementing item")
	}
	if status, page = h.pageOf(t, city, "/items/"+url.PathEscape(d[0].Code)); status != 200 || !strings.Contains(page, `依据市级标准事项 <a href="/items/`+code+`">旅馆业特种行业许可证核发</a>`) {
		t.Errorf("the implementing item's guide does not name its standard (%d)", status)
	}
	if status, page = h.pageOf(t, zh, derive); status != 200 || !strings.Contains(page, `id="derive-none"`) {
		t.Errorf("沾化区 is offered a second implementing item (%d)", status)
	}
}

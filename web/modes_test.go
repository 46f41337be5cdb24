package web_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/identity"
	"banhao/web"
)

// TestHandlingModesInEditorCatalogAndGuide: the admin gives an item its 办理方式 and 证照分离
// mode in the editor (a mode that disagrees is named, what was chosen stays); the item's JSON
// carries both, the catalog filters by them (API and page), a filter that is no mode is a 400
// naming it, and the guide says the mode in words.
func TestHandlingModesInEditorCatalogAndGuide(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	form := url.Values{"csrf": {admin.CSRF}, "code": {"MODE-1"}, "name": {"即办测试事项"}, "type": {"行政确认"}, "department": {"XZSP"},
		"legal_limit_value": {"5"}, "legal_limit_unit": {"working_day"}, "promised_limit_value": {"3"}, "promised_limit_unit": {"working_day"},
		"visits": {"1"}, "visits_reason": {"核验原件"}, "online_depth": {"3"}, "action": {"publish"}, "handling_mode": {"immediate"}, "reform_mode": {"to_filing"}}
	post := func() (int, string) {
		resp := h.do(t, "POST", "/admin/items", web.Page, &admin, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, page := post(); st != 400 || !strings.Contains(page, "办理方式为即办的事项，承诺时限须为即办") || !strings.Contains(page, "证照分离改革方式为审批改为备案的事项，办理方式须为备案") ||
		!strings.Contains(page, `<option value="immediate" selected>即办</option>`) || !strings.Contains(page, `<option value="to_filing" selected>审批改为备案</option>`) {
		t.Fatalf("disagreeing modes: %d; want 400 naming both and keeping the choice", st)
	}
	form.Set("promised_limit_value", "0")
	form.Set("promised_limit_unit", "immediate")
	form.Set("reform_mode", "optimize")
	if st, _ := post(); st != 303 {
		t.Fatalf("good form: %d", st)
	}
	it, err := h.cat.Item(context.Background(), "MODE-1")
	if err != nil || it.HandlingMode != catalog.ModeImmediate || it.ReformMode != catalog.ReformOptimize {
		t.Fatalf("saved: %q %q %v", it.HandlingMode, it.ReformMode, err)
	}

	guide := decode[map[string]any](t, h.do(t, "GET", "/api/v1/items/MODE-1", web.API, nil, nil, ""))
	if guide["handling_mode"] != "immediate" || guide["reform_mode"] != "optimize" {
		t.Errorf("item JSON: handling_mode %v reform_mode %v", guide["handling_mode"], guide["reform_mode"])
	}
	if other := decode[map[string]any](t, h.do(t, "GET", "/api/v1/items/"+url.PathEscape(h.itemCode), web.API, nil, nil, "")); other["handling_mode"] != "approval" {
		t.Errorf("an item without a mode: handling_mode %v, want approval", other["handling_mode"])
	}
	list := decode[catalog.Result](t, h.do(t, "GET", "/api/v1/items?handling_mode=immediate&reform_mode=optimize", web.API, nil, nil, ""))
	if list.Total != 1 || list.Items[0].Code != "MODE-1" || list.Items[0].HandlingMode != "immediate" {
		t.Errorf("filtered list: %+v", list)
	}
	all := decode[catalog.Result](t, h.do(t, "GET", "/api/v1/items?handling_mode=immediate&limit=500", web.API, nil, nil, ""))
	for _, s := range all.Items {
		if s.HandlingMode != "immediate" {
			t.Errorf("%s (%s) in the 即办 list", s.Name, s.HandlingMode)
		}
	}
	resp := h.do(t, "GET", "/api/v1/items?handling_mode=fast", web.API, nil, nil, "")
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 400 || !strings.Contains(string(b), `"handling_mode"`) || !strings.Contains(string(b), "办理方式须为") {
		t.Errorf("handling_mode=fast: %d %s", resp.StatusCode, b)
	}

	page := h.do(t, "GET", "/items?handling_mode=immediate&q="+url.QueryEscape("即办测试"), web.Page, nil, nil, "") // the demo has many 即办 items
	b, _ := io.ReadAll(page.Body)
	if page.StatusCode != 200 || !strings.Contains(string(b), "即办测试事项") || !strings.Contains(string(b), `<span class="badge mode">即办</span>`) ||
		!strings.Contains(string(b), `<option value="immediate" selected>即办</option>`) || strings.Contains(string(b), "企业设立登记</a>") {
		t.Errorf("catalog page filtered by 即办: %d", page.StatusCode)
	}
	page = h.do(t, "GET", "/items/MODE-1", web.Page, nil, nil, "")
	b, _ = io.ReadAll(page.Body)
	if page.StatusCode != 200 || !strings.Contains(string(b), "办理方式") || !strings.Contains(string(b), "窗口当场审核、当场办结") || !strings.Contains(string(b), `id="mode-badge">即办</span>`) || !strings.Contains(string(b), "优化审批服务") {
		t.Errorf("guide of a 即办 item: %d", page.StatusCode)
	}
	// Online a 即办 item is accepted by a window and decided by the department (only a clerk
	// authorised for it finishes it in one step): the guide says 当场 of the window only.
	gjj := h.do(t, "GET", "/items/"+url.PathEscape(h.itemNamed(t, "住房公积金提取（购买住房）")), web.Page, nil, nil, "")
	b, _ = io.ReadAll(gjj.Body)
	if g := string(b); !strings.Contains(g, "即办（到窗口当场办结；网上申请的受理当日办结）") || !strings.Contains(g, "网上申请的，由窗口受理、部门审批，受理当日办结，不是当场办结") ||
		strings.Contains(g, "即办（当场办结）") {
		t.Errorf("the guide of 住房公积金提取 promises 当场办结 online: %s", visible(g))
	}
	page = h.do(t, "GET", "/items/"+url.PathEscape(h.itemCode), web.Page, nil, nil, "")
	b, _ = io.ReadAll(page.Body)
	if !strings.Contains(string(b), "办理方式：审批。") || strings.Contains(string(b), `id="mode-badge"`) {
		t.Errorf("guide of a 审批 item: says its mode in words, no badge")
	}
}

// TestDemoModesThroughTheAPI (issue 16's demo data): every demo item whose guide promises 即办
// is 即办 (or 秒批, or a 备案 handled at once) — none is 审批; the 备案 filter finds the demo's
// 备案 items, and the 证照分离 filter 审批改为备案 finds the 公章刻制 licence and its 备案.
func TestDemoModesThroughTheAPI(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	list := func(q string) catalog.Result {
		t.Helper()
		resp := h.do(t, "GET", "/api/v1/items?limit=500&"+q, web.API, nil, nil, "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", q, resp.StatusCode)
		}
		res := decode[catalog.Result](t, resp)
		if len(res.Items) != res.Total {
			t.Fatalf("%s: a page of %d of %d", q, len(res.Items), res.Total)
		}
		return res
	}
	for _, it := range list("handling_mode=approval").Items {
		if it.PromisedLimit.Unit == catalog.Immediate {
			t.Errorf("%s promises 即办 but is 审批", it.Name)
		}
	}
	immediate := list("handling_mode=immediate")
	names := map[string]bool{}
	for _, it := range immediate.Items {
		names[it.Name] = true
		if it.HandlingMode != catalog.ModeImmediate || it.PromisedLimit.Unit != catalog.Immediate {
			t.Errorf("即办 filter: %s %s %s", it.Name, it.HandlingMode, it.PromisedLimit)
		}
	}
	for _, want := range []string{"住房公积金提取（购买住房）", "个体工商户设立登记", "出生登记", "供水过户"} {
		if !names[want] {
			t.Errorf("即办 filter misses %s (%d found)", want, immediate.Total)
		}
	}
	filing := list("handling_mode=filing")
	names = map[string]bool{}
	for _, it := range filing.Items {
		names[it.Name] = true
		if it.HandlingMode != catalog.ModeFiling {
			t.Errorf("备案 filter: %s is %s", it.Name, it.HandlingMode)
		}
	}
	if filing.Total < 10 || !names["公章刻制备案"] || !names["异地就医备案"] {
		t.Errorf("备案 filter: %d items %v", filing.Total, names)
	}
	if byName := list("handling_mode=" + url.QueryEscape("备案")); byName.Total != filing.Total {
		t.Errorf("备案 by name: %d, by code %d", byName.Total, filing.Total)
	}
	reform := list("reform_mode=to_filing")
	names = map[string]bool{}
	for _, it := range reform.Items {
		names[it.Name] = it.HandlingMode == catalog.ModeFiling
	}
	if len(names) != 2 || !names["公章刻制备案"] || !names["公章刻制业特种行业许可证核发"] {
		t.Errorf("审批改为备案: %v", names)
	}
}

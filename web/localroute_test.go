package web_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/demo"
	"banhao/web"
)

// TestWindowFindsTheChosenRegionsImplementingItem: 沾化区 published its own 失业保险金申领 (its
// 社会保险事业中心, 3 working days; the city's 社保中心 promises 5; the demo's). At 彭李街道 (滨城区,
// which has no 社保中心) the window's search finds the city's standard by default, and 沾化区's
// item when the clerk says the applicant is of 沾化区; the standard's intake form names 沾化区's
// department and limit in its 审批地 choice.
func TestWindowFindsTheChosenRegionsImplementingItem(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	benefit := h.itemNamed(t, "失业保险金申领")
	local := h.zhanhuaOwn(t, benefit)
	clerk := h.staffSession(t, "clerk_pengli")
	link := func(code string) string { return `class="button intake-link" href="/window/new?item=` + code }
	_, page := h.pageOf(t, clerk, "/window?q="+url.QueryEscape("失业保险金申领"))
	if !strings.Contains(page, link(benefit)) || strings.Contains(page, link(local.Code)) || !strings.Contains(page, `<select id="region" name="region">`) {
		t.Fatalf("彭李街道's default (滨城区, no item of its own) is not the standard:\n%s", page)
	}
	_, page = h.pageOf(t, clerk, "/window?region=371603000000&q="+url.QueryEscape("失业保险金申领"))
	if !strings.Contains(page, link(local.Code)) || strings.Contains(page, link(benefit)) ||
		!strings.Contains(page, "沾化区社会保险事业中心") || !strings.Contains(page, "3个工作日") || !strings.Contains(page, `<option value="371603000000" selected>`) {
		t.Fatalf("a 沾化区 applicant: want 沾化区's item, its department and limit:\n%s", page)
	}
	_, page = h.pageOf(t, clerk, "/window/new?item="+url.QueryEscape(benefit))
	if !strings.Contains(page, "沾化区（沾化区社会保险事业中心审批，承诺时限3个工作日）") {
		t.Fatalf("the standard's intake does not say who decides for 沾化区:\n%s", page)
	}
	// 沾化区's own item's form, as the search links it: its heading names where it is decided
	_, page = h.pageOf(t, clerk, "/window/new?item="+url.QueryEscape(local.Code)+"&region=371603000000")
	if !strings.Contains(page, `<span id="apply-region">审批地：沾化区 · </span><span id="apply-dept">沾化区社会保险事业中心</span>`) {
		t.Fatalf("沾化区's item's intake heading does not name 沾化区 as 审批地:\n%s", page)
	}
}

// zhanhuaOwn is 沾化区's published implementing item of the standard (the demo's).
func (h *harness) zhanhuaOwn(t *testing.T, standard string) catalog.Item {
	t.Helper()
	it, found, err := h.cat.ImplementingItem(context.Background(), standard, "371603000000")
	if err != nil || !found {
		t.Fatalf("沾化区's implementing item of %s: %v %v", standard, found, err)
	}
	return it
}

// TestWindowIntakeFollowsTheSearchRegion: the 申请人所属区划 a clerk at 彭李街道 chose in the
// window's search is the intake form's 审批地, and the form's heading names the department, the
// limit and the due day the case will follow — 沾化区's own item's 3 working days, not the
// standard's 5; the case made from the form is 沾化区's, due that day.
func TestWindowIntakeFollowsTheSearchRegion(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	benefit := h.itemNamed(t, "失业保险金申领")
	h.zhanhuaOwn(t, benefit)
	clerk := h.staffSession(t, "clerk_pengli")
	// 滨城区 has no 社保中心: the search offers the standard, decided by the city's for a 滨城区 applicant
	_, page := h.pageOf(t, clerk, "/window?region=371602000000&q="+url.QueryEscape("失业保险金申领"))
	intake := `href="/window/new?item=` + url.QueryEscape(benefit) + `&amp;region=371602000000"`
	if !strings.Contains(page, intake) {
		t.Fatalf("the search's link does not carry the region chosen (want %s):\n%s", intake, page)
	}
	_, page = h.pageOf(t, clerk, "/window/new?item="+url.QueryEscape(benefit)+"&region=371602000000")
	if !strings.Contains(page, `<option value="371602000000" data-dept="滨州市社会保险事业中心" data-region="滨城区" data-limit="5个工作日"`) ||
		!strings.Contains(page, `<span id="apply-region">审批地：滨城区 · </span><span id="apply-dept">滨州市社会保险事业中心</span> · 承诺时限 <span id="apply-limit">5个工作日</span>`) ||
		!regexp.MustCompile(`<option value="371602000000"[^>]* selected>`).MatchString(page) {
		t.Fatalf("the intake form of a 滨城区 applicant does not keep 滨城区 as its 审批地:\n%s", page)
	}
	// a 沾化区 applicant: the heading is 沾化区's item's, before anything is typed
	_, page = h.pageOf(t, clerk, "/window/new?item="+url.QueryEscape(benefit)+"&region=371603000000")
	heading := `<span id="apply-region">审批地：沾化区 · </span><span id="apply-dept">沾化区社会保险事业中心</span> · 承诺时限 <span id="apply-limit">3个工作日</span> · 今日受理则承诺办结日为 <strong id="apply-due">2026-12-01</strong>`
	if !strings.Contains(page, heading) || !regexp.MustCompile(`<option value="371603000000"[^>]* selected>`).MatchString(page) {
		t.Fatalf("the intake heading for a 沾化区 applicant, want %s:\n%s", heading, page)
	}
	// nothing chosen: the applicant's number will decide; the heading is the standard's until then
	_, page = h.pageOf(t, clerk, "/window/new?item="+url.QueryEscape(benefit))
	if !strings.Contains(page, `<span id="apply-region"></span><span id="apply-dept">滨州市社会保险事业中心</span> · 承诺时限 <span id="apply-limit">5个工作日</span>`) {
		t.Fatalf("the intake heading with no region chosen:\n%s", page)
	}
	// the form posted as shown makes 沾化区's case, due on the day its heading said
	it, err := h.cat.Item(ctx, benefit)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"item": {benefit}, "token": {"form-region-1"}, "applicant_type": {"person"}, "applicant_name": {demo.CitizenName},
		"applicant_id_number": {demo.CitizenID}, "applicant_phone": {"13805431234"}, "action": {"accept"}, "deciding_region": {"371603000000"}}
	files := map[string]string{}
	for _, m := range it.Materials {
		if m.Source != catalog.SourceShared {
			files["file_"+m.ID] = onePDF
		}
	}
	resp, body := h.postPage(t, clerk, "/window/cases", form, files)
	if resp.StatusCode != 303 {
		t.Fatalf("intake: %d %s", resp.StatusCode, visible(body))
	}
	number := strings.TrimPrefix(resp.Header.Get("Location"), "/cases/")
	c := decode[map[string]any](t, h.do(t, "GET", "/api/v1/cases/"+number, web.API, &clerk, nil, ""))
	if c["deciding_region"] != "371603000000" || !strings.Contains(fmt.Sprint(c["due_on"], c["due_date"], c["due"]), "2026-12-01") {
		t.Fatalf("the case: deciding %v, due %v %v %v; want 沾化区, 2026-12-01", c["deciding_region"], c["due_on"], c["due_date"], c["due"])
	}
	// and 沾化区's 社会保险事业中心 has an approver in the demo, who decides it
	approver := h.staffSession(t, "approver_sbzx_zhanhua")
	if _, office := h.pageOf(t, approver, "/office"); !strings.Contains(office, number) {
		t.Fatalf("沾化区社会保险事业中心's approver does not find %s on /office", number)
	}
	if resp := h.do(t, "POST", "/api/v1/cases/"+number+"/decide", web.API, &approver, strings.NewReader(`{"decision":"approved"}`), "application/json"); resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("沾化区's approver decides: %d %s", resp.StatusCode, b)
	}
}

package web_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/demo"
	"banhao/identity"
	"banhao/web"
)

// TestCountyGrantsPage: 沾化区's 公积金管理部 approver sees on /office/grants the 沾化区 clerks
// only, each as 姓名（中心）, and the city's standard 住房公积金提取 it decides; authorising the
// 彭李街道 clerk (typed in by hand) is refused at the field, naming the rule; the 沾化区 clerk is
// authorised and listed with their center.
func TestCountyGrantsPage(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	if _, err := h.ids.AddUser(ctx, audit.System, identity.NewUser{Username: "approver_gjj_zhanhua", DisplayName: "潘悦", Password: demo.DemoPassword,
		Role: identity.Approver, Department: "GJJ-371603", Center: "ZWFW-371603"}); err != nil {
		t.Fatal(err)
	}
	zh := h.staffSession(t, "approver_gjj_zhanhua")
	code := h.itemNamed(t, "住房公积金提取（购买住房）")
	status, page := h.pageOf(t, zh, "/office/grants")
	if status != 200 || !strings.Contains(page, ">邢军（沾化区政务服务中心）</option>") || strings.Contains(page, "韩雪（") ||
		!strings.Contains(page, `<option value="`+code+`"`) {
		t.Fatalf("沾化区's form offers the wrong clerks or items (%d):\n%s", status, page)
	}
	form := map[string][]string{"username": {"clerk_pengli"}, "department": {"GJJ-371603"}, "item": {code}, "kind": {"window"}, "starts_on": {h.today()}, "ends_on": {"2027-11-30"}}
	resp, page := h.postPage(t, zh, "/office/grants", form, nil)
	if resp.StatusCode != 403 || !strings.Contains(page, `id="username-error"`) ||
		!strings.Contains(page, "只能授权沾化区及其下辖区划各中心的窗口人员，韩雪是彭李街道便民服务中心的窗口人员") {
		t.Fatalf("a 彭李街道 clerk authorised by 沾化区: %d", resp.StatusCode)
	}
	form["username"] = []string{"clerk_zhanhua"}
	resp, _ = h.postPage(t, zh, "/office/grants", form, nil)
	_, page = h.pageOf(t, zh, resp.Header.Get("Location"))
	if resp.StatusCode != 303 || !strings.Contains(page, `<td data-label="窗口人员">邢军（沾化区政务服务中心）</td>`) || !strings.Contains(page, "已授予") {
		t.Fatalf("沾化区 authorises its clerk for the item it decides: %d\n%s", resp.StatusCode, page)
	}
}

// TestCountyAdminGrantsPage: 沾化区's admin (admin_zhanhua) is offered on /office/grants only
// 沾化区's clerks and departments, and the items labelled with the department that decides them
// in 沾化区 (住房公积金提取 with 沾化区's 管理部, not the city's 公积金中心); authorising the 滨城区
// clerk (typed in by hand) is refused at the field naming the rule — before a department is
// chosen too, with the form's other errors at once — and forbidden (403) by the page and by the
// API, as the network's centers API forbids a county admin another county's center.
func TestCountyAdminGrantsPage(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.staffSession(t, "admin_zhanhua")
	status, page := h.pageOf(t, admin, "/office/grants")
	if status != 200 || !strings.Contains(page, ">邢军（沾化区政务服务中心）</option>") || strings.Contains(page, "马超（") || strings.Contains(page, "韩雪（") ||
		!strings.Contains(page, `<option value="GJJ-371603"`) || strings.Contains(page, `<option value="GJJ"`) {
		t.Fatalf("沾化区's admin is offered clerks or departments beyond 沾化区 (%d):\n%s", status, page)
	}
	// the city's grants are listed, but only 沾化区's departments' are 沾化区's admin's to revoke
	if n := strings.Count(page, `action="/office/grants/`); n != 0 {
		t.Errorf("沾化区's admin is offered 撤销 on %d grants of the city's departments", n)
	}
	withdrawal := h.itemNamed(t, "住房公积金提取（购买住房）")
	if !strings.Contains(page, `<option value="`+withdrawal+`">住房公积金提取（购买住房）（滨州市住房公积金管理中心沾化区管理部）</option>`) {
		t.Errorf("the city's 住房公积金提取 is not labelled with 沾化区's department that decides it:\n%s", page)
	}
	noDept := map[string][]string{"username": {"clerk_bincheng"}, "department": {""}, "kind": {"window"}, "starts_on": {h.today()}, "ends_on": {""}}
	resp, page := h.postPage(t, admin, "/office/grants", noDept, nil)
	if resp.StatusCode != 403 || !strings.Contains(page, `id="username-error"`) || !strings.Contains(page, "马超是滨城区政务服务中心的窗口人员") ||
		!strings.Contains(page, `id="department-error"`) || !strings.Contains(page, "请选择授权部门") || !strings.Contains(page, `id="ends_on-error"`) {
		t.Fatalf("a 滨城区 clerk, no department, no end: want every error at once (%d)\n%s", resp.StatusCode, page)
	}
	form := map[string][]string{"username": {"clerk_bincheng"}, "department": {"GJJ-371603"}, "kind": {"window"}, "starts_on": {h.today()}, "ends_on": {"2027-11-30"}}
	resp, page = h.postPage(t, admin, "/office/grants", form, nil)
	if resp.StatusCode != 403 || !strings.Contains(page, `id="username-error"`) ||
		!strings.Contains(page, "沾化区的管理员只能授权沾化区及其下辖区划各中心的窗口人员，马超是滨城区政务服务中心的窗口人员") {
		t.Fatalf("a 滨城区 clerk authorised by 沾化区's admin: %d\n%s", resp.StatusCode, page)
	}
	resp = h.do(t, "POST", "/api/v1/window-grants", web.API, &admin, strings.NewReader(`{"username":"clerk_bincheng","department":"GJJ-371603",
		"kind":"window","starts_on":"`+h.today()+`","ends_on":"2027-11-30"}`), "application/json")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 403 || !strings.Contains(string(b), "沾化区的管理员只能授权沾化区及其下辖区划各中心的窗口人员") || !strings.Contains(string(b), `"field":"username"`) {
		t.Fatalf("the API: %d %s", resp.StatusCode, b)
	}
	center := h.do(t, "PUT", "/api/v1/centers/ZWFW-371602", web.API, &admin, strings.NewReader(`{"name":"滨城区政务服务中心","region_code":"371602000000"}`), "application/json")
	center.Body.Close()
	if center.StatusCode != resp.StatusCode {
		t.Errorf("out of scope: the centers API answers %d, the grants API %d", center.StatusCode, resp.StatusCode)
	}
}

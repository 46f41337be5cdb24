package web_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// TestWindowGrantAndOneStepAtTheWindow: the 公积金 approver authorises the clerk on the office's
// page (bad dates named, what was typed kept); other roles and departments cannot; the clerk's
// intake page of the 即办 item offers 当场办结, which registers, accepts, decides and delivers at
// once — the case page names the authorisation on every step and the decision notice prints,
// and /supervise counts it in 即办率. Revoked, the offer is gone and a one-step post is refused with the form again.
func TestWindowGrantAndOneStepAtTheWindow(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		clerk, xzsp := h.sessions[identity.Clerk], h.sessions[identity.Approver]
		gjj := h.approverOf(t, "approver_gjj")
		code := h.itemNamed(t, "住房公积金提取（购买住房）")
		it, err := h.cat.LatestItem(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if it.HandlingMode != catalog.ModeImmediate { // the demo's already is
			it.HandlingMode = catalog.ModeImmediate
			if _, err := h.cat.PutItem(ctx, audit.System, it, catalog.StatusPublished); err != nil {
				t.Fatal(err)
			}
		}
		intake := func() string {
			resp := h.do(t, "GET", "/window/new?item="+url.QueryEscape(code), web.Page, &clerk, nil, "")
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		if strings.Contains(intake(), `id="do-one-step"`) {
			t.Fatal("an unauthorised clerk is offered 当场办结")
		}

		form := url.Values{"username": {"clerk"}, "department": {"GJJ"}, "item": {code}, "kind": {"window"}, "starts_on": {h.today()}, "ends_on": {"2026-13-40"}}
		resp, page := h.postPage(t, gjj, "/office/grants", form, nil)
		if resp.StatusCode != 400 || !strings.Contains(page, `id="ends_on-error"`) || !strings.Contains(page, `value="2026-13-40"`) {
			t.Fatalf("a date that is no date: %d", resp.StatusCode)
		}
		form.Set("ends_on", "2027-11-30")
		if resp, _ := h.postPage(t, xzsp, "/office/grants", form, nil); resp.StatusCode != 403 {
			t.Errorf("XZSP's approver grants for GJJ: %d", resp.StatusCode)
		}
		if resp := h.do(t, "POST", "/api/v1/window-grants", web.API, &clerk, strings.NewReader(`{"username":"clerk","department":"GJJ","kind":"chief","starts_on":"2026-11-01","ends_on":"2026-12-31"}`), "application/json"); resp.StatusCode != 403 {
			t.Errorf("a clerk grants: %d", resp.StatusCode)
		}
		resp, _ = h.postPage(t, gjj, "/office/grants", form, nil)
		if resp.StatusCode != 303 {
			t.Fatalf("grant: %d, want a redirect", resp.StatusCode)
		}
		if _, page = h.pageOf(t, gjj, resp.Header.Get("Location")); !strings.Contains(page, "已授予窗口授权（编号") || !strings.Contains(page, "住房公积金提取（购买住房）") {
			t.Fatalf("after the grant the page does not say so: %s", visible(page))
		}
		// The same grant again (a second submit, dates overlapping): refused at 开始日期, no second
		// grant — on the page (409, the form kept) and by the API (409 naming the field).
		form.Set("starts_on", "2027-01-01")
		resp, page = h.postPage(t, gjj, "/office/grants", form, nil)
		if resp.StatusCode != 409 || !strings.Contains(page, `id="starts_on-error"`) || !strings.Contains(page, "不能重复授予") || !strings.Contains(page, `value="2027-01-01"`) {
			t.Fatalf("the same grant again: %d %s", resp.StatusCode, visible(page))
		}
		dup := h.do(t, "POST", "/api/v1/window-grants", web.API, &gjj, strings.NewReader(`{"username":"clerk","department":"GJJ","item":"`+code+
			`","kind":"chief","starts_on":"2027-11-01","ends_on":"2027-12-31"}`), "application/json")
		if b, _ := io.ReadAll(dup.Body); dup.StatusCode != 409 || !strings.Contains(string(b), `"field":"starts_on"`) || !strings.Contains(string(b), "不能重复授予") {
			t.Errorf("the API's duplicate: %d %s", dup.StatusCode, b)
		}
		mine := decode[struct {
			WindowGrants []struct {
				ID   int64
				Item string
			} `json:"window_grants"`
		}](t, h.do(t, "GET", "/api/v1/window-grants", web.API, &clerk, nil, ""))
		if len(mine.WindowGrants) == 0 || mine.WindowGrants[0].Item != code {
			t.Fatalf("the clerk's authorisations: %+v", mine)
		}
		grant := mine.WindowGrants[0].ID

		if !strings.Contains(intake(), `id="do-one-step"`) {
			t.Fatal("the authorised clerk is not offered 当场办结")
		}
		pdf := map[string]string{"file_m1": onePDF, "file_m2": onePDF, "file_m3": onePDF}
		oneStep := url.Values{"item": {code}, "token": {"form-one-step-1"}, "applicant_type": {"person"}, "applicant_name": {demo.CitizenName},
			"applicant_id_number": {demo.CitizenID}, "applicant_phone": {"13805431234"}, "action": {"one_step"},
			"pay_amount": {"5000"}, "pay_account": {"6222000011112222"}, "pay_name": {demo.CitizenName}} // 秒到账: the item pays
		resp, oneBody := h.postPage(t, clerk, "/window/cases", oneStep, pdf)
		if resp.StatusCode != 303 {
			t.Fatalf("one step: %d %s", resp.StatusCode, visible(oneBody))
		}
		number := strings.TrimPrefix(resp.Header.Get("Location"), "/cases/")
		c := decode[map[string]any](t, h.do(t, "GET", "/api/v1/cases/"+number, web.API, &clerk, nil, ""))
		if c["status"] != "delivered" || c["decision"] != "approved" {
			t.Fatalf("one step: %v %v", c["status"], c["decision"])
		}
		casePage := h.do(t, "GET", "/cases/"+number, web.Page, &clerk, nil, "")
		b, _ := io.ReadAll(casePage.Body)
		if n := strings.Count(string(b), "（一柜办结，依授权窗口授权第"); n != 4 {
			t.Errorf("the case page names the authorisation on %d steps, want 4 (受理, 决定, 支付指令, 出件)", n)
		}
		notice := h.do(t, "GET", "/cases/"+number+"/notices/decision", web.Page, &clerk, nil, "")
		if nb, _ := io.ReadAll(notice.Body); notice.StatusCode != 200 || !strings.HasPrefix(string(nb), "%PDF") {
			t.Errorf("decision notice: %d", notice.StatusCode)
		}

		// 即办率 on /supervise: the one-step case was decided on the day it was accepted.
		sup := h.sessions[identity.Supervisor]
		supPage := h.do(t, "GET", "/supervise?from="+h.today()+"&to="+h.today(), web.Page, &sup, nil, "")
		if sb, _ := io.ReadAll(supPage.Body); !strings.Contains(string(sb), `id="immediate-rate-value">100.0%<`) {
			t.Errorf("/supervise has no 即办率 of 1/1: %s", visible(string(sb)))
		}

		if resp := h.do(t, "POST", "/api/v1/window-grants/"+itoa(grant)+"/revoke", web.API, &xzsp, nil, ""); resp.StatusCode != 403 {
			t.Errorf("XZSP revokes GJJ's authorisation: %d", resp.StatusCode)
		}
		if resp, _ := h.postPage(t, gjj, "/office/grants/"+itoa(grant)+"/revoke", url.Values{}, nil); resp.StatusCode != 303 {
			t.Fatalf("revoke: %d", resp.StatusCode)
		} else if _, page := h.pageOf(t, gjj, resp.Header.Get("Location")); !strings.Contains(page, "已撤销窗口授权（编号 "+itoa(grant)+"）") {
			t.Errorf("after the revocation the page does not say so: %s", visible(page))
		}
		if strings.Contains(intake(), `id="do-one-step"`) {
			t.Error("a revoked authorisation still offers 当场办结")
		}
		oneStep.Set("token", "form-one-step-2")
		resp, page = h.postPage(t, clerk, "/window/cases", oneStep, pdf)
		if resp.StatusCode != 403 || !strings.Contains(page, "窗口授权") {
			t.Errorf("one step after revocation: %d", resp.StatusCode)
		}
	})
}

// TestDemoGongjijinAtOneWindow: in the demo, the 公积金 首席代表 (clerk_gjj) finishes 住房公积金提取
// in one request — one person, one visit — while the other clerk is refused and takes the
// normal path; the department's approver sees the authorisation.
func TestDemoGongjijinAtOneWindow(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	code := h.itemNamed(t, "住房公积金提取（购买住房）")
	chief := h.approverOf(t, "clerk_gjj")
	clerk := h.sessions[identity.Clerk]
	// A case takes its actor's own uploads only: each clerk scans the papers at their window.
	bodyWith := func(file string) string {
		return `{"item":"` + code + `","channel":"window","applicant":{"type":"person","name":"` + demo.CitizenName + `","id_number":"` + demo.CitizenID + `"},` +
			`"materials":[{"material_id":"m1","file_id":"` + file + `"},{"material_id":"m2","file_id":"` + file + `"},{"material_id":"m3","file_id":"` + file + `"}],"one_step":{},` +
			`"form":{"amount":"5000","bank_account":"6222000011112222","account_name":"` + demo.CitizenName + `"}}`
	}
	body := bodyWith(h.uploadAs(t, &chief, "申请表.pdf", onePDF))
	resp := h.do(t, "POST", "/api/v1/cases", web.API, &clerk, strings.NewReader(bodyWith(h.uploadAs(t, &clerk, "申请表.pdf", onePDF))), "application/json")
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 403 || !strings.Contains(string(b), "窗口授权") {
		t.Errorf("the unauthorised clerk in one step: %d %s", resp.StatusCode, b)
	}
	resp = h.do(t, "POST", "/api/v1/cases", web.API, &chief, strings.NewReader(body), "application/json")
	c := decode[struct {
		Number, Status, Decision string
		Timeline                 []struct{ Actor, Action, Authorisation string }
	}](t, resp)
	if resp.StatusCode != 201 || c.Status != "delivered" || c.Decision != "approved" || len(c.Timeline) != 5 {
		t.Fatalf("clerk_gjj in one step: %d %+v", resp.StatusCode, c)
	}
	for _, ev := range c.Timeline {
		if ev.Actor != "clerk_gjj" || (ev.Action != "submit" && !strings.Contains(ev.Authorisation, "首席代表授权")) {
			t.Errorf("%s by %s under %q", ev.Action, ev.Actor, ev.Authorisation)
		}
	}
	loan := decode[map[string]any](t, h.do(t, "GET", "/api/v1/items/"+url.PathEscape(h.itemNamed(t, "住房公积金个人住房贷款")), web.API, nil, nil, ""))
	if pl, _ := loan["promised_limit"].(map[string]any); pl["value"] != float64(5) || pl["unit"] != "working_day" {
		t.Errorf("住房公积金个人住房贷款 promised %v", loan["promised_limit"])
	}
	gjj := h.approverOf(t, "approver_gjj")
	page := h.do(t, "GET", "/office/grants", web.Page, &gjj, nil, "")
	if b, _ := io.ReadAll(page.Body); page.StatusCode != 200 || !strings.Contains(string(b), "孙丽") || !strings.Contains(string(b), "首席代表") {
		t.Errorf("the office's authorisations page: %d", page.StatusCode)
	}
}

// TestGrantsListColumns: the grants list has an 操作 column only for a viewer who may revoke a
// grant listed (the 公积金 approver, who granted the demo's 首席代表), none for the 沾化区 admin
// who may not revoke the city's; every row has as many cells as the header, and the short
// cells (有效期, 授予人, 状态) keep to one line.
func TestGrantsListColumns(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	for _, tc := range []struct {
		user   string
		action bool
	}{{"approver_gjj", true}, {"admin_zhanhua", false}} {
		_, page := h.pageOf(t, h.staffSession(t, tc.user), "/office/grants")
		i := strings.Index(page, `id="grants"`)
		if i < 0 {
			t.Fatalf("%s: no grants table", tc.user)
		}
		table := page[i : strings.Index(page[i:], "</table>")+i]
		head := table[:strings.Index(table, "</thead>")]
		ths := strings.Count(head, "<th>") + strings.Count(head, "<th ")
		if got := strings.Contains(head, ">操作</th>"); got != tc.action || ths != 7+map[bool]int{true: 1}[tc.action] {
			t.Errorf("%s: 操作 column %v with %d columns, want %v: %s", tc.user, got, ths, tc.action, head)
		}
		body := table[strings.Index(table, "<tbody>"):]
		rows := strings.Split(body, "<tr>")[1:]
		if len(rows) == 0 || !strings.Contains(body, "孙丽") {
			t.Fatalf("%s: the demo's 首席代表 is not listed: %s", tc.user, body)
		}
		for _, row := range rows {
			if n := strings.Count(row, "<td"); n != ths {
				t.Errorf("%s: a row of %d cells under %d headers: %s", tc.user, n, ths, row)
			}
			for _, label := range []string{"有效期", "授予人", "状态"} {
				if !strings.Contains(row, `data-label="`+label+`" class="nowrap"`) {
					t.Errorf("%s: %s may wrap: %s", tc.user, label, row)
				}
			}
		}
	}
}

package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/store"
)

// TestWindowRefusalOfTheWholeFormIsNotAFieldToFix: a township clerk posting an item their center
// does not accept (not 通办) is told where it can be done, under 未能提交 — not under "请修改以下
// 1 处", as if something typed were wrong; nothing is written and the typed values stay.
func TestWindowRefusalOfTheWholeFormIsNotAFieldToFix(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	code := h.zhanhuaLand(t)
	clerk := h.approverOf(t, "clerk_pengli")
	form := url.Values{"item": {code}, "token": {"form-ux-conflict"}, "applicant_type": {"person"}, "applicant_name": {demo.CitizenName},
		"applicant_id_number": {demo.CitizenID}, "applicant_phone": {"13805431234"}, "action": {"accept"}}
	resp, page := h.postPage(t, clerk, "/window/cases", form, nil)
	if resp.StatusCode != 409 || h.caseCount(t) != 0 {
		t.Fatalf("an item 彭李街道 does not accept: %d, %d cases", resp.StatusCode, h.caseCount(t))
	}
	for _, want := range []string{`id="error-summary"`, "未能提交", "请到以下中心办理", "沾化区政务服务中心", `value="` + demo.CitizenName + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the refusal lacks %s", want)
		}
	}
	if strings.Contains(page, "请修改以下") {
		t.Error("a refusal of the whole form is announced as something to correct")
	}
}

// TestOfficeShowsWhereACaseCameFrom: the approver's queue names where each case was accepted
// (受理地) and, when elsewhere, where its result goes (出件地), without opening it.
func TestOfficeShowsWhereACaseCameFrom(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	clerk := h.approverOf(t, "clerk_pengli")
	file := h.uploadAs(t, &clerk, "a.pdf", onePDF)
	code := h.itemNamed(t, "社会保障卡申领")
	it, _ := h.cat.Item(ctx, code)
	var refs []cases.MaterialRef
	for _, m := range it.Materials {
		if m.Required && m.Source != catalog.SourceShared {
			refs = append(refs, cases.MaterialRef{MaterialID: m.ID, FileID: file})
		}
	}
	applicant := cases.Applicant{Type: "person", Name: demo.CitizenName, IDNumber: demo.CitizenID, Phone: "13805431234"}
	if _, _, err := h.cases.Create(ctx, clerk.User.Actor(), cases.CreateInput{Item: code, Applicant: applicant, Materials: refs,
		DecidingRegion: "371603000000", DeliveryCenter: "ZWFW-371603", Accept: &cases.AcceptInput{}}, ""); err != nil {
		t.Fatal(err)
	}
	page := h.seen(t, "/office", h.approverOf(t, "approver_rsj_zhanhua"))
	if !strings.Contains(page, "彭李街道便民服务中心 → 沾化区政务服务中心") {
		t.Errorf("the approver's queue does not say where the case came from and goes: %s", page)
	}
}

// TestWindowSaysBeforeTypingThatTheCenterDoesNotAccept: the intake page of an item the clerk's
// center does not accept (not 通办) says so at once, naming where it can be done, before the
// clerk types the applicant and scans the papers only to be refused on 受理; a 通办 item at the
// same center, and the item at the city center, say nothing of the kind.
func TestWindowSaysBeforeTypingThatTheCenterDoesNotAccept(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	pengli := h.approverOf(t, "clerk_pengli")
	land := h.zhanhuaLand(t)
	page := h.seen(t, "/window/new?item="+url.QueryEscape(land), pengli)
	if !strings.Contains(page, "该事项不在彭李街道便民服务中心受理（不通办），请到以下中心办理：沾化区政务服务中心") {
		t.Errorf("the intake page of an item 彭李街道 does not accept does not say so: %s", page)
	}
	if page := h.seen(t, "/window/new?item="+url.QueryEscape(h.itemNamed(t, "社会保障卡申领")), pengli); strings.Contains(page, "不在彭李街道便民服务中心受理") {
		t.Error("a 全市通办 item is announced as not accepted at 彭李街道")
	}
	food := h.itemNamed(t, "食品经营许可") // the city's, not 通办: every center of the city accepts it
	if page := h.seen(t, "/window/new?item="+url.QueryEscape(food), pengli); strings.Contains(page, "不通办") {
		t.Error("a township center is told it does not accept a city item")
	}
	if page := h.seen(t, "/window/new?item="+url.QueryEscape(land), h.approverOf(t, "clerk_zhanhua")); strings.Contains(page, "不通办") {
		t.Error("沾化区's center is told it does not accept its own item")
	}
}

// zhanhuaLand is 沾化区's own 国有建设用地使用权及房屋所有权首次登记 (its 不动产登记中心's, not 通办):
// accepted at 沾化区's centers only.
func (h *harness) zhanhuaLand(t *testing.T) string {
	t.Helper()
	derived, err := h.cat.Derived(context.Background(), h.itemNamed(t, "国有建设用地使用权及房屋所有权首次登记"))
	code := ""
	for _, d := range derived {
		if d.RegionCode == "371603000000" {
			code = d.Code
		}
	}
	if err != nil || code == "" {
		t.Fatalf("no 沾化区 首次登记: %v", err)
	}
	it, err := h.cat.Item(context.Background(), code)
	if err != nil || it.Tongban != "" || it.RegionCode != "371603000000" {
		t.Fatalf("the test needs 沾化区's item without 通办: %s %q %v", it.RegionCode, it.Tongban, err)
	}
	return it.Code
}

// TestWindowPageOfTheCityStandardAtZhanhuaShowsZhanhuasItem: 沾化区's clerk who opens the city's
// standard 不动产转移登记 by its code (a link, a bookmark) reads, before typing, the department
// and limit of 沾化区's own implementing item — the one the case will be made under.
func TestWindowPageOfTheCityStandardAtZhanhuaShowsZhanhuasItem(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		std := h.itemNamed(t, "不动产转移登记（存量房买卖）")
		derived, err := h.cat.Derived(context.Background(), std)
		var local catalog.Item
		for _, d := range derived {
			if d.RegionCode == "371603000000" {
				local, err = h.cat.Item(context.Background(), d.Code)
			}
		}
		if err != nil || local.Code == "" || local.Department.Name == "" {
			t.Fatalf("no 沾化区 不动产转移登记 in the demo: %v", err)
		}
		stdItem, _ := h.cat.Item(context.Background(), std)
		if stdItem.Department.Name == local.Department.Name {
			t.Fatalf("the test needs departments that differ: %s", local.Department.Name)
		}
		page := h.seen(t, "/window/new?item="+url.QueryEscape(std), h.approverOf(t, "clerk_zhanhua"))
		want := "审批地：沾化区 · " + local.Department.Name + " · "
		if !strings.Contains(page, want) || !strings.Contains(page, "审批地："+local.Department.Name+"（") || strings.Contains(page, stdItem.Department.Name) {
			t.Errorf("the city's standard at 沾化区 does not show 沾化区's department %s: %s", local.Department.Name, page)
		}
	})
}

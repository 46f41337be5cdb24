package web_test

import (
	"net/url"
	"strings"
	"testing"

	"banhao/identity"
)

// TestGrantFormReportsEveryErrorAtOnce: one submit of the grants form with a date that is no
// date, an end before today and a person who is no clerk shows every error by its label — the
// dates and the clerk together, not the clerk only after the dates are fixed.
func TestGrantFormReportsEveryErrorAtOnce(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	gjj := h.approverOf(t, "approver_gjj")
	form := url.Values{"username": {"approver"}, "department": {"GJJ"}, "kind": {"window"}, "starts_on": {"2026-13-40"}, "ends_on": {"2026-01-05"}}
	resp, page := h.postPage(t, gjj, "/office/grants", form, nil)
	if resp.StatusCode != 400 {
		t.Fatalf("a form with three errors: %d", resp.StatusCode)
	}
	text := visible(page)
	for _, want := range []string{`id="starts_on-error"`, `id="ends_on-error"`, `id="username-error"`} {
		if !strings.Contains(page, want) {
			t.Errorf("no %s: %s", want, text)
		}
	}
	for _, want := range []string{"日期须为 年-月-日", "授权结束日期已过", "只能授权综合窗口人员"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not say %q: %s", want, text)
		}
	}
	if strings.Contains(text, "请填写授权开始日期") {
		t.Errorf("the date typed is called missing too: %s", text)
	}

	// An end both before the start and past: one message at 结束日期, not two.
	form = url.Values{"username": {"clerk"}, "department": {"GJJ"}, "kind": {"window"}, "starts_on": {"2026-03-01"}, "ends_on": {"2026-01-05"}}
	resp, page = h.postPage(t, gjj, "/office/grants", form, nil)
	text = visible(page)
	if resp.StatusCode != 400 || !strings.Contains(text, "授权结束日期不能早于开始日期") || strings.Contains(text, "授权结束日期已过") {
		t.Errorf("an end before the start and past: %d %s", resp.StatusCode, text)
	}
}

// TestIntakeReportsFieldsAndMaterialsAtOnce: at the window, 受理 with an ID number that is no
// ID number and a required material not uploaded shows both errors after one submit, each by its
// label — not the ID number first and the missing material only once it is right.
func TestIntakeReportsFieldsAndMaterialsAtOnce(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	code := h.itemNamed(t, "社会保障卡申领")
	form := url.Values{"item": {code}, "applicant_type": {"person"}, "applicant_name": {"王五"}, "applicant_id_number": {"110105198001010000"},
		"applicant_phone": {"13805431235"}, "action": {"accept"}, "token": {"one-round"}}
	resp, page := h.postPage(t, clerk, "/window/cases", form, nil)
	if resp.StatusCode != 400 {
		t.Fatalf("an intake with two errors: %d", resp.StatusCode)
	}
	text := visible(page)
	if !strings.Contains(page, `id="applicant_id_number-error"`) || !strings.Contains(text, "必需材料，尚未提交，不能受理") {
		t.Errorf("one submit does not show both the ID number's and the material's error: %s", text)
	}
	if n := h.caseCount(t); n != 0 {
		t.Errorf("%d cases registered by a refused intake", n)
	}
}

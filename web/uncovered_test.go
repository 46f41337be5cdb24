package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
)

// TestDeadlinesWithoutNextYearsHolidaysWarnStaff: near the end of 2026, with the official
// schedule imported for 2025–2026 only, a case accepted on 2026-12-21 with 10 working days is due
// in January 2027: its page tells the clerk that day is counted without 2027's holidays, and the
// clerk's, the approver's and the supervisor's pages (case, /office, /supervise) say deadlines
// reaching 2027 are counted Monday to Friday only; a case due in 2026 says nothing of it. The
// admin keeps their own banner with the import link.
func TestDeadlinesWithoutNextYearsHolidaysWarnStaff(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	h.clock.Set(time.Date(2026, 12, 21, 9, 0, 0, 0, shanghai))
	clerk := h.staffSession(t, "clerk")
	accept := func(name string) cases.Case {
		t.Helper()
		it, err := h.cat.Item(context.Background(), h.itemNamed(t, name))
		if err != nil {
			t.Fatal(err)
		}
		file := h.uploadPDF(t, &clerk)
		var refs []cases.MaterialRef
		for _, m := range it.Materials {
			if m.Required && m.Source != catalog.SourceShared {
				refs = append(refs, cases.MaterialRef{MaterialID: m.ID, FileID: file})
			}
		}
		c, _, err := h.cases.Create(context.Background(), clerk.User.Actor(), cases.CreateInput{Item: it.Code, Channel: "window",
			Applicant: cases.Applicant{Type: "person", Name: demo.CitizenName, IDNumber: demo.CitizenID, Phone: "13805431234"},
			Materials: refs, Accept: &cases.AcceptInput{}}, "")
		if err != nil || c.Due == nil {
			t.Fatalf("%s: %v", name, err)
		}
		return c
	}
	late := accept("建设项目环境影响报告表审批") // 10 working days
	if !strings.HasPrefix(late.Due.String(), "2027-") {
		t.Fatalf("due %s, want a day in 2027", late.Due)
	}
	_, page := h.pageOf(t, clerk, "/cases/"+late.Number)
	if !strings.Contains(page, `id="due-uncovered"`) || !strings.Contains(visible(page), "2027 年节假日安排尚未导入，此日期暂按周一至周五计算") {
		t.Errorf("the case due in 2027 does not say its day is counted without 2027's holidays: %s", visible(page))
	}
	for _, seen := range []struct {
		sess identity.Session
		path string
	}{{clerk, "/cases/" + late.Number}, {h.staffSession(t, "approver"), "/office"}, {h.staffSession(t, "supervisor"), "/supervise"}} {
		_, page := h.pageOf(t, seen.sess, seen.path)
		if !strings.Contains(page, `id="deadlines-uncovered"`) || !strings.Contains(visible(page), "落在 2027 年的办理期限") {
			t.Errorf("%s on %s: no warning that 2027's deadlines are counted without its holidays: %s", seen.sess.User.Username, seen.path, visible(page))
		}
		if strings.Contains(page, `id="schedule-due"`) {
			t.Errorf("%s sees the admin's import banner", seen.sess.User.Username)
		}
	}
	soon := accept("社会保障卡申领") // 5 working days: 2026-12-28
	if _, page := h.pageOf(t, clerk, "/cases/"+soon.Number); strings.Contains(page, `id="due-uncovered"`) {
		t.Errorf("a case due in 2026 is said to be counted without 2027's holidays")
	}
	if _, page := h.pageOf(t, h.staffSession(t, "admin"), "/admin"); !strings.Contains(page, `id="schedule-due"`) || strings.Contains(page, `id="deadlines-uncovered"`) {
		t.Errorf("the admin's banner: %s", visible(page))
	}
}

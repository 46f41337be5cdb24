package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"os"
	"strings"
	"testing"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// officialCalendar is the shared file of the State Council's 2025–2026 schedules.
const officialCalendar = "/work/shared/data/cn-official-calendar-2025-2026.csv"

// TestCalendarImportRecomputesDeadlines: with 2026's schedule taken out (its rows imported as
// normal days), cases accepted on 2026-09-22 are counted Monday to Friday and say so; when the
// admin imports the official file on /admin/calendar, the open case's due day moves past 中秋
// and 国庆 (2026-10-06 → 2026-10-13), a suspended-and-resumed case keeps its paused days in the
// new count, the 告知承诺 post-check's deadline moves too; each says so on its timeline and in
// the audit log, the provisional-day note is gone from the case page and /office/postchecks, the
// admin's page says how many deadlines moved; importing the same file again moves nothing.
func TestCalendarImportRecomputesDeadlines(t *testing.T) {
	raw, err := os.ReadFile(officialCalendar)
	if err != nil {
		t.Skipf("the shared calendar file: %v", err)
	}
	var only2026, normal2026 strings.Builder
	only2026.WriteString("date,kind,name\n")
	normal2026.WriteString("date,kind,name\n")
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n")[1:] {
		if strings.HasPrefix(line, "2026-") {
			only2026.WriteString(line + "\n")
			f := strings.SplitN(line, ",", 3)
			normal2026.WriteString(f[0] + ",normal," + f[2] + "\n")
		}
	}
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		admin := h.staffSession(t, "admin")
		importCSV := func(csv string) map[string]any {
			t.Helper()
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			fw, _ := mw.CreateFormFile("file", "calendar.csv")
			fw.Write([]byte(csv))
			mw.WriteField("csrf", admin.CSRF)
			mw.Close()
			resp := h.do(t, "POST", "/admin/calendar/import", web.Page, &admin, &body, mw.FormDataContentType())
			resp.Body.Close()
			if resp.StatusCode != 303 {
				t.Fatalf("import: %d", resp.StatusCode)
			}
			_, page := h.pageOf(t, admin, resp.Header.Get("Location"))
			return map[string]any{"page": visible(page)}
		}
		// 2026 uncovered: every deadline this year is counted Monday to Friday.
		importCSV(normal2026.String())
		cal, _ := h.app.Calendar.Calendar(ctx)
		if cal.Covers(2026) {
			t.Fatal("2026 is still covered after its days were made normal")
		}

		h.clock.Set(time.Date(2026, 9, 22, 9, 0, 0, 0, shanghai)) // a Tuesday
		clerk := h.sessions[identity.Clerk]
		accept := func(name string) cases.Case {
			t.Helper()
			it, err := h.cat.Item(ctx, h.itemNamed(t, name))
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
			c, _, err := h.cases.Create(ctx, clerk.User.Actor(), cases.CreateInput{Item: it.Code, Channel: "window",
				Applicant: cases.Applicant{Type: "person", Name: demo.CitizenName, IDNumber: demo.CitizenID, Phone: "13805431234"},
				Materials: refs, Accept: &cases.AcceptInput{}}, "")
			if err != nil || c.Due == nil {
				t.Fatalf("%s: %v", name, err)
			}
			return c
		}
		open := accept("药品零售企业经营许可") // 10 working days
		if open.Due.String() != "2026-10-06" {
			t.Fatalf("counted Monday to Friday, due %s, want 2026-10-06", open.Due)
		}
		paused := accept("药品零售企业经营许可")
		approver := h.staffSession(t, "approver").User.Actor()
		if _, err := h.cases.Suspend(ctx, approver, paused.Number, cases.SuspendInput{Kind: "suspension", Reason: "等待现场核查结果"}); err != nil {
			t.Fatal(err)
		}
		code, refs := h.commitmentItem(t)
		promised := h.commitmentApplication(t, code, refs, cases.Decided).Number
		h.clock.Set(time.Date(2026, 9, 24, 9, 0, 0, 0, shanghai))
		if _, err := h.cases.Resume(ctx, approver, paused.Number, cases.ResumeInput{}); err != nil {
			t.Fatal(err)
		}
		before, _ := h.cases.Get(ctx, audit.System, paused.Number)
		if before.PausedWorkingDays != 2 || before.Due.String() != "2026-10-08" { // 10 + 2 days, Monday to Friday
			t.Fatalf("the resumed case: paused %d, due %s", before.PausedWorkingDays, before.Due)
		}
		pc, err := h.cases.PostCheckOf(ctx, promised)
		if err != nil || pc == nil {
			t.Fatalf("post-check: %v", err)
		}
		oldCheck := pc.Due
		_, page := h.pageOf(t, clerk, "/cases/"+open.Number)
		if !strings.Contains(page, `id="due-uncovered"`) || !strings.Contains(visible(page), "（"+calendar.UncoveredNote(2026)+"）") {
			t.Fatalf("before the import the case page does not say its day is provisional (in calendar.UncoveredNote's words): %s", visible(page))
		}
		_, page = h.pageOf(t, h.staffSession(t, "approver"), "/office/postchecks")
		if !strings.Contains(visible(page), "（"+calendar.UncoveredNote(2026)+"）") {
			t.Errorf("/office/postchecks before the import, in calendar.UncoveredNote's words: %s", visible(page))
		}

		// The admin imports the official file (2026's rows).
		got := importCSV(only2026.String())["page"].(string)
		if !strings.Contains(got, "已按新日历重新计算") {
			t.Errorf("the admin's page does not say deadlines were recomputed: %s", got)
		}
		want := func(from calendar.Date, days int) string {
			cal, _ := h.app.Calendar.Calendar(ctx)
			d, _ := cal.AddWorkingDays(from, days)
			return d.String()
		}
		for _, tc := range []struct {
			number string
			due    string
		}{{open.Number, "2026-10-13"}, {paused.Number, want(*paused.AcceptedOn, 12)}} {
			c, err := h.cases.Get(ctx, audit.System, tc.number)
			if err != nil {
				t.Fatal(err)
			}
			if c.Due == nil || c.Due.String() != tc.due {
				t.Errorf("%s: due %v after the import, want %s", tc.number, c.Due, tc.due)
			}
			var entry *cases.Event
			for i, e := range c.Timeline {
				if e.Action == "deadline_recompute" {
					entry = &c.Timeline[i]
				}
			}
			if entry == nil || !strings.Contains(entry.Text, "→ "+tc.due) || entry.Actor != "admin" {
				t.Errorf("%s: the timeline has no recompute entry to %s: %+v", tc.number, tc.due, c.Timeline)
			}
			_, page := h.pageOf(t, clerk, "/cases/"+tc.number)
			if strings.Contains(page, `id="due-uncovered"`) || strings.Contains(page, "尚未导入") || !strings.Contains(visible(page), "重新计算期限") {
				t.Errorf("%s: the case page after the import: %s", tc.number, visible(page))
			}
		}
		if want(*paused.AcceptedOn, 12) == before.Due.String() {
			t.Errorf("the paused case's new day is its old one: the test shows nothing")
		}
		pc, _ = h.cases.PostCheckOf(ctx, promised)
		if pc.Due == oldCheck || pc.Due.String() != want(pc.CreatedOn, 20) || pc.UncoveredYear != 0 {
			t.Errorf("the post-check: due %s (was %s), want %s", pc.Due, oldCheck, want(pc.CreatedOn, 20))
		}
		_, page = h.pageOf(t, h.staffSession(t, "approver"), "/office/postchecks")
		if strings.Contains(page, "尚未导入") || !strings.Contains(page, pc.Due.String()) {
			t.Errorf("/office/postchecks after the import: %s", visible(page))
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'case.deadline_recompute' AND object_id IN (?, ?, ?)`,
			open.Number, paused.Number, promised).Scan(&n); err != nil || n != 3 {
			t.Errorf("audit entries of the recompute: %d %v, want 3", n, err)
		}

		// The same file again: nothing moves, nothing is written.
		resp := h.do(t, "POST", "/api/v1/calendar/import", web.API, &admin, strings.NewReader(only2026.String()), "text/csv")
		var out struct {
			Days       int              `json:"days"`
			Recomputed cases.Recomputed `json:"recomputed"`
		}
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != 200 || out.Recomputed != (cases.Recomputed{}) {
			t.Errorf("the same import again: %d %+v", resp.StatusCode, out)
		}
	})
}

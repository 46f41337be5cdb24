package web_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"banhao/calendar"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

func TestCalendarAPI(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		admin := h.sessions[identity.Admin]
		due := func(from, days string) string {
			resp := h.do(t, "GET", "/api/v1/calendar/deadline?from="+from+"&days="+days, web.API, nil, nil, "")
			v := decode[struct{ From, Due string }](t, resp)
			return v.Due
		}
		if got := due("2026-09-30", "5"); got != "2026-10-13" {
			t.Fatalf("5 working days from 2026-09-30 = %s, want 2026-10-13", got)
		}
		if got := due("2026-02-13", "3"); got != "2026-02-25" {
			t.Fatalf("over the Spring Festival: %s, want 2026-02-25", got)
		}
		// Into a year whose holidays are not imported: the date, and that it is provisional.
		resp0 := h.do(t, "GET", "/api/v1/calendar/deadline?from=2026-12-06&days=20", web.API, nil, nil, "")
		next := decode[struct {
			Due           string
			UncoveredYear int    `json:"uncovered_year"`
			Note          string `json:"note"`
		}](t, resp0)
		if next.Due != "2027-01-01" || next.UncoveredYear != 2027 || !strings.Contains(next.Note, "尚未导入") {
			t.Fatalf("20 working days from 2026-12-06: %+v, want 2027-01-01 said to be provisional", next)
		}
		covered := decode[map[string]any](t, h.do(t, "GET", "/api/v1/calendar/deadline?from=2026-09-30&days=5", web.API, nil, nil, ""))
		if _, noted := covered["uncovered_year"]; noted {
			t.Fatalf("a due day in a covered year said to be provisional: %v", covered)
		}
		for _, bad := range []string{"from=2026-13-01&days=5", "from=2026-09-30&days=-1", "from=2026-09-30", "days=3"} {
			if resp := h.do(t, "GET", "/api/v1/calendar/deadline?"+bad, web.API, nil, nil, ""); resp.StatusCode != 400 {
				t.Errorf("%s: %d, want 400", bad, resp.StatusCode)
			}
		}
		// The admin declares an extra holiday: deadlines move at once.
		resp := h.do(t, "PUT", "/api/v1/calendar/days/2026-12-01", web.API, &admin, strings.NewReader(`{"kind":"holiday","name":"临时休息"}`), "application/json")
		if day := decode[struct {
			WorkingDay bool `json:"working_day"`
		}](t, resp); resp.StatusCode != 200 || day.WorkingDay {
			t.Fatalf("set holiday: %d %+v", resp.StatusCode, day)
		}
		if got := due("2026-11-30", "1"); got != "2026-12-02" {
			t.Fatalf("after the extra holiday: %s, want 2026-12-02", got)
		}
		if resp := h.do(t, "PUT", "/api/v1/calendar/days/2026-12-01", web.API, &admin, strings.NewReader(`{"kind":"vacation"}`), "application/json"); resp.StatusCode != 400 {
			t.Fatalf("bad kind: %d", resp.StatusCode)
		}
		// Next year's schedule is imported as a file.
		csv := "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节\n"
		resp = h.do(t, "POST", "/api/v1/calendar/import", web.API, &admin, strings.NewReader(csv), "text/csv")
		if resp.StatusCode != 200 {
			t.Fatalf("import: %d", resp.StatusCode)
		}
		days := decode[struct{ Days []struct{ Date, Kind string } }](t, h.do(t, "GET", "/api/v1/calendar/days?year=2027", web.API, nil, nil, ""))
		if len(days.Days) != 2 || days.Days[1].Kind != "workday" {
			t.Fatalf("2027 days: %+v", days.Days)
		}
		if got := due("2027-02-05", "1"); got != "2027-02-06" {
			t.Fatalf("imported make-up Saturday not counted: %s", got)
		}
		if n, err := h.log.Verify(t.Context(), db); err != nil || n == 0 {
			t.Fatalf("audit: %v", err)
		}
	})
}

// TestScheduleDueWarnsTheAdmin: while the official schedule of the year that deadlines now run
// into is missing, every admin page says so (and no one else's); importing it ends the warning.
func TestScheduleDueWarnsTheAdmin(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		admin, clerk := h.sessions[identity.Admin], h.sessions[identity.Clerk]
		year, due := calendar.ScheduleDue(calendar.New(calendar.Official()), calendar.DateOf(h.srv.Now(), shanghai))
		page := func(sess identity.Session, path string) string {
			resp := h.do(t, "GET", path, web.Page, &sess, nil, "")
			body, _ := io.ReadAll(resp.Body)
			return string(body)
		}
		banner := fmt.Sprintf(`id="schedule-due">%d 年`, year)
		if got := strings.Contains(page(admin, "/admin"), banner); got != due {
			t.Fatalf("admin page shows the %d warning: %v, want %v", year, got, due)
		}
		if strings.Contains(page(clerk, "/window"), `id="schedule-due"`) {
			t.Fatal("a clerk sees the calendar warning")
		}
		if !due {
			return
		}
		day := fmt.Sprintf("/api/v1/calendar/days/%d-01-01", year)
		if resp := h.do(t, "PUT", day, web.API, &admin, strings.NewReader(`{"kind":"holiday","name":"元旦"}`), "application/json"); resp.StatusCode != 200 {
			t.Fatalf("set New Year's Day: %d", resp.StatusCode)
		}
		if strings.Contains(page(admin, "/admin/calendar"), banner) {
			t.Fatalf("the %d warning stays after its schedule was entered", year)
		}
	})
}

package cases_test

import (
	"context"
	"testing"

	"banhao/calendar"
	"banhao/cases"
	"banhao/store"
)

// TestPostCheckFiguresByPeriod: a post-check completed early counts in the period of its
// completion, not of its due day; one completed late counts where completed, not on time; an open
// one counts (late) in the period of its due day once that day has passed, and one still in time
// nowhere. For every period of whole days in the month the figures equal a count over the checks
// by the pure rule (PostCheckPeriod), on both engines.
func TestPostCheckFiguresByPeriod(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-12-15", 10)
		today := calendar.MustDate("2026-12-15")
		d := func(s string) *calendar.Date { v := calendar.MustDate(s); return &v }
		checks := []cases.PostCheck{
			{CaseNumber: "early", Due: *d("2026-12-20"), Status: cases.PostCheckTrue, CheckedOn: d("2026-12-08")},
			{CaseNumber: "ontime", Due: *d("2026-12-09"), Status: cases.PostCheckFalse, CheckedOn: d("2026-12-09")},
			{CaseNumber: "late", Due: *d("2026-12-10"), Status: cases.PostCheckTrue, CheckedOn: d("2026-12-12")},
			{CaseNumber: "overdue", Due: *d("2026-12-11"), Status: cases.PostCheckOpen},
			{CaseNumber: "intime", Due: *d("2026-12-30"), Status: cases.PostCheckOpen},
			{CaseNumber: "duetoday", Due: *d("2026-12-15"), Status: cases.PostCheckOpen},
		}
		for _, p := range checks {
			var checked any
			if p.CheckedOn != nil {
				checked = p.CheckedOn.String()
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO post_checks (case_number, department_code, item_code, item_name, applicant_name, created_on, due, status, checked_on)
				VALUES (?, 'XZSP', 'I', '食品经营许可', '某公司', '2026-11-20', ?, ?, ?)`, p.CaseNumber, p.Due.String(), p.Status, checked); err != nil {
				t.Fatal(err)
			}
		}
		early := calendar.MustDate("2026-12-08")
		if due, onTime, err := e.svc.PostCheckFigures(ctx, early, early); err != nil || due != 1 || onTime != 1 {
			t.Errorf("the day the early check was done: %d/%d %v, want 1/1", onTime, due, err)
		}
		if due, _, _ := e.svc.PostCheckFigures(ctx, *d("2026-12-20"), *d("2026-12-20")); due != 0 {
			t.Errorf("the early check's due day counts it again: %d", due)
		}
		if due, onTime, _ := e.svc.PostCheckFigures(ctx, *d("2026-12-10"), *d("2026-12-12")); due != 2 || onTime != 0 {
			t.Errorf("12-10..12-12 (done late, open past due): %d/%d, want 0/2", onTime, due)
		}
		first := calendar.MustDate("2026-12-01")
		for from := first; from <= first+30; from++ {
			for to := from; to <= first+30; to++ {
				wantDue, wantOn := 0, 0
				for _, p := range checks {
					if day, ok := cases.PostCheckPeriod(p, today); ok && day >= from && day <= to {
						wantDue++
						if p.Status != cases.PostCheckOpen && *p.CheckedOn <= p.Due {
							wantOn++
						}
					}
				}
				due, onTime, err := e.svc.PostCheckFigures(ctx, from, to)
				if err != nil || due != wantDue || onTime != wantOn {
					t.Fatalf("%s..%s: %d/%d %v, want %d/%d", from, to, onTime, due, err, wantOn, wantDue)
				}
			}
		}
	})
}

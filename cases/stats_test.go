package cases_test

import (
	"context"
	"testing"

	"banhao/calendar"
	"banhao/cases"
	"banhao/store"
	"banhao/store/storetest"
)

// TestOnTimeRate: a case decided on its due day is on time, one decided the working day after
// is late, one still in progress is neither; the statistics count them and give the rate.
func TestOnTimeRate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)              // the clock stands at 2026-09-30 10:00
		code := e.itemCode(t, "企业设立登记") // 1 working day, XZSP
		file := e.upload(t)
		var refs []cases.MaterialRef
		for _, id := range []string{"m1", "m2", "m3", "m4", "m5"} {
			refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
		}
		var numbers []string
		for range 3 {
			c, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs, Accept: &cases.Input{}}, "")
			if err != nil {
				t.Fatal(err)
			}
			if *c.Due != calendar.MustDate("2026-10-08") { // National Day lies between
				t.Fatalf("due %v, want 2026-10-08", c.Due)
			}
			numbers = append(numbers, c.Number)
		}
		e.clk.set("2026-10-08", 16)
		onTime := mustAct(t, e, approver, numbers[0], cases.Decide, cases.Input{Decision: "approved"})
		if onTime.DecidedOn == nil || *onTime.DecidedOn != calendar.MustDate("2026-10-08") {
			t.Fatalf("decided on %v, want 2026-10-08", onTime.DecidedOn)
		}
		e.clk.set("2026-10-09", 9)
		mustAct(t, e, approver, numbers[1], cases.Decide, cases.Input{Decision: "denied", Reason: "材料不符合要求"})

		rows, err := e.svc.Stats(ctx, "department", calendar.MustDate("2026-09-30"), calendar.MustDate("2026-09-30"))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Key != "XZSP" {
			t.Fatalf("rows %+v, want one XZSP row", rows)
		}
		r := rows[0]
		if r.Submitted != 3 || r.Decided != 2 || r.InProgress != 1 || r.OnTime != 1 || r.Late != 1 || r.Red != 1 {
			t.Fatalf("XZSP row %+v: want 3 submitted, 2 decided (1 on time, 1 late), 1 in progress and overdue", r)
		}
		if r.OnTimeRate == nil || *r.OnTimeRate != 0.5 || r.OnTimePercent() != "50.0%" {
			t.Fatalf("on-time rate %v (%s), want 0.5", r.OnTimeRate, r.OnTimePercent())
		}
		if total := cases.Total(rows); total.OnTimePercent() != "50.0%" {
			t.Fatalf("total rate %s", total.OnTimePercent())
		}
		none, err := e.svc.Stats(ctx, "item", calendar.MustDate("2026-10-01"), calendar.MustDate("2026-10-07"))
		if err != nil || len(none) != 0 || cases.Total(none).OnTimePercent() != "—" {
			t.Fatalf("an empty period: %+v %v", none, err)
		}
	})
}

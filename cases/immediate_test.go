package cases_test

import (
	"context"
	"testing"

	"banhao/cases"
	"banhao/store"
)

// TestImmediateRate (即办率): of the cases of a 即办 item (个体工商户设立登记) accepted on Thursday
// 2026-11-26, one is decided that day, one on Friday and one not at all; one accepted on Friday
// is decided on Friday. A case of an item decided by approval (企业变更登记) the same day does not
// count. On Thursday evening only the decided case counts (the others may still be decided that
// day); from Friday on, Thursday's three count. Any period of whole days is exact.
func TestImmediateRate(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		immediate, approval := e.itemCode(t, "个体工商户设立登记"), e.itemCode(t, "企业变更登记")
		file := e.upload(t)
		accept := func(code string) string {
			t.Helper()
			refs := []cases.MaterialRef{{MaterialID: "m1", FileID: file}, {MaterialID: "m2", FileID: file}, {MaterialID: "m3", FileID: file}}
			c, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs, Accept: &cases.AcceptInput{}}, "")
			if err != nil || c.Status != cases.Accepted {
				t.Fatalf("accept %s: %v", code, err)
			}
			return c.Number
		}
		decide := func(n string) { mustAct(t, e, approver, n, cases.DecisionInput{Decision: "approved"}) }
		rate := func(from, to string) cases.ImmediateFigures {
			t.Helper()
			f, err := e.svc.ImmediateStats(ctx, mustDate(from), mustDate(to), "")
			if err != nil {
				t.Fatal(err)
			}
			return f
		}

		e.clk.set("2026-11-26", 10)
		sameDay, nextDay, never := accept(immediate), accept(immediate), accept(immediate)
		mustAct(t, e, approver, accept(approval), cases.DecisionInput{Decision: "denied", Reason: "不符合条件"}) // 审批: not counted
		_ = never
		e.clk.set("2026-11-26", 16)
		decide(sameDay)
		if f := rate("2026-11-26", "2026-11-26"); f.Accepted != 1 || f.SameDay != 1 || f.RateText() != "100.0%（1/1）" {
			t.Errorf("Thursday evening: %+v %s, want 1 of 1 (the others may still be decided today)", f, f.RateText())
		}

		e.clk.set("2026-11-27", 10)
		decide(nextDay)
		friday := accept(immediate)
		if f := rate("2026-11-26", "2026-11-26"); f.Accepted != 3 || f.SameDay != 1 || f.RateText() != "33.3%（1/3）" {
			t.Errorf("Thursday seen on Friday: %+v %s, want 1 of 3", f, f.RateText())
		}
		if f := rate("2026-11-27", "2026-11-27"); f.Accepted != 0 || f.RateText() != "—" {
			t.Errorf("Friday morning: %+v, want none yet", f)
		}
		decide(friday)
		if f := rate("2026-11-27", "2026-11-30"); f.Accepted != 1 || f.SameDay != 1 {
			t.Errorf("Friday on: %+v, want 1 of 1", f)
		}
		if f := rate("2026-11-01", "2026-11-30"); f.Accepted != 4 || f.SameDay != 2 || f.RateText() != "50.0%（2/4）" {
			t.Errorf("November: %+v %s, want 2 of 4", f, f.RateText())
		}
		if f, err := e.svc.ImmediateStats(ctx, mustDate("2026-11-01"), mustDate("2026-11-30"), "GJJ"); err != nil || f.Accepted != 0 {
			t.Errorf("another department: %+v %v", f, err)
		}
		if _, err := e.svc.ImmediateStats(ctx, mustDate("2026-11-30"), mustDate("2026-11-01"), ""); err == nil {
			t.Error("a period ending before it starts is counted")
		}
	})
}

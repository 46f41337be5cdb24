package cases_test

import (
	"context"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/errs"
	"banhao/store"
)

// TestOnTimeRate: a case decided on its due day is on time, one decided the working day after
// is late, one still in progress is neither; the statistics count them and give the rate.
func TestOnTimeRate(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
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
			c, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs, Accept: &cases.AcceptInput{}}, "")
			if err != nil {
				t.Fatal(err)
			}
			if *c.Due != calendar.MustDate("2026-10-08") { // National Day lies between
				t.Fatalf("due %v, want 2026-10-08", c.Due)
			}
			numbers = append(numbers, c.Number)
		}
		e.clk.set("2026-10-08", 16)
		onTime := mustAct(t, e, approver, numbers[0], cases.DecisionInput{Decision: "approved"})
		if onTime.DecidedOn == nil || *onTime.DecidedOn != calendar.MustDate("2026-10-08") {
			t.Fatalf("decided on %v, want 2026-10-08", onTime.DecidedOn)
		}
		e.clk.set("2026-10-09", 9)
		mustAct(t, e, approver, numbers[1], cases.DecisionInput{Decision: "denied", Reason: "材料不符合要求"})

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

// statsItem is an item the exactness test applies for, with a complete set of materials.
type statsItem struct {
	code, dept string
	refs       []cases.MaterialRef
	deferrable string // a material that may be deferred (容缺), if any
	terminates bool   // a missed 容缺 commitment ends the case
}

// statsItems picks items of different departments from the demo catalog, and 建筑工程施工许可证核发
// (a missed commitment ends its case).
func statsItems(t *testing.T, e *env) []statsItem {
	t.Helper()
	ctx := context.Background()
	res, err := e.cat.Search(ctx, catalog.Query{Limit: 400})
	if err != nil {
		t.Fatal(err)
	}
	file := e.upload(t)
	var out []statsItem
	seen := map[string]bool{}
	for _, s := range res.Items {
		it, err := e.cat.Item(ctx, s.Code)
		if err != nil || !it.PromisedLimit.IsSet() || len(it.Materials) == 0 || it.HandlingMode == catalog.ModeCommitment { // 告知承诺: promise_test.go
			continue
		}
		terminates := it.DeferredPolicy == "terminate"
		if seen[it.Department.Code] && !terminates || len(out) >= 8 && !terminates {
			continue
		}
		si := statsItem{code: it.Code, dept: it.Department.Code, terminates: terminates}
		for _, m := range it.Materials {
			switch {
			case m.Required && m.Deferrable && si.deferrable == "":
				si.deferrable = m.ID
			case m.Required && m.Source != catalog.SourceShared:
				si.refs = append(si.refs, cases.MaterialRef{MaterialID: m.ID, FileID: file})
			}
		}
		if si.deferrable != "" {
			si.refs = append(si.refs, cases.MaterialRef{MaterialID: si.deferrable, FileID: file})
		}
		seen[it.Department.Code] = true
		out = append(out, si)
	}
	if len(out) < 6 {
		t.Fatalf("only %d items to apply for", len(out))
	}
	return out
}

// directStats counts the cases themselves, as the statistics did before they were kept: the
// answer the kept figures must give.
func directStats(t *testing.T, db *store.DB, by string, from, to, today calendar.Date) map[string]cases.StatsRow {
	t.Helper()
	key, name := "department_code", "''"
	if by == "item" {
		key, name = "item_code", "MAX(item_name)"
	}
	rows, err := db.QueryContext(context.Background(), `SELECT `+key+`, `+name+`, COUNT(*),
		SUM(CASE WHEN status IN ('submitted', 'correction', 'accepted', 'suspended') THEN 1 ELSE 0 END),
		SUM(CASE WHEN status IN ('decided', 'delivered') THEN 1 ELSE 0 END),
		SUM(CASE WHEN status IN ('rejected', 'withdrawn', 'terminated') THEN 1 ELSE 0 END),
		SUM(CASE WHEN status = 'accepted' AND yellow_from <= ? AND red_from > ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN status = 'accepted' AND red_from <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on <= due THEN 1 ELSE 0 END),
		SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on > due THEN 1 ELSE 0 END)
		FROM cases WHERE submitted_at >= ? AND submitted_at < ? AND (bundle_code IS NULL OR parent_number IS NOT NULL)
		GROUP BY `+key, today, today, today, from.Time(shanghai).UTC(), to.AddDays(1).Time(shanghai).UTC())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]cases.StatsRow{}
	for rows.Next() {
		var r cases.StatsRow
		if err := rows.Scan(&r.Key, &r.Name, &r.Submitted, &r.InProgress, &r.Decided, &r.Rejected, &r.Yellow, &r.Red, &r.OnTime, &r.Late); err != nil {
			t.Fatal(err)
		}
		out[r.Key] = r
	}
	return out
}

// sameStats compares the kept figures of a period with a count over the cases, every column.
func sameStats(t *testing.T, e *env, from, to calendar.Date) (submitted int) {
	t.Helper()
	today := calendar.DateOf(e.clk.now(), shanghai)
	for _, by := range []string{"department", "item"} {
		got, err := e.svc.Stats(context.Background(), by, from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := directStats(t, e.db, by, from, to, today)
		if len(got) != len(want) {
			t.Fatalf("%s–%s by %s: %d rows, a count over the cases gives %d", from, to, by, len(got), len(want))
		}
		for _, g := range got {
			w := want[g.Key]
			if by == "department" {
				w.Name = g.Name
			}
			g.OnTimeRate = nil
			if g != w {
				t.Fatalf("%s–%s by %s, %s:\n kept   %+v\n counted %+v", from, to, by, g.Key, g, w)
			}
			if by == "item" {
				submitted += g.Submitted
			}
		}
	}
	sameCenterLines(t, e, from, to) // and the centers' lines (centerstats_test.go)
	return submitted
}

// TestStatsAreTheCountOverTheCases: cases created through the service over six weeks (across
// National Day and around midnight), in many departments and items, moved through every kind of
// step — accepted, corrected, decided on time and late, rejected, withdrawn, suspended and
// resumed, delivered, ended for a missed 容缺 commitment, and bundles whose children count and
// whose parents do not — give, for random periods, the same figures from the kept lines as a
// count over the cases; and so do the lines rebuilt by the migration's backfill.
func TestStatsAreTheCountOverTheCases(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		items := statsItems(t, e)
		rng := rand.New(rand.NewPCG(13, 13))
		status := map[string]cases.Status{}
		dept := map[string]string{}
		var numbers, deferred []string
		act := func(by audit.Actor, number string, in cases.ActionInput) {
			t.Helper()
			c, err := e.svc.Act(ctx, by, number, in)
			if _, domain := errs.As(err); err != nil && !domain {
				t.Fatalf("%T %s: %v", in, number, err)
			}
			if err == nil {
				status[number] = c.Status
			}
		}
		first := calendar.MustDate("2026-09-21")
		last := first + 41
		for day := first; day <= last; day++ {
			for _, hour := range []int{0, 9, 15, 23} { // 00:xx and 23:xx in Shanghai lie on other UTC days
				e.clk.set(day.String(), hour)
				for range 1 + rng.IntN(3) {
					it := items[rng.IntN(len(items))]
					in := cases.CreateInput{Item: it.code, Applicant: person, Materials: it.refs}
					if rng.IntN(3) == 0 {
						in.Accept = &cases.AcceptInput{}
					}
					if it.terminates && rng.IntN(2) == 0 {
						in.Materials = slices.DeleteFunc(slices.Clone(it.refs), func(m cases.MaterialRef) bool { return m.MaterialID == it.deferrable })
						in.Accept = &cases.AcceptInput{Deferred: []cases.DeferInput{{MaterialID: it.deferrable, Due: day}}}
					}
					c, _, err := e.svc.Create(ctx, clerk, in, "")
					if err != nil {
						t.Fatalf("create %s: %v", it.code, err)
					}
					numbers, status[c.Number], dept[c.Number] = append(numbers, c.Number), c.Status, it.dept
					if in.Accept != nil && len(in.Accept.Deferred) > 0 {
						deferred = append(deferred, c.Number)
					}
				}
				if hour == 9 && day%9 == 0 { // 开办企业: a parent and five children
					p, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Bundle: "KBQY", Applicant: cases.Applicant{Type: "organization",
						Name: "滨州示例科技有限公司", IDNumber: "91350100M000100Y43", Phone: "13805431234"}, Form: companyForm, Materials: bundleMaterials(t, e, "KBQY")}, "")
					if err != nil {
						t.Fatal(err)
					}
					act(clerk, p.Number, cases.AcceptInput{})
					for _, k := range p.Children {
						numbers, status[k.Number], dept[k.Number] = append(numbers, k.Number), cases.Accepted, k.Department
					}
				}
				for _, n := range numbers {
					if rng.IntN(4) != 0 {
						continue
					}
					officer := approverOf(dept[n])
					switch r := rng.IntN(100); status[n] {
					case cases.Submitted:
						switch {
						case r < 50:
							act(clerk, n, cases.AcceptInput{})
						case r < 65:
							act(clerk, n, cases.CorrectionInput{Missing: []string{"m1"}})
						case r < 75:
							act(clerk, n, cases.RejectInput{Reason: "不属于受理范围", Basis: "《行政许可法》第三十二条"})
						case r < 80:
							act(clerk, n, cases.WithdrawInput{Reason: "申请人撤回"})
						}
					case cases.Correction:
						act(clerk, n, cases.SupplyInput{Materials: []cases.MaterialRef{{MaterialID: "m1", FileID: items[0].refs[0].FileID}}})
					case cases.Accepted:
						switch {
						case r < 35:
							act(officer, n, cases.DecisionInput{Decision: "approved"})
						case r < 45:
							act(officer, n, cases.DecisionInput{Decision: "denied", Reason: "不符合条件"})
						case r < 52:
							act(officer, n, cases.SuspendInput{Kind: "suspension", Reason: "依法中止"})
						case r < 55:
							act(clerk, n, cases.WithdrawInput{Reason: "申请人撤回"})
						}
					case cases.Suspended:
						if r < 50 {
							act(officer, n, cases.ResumeInput{})
						}
					case cases.Decided:
						if r < 50 {
							act(clerk, n, cases.DeliveryInput{Method: "window"})
						}
					}
				}
			}
			if day%10 == 0 { // the fold job now and then: the checks below read lines and deltas both
				if _, err := cases.FoldStats(ctx, db); err != nil {
					t.Fatal(err)
				}
			}
			for _, n := range deferred { // the sweep: missed commitments end their cases
				if _, err := e.svc.RaiseWarnings(ctx, n); err != nil {
					t.Fatal(err)
				}
			}
		}
		count := map[cases.Status]int{}
		var terminated int
		for _, n := range numbers {
			c, err := e.svc.Get(ctx, super, n)
			if err != nil {
				t.Fatal(err)
			}
			count[c.Status]++
			if c.Status == cases.Terminated {
				terminated++
			}
		}
		t.Logf("%d cases: %v", len(numbers), count)
		for _, s := range []cases.Status{cases.Submitted, cases.Correction, cases.Accepted, cases.Suspended, cases.Decided, cases.Delivered,
			cases.Rejected, cases.Withdrawn, cases.Terminated} {
			if count[s] == 0 {
				t.Fatalf("no case ended %s: the test does not cover every status (%v)", s, count)
			}
		}
		check := func() {
			t.Helper()
			whole := sameStats(t, e, first, last)
			rows, err := e.svc.Stats(ctx, "department", first, last)
			if err != nil {
				t.Fatal(err)
			}
			if total := cases.Total(rows); whole == 0 || total.OnTime == 0 || total.Late == 0 || total.Red == 0 {
				t.Fatalf("the period's total %+v: the test should count cases on time, late and overdue", total)
			}
			for range 25 {
				from := first + calendar.Date(rng.IntN(int(last-first)+1))
				to := from + calendar.Date(rng.IntN(int(last-from)+1))
				sameStats(t, e, from, to)
			}
			days, err := e.svc.Daily(ctx, first, last)
			if err != nil {
				t.Fatal(err)
			}
			sum := 0
			for _, d := range days {
				sum += d.Submitted
			}
			if len(days) != int(last-first)+1 || sum != whole {
				t.Fatalf("per day: %d days adding up to %d cases, want %d days and %d", len(days), sum, int(last-first)+1, whole)
			}
		}
		check()
		// The same on a later day: yellow and red move with today, the kept lines do not.
		e.clk.set(last.AddDays(5).String(), 10)
		check()
		// Everything folded: the same.
		if _, err := cases.FoldStats(ctx, db); err != nil {
			t.Fatal(err)
		}
		check()
		// The migration's backfill builds the same lines from the cases.
		if _, err := db.ExecContext(ctx, `UPDATE case_stats SET submitted = submitted + 1000`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE case_stats_month SET late = late + 1000`); err != nil {
			t.Fatal(err)
		}
		if err := cases.RebuildStats(ctx, db); err != nil {
			t.Fatal(err)
		}
		check()
	})
}

// TestBackfillIsTheMigrations: RebuildStats runs the very statement migration 00019 ran.
func TestBackfillIsTheMigrations(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b, err := fs.ReadFile(store.MigrationsFS(d), "00019_supervision_stats.sql")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), cases.BackfillStats[d]) {
			t.Errorf("%s: migration 00019 does not contain cases.BackfillStats", d)
		}
	}
}

// TestPiecesCoverThePeriodOnce: for every period of up to a year and a bit, the days the pieces
// add and take away leave each day of the period counted once and every other day not at all,
// and a year reads at most 13 months and 31 days' lines.
func TestPiecesCoverThePeriodOnce(t *testing.T) {
	start := calendar.MustDate("2025-12-20")
	for from := start; from < start+70; from++ {
		for to := from; to < from+400; to += 1 + calendar.Date(int(to-from)/40) {
			count := map[calendar.Date]int{}
			days := 0
			for _, p := range cases.Pieces(from, to) {
				var lo, hi calendar.Date
				if p.Month { // from the first of the first month to the last of the last
					lo, hi = calendar.MustDate(p.From+"-01"), calendar.MustDate(p.To+"-01").AddDays(40)
					hi = calendar.MustDate(hi.String()[:7]+"-01") - 1
				} else {
					lo, hi = calendar.MustDate(p.From), calendar.MustDate(p.To)
					days += int(hi-lo) + 1
				}
				for d := lo; d <= hi; d++ {
					count[d] += p.Sign
				}
			}
			for d, n := range count {
				if inside := d >= from && d <= to; inside && n != 1 || !inside && n != 0 {
					t.Fatalf("%s–%s: day %s counted %d times (%+v)", from, to, d, n, cases.Pieces(from, to))
				}
			}
			if int(to-from) >= 360 && days > 31 {
				t.Fatalf("%s–%s reads %d days' lines", from, to, days)
			}
		}
	}
}

package cases_test

import (
	"context"
	"fmt"
	"testing"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/demo"
	"banhao/errs"
	"banhao/store"
)

const (
	binchengCenter = "ZWFW-371602"
	zhanhuaCenter  = "ZWFW-371603"
	bincheng       = "371602000000"
)

var clerkZhanhua = audit.Actor{Username: "clerk_zhanhua", Role: "clerk", Center: zhanhuaCenter}

// rowOf finds a center's or region's row.
func rowOf(t *testing.T, rows []cases.CenterStatsRow, kind, code string) cases.CenterStatsRow {
	t.Helper()
	for _, r := range rows {
		if r.Kind == kind && r.Code == code {
			return r
		}
	}
	t.Fatalf("no %s row %s in %d rows", kind, code, len(rows))
	return cases.CenterStatsRow{}
}

// TestCenterStatsAcceptHereDecideThere: a 彭李街道 acceptance of a 沾化区 case counts as accepted
// here for others at 彭李 (and on 滨城区's row, which 彭李 lies in), and as decided here for
// others at 沾化区's center and on 沾化区's row; a 沾化区 case accepted in 沾化区 is for nobody else.
// The figures are the same before and after the fold, and after a rebuild from the cases; a
// period without the day counts nothing.
func TestCenterStatsAcceptHereDecideThere(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		svc := e.networked(t)
		day := calendar.MustDate("2026-11-26")
		e.clk.set(day.String(), 10)
		c := e.routedCase(t, svc, cases.CreateInput{})
		code := c.Item
		if _, err := svc.Act(ctx, rsjZhanhua, c.Number, cases.DecisionInput{Decision: "approved"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Create(ctx, clerkZhanhua, cases.CreateInput{Item: code, Applicant: person, Materials: e.allMaterials(t, clerkZhanhua, code),
			Accept: &cases.AcceptInput{}}, ""); err != nil {
			t.Fatal(err)
		}
		check := func(when string) {
			t.Helper()
			rows, err := svc.CenterStats(ctx, super, day, day, "")
			if err != nil {
				t.Fatal(err)
			}
			pengli := rowOf(t, rows, "center", demo.PengliCenter)
			if pengli.Accepted != 1 || pengli.AcceptedForOthers != 1 || pengli.DecidedForOthers != 0 || pengli.OnTimePercent() != "100.0%" {
				t.Errorf("%s: 彭李街道: %+v", when, pengli)
			}
			zh := rowOf(t, rows, "center", zhanhuaCenter)
			if zh.Accepted != 1 || zh.AcceptedForOthers != 0 || zh.DecidedForOthers != 1 || zh.OnTimePercent() != "—" {
				t.Errorf("%s: 沾化区中心: %+v", when, zh)
			}
			if r := rowOf(t, rows, "region", bincheng); r.Accepted != 1 || r.AcceptedForOthers != 1 || r.DecidedForOthers != 0 {
				t.Errorf("%s: 滨城区: %+v", when, r)
			}
			if r := rowOf(t, rows, "region", zhanhua); r.Accepted != 1 || r.AcceptedForOthers != 0 || r.DecidedForOthers != 1 {
				t.Errorf("%s: 沾化区: %+v", when, r)
			}
			if r := rowOf(t, rows, "region", city); r.Accepted != 2 || r.AcceptedForOthers != 0 || r.DecidedForOthers != 0 {
				t.Errorf("%s: 滨州市 (everything inside): %+v", when, r)
			}
			if r := rowOf(t, rows, "center", binchengCenter); r.Accepted != 0 || r.DecidedForOthers != 0 {
				t.Errorf("%s: 滨城区中心 neither accepted nor decided: %+v", when, r)
			}
			other, err := svc.CenterStats(ctx, super, day.AddDays(1), day.AddDays(40), "")
			if err != nil {
				t.Fatal(err)
			}
			if r := rowOf(t, other, "region", city); r.Accepted != 0 || r.DecidedForOthers != 0 {
				t.Errorf("%s: a period without the day: %+v", when, r)
			}
		}
		// The department figures over what each supervisor oversees: 沾化区's 人社局 decides both
		// cases; 滨城区's supervisor oversees none of its departments' cases.
		for _, tc := range []struct {
			by    audit.Actor
			depts []string
			daily int
		}{
			{super, []string{"RSJ-371603"}, 2},
			{audit.Actor{Username: "s_zh", Role: "supervisor", Center: zhanhuaCenter}, []string{"RSJ-371603"}, 2},
			{audit.Actor{Username: "s_bc", Role: "supervisor", Center: binchengCenter}, nil, 0},
		} {
			rows, err := svc.StatsFor(ctx, tc.by, "department", day, day)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.Key)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.depts) {
				t.Errorf("%s's departments: %v, want %v", tc.by.Username, got, tc.depts)
			}
			days, err := svc.DailyFor(ctx, tc.by, day, day)
			if err != nil || len(days) != 1 || days[0].Submitted != tc.daily {
				t.Errorf("%s's day: %v %v, want %d", tc.by.Username, days, err, tc.daily)
			}
		}
		check("before the fold")
		if n, err := cases.FoldStats(ctx, db); err != nil || n == 0 {
			t.Fatalf("fold: %d %v", n, err)
		}
		check("after the fold")
		if err := cases.RebuildStats(ctx, db); err != nil {
			t.Fatal(err)
		}
		check("after a rebuild from the cases")
	})
}

// TestCenterStatsScope: a supervisor of a county center sees that county's centers and the
// townships below, not another county; the city's (no center, or the main center) sees all; a
// region outside the supervisor's is refused, and so is a clerk.
func TestCenterStatsScope(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		svc := e.networked(t)
		day := calendar.MustDate("2026-11-26")
		e.clk.set(day.String(), 10)
		codes := func(by audit.Actor, region string) (map[string]bool, error) {
			rows, err := svc.CenterStats(ctx, by, day, day, region)
			out := map[string]bool{}
			for _, r := range rows {
				out[r.Code] = true
			}
			return out, err
		}
		binSuper := audit.Actor{Username: "supervisor_bincheng", Role: "supervisor", Center: binchengCenter}
		got, err := codes(binSuper, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{bincheng, binchengCenter, demo.PengliCenter} {
			if !got[want] {
				t.Errorf("滨城区 supervisor does not see %s: %v", want, got)
			}
		}
		for _, not := range []string{zhanhua, zhanhuaCenter, city} {
			if got[not] {
				t.Errorf("滨城区 supervisor sees %s: %v", not, got)
			}
		}
		_, err = codes(binSuper, zhanhua)
		if e, ok := errs.As(err); !ok || e.Code != errs.CodeForbidden || e.Message != "您只能查看滨城区及其下级中心的统计，沾化区不在其内" {
			t.Errorf("滨城区 supervisor asking for 沾化区: %v", err)
		}
		if got, err := codes(binSuper, "371602005000"); err != nil || !got[demo.PengliCenter] || got[binchengCenter] {
			t.Errorf("滨城区 supervisor narrowing to 彭李街道: %v %v", got, err)
		}
		zhAdmin := audit.Actor{Username: "admin_zhanhua", Role: "admin", Center: zhanhuaCenter}
		if got, err := codes(zhAdmin, ""); err != nil || !got[zhanhuaCenter] || got[demo.PengliCenter] || got[binchengCenter] {
			t.Errorf("沾化区 admin: %v %v", got, err)
		}
		for _, citywide := range []audit.Actor{super, {Username: "s2", Role: "supervisor", Center: demo.CenterCode}} {
			if got, err := codes(citywide, ""); err != nil || !got[city] || !got[zhanhuaCenter] || !got[demo.PengliCenter] {
				t.Errorf("city supervisor %+v: %v %v", citywide, got, err)
			}
		}
		if _, err := codes(clerkZhanhua, ""); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("a clerk reading the centers' figures: %v", err)
		}
		if _, err := codes(super, "371699999000"); !errs.Is(err, errs.CodeInvalid) {
			t.Errorf("an unknown region: %v", err)
		}
	})
}

// sameCenterLines compares the kept center lines of a period with a count over the cases.
func sameCenterLines(t *testing.T, e *env, from, to calendar.Date) {
	t.Helper()
	got, err := cases.CenterCounts(context.Background(), e.svc, from, to)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.db.QueryContext(context.Background(), `SELECT accepted_center, deciding_region, COUNT(*),
		SUM(CASE WHEN status IN ('submitted', 'correction', 'accepted', 'suspended') THEN 1 ELSE 0 END),
		SUM(CASE WHEN status IN ('decided', 'delivered') THEN 1 ELSE 0 END),
		SUM(CASE WHEN status IN ('rejected', 'withdrawn', 'terminated') THEN 1 ELSE 0 END),
		SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on <= due THEN 1 ELSE 0 END),
		SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on > due THEN 1 ELSE 0 END)
		FROM cases WHERE submitted_at >= ? AND submitted_at < ? AND (bundle_code IS NULL OR parent_number IS NOT NULL)
		GROUP BY accepted_center, deciding_region`, from.Time(shanghai).UTC(), to.AddDays(1).Time(shanghai).UTC())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[[2]string][6]int{}
	for rows.Next() {
		var k [2]string
		var n [6]int
		if err := rows.Scan(&k[0], &k[1], &n[0], &n[1], &n[2], &n[3], &n[4], &n[5]); err != nil {
			t.Fatal(err)
		}
		want[k] = n
	}
	if len(got) != len(want) {
		t.Fatalf("%s–%s: %d center lines kept, a count over the cases gives %d: %v / %v", from, to, len(got), len(want), got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Fatalf("%s–%s, center %q region %q:\n kept    %v\n counted %v", from, to, k[0], k[1], got[k], w)
		}
	}
}

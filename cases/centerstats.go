package cases

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"banhao/audit"
	"banhao/calendar"
	"banhao/errs"
	"banhao/identity"
	"banhao/network"
	"banhao/store"
)

// The network's figures (市县乡 one network: 收受分离 seen from each center): per accepting
// center and deciding region, kept exactly as the department and item figures are — one line per
// day of submission, accepting center and deciding region in center_stats (and
// center_stats_month), every move of a case appended to center_stats_delta in its transaction
// and folded by FoldStats, every read adding the rows not yet folded in the same statement (see
// "How the lines stay exact" in stats.go). A case written without a route (an installation
// without centers, a bundle) has "" for its center and region: the main center's.

// centerKey is a line of center_stats (day "2026-03-09").
type centerKey struct{ day, center, region string }

// countCenter adds after − before to a center line, written just before the commit.
func (s *Service) countCenter(tx *store.Tx, k centerKey, before, after line) {
	var d line
	zero := true
	for i := range d {
		d[i] = after[i] - before[i]
		zero = zero && d[i] == 0
	}
	if zero {
		return
	}
	batchCenterStats.Add(tx, func(all *map[centerKey]*line) {
		if *all == nil {
			*all = map[centerKey]*line{}
		}
		e := (*all)[k]
		if e == nil {
			e = &line{}
			(*all)[k] = e
		}
		for i := range d {
			e[i] += d[i]
		}
	})
}

// batchCenterStats are the center lines the commands of a transaction moved.
var batchCenterStats = store.NewBatchValue("center stats", func(ctx context.Context, tx *store.Tx, all *map[centerKey]*line) error {
	keys := make([]centerKey, 0, len(*all))
	for k, d := range *all {
		if *d != (line{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b centerKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.center, b.center), cmp.Compare(a.region, b.region))
	})
	for _, k := range keys {
		n := (*all)[k]
		err := tx.ExecLater(ctx, `INSERT INTO center_stats_delta (day, accepted_center, deciding_region, `+statsColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, k.day, k.center, k.region, n[0], n[1], n[2], n[3], n[4], n[5])
		if err != nil {
			return fmt.Errorf("center statistics %v: %w", k, err)
		}
	}
	return nil
})

// backfillCenterStats are the statements of migration 00034 that build center_stats from the
// cases (days in China Standard Time) and center_stats_month from the days.
var backfillCenterStats = map[store.Dialect]string{
	store.SQLite:   centerBackfill(`date(substr(submitted_at, 1, 19), '+8 hours')`),
	store.Postgres: centerBackfill(`to_char(submitted_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`),
}

func centerBackfill(day string) string {
	return `DELETE FROM center_stats_delta;
DELETE FROM center_stats;
DELETE FROM center_stats_month;
INSERT INTO center_stats (day, accepted_center, deciding_region, submitted, in_progress, decided, rejected, on_time, late)
SELECT ` + day + `, accepted_center, deciding_region, COUNT(*),
    SUM(CASE WHEN status IN ('submitted', 'correction', 'accepted', 'suspended') THEN 1 ELSE 0 END),
    SUM(CASE WHEN status IN ('decided', 'delivered') THEN 1 ELSE 0 END),
    SUM(CASE WHEN status IN ('rejected', 'withdrawn', 'terminated') THEN 1 ELSE 0 END),
    SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on <= due THEN 1 ELSE 0 END),
    SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on > due THEN 1 ELSE 0 END)
FROM cases WHERE bundle_code IS NULL OR parent_number IS NOT NULL
GROUP BY 1, 2, 3;
INSERT INTO center_stats_month (month, accepted_center, deciding_region, submitted, in_progress, decided, rejected, on_time, late)
SELECT substr(day, 1, 7), accepted_center, deciding_region, SUM(submitted), SUM(in_progress), SUM(decided), SUM(rejected), SUM(on_time), SUM(late)
FROM center_stats GROUP BY 1, 2, 3`
}

// CenterLine is what the cases accepted at one center and decided in one region add up to in a
// period.
type CenterLine struct {
	Center, Region string
	n              line
}

// CenterStatsRow is one center, or one region's centers added up, in a period: how many cases
// were accepted there (受理), of which decided by another region (代收: accepted here for others),
// how many cases accepted elsewhere its region decided (代办: decided here for others), the
// on-time rate of the cases accepted there, and the people waiting in its halls now.
type CenterStatsRow struct {
	Kind       string `json:"kind"` // "region": the centers of the region and below added up; "center"
	Code       string `json:"code"` // the center's code, or the region's area code
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
	Level      string `json:"level"`
	Depth      int    `json:"-"` // for indenting: 0 the top region
	// Accepted counts the cases submitted in the period that this center (the region's centers)
	// accepted; AcceptedForOthers those of them another region decides.
	Accepted          int `json:"accepted"`
	AcceptedForOthers int `json:"accepted_for_others"`
	// DecidedForOthers counts the cases submitted in the period that this center's region (the
	// region and those below it) decides and another region's center accepted.
	DecidedForOthers int `json:"decided_for_others"`
	InProgress       int `json:"in_progress"`
	Decided          int `json:"decided"`
	OnTime           int `json:"on_time"`
	Late             int `json:"late"`
	// OnTimeRate is OnTime over the accepted cases decided, absent while none is.
	OnTimeRate *float64 `json:"on_time_rate"`
	// Waiting is how many people wait in the halls now (absent: no halls); AvgWaitMinutes the
	// average wait of those called today (centers only).
	Waiting        *int     `json:"waiting"`
	AvgWaitMinutes *float64 `json:"avg_wait_minutes,omitempty"`
}

// OnTimePercent is the on-time rate as a percentage with one decimal, or "—".
func (r CenterStatsRow) OnTimePercent() string {
	return StatsRow{OnTimeRate: r.OnTimeRate}.OnTimePercent()
}

// NetworkFigures lays a period's lines out per center and per region, in the order of the tree
// (a region's row, its own centers, then the regions below), over what scope covers ("" all;
// see network.SupervisedRegion). Regions of county level and above get a row when a center lies
// in them; a township's center is its own row. At a center, "for others" means decided by
// another region than the center's; for a region's row, by a region outside it (a township
// center accepting for its county is 代收 on the township's row, not on the county's). Lines of
// center "" (and region "") are the main center's (its region's).
func NetworkFigures(lines []CenterLine, centers []network.Center, regions []network.Region, scope string, waits map[string]network.Waiting) []CenterStatsRow {
	main, _ := network.MainCenter(centers)
	regionOf := map[string]string{}
	for _, c := range centers {
		regionOf[c.Code] = c.RegionCode
	}
	waits, lines = maps.Clone(waits), slices.Clone(lines) // the caller's stay as they were
	for i := range lines {
		if lines[i].Center == "" {
			lines[i].Center = main.Code
		}
		if lines[i].Region == "" {
			lines[i].Region = main.RegionCode
		}
	}
	if w, ok := waits[""]; ok && main.Code != "" { // halls older than the centers
		m := waits[main.Code]
		m.People += w.People
		if m.AvgWaitMinutes == nil {
			m.AvgWaitMinutes = w.AvgWaitMinutes
		}
		waits[main.Code] = m
	}
	within := func(code, region string) bool { return code == region || network.Within(code, region) }
	add := func(r *CenterStatsRow, l CenterLine) {
		r.Accepted += l.n[0]
		r.InProgress += l.n[1]
		r.Decided += l.n[2]
		r.OnTime += l.n[4]
		r.Late += l.n[5]
	}
	finish := func(r *CenterStatsRow) {
		if n := r.OnTime + r.Late; n > 0 {
			v := float64(r.OnTime) / float64(n)
			r.OnTimeRate = &v
		}
	}
	centerRow := func(c network.Center, depth int) CenterStatsRow {
		r := CenterStatsRow{Kind: "center", Code: c.Code, Name: c.Name, RegionCode: c.RegionCode, Level: c.Level, Depth: depth}
		for _, l := range lines {
			if l.Center == c.Code {
				add(&r, l)
				if l.Region != c.RegionCode {
					r.AcceptedForOthers += l.n[0]
				}
			}
		}
		// 代办 is counted at the region's main center only (a region with one center: that one).
		var here []network.Center
		for _, o := range centers {
			if o.RegionCode == c.RegionCode {
				here = append(here, o)
			}
		}
		if m, ok := network.MainCenter(here); ok && m.Code == c.Code {
			for _, l := range lines {
				if l.Region == c.RegionCode && regionOf[l.Center] != c.RegionCode {
					r.DecidedForOthers += l.n[0]
				}
			}
		}
		if w, ok := waits[c.Code]; ok {
			n := w.People
			r.Waiting, r.AvgWaitMinutes = &n, w.AvgWaitMinutes
		}
		finish(&r)
		return r
	}
	regionRow := func(reg network.Region, depth int) CenterStatsRow {
		r := CenterStatsRow{Kind: "region", Code: reg.Code, Name: reg.Name, RegionCode: reg.Code, Level: reg.Level, Depth: depth}
		for _, l := range lines {
			in, decidedIn := within(regionOf[l.Center], reg.Code), within(l.Region, reg.Code)
			if in {
				add(&r, l)
				if !decidedIn {
					r.AcceptedForOthers += l.n[0]
				}
			} else if decidedIn {
				r.DecidedForOthers += l.n[0]
			}
		}
		for _, c := range centers {
			if w, ok := waits[c.Code]; ok && within(c.RegionCode, reg.Code) {
				n := w.People
				if r.Waiting != nil {
					n += *r.Waiting
				}
				r.Waiting = &n
			}
		}
		finish(&r)
		return r
	}
	hasCenter := func(code string) bool {
		return slices.ContainsFunc(centers, func(c network.Center) bool { return within(c.RegionCode, code) })
	}
	children := map[string][]network.Region{}
	var roots []network.Region
	known := map[string]bool{}
	for _, reg := range regions {
		known[reg.Code] = true
	}
	sorted := slices.Clone(regions)
	slices.SortFunc(sorted, func(a, b network.Region) int { return strings.Compare(a.Code, b.Code) })
	for _, reg := range sorted {
		if known[reg.Parent] && reg.Parent != reg.Code {
			children[reg.Parent] = append(children[reg.Parent], reg)
		} else {
			roots = append(roots, reg)
		}
	}
	out := []CenterStatsRow{}
	var walk func(reg network.Region, depth int)
	walk = func(reg network.Region, depth int) {
		if !hasCenter(reg.Code) {
			return
		}
		shown := network.Oversees(scope, reg.Code)
		if shown {
			if network.Rank(reg.Level) <= network.Rank(network.County) {
				out = append(out, regionRow(reg, depth))
			}
			for _, c := range centers {
				if c.RegionCode == reg.Code {
					out = append(out, centerRow(c, depth+1))
				}
			}
			depth++
		}
		for _, ch := range children[reg.Code] {
			walk(ch, depth)
		}
	}
	for _, reg := range roots {
		walk(reg, 0)
	}
	return out
}

// CenterStats are the network's figures of the cases submitted from from to to (inclusive
// days), per center and per region, for a supervisor or an admin: over the region they oversee
// (network.SupervisedRegion — a county center's account sees its county and the townships
// below), narrowed to region when one is given (which must lie in it).
func (s *Service) CenterStats(ctx context.Context, by audit.Actor, from, to calendar.Date, region string) (_ []CenterStatsRow, err error) {
	defer errs.Wrap(&err, "cases.CenterStats")
	if r := identity.Role(by.Role); r != identity.Supervisor && r != identity.Admin {
		return nil, errs.Forbidden("只有电子监察和管理员可以查看各中心的统计")
	}
	if err := CheckPeriod(from, to); err != nil {
		return nil, err
	}
	centers, err := s.net.Centers(ctx)
	if err != nil {
		return nil, err
	}
	regions, err := s.net.Regions(ctx)
	if err != nil {
		return nil, err
	}
	scope := network.SupervisedRegion(centers, by.Center)
	if region = strings.TrimSpace(region); region != "" {
		reg, err := s.net.Region(ctx, region)
		if err != nil {
			if errs.Is(err, errs.CodeNotFound) {
				return nil, errs.Invalid("region", fmt.Sprintf("区划 %s 不存在", errs.Short(region)))
			}
			return nil, err
		}
		if !network.Oversees(scope, region) {
			name := scope
			if r, err := s.net.Region(ctx, scope); err == nil {
				name = r.Name
			}
			return nil, errs.Forbidden(fmt.Sprintf("您只能查看%s及其下级中心的统计，%s不在其内", name, reg.Name))
		}
		scope = region
	}
	lines, err := s.centerLines(ctx, from, to)
	if err != nil {
		return nil, err
	}
	waits, err := s.net.Waits(ctx)
	if err != nil {
		return nil, err
	}
	return NetworkFigures(lines, centers, regions, scope, waits), nil
}

// centerLines reads a period's center lines: the sums of its lines in center_stats (and
// center_stats_month) with the rows of center_stats_delta not yet folded, in one statement.
func (s *Service) centerLines(ctx context.Context, from, to calendar.Date) ([]CenterLine, error) {
	var union []string
	var args []any
	sum := func(sign string) string {
		return sign + `SUM(submitted), ` + sign + `SUM(in_progress), ` + sign + `SUM(decided), ` + sign + `SUM(rejected), ` + sign + `SUM(on_time), ` + sign + `SUM(late)`
	}
	for _, p := range Pieces(from, to) {
		table, key, sign := "center_stats", "day", ""
		if p.Month {
			table, key = "center_stats_month", "month"
		}
		if p.Sign < 0 {
			sign = "-"
		}
		union = append(union, `SELECT accepted_center, deciding_region, `+sum(sign)+` FROM `+table+` WHERE `+key+` >= ? AND `+key+` <= ? GROUP BY accepted_center, deciding_region`)
		args = append(args, p.From, p.To)
	}
	union = append(union, `SELECT accepted_center, deciding_region, `+sum("")+` FROM center_stats_delta WHERE day >= ? AND day <= ? GROUP BY accepted_center, deciding_region`)
	args = append(args, from.String(), to.String())
	rows, err := s.db.QueryContext(ctx, strings.Join(union, " UNION ALL "), args...)
	if err != nil {
		return nil, fmt.Errorf("center statistics: %w", err)
	}
	defer rows.Close()
	at := map[[2]string]int{}
	var out []CenterLine
	for rows.Next() {
		var l CenterLine
		if err := rows.Scan(&l.Center, &l.Region, &l.n[0], &l.n[1], &l.n[2], &l.n[3], &l.n[4], &l.n[5]); err != nil {
			return nil, err
		}
		k := [2]string{l.Center, l.Region}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, l)
			continue
		}
		for j := range l.n {
			out[i].n[j] += l.n[j]
		}
	}
	return out, rows.Err()
}

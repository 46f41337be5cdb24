package cases

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"banhao/calendar"
	"banhao/errs"
	"banhao/store"
)

// StatsRow counts the cases of one department or item submitted in a period, by where they
// stand today: the supervisors' view (电子监察).
type StatsRow struct {
	Key        string `json:"key"`
	Name       string `json:"name"`
	Submitted  int    `json:"submitted"`
	InProgress int    `json:"in_progress"` // submitted, in correction, accepted or suspended
	Decided    int    `json:"decided"`     // decided or delivered
	Rejected   int    `json:"rejected"`    // rejected, withdrawn or terminated
	Yellow     int    `json:"yellow"`      // accepted and near the deadline
	Red        int    `json:"red"`         // accepted and past the deadline
	OnTime     int    `json:"on_time"`     // decided on or before the due day
	Late       int    `json:"late"`        // decided after the due day
	// OnTimeRate is OnTime over the cases decided (按时办结率), absent while none is.
	OnTimeRate *float64 `json:"on_time_rate"`
}

// rate fills OnTimeRate from the counts.
func (r *StatsRow) rate() {
	r.OnTimeRate = nil
	if n := r.OnTime + r.Late; n > 0 {
		v := float64(r.OnTime) / float64(n)
		r.OnTimeRate = &v
	}
}

// OnTimePercent is the on-time rate as a percentage with one decimal, or "—".
func (r StatsRow) OnTimePercent() string {
	if r.OnTimeRate == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *r.OnTimeRate*100)
}

// The statistics are kept as cases move (case_stats): one line per day of submission (in the
// center's time zone), department and item, counting the cases submitted that day by where they
// stand now. Every change of a case's status, decision day or due day moves its count from one
// column to another in the same transaction (as a row appended to case_stats_delta, folded into
// the lines by a job: see "How the lines stay exact" below), so any period of whole days is a sum
// of lines, exact on both engines. Bundles' parents are left out (their children count). Yellow and red
// depend on today: they are counted from the accepted cases that are warned (index
// cases_warning), few at any time.

// line is what one case adds to its line of case_stats, in the order of the columns below.
type line [6]int

const statsColumns = `submitted, in_progress, decided, rejected, on_time, late`

// lineOf is the rule: a case counts as submitted, in one phase by its status, and once decided,
// on time (decided on or before its due day) or late.
func lineOf(status Status, decided, due *calendar.Date) line {
	l := line{1}
	switch status {
	case Submitted, Correction, Accepted, Suspended:
		l[1] = 1
	case Decided, Delivered, Revoked: // a revoked approval was decided (and counted) before
		l[2] = 1
	case Rejected, Withdrawn, Terminated:
		l[3] = 1
	}
	if decided != nil && due != nil {
		if *decided <= *due {
			l[4] = 1
		} else {
			l[5] = 1
		}
	}
	return l
}

// statsKey is a line of case_stats (day "2026-03-09") or case_stats_month (day "2026-03").
type statsKey struct{ day, department, item string }

// statsDelta is what a transaction adds to a line.
type statsDelta struct {
	name string // the item's name as the case has it (the line keeps the greatest, as MAX did)
	n    line
}

// countNew records in tx a case just written (a bundle's parent counts nothing).
func (s *Service) countNew(tx *store.Tx, n newCase, submitted time.Time) {
	if n.bundle != nil && n.parent == nil {
		return
	}
	k := statsKey{calendar.DateOf(submitted, s.loc).String(), n.item.Department.Code, n.item.Code}
	s.countDelta(tx, k, n.item.Name, line{}, lineOf(n.status, nil, nil))
	c := centerKey{day: k.day, region: n.item.RegionCode} // as insertCase writes them ("": the main center's)
	if r := n.route; r != nil {
		c.center, c.region = r.AcceptedCenter, cmp.Or(r.Region, c.region)
	}
	s.countCenter(tx, c, line{}, lineOf(n.status, nil, nil))
}

// countMove records in tx that case c (as read at the start of the step) changes to status,
// decided and due.
func (s *Service) countMove(tx *store.Tx, c Case, status Status, decided, due *calendar.Date) {
	if c.isParent() {
		return
	}
	k := statsKey{calendar.DateOf(c.SubmittedAt, s.loc).String(), c.Department.Code, c.Item}
	before, after := lineOf(c.Status, c.DecidedOn, c.Due), lineOf(status, decided, due)
	s.countDelta(tx, k, c.ItemName, before, after)
	s.countCenter(tx, centerKey{k.day, c.AcceptedCenter, c.DecidingRegion}, before, after)
}

// countDelta adds after − before to a line. The lines of a command join the transaction's once
// the command has succeeded, and are written just before the commit (writeStats).
func (s *Service) countDelta(tx *store.Tx, k statsKey, name string, before, after line) {
	var d line
	zero := true
	for i := range d {
		d[i] = after[i] - before[i]
		zero = zero && d[i] == 0
	}
	if zero {
		return
	}
	batchStats.Add(tx, func(all *map[statsKey]*statsDelta) {
		if *all == nil {
			*all = map[statsKey]*statsDelta{}
		}
		addDelta(*all, k, name, d)
	})
}

// batchStats are the day lines the commands of a transaction that succeeded moved, appended
// just before the commit (writeStats).
var batchStats = store.NewBatchValue("case stats", func(ctx context.Context, tx *store.Tx, all *map[statsKey]*statsDelta) error {
	return writeStats(ctx, tx, *all)
})

func addDelta(m map[statsKey]*statsDelta, k statsKey, name string, d line) {
	e := m[k]
	if e == nil {
		e = &statsDelta{name: name}
		m[k] = e
	}
	e.name = max(e.name, name)
	for i := range d {
		e.n[i] += d[i]
	}
}

// How the lines stay exact without being a point of contention:
//
//   - A transaction never updates a line. Just before its commit it appends what it moved, one
//     row of case_stats_delta per day line (writeStats) — under SQLite's group commit one per
//     line for the whole batch. Appended rows are nobody else's, so concurrent intakes of one
//     item on one day do not wait for each other. (They did when each transaction upserted the
//     day's and the month's line: on PostgreSQL every other intake of that item queued on the two
//     row locks for the time a commit takes.)
//   - FoldStats, run every FoldEvery on each node that works jobs, adds the rows to case_stats
//     and case_stats_month and deletes them, in one transaction.
//   - Every read (Figures, Daily) adds the rows not yet folded to the lines in the same SQL
//     statement. A statement reads one snapshot on both engines, and a fold commits its
//     additions and its deletions at once, so a read sees each change exactly once: still in
//     case_stats_delta, or already in the lines.

// writeStats appends the day lines a transaction moved to case_stats_delta, in key order.
func writeStats(ctx context.Context, tx *store.Tx, all map[statsKey]*statsDelta) error {
	keys := make([]statsKey, 0, len(all))
	for k, d := range all {
		if d.n != (line{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b statsKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.department, b.department), cmp.Compare(a.item, b.item))
	})
	for _, k := range keys {
		d := all[k]
		err := tx.ExecLater(ctx, `INSERT INTO case_stats_delta (day, department_code, item_code, item_name, `+statsColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, k.day, k.department, k.item, d.name, d.n[0], d.n[1], d.n[2], d.n[3], d.n[4], d.n[5])
		if err != nil {
			return fmt.Errorf("case statistics %v: %w", k, err)
		}
	}
	return nil
}

// FoldEvery is how often case_stats_delta is folded into the lines (a loop of the job runner, app.New).
const FoldEvery = 5 * time.Second

// foldLock is the PostgreSQL advisory lock (per transaction) that lets one fold or rebuild run at
// a time.
const foldLock = `SELECT pg_advisory_xact_lock(4242019)`

// keptLines names one family of kept figures: its day lines, its month lines, and the delta rows
// folded into both. The case figures (case_stats) and the network's (center_stats,
// centerstats.go) are two of them and fold alike.
type keptLines struct {
	day, month, delta string
	keys              string // the columns that, with the day or month, name a line
	name              string // a column kept as the greatest seen (as the backfill's MAX), or ""
}

var (
	caseLines   = keptLines{day: "case_stats", month: "case_stats_month", delta: "case_stats_delta", keys: "department_code, item_code", name: "item_name"}
	centerLines = keptLines{day: "center_stats", month: "center_stats_month", delta: "center_stats_delta", keys: "accepted_center, deciding_region"}
)

// foldInto adds the rows of from (the delta table, or the rows a statement deleted from it),
// summed per line, to table's lines: a day line (key "day", expr "day") or a month line (key
// "month", expr "substr(day, 1, 7)").
func (k keptLines) foldInto(table, key, expr, from string) string {
	add := func(c string) string { return c + ` = ` + table + `.` + c + ` + excluded.` + c }
	cols, sel, set := k.keys, k.keys, ""
	if k.name != "" {
		cols += ", " + k.name
		sel += ", MAX(" + k.name + ")"
		set = k.name + ` = CASE WHEN excluded.` + k.name + ` > ` + table + `.` + k.name + ` THEN excluded.` + k.name + ` ELSE ` + table + `.` + k.name + ` END,
	`
	}
	return `INSERT INTO ` + table + ` (` + key + `, ` + cols + `, ` + statsColumns + `)
	SELECT ` + expr + `, ` + sel + `, SUM(submitted), SUM(in_progress), SUM(decided), SUM(rejected), SUM(on_time), SUM(late)
	FROM ` + from + ` WHERE true GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
	ON CONFLICT (` + key + `, ` + k.keys + `) DO UPDATE SET
	` + set + strings.Join([]string{add("submitted"), add("in_progress"), add("decided"), add("rejected"), add("on_time"), add("late")}, ", ")
}

// fold is the family's fold for each engine: first, a query that returns how many rows the fold
// takes, then the rest.
//
// PostgreSQL: after the lock, one statement deletes the rows it sees and adds exactly those to
// both kinds of lines; rows that commit meanwhile are not in its snapshot and stay for the next
// fold. (Separate statements would each see a newer snapshot under READ COMMITTED and could
// delete a row never added.) SQLite: the writer holds the database for the whole transaction, so
// nothing is appended between the statements.
func (k keptLines) fold() map[store.Dialect]store.Fold {
	return map[store.Dialect]store.Fold{
		store.Postgres: {Lock: foldLock, Count: `WITH d AS (DELETE FROM ` + k.delta + ` RETURNING *),
	days AS (` + k.foldInto(k.day, "day", "day", "d") + `),
	months AS (` + k.foldInto(k.month, "month", "substr(day, 1, 7)", "d") + `)
	SELECT COUNT(*) FROM d`},
		store.SQLite: {Count: `SELECT COUNT(*) FROM ` + k.delta, Then: []string{
			k.foldInto(k.day, "day", "day", k.delta),
			k.foldInto(k.month, "month", "substr(day, 1, 7)", k.delta),
			`DELETE FROM ` + k.delta}},
	}
}

// foldStats and foldCenterStats are FoldStats' statements.
var (
	foldStats       = caseLines.fold()
	foldCenterStats = centerLines.fold()
)

// FoldStats adds the rows of case_stats_delta to the lines and deletes them, in one transaction,
// then those of center_stats_delta to theirs, and says how many rows it folded. The figures read the same before and after. Safe to run at
// any time, on several nodes at once (PostgreSQL: one at a time, by an advisory lock).
func FoldStats(ctx context.Context, db *store.DB) (_ int, err error) {
	defer errs.Wrap(&err, "cases.FoldStats")
	n, err := foldStats[db.Dialect].Run(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("fold case statistics: %w", err)
	}
	m, err := foldCenterStats[db.Dialect].Run(ctx, db) // the centers' lines (centerstats.go)
	if err != nil {
		return n, fmt.Errorf("fold center statistics: %w", err)
	}
	return n + m, nil
}

// BackfillStats are the statements of migration 00019 that build case_stats from the cases table
// (days in China Standard Time, as the default BANHAO_TZ) and case_stats_month from the days;
// RebuildStats runs them again.
var BackfillStats = map[store.Dialect]string{
	store.SQLite: `INSERT INTO case_stats (day, department_code, item_code, item_name, submitted, in_progress, decided, rejected, on_time, late)
SELECT date(substr(submitted_at, 1, 19), '+8 hours'), department_code, item_code, MAX(item_name), COUNT(*),
    SUM(CASE WHEN status IN ('submitted', 'correction', 'accepted', 'suspended') THEN 1 ELSE 0 END),
    SUM(CASE WHEN status IN ('decided', 'delivered') THEN 1 ELSE 0 END),
    SUM(CASE WHEN status IN ('rejected', 'withdrawn', 'terminated') THEN 1 ELSE 0 END),
    SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on <= due THEN 1 ELSE 0 END),
    SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on > due THEN 1 ELSE 0 END)
FROM cases WHERE bundle_code IS NULL OR parent_number IS NOT NULL
GROUP BY 1, 2, 3;
INSERT INTO case_stats_month (month, department_code, item_code, item_name, submitted, in_progress, decided, rejected, on_time, late)
SELECT substr(day, 1, 7), department_code, item_code, MAX(item_name), SUM(submitted), SUM(in_progress), SUM(decided), SUM(rejected), SUM(on_time), SUM(late)
FROM case_stats GROUP BY 1, 2, 3;`,
	store.Postgres: `INSERT INTO case_stats (day, department_code, item_code, item_name, submitted, in_progress, decided, rejected, on_time, late)
SELECT to_char(submitted_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), department_code, item_code, MAX(item_name), COUNT(*),
    SUM(CASE WHEN status IN ('submitted', 'correction', 'accepted', 'suspended') THEN 1 ELSE 0 END),
    SUM(CASE WHEN status IN ('decided', 'delivered') THEN 1 ELSE 0 END),
    SUM(CASE WHEN status IN ('rejected', 'withdrawn', 'terminated') THEN 1 ELSE 0 END),
    SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on <= due THEN 1 ELSE 0 END),
    SUM(CASE WHEN decided_on IS NOT NULL AND due IS NOT NULL AND decided_on > due THEN 1 ELSE 0 END)
FROM cases WHERE bundle_code IS NULL OR parent_number IS NOT NULL
GROUP BY 1, 2, 3;
INSERT INTO case_stats_month (month, department_code, item_code, item_name, submitted, in_progress, decided, rejected, on_time, late)
SELECT substr(day, 1, 7), department_code, item_code, MAX(item_name), SUM(submitted), SUM(in_progress), SUM(decided), SUM(rejected), SUM(on_time), SUM(late)
FROM case_stats GROUP BY 1, 2, 3;`,
}

// RebuildStats recomputes case_stats and case_stats_month from the cases, as the migration did,
// and drops the rows not yet folded (the cases hold them already). For after a bulk load, with no
// intake running: on PostgreSQL a change committed while it runs may be counted twice or not at
// all.
func RebuildStats(ctx context.Context, db *store.DB) (err error) {
	defer errs.Wrap(&err, "cases.RebuildStats")
	return db.Tx(ctx, func(tx *store.Tx) error {
		qs := []string{`DELETE FROM case_stats_delta`, `DELETE FROM case_stats`, `DELETE FROM case_stats_month`}
		if db.Dialect == store.Postgres {
			qs = append([]string{foldLock}, qs...)
		}
		qs = append(qs, strings.Split(BackfillStats[db.Dialect], ";")...)
		for _, q := range append(qs, strings.Split(backfillCenterStats[db.Dialect], ";")...) {
			if strings.TrimSpace(q) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}

// Stats groups the cases submitted between from and to (inclusive days) by "department" or
// "item", bundles' parent cases left out (their children count), busiest first.
func (s *Service) Stats(ctx context.Context, by string, from, to calendar.Date) (_ []StatsRow, err error) {
	defer errs.Wrap(&err, "cases.Stats")
	if by != "department" && by != "item" {
		return nil, errs.Invalid("by", "统计方式须为按部门或按事项")
	}
	f, err := s.Figures(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return f.By(by), nil
}

// Figures are the counts of a period per department and item.
type Figures struct {
	lines []figure
	depts map[string]string // code → name
}

// figure counts the cases of one item of one department.
type figure struct {
	dept, item string
	StatsRow
}

// MaxPeriodDays is the longest period of the statistics: a year, counted with both its first and
// its last day (a leap year's 366 days; 2026-01-01 to 2026-12-31 is 365).
const MaxPeriodDays = 366

// CheckPeriod is the rule of a statistics period: the last day not before the first, and at most
// MaxPeriodDays days, both ends counted.
func CheckPeriod(from, to calendar.Date) error {
	if to < from {
		return errs.Invalid("to", "截止日期不能早于起始日期")
	}
	if n := int(to-from) + 1; n > MaxPeriodDays {
		return errs.Invalid("to", fmt.Sprintf("统计期间最长一年：含起止两日不超过 %d 天，现为 %d 天", MaxPeriodDays, n))
	}
	return nil
}

// Piece is a range of lines of the statistics that a period adds (Sign 1) or takes away (−1):
// days of case_stats, or months ("2026-03") of case_stats_month.
type Piece struct {
	Month    bool
	From, To string
	Sign     int
}

// Pieces covers the days from–to with as few lines as it can: the whole months inside, and at
// each end either the period's days of that month, or the whole month less the days outside the
// period, whichever reads fewer lines. A year is then about 12 months and up to 30 days instead
// of 365 days.
func Pieces(from, to calendar.Date) []Piece {
	monthOf := func(d calendar.Date) calendar.Date {
		t := d.Time(time.UTC)
		return calendar.MakeDate(t.Year(), t.Month(), 1)
	}
	nextMonth := func(m calendar.Date) calendar.Date { return monthOf(m.AddDays(31)) }
	days := func(lo, hi calendar.Date, sign int) Piece {
		return Piece{From: lo.String(), To: hi.String(), Sign: sign}
	}
	var out []Piece
	var months []calendar.Date // whole months added
	for m := monthOf(from); m <= to; m = nextMonth(m) {
		end := nextMonth(m) - 1
		lo, hi := max(m, from), min(end, to)
		inside := int(hi-lo) + 1
		outside := int(end-m) + 1 - inside
		if outside >= inside-1 && outside > 0 { // reading the days is no dearer
			out = append(out, days(lo, hi, 1))
			continue
		}
		months = append(months, m)
		if lo > m {
			out = append(out, days(m, lo-1, -1))
		}
		if hi < end {
			out = append(out, days(hi+1, end, -1))
		}
	}
	if len(months) > 0 {
		out = append(out, Piece{Month: true, From: months[0].String()[:7], To: months[len(months)-1].String()[:7], Sign: 1})
	}
	return out
}

// Figures reads a period's counts: the sums of its lines in case_stats (and case_stats_month)
// with the rows of case_stats_delta not yet folded, and today's warnings.
func (s *Service) Figures(ctx context.Context, from, to calendar.Date) (_ Figures, err error) {
	defer errs.Wrap(&err, "cases.Figures")
	if err := CheckPeriod(from, to); err != nil {
		return Figures{}, err
	}
	type pair struct{ dept, item string }
	at := map[pair]*figure{}
	var order []pair
	row := func(dept, item string) *figure {
		p := pair{dept, item}
		r := at[p]
		if r == nil {
			r = &figure{dept: dept, item: item}
			at[p] = r
			order = append(order, p)
		}
		return r
	}
	today := s.today().String()
	start, end := from.Time(s.loc).UTC(), to.AddDays(1).Time(s.loc).UTC()
	var union []string
	var args []any
	for _, p := range Pieces(from, to) {
		table, key, name, sign := "case_stats", "day", "MAX(item_name)", ""
		if p.Month {
			table, key = "case_stats_month", "month"
		}
		if p.Sign < 0 {
			name, sign = "''", "-"
		}
		union = append(union, `SELECT department_code, item_code, `+name+`, `+sign+`SUM(submitted), `+sign+`SUM(in_progress), `+sign+`SUM(decided),
			`+sign+`SUM(rejected), `+sign+`SUM(on_time), `+sign+`SUM(late) FROM `+table+` WHERE `+key+` >= ? AND `+key+` <= ? GROUP BY department_code, item_code`)
		args = append(args, p.From, p.To)
	}
	// The rows not yet folded, in the same statement (one snapshot: see "How the lines stay exact").
	union = append(union, `SELECT department_code, item_code, MAX(item_name), SUM(submitted), SUM(in_progress), SUM(decided),
		SUM(rejected), SUM(on_time), SUM(late) FROM case_stats_delta WHERE day >= ? AND day <= ? GROUP BY department_code, item_code`)
	args = append(args, from.String(), to.String())
	err = s.db.ReadTogether(ctx,
		store.Read{Query: strings.Join(union, " UNION ALL "), Args: args,
			Row: func(scan func(...any) error) error {
				var dept, item, name string
				var n line
				if err := scan(&dept, &item, &name, &n[0], &n[1], &n[2], &n[3], &n[4], &n[5]); err != nil {
					return err
				}
				r := row(dept, item)
				r.Name = max(r.Name, name)
				r.Submitted, r.InProgress, r.Decided = r.Submitted+n[0], r.InProgress+n[1], r.Decided+n[2]
				r.Rejected, r.OnTime, r.Late = r.Rejected+n[3], r.OnTime+n[4], r.Late+n[5]
				return nil
			}},
		store.Read{Query: `SELECT department_code, item_code, SUM(CASE WHEN red_from > ? THEN 1 ELSE 0 END), SUM(CASE WHEN red_from <= ? THEN 1 ELSE 0 END)
			FROM cases WHERE status = 'accepted' AND (bundle_code IS NULL OR parent_number IS NOT NULL) AND yellow_from <= ?
			AND submitted_at >= ? AND submitted_at < ? GROUP BY department_code, item_code`,
			Args: []any{today, today, today, start, end},
			Row: func(scan func(...any) error) error {
				var dept, item string
				var yellow, red int
				if err := scan(&dept, &item, &yellow, &red); err != nil {
					return err
				}
				r := row(dept, item)
				r.Yellow, r.Red = yellow, red
				return nil
			}})
	if err != nil {
		return Figures{}, fmt.Errorf("case statistics: %w", err)
	}
	f := Figures{depts: map[string]string{}}
	for _, p := range order {
		if at[p].Submitted == 0 { // cases of the boundary months only outside the period
			continue
		}
		f.lines = append(f.lines, *at[p])
		f.depts[p.dept] = p.dept
	}
	if depts, err := s.cat.Departments(ctx); err == nil {
		for _, d := range depts {
			if _, ok := f.depts[d.Code]; ok {
				f.depts[d.Code] = d.Name
			}
		}
	}
	for code, name := range f.depts {
		if name == code { // not active: look it up
			if d, err := s.cat.Department(ctx, code); err == nil {
				f.depts[code] = d.Name
			}
		}
	}
	return f, nil
}

// By adds the figures up per "department" or "item", busiest first.
func (f Figures) By(by string) []StatsRow {
	at := map[string]int{} // key → index in out
	out := []StatsRow{}
	for _, l := range f.lines {
		key, name := l.item, l.Name
		if by == "department" {
			key, name = l.dept, f.depts[l.dept]
		}
		i, ok := at[key]
		if !ok {
			i = len(out)
			out = append(out, StatsRow{Key: key, Name: name})
			at[key] = i
		}
		r := &out[i]
		if by == "item" && l.Name > r.Name {
			r.Name = l.Name
		}
		r.Submitted += l.Submitted
		r.InProgress += l.InProgress
		r.Decided += l.Decided
		r.Rejected += l.Rejected
		r.Yellow += l.Yellow
		r.Red += l.Red
		r.OnTime += l.OnTime
		r.Late += l.Late
	}
	for i := range out {
		out[i].rate()
	}
	sortStats(out)
	return out
}

// DayCount is the number of cases submitted on one day.
type DayCount struct {
	Day       calendar.Date `json:"day"`
	Submitted int           `json:"submitted"`
}

// Daily counts the cases submitted on each day from from to to, days without any included: the
// day lines with the rows not yet folded, in one statement.
func (s *Service) Daily(ctx context.Context, from, to calendar.Date) (_ []DayCount, err error) {
	defer errs.Wrap(&err, "cases.Daily")
	if err := CheckPeriod(from, to); err != nil {
		return nil, err
	}
	out := make([]DayCount, int(to-from)+1)
	for i := range out {
		out[i].Day = from.AddDays(i)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT day, SUM(submitted) FROM (
		SELECT day, submitted FROM case_stats WHERE day >= ? AND day <= ?
		UNION ALL SELECT day, submitted FROM case_stats_delta WHERE day >= ? AND day <= ?) AS l GROUP BY day`,
		from.String(), to.String(), from.String(), to.String())
	if err != nil {
		return nil, fmt.Errorf("cases per day: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d calendar.Date
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return nil, err
		}
		if i := int(d - from); i >= 0 && i < len(out) {
			out[i].Submitted = n
		}
	}
	return out, rows.Err()
}

// Total adds rows up.
func Total(rows []StatsRow) StatsRow {
	var t StatsRow
	for _, r := range rows {
		t.Submitted += r.Submitted
		t.InProgress += r.InProgress
		t.Decided += r.Decided
		t.Rejected += r.Rejected
		t.Yellow += r.Yellow
		t.Red += r.Red
		t.OnTime += r.OnTime
		t.Late += r.Late
	}
	t.rate()
	return t
}

// sortStats orders rows busiest first, then by key.
func sortStats(rows []StatsRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Submitted != rows[j].Submitted {
			return rows[i].Submitted > rows[j].Submitted
		}
		return rows[i].Key < rows[j].Key
	})
}

// Sheet is a further sheet of the statistics workbook: a header row and rows of values.
type Sheet struct {
	Name   string
	Header []any
	Rows   [][]any
}

// StatsExcel writes case statistics as an Excel workbook, one row a department or item, with a
// total; more sheets (the period's ratings, say) follow the first.
func StatsExcel(rows []StatsRow, by string, from, to calendar.Date, more ...Sheet) (_ []byte, err error) {
	defer errs.Wrap(&err, "cases.StatsExcel")
	f := excelize.NewFile()
	defer f.Close()
	sheet := "办件统计"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	// People read the name first; the code comes last, for matching with other systems.
	what := map[string]string{"department": "部门", "item": "事项"}[by]
	code := map[string]string{"department": "部门代码", "item": "事项编码"}[by]
	title := []any{fmt.Sprintf("%s 至 %s 提交的办件（按今天所处状态）", from, to)}
	header := []any{what, "提交", "办理中", "已办结", "不予受理/撤回/终止", "黄色预警", "红色超期", "按时办结", "超期办结", "按时办结率", code}
	if err := f.SetSheetRow(sheet, "A1", &title); err != nil {
		return nil, err
	}
	if err := f.SetSheetRow(sheet, "A2", &header); err != nil {
		return nil, err
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		line := []any{r.Name, r.Submitted, r.InProgress, r.Decided, r.Rejected, r.Yellow, r.Red, r.OnTime, r.Late, r.OnTimePercent(), r.Key}
		if err := f.SetSheetRow(sheet, cell, &line); err != nil {
			return nil, err
		}
	}
	total := Total(rows)
	cell, _ := excelize.CoordinatesToCellName(1, len(rows)+3)
	line := []any{"合计", total.Submitted, total.InProgress, total.Decided, total.Rejected, total.Yellow, total.Red, total.OnTime, total.Late, total.OnTimePercent()}
	if err := f.SetSheetRow(sheet, cell, &line); err != nil {
		return nil, err
	}
	_ = f.SetColWidth(sheet, "A", "A", 36)
	_ = f.SetColWidth(sheet, "B", "J", 14)
	_ = f.SetColWidth(sheet, "K", "K", 24)
	for _, m := range more {
		if _, err := f.NewSheet(m.Name); err != nil {
			return nil, err
		}
		for i, row := range append([][]any{m.Header}, m.Rows...) {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(m.Name, cell, &row); err != nil {
				return nil, err
			}
		}
		_ = f.SetColWidth(m.Name, "A", "B", 28)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// countMove records what a change of the step's case does to its line of the statistics.
func (st *step) countMove(ch caseChange) {
	decided, due := st.c.DecidedOn, st.c.Due
	if ch.decision != nil {
		decided = &ch.decision.on
	}
	if ch.deadline != nil {
		due = &ch.deadline.due
	}
	st.s.countMove(st.tx, st.c, ch.status, decided, due)
}

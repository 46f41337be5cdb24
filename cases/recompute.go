package cases

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"banhao/audit"
	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
	"banhao/network"
	"banhao/store"
)

// Recomputed is what RecomputeDeadlines changed: the open cases whose due day (and warning
// days) moved, and the open 告知承诺 post-checks whose deadline moved.
type Recomputed struct {
	Cases      int `json:"cases"`
	PostChecks int `json:"post_checks"`
}

// recomputeBatch is how many cases one transaction recomputes.
const recomputeBatch = 200

// RecomputeDeadlines counts again, on the calendar as it is now, the deadlines that a change of
// the calendar's days (changed: the days imported or edited) may have moved: the due day and the
// warning days of every open case (accepted or suspended) whose period touches a changed year —
// a deadline counted Monday to Friday while its year's schedule was missing among them — with
// its paused and extended days as before, and the deadline of every open post-check
// (事后核查) whose period touches one. A deadline that moves is written with an entry on the
// case's timeline and in the audit log saying from what to what and why; one that does not is
// left alone, so running it again changes nothing. The caller changes the calendar first
// (calstore.Set) and calls this after it; a warning already raised stays raised unless the new
// deadline takes the case out of it.
//
// The calendar is the city's, one for every county: only the city's admins change it and
// recompute (MayChangeCalendar).
func (s *Service) RecomputeDeadlines(ctx context.Context, by audit.Actor, changed []calendar.Date) (out Recomputed, err error) {
	defer errs.Wrap(&err, "cases.RecomputeDeadlines")
	if err := s.MayChangeCalendar(ctx, by); err != nil {
		return out, err
	}
	years := changedYears(changed)
	if len(years) == 0 {
		return out, nil
	}
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return out, err
	}
	// A period touches year Y when it starts on or before Y's last day and ends on or after its
	// first (a month of slack before it: a natural-day limit ending on a rest day rolls forward).
	from := calendar.MakeDate(years[0], time.January, 1).AddDays(-31)
	to := calendar.MakeDate(years[len(years)-1], time.December, 31)
	why := recomputeReason(cal, years, changed)

	numbers, err := s.listNumbers(ctx, `SELECT number FROM cases WHERE status IN ('accepted', 'suspended') AND accepted_on IS NOT NULL
		AND due IS NOT NULL AND due >= ? AND accepted_on <= ? ORDER BY number`, from.String(), to.String())
	if err != nil {
		return out, err
	}
	for chunk := range slices.Chunk(numbers, recomputeBatch) {
		err := s.db.Tx(ctx, func(tx *store.Tx) error {
			for _, n := range chunk {
				moved, err := s.recomputeCase(ctx, tx, by, cal, n, why)
				if err != nil {
					return err
				}
				if moved {
					out.Cases++
				}
			}
			return nil
		})
		if err != nil {
			return out, err
		}
	}

	checks, err := s.listNumbers(ctx, `SELECT case_number FROM post_checks WHERE status = 'open' AND due >= ? AND created_on <= ? ORDER BY case_number`,
		from.String(), to.String())
	if err != nil {
		return out, err
	}
	for chunk := range slices.Chunk(checks, recomputeBatch) {
		err := s.db.Tx(ctx, func(tx *store.Tx) error {
			for _, n := range chunk {
				moved, err := s.recomputePostCheck(ctx, tx, by, cal, n, why)
				if err != nil {
					return err
				}
				if moved {
					out.PostChecks++
				}
			}
			return nil
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// MayChangeCalendar: the working calendar is one for the whole city and moves deadlines in every
// county, so only an admin of the city — of no center or of the main center (a center whose
// SupervisedRegion is the whole city) — changes it; a county's admin sees it read-only.
// Background work (audit.System) may.
func (s *Service) MayChangeCalendar(ctx context.Context, by audit.Actor) (err error) {
	defer errs.Wrap(&err, "cases.MayChangeCalendar")
	if by.Role == audit.System.Role {
		return nil
	}
	if by.Role != "admin" {
		return errs.Forbidden("只有管理员可以修改工作日历")
	}
	if by.Center == "" {
		return nil
	}
	centers, err := s.net.Centers(ctx)
	if err != nil {
		return err
	}
	if network.SupervisedRegion(centers, by.Center) != "" {
		return errs.Forbidden("工作日历全市统一，改动会影响各区县办件的期限：只有市级（主中心）管理员可以修改，区县管理员只能查看")
	}
	return nil
}

// RecomputeArgs is the job that counts the deadlines again after a calendar change
// (RecomputeDeadlines on Days, as the system): scheduled in the change's transaction a few
// seconds after it (ScheduleRecompute), it retries a recompute that failed and makes a second
// pass for a step that read the old calendar and committed after the first pass listed its cases.
type RecomputeArgs struct {
	Days []string `json:"days"`
}

// Kind names the job.
func (RecomputeArgs) Kind() string { return "cases.deadline_recompute" }

// RecomputeAfter is how long after a calendar change its job runs.
const RecomputeAfter = 5 * time.Second

// ScheduleRecompute inserts the RecomputeArgs job for changed in tx (the calendar change's).
func (s *Service) ScheduleRecompute(ctx context.Context, tx *store.Tx, changed []calendar.Date) (err error) {
	defer errs.Wrap(&err, "cases.ScheduleRecompute")
	days := make([]string, len(changed))
	for i, d := range changed {
		days[i] = d.String()
	}
	return s.jobs.InsertTx(ctx, tx, RecomputeArgs{Days: days}, &river.InsertOpts{ScheduledAt: s.now().Add(RecomputeAfter)})
}

// RecomputeWorker runs RecomputeDeadlines for a RecomputeArgs job; River retries it on failure.
type RecomputeWorker struct {
	river.WorkerDefaults[RecomputeArgs]
	Service *Service
	// Then, if set, recomputes what else counts working days after the cases (the 12345
	// tickets: hotline.RecomputeDue).
	Then func(context.Context, []calendar.Date) error
}

// Work recomputes.
func (w *RecomputeWorker) Work(ctx context.Context, job *river.Job[RecomputeArgs]) (err error) {
	defer errs.Wrap(&err, "cases.RecomputeWorker.Work")
	changed := make([]calendar.Date, 0, len(job.Args.Days))
	for _, d := range job.Args.Days {
		day, err := calendar.ParseDate(d)
		if err != nil {
			return err
		}
		changed = append(changed, day)
	}
	if _, err = w.Service.RecomputeDeadlines(ctx, audit.System, changed); err != nil || w.Then == nil {
		return err
	}
	return w.Then(ctx, changed)
}

// changedYears are the years of the changed days, in order, once each.
func changedYears(days []calendar.Date) []int {
	var years []int
	for _, d := range days {
		y := d.Time(time.UTC).Year()
		if !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	return years
}

// recomputeReason is why a deadline moved, as the timeline says it: the years, and the days
// changed — named when there are a few (recomputeNamed), counted otherwise.
func recomputeReason(cal *calendar.Calendar, years []int, changed []calendar.Date) string {
	ys := make([]string, len(years))
	for i, y := range years {
		ys[i] = strconv.Itoa(y)
	}
	var days string
	if len(changed) <= recomputeNamed {
		sorted := slices.Clone(changed)
		slices.Sort(sorted)
		names := make([]string, len(sorted))
		for i, d := range sorted {
			names[i] = d.String()
		}
		days = "（" + strings.Join(names, "、") + "）"
	} else {
		days = fmt.Sprintf("（共 %d 天）", len(changed))
	}
	if slices.ContainsFunc(years, func(y int) bool { return !cal.Covers(y) }) {
		return strings.Join(ys, "、") + " 年工作日历调整" + days
	}
	if len(changed) <= recomputeNamed {
		return strings.Join(ys, "、") + " 年法定节假日与调休安排调整" + days
	}
	return strings.Join(ys, "、") + " 年法定节假日与调休安排已导入" + days
}

// recomputeNamed is how many changed days the timeline names one by one.
const recomputeNamed = 3

func (s *Service) listNumbers(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// recomputeCase counts one case's deadline again (locked, still open) and writes it when it moved.
func (s *Service) recomputeCase(ctx context.Context, tx *store.Tx, by audit.Actor, cal *calendar.Calendar, number, why string) (bool, error) {
	var status, unit, acceptedS, dueS string
	var value, paused, extended, warned int
	var yellowS, redS sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT status, limit_value, limit_unit, accepted_on, paused_days, extended_days, due, warned_level, yellow_from, red_from
		FROM cases WHERE number = ?`+tx.ForUpdate(), number).Scan(&status, &value, &unit, &acceptedS, &paused, &extended, &dueS, &warned, &yellowS, &redS)
	if err != nil {
		return false, fmt.Errorf("recompute %s: %w", number, err)
	}
	st := Status(status)
	if st != Accepted && st != Suspended { // decided since it was listed
		return false, nil
	}
	accepted, err := calendar.ParseDate(acceptedS)
	if err != nil {
		return false, fmt.Errorf("recompute %s: accepted_on: %w", number, err)
	}
	old, err := calendar.ParseDate(dueS)
	if err != nil {
		return false, fmt.Errorf("recompute %s: due: %w", number, err)
	}
	limit := catalog.Limit{Value: value, Unit: unit}
	due, err := Due(cal, accepted, limit, paused, extended)
	if err != nil {
		return false, err
	}
	cols := []string{"due = ?"}
	args := []any{due.String()}
	var yellow calendar.Date
	if st == Accepted { // a suspended case has no warning days until it resumes (reschedule)
		yellow = YellowFrom(cal, s.policy, accepted, due, limit.Value)
		red := RedFrom(due)
		if due == old && yellowS.String == yellow.String() && redS.String == red.String() {
			return false, nil
		}
		// a warning raised stays raised while the new days still call for it
		today, level := s.today(), 0
		switch {
		case today >= red:
			level = levels[WarnRed]
		case today >= yellow:
			level = levels[WarnYellow]
		}
		cols = append(cols, "yellow_from = ?", "red_from = ?", "warned_level = ?")
		args = append(args, yellow.String(), red.String(), min(warned, level))
	} else if due == old {
		return false, nil
	}
	cols = append(cols, "updated_at = ?")
	args = append(args, s.now(), number)
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET `+strings.Join(cols, ", ")+` WHERE number = ?`, args...); err != nil {
		return false, err
	}
	if st == Accepted {
		if err := s.jobs.InsertTx(ctx, tx, WarnArgs{Number: number, Due: due.String()}, &river.InsertOpts{ScheduledAt: yellow.Time(s.loc)}); err != nil {
			return false, fmt.Errorf("schedule warnings: %w", err)
		}
	}
	text := fmt.Sprintf("%s，承诺办结日重新计算：%s → %s", why, old, due)
	if due == old {
		text = fmt.Sprintf("%s，承诺办结日仍为 %s，预警日重新计算", why, due)
	}
	if paused > 0 || extended > 0 {
		text += fmt.Sprintf("（中止/特别程序 %d 日、延期 %d 日照计）", paused, extended)
	}
	if year, ok := calendar.Uncovered(cal, due); ok {
		text += uncoveredWords(year)
	}
	return true, s.event(ctx, tx, by, number, "deadline_recompute", st,
		map[string]any{"text": text, "due_before": old, "due": due}, map[string]any{"due": old})
}

// recomputePostCheck counts one open post-check's deadline again from its approval day and its
// item version's working days, and writes it when it moved.
func (s *Service) recomputePostCheck(ctx context.Context, tx *store.Tx, by audit.Actor, cal *calendar.Calendar, number, why string) (bool, error) {
	var createdS, dueS, status, caseStatus, itemCode string
	var version int
	err := tx.QueryRowContext(ctx, `SELECT p.created_on, p.due, p.status, c.status, c.item_code, c.item_version
		FROM post_checks p JOIN cases c ON c.number = p.case_number WHERE p.case_number = ?`+tx.ForUpdate(), number).
		Scan(&createdS, &dueS, &status, &caseStatus, &itemCode, &version)
	if err != nil {
		return false, fmt.Errorf("recompute post-check %s: %w", number, err)
	}
	if status != PostCheckOpen {
		return false, nil
	}
	created, err := calendar.ParseDate(createdS)
	if err != nil {
		return false, fmt.Errorf("recompute post-check %s: created_on: %w", number, err)
	}
	old, err := calendar.ParseDate(dueS)
	if err != nil {
		return false, fmt.Errorf("recompute post-check %s: due: %w", number, err)
	}
	item, err := s.cat.ItemVersion(ctx, itemCode, version)
	if err != nil {
		return false, err
	}
	due, err := PostCheckDue(cal, created, item.PostCheckDays)
	if err != nil || due == old {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE post_checks SET due = ? WHERE case_number = ?`, due.String(), number); err != nil {
		return false, err
	}
	text := fmt.Sprintf("%s，事后核查期限重新计算：%s → %s", why, old, due)
	if year, ok := calendar.Uncovered(cal, due); ok {
		text += uncoveredWords(year)
	}
	return true, s.event(ctx, tx, by, number, "deadline_recompute", Status(caseStatus),
		map[string]any{"text": text, "post_check_due_before": old, "post_check_due": due}, map[string]any{"post_check_due": old})
}

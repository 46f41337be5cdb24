package hotline

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/errs"
	"banhao/store"
)

// RecomputeDue counts again, on the calendar as it is now, the reply deadline (ReplyWorkingDays
// from the day of the last dispatch) of every dispatched ticket whose period touches a year of
// the changed days — the rule cases.RecomputeDeadlines applies to cases. A deadline that moves is
// written with an entry in the ticket's history and the audit log, its reminder is scheduled for
// the new day and a reminder already raised stays raised only while the new day still calls for
// it; running it again changes nothing. The caller has checked who may change the calendar
// (cases.MayChangeCalendar). It returns how many tickets' deadlines moved.
func (s *Service) RecomputeDue(ctx context.Context, by audit.Actor, changed []calendar.Date) (moved int, err error) {
	defer errs.Wrap(&err, "hotline.RecomputeDue")
	if len(changed) == 0 {
		return 0, nil
	}
	first, last := slices.Min(changed), slices.Max(changed)
	from := calendar.MakeDate(first.Time(time.UTC).Year(), time.January, 1).AddDays(-31)
	to := calendar.MakeDate(last.Time(time.UTC).Year(), time.December, 31)
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT number FROM hotline_tickets WHERE status = ? AND due IS NOT NULL AND due >= ? ORDER BY number`,
		string(Dispatched), from.String())
	if err != nil {
		return 0, err
	}
	var numbers []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return 0, err
		}
		numbers = append(numbers, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, number := range numbers {
		err := s.db.Tx(ctx, func(tx *store.Tx) error {
			ok, err := s.recomputeTicket(ctx, tx, by, cal, number, to)
			if ok {
				moved++
			}
			return err
		})
		if err != nil {
			return moved, err
		}
	}
	return moved, nil
}

func (s *Service) recomputeTicket(ctx context.Context, tx *store.Tx, by audit.Actor, cal *calendar.Calendar, number string, to calendar.Date) (bool, error) {
	var status Status
	var dueText sql.NullString
	var reminded int
	err := tx.QueryRowContext(ctx, `SELECT status, due, reminded FROM hotline_tickets WHERE number = ?`+tx.ForUpdate(), number).Scan(&status, &dueText, &reminded)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (status != Dispatched || !dueText.Valid) {
		return false, nil // answered since it was listed
	}
	if err != nil {
		return false, err
	}
	var at time.Time
	err = tx.QueryRowContext(ctx, `SELECT at FROM hotline_events WHERE number = ? AND action = ? ORDER BY at DESC, id DESC LIMIT 1`, number, string(Dispatch)).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	dispatched := calendar.DateOf(at, s.loc)
	if dispatched > to {
		return false, nil
	}
	old, err := calendar.ParseDate(dueText.String)
	if err != nil {
		return false, err
	}
	due, err := cal.AddWorkingDays(dispatched, ReplyWorkingDays)
	if err != nil || due == old {
		return false, err
	}
	level, err := Level(cal, s.today(), due)
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE hotline_tickets SET due = ?, reminded = ?, updated_at = ? WHERE number = ?`,
		due.String(), min(reminded, level), s.now().UTC(), number); err != nil {
		return false, err
	}
	if err := s.scheduleReminder(ctx, tx, number, cal, due); err != nil {
		return false, err
	}
	return true, s.event(ctx, tx, by, number, "due_recompute", Dispatched, map[string]any{"from": old, "to": due, "reason": "工作日历调整"})
}

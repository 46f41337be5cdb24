package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"banhao/audit"
	"banhao/calendar"
	"banhao/errs"
	"banhao/jobs"
	"banhao/notify"
	"banhao/store"
)

// WarnArgs is the job that raises a case's warnings when their days come. One is inserted in
// the transaction that sets a deadline, scheduled at the first yellow day; it raises yellow,
// then snoozes (persistently) until the red day.
type WarnArgs struct {
	Number string `json:"number"`
	Due    string `json:"due"`
}

// Kind names the job.
func (WarnArgs) Kind() string { return "case.warning" }

// SweepArgs is the periodic safety net: it raises whatever is due, on any node, after any
// restart. Warnings are raised once because the case row records the level reached.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "case.warning_sweep" }

// Jobs is what the service needs of the job runner.
type Jobs interface {
	InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

var levels = map[string]int{WarnNone: 0, WarnYellow: 1, WarnRed: 2}

// scheduleWarnings inserts the warning job of a new deadline in the same transaction. A job of
// an earlier deadline that is still waiting finds nothing to do and ends.
func (st *step) scheduleWarnings(d deadline) error {
	args := WarnArgs{Number: st.c.Number, Due: d.due.String()}
	if err := st.s.jobs.InsertTx(st.ctx, st.tx, args, &river.InsertOpts{ScheduledAt: d.yellow.Time(st.s.loc)}); err != nil {
		return fmt.Errorf("schedule warnings: %w", err)
	}
	return nil
}

// RaiseWarnings raises, once each, the warnings that are due for a case on today's date (by the
// injected clock): yellow, red, the reminder before a 容缺 commitment, and a missed commitment
// (which ends the case when its item says so). It returns when the next one falls due.
func (s *Service) RaiseWarnings(ctx context.Context, number string) (next time.Time, err error) {
	defer errs.Wrap(&err, "cases.RaiseWarnings")
	today := s.today()
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var status, dept, item string
		var version, warned int
		var yellow, red sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT status, department_code, item_code, item_version, warned_level, yellow_from, red_from FROM cases WHERE number = ?`+tx.ForUpdate(), number).
			Scan(&status, &dept, &item, &version, &warned, &yellow, &red)
		if err != nil {
			return fmt.Errorf("warning %s: %w", number, err)
		}
		sys := audit.System
		if Status(status) == Accepted && yellow.Valid && red.Valid {
			y, err := calendar.ParseDate(yellow.String)
			if err != nil {
				return fmt.Errorf("warning %s: yellow_from: %w", number, err)
			}
			r, err := calendar.ParseDate(red.String)
			if err != nil {
				return fmt.Errorf("warning %s: red_from: %w", number, err)
			}
			level := WarnNone
			switch {
			case today >= r:
				level = WarnRed
			case today >= y:
				level = WarnYellow
			}
			if levels[level] > warned {
				if _, err := tx.ExecContext(ctx, `UPDATE cases SET warned_level = ? WHERE number = ?`, levels[level], number); err != nil {
					return err
				}
				if err := s.event(ctx, tx, sys, number, "warning", Status(status), map[string]any{"level": level}, nil); err != nil {
					return err
				}
				subject := map[string]string{WarnYellow: "办件临近办结期限（黄色预警）", WarnRed: "办件已超期（红色预警）"}[level]
				if err := s.tell(ctx, tx, number, dept, "case.warning."+level, subject, map[string]any{"level": level, "due_next_level": red.String}); err != nil {
					return err
				}
			}
			switch {
			case today < y:
				next = y.Time(s.loc)
			case today < r:
				next = r.Time(s.loc)
			}
		}
		if Status(status) != Accepted && Status(status) != Suspended {
			return nil
		}
		return s.commitments(ctx, tx, number, dept, item, version, today)
	})
	return next, err
}

// commitments reminds the applicant the day before a 容缺 commitment falls due, and handles a
// missed one: a warning, and the end of the case where the item says so.
func (s *Service) commitments(ctx context.Context, tx *store.Tx, number, dept, itemCode string, version int, today calendar.Date) error {
	rows, err := tx.QueryContext(ctx, `SELECT material_id, due, reminded, missed FROM case_deferred WHERE case_number = ? AND supplied_at IS NULL`, number)
	if err != nil {
		return err
	}
	type open struct {
		id               string
		due              calendar.Date
		reminded, missed bool
	}
	var list []open
	for rows.Next() {
		var o open
		if err := rows.Scan(&o.id, &o.due, &o.reminded, &o.missed); err != nil {
			rows.Close()
			return err
		}
		list = append(list, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("deferred materials of %s: %w", number, err)
	}
	terminate := false
	for _, o := range list {
		if !o.reminded && today >= o.due-1 {
			if _, err := tx.ExecContext(ctx, `UPDATE case_deferred SET reminded = 1 WHERE case_number = ? AND material_id = ?`, number, o.id); err != nil {
				return err
			}
			if err := s.tell(ctx, tx, number, "applicant", "case.commitment_reminder", "容缺材料补交提醒",
				map[string]any{"material_id": o.id, "due": o.due}); err != nil {
				return err
			}
		}
		if !o.missed && today > o.due {
			if _, err := tx.ExecContext(ctx, `UPDATE case_deferred SET missed = 1 WHERE case_number = ? AND material_id = ?`, number, o.id); err != nil {
				return err
			}
			if err := s.event(ctx, tx, audit.System, number, "commitment_missed", Accepted, map[string]any{"material_id": o.id, "due": o.due}, nil); err != nil {
				return err
			}
			if err := s.tell(ctx, tx, number, dept, "case.commitment_missed", "容缺材料逾期未补交", map[string]any{"material_id": o.id, "due": o.due}); err != nil {
				return err
			}
			terminate = true
		}
	}
	if !terminate {
		return nil
	}
	item, err := s.cat.ItemVersion(ctx, itemCode, version)
	if err != nil || item.DeferredPolicy != "terminate" {
		return err
	}
	c, err := s.scan(tx.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE number = ?`, number))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET status = ?, updated_at = ? WHERE number = ?`, string(Terminated), s.now().UTC(), number); err != nil {
		return err
	}
	s.countMove(tx, c, Terminated, c.DecidedOn, c.Due)
	return s.event(ctx, tx, audit.System, number, "terminate", Terminated, map[string]any{"reason": "容缺材料逾期未补交，按事项规定终止办理"}, nil)
}

// tell writes notifications for the department (or the applicant) and the supervisors.
func (s *Service) tell(ctx context.Context, tx *store.Tx, number, to, event, subject string, payload map[string]any) error {
	payload["case"] = number
	recipients := []string{"department:" + to, "role:supervisor"}
	if to == "applicant" {
		recipients = []string{"case:" + number} // the SMS channel finds the phone through the case (Phone)
	}
	for _, r := range recipients {
		if err := s.outbox.Add(ctx, tx, notify.Message{Recipient: r, Event: event, Subject: subject,
			Body: fmt.Sprintf("办件 %s：%s", number, subject), Payload: payload}); err != nil {
			return err
		}
	}
	return nil
}

// SweepWarnings raises everything that is due on every running case. A case that fails is
// logged and the sweep goes on to the next; the failures are returned together at the end.
func (s *Service) SweepWarnings(ctx context.Context) (_ int, err error) {
	defer errs.Wrap(&err, "cases.SweepWarnings")
	today := s.today()
	rows, err := s.db.QueryContext(ctx, `SELECT number FROM cases WHERE status = 'accepted'
			AND ((warned_level < 1 AND yellow_from <= ?) OR (warned_level < 2 AND red_from <= ?))
		UNION SELECT d.case_number FROM case_deferred d JOIN cases c ON c.number = d.case_number
		WHERE d.supplied_at IS NULL AND c.status IN ('accepted', 'suspended')
			AND ((d.reminded = 0 AND d.due <= ?) OR (d.missed = 0 AND d.due < ?))
		ORDER BY 1`,
		today.String(), today.String(), (today + 1).String(), today.String())
	if err != nil {
		return 0, fmt.Errorf("cases: warning sweep: %w", err)
	}
	var numbers []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return 0, fmt.Errorf("cases: warning sweep: %w", err)
		}
		numbers = append(numbers, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("cases: warning sweep: %w", err)
	}
	var failed []error
	for _, n := range numbers {
		if _, err := s.RaiseWarnings(ctx, n); err != nil {
			s.logger.ErrorContext(ctx, "warning sweep: case skipped", "case", n, "err", err)
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		return len(numbers) - len(failed), fmt.Errorf("cases: warning sweep: %d of %d cases failed: %w", len(failed), len(numbers), errors.Join(failed...))
	}
	return len(numbers), nil
}

// WarnWorker works WarnArgs: it raises what is due and sleeps until the next level otherwise.
type WarnWorker struct {
	river.WorkerDefaults[WarnArgs]
	Service *Service
}

// Work raises the case's warnings.
func (w *WarnWorker) Work(ctx context.Context, job *river.Job[WarnArgs]) (err error) {
	defer errs.Wrap(&err, "cases.WarnWorker.Work")
	next, err := w.Service.RaiseWarnings(ctx, job.Args.Number)
	if err != nil {
		return err
	}
	return jobs.SnoozeUntil(next, w.Service.now())
}

// SweepWorker works SweepArgs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Service *Service
}

// Work sweeps.
func (w *SweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) (err error) {
	defer errs.Wrap(&err, "cases.SweepWorker.Work")
	_, err = w.Service.SweepWarnings(ctx)
	return err
}

package hotline

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

// Reminder levels of a dispatched ticket's reply limit.
const (
	remindedNone    = 0
	remindedDueSoon = 1 // the department, when at most one working day is left
	remindedOverdue = 2 // the department and the supervisors, once the due day has passed
)

// Level is the reminder a dispatched ticket due on due has earned today: at most one working day
// left is "due soon", a day after due is "overdue".
func Level(cal *calendar.Calendar, today, due calendar.Date) (_ int, err error) {
	defer errs.Wrap(&err, "hotline.Level")
	if today > due {
		return remindedOverdue, nil
	}
	left, err := cal.WorkingDaysBetween(today, due)
	if err != nil {
		return remindedNone, err
	}
	if left <= 1 {
		return remindedDueSoon, nil
	}
	return remindedNone, nil
}

// remindFrom is the first day a ticket due on due earns the "due soon" reminder: the last working
// day before it (due itself when none is found within a month).
func remindFrom(cal *calendar.Calendar, due calendar.Date) calendar.Date {
	for d := due - 1; d > due-31; d-- {
		if cal.IsWorkingDay(d) {
			return d
		}
	}
	return due
}

// Jobs is what the service needs of the job runner.
type Jobs interface {
	InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// RemindArgs is the job that reminds a dispatched ticket's department as its reply limit nears
// and passes. It is inserted with the dispatch, scheduled at the reminder day, and snoozes
// (persistently) until the overdue day.
type RemindArgs struct {
	Number string `json:"number"`
	Due    string `json:"due"`
}

// Kind names the job.
func (RemindArgs) Kind() string { return "hotline.reminder" }

// SweepArgs is the periodic safety net: it raises every reminder that is due, after any restart.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "hotline.reminder_sweep" }

// scheduleReminder inserts the reminder job of a new reply limit in the dispatch's transaction.
func (s *Service) scheduleReminder(ctx context.Context, tx *store.Tx, number string, cal *calendar.Calendar, due calendar.Date) error {
	at := remindFrom(cal, due).Time(s.loc)
	return s.jobs.InsertTx(ctx, tx, RemindArgs{Number: number, Due: due.String()}, &river.InsertOpts{ScheduledAt: at})
}

// Remind raises, once each, the reminders a ticket has earned today (by the injected clock) and
// returns when the next one falls due (zero when none will).
func (s *Service) Remind(ctx context.Context, number string) (next time.Time, err error) {
	defer errs.Wrap(&err, "hotline.Remind")
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return time.Time{}, err
	}
	today := s.today()
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var status Status
		var dept, dueText sql.NullString
		var reminded int
		err := tx.QueryRowContext(ctx, `SELECT status, department_code, due, reminded FROM hotline_tickets WHERE number = ?`+tx.ForUpdate(), number).
			Scan(&status, &dept, &dueText, &reminded)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // nothing to remind of
		}
		if err != nil {
			return err
		}
		if status != Dispatched || !dueText.Valid {
			return nil // answered (or not dispatched): the limit no longer runs
		}
		due, err := calendar.ParseDate(dueText.String)
		if err != nil {
			return err
		}
		level, err := Level(cal, today, due)
		if err != nil {
			return err
		}
		if level > reminded {
			if err := s.raise(ctx, tx, number, dept.String, due, level); err != nil {
				return err
			}
		}
		switch max(level, reminded) {
		case remindedNone:
			next = remindFrom(cal, due).Time(s.loc)
		case remindedDueSoon:
			next = (due + 1).Time(s.loc)
		}
		return nil
	})
	return next, err
}

// raise records the reminder on the ticket and its history, and tells who must act.
func (s *Service) raise(ctx context.Context, tx *store.Tx, number, dept string, due calendar.Date, level int) error {
	if _, err := tx.ExecContext(ctx, `UPDATE hotline_tickets SET reminded = ? WHERE number = ?`, level, number); err != nil {
		return err
	}
	action, subject, to := "due_soon", "12345 工单答复期限将至", []string{"department:" + dept}
	if level == remindedOverdue {
		action, subject, to = "overdue", "12345 工单超期未答复", []string{"department:" + dept, "role:supervisor"}
	}
	detail := map[string]any{"department": dept, "due": due}
	if err := s.event(ctx, tx, audit.System, number, action, Dispatched, detail); err != nil {
		return err
	}
	for _, r := range to {
		if err := s.outbox.Add(ctx, tx, notify.Message{Recipient: r, Event: "hotline." + action, Subject: subject,
			Body: fmt.Sprintf("工单 %s：%s（应于 %s 前答复）", number, subject, due), Payload: map[string]any{"ticket": number, "due": due.String()}}); err != nil {
			return err
		}
	}
	return nil
}

// SweepReminders raises every reminder that is due on every dispatched ticket. A ticket that
// fails is logged and the sweep goes on to the next; the failures are returned together at the
// end.
func (s *Service) SweepReminders(ctx context.Context) (_ int, err error) {
	defer errs.Wrap(&err, "hotline.SweepReminders")
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return 0, fmt.Errorf("hotline: reminder sweep: %w", err)
	}
	today := s.today()
	rows, err := s.db.QueryContext(ctx, `SELECT number, due, reminded FROM hotline_tickets WHERE status = ? AND reminded < ? AND due IS NOT NULL ORDER BY number`,
		string(Dispatched), remindedOverdue)
	if err != nil {
		return 0, fmt.Errorf("hotline: reminder sweep: %w", err)
	}
	type open struct {
		number, due string
		reminded    int
	}
	var list []open
	for rows.Next() {
		var o open
		if err := rows.Scan(&o.number, &o.due, &o.reminded); err != nil {
			rows.Close()
			return 0, fmt.Errorf("hotline: reminder sweep: %w", err)
		}
		list = append(list, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("hotline: reminder sweep: %w", err)
	}
	var failed []error
	fail := func(number string, err error) {
		s.logger.ErrorContext(ctx, "reminder sweep: ticket skipped", "ticket", number, "err", err)
		failed = append(failed, fmt.Errorf("ticket %s: %w", number, err))
	}
	raised := 0
	for _, o := range list {
		due, err := calendar.ParseDate(o.due)
		if err != nil {
			fail(o.number, err)
			continue
		}
		level, err := Level(cal, today, due)
		if err != nil {
			fail(o.number, err)
			continue
		}
		if level <= o.reminded {
			continue
		}
		if _, err := s.Remind(ctx, o.number); err != nil {
			fail(o.number, err)
			continue
		}
		raised++
	}
	if len(failed) > 0 {
		return raised, fmt.Errorf("hotline: reminder sweep: %d tickets failed: %w", len(failed), errors.Join(failed...))
	}
	return raised, nil
}

// RemindWorker works RemindArgs: it raises what is due and sleeps until the overdue day.
type RemindWorker struct {
	river.WorkerDefaults[RemindArgs]
	Service *Service
}

// Work raises the ticket's reminders.
func (w *RemindWorker) Work(ctx context.Context, job *river.Job[RemindArgs]) (err error) {
	defer errs.Wrap(&err, "hotline.RemindWorker.Work")
	next, err := w.Service.Remind(ctx, job.Args.Number)
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
	defer errs.Wrap(&err, "hotline.SweepWorker.Work")
	_, err = w.Service.SweepReminders(ctx)
	return err
}

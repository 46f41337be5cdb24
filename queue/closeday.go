package queue

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"banhao/audit"
	"banhao/errs"
	"banhao/store"
)

// CloseDays ends the tickets left open on days that are over: a ticket still waiting or called
// becomes a no-show, one being served or parked is finished. A phone page then stops showing a
// place in yesterday's line. It returns how many tickets it closed.
func (s *Service) CloseDays(ctx context.Context) (_ int, err error) {
	defer errs.Wrap(&err, "queue.CloseDays")
	today := s.today().String()
	now := s.now().UTC()
	var closed int
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		closed = 0
		for _, step := range []struct{ to, from string }{{"no_show", "'waiting', 'called'"}, {"done", "'serving', 'parked'"}} {
			res, err := tx.ExecContext(ctx, `UPDATE tickets SET status = ?, finished_at = ? WHERE day < ? AND status IN (`+step.from+`)`, step.to, now, today)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			closed += int(n)
		}
		if closed == 0 {
			return nil
		}
		return s.audit.Record(ctx, tx, audit.System, "queue.close_days", "hall", "*", nil, map[string]any{"before": today, "closed": closed})
	})
	if err != nil {
		s.logger.ErrorContext(ctx, "closing past days' tickets failed", "before", today, "err", err)
		return 0, fmt.Errorf("queue: close days before %s: %w", today, err)
	}
	if closed > 0 {
		s.logger.InfoContext(ctx, "closed past days' tickets", "before", today, "tickets", closed)
	}
	return closed, nil
}

// CloseDaysArgs is the periodic job that closes past days' tickets.
type CloseDaysArgs struct{}

// Kind names the job.
func (CloseDaysArgs) Kind() string { return "queue.close_days" }

// CloseDaysWorker works CloseDaysArgs.
type CloseDaysWorker struct {
	river.WorkerDefaults[CloseDaysArgs]
	Service *Service
}

// Work closes past days.
func (w *CloseDaysWorker) Work(ctx context.Context, _ *river.Job[CloseDaysArgs]) (err error) {
	defer errs.Wrap(&err, "queue.CloseDaysWorker.Work")
	_, err = w.Service.CloseDays(ctx)
	return err
}

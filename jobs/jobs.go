// Package jobs runs background work on River, on the same database as everything else:
// riversqlite on SQLite, riverdatabasesql on PostgreSQL. Jobs are inserted in the transaction of
// the business write that causes them, so a job exists exactly when its cause does, and they
// survive restarts because they are rows.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"banhao/store"
)

func driver(db *store.DB) riverdriver.Driver[*sql.Tx] {
	if db.Dialect == store.SQLite {
		return riversqlite.New(db.Writer())
	}
	return riverdatabasesql.New(db.Writer())
}

// Migrate creates or updates River's tables under the store's migration lock, so several nodes
// may start at once: one migrates, the others wait and find nothing to do.
func Migrate(ctx context.Context, db *store.DB) error {
	unlock, err := db.MigrationLock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	m, err := rivermigrate.New(driver(db), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	return nil
}

// Config sets up a Runner.
type Config struct {
	Workers  *river.Workers
	Periodic []*river.PeriodicJob
	Logger   *slog.Logger
	// Work says whether this process runs jobs (serve) or only inserts them (command-line tools).
	Work bool
	// Poll is how often idle workers look for new jobs (PostgreSQL without LISTEN, SQLite).
	Poll time.Duration
}

// Runner inserts and runs jobs.
type Runner struct {
	client *river.Client[*sql.Tx]
	work   bool
}

// New returns a runner on db.
func New(db *store.DB, c Config) (*Runner, error) {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Poll == 0 {
		c.Poll = time.Second
	}
	// A job whose node died mid-run (kill -9, a lost machine) is run again after five minutes
	// rather than River's default hour: every job here finishes within its one-minute timeout, and
	// each is safe to run twice (sends carry an idempotency key, sweeps re-read what is due).
	rc := &river.Config{Logger: c.Logger, FetchPollInterval: c.Poll, FetchCooldown: c.Poll / 4, MaxAttempts: 10,
		JobTimeout: time.Minute, RescueStuckJobsAfter: 5 * time.Minute}
	if c.Work { // an insert-only client has no workers, so it accepts every kind
		rc.Workers = c.Workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}}
		rc.PeriodicJobs = c.Periodic
	}
	client, err := river.NewClient(driver(db), rc)
	if err != nil {
		return nil, err
	}
	return &Runner{client: client, work: c.Work}, nil
}

type (
	commandJobs struct{ r *Runner }
	batchJobs   struct{ r *Runner }
)

// InsertTx adds a job inside the business transaction. The jobs of a command are collected and,
// once the command has succeeded, join the transaction's list; all are inserted with one
// statement just before the commit — under SQLite's group commit that is one insert for the
// whole batch instead of one per job.
func (r *Runner) InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	mine, _ := tx.Local(commandJobs{r}).(*[]river.InsertManyParams)
	if mine == nil {
		mine = &[]river.InsertManyParams{}
		tx.SetLocal(commandJobs{r}, mine)
		tx.BeforeCommit(func(ctx context.Context) error {
			all, _ := tx.Shared(batchJobs{r}).(*[]river.InsertManyParams)
			if all == nil {
				all = &[]river.InsertManyParams{}
				tx.SetShared(batchJobs{r}, all)
				tx.BeforeFinalCommit(func(ctx context.Context) error {
					if _, err := r.client.InsertManyFastTx(ctx, tx.SQL(), *all); err != nil {
						return fmt.Errorf("insert jobs: %w", err)
					}
					return nil
				})
			}
			*all = append(*all, *mine...)
			return nil
		})
	}
	*mine = append(*mine, river.InsertManyParams{Args: args, InsertOpts: opts})
	return nil
}

// Start begins working jobs (a no-op for an insert-only runner).
func (r *Runner) Start(ctx context.Context) error {
	if !r.work {
		return nil
	}
	return r.client.Start(ctx)
}

// Stop lets running jobs finish, then stops.
func (r *Runner) Stop(ctx context.Context) error {
	if !r.work {
		return nil
	}
	return r.client.Stop(ctx)
}

// SnoozeUntil ends a job that waits for a day to come: done (nil) when next is zero, else
// snoozed until next — at most an hour at a time, so that a clock moved by hand (or a deadline
// moved by a later action) is noticed soon. A snooze is kept in the job's row, so it survives
// restarts.
func SnoozeUntil(next, now time.Time) error {
	if next.IsZero() {
		return nil
	}
	if wait := next.Sub(now); wait > 0 {
		return river.JobSnooze(min(wait, time.Hour))
	}
	return nil
}

// Package jobs runs background work on River, on the same database as everything else:
// riversqlite on SQLite, riverdatabasesql on PostgreSQL. Jobs are inserted in the transaction of
// the business write that causes them, so a job exists exactly when its cause does, and they
// survive restarts because they are rows.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"banhao/errs"
	"banhao/store"
	"banhao/wiring"
)

func driver(db *store.DB) riverdriver.Driver[*sql.Tx] {
	if db.Dialect == store.SQLite {
		return riversqlite.New(db.Writer())
	}
	return riverdatabasesql.New(db.Writer())
}

// Migrate creates or updates River's tables under the store's migration lock, so several nodes
// may start at once: one migrates, the others wait and find nothing to do.
func Migrate(ctx context.Context, db *store.DB) (err error) {
	defer errs.Wrap(&err, "jobs.Migrate")
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

// Inserter writes jobs inside business transactions. Every process has one; only `serve` also
// runs a Runner that works them.
type Inserter struct {
	client *river.Client[*sql.Tx]
	// batch are the jobs of every command of a transaction that succeeded, inserted at once.
	batch *store.BatchValue[[]river.InsertManyParams]
}

// NewInserter returns an insert-only client on db: it accepts every kind of job.
func NewInserter(db *store.DB) (_ *Inserter, err error) {
	defer errs.Wrap(&err, "jobs.NewInserter")
	client, err := river.NewClient(driver(db), &river.Config{Logger: slog.New(slog.DiscardHandler), MaxAttempts: maxAttempts})
	if err != nil {
		return nil, err
	}
	r := &Inserter{client: client}
	r.batch = store.NewBatchValue("jobs", func(ctx context.Context, tx *store.Tx, all *[]river.InsertManyParams) error {
		if _, err := r.client.InsertManyFastTx(ctx, tx.SQL(), *all); err != nil {
			return fmt.Errorf("insert jobs: %w", err)
		}
		return nil
	})
	return r, nil
}

// maxAttempts is how often a failing job is tried before River discards it.
const maxAttempts = 10

// InsertTx adds a job inside the business transaction. The command's jobs join the
// transaction's list once the command has succeeded; all are inserted with one statement just
// before the commit — under SQLite's group commit that is one insert for the whole batch instead
// of one per job.
func (r *Inserter) InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	r.batch.Add(tx, func(all *[]river.InsertManyParams) {
		*all = append(*all, river.InsertManyParams{Args: args, InsertOpts: opts})
	})
	return nil
}

// Discard is the stand-in inserter of a process that wants no background work (a test of a
// capability alone): every job is dropped.
type Discard struct{}

// InsertTx drops the job.
func (Discard) InsertTx(context.Context, *store.Tx, river.JobArgs, *river.InsertOpts) error {
	return nil
}

// Config sets up a Runner.
type Config struct {
	// Workers (required) work the jobs; Periodic may be empty.
	Workers  *river.Workers
	Periodic []*river.PeriodicJob
	// Logger (required) records what River and the loops could not do.
	Logger *slog.Logger
	// Poll is how often idle workers look for new jobs (PostgreSQL without LISTEN, SQLite).
	Poll time.Duration
	// Loops are run on every node that works jobs, from Start to Stop.
	Loops []Loop
}

// A Loop is work done every few seconds without a job row: at Start, then every Every, until
// Stop; a failure is logged and the next round tries again. For frequent work that makes no
// job of its own worth keeping (a periodic River job every 5 s is 17,280 job rows a day) and is
// safe on several nodes at once because it serialises itself (a PostgreSQL advisory lock,
// SQLite's one writer) and does nothing when there is nothing to do.
type Loop struct {
	Name  string
	Every time.Duration
	Run   func(context.Context) error
}

// Runner works jobs: the workers of a server process, its periodic jobs and its loops.
type Runner struct {
	client *river.Client[*sql.Tx]
	loops  []Loop
	logger *slog.Logger
	stop   context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a runner on db; it works nothing until Start.
func New(db *store.DB, c Config) (_ *Runner, err error) {
	defer errs.Wrap(&err, "jobs.New")
	if err := wiring.Require("jobs.New", wiring.Deps{"db": db, "Workers": c.Workers, "Logger": c.Logger}); err != nil {
		return nil, err
	}
	if c.Poll == 0 {
		c.Poll = time.Second
	}
	// A job whose node died mid-run (kill -9, a lost machine) is run again after five minutes
	// rather than River's default hour: every job here finishes within its one-minute timeout, and
	// each is safe to run twice (sends carry an idempotency key, sweeps re-read what is due).
	client, err := river.NewClient(driver(db), &river.Config{Logger: c.Logger, FetchPollInterval: c.Poll, FetchCooldown: c.Poll / 4,
		MaxAttempts: maxAttempts, JobTimeout: time.Minute, RescueStuckJobsAfter: 5 * time.Minute,
		Workers: c.Workers, Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}}, PeriodicJobs: c.Periodic})
	if err != nil {
		return nil, err
	}
	return &Runner{client: client, loops: c.Loops, logger: c.Logger}, nil
}

// Start begins working jobs and running the loops.
func (r *Runner) Start(ctx context.Context) (err error) {
	defer errs.Wrap(&err, "jobs.Runner.Start")
	if err := r.client.Start(ctx); err != nil {
		return err
	}
	ctx, r.stop = context.WithCancel(ctx)
	for _, l := range r.loops {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.loop(ctx, l)
		}()
	}
	return nil
}

// loop runs l until ctx ends.
func (r *Runner) loop(ctx context.Context, l Loop) {
	tick := time.NewTicker(l.Every)
	defer tick.Stop()
	for {
		if err := l.Run(ctx); err != nil && ctx.Err() == nil {
			r.logger.Warn("background loop failed", "loop", l.Name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Stop ends the loops (a round under way is cancelled and waited for), lets running jobs
// finish, then stops.
func (r *Runner) Stop(ctx context.Context) (err error) {
	defer errs.Wrap(&err, "jobs.Runner.Stop")
	if r.stop != nil {
		r.stop()
		r.wg.Wait()
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

// LiveArgs returns the arguments (JSON) of the jobs of a kind that may still run — available,
// scheduled, retrying or running — so that a sweep can tell work River has given up on
// (discarded after its last attempt, or gone) from work still on its way. The engines keep the
// arguments differently (SQLite as JSONB blobs): read here, as JSON text.
func LiveArgs(ctx context.Context, db *store.DB, kind string) (_ []json.RawMessage, err error) {
	defer errs.Wrap(&err, "jobs.LiveArgs")
	args := "args::text"
	if db.Dialect == store.SQLite {
		args = "json(args)"
	}
	rows, err := db.QueryContext(ctx, `SELECT `+args+` FROM river_job WHERE kind = ? AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`, kind)
	if err != nil {
		return nil, fmt.Errorf("jobs: live %s: %w", kind, err)
	}
	defer rows.Close()
	var out []json.RawMessage
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, json.RawMessage(s))
	}
	return out, rows.Err()
}

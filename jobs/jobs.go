// Package jobs runs background work on River, on the same database as everything else:
// riversqlite on SQLite, riverdatabasesql on PostgreSQL. Jobs are inserted in the transaction of
// the business write that causes them, so a job exists exactly when its cause does, and they
// survive restarts because they are rows.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

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
	client  *river.Client[*sql.Tx]
	driver  riverdriver.Driver[*sql.Tx]
	dialect store.Dialect
	// batch are the jobs of every command of a transaction that succeeded, inserted at once.
	batch *store.BatchValue[[]river.InsertManyParams]
	// notified is when each queue was last told of new jobs (River's insert notification,
	// rate-limited as River limits it).
	mu       sync.Mutex
	notified map[string]time.Time
}

// NewInserter returns an insert-only client on db: it accepts every kind of job.
func NewInserter(db *store.DB) (_ *Inserter, err error) {
	defer errs.Wrap(&err, "jobs.NewInserter")
	drv := driver(db)
	client, err := river.NewClient(drv, &river.Config{Logger: slog.New(slog.DiscardHandler), MaxAttempts: maxAttempts})
	if err != nil {
		return nil, err
	}
	r := &Inserter{client: client, driver: drv, dialect: db.Dialect, notified: map[string]time.Time{}}
	r.batch = store.NewBatchValue("jobs", r.write)
	return r, nil
}

// maxAttempts is how often a failing job is tried before River discards it.
const maxAttempts = 10

// InsertTx adds a job inside the business transaction. The command's jobs join the
// transaction's list once the command has succeeded; all are inserted just before the commit.
func (r *Inserter) InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	r.batch.Add(tx, func(all *[]river.InsertManyParams) {
		*all = append(*all, river.InsertManyParams{Args: args, InsertOpts: opts})
	})
	return nil
}

// write inserts a transaction's jobs. A plain job — no unique key, tags, metadata or pending
// state, the default queue — is written as the row River's own insert writes (plainRow, with
// the same columns and values), by a statement the writer keeps prepared (SQLite) or queued
// into the commit's round trip (PostgreSQL): River's batch insert is a JSON (SQLite) or array
// (PostgreSQL) statement prepared anew each time, on SQLite 20–25 % of the writer's time in a
// one-step intake. Any other job goes through River's InsertManyFastTx. New available jobs then
// notify their queue as River's insert does (at most once per FetchCooldown), so a runner
// that listens fetches them at once.
func (r *Inserter) write(ctx context.Context, tx *store.Tx, all *[]river.InsertManyParams) error {
	var rest []river.InsertManyParams
	var queues []string
	now := time.Now().UTC()
	for _, p := range *all {
		row, ok, err := plainRow(p.Args, p.InsertOpts, now)
		if err != nil {
			return fmt.Errorf("insert job %s: %w", p.Args.Kind(), err)
		}
		if !ok {
			rest = append(rest, p)
			continue
		}
		if err := r.insertRow(ctx, tx, row); err != nil {
			return fmt.Errorf("insert job %s: %w", row.kind, err)
		}
		if row.state == rivertype.JobStateAvailable && !slices.Contains(queues, row.queue) {
			queues = append(queues, row.queue)
		}
	}
	if len(rest) > 0 {
		if _, err := r.client.InsertManyFastTx(ctx, tx.SQL(), rest); err != nil {
			return fmt.Errorf("insert jobs: %w", err)
		}
	}
	return r.notify(ctx, tx, queues)
}

// jobRow is one job as River's insert writes it.
type jobRow struct {
	args        []byte
	kind        string
	maxAttempts int
	priority    int
	queue       string
	state       rivertype.JobState
	scheduledAt *time.Time // nil: now
	createdAt   time.Time  // PostgreSQL: River's driver sets it in Go; SQLite: the database's now
}

// plainRow is River's insertParamsFromConfigArgsAndOptions for a job that asks for nothing but
// a schedule, a priority and a number of attempts: the options given win over the job kind's
// own (JobArgsWithInsertOpts), which win over the client's default. ok is false for any other
// job, which River then inserts itself.
func plainRow(args river.JobArgs, opts *river.InsertOpts, now time.Time) (jobRow, bool, error) {
	if opts == nil {
		opts = &river.InsertOpts{}
	}
	var own river.InsertOpts
	if a, ok := args.(river.JobArgsWithInsertOpts); ok {
		own = a.InsertOpts()
	}
	for _, o := range []*river.InsertOpts{opts, &own} {
		if o.Tags != nil || len(o.Metadata) > 0 || o.Pending || !reflect.ValueOf(o.UniqueOpts).IsZero() ||
			(o.Queue != "" && o.Queue != river.QueueDefault) {
			return jobRow{}, false, nil
		}
	}
	priority := cmp.Or(opts.Priority, own.Priority, 1)
	if priority < 1 || priority > 4 {
		return jobRow{}, false, nil // River's own error
	}
	encoded, err := json.Marshal(args)
	if err != nil {
		return jobRow{}, false, err
	}
	row := jobRow{args: encoded, kind: args.Kind(), maxAttempts: cmp.Or(opts.MaxAttempts, own.MaxAttempts, maxAttempts),
		priority: priority, queue: river.QueueDefault, state: rivertype.JobStateAvailable, createdAt: now}
	switch {
	case !opts.ScheduledAt.IsZero():
		row.scheduledAt, row.state = &opts.ScheduledAt, rivertype.JobStateScheduled
	case !own.ScheduledAt.IsZero():
		row.scheduledAt, row.state = &own.ScheduledAt, rivertype.JobStateScheduled
	}
	return row, true, nil
}

// The rows as riversqlite's JobInsertFastManyNoReturning and riverdatabasesql's write them (their
// SQL, one row per statement): on SQLite args, metadata and tags as JSONB, times as text in
// UTC to the millisecond, now from the database; on PostgreSQL now from Go.
const (
	insertJobSQLite = `INSERT INTO river_job (args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags, unique_key, unique_states)
		VALUES (jsonb(json_extract(?, '$')), datetime('now', 'subsec'), ?, ?, jsonb('{}'), ?, ?, coalesce(?, datetime('now', 'subsec')), ?, jsonb('[]'), NULL, NULL)`
	insertJobPostgres = `INSERT INTO river_job (args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags, unique_key, unique_states)
		VALUES (?::jsonb, ?, ?, ?, '{}', ?, ?, ?, ?::river_job_state, '{}', NULL, NULL)`
)

func (r *Inserter) insertRow(ctx context.Context, tx *store.Tx, row jobRow) error {
	if r.dialect == store.SQLite {
		var at any
		if row.scheduledAt != nil {
			at = row.scheduledAt.UTC().Round(time.Millisecond).Format("2006-01-02 15:04:05.000")
		}
		return tx.ExecLater(ctx, insertJobSQLite, string(row.args), row.kind, row.maxAttempts, row.priority, row.queue, at, string(row.state))
	}
	// River's driver sends the times as text, which PostgreSQL rounds to the microsecond; pgx
	// would truncate them.
	created, at := row.createdAt.Round(time.Microsecond), row.createdAt.Round(time.Microsecond)
	if row.scheduledAt != nil {
		at = row.scheduledAt.Round(time.Microsecond)
	}
	return tx.ExecLater(ctx, insertJobPostgres, string(row.args), created, row.kind, row.maxAttempts, row.priority, row.queue,
		at, string(row.state))
}

// notifyEvery is River's default FetchCooldown, the inserter client's insert-notification limit.
const notifyEvery = 100 * time.Millisecond

// notify tells each queue of new available jobs, as River's insert does: through River's own
// driver (a river_notification row on SQLite, pg_notify on PostgreSQL), at most once per
// notifyEvery for a queue.
func (r *Inserter) notify(ctx context.Context, tx *store.Tx, queues []string) error {
	var payloads []string
	now := time.Now()
	r.mu.Lock()
	for _, q := range queues {
		if now.Sub(r.notified[q]) > notifyEvery {
			r.notified[q] = now
			payloads = append(payloads, fmt.Sprintf("{\"queue\": %q}", q))
		}
	}
	r.mu.Unlock()
	if len(payloads) == 0 {
		return nil
	}
	err := r.driver.UnwrapExecutor(tx.SQL()).NotifyMany(ctx, &riverdriver.NotifyManyParams{Payload: payloads, Topic: "river_insert"})
	if err != nil {
		return fmt.Errorf("notify new jobs: %w", err)
	}
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

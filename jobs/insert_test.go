package jobs_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"banhao/jobs"
	"banhao/store"
	"banhao/store/storetest"
)

type plainArgs struct {
	Number string `json:"number"`
	Note   string `json:"note"`
}

func (plainArgs) Kind() string { return "test.plain" }

// ownOptsArgs is a kind with options of its own, as notify.SendArgs and cases.PayArgs have.
type ownOptsArgs struct {
	ID int64 `json:"id"`
}

func (ownOptsArgs) Kind() string                 { return "test.own_opts" }
func (ownOptsArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 200} }

// uniqueArgs asks for a unique key: River inserts it itself.
type uniqueArgs struct {
	N int `json:"n"`
}

func (uniqueArgs) Kind() string { return "test.unique" }
func (uniqueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// jobColumns reads every column of a job River sets at insert, as text; created_at and (for
// a job due now) scheduled_at are left out here and checked apart, as they are the time of the
// insert.
func jobColumns(t *testing.T, db *store.DB, id int64) []string {
	t.Helper()
	q := `SELECT hex(args), json(args), kind, max_attempts, hex(metadata), priority, queue, state, hex(tags),
		CASE WHEN unique_key IS NULL THEN 'NULL' ELSE hex(unique_key) END, COALESCE(unique_states, -1), attempt, COALESCE(attempted_at, 'NULL'),
		COALESCE(attempted_by, 'NULL'), COALESCE(errors, 'NULL'), COALESCE(finalized_at, 'NULL'),
		CASE WHEN state = 'scheduled' THEN scheduled_at ELSE '' END,
		typeof(created_at) || length(created_at), typeof(scheduled_at) || length(scheduled_at),
		created_at = scheduled_at OR state = 'scheduled'
		FROM river_job WHERE id = ?`
	if db.Dialect == store.Postgres {
		q = `SELECT args::text, args::text, kind, max_attempts::text, metadata::text, priority::text, queue, state::text, tags::text,
		COALESCE(encode(unique_key, 'hex'), 'NULL'), COALESCE(unique_states::text, '-1'), attempt::text, COALESCE(attempted_at::text, 'NULL'),
		COALESCE(attempted_by::text, 'NULL'), COALESCE(errors::text, 'NULL'), COALESCE(finalized_at::text, 'NULL'),
		CASE WHEN state = 'scheduled' THEN scheduled_at::text ELSE '' END,
		pg_typeof(created_at)::text, pg_typeof(scheduled_at)::text,
		(created_at = scheduled_at OR state = 'scheduled')::text
		FROM river_job WHERE id = ?`
	}
	cols := make([]string, 20)
	dest := make([]any, len(cols))
	for i := range cols {
		dest[i] = &cols[i]
	}
	if err := db.QueryRowContext(context.Background(), q, id).Scan(dest...); err != nil {
		t.Fatalf("job %d: %v", id, err)
	}
	return cols
}

// TestPlainJobRowsAreRiversOwn: a job the inserter writes with its own statement is, column by
// column, the row River's insert writes for the same job — args, kind, attempts, metadata,
// priority, queue, state, tags, no unique key, a schedule given or now — on both engines; a
// job with a unique key still goes through River.
func TestPlainJobRowsAreRiversOwn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		ins, err := jobs.NewInserter(db)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 12, 7, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
		later := time.Now().Add(90 * time.Minute).Add(123456789 * time.Nanosecond)
		cases := []struct {
			name string
			args river.JobArgs
			opts *river.InsertOpts
		}{
			{"due now", plainArgs{Number: "371600-20261206-00001", Note: "<办好> & \"引号\""}, nil},
			{"scheduled for a day", plainArgs{Number: "371600-20261206-00002"}, &river.InsertOpts{ScheduledAt: at}},
			{"scheduled, sub-millisecond", plainArgs{Number: "371600-20261206-00003"}, &river.InsertOpts{ScheduledAt: later}},
			{"kind's own attempts", ownOptsArgs{ID: 42}, nil},
			{"attempts and priority given", ownOptsArgs{ID: 43}, &river.InsertOpts{MaxAttempts: 7, Priority: 3}},
		}
		for _, c := range cases {
			err := db.Tx(ctx, func(tx *store.Tx) error {
				if err := ins.RiverInsertTx(ctx, tx, river.InsertManyParams{Args: c.args, InsertOpts: c.opts}); err != nil {
					return err
				}
				return ins.InsertTx(ctx, tx, c.args, c.opts)
			})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var ids []int64
			rows, err := db.QueryContext(ctx, `SELECT id FROM river_job WHERE kind = ? ORDER BY id DESC LIMIT 2`, c.args.Kind())
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				_ = rows.Scan(&id)
				ids = append(ids, id)
			}
			rows.Close()
			if len(ids) != 2 {
				t.Fatalf("%s: %d jobs", c.name, len(ids))
			}
			river, ours := jobColumns(t, db, ids[1]), jobColumns(t, db, ids[0])
			if fmt.Sprint(river) != fmt.Sprint(ours) {
				t.Errorf("%s:\nriver %q\nours  %q", c.name, river, ours)
			}
			var createdRiver, createdOurs time.Time
			if err := db.QueryRowContext(ctx, `SELECT a.created_at, b.created_at FROM river_job a, river_job b WHERE a.id = ? AND b.id = ?`, ids[1], ids[0]).
				Scan(&createdRiver, &createdOurs); err != nil {
				t.Fatal(err)
			}
			if d := createdOurs.Sub(createdRiver); d < 0 || d > 10*time.Second {
				t.Errorf("%s: created at %v, River's %v", c.name, createdOurs, createdRiver)
			}
		}
		// A unique job is River's: a second insert of the same args in another transaction is skipped.
		for range 2 {
			if err := db.Tx(ctx, func(tx *store.Tx) error { return ins.InsertTx(ctx, tx, uniqueArgs{N: 1}, nil) }); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'test.unique' AND unique_key IS NOT NULL`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("unique jobs: %d (%v), want 1", n, err)
		}
	})
}

type ranArgs struct {
	N int `json:"n"`
}

func (ranArgs) Kind() string { return "test.ran" }

// TestPlainJobsAreRunByRiver: jobs the inserter writes itself — due now, and scheduled for a
// moment already past — are fetched and run by River's runner on both engines.
func TestPlainJobsAreRunByRiver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		ran := make(chan int, 10)
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(func(_ context.Context, j *river.Job[ranArgs]) error {
			ran <- j.Args.N
			return nil
		}))
		r, err := jobs.New(db, jobs.Config{Workers: workers, Poll: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			c, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_ = r.Stop(c)
		}()
		ins, err := jobs.NewInserter(db)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error {
			if err := ins.InsertTx(ctx, tx, ranArgs{N: 1}, nil); err != nil {
				return err
			}
			return ins.InsertTx(ctx, tx, ranArgs{N: 2}, &river.InsertOpts{ScheduledAt: time.Now().Add(-time.Second)})
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]bool{}
		timeout := time.After(30 * time.Second)
		for len(got) < 2 {
			select {
			case n := <-ran:
				got[n] = true
			case <-timeout:
				t.Fatalf("River ran %v of the jobs 1 and 2 in 30 s", got)
			}
		}
		// River records each as completed once its worker returned.
		var done int
		for deadline := time.Now().Add(15 * time.Second); done != 2 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'test.ran' AND state = 'completed'`).Scan(&done); err != nil {
				t.Fatal(err)
			}
		}
		if done != 2 {
			t.Fatalf("%d of the 2 jobs completed", done)
		}
	})
}

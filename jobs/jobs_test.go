package jobs_test

import (
	_ "banhao/store/engines"
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"banhao/jobs"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

// TestNodesStartingTogetherMigrateOnce: several processes starting at once on one database all
// succeed, and River's tables exist once.
func TestNodesStartingTogetherMigrateOnce(t *testing.T) {
	for engine, dsn := range storetest.DSNs(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db, err := store.Open(ctx, dsn)
					if err != nil {
						errs[i] = err
						return
					}
					defer db.Close()
					if err = db.Migrate(ctx); err == nil {
						err = jobs.Migrate(ctx, db)
					}
					errs[i] = err
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("node %d: %v", i, err)
				}
			}
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job`).Scan(&n); err != nil {
				t.Fatalf("river_job after concurrent starts: %v", err)
			}
		})
	}
}

// TestLoopsRunFromStartToStop: a loop runs at Start and then every round, goes on after a
// failing round, and Stop cancels the round under way (and waits for it).
func TestLoopsRunFromStartToStop(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	rounds, started := make(chan int), make(chan struct{})
	var ended atomic.Bool
	n := 0
	loop := jobs.Loop{Name: "test", Every: time.Millisecond, Run: func(ctx context.Context) error {
		n++
		if n == 1 {
			return errors.New("the first round fails")
		}
		if n == 5 { // under way until Stop
			close(started)
			<-ctx.Done()
			ended.Store(true)
			return ctx.Err()
		}
		rounds <- n
		return nil
	}}
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[noArgs]) error { return nil }))
	r, err := jobs.New(db, jobs.Config{Workers: workers, Loops: []jobs.Loop{loop}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for want := 2; want <= 4; want++ {
		if got := <-rounds; got != want {
			t.Fatalf("round %d came as %d", want, got)
		}
	}
	<-started // Stop must cancel this round and wait for it
	if err := r.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if !ended.Load() {
		t.Fatal("Stop returned before the loop's round under way had ended")
	}
}

type noArgs struct{}

func (noArgs) Kind() string { return "test.none" }

// TestNewRefusesMissingDependencies: a runner without a logger is refused by name (what the loops
// could not do must go somewhere), not quietly given a discarding one.
func TestNewRefusesMissingDependencies(t *testing.T) {
	_, err := jobs.New(&store.DB{}, jobs.Config{Workers: river.NewWorkers()})
	if names, ok := wiring.Missing(err); !ok || len(names) != 1 || names[0] != "Logger" {
		t.Fatalf("err = %v", err)
	}
}

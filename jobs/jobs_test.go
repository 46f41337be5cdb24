package jobs_test

import (
	_ "banhao/store/engines"
	"context"
	"sync"
	"testing"

	"banhao/jobs"
	"banhao/store"
	"banhao/store/storetest"
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

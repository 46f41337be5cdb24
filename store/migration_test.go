package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"banhao/store"
)

// backTo takes db down to migration version (goose's down migrations), as an installation of
// then: exec writes the rows it had (at now, the time to write them with), up runs the
// migrations up to a later version, the one under test.
func backTo(t *testing.T, db *store.DB, version int64) (exec func(q string, args ...any), up func(version int64), now time.Time) {
	t.Helper()
	ctx := context.Background()
	dialect := goose.DialectSQLite3
	if db.Dialect == store.Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, db.Writer(), store.MigrationsFS(db.Dialect))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		t.Fatal(err)
	}
	exec = func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	up = func(version int64) {
		t.Helper()
		if _, err := p.UpTo(ctx, version); err != nil {
			t.Fatal(err)
		}
	}
	return exec, up, time.Now().UTC()
}

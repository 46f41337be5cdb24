package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"banhao/store"
)

// A Template is a migrated database seeded once per test process and engine, of which each test
// gets a copy: a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL. It is for a seed
// that is most of a test's setup (a whole catalog, a demo center) and the same for every test;
// each test still starts on a database of its own. The package's TestMain calls Remove.
type Template struct {
	seed   func(ctx context.Context, db *store.DB) error
	sqlite templateResult // name: the template file
	pg     templateResult // name: the template database
	dir    string         // the SQLite template's directory
	copies sync.Map       // *store.DB → struct{}, while its test runs
}

// NewTemplate is a template seeded by seed, on a migrated database closed afterwards (so seed
// must leave no connection or goroutine behind).
func NewTemplate(seed func(ctx context.Context, db *store.DB) error) *Template {
	return &Template{seed: seed}
}

// SQLite opens a copy of the SQLite template.
func (tm *Template) SQLite(t testing.TB) *store.DB {
	t.Helper()
	tm.sqlite.once.Do(func() { tm.sqlite.name, tm.sqlite.err = tm.buildSQLite() })
	if tm.sqlite.err != nil {
		t.Fatalf("template (SQLite): %v", tm.sqlite.err)
	}
	path := filepath.Join(t.TempDir(), "banhao.db")
	if err := copyFile(tm.sqlite.name, path); err != nil {
		t.Fatal(err)
	}
	return tm.opened(t, "sqlite:"+path)
}

// Postgres opens a copy of the PostgreSQL template; it skips when no server is configured.
func (tm *Template) Postgres(t testing.TB) *store.DB {
	t.Helper()
	base := PostgresDSN()
	if base == "" {
		t.Skip("BANHAO_TEST_POSTGRES not set")
	}
	tm.pg.once.Do(func() { tm.pg.err = tm.buildPostgres(base) })
	if tm.pg.err != nil {
		t.Fatalf("template (PostgreSQL): %v", tm.pg.err)
	}
	return tm.opened(t, WithDatabase(base, NewPostgresDatabaseFrom(t, base, tm.pg.name)))
}

// Each is storetest.Each with a copy of the template in each engine's database.
func (tm *Template) Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, tm.SQLite(t)) })
	if PostgresDSN() != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, tm.Postgres(t)) })
	}
}

// Holds reports whether db is a copy of the template (opened by SQLite, Postgres or Each).
func (tm *Template) Holds(db *store.DB) bool {
	_, ok := tm.copies.Load(db)
	return ok
}

// Remove deletes the templates built; for TestMain, after the tests ran.
func (tm *Template) Remove() {
	if tm.dir != "" {
		os.RemoveAll(tm.dir)
	}
	if tm.pg.name != "" {
		if admin, err := sql.Open("pgx", PostgresDSN()); err == nil {
			_, _ = admin.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, tm.pg.name))
			admin.Close()
		}
	}
}

func (tm *Template) opened(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db := open(t, dsn)
	tm.copies.Store(db, struct{}{})
	t.Cleanup(func() { tm.copies.Delete(db) })
	return db
}

func (tm *Template) buildSQLite() (string, error) {
	dir, err := os.MkdirTemp("", "banhao-template-")
	if err != nil {
		return "", err
	}
	tm.dir = dir
	path := filepath.Join(dir, "banhao.db")
	if err := tm.seedInto("sqlite:" + path); err != nil {
		return "", err
	}
	if _, err := os.Stat(path + "-wal"); err == nil { // closed, so checkpointed: no WAL is left
		return "", fmt.Errorf("the template's WAL was not checkpointed at close")
	}
	return path, nil
}

func (tm *Template) buildPostgres(base string) error {
	migrated, err := PostgresTemplate(base)
	if err != nil {
		return err
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return err
	}
	defer admin.Close()
	name := "banhao_seeded_" + randomHex(6)
	if _, err := admin.Exec(fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, migrated)); err != nil {
		return err
	}
	tm.pg.name = name // dropped by Remove, seeded or not
	return tm.seedInto(WithDatabase(base, name))
}

// seedInto migrates dsn's database, seeds it and closes it, with every connection.
func (tm *Template) seedInto(dsn string) error {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	err = db.Migrate(ctx)
	if err == nil {
		err = tm.seed(ctx, db)
	}
	if closeErr := db.Close(); err == nil {
		err = closeErr
	}
	return err
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

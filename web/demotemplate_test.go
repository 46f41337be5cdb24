package web_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"banhao/app"
	"banhao/demo"
	"banhao/store"
	"banhao/store/storetest"
)

// Loading the demo center (the migrations, River's tables, 600 items with their search keys, the
// accounts, the hall, the network) is most of a harness's setup: 0.5 s of a 0.6 s test, and 5 of
// 7 s under -race. So it is loaded once per test process and engine, through app.New and the
// services as a harness loads it, into a template; each harness gets a copy (a file copy on
// SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL) and starts on it as `serve` restarts on a
// loaded database.

// demoCopies holds the databases copied from a template: newHarness signs in on them instead of
// loading the demo.
var demoCopies sync.Map // *store.DB → struct{}

type demoTemplate struct {
	once sync.Once
	name string // SQLite: the template file; PostgreSQL: the template database
	err  error
}

var (
	sqliteDemo, postgresDemo demoTemplate
	templateDir              string // SQLite's template, removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
	if postgresDemo.name != "" {
		if admin, err := sql.Open("pgx", storetest.PostgresDSN()); err == nil {
			_, _ = admin.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, postgresDemo.name))
			admin.Close()
		}
	}
	os.Exit(code)
}

// demoSQLite is a SQLite database holding the demo center, for newHarness.
func demoSQLite(t *testing.T) *store.DB {
	t.Helper()
	sqliteDemo.once.Do(func() { sqliteDemo.name, sqliteDemo.err = buildSQLiteDemo() })
	if sqliteDemo.err != nil {
		t.Fatalf("demo template (SQLite): %v", sqliteDemo.err)
	}
	path := filepath.Join(t.TempDir(), "banhao.db")
	if err := copyFile(sqliteDemo.name, path); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t, "sqlite:"+path)
	demoCopies.Store(db, struct{}{})
	t.Cleanup(func() { demoCopies.Delete(db) })
	return db
}

// demoPostgres is a PostgreSQL database holding the demo center, for newHarness.
func demoPostgres(t *testing.T) *store.DB {
	t.Helper()
	base := storetest.PostgresDSN()
	postgresDemo.once.Do(func() { postgresDemo.name, postgresDemo.err = buildPostgresDemo(base) })
	if postgresDemo.err != nil {
		t.Fatalf("demo template (PostgreSQL): %v", postgresDemo.err)
	}
	db := storetest.Open(t, storetest.WithDatabase(base, storetest.NewPostgresDatabaseFrom(t, base, postgresDemo.name)))
	demoCopies.Store(db, struct{}{})
	t.Cleanup(func() { demoCopies.Delete(db) })
	return db
}

// eachDemo is storetest.Each with the demo center in each engine's database.
func eachDemo(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, demoSQLite(t)) })
	if storetest.PostgresDSN() != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, demoPostgres(t)) })
	}
}

func buildSQLiteDemo() (string, error) {
	dir, err := os.MkdirTemp("", "banhao-web-demo-")
	if err != nil {
		return "", err
	}
	templateDir = dir
	path := filepath.Join(dir, "banhao.db")
	if err := loadDemoInto("sqlite:"+path, dir); err != nil {
		return "", err
	}
	if _, err := os.Stat(path + "-wal"); err == nil { // closed, so checkpointed: no WAL is left
		return "", fmt.Errorf("the template's WAL was not checkpointed at close")
	}
	return path, nil
}

func buildPostgresDemo(base string) (string, error) {
	migrated, err := storetest.PostgresTemplate(base)
	if err != nil {
		return "", err
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "banhao_webdemo_" + hex.EncodeToString(b)
	if _, err := admin.Exec(fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, migrated)); err != nil {
		return "", err
	}
	postgresDemo.name = name // dropped by TestMain, built or not
	dir, err := os.MkdirTemp("", "banhao-web-demo-pg-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	return name, loadDemoInto(storetest.WithDatabase(base, name), dir)
}

// loadDemoInto loads the demo center into dsn's database as withDemo does, through a whole server
// stopped afterwards, with every connection closed. Its clock is an hour before the harnesses'
// morning, so that everything the demo wrote is older than anything a test does.
func loadDemoInto(dsn, dataDir string) error {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	err = loadDemoOn(ctx, db, dataDir)
	if closeErr := db.Close(); err == nil {
		err = closeErr
	}
	return err
}

func loadDemoOn(ctx context.Context, db *store.DB, dataDir string) error {
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	clk := &clock{base: testMorning.Add(-time.Hour), start: time.Now()}
	a, err := app.New(ctx, harnessConfig(db, dataDir, app.Settings{Center: demo.CenterName, DevCodes: true},
		slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), clk.Now))
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		return err
	}
	_, err = demo.Load(ctx, db, demo.Services{Catalog: a.Catalog, Users: a.Identity, Hall: a.Queue, Certs: a.Certs, Applicants: a.Applicants, Cases: a.Cases})
	if stopErr := a.Stop(ctx); err == nil {
		err = stopErr
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

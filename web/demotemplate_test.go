package web_test

import (
	"context"
	"log/slog"
	"os"
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
var demoTemplate = storetest.NewTemplate(loadDemo)

func TestMain(m *testing.M) {
	code := m.Run()
	demoTemplate.Remove()
	os.Exit(code)
}

// demoSQLite is a SQLite database holding the demo center, for newHarness.
func demoSQLite(t *testing.T) *store.DB { t.Helper(); return demoTemplate.SQLite(t) }

// eachDemo is storetest.Each with the demo center in each engine's database.
func eachDemo(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	demoTemplate.Each(t, fn)
}

// loadDemo loads the demo center into db as withDemo does, through a whole server stopped
// afterwards. Its clock is an hour before the harnesses' morning, so that everything the demo
// wrote is older than anything a test does.
func loadDemo(ctx context.Context, db *store.DB) error {
	dataDir, err := os.MkdirTemp("", "banhao-web-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dataDir)
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

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for banhao itself: run with BANHAO_TEST_AS_MAIN=1 it is
// the command (`serve` for the fault test's child process), otherwise it runs the tests.
func TestMain(m *testing.M) {
	if os.Getenv("BANHAO_TEST_AS_MAIN") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestKillNineLosesNothingAcknowledged: intake over HTTP against a real server process on
// SQLite, killed with SIGKILL under load and started again: every case acknowledged before,
// during and after exists under its Idempotency-Key, no number is given twice, no key made two
// cases, and the audit chain is whole.
func TestKillNineLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	fb := &faultBench{dsn: "sqlite:" + filepath.Join(t.TempDir(), "faults.db"), command: []string{exe},
		env: []string{"BANHAO_TEST_AS_MAIN=1"}, clients: 4, out: os.Stderr}
	res, err := fb.run(context.Background(), 1, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	res.print(&report)
	t.Log(report.String())
	if !res.ok() {
		t.Fatalf("after kill -9 and restart:\n%s", report.String())
	}
	if res.acked == 0 || len(res.faults) != 1 || res.failures["connection refused (server down)"]+res.failures["connection cut (request in flight)"] == 0 {
		t.Fatalf("the run did not put the kill under load (acknowledged %d, faults %d, failures %v)", res.acked, len(res.faults), res.failures)
	}
}

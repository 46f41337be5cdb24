package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"banhao/store"
	"banhao/store/storetest"
)

// cli runs the command as a user would, returning its exit code and output.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCLI(t *testing.T) {
	for engine, dsn := range storetest.DSNs(t) {
		t.Run(engine, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("BANHAO_DATA", dir) // the secret of PostgreSQL installs lives here
			t.Setenv("BANHAO_SECRET", "")

			if code, out, errOut := cli(t, "", "migrate", "--db", dsn); code != 0 || !strings.Contains(out, "schema is at version") {
				t.Fatalf("migrate: %d %s %s", code, out, errOut)
			}
			// The real district listing imports cleanly, as drafts.
			code, out, errOut := cli(t, "", "import", "catalog", "../../demo/real-district-items.csv", "--db", dsn)
			if code != 0 || !strings.Contains(out, "imported 1135 items (1135 created") {
				t.Fatalf("import real district: %d %q %q", code, out, errOut)
			}
			// A bad file changes nothing and names every bad row.
			bad := filepath.Join(dir, "bad.csv")
			os.WriteFile(bad, []byte("code,name,type,department\nX-1,好,行政许可,区民政局\nX-2,,行政许可,区民政局\nX-3,坏类型,行政处罚,区民政局\n"), 0o600)
			code, out, errOut = cli(t, "", "import", "catalog", bad, "--db", dsn)
			if code != 1 || !strings.Contains(out, "imported 0 items: 2 row errors") ||
				!strings.Contains(errOut, "第 3 行，列 name") || !strings.Contains(errOut, "第 4 行，列 type") {
				t.Fatalf("bad import: %d %q %q", code, out, errOut)
			}
			// Export → import into a fresh database → export again gives the same workbook content.
			x1 := filepath.Join(dir, "catalog.xlsx")
			if code, out, errOut := cli(t, "", "export", "catalog", x1, "--db", dsn); code != 0 || !strings.Contains(out, "exported 1135 items") {
				t.Fatalf("export: %d %q %q", code, out, errOut)
			}
			other := "sqlite:" + filepath.Join(dir, "other.db")
			if code, out, errOut := cli(t, "", "import", "catalog", x1, "--db", other); code != 0 || !strings.Contains(out, "1135 created") {
				t.Fatalf("import export: %d %q %q", code, out, errOut)
			}
			j1, j2 := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
			cli(t, "", "export", "catalog", j1, "--db", dsn)
			cli(t, "", "export", "catalog", j2, "--db", other)
			if a, b := stripExportTime(t, j1), stripExportTime(t, j2); a != b {
				t.Fatal("the catalog changed on its way through .xlsx")
			}

			// Users: the password comes from standard input; approvers need a department.
			if code, _, errOut := cli(t, "pw-long-enough\n", "user", "add", "ops", "--role", "approver", "--password-stdin", "--db", dsn); code != 1 || !strings.Contains(errOut, "department") {
				t.Fatalf("approver without department: %d %q", code, errOut)
			}
			if code, out, errOut := cli(t, "pw-long-enough\n", "user", "add", "ops", "--role", "admin", "--name", "运维 张三", "--password-stdin", "--db", dsn); code != 0 || !strings.Contains(out, "user ops added") {
				t.Fatalf("user add: %d %q %q", code, out, errOut)
			}
			if code, _, _ := cli(t, "", "user", "add", "ops2", "--role", "admin", "--db", dsn); code != 2 {
				t.Fatalf("user add without --password-stdin: %d, want usage error 2", code)
			}

			// The audit chain verifies; after a hand edit it does not, and names the entry.
			if code, out, _ := cli(t, "", "audit", "verify", "--db", dsn); code != 0 || !strings.Contains(out, "audit chain intact") {
				t.Fatalf("audit verify: %d %q", code, out)
			}
			tamper(t, dsn)
			code, _, errOut = cli(t, "", "audit", "verify", "--db", dsn)
			if code != 1 || !strings.Contains(errOut, "broken at entry 7") {
				t.Fatalf("audit verify after a hand edit: %d %q, want exit 1 naming entry 7", code, errOut)
			}
		})
	}
}

func stripExportTime(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	out := lines[:0]
	for _, l := range lines {
		if !strings.Contains(l, `"exported_at"`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// tamper edits audit entry 7 by hand, as someone with database access would.
func tamper(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET actor = 'someone-else' WHERE seq = 7`}
	if db.Dialect == store.Postgres {
		stmts[0] = `DROP TRIGGER audit_log_no_change ON audit_log`
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	if code, out, _ := cli(t, "", "--help"); code != 0 || !strings.Contains(out, "banhao serve") {
		t.Fatalf("help: %d %q", code, out)
	}
	if code, _, errOut := cli(t, "", "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown command: %d %q", code, errOut)
	}
	if code, _, errOut := cli(t, "", "export", "catalog", "x.pdf", "--db", "sqlite:"+filepath.Join(t.TempDir(), "db")); code != 1 || !strings.Contains(errOut, ".pdf") {
		t.Fatalf("export to .pdf: %d %q", code, errOut)
	}
}

// TestBenchQueueCommand runs the hall's three measurements at toy sizes: each completes and
// reports what it measured (figures are not asserted).
func TestBenchQueueCommand(t *testing.T) {
	t.Setenv("BANHAO_SECRET", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "replay", "--tickets", "120", "--counters", "4"}, "replayed 120 tickets over 4 counters"},
		{[]string{"--mode", "load", "--rate", "40", "--seconds", "1"}, "40 operations at 40/s"},
		{[]string{"--mode", "sse", "--clients", "20", "--calls", "2"}, "40 of 40 deliveries"},
	} {
		code, out, errOut := cli(t, "", append([]string{"bench", "queue", "--db", "sqlite:" + filepath.Join(t.TempDir(), "b.db")}, c.args...)...)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("bench queue %v: %d %q %q", c.args, code, out, errOut)
		}
	}
	if code, _, _ := cli(t, "", "bench", "queue", "--mode", "dance"); code != 2 {
		t.Errorf("unknown mode: exit %d, want 2", code)
	}
}

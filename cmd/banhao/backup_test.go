package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/store/storetest"
)

// TestBackupRestoreRoundTrip: a backup taken from a live installation (accounts, a catalog, an
// uploaded file) restores into an empty data directory that `audit verify` accepts, with the same
// uploaded bytes readable; what was written after the backup is not in it. On PostgreSQL the
// database goes through pg_dump and pg_restore, as docs/OPERATIONS.md says. Both engines, with
// the uploads in the database (they travel in the database's copy) and in a directory (files/).
func TestBackupRestoreRoundTrip(t *testing.T) {
	for _, mode := range []string{"db", "dir"} {
		for engine, dsn := range storetest.DSNs(t) {
			t.Run(engine+"/files-in-"+mode, func(t *testing.T) {
				t.Setenv("BANHAO_FILES", mode)
				backupRoundTrip(t, engine, dsn, mode)
			})
		}
	}
}

func backupRoundTrip(t *testing.T, engine, dsn, mode string) {
	if engine == "postgres" {
		if _, err := exec.LookPath("pg_dump"); err != nil {
			t.Skip("pg_dump not installed")
		}
	}
	ctx := context.Background()
	data := t.TempDir()
	t.Setenv("BANHAO_DATA", data)
	t.Setenv("BANHAO_SECRET", "")
	if engine == "sqlite" {
		dsn = "sqlite:" + filepath.Join(data, "banhao.db")
	}
	mustCLI(t, "", "migrate", "--db", dsn)
	mustCLI(t, "a-long-password-1\n", "user", "add", "admin1", "--role", "admin", "--password-stdin", "--db", dsn)
	mustCLI(t, "", "import", "catalog", "../../demo/real-district-items.csv", "--db", dsn)
	a, err := openApp(ctx, dsn, false, newLogger(io.Discard), readSettings(false))
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n% a material kept across the backup\n%%EOF\n")
	f, err := a.Files.Save(ctx, audit.System, "营业执照.pdf", bytes.NewReader(pdf))
	a.DB.Close()
	if err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "backup-1")
	out := mustCLI(t, "", "backup", dir, "--db", dsn)
	if !strings.Contains(out, "1 files") {
		t.Errorf("backup output %q does not count the one uploaded file", out)
	}
	if code, _, errOut := cli(t, "", "backup", dir, "--db", dsn); code == 0 || !strings.Contains(errOut, "not empty") {
		t.Errorf("a second backup into the same directory: exit %d, %q; want a refusal", code, errOut)
	}
	_, err = os.Stat(filepath.Join(dir, "files"))
	if inDB := mode == "db"; inDB != errors.Is(err, fs.ErrNotExist) {
		t.Errorf("files in the %s, yet the backup's files/ directory: %v", mode, err)
	}
	target := "sqlite:" + filepath.Join(t.TempDir(), "restored", "banhao.db")
	if engine == "postgres" { // the operator's pg_dump beside banhao backup
		target = storetest.WithDatabase(storetest.PostgresDSN(), "banhao_r_"+randomSuffix())
		pgCopy(t, dsn, target)
	}
	// Written after the backup: not in the restored installation.
	mustCLI(t, "a-long-password-2\n", "user", "add", "late", "--role", "clerk", "--password-stdin", "--db", dsn)

	t.Setenv("BANHAO_DATA", filepath.Join(t.TempDir(), "restored")) // PostgreSQL: the secret and files go here
	other := map[string]string{"db": "dir", "dir": "db"}[mode]
	t.Setenv("BANHAO_FILES", other)
	if code, _, errOut := cli(t, "", "restore", dir, "--db", target); code == 0 || !strings.Contains(errOut, "BANHAO_FILES=") {
		t.Errorf("restoring files kept in the %s with BANHAO_FILES=%s: exit %d, %q; want a refusal naming the setting", mode, other, code, errOut)
	}
	t.Setenv("BANHAO_FILES", mode)
	out = mustCLI(t, "", "restore", dir, "--db", target)
	if engine == "postgres" {
		out += mustCLI(t, "", "audit", "verify", "--db", target)
	}
	if !strings.Contains(out, "audit chain intact") {
		t.Fatalf("restore did not end with an intact audit chain: %q", out)
	}
	if code, _, errOut := cli(t, "", "restore", dir, "--db", target); code == 0 || !strings.Contains(errOut, "exists") {
		t.Errorf("restoring over a restored installation: exit %d, %q; want a refusal", code, errOut)
	}

	b, err := openApp(ctx, target, false, newLogger(io.Discard), readSettings(false))
	if err != nil {
		t.Fatal(err)
	}
	defer b.DB.Close()
	got, err := b.Files.Get(ctx, b.DB, f.ID)
	if err != nil {
		t.Fatalf("the uploaded file's record: %v", err)
	}
	r, err := b.Files.Open(got)
	if err != nil {
		t.Fatalf("the uploaded file's bytes: %v", err)
	}
	back, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(back, pdf) {
		t.Error("the restored file's bytes differ")
	}
	var users []string
	rows, err := b.DB.QueryContext(ctx, `SELECT username FROM users ORDER BY username`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u string
		rows.Scan(&u)
		users = append(users, u)
	}
	rows.Close()
	if strings.Join(users, ",") != "admin1" {
		t.Errorf("restored accounts %v, want only admin1 (late was added after the backup)", users)
	}
}

func mustCLI(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	code, out, errOut := cli(t, stdin, args...)
	if code != 0 {
		t.Fatalf("banhao %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func randomSuffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// pgCopy copies database from into a new database to with pg_dump and pg_restore, and drops it
// when the test ends.
func pgCopy(t *testing.T, from, to string) {
	t.Helper()
	dump := filepath.Join(t.TempDir(), "db.dump")
	if out, err := exec.Command("pg_dump", "--format=custom", "--file", dump, "--dbname", from).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v %s", err, out)
	}
	name := to[strings.LastIndex(to, "/")+1:]
	if i := strings.Index(name, "?"); i >= 0 {
		name = name[:i]
	}
	base := storetest.PostgresDSN()
	if out, err := exec.Command("psql", "--dbname", base, "-c", "CREATE DATABASE "+name).CombinedOutput(); err != nil {
		t.Fatalf("createdb: %v %s", err, out)
	}
	t.Cleanup(func() {
		exec.Command("psql", "--dbname", base, "-c", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)").Run()
	})
	if out, err := exec.Command("pg_restore", "--no-owner", "--dbname", to, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v %s", err, out)
	}
}

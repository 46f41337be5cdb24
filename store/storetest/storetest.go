// Package storetest runs a test on every engine: SQLite always, PostgreSQL when
// BANHAO_TEST_POSTGRES holds a DSN. Each PostgreSQL test gets a database of its own, cloned from
// a migrated template, so tests in parallel processes never see each other's rows.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"banhao/store"
	_ "banhao/store/engines" // SQLite and PostgreSQL drivers
)

// PostgresDSN returns the configured test server, or "".
func PostgresDSN() string { return os.Getenv("BANHAO_TEST_POSTGRES") }

// Each runs fn once per engine as subtests "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if PostgresDSN() != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	}
}

// SQLite opens a migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "banhao.db")
	return open(t, dsn)
}

// Postgres returns a fresh migrated database on the configured server; it skips when none is
// configured (callers that must not skip check PostgresDSN first).
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	base := PostgresDSN()
	if base == "" {
		t.Skip("BANHAO_TEST_POSTGRES not set")
	}
	name := NewPostgresDatabase(t, base)
	return open(t, WithDatabase(base, name))
}

// DSNs returns the DSN of a fresh database per engine, for tests that open it themselves
// (a server process, two nodes on one database).
func DSNs(t *testing.T) map[string]string {
	out := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "banhao.db")}
	if base := PostgresDSN(); base != "" {
		out["postgres"] = WithDatabase(base, NewPostgresDatabase(t, base))
	}
	return out
}

// Open opens dsn, migrates it (a no-op for a copy of a migrated database) and closes it when the
// test ends.
func Open(t testing.TB, dsn string) *store.DB { t.Helper(); return open(t, dsn) }

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

var templateOnce sync.Map // base DSN → *templateResult

type templateResult struct {
	once sync.Once
	name string
	err  error
}

// NewPostgresDatabase creates an empty, migrated database cloned from a template and drops it
// when the test ends.
func NewPostgresDatabase(t testing.TB, base string) string {
	t.Helper()
	tmpl, err := PostgresTemplate(base)
	if err != nil {
		t.Fatalf("postgres template: %v", err)
	}
	return NewPostgresDatabaseFrom(t, base, tmpl)
}

// PostgresTemplate returns the name of the migrated template database on base's server, making
// it once per migration set.
func PostgresTemplate(base string) (string, error) {
	v, _ := templateOnce.LoadOrStore(base, &templateResult{})
	tr := v.(*templateResult)
	tr.once.Do(func() { tr.name, tr.err = ensureTemplate(context.Background(), base) })
	return tr.name, tr.err
}

// NewPostgresDatabaseFrom creates a database cloned from template (which no session may be
// connected to) and drops it when the test ends.
func NewPostgresDatabaseFrom(t testing.TB, base, template string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "banhao_t_" + randomHex(6)
	// CREATE DATABASE … TEMPLATE fails while another session is connected to the template, so
	// retry briefly; a template is only ever touched while it is made.
	var lastErr error
	for range 20 {
		if _, lastErr = admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template)); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("create test database: %v", lastErr)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
	})
	return name
}

// ensureTemplate makes (once per migration set, across processes) a migrated template database.
func ensureTemplate(ctx context.Context, base string) (string, error) {
	name := "banhao_tmpl_" + migrationsFingerprint()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// Serialise template creation across the parallel test processes of `go test ./...`.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(774411)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(774411)`)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_build"
	_, _ = conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return "", err
	}
	db, err := store.Open(ctx, WithDatabase(base, building))
	if err != nil {
		return "", err
	}
	err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name)); err != nil {
		return "", err
	}
	return name, nil
}

func migrationsFingerprint() string {
	h := sha256.New()
	fsys := store.MigrationsFS(store.Postgres)
	var names []string
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(fsys, n)
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// WithDatabase replaces the database name in a postgres:// DSN.
func WithDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + strings.TrimPrefix(name, "/")
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

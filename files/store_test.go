package files_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"banhao/audit"
	"banhao/files"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

// node is one server's files.Store: its own connection to the database and its own data
// directory, as a node behind a proxy has.
func node(t *testing.T, dsn string, place func(dataDir string) files.Place) (*files.Store, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	log := wiring.Must(audit.New([]byte("test-audit-key-0123456789abcdef"), time.Now))
	return wiring.Must(files.NewIn(db, log, place(t.TempDir()), time.Now)), db
}

// pdfOf returns a PDF-looking upload of n bytes whose body is random (no two alike).
func pdfOf(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	copy(b, "%PDF-1.4\n")
	return b
}

// TestTwoNodesShareFiles: with the bytes in the database, a file uploaded through one node is
// read whole and identical through another node with its own data directory; the same bytes
// uploaded twice are stored once. On PostgreSQL that is the default place.
func TestTwoNodesShareFiles(t *testing.T) {
	for engine, dsn := range storetest.DSNs(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			inDB := func(string) files.Place { return files.Place{} }
			if engine == "postgres" {
				inDB = func(dataDir string) files.Place {
					p := files.DefaultPlace(store.Postgres, dataDir)
					if !p.InDatabase() {
						t.Fatalf("PostgreSQL keeps files in %s by default, want the database", p)
					}
					return p
				}
			}
			a, dbA := node(t, dsn, inDB)
			b, dbB := node(t, dsn, inDB)
			data := pdfOf(t, 2*files.ChunkSize+12345) // three chunks, the last one short
			f, err := a.Save(ctx, audit.System, "营业执照.pdf", bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			again, err := a.Save(ctx, audit.System, "copy.pdf", bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if again.ID == f.ID || again.SHA256 != f.SHA256 {
				t.Errorf("second upload %+v: want a new file record with the same hash", again)
			}
			if n, size, err := files.Stored(ctx, dbA); err != nil || n != 1 || size != int64(len(data)) {
				t.Errorf("stored files %d, %d bytes (%v); want the bytes once: 1, %d", n, size, err, len(data))
			}

			got, err := b.Get(ctx, dbB, f.ID)
			if err != nil {
				t.Fatalf("node B does not find node A's file: %v", err)
			}
			r, err := b.Open(got)
			if err != nil {
				t.Fatalf("node B cannot open node A's file: %v", err)
			}
			// iotest.TestReader reads with short and odd-sized buffers, across chunk ends.
			if err := iotest.TestReader(r, data); err != nil {
				t.Errorf("node B reads node A's bytes: %v", err)
			}
			r.Close()
			for _, n := range []*files.Store{a, b} {
				if dir := n.Place().Dir; dir != "" {
					t.Errorf("in the database, yet a directory %s", dir)
				}
			}
		})
	}
}

// TestMissingChunksFailOnOpen: bytes missing from the database are an error when the file is
// opened (before a server has sent any header), naming the file's hash.
func TestMissingChunksFailOnOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := wiring.Must(files.NewIn(db, wiring.Must(audit.New([]byte("k"), time.Now)), files.Place{}, time.Now))
		f, err := s.Save(ctx, audit.System, "a.pdf", bytes.NewReader(pdfOf(t, files.ChunkSize+1)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM file_chunks WHERE sha256 = ? AND n = 1`, f.SHA256); err != nil {
			t.Fatal(err)
		}
		r, err := s.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(r); err == nil || !strings.Contains(err.Error(), "chunk 1") {
			t.Errorf("reading a file whose second chunk is gone: %v, want an error naming chunk 1", err)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM file_chunks WHERE sha256 = ?`, f.SHA256); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(f); err == nil || !strings.Contains(err.Error(), f.SHA256) {
			t.Errorf("opening a file whose bytes are gone: %v, want an error naming %s", err, f.SHA256)
		}
	})
}

// TestSQLiteKeepsFilesOnDisk: on SQLite nothing changes by default — the bytes go to
// DATA_DIR/files/<first two hex>/<sha256> and the database holds none of them.
func TestSQLiteKeepsFilesOnDisk(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	dataDir := t.TempDir()
	s := wiring.Must(files.New(db, wiring.Must(audit.New([]byte("k"), time.Now)), dataDir, time.Now))
	data := pdfOf(t, 5000)
	f, err := s.Save(ctx, audit.System, "a.pdf", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := os.ReadFile(filepath.Join(dataDir, "files", f.SHA256[:2], f.SHA256))
	if err != nil || !bytes.Equal(onDisk, data) {
		t.Errorf("the bytes under DATA_DIR/files: %v", err)
	}
	if n, _, err := files.Stored(ctx, db); err != nil || n != 0 {
		t.Errorf("%d files in the database (%v), want none", n, err)
	}
	r, err := s.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if back, _ := io.ReadAll(r); !bytes.Equal(back, data) {
		t.Error("the bytes read back differ")
	}
}

func TestParsePlace(t *testing.T) {
	for _, c := range []struct {
		setting string
		d       store.Dialect
		want    string // Place.Dir, "!" for an error
	}{
		{"", store.SQLite, "/data/files"},
		{"", store.Postgres, ""},
		{"db", store.SQLite, ""},
		{"dir", store.Postgres, "/data/files"},
		{"dir:/mnt/shared/uploads/", store.Postgres, "/mnt/shared/uploads"},
		{"dir:", store.SQLite, "!"},
		{"s3://bucket", store.Postgres, "!"},
		{"database", store.Postgres, "!"},
	} {
		p, err := files.ParsePlace(c.setting, c.d, "/data")
		switch {
		case c.want == "!" && (err == nil || !strings.Contains(err.Error(), "BANHAO_FILES")):
			t.Errorf("%q on %s: %v, want an error naming BANHAO_FILES", c.setting, c.d, err)
		case c.want != "!" && (err != nil || p.Dir != c.want):
			t.Errorf("%q on %s: %+v, %v; want Dir %q", c.setting, c.d, p, err, c.want)
		}
	}
}

// TestLoadDirectory: files kept on disk before the switch to the database are loaded into it
// once each, readable by any node afterwards; a file whose bytes do not match its name stops the
// load with its path.
func TestLoadDirectory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := wiring.Must(audit.New([]byte("k"), time.Now))
		dir := filepath.Join(t.TempDir(), "files")
		onDisk := wiring.Must(files.NewIn(db, log, files.Place{Dir: dir}, time.Now))
		data := pdfOf(t, files.ChunkSize+7)
		f, err := onDisk.Save(ctx, audit.System, "old.pdf", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		inDB := wiring.Must(files.NewIn(db, log, files.Place{}, time.Now))
		if _, err := inDB.Open(f); err == nil {
			t.Fatal("a file kept on disk opens from the database before it is loaded")
		}
		for i, want := range []int{1, 0} {
			if n, err := inDB.Load(ctx, dir); err != nil || n != want {
				t.Errorf("load %d: %d added (%v), want %d", i+1, n, err, want)
			}
		}
		r, err := inDB.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		if back, _ := io.ReadAll(r); !bytes.Equal(back, data) {
			t.Error("the loaded bytes differ")
		}
		r.Close()
		bad := filepath.Join(dir, "ab", strings.Repeat("ab", 32))
		os.MkdirAll(filepath.Dir(bad), 0o750)
		os.WriteFile(bad, []byte("%PDF-1.4 not these bytes"), 0o600)
		if _, err := inDB.Load(ctx, dir); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("loading a file that does not match its name: %v, want an error naming %s", err, bad)
		}
		if _, err := onDisk.Load(ctx, dir); err == nil || !strings.Contains(err.Error(), "BANHAO_FILES") {
			t.Errorf("loading into a store kept on disk: %v, want a refusal", err)
		}
	})
}

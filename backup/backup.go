// Package backup makes a consistent copy of an installation while it runs, and puts one back.
//
// A backup is a directory: manifest.json, secret.key (unless the secret comes from
// $BANHAO_SECRET), on SQLite banhao.db — a copy made with VACUUM INTO, which reads one snapshot
// of the database while the server goes on writing — and files/, the uploaded bytes when they
// are kept in a directory. Uploads kept in the database (BANHAO_FILES=db, the default on
// PostgreSQL) go with the database: in banhao.db on SQLite, in pg_dump's copy on PostgreSQL
// (docs/OPERATIONS.md); this package copies what lives beside it.
//
// The database snapshot is taken before the files are copied: an upload's bytes are written
// before the row that names them commits, so every file the snapshot names is on disk by then.
package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"banhao/errs"
	"banhao/files"
	"banhao/store"
)

// Manifest describes a backup; it is written last, so a directory without one is incomplete.
type Manifest struct {
	Taken         time.Time `json:"taken"`
	Engine        string    `json:"engine"`
	SchemaVersion int64     `json:"schema_version"`
	Database      string    `json:"database,omitempty"` // the SQLite copy's file name
	Secret        bool      `json:"secret"`             // secret.key is in the backup
	// FilesIn is where the uploads were kept: "database" (they are in the database's copy) or
	// "directory" (in files/; a manifest without the field is such a backup).
	FilesIn string `json:"files_in,omitempty"`
	Files   int    `json:"files"`
	Bytes   int64  `json:"bytes"`
}

// Where uploads are kept, as the manifest says.
const (
	inDatabase  = "database"
	inDirectory = "directory"
)

const manifestName = "manifest.json"

// Backup copies the installation behind db, whose uploads are kept in place, into dir, which
// must not exist or be empty.
func Backup(ctx context.Context, db *store.DB, place files.Place, dir string, now time.Time) (_ Manifest, err error) {
	defer errs.Wrap(&err, "backup.Backup")
	if err := emptyDir(dir); err != nil {
		return Manifest{}, err
	}
	cur, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: schema version: %w", err)
	}
	m := Manifest{Taken: now.UTC(), Engine: string(db.Dialect), SchemaVersion: cur}
	if db.Dialect == store.SQLite {
		m.Database = "banhao.db"
		if err := db.Snapshot(ctx, filepath.Join(dir, m.Database)); err != nil {
			return Manifest{}, fmt.Errorf("backup: database: %w", err)
		}
	}
	switch err := copyFile(filepath.Join(db.DataDir, "secret.key"), filepath.Join(dir, "secret.key")); {
	case err == nil:
		m.Secret = true
	case !errors.Is(err, fs.ErrNotExist):
		return Manifest{}, fmt.Errorf("backup: secret: %w", err)
	}
	if place.InDatabase() {
		m.FilesIn = inDatabase
		if m.Files, m.Bytes, err = files.Stored(ctx, db); err != nil {
			return Manifest{}, fmt.Errorf("backup: %w", err)
		}
		return m, writeManifest(dir, m)
	}
	m.FilesIn = inDirectory
	m.Files, m.Bytes, err = copyTree(place.Dir, filepath.Join(dir, "files"))
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: files: %w", err)
	}
	return m, writeManifest(dir, m)
}

// Restore puts the backup in dir back into dataDir (the data directory of the installation: for
// SQLite the directory of its database file, which must not exist yet), its uploads into place.
// It refuses an incomplete backup, a dataDir that already holds a secret or a database, so that
// nothing is overwritten, and a place other than the backup's (the files would not be found).
func Restore(dir, dataDir string, place files.Place) (_ Manifest, err error) {
	defer errs.Wrap(&err, "backup.Restore")
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return m, fmt.Errorf("restore: %s has no %s: not a complete backup", dir, manifestName)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("restore: %s: %w", manifestName, err)
	}
	switch was := m.FilesIn; {
	case was == inDatabase && !place.InDatabase():
		return m, fmt.Errorf("restore: the backup's uploaded files are in its database; restore with BANHAO_FILES=db, not %s", place)
	case was != inDatabase && place.InDatabase():
		return m, fmt.Errorf("restore: the backup's uploaded files are in its files/ directory; restore with BANHAO_FILES=dir (or dir:PATH), not into the database")
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	var targets []string
	if m.Database != "" {
		targets = append(targets, filepath.Join(dataDir, "banhao.db"))
	}
	if m.Secret {
		targets = append(targets, filepath.Join(dataDir, "secret.key"))
	}
	for _, t := range targets {
		if _, err := os.Stat(t); err == nil {
			return m, fmt.Errorf("restore: %s exists; restore into an empty data directory", t)
		}
	}
	if m.Database != "" {
		if err := copyFile(filepath.Join(dir, m.Database), filepath.Join(dataDir, "banhao.db")); err != nil {
			return m, fmt.Errorf("restore: database: %w", err)
		}
	}
	if m.Secret {
		if err := copyFile(filepath.Join(dir, "secret.key"), filepath.Join(dataDir, "secret.key")); err != nil {
			return m, fmt.Errorf("restore: secret: %w", err)
		}
	}
	if place.InDatabase() {
		return m, nil
	}
	if _, _, err := copyTree(filepath.Join(dir, "files"), place.Dir); err != nil {
		return m, fmt.Errorf("restore: files: %w", err)
	}
	return m, nil
}

func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.MkdirAll(dir, 0o750)
	case err != nil:
		return fmt.Errorf("backup: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("backup: %s is not empty; give a new directory for each backup", dir)
	}
	return nil
}

func writeManifest(dir string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeSynced(filepath.Join(dir, manifestName), func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// copyTree copies every regular file under from into to (missing from: nothing to copy).
func copyTree(from, to string) (n int, size int64, err error) {
	err = filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == from {
				return fs.SkipAll
			}
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o750)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n++
		size += info.Size()
		return copyFile(path, filepath.Join(to, rel))
	})
	return n, size, err
}

// copyFile copies one file, synced to disk, keeping it private (0600).
func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	return writeSynced(to, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
}

func writeSynced(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

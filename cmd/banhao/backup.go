package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"banhao/backup"
	"banhao/files"
	"banhao/store"
)

// cmdBackup copies a running installation into a new directory (package backup).
func cmdBackup(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	dsn := dbFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"backup: give the directory to write the backup to"}
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	place, err := files.ParsePlace(os.Getenv("BANHAO_FILES"), db.Dialect, db.DataDir)
	if err != nil {
		return err
	}
	m, err := backup.Backup(ctx, db, place, pos[0], time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s: schema version %d, %d files (%d bytes)", pos[0], m.SchemaVersion, m.Files, m.Bytes)
	if place.InDatabase() {
		fmt.Fprint(stdout, " in the database")
	}
	if m.Database != "" {
		fmt.Fprintf(stdout, ", database %s", m.Database)
	}
	if !m.Secret {
		fmt.Fprint(stdout, "; the secret comes from $BANHAO_SECRET: keep it with the backup")
	}
	fmt.Fprintln(stdout)
	if db.Dialect == store.Postgres {
		fmt.Fprintln(stdout, "PostgreSQL: copy the database itself with pg_dump --format=custom (docs/OPERATIONS.md); uploads kept in the database are in that copy only")
	}
	return nil
}

// cmdRestore puts a backup back into the data directory of --db, which must be empty.
func cmdRestore(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	dsn := dbFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"restore: give the backup directory to restore from"}
	}
	dataDir, dialect := os.Getenv("BANHAO_DATA"), store.Postgres
	if p, ok := strings.CutPrefix(*dsn, "sqlite:"); ok {
		dialect = store.SQLite
		if filepath.Base(p) != "banhao.db" {
			return fmt.Errorf("restore: the restored SQLite database is banhao.db; use --db sqlite:DIR/banhao.db")
		}
		dataDir = filepath.Dir(p)
	} else if dataDir == "" {
		dataDir = "./data"
	}
	place, err := files.ParsePlace(os.Getenv("BANHAO_FILES"), dialect, dataDir)
	if err != nil {
		return err
	}
	m, err := backup.Restore(pos[0], dataDir, place)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s backup of %s into %s: %d files\n", m.Engine, m.Taken.Format(time.RFC3339), dataDir, m.Files)
	if m.Database == "" {
		fmt.Fprintln(stdout, "PostgreSQL: restore the database itself with pg_restore, then run banhao audit verify (docs/OPERATIONS.md)")
		return nil
	}
	// The restored database is migrated and its audit chain checked, as after any restore.
	return cmdAuditVerify(ctx, []string{"--db", *dsn}, stdout)
}

// cmdFilesLoad copies uploads kept on this node's disk (DATA_DIR/files, or DIR) into the
// database, after an installation moves its files there (BANHAO_FILES=db, PostgreSQL's default).
func cmdFilesLoad(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("files load", flag.ContinueOnError)
	dsn := dbFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageError{"files load: give at most one directory (default DATA_DIR/files)"}
	}
	a, err := openApp(ctx, *dsn, false, newLogger(io.Discard), readSettings(false))
	if err != nil {
		return err
	}
	defer a.DB.Close()
	dir := filepath.Join(a.DB.DataDir, "files")
	if len(pos) == 1 {
		dir = pos[0]
	}
	n, err := a.Files.Load(ctx, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d files loaded from %s into the database\n", n, dir)
	return nil
}

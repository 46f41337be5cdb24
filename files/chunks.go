package files

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"banhao/errs"
	"banhao/store"
)

// In the database, a file's bytes are rows of file_chunks: chunk n holds bytes n·ChunkSize up
// to (n+1)·ChunkSize, once per SHA-256, all written in the upload's own transaction (so chunk 0
// present means every chunk is). Rows rather than PostgreSQL large objects: the same table and
// code on both engines, ordinary rows for pg_dump, replication and the schema test, and a
// reader needs no transaction held open while a slow client downloads.

// ChunkSize is the most bytes one row holds.
const ChunkSize = 1 << 20

// putChunks stores under sum the bytes read from r inside tx, ChunkSize at a time through one
// buffer, unless they are stored already (then added is false, and r is not read). The bytes
// read must hash to sum, else nothing is stored (the caller's transaction rolls back).
// Two uploads of the same bytes at once on PostgreSQL: the second waits on the first's rows and
// then inserts none.
func putChunks(ctx context.Context, tx *store.Tx, sum string, r io.Reader) (added bool, err error) {
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM file_chunks WHERE sha256 = ? AND n = 0`, sum).Scan(&one)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	h := sha256.New()
	buf := make([]byte, ChunkSize)
	for n := 0; ; n++ {
		k, err := io.ReadFull(r, buf)
		if k > 0 {
			h.Write(buf[:k])
			if _, err := tx.ExecContext(ctx, `INSERT INTO file_chunks (sha256, n, data) VALUES (?, ?, ?) ON CONFLICT (sha256, n) DO NOTHING`,
				sum, n, buf[:k]); err != nil {
				return false, fmt.Errorf("chunk %d: %w", n, err)
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return false, fmt.Errorf("chunk %d: %w", n, err)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return false, fmt.Errorf("the bytes changed while stored: SHA-256 %s, want %s", got, sum)
	}
	return true, nil
}

// Load copies into the database the bytes kept under dir (a node's DATA_DIR/files from before
// the files moved into the database), each checked against the hash that names it and stored
// once; it returns how many files it added. Running it again adds nothing.
func (s *Store) Load(ctx context.Context, dir string) (added int, err error) {
	defer errs.Wrap(&err, "files.Store.Load")
	if !s.place.InDatabase() {
		return 0, fmt.Errorf("files: load: files are kept in %s, not in the database (BANHAO_FILES)", s.place)
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || len(d.Name()) != sha256.Size*2 || !d.Type().IsRegular() {
			return nil // directories, and the temporary .upload-* of an interrupted write
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if hex.EncodeToString(h.Sum(nil)) != d.Name() {
			return fmt.Errorf("%s does not hold the bytes its name (their SHA-256) says", path)
		}
		return s.db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return err
			}
			ok, err := putChunks(ctx, tx, d.Name(), f)
			if ok {
				added++
			}
			return err
		})
	})
	if err != nil {
		return added, fmt.Errorf("files: load %s: %w", dir, err)
	}
	return added, nil
}

// chunkReader reads a file's chunks in order, one query per chunk, into one reused buffer.
type chunkReader struct {
	ctx        context.Context
	db         *store.DB
	sum        string
	size, read int64
	next       int
	mem, buf   []byte // mem holds the current chunk; buf is what is left of it to read
}

// openChunks opens the bytes stored under sum (size bytes long); its first chunk is read at
// once, so that bytes missing from the database are an error here and not halfway through.
func openChunks(ctx context.Context, db *store.DB, sum string, size int64) (io.ReadCloser, error) {
	r := &chunkReader{ctx: ctx, db: db, sum: sum, size: size}
	if err := r.fill(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *chunkReader) fill() error {
	rows, err := r.db.QueryContext(r.ctx, `SELECT data FROM file_chunks WHERE sha256 = ? AND n = ?`, r.sum, r.next)
	if err != nil {
		return fmt.Errorf("files: read %s chunk %d: %w", r.sum, r.next, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("files: read %s chunk %d: %w", r.sum, r.next, err)
		}
		return fmt.Errorf("files: %s: chunk %d is not in the database (%d of %d bytes read)", r.sum, r.next, r.read, r.size)
	}
	var raw sql.RawBytes
	if err := rows.Scan(&raw); err != nil {
		return fmt.Errorf("files: read %s chunk %d: %w", r.sum, r.next, err)
	}
	r.mem = append(r.mem[:0], raw...)
	r.buf = r.mem
	r.next++
	return rows.Close()
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.read >= r.size {
			return 0, io.EOF
		}
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	r.read += int64(n)
	return n, nil
}

func (r *chunkReader) Close() error { r.mem, r.buf = nil, nil; return nil }

// Stored counts the files kept in the database behind q and their bytes.
func Stored(ctx context.Context, q store.Querier) (n int, size int64, err error) {
	defer errs.Wrap(&err, "files.Stored")
	err = q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT sha256), COALESCE(SUM(LENGTH(data)), 0) FROM file_chunks`).Scan(&n, &size)
	if err != nil {
		return 0, 0, fmt.Errorf("files: count stored files: %w", err)
	}
	return n, size, nil
}

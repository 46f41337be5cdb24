// Package files keeps uploaded documents: each is size-limited, its type sniffed from the
// content (never trusted from the name), an image checked for its pixel size and decoded whole,
// its bytes stored once per SHA-256 — in the database (every node reads them) or in a directory
// (place.go).
package files

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // decoders for the accepted image types
	_ "image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"banhao/audit"
	"banhao/errs"
	"banhao/store"
	"banhao/wiring"
)

// MaxSize is the largest upload.
const MaxSize = 20 << 20

// Allowed are the content types accepted, as sniffed from the bytes.
var Allowed = map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

// An image may declare at most MaxPixels pixels and MaxSide on either side: decoding it
// allocates memory by what its header declares, not by its size on disk.
const (
	MaxPixels = 40_000_000
	MaxSide   = 20_000
)

// decoding bounds how many images are decoded at once (each may take a few hundred MB).
var decoding = make(chan struct{}, 2)

// File describes a stored upload.
type File struct {
	ID          string    `json:"file_id"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	Name        string    `json:"name"`
	CreatedAt   time.Time `json:"created_at"`
	// CreatedBy is the account that uploaded it (a staff username or an applicant's actor name).
	CreatedBy string `json:"-"`
}

// Store saves and finds files.
type Store struct {
	db    *store.DB
	audit *audit.Log
	place Place
	now   func() time.Time
}

// New returns a store keeping bytes where the engine keeps them by default: in the database on
// PostgreSQL, under dataDir/files on SQLite. db, log and now are required.
func New(db *store.DB, log *audit.Log, dataDir string, now func() time.Time) (_ *Store, err error) {
	defer errs.Wrap(&err, "files.New")
	if err := wiring.Require("files.New", wiring.Deps{"db": db, "log": log, "now": now}); err != nil {
		return nil, err
	}
	return NewIn(db, log, DefaultPlace(db.Dialect, dataDir), now)
}

// NewIn returns a store keeping bytes in place. db, log and now are required.
func NewIn(db *store.DB, log *audit.Log, place Place, now func() time.Time) (_ *Store, err error) {
	defer errs.Wrap(&err, "files.NewIn")
	if err := wiring.Require("files.NewIn", wiring.Deps{"db": db, "log": log, "now": now}); err != nil {
		return nil, err
	}
	return &Store{db: db, audit: log, place: place, now: now}, nil
}

// Place is where this store keeps the bytes.
func (s *Store) Place() Place { return s.place }

// Save streams an upload of at most MaxSize bytes into the store: its type is sniffed from its
// first bytes (refused before the rest is read), its size and SHA-256 are computed while it is
// read, and its bytes are copied a buffer at a time — never held whole in memory.
//
// The bytes are read through once to learn their hash (which names them) and then once more to
// store them: from r itself when it can seek (an http multipart file, a bytes.Reader), else from
// a temporary copy on disk. Into a directory the first pass writes the final file's temporary
// copy directly. Into the database the chunks are written in the upload's transaction from the
// second pass, ChunkSize at a time, so the transaction does not wait on a slow client.
func (s *Store) Save(ctx context.Context, by audit.Actor, name string, r io.Reader) (_ File, err error) {
	defer errs.Wrap(&err, "files.Store.Save")
	in, err := s.receive(r)
	if err != nil {
		return File{}, err
	}
	defer in.close()
	if strings.HasPrefix(in.ct, "image/") {
		if err := in.rewind(); err != nil {
			return File{}, err
		}
		if err := CheckImageReader(in.ct, in.again); err != nil {
			return File{}, err
		}
	}
	f := File{ID: newID(), SHA256: in.sum, Size: in.size, ContentType: in.ct,
		Name: cleanName(name), CreatedAt: s.now().UTC().Truncate(time.Microsecond), CreatedBy: by.Username}
	if !s.place.InDatabase() {
		// On disk the bytes are written before the row that names them commits (backup relies
		// on it); a rolled-back upload leaves bytes no row names, harmless and stored once.
		if err := in.keep(s.path(f.SHA256)); err != nil {
			return File{}, fmt.Errorf("files: write %s: %w", f.SHA256, err)
		}
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if s.place.InDatabase() {
			if err := in.rewind(); err != nil {
				return err
			}
			if _, err := putChunks(ctx, tx, f.SHA256, in.again); err != nil {
				return fmt.Errorf("files: store %s in the database: %w", f.SHA256, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO files (id, sha256, size, content_type, name, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			f.ID, f.SHA256, f.Size, f.ContentType, f.Name, by.Username, f.CreatedAt); err != nil {
			return fmt.Errorf("files: record %s: %w", f.ID, err)
		}
		return s.audit.Record(ctx, tx, by, "file.upload", "file", f.ID, nil, f)
	})
	return f, err
}

// sniffLen is how many first bytes http.DetectContentType looks at.
const sniffLen = 512

// received is an upload read through once: its size, hash and sniffed type, and where its bytes
// can be read again (again, from its start after rewind).
type received struct {
	size  int64
	sum   string
	ct    string
	again io.ReadSeeker
	start int64    // where the bytes begin in again
	tmp   *os.File // the temporary copy, if one was made; removed by close unless kept
}

// receive reads r through once (at most MaxSize bytes; one more is the clear refusal 文件超过
// 20 MiB), refusing an empty file or a type not Allowed as soon as its first bytes are in.
func (s *Store) receive(r io.Reader) (_ *received, err error) {
	in := &received{}
	defer func() {
		if err != nil {
			in.close()
		}
	}()
	rs, seekable := r.(io.ReadSeeker)
	if seekable {
		if in.start, err = rs.Seek(0, io.SeekCurrent); err != nil {
			seekable = false
		}
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("files: read the upload: %w", err)
	}
	head, err = head[:n], nil // a short upload is all in head
	if n == 0 {
		return nil, errs.Invalid("file", "文件为空")
	}
	in.ct = http.DetectContentType(head)
	if i := strings.Index(in.ct, ";"); i > 0 {
		in.ct = in.ct[:i]
	}
	if _, ok := Allowed[in.ct]; !ok {
		return nil, &errs.Error{Code: errs.CodeUnsupported, Message: fmt.Sprintf("不支持的文件类型 %s：只接受 PDF、JPEG、PNG", in.ct),
			Fields: []errs.FieldError{{Field: "file", Message: "只接受 PDF、JPEG、PNG"}}}
	}
	// Where the first pass writes: into a directory, the final file's temporary copy; into the
	// database, nothing when r can be read again, else a temporary copy.
	var sink io.Writer = io.Discard
	switch {
	case !s.place.InDatabase():
		if err := os.MkdirAll(s.place.Dir, 0o750); err != nil {
			return nil, fmt.Errorf("files: %w", err)
		}
		in.tmp, err = os.CreateTemp(s.place.Dir, ".upload-*")
	case !seekable:
		in.tmp, err = os.CreateTemp("", "banhao-upload-*")
	}
	if err != nil {
		return nil, fmt.Errorf("files: temporary copy of the upload: %w", err)
	}
	if in.tmp != nil {
		sink, in.again, in.start = in.tmp, in.tmp, 0
	} else {
		in.again = rs
	}
	h := sha256.New()
	in.size, err = io.Copy(io.MultiWriter(sink, h), io.LimitReader(io.MultiReader(bytes.NewReader(head), r), MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("files: read the upload: %w", err)
	}
	if in.size > MaxSize {
		return nil, &errs.Error{Code: errs.CodeTooLarge, Message: fmt.Sprintf("文件超过 %d MiB", MaxSize>>20),
			Fields: []errs.FieldError{{Field: "file", Message: fmt.Sprintf("文件不得超过 %d MiB", MaxSize>>20)}}}
	}
	in.sum = hex.EncodeToString(h.Sum(nil))
	return in, nil
}

// rewind puts the bytes back at their start for another pass.
func (in *received) rewind() error {
	if _, err := in.again.Seek(in.start, io.SeekStart); err != nil {
		return fmt.Errorf("files: read the upload again: %w", err)
	}
	return nil
}

// keep makes the temporary copy the file at path, durably and atomically, unless path exists
// already (the same bytes stored before).
func (in *received) keep(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	if err := in.tmp.Sync(); err != nil {
		return err
	}
	return os.Rename(in.tmp.Name(), path)
}

// close removes the temporary copy (a kept one has been renamed away already).
func (in *received) close() {
	if in.tmp != nil {
		in.tmp.Close()
		os.Remove(in.tmp.Name())
		in.tmp = nil
	}
}

func (s *Store) path(sum string) string { return filepath.Join(s.place.Dir, sum[:2], sum) }

// Get returns a file's description.
func (s *Store) Get(ctx context.Context, q store.Querier, id string) (_ File, err error) {
	defer errs.Wrap(&err, "files.Store.Get")
	var f File
	err = q.QueryRowContext(ctx, `SELECT id, sha256, size, content_type, name, created_at, created_by FROM files WHERE id = ?`, id).
		Scan(&f.ID, &f.SHA256, &f.Size, &f.ContentType, &f.Name, &f.CreatedAt, &f.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return f, errs.NotFound("文件", id)
	}
	return f, err
}

// Existing returns which of ids name stored files, in one query.
func (s *Store) Existing(ctx context.Context, q store.Querier, ids []string) (_ map[string]bool, err error) {
	defer errs.Wrap(&err, "files.Store.Existing")
	found := map[string]bool{}
	if len(ids) == 0 {
		return found, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT id FROM files WHERE id IN (`+store.In(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		found[id] = true
	}
	return found, rows.Err()
}

// Uploaders returns who uploaded each of ids that names a stored file (File.CreatedBy), in one
// query.
func (s *Store) Uploaders(ctx context.Context, q store.Querier, ids []string) (_ map[string]string, err error) {
	defer errs.Wrap(&err, "files.Store.Uploaders")
	found := map[string]string{}
	if len(ids) == 0 {
		return found, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT id, created_by FROM files WHERE id IN (`+store.In(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, by string
		if err := rows.Scan(&id, &by); err != nil {
			return nil, err
		}
		found[id] = by
	}
	return found, rows.Err()
}

// Open returns the file's bytes. From the database they are read one chunk at a time, each
// chunk by its own short query, so a slow reader holds neither a connection nor more than a
// chunk of memory.
func (s *Store) Open(f File) (_ io.ReadCloser, err error) {
	defer errs.Wrap(&err, "files.Store.Open")
	if s.place.InDatabase() {
		return openChunks(context.Background(), s.db, f.SHA256, f.Size)
	}
	return os.Open(s.path(f.SHA256))
}

// CheckImage refuses an image of content type ct whose header declares more than MaxPixels or
// MaxSide, that is not of the sniffed type, or that does not decode whole (truncated, corrupt).
func CheckImage(ct string, data []byte) error {
	return CheckImageReader(ct, bytes.NewReader(data))
}

// CheckImageReader is CheckImage on bytes read from r (from its current position): the header
// is read first, and the image decoded only if it is within the limits.
func CheckImageReader(ct string, r io.ReadSeeker) error {
	start, err := r.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("files: read the image: %w", err)
	}
	cfg, format, err := image.DecodeConfig(bufio.NewReader(r))
	if err != nil {
		return errs.Invalid("file", "图片无法读取，文件已损坏或不完整")
	}
	if "image/"+format != ct {
		return errs.Invalid("file", fmt.Sprintf("图片内容（%s）与文件类型（%s）不符", format, ct))
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return errs.Invalid("file", fmt.Sprintf("图片尺寸过大（%d×%d 像素，上限 %d 万像素、每边 %d 像素）",
			cfg.Width, cfg.Height, MaxPixels/10_000, MaxSide))
	}
	if int64(cfg.Width)*int64(cfg.Height)*bytesPerPixel(cfg.ColorModel) > MaxDecodedBytes {
		return errs.Invalid("file", fmt.Sprintf("图片过大（%d×%d 像素的高位深图片），请另存为普通 JPEG 或 PNG 后上传", cfg.Width, cfg.Height))
	}
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return fmt.Errorf("files: read the image: %w", err)
	}
	decoding <- struct{}{}
	defer func() { <-decoding }()
	if _, _, err := image.Decode(bufio.NewReader(r)); err != nil {
		return errs.Invalid("file", "图片无法解码，文件已损坏或不完整："+err.Error())
	}
	return nil
}

// MaxDecodedBytes bounds the memory one decode may take: a 16-bit RGBA PNG takes 8 bytes a
// pixel, so a 40-megapixel one would take 320 MB (a phone's 48-megapixel JPEG takes about 72).
const MaxDecodedBytes = 160 << 20

// bytesPerPixel is what the decoded image of a colour model holds per pixel.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	case color.Gray16Model:
		return 2
	case color.YCbCrModel, color.NYCbCrAModel:
		return 3
	}
	return 1 // gray, paletted
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "f_" + hex.EncodeToString(b)
}

func cleanName(n string) string {
	n = filepath.Base(strings.ReplaceAll(n, "\\", "/"))
	if n == "." || n == "/" {
		return "upload"
	}
	if r := []rune(n); len(r) > 120 {
		n = string(r[:120])
	}
	return n
}

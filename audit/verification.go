package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"banhao/errs"
	"banhao/store"
)

// Verification is the outcome of one walk of the whole log, as recorded for the audit page.
type Verification struct {
	At        time.Time
	Entries   int64  // entries checked
	BrokenSeq int64  // the first broken entry; 0 when the log is intact
	Problem   string // why it is broken, in Chinese for the audit page; empty when intact
}

// Intact reports whether the walk found every chain whole.
func (v Verification) Intact() bool { return v.Problem == "" }

// Check walks the whole log (Verify) and records the outcome. A broken chain is a finding, kept
// and returned without error; only a failure to read or write is an error (nothing is recorded).
func (l *Log) Check(ctx context.Context, db *store.DB) (_ Verification, err error) {
	defer errs.Wrap(&err, "audit.Log.Check")
	n, err := l.Verify(ctx, db)
	v := Verification{At: l.now().UTC().Truncate(time.Microsecond), Entries: n}
	var b *Broken
	switch {
	case errors.As(err, &b):
		v.BrokenSeq, v.Problem = b.Seq, b.Chinese()
	case err != nil:
		return v, fmt.Errorf("audit: verify: %w", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO audit_verifications (at, entries, broken_seq, problem) VALUES (?, ?, ?, ?)`,
		v.At, v.Entries, v.BrokenSeq, v.Problem); err != nil {
		return v, fmt.Errorf("audit: record verification: %w", err)
	}
	return v, nil
}

// LastVerification returns the latest recorded verification; found is false before the first.
func LastVerification(ctx context.Context, db *store.DB) (v Verification, found bool, err error) {
	defer errs.Wrap(&err, "audit.LastVerification")
	err = db.QueryRowContext(ctx, `SELECT at, entries, broken_seq, problem FROM audit_verifications ORDER BY id DESC LIMIT 1`).
		Scan(&v.At, &v.Entries, &v.BrokenSeq, &v.Problem)
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	if err != nil {
		return v, false, fmt.Errorf("audit: last verification: %w", err)
	}
	return v, true, nil
}

// VerifyArgs is the periodic job that verifies the whole log (hourly and at start).
type VerifyArgs struct{}

// Kind names the job.
func (VerifyArgs) Kind() string { return "audit.verify" }

// VerifyWorker works VerifyArgs. A broken chain is recorded and logged as an error, and the job
// succeeds (walking again finds the same); a failure to read or write is retried by River.
type VerifyWorker struct {
	river.WorkerDefaults[VerifyArgs]
	Log    *Log
	DB     *store.DB
	Logger *slog.Logger
}

// Timeout lets a long log be walked whole (River's default is one minute).
func (w *VerifyWorker) Timeout(*river.Job[VerifyArgs]) time.Duration { return 30 * time.Minute }

// Work verifies and records.
func (w *VerifyWorker) Work(ctx context.Context, job *river.Job[VerifyArgs]) (err error) {
	defer errs.Wrap(&err, "audit.VerifyWorker.Work")
	v, err := w.Log.Check(ctx, w.DB)
	if err != nil {
		return err
	}
	if !v.Intact() {
		w.Logger.Error("audit chain broken", "entry", v.BrokenSeq, "problem", v.Problem, "entries", v.Entries)
	} else {
		w.Logger.Info("audit chain intact", "entries", v.Entries)
	}
	return nil
}

// Package audit keeps the append-only, hash-chained log of every write. Each entry's hash is an
// HMAC over the previous hash and the entry's fields, so an edited, inserted or deleted row
// breaks the chain and cannot be re-sealed without the installation's secret.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"banhao/store"
)

// Actor is who did something: a staff user, an applicant, or the system itself.
type Actor struct {
	Username   string
	Role       string
	Department string
}

// System is the actor of command-line and background work.
var System = Actor{Username: "system", Role: "system"}

// Entry is one line of the log.
type Entry struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Role       string    `json:"role"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Before     string    `json:"before,omitempty"`
	After      string    `json:"after,omitempty"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// Log appends and verifies entries.
type Log struct {
	key []byte
	now func() time.Time
}

// New returns a Log sealing entries with key; now is the injected clock.
func New(key []byte, now func() time.Time) *Log { return &Log{key: key, now: now} }

// Record appends one entry inside tx, so the entry exists exactly when the write it describes
// does. before and after are marshalled to JSON (nil → empty).
func (l *Log) Record(ctx context.Context, tx *store.Tx, a Actor, action, objectType, objectID string, before, after any) error {
	b, err := marshal(before)
	if err != nil {
		return err
	}
	af, err := marshal(after)
	if err != nil {
		return err
	}
	var seq int64
	var prev string
	if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+tx.ForUpdate()).Scan(&seq, &prev); err != nil {
		return fmt.Errorf("audit: read head: %w", err)
	}
	e := Entry{
		Seq: seq + 1, At: l.now().UTC().Truncate(time.Microsecond),
		Actor: a.Username, Role: a.Role, Action: action, ObjectType: objectType, ObjectID: objectID,
		Before: b, After: af, PrevHash: prev,
	}
	e.Hash = l.seal(e)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor, role, action, object_type, object_id, before, after, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At, e.Actor, e.Role, e.Action, e.ObjectType, e.ObjectID, e.Before, e.After, e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, e.Seq, e.Hash); err != nil {
		return fmt.Errorf("audit: move head: %w", err)
	}
	return nil
}

func marshal(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("audit: marshal: %w", err)
	}
	return string(b), nil
}

// seal computes the entry's HMAC; every field is length-prefixed so no two entries collide.
func (l *Log) seal(e Entry) string {
	m := hmac.New(sha256.New, l.key)
	for _, f := range []string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		e.Actor, e.Role, e.Action, e.ObjectType, e.ObjectID, e.Before, e.After,
	} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		m.Write(n[:])
		m.Write([]byte(f))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// Broken describes the first entry at which the chain fails.
type Broken struct {
	Seq    int64
	Reason string
}

func (b *Broken) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", b.Seq, b.Reason)
}

// Verify walks the whole chain in order. It returns the number of entries checked, and a
// *Broken error naming the first bad entry when the chain is not intact.
func (l *Log) Verify(ctx context.Context, db *store.DB) (int64, error) {
	var headSeq int64
	var headHash string
	if err := db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return 0, fmt.Errorf("audit: read head: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT seq, at, actor, role, action, object_type, object_id, before, after, prev_hash, hash
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	prev := ""
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Role, &e.Action, &e.ObjectType, &e.ObjectID, &e.Before, &e.After, &e.PrevHash, &e.Hash); err != nil {
			return n, err
		}
		n++
		switch {
		case e.Seq != n:
			return n, &Broken{Seq: n, Reason: fmt.Sprintf("entry %d is missing (next present is %d)", n, e.Seq)}
		case e.PrevHash != prev:
			return n, &Broken{Seq: e.Seq, Reason: "previous-hash link does not match the entry before it"}
		case !hmac.Equal([]byte(e.Hash), []byte(l.seal(e))):
			return n, &Broken{Seq: e.Seq, Reason: "content does not match its seal (edited)"}
		}
		prev = e.Hash
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if n != headSeq || prev != headHash {
		return n, &Broken{Seq: n + 1, Reason: fmt.Sprintf("log ends at entry %d but %d were written (entries removed from the end)", n, headSeq)}
	}
	return n, nil
}

// Query selects entries for the audit pages.
type Query struct {
	ObjectType, ObjectID, Actor string
	Limit, Offset               int
}

// List returns entries newest first.
func (l *Log) List(ctx context.Context, db *store.DB, q Query) ([]Entry, error) {
	where, args := "1=1", []any{}
	if q.ObjectType != "" {
		where += " AND object_type = ?"
		args = append(args, q.ObjectType)
	}
	if q.ObjectID != "" {
		where += " AND object_id = ?"
		args = append(args, q.ObjectID)
	}
	if q.Actor != "" {
		where += " AND actor = ?"
		args = append(args, q.Actor)
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 100
	}
	args = append(args, q.Limit, q.Offset)
	rows, err := db.QueryContext(ctx, `SELECT seq, at, actor, role, action, object_type, object_id, before, after, prev_hash, hash
		FROM audit_log WHERE `+where+` ORDER BY seq DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Role, &e.Action, &e.ObjectType, &e.ObjectID, &e.Before, &e.After, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// IsBroken reports whether err is a broken-chain finding (as opposed to a failure to read).
func IsBroken(err error) bool {
	var b *Broken
	return errors.As(err, &b)
}

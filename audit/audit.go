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
	"hash"
	"hash/fnv"
	"sort"
	"strconv"
	"sync"
	"time"

	"banhao/errs"
	"banhao/store"
	"banhao/wiring"
)

// Actor is who did something: a staff user, an applicant, or the system itself.
type Actor struct {
	Username   string
	Role       string
	Department string
	// Center is the service center the account works at ("" for the main center): where a
	// clerk's applications are accepted. Not recorded in the log.
	Center string
}

// System is the actor of command-line and background work.
var System = Actor{Username: "system", Role: "system"}

// Entry is one line of the log.
type Entry struct {
	Seq        int64     `json:"seq"`
	Chain      int       `json:"chain"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Role       string    `json:"role"`
	Action     string    `json:"action"`
	ActionName string    `json:"action_name,omitempty"` // as people read it (not sealed: it is the table's, not the entry's)
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
	// macs are HMAC-SHA256 states under key, reset and reused by seal (one per entry written,
	// on the store's writer: a new one allocates both hashes and their pads each time).
	macs sync.Pool
	// pending are the entries the running command recorded, appended when it commits.
	pending *store.CommandValue[[]Entry]
}

// New returns a Log sealing entries with key; now is the injected clock. Both are required.
func New(key []byte, now func() time.Time) (_ *Log, err error) {
	defer errs.Wrap(&err, "audit.New")
	if err := wiring.Require("audit.New", wiring.Deps{"key": key, "now": now}); err != nil {
		return nil, err
	}
	l := &Log{key: key, now: now}
	l.macs.New = func() any { return hmac.New(sha256.New, key) }
	l.pending = store.NewCommandValue("audit", func(ctx context.Context, tx *store.Tx, entries *[]Entry) error {
		return l.append(ctx, tx, *entries)
	})
	return l, nil
}

// Chains is how many independent hash chains the log has. An entry joins the chain of its
// object (so one object's history is one ordered chain); writers of different objects then do
// not wait for one another on PostgreSQL, and every chain is sealed and verified on its own.
const Chains = 16

// ChainOf is the chain an object's entries belong to.
func ChainOf(objectType, objectID string) int {
	h := fnv.New32a()
	h.Write([]byte(objectType + "\x00" + objectID))
	return int(h.Sum32() % Chains)
}

// Record adds one entry to the log inside tx, so the entry exists exactly when the write it
// describes does. Entries are appended when the command commits, chains in ascending order, so
// transactions never wait for each other in a cycle and hold a chain's end only briefly.
func (l *Log) Record(ctx context.Context, tx *store.Tx, a Actor, action, objectType, objectID string, before, after any) (err error) {
	defer errs.Wrap(&err, "audit.Log.Record")
	b, err := marshal(before)
	if err != nil {
		return err
	}
	af, err := marshal(after)
	if err != nil {
		return err
	}
	e := Entry{Chain: ChainOf(objectType, objectID), At: l.now().UTC().Truncate(time.Microsecond),
		Actor: a.Username, Role: a.Role, Action: action, ObjectType: objectType, ObjectID: objectID, Before: b, After: af}
	pending := l.pending.Get(tx)
	*pending = append(*pending, e)
	return nil
}

// append seals and writes a command's entries, chain by chain in ascending order.
func (l *Log) append(ctx context.Context, tx *store.Tx, entries []Entry) error {
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Chain < entries[j].Chain })
	// The command's chains: [start, end) of each in entries.
	type run struct {
		chain, start, end int
		prev              string
		found             bool
		seqs              []int64
	}
	var runs []*run
	for i := 0; i < len(entries); {
		r := &run{chain: entries[i].Chain, start: i, end: i}
		for r.end < len(entries) && entries[r.end].Chain == r.chain {
			r.end++
		}
		runs = append(runs, r)
		i = r.end
	}
	// Lock each chain's end, then draw its entries' numbers, chain after chain in ascending order
	// (so transactions never wait for each other in a cycle, and the numbers of a chain increase
	// along it). On PostgreSQL all of it goes in one round trip with the command's queued writes.
	var reads []store.Read
	for _, r := range runs {
		reads = append(reads,
			store.Read{Query: `SELECT hash FROM audit_chains WHERE chain = ?` + tx.ForUpdate(), Args: []any{r.chain},
				Row: func(scan func(...any) error) error { r.found = true; return scan(&r.prev) }},
			tx.NextSeqs("audit_seq", "audit", r.end-r.start, &r.seqs))
	}
	if err := tx.ReadTogether(ctx, reads...); err != nil {
		return fmt.Errorf("audit: read chains: %w", err)
	}
	for _, r := range runs {
		if !r.found || len(r.seqs) != r.end-r.start {
			return fmt.Errorf("audit: chain %d is missing", r.chain)
		}
		prev := r.prev
		for k := r.start; k < r.end; k++ {
			e := &entries[k]
			e.Seq, e.PrevHash = r.seqs[k-r.start], prev
			e.Hash = l.seal(*e)
			if err := tx.ExecLater(ctx, `INSERT INTO audit_log (seq, chain, at, actor, role, action, object_type, object_id, before, after, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.Seq, e.Chain, e.At, e.Actor, e.Role, e.Action, e.ObjectType, e.ObjectID, e.Before, e.After, e.PrevHash, e.Hash); err != nil {
				return fmt.Errorf("audit: append: %w", err)
			}
			prev = e.Hash
		}
		if err := tx.ExecLater(ctx, `UPDATE audit_chains SET seq = ?, hash = ?, n = n + ? WHERE chain = ?`,
			r.seqs[len(r.seqs)-1], prev, r.end-r.start, r.chain); err != nil {
			return fmt.Errorf("audit: move chain %d: %w", r.chain, err)
		}
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
// Entries of chain 0 are sealed as before chains existed, so older logs still verify; the others
// seal their chain too, so an entry cannot be moved between chains.
func (l *Log) seal(e Entry) string {
	m := l.macs.Get().(hash.Hash)
	m.Reset()
	defer l.macs.Put(m)
	fields := []string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		e.Actor, e.Role, e.Action, e.ObjectType, e.ObjectID, e.Before, e.After,
	}
	if e.Chain != 0 {
		fields = append(fields, "chain:"+strconv.Itoa(e.Chain))
	}
	for _, f := range fields {
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
	Chain  int
	Kind   BrokenKind
	Reason string
}

// BrokenKind is how a chain fails.
type BrokenKind int

const (
	BrokenLink BrokenKind = iota + 1 // an entry's previous-hash link does not match: removed or inserted
	BrokenSeal                       // an entry's content does not match its seal: edited
	BrokenEnd                        // the chain ends before its recorded end: entries removed from its end
)

// Chinese says what happened for the audit page.
func (b *Broken) Chinese() string {
	switch b.Kind {
	case BrokenLink:
		return fmt.Sprintf("第 %d 条链中本条记录与前一条记录的哈希链接不符，说明其前有记录被删除或插入", b.Chain)
	case BrokenSeal:
		return "本条记录的内容与其签名不符，说明记录被修改"
	default:
		return fmt.Sprintf("第 %d 条链在本条记录之前结束，但链尾记载的条数更多，说明链尾有记录被删除", b.Chain)
	}
}

func (b *Broken) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", b.Seq, b.Reason)
}

// Verify walks every chain in order. It returns the number of entries checked, and a *Broken
// error naming the first bad entry when a chain is not intact. The chains' recorded ends and
// their entries are read in one snapshot, so entries appended meanwhile are not mistaken for
// entries removed from a chain's end.
func (l *Log) Verify(ctx context.Context, db *store.DB) (total int64, err error) {
	defer func() {
		if _, broken := err.(*Broken); !broken { // a finding, returned as it is (callers assert it)
			errs.Wrap(&err, "audit.Log.Verify")
		}
	}()
	err = db.ReadConsistent(ctx, func(r *store.ConsistentReader) error {
		total, err = l.verify(ctx, r)
		return err
	})
	return total, err
}

func (l *Log) verify(ctx context.Context, db *store.ConsistentReader) (int64, error) {
	type end struct {
		seq  int64
		hash string
		n    int64
	}
	ends := map[int]end{}
	rows, err := db.QueryContext(ctx, `SELECT chain, seq, hash, n FROM audit_chains ORDER BY chain`)
	if err != nil {
		return 0, fmt.Errorf("audit: read chains: %w", err)
	}
	for rows.Next() {
		var c int
		var e end
		if err := rows.Scan(&c, &e.seq, &e.hash, &e.n); err != nil {
			rows.Close()
			return 0, err
		}
		ends[c] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("audit: read chains: %w", err)
	}
	var total int64
	var first *Broken
	for c := 0; c < Chains; c++ {
		n, err := l.verifyChain(ctx, db, c, ends[c].seq, ends[c].hash, ends[c].n)
		total += n
		var b *Broken
		if errors.As(err, &b) {
			if first == nil || b.Seq < first.Seq {
				first = b
			}
			continue
		}
		if err != nil {
			return total, err
		}
	}
	if first != nil {
		return total, first
	}
	return total, nil
}

func (l *Log) verifyChain(ctx context.Context, db *store.ConsistentReader, chain int, headSeq int64, headHash string, headN int64) (int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, chain, at, actor, role, action, object_type, object_id, before, after, prev_hash, hash
		FROM audit_log WHERE chain = ? ORDER BY seq`, chain)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n, lastSeq int64
	prev := ""
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Seq, &e.Chain, &e.At, &e.Actor, &e.Role, &e.Action, &e.ObjectType, &e.ObjectID, &e.Before, &e.After, &e.PrevHash, &e.Hash); err != nil {
			return n, err
		}
		n++
		switch {
		case e.PrevHash != prev:
			return n, &Broken{Seq: e.Seq, Chain: chain, Kind: BrokenLink, Reason: fmt.Sprintf("previous-hash link does not match the entry before it in chain %d (an entry was removed or inserted)", chain)}
		case !hmac.Equal([]byte(e.Hash), []byte(l.seal(e))):
			return n, &Broken{Seq: e.Seq, Chain: chain, Kind: BrokenSeal, Reason: "content does not match its seal (edited)"}
		}
		prev, lastSeq = e.Hash, e.Seq
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if n != headN || prev != headHash {
		missing := headSeq
		if missing == 0 || missing == lastSeq {
			missing = lastSeq + 1
		}
		return n, &Broken{Seq: missing, Chain: chain, Kind: BrokenEnd, Reason: fmt.Sprintf("chain %d ends at entry %d but %d entries were written to it (entries removed from its end)", chain, lastSeq, headN)}
	}
	return n, nil
}

// Query selects entries for the audit pages.
type Query struct {
	ObjectType, ObjectID, Actor string
	Limit, Offset               int
}

// List returns entries newest first.
func (l *Log) List(ctx context.Context, db *store.DB, q Query) (_ []Entry, err error) {
	defer errs.Wrap(&err, "audit.Log.List")
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
	rows, err := db.QueryContext(ctx, `SELECT seq, chain, at, actor, role, action, object_type, object_id, before, after, prev_hash, hash
		FROM audit_log WHERE `+where+` ORDER BY seq DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Seq, &e.Chain, &e.At, &e.Actor, &e.Role, &e.Action, &e.ObjectType, &e.ObjectID, &e.Before, &e.After, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.ActionName = ActionName(e.Action)
		out = append(out, e)
	}
	return out, rows.Err()
}

// IsBroken reports whether err is a broken-chain finding (as opposed to a failure to read).
func IsBroken(err error) bool {
	var b *Broken
	return errors.As(err, &b)
}

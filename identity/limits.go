package identity

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"banhao/errs"
	"banhao/store"
	"banhao/wiring"
)

// Bucket is a token bucket: Burst tries at once, then one more every Every. Buckets live in the
// database (rate_buckets), so every node of an installation spends from the same ones: a limit
// each node kept for itself would give N nodes N times the tries.
type Bucket struct {
	Key   string
	Burst int
	Every time.Duration
}

// level is the bucket's tokens at now, given tokens at a time at.
func (b Bucket) level(tokens float64, at, now time.Time) float64 {
	if elapsed := now.Sub(at); elapsed > 0 {
		tokens += float64(elapsed) / float64(b.Every)
	}
	return min(tokens, float64(b.Burst))
}

// buckets reads and spends rate buckets.
type buckets struct {
	db  *store.DB
	now func() time.Time

	mu         sync.Mutex
	lastPruned time.Time
}

// forgetAfter: a bucket untouched this long is full again and its row is dropped.
const forgetAfter = 24 * time.Hour

// Has reports whether every bucket holds a token now, spending none.
func (bs *buckets) Has(ctx context.Context, list ...Bucket) (bool, error) {
	now := bs.now()
	for _, b := range list {
		var tokens float64
		var at time.Time
		err := bs.db.QueryRowContext(ctx, `SELECT tokens, at FROM rate_buckets WHERE key = ?`, b.Key).Scan(&tokens, &at)
		if errors.Is(err, sql.ErrNoRows) {
			continue // never spent: full
		}
		if err != nil {
			return false, err
		}
		if b.level(tokens, at, now) < 1 {
			return false, nil
		}
	}
	return true, nil
}

// Spend takes a token from every bucket if each holds one, and reports whether it did; when
// one is empty, nothing is taken (a refused request costs nothing). Concurrent spenders of one
// bucket take turns on its row, so a limit is checked and counted in one step: a burst of
// parallel requests cannot all pass a check made before any of them is counted.
func (bs *buckets) Spend(ctx context.Context, list ...Bucket) (bool, error) {
	now := bs.now().UTC()
	all := true
	err := bs.db.Tx(ctx, func(tx *store.Tx) error {
		all = true
		levels := make([]float64, len(list))
		for i, b := range list {
			if _, err := tx.ExecContext(ctx, `INSERT INTO rate_buckets (key, tokens, at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
				b.Key, float64(b.Burst), now); err != nil {
				return err
			}
			var tokens float64
			var at time.Time
			if err := tx.QueryRowContext(ctx, `SELECT tokens, at FROM rate_buckets WHERE key = ?`+tx.ForUpdate(), b.Key).Scan(&tokens, &at); err != nil {
				return err
			}
			levels[i] = b.level(tokens, at, now)
			all = all && levels[i] >= 1
		}
		if !all {
			return nil
		}
		for i, b := range list {
			if _, err := tx.ExecContext(ctx, `UPDATE rate_buckets SET tokens = ?, at = ? WHERE key = ?`, levels[i]-1, now, b.Key); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		bs.prune(ctx, now)
	}
	return all, err
}

// Refund gives back the token a Spend took, for a try that turned out to succeed (a right
// password): only failures count against a limit, yet each try is counted before it is checked.
func (bs *buckets) Refund(ctx context.Context, list ...Bucket) error {
	now := bs.now().UTC()
	return bs.db.Tx(ctx, func(tx *store.Tx) error {
		for _, b := range list {
			var tokens float64
			var at time.Time
			err := tx.QueryRowContext(ctx, `SELECT tokens, at FROM rate_buckets WHERE key = ?`+tx.ForUpdate(), b.Key).Scan(&tokens, &at)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE rate_buckets SET tokens = ?, at = ? WHERE key = ?`,
				min(b.level(tokens, at, now)+1, float64(b.Burst)), now, b.Key); err != nil {
				return err
			}
		}
		return nil
	})
}

// prune drops full buckets now and then (each node at most every ten minutes), in a statement of
// its own that holds no other lock; a prune that fails is tried again next time.
func (bs *buckets) prune(ctx context.Context, now time.Time) {
	bs.mu.Lock()
	due := now.Sub(bs.lastPruned) > 10*time.Minute
	if due {
		bs.lastPruned = now
	}
	bs.mu.Unlock()
	if due {
		_, _ = bs.db.ExecContext(ctx, `DELETE FROM rate_buckets WHERE at < ?`, now.Add(-forgetAfter))
	}
}

// Limiter spends database rate buckets for another capability (the hall's ticket budgets, public
// case tracking): the
// same table and the same rules as the sign-in limits, so every node spends from one bucket.
type Limiter struct{ b *buckets }

// NewLimiter returns a limiter on db; now is the injected clock. Both are required.
func NewLimiter(db *store.DB, now func() time.Time) (_ *Limiter, err error) {
	defer errs.Wrap(&err, "identity.NewLimiter")
	if err := wiring.Require("identity.NewLimiter", wiring.Deps{"db": db, "now": now}); err != nil {
		return nil, err
	}
	return &Limiter{b: &buckets{db: db, now: now}}, nil
}

// Spend takes a token from every bucket if each holds one (else none), and reports whether it did.
func (l *Limiter) Spend(ctx context.Context, list ...Bucket) (_ bool, err error) {
	defer errs.Wrap(&err, "identity.Limiter.Spend")
	return l.b.Spend(ctx, list...)
}

// Refund gives back the token a Spend took, for a try that found what it looked for (public case
// tracking counts only wrong guesses).
func (l *Limiter) Refund(ctx context.Context, list ...Bucket) (err error) {
	defer errs.Wrap(&err, "identity.Limiter.Refund")
	return l.b.Refund(ctx, list...)
}

package store

import "context"

// Fold is a delta table's fold as one transaction (the supervision figures of cases and
// ratings): Lock, if any, serialises folds across nodes (PostgreSQL: an advisory lock); Count
// returns how many delta rows the fold takes (on PostgreSQL it may also do the whole fold, as one
// DELETE … RETURNING statement); Then runs after, unless nothing was there to fold.
type Fold struct {
	Lock, Count string
	Then        []string
}

// Run folds and says how many rows it took.
func (f Fold) Run(ctx context.Context, db *DB) (int, error) {
	var n int
	err := db.Tx(ctx, func(tx *Tx) error {
		if f.Lock != "" {
			if _, err := tx.ExecContext(ctx, f.Lock); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, f.Count).Scan(&n); err != nil || n == 0 {
			return err
		}
		for _, q := range f.Then {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	_ "banhao/store/engines"
)

// TestGroupCommitKeepsEachCommandsValues: one group-commit batch of several SQLite commands (run
// as one batch, not left to timing): each command's hook sees only its own value; the batch value
// is written once, before the single COMMIT, with the contributions of the commands that
// succeeded, in the order they ran; a command failing in fn or in its hook adds nothing.
func TestGroupCommitKeepsEachCommandsValues(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if db.batch == nil {
		t.Fatal("SQLite without group commit")
	}
	seen := map[int][]int{} // command → what its hook was handed
	mine := NewCommandValue("mine", func(ctx context.Context, tx *Tx, v *[]int) error {
		seen[(*v)[0]] = slices.Clone(*v)
		if (*v)[0] == 3 {
			return errors.New("hook refused")
		}
		return nil
	})
	var written [][]string
	rows := NewBatchValue("rows", func(ctx context.Context, tx *Tx, v *[]string) error {
		written = append(written, slices.Clone(*v))
		for _, c := range *v {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sections (code, name, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP)`, c, c); err != nil {
				return err
			}
		}
		return nil
	})
	var batch []*txRequest
	for i := range 6 {
		batch = append(batch, &txRequest{ctx: ctx, done: make(chan error, 1), fn: func(tx *Tx) error {
			for j := range i + 1 { // command i collects i+1 values, i first
				*mine.Get(tx) = append(*mine.Get(tx), i+j)
			}
			rows.Add(tx, func(v *[]string) { *v = append(*v, fmt.Sprintf("C%d", i)) })
			rows.Add(tx, func(v *[]string) { *v = append(*v, fmt.Sprintf("C%d-2", i)) })
			if i == 2 {
				return errors.New("fn refused")
			}
			return nil
		}})
	}
	db.batch.run(batch)
	for i, r := range batch {
		if err := <-r.done; (err != nil) != (i == 2 || i == 3) {
			t.Errorf("command %d returned %v", i, err)
		}
	}
	for i := range 6 {
		want := []int(nil)
		if i != 2 {
			for j := range i + 1 {
				want = append(want, i+j)
			}
		}
		if !slices.Equal(seen[i], want) {
			t.Errorf("command %d's hook was handed %v, want %v", i, seen[i], want)
		}
	}
	want := []string{"C0", "C0-2", "C1", "C1-2", "C4", "C4-2", "C5", "C5-2"}
	if len(written) != 1 || !slices.Equal(written[0], want) {
		t.Fatalf("batch written as %v, want once %v", written, want)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sections`).Scan(&n); err != nil || n != len(want) {
		t.Fatalf("%d rows committed (%v), want %d", n, err, len(want))
	}
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"banhao/store"
	"banhao/store/storetest"
)

// TestCommitHooksAreTyped: a command's values reach their own hooks, which run in the fixed
// order (BeforeCommit, then command values by name) whatever order the command touched them in;
// a batch value is written once, with the contributions of the commands that succeeded only; a
// hook that registers a hook fails the command instead of being dropped.
func TestCommitHooksAreTyped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var ran []string
		insert := func(ctx context.Context, tx *store.Tx, code string) error {
			return tx.ExecLater(ctx, `INSERT INTO sections (code, name, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP)`, code, code)
		}
		notes := store.NewCommandValue("b notes", func(ctx context.Context, tx *store.Tx, v *[]string) error {
			ran = append(ran, "b notes "+strings.Join(*v, ","))
			if len(*v) > 0 && (*v)[0] == "fail" {
				return errors.New("notes refused")
			}
			return nil
		})
		var marks *store.CommandValue[int]
		marks = store.NewCommandValue("a marks", func(ctx context.Context, tx *store.Tx, v *int) error {
			ran = append(ran, fmt.Sprint("a marks ", *v))
			if *v < 0 {
				marks.Get(tx) // already touched: allowed
				notes.Get(tx) // first touched from a hook: refused
			}
			return nil
		})
		writes := 0
		rows := store.NewBatchValue("rows", func(ctx context.Context, tx *store.Tx, v *[]string) error {
			writes++
			ran = append(ran, "rows "+strings.Join(*v, ","))
			for _, c := range *v {
				if err := insert(ctx, tx, c); err != nil {
					return err
				}
			}
			return nil
		})

		err := db.Tx(ctx, func(tx *store.Tx) error {
			*notes.Get(tx) = append(*notes.Get(tx), "x", "y") // touched before marks
			rows.Add(tx, func(v *[]string) { *v = append(*v, "R1") })
			*marks.Get(tx) += 2
			*marks.Get(tx) += 1
			rows.Add(tx, func(v *[]string) { *v = append(*v, "R2") })
			tx.BeforeCommit(func(ctx context.Context) error { ran = append(ran, "read back"); return nil })
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(ran, "; "), "read back; a marks 3; b notes x,y; rows R1,R2"; got != want {
			t.Fatalf("hooks ran as %q, want %q", got, want)
		}

		// A command that fails — in fn, or in a commit hook — contributes nothing and writes nothing.
		for _, fail := range []string{"fn", "hook"} {
			ran, writes = nil, 0
			err = db.Tx(ctx, func(tx *store.Tx) error {
				rows.Add(tx, func(v *[]string) { *v = append(*v, "R3") })
				if fail == "hook" {
					*notes.Get(tx) = append(*notes.Get(tx), "fail")
					return nil
				}
				return errors.New("fn refused")
			})
			if err == nil || writes != 0 {
				t.Fatalf("failing %s: Tx returned %v, batch written %d times", fail, err, writes)
			}
		}

		// A hook touching a command value for the first time would never see its hook run.
		ran = nil
		err = db.Tx(ctx, func(tx *store.Tx) error {
			*marks.Get(tx) = -1
			rows.Add(tx, func(v *[]string) { *v = append(*v, "R4") })
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), "b notes") {
			t.Fatalf("a hook registering a hook: Tx returned %v, want the command refused", err)
		}

		var codes []string
		err = db.ReadTogether(ctx, store.Read{Query: `SELECT code FROM sections ORDER BY code`, Row: func(scan func(...any) error) error {
			var c string
			err := scan(&c)
			codes = append(codes, c)
			return err
		}})
		if err != nil || fmt.Sprint(codes) != "[R1 R2]" {
			t.Fatalf("stored %v (%v), want [R1 R2]: the failed commands' rows must not be written", codes, err)
		}
	})
}

package audit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"banhao/audit"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

func writeEntries(t *testing.T, db *store.DB, l *audit.Log, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			return l.Record(ctx, tx, audit.Actor{Username: "admin", Role: "admin"}, "item.put", "item", "X"+string(rune('A'+i)),
				map[string]any{"name": "旧名称"}, map[string]any{"name": "新名称", "i": i})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 9, 0, 0, 123456789, time.UTC)
		l := wiring.Must(audit.New([]byte("test-key-test-key-test-key-12345"), func() time.Time { return now }))
		writeEntries(t, db, l, 5)
		n, err := l.Verify(ctx, db)
		if err != nil || n != 5 {
			t.Fatalf("intact chain: n=%d err=%v, want 5 entries and no error", n, err)
		}

		// The log refuses ordinary edits.
		if _, err := db.ExecContext(ctx, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`); err == nil {
			t.Fatal("UPDATE of audit_log succeeded; want the append-only trigger to refuse it")
		}

		// Someone with database access drops the guard and edits a row by hand.
		dropGuards(t, db)
		if _, err := db.ExecContext(ctx, `UPDATE audit_log SET after = '{"name":"篡改"}' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		_, err = l.Verify(ctx, db)
		var b *audit.Broken
		if !audit.IsBroken(err) {
			t.Fatalf("Verify after edit = %v, want a broken chain", err)
		}
		b = err.(*audit.Broken)
		if b.Seq != 3 {
			t.Fatalf("broken at %d, want 3", b.Seq)
		}
	})
}

func TestVerifyDetectsDeletedRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := wiring.Must(audit.New([]byte("test-key-test-key-test-key-12345"), time.Now))
		writeEntries(t, db, l, 4)
		dropGuards(t, db)
		if _, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE seq = 4`); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Verify(ctx, db); !audit.IsBroken(err) {
			t.Fatalf("deleted last row: Verify = %v, want broken", err)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		_, err := l.Verify(ctx, db)
		if !audit.IsBroken(err) || err.(*audit.Broken).Seq != 2 {
			t.Fatalf("deleted middle row: Verify = %v, want broken at 2", err)
		}
	})
}

func TestChainNeedsTheKey(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	writeEntries(t, db, wiring.Must(audit.New([]byte("key-one-key-one-key-one-key-one!"), time.Now)), 2)
	if _, err := wiring.Must(audit.New([]byte("key-two-key-two-key-two-key-two!"), time.Now)).Verify(context.Background(), db); !audit.IsBroken(err) {
		t.Fatalf("verify with another key = %v, want broken: the chain must be keyed", err)
	}
}

func dropGuards(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if db.Dialect == store.Postgres {
		stmts = []string{`DROP TRIGGER audit_log_no_change ON audit_log`}
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOneObjectsHistoryIsOneChain: entries of the same object form one chain, so removing one
// from the middle breaks the link of the next.
func TestOneObjectsHistoryIsOneChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := wiring.Must(audit.New([]byte("test-key-test-key-test-key-12345"), time.Now))
		for i := range 4 {
			err := db.Tx(ctx, func(tx *store.Tx) error {
				return l.Record(ctx, tx, audit.Actor{Username: "clerk", Role: "clerk"}, "case.step", "case", "371600-20261126-00001", nil, map[string]int{"i": i})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if n, err := l.Verify(ctx, db); err != nil || n != 4 {
			t.Fatalf("intact: %d %v", n, err)
		}
		dropGuards(t, db)
		if _, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		_, err := l.Verify(ctx, db)
		if !audit.IsBroken(err) || err.(*audit.Broken).Seq != 3 {
			t.Fatalf("removed entry 2 of one object's history: %v, want broken at 3", err)
		}
	})
}

// TestConcurrentCommandsKeepEveryChainWhole: many commands at once, each writing entries on
// several objects (so on several chains, locked together), some failing afterwards: no
// deadlock, nothing of a failed command left, every chain verifies, the count is exact.
func TestConcurrentCommandsKeepEveryChainWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		l := wiring.Must(audit.New([]byte("test-key-test-key-test-key-12345"), func() time.Time { return now }))
		const commands, objects = 40, 5
		boom := errors.New("refused after the entries were recorded")
		var wg sync.WaitGroup
		errc := make(chan error, commands)
		for c := range commands {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errc <- db.Tx(ctx, func(tx *store.Tx) error {
					for o := range objects {
						id := fmt.Sprintf("obj-%d", (c*7+o*3)%23) // overlapping objects, in different orders
						if err := l.Record(ctx, tx, audit.Actor{Username: "u", Role: "clerk"}, "case.accept", "case", id, nil, map[string]int{"c": c}); err != nil {
							return err
						}
					}
					if c%5 == 0 {
						return boom
					}
					return nil
				})
			}()
		}
		wg.Wait()
		close(errc)
		failed := 0
		for err := range errc {
			switch {
			case errors.Is(err, boom):
				failed++
			case err != nil:
				t.Fatal(err)
			}
		}
		n, err := l.Verify(ctx, db)
		if want := int64((commands - failed) * objects); err != nil || n != want {
			t.Fatalf("verify: %d entries, %v; want %d and an intact log", n, err, want)
		}
	})
}

// TestVerifyDuringWritesSeesNoBreak: entries appended while Verify reads must never look like a
// broken chain (Verify reads the chains' ends and the chains in one snapshot), while a real
// deletion made afterwards is still found.
func TestVerifyDuringWritesSeesNoBreak(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := wiring.Must(audit.New([]byte("test-key-test-key-test-key-12345"), time.Now))
		writeEntries(t, db, l, 3)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					err := db.Tx(ctx, func(tx *store.Tx) error {
						// Every chain gets entries, so whichever chain Verify reads is being written.
						for o := range 4 {
							id := fmt.Sprintf("w%d-%d-%d", w, i, o)
							if err := l.Record(ctx, tx, audit.Actor{Username: "u", Role: "clerk"}, "case.accept", "case", id, nil, nil); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		var verr error
		for range 60 {
			if _, err := l.Verify(ctx, db); err != nil {
				verr = err
				break
			}
		}
		close(stop)
		wg.Wait()
		if verr != nil {
			t.Fatalf("Verify while entries were appended = %v, want an intact log", verr)
		}
		var last int64
		if err := db.QueryRowContext(ctx, `SELECT MAX(seq) FROM audit_log`).Scan(&last); err != nil {
			t.Fatal(err)
		}
		dropGuards(t, db)
		if _, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE seq = ?`, last); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Verify(ctx, db); !audit.IsBroken(err) {
			t.Fatalf("deleted the newest entry: Verify = %v, want broken", err)
		}
	})
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"banhao/store"
	"banhao/store/storetest"
)

func TestTransactionsOnBothEngines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Many writers at once: SQLite queues them on its one writer connection, PostgreSQL
		// locks the row; either way no write is lost.
		var wg sync.WaitGroup
		errc := make(chan error, 50)
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errc <- db.Tx(ctx, func(tx *store.Tx) error {
					var g int64
					if err := tx.QueryRowContext(ctx, `SELECT generation FROM catalog_meta WHERE id = ?`+tx.ForUpdate(), 1).Scan(&g); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `UPDATE catalog_meta SET generation = ? WHERE id = ?`, g+1, 1)
					return err
				})
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		var g int64
		if err := db.QueryRowContext(ctx, `SELECT generation FROM catalog_meta WHERE id = 1`).Scan(&g); err != nil || g != 51 {
			t.Fatalf("generation = %d (%v), want 51 after 50 increments", g, err)
		}

		// A failed transaction leaves nothing behind.
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sections (code, name, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP)`, "X", "x"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx returned %v, want the callback's error", err)
		}
		var n int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sections`).Scan(&n)
		if n != 0 {
			t.Fatal("a rolled-back insert is visible")
		}

		// Unique violations are recognised on both engines.
		insert := func() error {
			return db.Tx(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO sections (code, name, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP)`, "U", "u")
				return err
			})
		}
		if err := insert(); err != nil {
			t.Fatal(err)
		}
		if err := insert(); !store.IsUniqueViolation(err) {
			t.Fatalf("second insert: %v, want a unique violation", err)
		}
		cur, latest, err := db.SchemaVersion(ctx)
		if err != nil || cur != latest || cur < 1 {
			t.Fatalf("schema version %d of %d (%v)", cur, latest, err)
		}
	})
}

func TestOpenRejectsUnknownDSN(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{"mysql://x", "", "sqlite:"} {
		if _, err := store.Open(context.Background(), dsn); err == nil {
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}

func TestIn(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "", 1: "?", 3: "?, ?, ?"} {
		if got := store.In(n); got != want {
			t.Errorf("In(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestFailuresInABatchRollBackAlone: concurrent transactions share commits on SQLite; one that
// fails after writing leaves nothing, and its neighbours are all stored.
func TestFailuresInABatchRollBackAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make([]error, 40)
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.Tx(ctx, func(tx *store.Tx) error {
					if _, err := tx.ExecContext(ctx, `INSERT INTO sections (code, name, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP)`, fmt.Sprintf("S%02d", i), "x"); err != nil {
						return err
					}
					if i%2 == 1 {
						return errors.New("refused")
					}
					return nil
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if (i%2 == 1) != (err != nil) {
				t.Fatalf("transaction %d returned %v", i, err)
			}
		}
		var n, odd int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sections`).Scan(&n)
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sections WHERE code IN ('S01', 'S03', 'S39')`).Scan(&odd)
		if n != 20 || odd != 0 {
			t.Fatalf("%d sections stored (%d from failed transactions), want the 20 that succeeded", n, odd)
		}
	})
}

// TestQueuedWritesAndReadsTogether: writes queued with ExecLater are seen by the transaction's
// next read and committed with it; a queued write that fails fails the whole transaction with
// its own error and leaves nothing behind; reads sent together come back whole and in order.
func TestQueuedWritesAndReadsTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insert := `INSERT INTO sections (code, name, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP)`
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for _, c := range []string{"A", "B"} {
				if err := tx.ExecLater(ctx, insert, c, "section "+c); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sections`).Scan(&n); err != nil || n != 2 {
				return fmt.Errorf("the transaction sees %d of its 2 queued rows (%v)", n, err)
			}
			return tx.ExecLater(ctx, insert, "C", "section C") // sent with the commit
		})
		if err != nil {
			t.Fatal(err)
		}

		err = db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.ExecLater(ctx, insert, "D", "section D"); err != nil {
				return err
			}
			return tx.ExecLater(ctx, insert, "A", "again") // a duplicate key, found at the commit
		})
		if !store.IsUniqueViolation(err) {
			t.Fatalf("Tx with a failing queued write returned %v, want the unique violation", err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.ExecLater(ctx, insert, "B", "again"); err != nil {
				return err
			}
			var n int
			return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sections`).Scan(&n) // the queue goes first, and fails
		})
		if !store.IsUniqueViolation(err) {
			t.Fatalf("Tx whose read followed a failing queued write returned %v, want the unique violation", err)
		}

		var codes []string
		var total int
		err = db.ReadTogether(ctx,
			store.Read{Query: `SELECT code FROM sections ORDER BY code`, Row: func(scan func(...any) error) error {
				var c string
				err := scan(&c)
				codes = append(codes, c)
				return err
			}},
			store.Read{Query: `SELECT COUNT(*) FROM sections WHERE code <> ?`, Args: []any{"A"}, Row: func(scan func(...any) error) error {
				return scan(&total)
			}},
			store.Read{Query: `SELECT code FROM sections WHERE code = ?`, Args: []any{"none"}, Row: func(func(...any) error) error {
				return errors.New("no row expected")
			}},
		)
		if err != nil || fmt.Sprint(codes) != "[A B C]" || total != 2 {
			t.Fatalf("read together: %v %d %v, want [A B C] 2 (D rolled back)", codes, total, err)
		}
		if err := db.ReadTogether(ctx, store.Read{Query: `SELECT nope FROM sections`, Row: func(func(...any) error) error { return nil }}); err == nil {
			t.Fatal("a bad query in ReadTogether reported no error")
		}
	})
}

// TestReadLater: reads queued in a transaction run by the commit at the latest, after the writes
// queued before them are sent, and their after sees the rows; an error of the read or of after
// fails the transaction. On PostgreSQL the reads wait for the transaction's next round trip (so
// a write queued after ReadLater is seen too), and after runs only then.
func TestReadLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insert := `INSERT INTO sections (code, name, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP)`
		var codes []string
		ran := false
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.ExecLater(ctx, insert, "A", "section A"); err != nil {
				return err
			}
			err := tx.ReadLater(ctx, func() error { ran = true; return nil },
				store.Read{Query: `SELECT code FROM sections ORDER BY code`, Row: func(scan func(...any) error) error {
					var c string
					err := scan(&c)
					codes = append(codes, c)
					return err
				}})
			if err != nil {
				return err
			}
			if db.Dialect == store.Postgres && ran {
				return errors.New("PostgreSQL: after ran before the next round trip")
			}
			return tx.ExecLater(ctx, insert, "B", "section B")
		})
		if err != nil || !ran {
			t.Fatalf("Tx: %v (after ran: %v)", err, ran)
		}
		want := "[A]" // SQLite reads at once
		if db.Dialect == store.Postgres {
			want = "[A B]" // sent with the last writes, before COMMIT
		}
		if fmt.Sprint(codes) != want {
			t.Fatalf("read later saw %v, want %s", codes, want)
		}

		// after's error fails the transaction: nothing it wrote is kept.
		boom := errors.New("after failed")
		err = db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.ExecLater(ctx, insert, "C", "section C"); err != nil {
				return err
			}
			return tx.ReadLater(ctx, func() error { return boom },
				store.Read{Query: `SELECT code FROM sections`, Row: func(func(...any) error) error { return nil }})
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx with a failing after returned %v, want it", err)
		}
		// a bad queued read fails it too
		err = db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.ExecLater(ctx, insert, "D", "section D"); err != nil {
				return err
			}
			return tx.ReadLater(ctx, func() error { return nil },
				store.Read{Query: `SELECT nope FROM sections`, Row: func(func(...any) error) error { return nil }})
		})
		if err == nil {
			t.Fatal("Tx with a bad queued read reported no error")
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sections WHERE code IN ('C', 'D')`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("failed transactions kept %d rows (%v)", n, err)
		}
	})
}

// TestEndedContextFailsOnlyItsCommand: a statement under a context that has ended fails with
// that context's error, and the same statement under a live context in the same transaction
// (another command of a SQLite group-commit batch) still runs — the ended context must not
// leave a failing statement behind in the transaction's kept statements.
func TestEndedContextFailsOnlyItsCommand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, `CREATE TABLE ended_ctx (n INTEGER)`); err != nil {
			t.Fatal(err)
		}
		insert := `INSERT INTO ended_ctx (n) VALUES (?)`
		if err := db.Tx(ctx, func(tx *store.Tx) error { // kept on the writer from now on (SQLite)
			_, err := tx.ExecContext(ctx, insert, 1)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		gone, cancel := context.WithCancel(ctx)
		cancel()
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(gone, insert, 2); !errors.Is(err, context.Canceled) {
				t.Errorf("an ended context's statement: %v, want context.Canceled", err)
			}
			var n int
			if err := tx.QueryRowContext(gone, `SELECT COUNT(*) FROM ended_ctx`).Scan(&n); !errors.Is(err, context.Canceled) {
				t.Errorf("an ended context's read: %v, want context.Canceled", err)
			}
			if _, err := tx.ExecContext(ctx, insert, 3); err != nil {
				return fmt.Errorf("the same statement under a live context: %w", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ended_ctx`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("rows %d %v, want 1 and 3", n, err)
		}
	})
}

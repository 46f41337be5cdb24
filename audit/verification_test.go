package audit_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"banhao/audit"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

// TestVerifyJobRecordsTheFirstBrokenEntry: the periodic job walks the log and records the
// outcome; after an entry is edited by hand (guards dropped) the next run records that entry
// as the first broken one, and the earlier, intact run stays in the record.
func TestVerifyJobRecordsTheFirstBrokenEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		l := wiring.Must(audit.New([]byte("test-key-test-key-test-key-12345"), func() time.Time { return now }))
		w := &audit.VerifyWorker{Log: l, DB: db, Logger: slog.New(slog.DiscardHandler)}

		if _, found, err := audit.LastVerification(ctx, db); err != nil || found {
			t.Fatalf("before any run: found=%v err=%v, want nothing recorded", found, err)
		}
		writeEntries(t, db, l, 5)
		if err := w.Work(ctx, &river.Job[audit.VerifyArgs]{}); err != nil {
			t.Fatal(err)
		}
		v, found, err := audit.LastVerification(ctx, db)
		if err != nil || !found || !v.Intact() || v.Entries != 5 || !v.At.Equal(now) {
			t.Fatalf("after an intact run: %+v found=%v err=%v, want intact, 5 entries, at %v", v, found, err, now)
		}

		dropGuards(t, db)
		if _, err := db.ExecContext(ctx, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if err := w.Work(ctx, &river.Job[audit.VerifyArgs]{}); err != nil {
			t.Fatalf("a broken chain is a finding, not a failed job: %v", err)
		}
		v, _, err = audit.LastVerification(ctx, db)
		if err != nil || v.Intact() || v.BrokenSeq != 3 || !strings.Contains(v.Problem, "被修改") || !v.At.Equal(now) {
			t.Fatalf("after editing entry 3: %+v %v, want broken at 3, at %v", v, err, now)
		}
		var runs int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_verifications`).Scan(&runs); err != nil || runs != 2 {
			t.Fatalf("recorded runs = %d (%v), want 2", runs, err)
		}
	})
}

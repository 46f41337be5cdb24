package notify_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"banhao/jobs"
	"banhao/notify"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

// TestStaffWarningsAreNotTexted: a deadline warning for a department and for the supervisors goes
// to the log and the webhook, never into the SMS queue (there is no phone behind "department:GAJ",
// so such a message could only fail and be retried); a case's applicant is texted as before.
func TestStaffWarningsAreNotTexted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := func() time.Time { return time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC) }
		sms := &notify.SMSChannel{Resolve: func(context.Context, string) (string, error) { return "13800001111", nil }}
		outbox := wiring.Must(notify.NewOutbox(notify.Config{DB: db, Now: now, Channels: map[string]notify.Channel{"sms": sms, "log": notify.LogChannel{}},
			Jobs: jobs.Discard{}, Logger: slog.New(slog.DiscardHandler)}))
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for _, r := range []string{"department:GAJ", "role:supervisor", "case:371600-20261203-00001"} {
				if err := outbox.Add(ctx, tx, notify.Message{Recipient: r, Event: "case.warning", Body: "办件即将超期"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		rows, err := db.QueryContext(ctx, `SELECT recipient, channel FROM notifications ORDER BY channel`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var r, c string
			if err := rows.Scan(&r, &c); err != nil {
				t.Fatal(err)
			}
			got[r] = append(got[r], c)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for r, want := range map[string]string{"department:GAJ": "log", "role:supervisor": "log", "case:371600-20261203-00001": "log sms"} {
			if g := strings.Join(got[r], " "); g != want {
				t.Errorf("%s went to %q, want %q", r, g, want)
			}
		}
	})
}

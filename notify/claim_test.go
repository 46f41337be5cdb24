package notify_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"banhao/notify"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

// countingChannel counts what it is handed per message, as the log channel would print it. While
// hold is set, the first Send waits until release is closed, so a test can race other senders
// against a message that is being handed over right now.
type countingChannel struct {
	mu      sync.Mutex
	got     map[int64]int
	hold    bool
	entered chan struct{}
	release chan struct{}
}

func (c *countingChannel) Send(ctx context.Context, m notify.Message) error {
	c.mu.Lock()
	c.got[m.ID]++
	hold := c.hold
	c.hold = false
	c.mu.Unlock()
	if hold {
		close(c.entered)
		select {
		case <-c.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (c *countingChannel) count(id int64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got[id]
}

// claimOutbox is an outbox on db with one counting "log" channel, its clock at *now, and the id
// of each message written collected in *ids.
func claimOutbox(db *store.DB, now *time.Time, ch *countingChannel, ids *[]int64) *notify.Outbox {
	return wiring.Must(notify.NewOutbox(notify.Config{DB: db, Now: func() time.Time { return *now }, Channels: map[string]notify.Channel{"log": ch},
		Jobs: sendJobs(func(job notify.SendArgs) { *ids = append(*ids, job.ID) }), Logger: slog.New(slog.DiscardHandler)}))
}

// TestRacingSendersHandTheMessageOverOnce: two jobs (and more) sending the same message at the
// same time — a message's own job and a later message's job sending the earlier ones first — hand
// it to the channel once: the one that claims it sends it, the others are told it is being sent
// (their job snoozes) or already sent.
func TestRacingSendersHandTheMessageOverOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		ch := &countingChannel{got: map[int64]int{}, hold: true, entered: make(chan struct{}), release: make(chan struct{})}
		var ids []int64
		outbox := claimOutbox(db, &now, ch, &ids)
		if err := db.Tx(ctx, func(tx *store.Tx) error {
			return outbox.Add(ctx, tx, notify.Message{Recipient: "case:C1", Event: "case.accept", Body: "您的办件已受理"})
		}); err != nil || len(ids) != 1 {
			t.Fatalf("add: %v, %d messages", err, len(ids))
		}
		id := ids[0]

		// The first sender is inside the channel, holding the message; the others race it.
		first := make(chan error, 1)
		go func() { first <- outbox.Send(ctx, id) }()
		<-ch.entered
		const others = 3
		errs := make([]error, others)
		var wg sync.WaitGroup
		for i := range others {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = outbox.Send(ctx, id) }()
		}
		wg.Wait()
		close(ch.release)
		if err := <-first; err != nil {
			t.Fatalf("the sender holding the claim: %v", err)
		}
		for i, err := range errs {
			if !errors.Is(err, notify.ErrClaimed) {
				t.Errorf("racing sender %d: %v, want ErrClaimed", i, err)
			}
		}
		if err := outbox.Send(ctx, id); !errors.Is(err, notify.ErrAlreadySent) {
			t.Errorf("a sender after the first finished: %v, want already sent", err)
		}
		if n := ch.count(id); n != 1 {
			t.Errorf("the channel was handed the message %d times, want once", n)
		}

		// Many senders released together: still once.
		if err := db.Tx(ctx, func(tx *store.Tx) error {
			return outbox.Add(ctx, tx, notify.Message{Recipient: "case:C2", Event: "case.decide", Body: "您的办件已办结"})
		}); err != nil {
			t.Fatal(err)
		}
		id2 := ids[1]
		start := make(chan struct{})
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := outbox.Send(ctx, id2); err != nil && !errors.Is(err, notify.ErrClaimed) && !errors.Is(err, notify.ErrAlreadySent) {
					t.Errorf("racing sender: %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if n := ch.count(id2); n != 1 {
			t.Errorf("eight racing senders handed the message over %d times, want once", n)
		}
	})
}

// TestStaleClaimIsTakenOver: a claim left by a node that crashed while sending holds for
// ClaimTimeout; after that the next job takes the message over and sends it, so it is not lost.
// (A failed attempt frees its claim at once: TestGatewayDownTenMinutes retries every minute.)
func TestStaleClaimIsTakenOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		now := t0
		ch := &countingChannel{got: map[int64]int{}}
		var ids []int64
		outbox := claimOutbox(db, &now, ch, &ids)
		if err := db.Tx(ctx, func(tx *store.Tx) error {
			return outbox.Add(ctx, tx, notify.Message{Recipient: "case:C1", Event: "case.decide", Body: "您的办件已办结"})
		}); err != nil {
			t.Fatal(err)
		}
		id := ids[0]
		// Another node claimed it and died before marking it sent.
		if _, err := db.ExecContext(ctx, `UPDATE notifications SET claimed_by = 'node-b:4711', claimed_at = ? WHERE id = ?`, t0, id); err != nil {
			t.Fatal(err)
		}
		now = t0.Add(notify.ClaimTimeout - time.Second)
		if err := outbox.Send(ctx, id); !errors.Is(err, notify.ErrClaimed) {
			t.Fatalf("a claim younger than ClaimTimeout: %v, want ErrClaimed", err)
		}
		if n := ch.count(id); n != 0 {
			t.Fatalf("sent %d times while another node's live claim held it", n)
		}
		now = t0.Add(notify.ClaimTimeout)
		if err := outbox.Send(ctx, id); err != nil {
			t.Fatalf("taking over a stale claim: %v", err)
		}
		if n := ch.count(id); n != 1 {
			t.Errorf("sent %d times after the takeover, want once", n)
		}
		var by string
		var sent *time.Time
		if err := db.QueryRowContext(ctx, `SELECT claimed_by, sent_at FROM notifications WHERE id = ?`, id).Scan(&by, &sent); err != nil {
			t.Fatal(err)
		}
		if by == "node-b:4711" || sent == nil {
			t.Errorf("after the takeover: claimed by %q, sent at %v; want this node's claim and a sent time", by, sent)
		}

		// An expired message under a stale claim is marked, not sent (freshness still rules).
		if err := db.Tx(ctx, func(tx *store.Tx) error {
			return outbox.Add(ctx, tx, notify.Message{Recipient: "ticket:t1", Event: "ticket.called", Body: "请 A001 号到 3 号窗口"})
		}); err != nil {
			t.Fatal(err)
		}
		call := ids[1]
		if _, err := db.ExecContext(ctx, `UPDATE notifications SET claimed_by = 'node-b:4711', claimed_at = ? WHERE id = ?`, now, call); err != nil {
			t.Fatal(err)
		}
		now = now.Add(notify.Freshness("ticket.called"))
		if err := outbox.Send(ctx, call); !errors.Is(err, notify.ErrExpired) {
			t.Errorf("a stale hall call under a stale claim: %v, want expired", err)
		}
		if n := ch.count(call); n != 0 {
			t.Errorf("an expired hall call was sent %d times", n)
		}
	})
}

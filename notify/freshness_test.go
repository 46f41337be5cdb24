package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"banhao/notify"
	"banhao/store"
	"banhao/store/storetest"
)

// fakeGateway is an SMS gateway that can be down, and that delivers each Idempotency-Key once
// however often it is posted (as real gateways do with the key).
type fakeGateway struct {
	mu        sync.Mutex
	down      bool
	loseReply bool // delivers, then answers 504 as if the reply was lost on the way
	requests  int
	delivered map[string]string // key → text
	keys      []string
}

func (g *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests++
	if g.down {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var body map[string]string
	_ = json.NewDecoder(r.Body).Decode(&body)
	key := r.Header.Get("Idempotency-Key")
	if key == "" || key != body["id"] {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if _, ok := g.delivered[key]; !ok {
		g.delivered[key] = body["text"]
		g.keys = append(g.keys, key)
	}
	if g.loseReply {
		w.WriteHeader(http.StatusGatewayTimeout)
	}
}

// sendJobs stands in for the job inserter: it hands each sending job to a function instead of
// inserting it.
type sendJobs func(notify.SendArgs)

func (f sendJobs) InsertTx(_ context.Context, _ *store.Tx, args river.JobArgs, _ *river.InsertOpts) error {
	f(args.(notify.SendArgs))
	return nil
}

// TestGatewayDownTenMinutes: while the SMS gateway is down for ten minutes, a hall call and a
// sign-in code pass their freshness and are marked expired, never sent late; a decision is sent
// once when the gateway is back; a repeated send (a job run twice, a reply lost on the way) is
// delivered once, by the message's idempotency key.
func TestGatewayDownTenMinutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		now := t0
		gw := &fakeGateway{down: true, delivered: map[string]string{}}
		srv := httptest.NewServer(gw)
		defer srv.Close()
		sms := &notify.SMSChannel{Gateway: notify.HTTPGateway{URL: srv.URL},
			Resolve: func(context.Context, string) (string, error) { return "13800001111", nil }}
		var ids []int64
		outbox := notify.NewOutbox(notify.Config{DB: db, Now: func() time.Time { return now }, Channels: map[string]notify.Channel{"sms": sms},
			Jobs: sendJobs(func(job notify.SendArgs) { ids = append(ids, job.ID) }), Logger: slog.New(slog.DiscardHandler)})
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for _, m := range []notify.Message{
				{Recipient: "ticket:t1", Event: "ticket.called", Body: "请 A001 号到 3 号窗口"},
				{Recipient: "case:C1", Event: "case.decided", Body: "您的办件已办结"},
				{Recipient: "applicant:1", Event: "applicant.code", Body: "验证码 123456", ExpiresAt: t0.Add(5 * time.Minute)},
			} {
				if err := outbox.Add(ctx, tx, m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || len(ids) != 3 {
			t.Fatalf("add: %v, %d jobs", err, len(ids))
		}
		call, decision, code := ids[0], ids[1], ids[2]

		// Down for ten minutes, tried every minute, as the retries would.
		for minute := 0; minute <= 10; minute++ {
			now = t0.Add(time.Duration(minute) * time.Minute)
			for _, id := range ids {
				err := outbox.Send(ctx, id)
				if err == nil {
					t.Fatalf("minute %d: message %d sent through a gateway that is down", minute, id)
				}
			}
		}
		gw.mu.Lock()
		gw.down = false
		gw.mu.Unlock()
		now = t0.Add(10*time.Minute + 30*time.Second)
		if err := outbox.Send(ctx, call); !errors.Is(err, notify.ErrExpired) {
			t.Errorf("the hall call after 10.5 minutes: %v, want expired", err)
		}
		if err := outbox.Send(ctx, code); !errors.Is(err, notify.ErrExpired) {
			t.Errorf("the sign-in code after its validity: %v, want expired", err)
		}
		if err := outbox.Send(ctx, decision); err != nil {
			t.Errorf("the decision once the gateway is back: %v", err)
		}
		if err := outbox.Send(ctx, decision); !errors.Is(err, notify.ErrAlreadySent) {
			t.Errorf("the decision sent again: %v, want already sent", err)
		}
		gw.mu.Lock()
		if len(gw.keys) != 1 || gw.delivered[gw.keys[0]] != "您的办件已办结" {
			t.Errorf("delivered %v, want only the decision", gw.delivered)
		}
		gw.mu.Unlock()

		for id, want := range map[int64]string{call: "expired", code: "expired", decision: "sent"} {
			var sent, expired *time.Time
			var attempts int
			if err := db.QueryRowContext(ctx, `SELECT sent_at, expired_at, attempts FROM notifications WHERE id = ?`, id).Scan(&sent, &expired, &attempts); err != nil {
				t.Fatal(err)
			}
			got := "pending"
			switch {
			case sent != nil && expired != nil:
				got = "both"
			case sent != nil:
				got = "sent"
			case expired != nil:
				got = "expired"
			}
			if got != want {
				t.Errorf("message %d is %s, want %s", id, got, want)
			}
		}
	})
}

// TestLostReplyDeliversOnce: the gateway delivered but its answer was lost; the retry carries
// the same key, so the citizen gets one text.
func TestLostReplyDeliversOnce(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	gw := &fakeGateway{loseReply: true, delivered: map[string]string{}}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	sms := &notify.SMSChannel{Gateway: notify.HTTPGateway{URL: srv.URL},
		Resolve: func(context.Context, string) (string, error) { return "13800001111", nil }}
	var id int64
	outbox := notify.NewOutbox(notify.Config{DB: db, Now: time.Now, Channels: map[string]notify.Channel{"sms": sms},
		Jobs: sendJobs(func(job notify.SendArgs) { id = job.ID }), Logger: slog.New(slog.DiscardHandler)})
	if err := db.Tx(ctx, func(tx *store.Tx) error {
		return outbox.Add(ctx, tx, notify.Message{Recipient: "case:C2", Event: "case.corrected", Body: "请补正"})
	}); err != nil {
		t.Fatal(err)
	}
	if err := outbox.Send(ctx, id); err == nil {
		t.Fatal("a lost reply was taken as sent")
	}
	gw.mu.Lock()
	gw.loseReply = false
	gw.mu.Unlock()
	if err := outbox.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	gw.mu.Lock()
	defer gw.mu.Unlock()
	if gw.requests != 2 || len(gw.delivered) != 1 {
		t.Errorf("%d requests, %d texts delivered; want 2 requests and one text", gw.requests, len(gw.delivered))
	}
}

// TestRetriesFitTheFreshness: a message that expires in ten minutes gets several attempts inside
// them (River's default would wait hours); one that never expires backs off to 15 minutes.
func TestRetriesFitTheFreshness(t *testing.T) {
	var elapsed time.Duration
	tries := 1
	for attempt := 1; ; attempt++ {
		elapsed += notify.RetryDelay(attempt, true)
		if elapsed > notify.Freshness("ticket.called") {
			break
		}
		tries++
	}
	if tries < 8 {
		t.Errorf("a hall call gets %d tries in its 10 minutes, want at least 8", tries)
	}
	if d := notify.RetryDelay(50, false); d != 15*time.Minute {
		t.Errorf("late retries of a lasting message wait %v, want 15m", d)
	}
	if d := notify.RetryDelay(1, false); d != 5*time.Second {
		t.Errorf("first retry after %v, want 5s", d)
	}
	for _, ev := range []string{"case.decided", "case.warning.red", "hotline.overdue", "case.corrected"} {
		if notify.Freshness(ev) != 0 {
			t.Errorf("%s expires; decisions, corrections and warnings must always be sent", ev)
		}
	}
}

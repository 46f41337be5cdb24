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
	"banhao/wiring"
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
		outbox := wiring.Must(notify.NewOutbox(notify.Config{DB: db, Now: func() time.Time { return now }, Channels: map[string]notify.Channel{"sms": sms},
			Jobs: sendJobs(func(job notify.SendArgs) { ids = append(ids, job.ID) }), Logger: slog.New(slog.DiscardHandler)}))
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
	outbox := wiring.Must(notify.NewOutbox(notify.Config{DB: db, Now: time.Now, Channels: map[string]notify.Channel{"sms": sms},
		Jobs: sendJobs(func(job notify.SendArgs) { id = job.ID }), Logger: slog.New(slog.DiscardHandler)}))
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

// TestCaseMessagesInOrder: a case accepted and decided in one transaction (一柜办结, 秒批) writes
// 已受理 then 已办结; when the later job is picked first, the applicant still gets 已受理 first,
// and while 已受理 cannot be sent 已办结 waits. Another recipient's messages are not held back,
// and an earlier message past its freshness does not hold back a later one.
func TestCaseMessagesInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		gw := &fakeGateway{delivered: map[string]string{}}
		srv := httptest.NewServer(gw)
		defer srv.Close()
		failing := map[string]bool{}
		sms := &notify.SMSChannel{Gateway: notify.HTTPGateway{URL: srv.URL},
			Resolve: func(_ context.Context, r string) (string, error) {
				if failing[r] {
					return "", errors.New("no phone yet")
				}
				return "13800001111", nil
			}}
		var ids []int64
		outbox := wiring.Must(notify.NewOutbox(notify.Config{DB: db, Now: func() time.Time { return now }, Channels: map[string]notify.Channel{"sms": sms},
			Jobs: sendJobs(func(job notify.SendArgs) { ids = append(ids, job.ID) }), Logger: slog.New(slog.DiscardHandler)}))
		add := func(ms ...notify.Message) {
			t.Helper()
			if err := db.Tx(ctx, func(tx *store.Tx) error {
				for _, m := range ms {
					if err := outbox.Add(ctx, tx, m); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		add(notify.Message{Recipient: "case:C1", Event: "case.accept", Body: "您的办件已受理"},
			notify.Message{Recipient: "case:C1", Event: "case.decide", Body: "您的办件已办结"})
		accepted, decided := ids[0], ids[1]
		if err := outbox.Send(ctx, decided); err != nil {
			t.Fatalf("the later message picked first: %v", err)
		}
		if err := outbox.Send(ctx, accepted); !errors.Is(err, notify.ErrAlreadySent) {
			t.Errorf("the earlier message after the later one: %v, want already sent with it", err)
		}
		gw.mu.Lock()
		got := []string{}
		for _, k := range gw.keys {
			got = append(got, gw.delivered[k])
		}
		gw.mu.Unlock()
		if len(got) != 2 || got[0] != "您的办件已受理" || got[1] != "您的办件已办结" {
			t.Fatalf("the applicant's phone showed %q, want 已受理 then 已办结", got)
		}

		// An earlier message that cannot be sent holds the later one back; another case's does not.
		failing["case:C2"] = true
		add(notify.Message{Recipient: "case:C2", Event: "case.accept", Body: "C2 已受理"},
			notify.Message{Recipient: "case:C2", Event: "case.decide", Body: "C2 已办结"},
			notify.Message{Recipient: "case:C3", Event: "case.decide", Body: "C3 已办结"})
		c2accepted, c2decided, c3decided := ids[2], ids[3], ids[4]
		if err := outbox.Send(ctx, c2decided); err == nil {
			t.Fatal("已办结 was sent while 已受理 of the same case could not be")
		}
		if err := outbox.Send(ctx, c3decided); err != nil {
			t.Fatalf("another case's message was held back: %v", err)
		}
		failing["case:C2"] = false
		if err := outbox.Send(ctx, c2decided); err != nil {
			t.Fatalf("the retry once the earlier one can go: %v", err)
		}
		if err := outbox.Send(ctx, c2accepted); !errors.Is(err, notify.ErrAlreadySent) {
			t.Errorf("C2 已受理: %v, want already sent", err)
		}

		// A hall call past its freshness is not sent and does not hold back the next one.
		add(notify.Message{Recipient: "ticket:t9", Event: "ticket.near", Body: "前面还有 3 位"})
		near := ids[5]
		now = now.Add(20 * time.Minute)
		add(notify.Message{Recipient: "ticket:t9", Event: "ticket.called", Body: "请 A009 号到 3 号窗口"})
		called := ids[6]
		if err := outbox.Send(ctx, called); err != nil {
			t.Fatalf("the call behind an expired reminder: %v", err)
		}
		if err := outbox.Send(ctx, near); !errors.Is(err, notify.ErrExpired) {
			t.Errorf("the stale reminder: %v, want expired", err)
		}
		gw.mu.Lock()
		defer gw.mu.Unlock()
		for _, k := range gw.keys {
			if gw.delivered[k] == "前面还有 3 位" {
				t.Error("a reminder past its freshness was sent")
			}
		}
		if gw.keys[len(gw.keys)-1] == "" || gw.delivered[gw.keys[len(gw.keys)-1]] != "请 A009 号到 3 号窗口" {
			t.Errorf("last delivered %q, want the call", gw.delivered[gw.keys[len(gw.keys)-1]])
		}
	})
}

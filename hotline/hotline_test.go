package hotline_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"banhao/audit"
	"banhao/calendar/calstore"
	"banhao/errs"
	"banhao/hotline"
	"banhao/identity"
	"banhao/jobs"
	"banhao/notify"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

func TestNext(t *testing.T) {
	for _, c := range []struct {
		from hotline.Status
		a    hotline.Action
		sat  int
		to   hotline.Status
		ok   bool
	}{
		{hotline.Received, hotline.Dispatch, 0, hotline.Dispatched, true},
		{hotline.Received, hotline.Reply, 0, hotline.Replied, true},
		{hotline.Dispatched, hotline.Dispatch, 0, hotline.Dispatched, true},
		{hotline.Dispatched, hotline.Reply, 0, hotline.Replied, true},
		{hotline.Replied, hotline.Close, 5, hotline.Closed, true},
		{hotline.Replied, hotline.Close, 3, hotline.Closed, true},
		{hotline.Replied, hotline.Close, 2, hotline.FollowUp, true},
		{hotline.Replied, hotline.Close, 1, hotline.FollowUp, true},
		{hotline.FollowUp, hotline.Follow, 0, hotline.Closed, true},
		{hotline.Received, hotline.Close, 5, "", false},
		{hotline.Closed, hotline.Reply, 0, "", false},
		{hotline.Replied, hotline.Dispatch, 0, "", false},
		{hotline.Dispatched, hotline.Follow, 0, "", false},
	} {
		got, err := hotline.Next(c.from, c.a, c.sat)
		if (err == nil) != c.ok || (c.ok && got != c.to) {
			t.Errorf("%s --%s(%d)--> %s, %v; want %s ok=%v", c.from, c.a, c.sat, got, err, c.to, c.ok)
		}
		if err != nil && !errs.Is(err, errs.CodeConflict) {
			t.Errorf("%s --%s: %v is not a conflict", c.from, c.a, err)
		}
	}
}

func TestTicketLife(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := func() time.Time { return time.Date(2026, 9, 30, 2, 0, 0, 0, time.UTC) } // Wednesday before National Day
		log := wiring.Must(audit.New([]byte("hotline-test-key-hotline-test-key"), now))
		pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
		s, err := hotline.New(hotline.Config{DB: db, Audit: log, PII: pii, Calendar: wiring.Must(calstore.New(db, log, now)), Now: now, Location: time.UTC,
			Jobs: jobs.Discard{}, Outbox: logOutbox(db, now), Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO departments (code, name, updated_at) VALUES ('SCJG', '市场监督管理局', ?)`, now()); err != nil {
			t.Fatal(err)
		}
		op := audit.Actor{Username: "hotline", Role: string(identity.Hotline)}
		for _, c := range []struct {
			in    hotline.Input
			field string
		}{
			{hotline.Input{Caller: hotline.Caller{Name: "王女士", Phone: "123"}, Category: "投诉", Content: "x"}, "caller.phone"},
			{hotline.Input{Caller: hotline.Caller{Name: "王女士", Phone: "13805430009"}, Category: "闲聊", Content: "x"}, "category"},
			{hotline.Input{Caller: hotline.Caller{Name: "王女士", Phone: "13805430009"}, Category: "投诉", Content: " "}, "content"},
		} {
			_, err := s.Create(ctx, op, c.in)
			if e, ok := errs.As(err); !ok || e.Fields[0].Field != c.field {
				t.Errorf("%+v: %v, want a fault in %s", c.in, err, c.field)
			}
		}
		tk, err := s.Create(ctx, op, hotline.Input{Caller: hotline.Caller{Name: "王女士", Phone: "13805430009"}, Category: "投诉",
			Content: "某超市销售过期食品"})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Number != "12345-20260930-00001" || tk.Caller.Phone != "138****0009" {
			t.Fatalf("created %+v", tk)
		}
		// Dispatched on 2026-09-30, the reply is due 5 working days later: after the holiday.
		tk, err = s.Act(ctx, op, tk.Number, hotline.Dispatch, hotline.ActInput{Department: "SCJG"})
		if err != nil || tk.Status != hotline.Dispatched || tk.Due == nil || tk.Due.String() != "2026-10-13" || tk.DepartmentName != "市场监督管理局" {
			t.Fatalf("dispatch: %+v %v (want the department by name too)", tk, err)
		}
		other := audit.Actor{Username: "a2", Role: string(identity.Approver), Department: "XZSP"}
		if _, err := s.Act(ctx, other, tk.Number, hotline.Reply, hotline.ActInput{Text: "x"}); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("another department's approver replied: %v", err)
		}
		if _, err := s.Get(ctx, other, tk.Number); !errs.Is(err, errs.CodeNotFound) {
			t.Errorf("another department's approver sees the ticket: %v", err)
		}
		dept := audit.Actor{Username: "scjg", Role: string(identity.Approver), Department: "SCJG"}
		if list, err := s.List(ctx, dept, hotline.Query{}); err != nil || len(list) != 1 || list[0].Caller.Phone != "138****0009" {
			t.Fatalf("department list %+v %v", list, err)
		}
		if _, err := s.Act(ctx, dept, tk.Number, hotline.Reply, hotline.ActInput{}); !errs.Is(err, errs.CodeInvalid) {
			t.Errorf("empty reply: %v", err)
		}
		if _, err := s.Act(ctx, dept, tk.Number, hotline.Reply, hotline.ActInput{Text: "已现场检查，责令下架并立案调查"}); err != nil {
			t.Fatal(err)
		}
		// The caller is dissatisfied: the ticket goes to follow-up, then a supervisor closes it.
		tk, err = s.Act(ctx, op, tk.Number, hotline.Close, hotline.ActInput{Satisfaction: 2})
		if err != nil || tk.Status != hotline.FollowUp || tk.Satisfaction == nil || *tk.Satisfaction != 2 {
			t.Fatalf("close with 2: %+v %v", tk, err)
		}
		if _, err := s.Act(ctx, op, tk.Number, hotline.Follow, hotline.ActInput{Text: "x"}); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("the operator did the supervisor's follow-up: %v", err)
		}
		sup := audit.Actor{Username: "supervisor", Role: string(identity.Supervisor)}
		tk, err = s.Act(ctx, sup, tk.Number, hotline.Follow, hotline.ActInput{Text: "回访来电人，处罚决定已告知，来电人表示认可"})
		if err != nil || tk.Status != hotline.Closed || len(tk.Events) != 5 {
			t.Fatalf("follow-up: %+v %v", tk, err)
		}
		if full, _ := s.Get(ctx, op, tk.Number); full.Caller.Phone != "13805430009" {
			t.Errorf("the operator sees %q", full.Caller.Phone)
		}
		if n, err := log.Verify(ctx, db); err != nil || n == 0 {
			t.Errorf("audit verify: %d %v", n, err)
		}
	})
}

var quiet = slog.New(slog.DiscardHandler)

// logOutbox is an outbox with only the log channel, sending nothing.
func logOutbox(db *store.DB, now func() time.Time) *notify.Outbox {
	return wiring.Must(notify.NewOutbox(notify.Config{DB: db, Now: now, Channels: map[string]notify.Channel{"log": notify.LogChannel{Logger: quiet}}, Jobs: jobs.Discard{}, Logger: quiet}))
}

// TestNewRefusesMissingDependencies: the 12345 service without a logger for its reminder sweep
// or an outbox for the reminders is refused, naming each.
func TestNewRefusesMissingDependencies(t *testing.T) {
	log := wiring.Must(audit.New([]byte("hotline-test-key-hotline-test-key"), time.Now))
	pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
	_, err := hotline.New(hotline.Config{DB: &store.DB{}, Audit: log, PII: pii, Calendar: wiring.Must(calstore.New(&store.DB{}, log, time.Now)), Now: time.Now,
		Location: time.UTC, Jobs: jobs.Discard{}})
	if names, ok := wiring.Missing(err); !ok || len(names) != 2 || names[0] != "Logger" || names[1] != "Outbox" {
		t.Fatalf("err = %v", err)
	}
}

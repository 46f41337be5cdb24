package hotline_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"banhao/audit"
	"banhao/calendar"
	"banhao/calendar/calstore"
	"banhao/hotline"
	"banhao/identity"
	"banhao/jobs"
	"banhao/notify"
	"banhao/notify/notifytest"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

func TestLevel(t *testing.T) {
	cal := calendar.New(calendar.Official())
	due := calendar.MustDate("2026-10-13") // a Tuesday after National Day
	for _, c := range []struct {
		today string
		want  int
	}{
		{"2026-09-30", 0},
		{"2026-10-10", 0}, // the make-up Saturday: two working days left
		{"2026-10-11", 0}, // Sunday: Monday and the due day are left
		{"2026-10-12", 1},
		{"2026-10-13", 1}, // the due day itself: still in time
		{"2026-10-14", 2},
	} {
		if got, err := hotline.Level(cal, calendar.MustDate(c.today), due); err != nil || got != c.want {
			t.Errorf("%s: level %d (%v), want %d", c.today, got, err, c.want)
		}
	}
}

// TestReplyLimitReminders: a dispatched ticket's department is reminded the working day before
// the reply is due, and reminded again with the supervisors once it is overdue — each once, by
// job workers that were stopped in between; a ticket answered in time is never reminded.
func TestReplyLimitReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		clock := time.Date(2026, 9, 30, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
		now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		setDay := func(day string) {
			mu.Lock()
			defer mu.Unlock()
			clock = calendar.MustDate(day).Time(shanghai).Add(9 * time.Hour)
		}
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		log := wiring.Must(audit.New([]byte("hotline-test-key-hotline-test-key"), now))
		pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
		if _, err := db.ExecContext(ctx, `INSERT INTO departments (code, name, updated_at) VALUES ('SCJG', '市场监督管理局', ?)`, now()); err != nil {
			t.Fatal(err)
		}
		box := &notifytest.Inbox{}
		hook := httptest.NewServer(box)
		defer hook.Close()
		ins, err := jobs.NewInserter(db) // every process inserts; a node works them while it runs
		if err != nil {
			t.Fatal(err)
		}
		outbox := wiring.Must(notify.NewOutbox(notify.Config{DB: db, Now: now, Channels: map[string]notify.Channel{"webhook": notify.WebhookChannel{URL: hook.URL}},
			Jobs: ins, Logger: quiet}))
		s, err := hotline.New(hotline.Config{DB: db, Audit: log, PII: pii, Calendar: wiring.Must(calstore.New(db, log, now)), Now: now, Location: shanghai,
			Jobs: ins, Outbox: outbox, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}

		op := audit.Actor{Username: "hotline", Role: string(identity.Hotline)}
		dept := audit.Actor{Username: "scjg", Role: string(identity.Approver), Department: "SCJG"}
		take := func() string {
			tk, err := s.Create(ctx, op, hotline.Input{Caller: hotline.Caller{Name: "王女士", Phone: "13805430009"}, Category: "投诉", Content: "某超市销售过期食品"})
			if err != nil {
				t.Fatal(err)
			}
			if tk, err = s.Act(ctx, op, tk.Number, hotline.Dispatch, hotline.ActInput{Department: "SCJG"}); err != nil || tk.Due.String() != "2026-10-13" {
				t.Fatalf("dispatch: %+v %v", tk, err)
			}
			return tk.Number
		}
		late, answered := take(), take()
		var scheduled []time.Time
		rows, err := db.QueryContext(ctx, `SELECT scheduled_at FROM river_job WHERE kind = 'hotline.reminder'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var at time.Time
			_ = rows.Scan(&at)
			scheduled = append(scheduled, at)
		}
		rows.Close()
		want := calendar.MustDate("2026-10-12").Time(shanghai)
		if len(scheduled) != 2 || !scheduled[0].Equal(want) {
			t.Fatalf("reminder jobs scheduled at %v, want two at %v (the last working day before the due day)", scheduled, want)
		}
		if _, err := s.Act(ctx, dept, answered, hotline.Reply, hotline.ActInput{Text: "已现场检查，责令下架"}); err != nil {
			t.Fatal(err)
		}

		node := func() *jobs.Runner {
			workers := river.NewWorkers()
			river.AddWorker(workers, &hotline.RemindWorker{Service: s})
			river.AddWorker(workers, &hotline.SweepWorker{Service: s})
			river.AddWorker(workers, &notify.SendWorker{Outbox: outbox})
			sweep := river.NewPeriodicJob(river.PeriodicInterval(200*time.Millisecond),
				func() (river.JobArgs, *river.InsertOpts) { return hotline.SweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})
			r, err := jobs.New(db, jobs.Config{Workers: workers, Periodic: []*river.PeriodicJob{sweep}, Poll: 50 * time.Millisecond, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Start(ctx); err != nil {
				t.Fatal(err)
			}
			return r
		}
		stop := func(r *jobs.Runner) {
			c, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := r.Stop(c); err != nil {
				t.Fatal(err)
			}
		}
		waitFor := func(what string, cond func() bool) {
			t.Helper()
			for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if cond() {
					return
				}
			}
			t.Fatalf("timed out waiting for %s", what)
		}
		count := func(query string, args ...any) int {
			t.Helper()
			var n int
			if err := db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// sweeps waits for n more finished sweeps: what they would raise is written by then.
		sweeps := func(n int) {
			t.Helper()
			const done = `SELECT COUNT(*) FROM river_job WHERE kind = 'hotline.reminder_sweep' AND state = 'completed'`
			before := count(done)
			waitFor("the reminder sweep", func() bool { return count(done) >= before+n })
		}
		raised := func(event string) int { return count(`SELECT COUNT(*) FROM notifications WHERE event = ?`, event) }

		setDay("2026-10-10") // the make-up Saturday: two working days are left
		r := node()
		sweeps(1)
		stop(r)
		if n := raised("hotline.due_soon"); n != 0 {
			t.Fatalf("%d reminders with two working days left", n)
		}

		setDay("2026-10-12")
		r = node()
		waitFor("the reminder", func() bool { return box.Count("hotline.due_soon", "department:SCJG") == 1 })
		stop(r)

		setDay("2026-10-14")
		r = node()
		waitFor("the overdue notice", func() bool {
			return box.Count("hotline.overdue", "department:SCJG") == 1 && box.Count("hotline.overdue", "role:supervisor") == 1
		})
		sweeps(2) // more sweeps: nothing is raised twice
		stop(r)
		if raised("hotline.due_soon") != 1 || raised("hotline.overdue") != 2 || box.Count("hotline.due_soon", "") != 1 || box.Count("hotline.overdue", "") != 2 {
			t.Fatalf("notifications raised twice, or for the answered ticket: %+v", box.Messages())
		}
		tk, err := s.Get(ctx, op, late)
		if err != nil || !tk.Overdue {
			t.Fatalf("late ticket %+v %v", tk, err)
		}
		var names []string
		for _, e := range tk.Events {
			names = append(names, e.ActionName)
		}
		if len(names) != 4 || names[2] != "答复期限将至提醒" || names[3] != "超期未答复督办" {
			t.Fatalf("history %v", names)
		}
		if n, err := log.Verify(ctx, db); err != nil || n == 0 {
			t.Fatalf("audit verify: %d %v", n, err)
		}
	})
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// TestSweepGoesOnPastABadTicket: a ticket the sweep cannot handle (here a reply limit that is not
// a date) is skipped and reported; the tickets after it are still reminded.
func TestSweepGoesOnPastABadTicket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		clock := time.Date(2026, 9, 30, 2, 0, 0, 0, time.UTC)
		now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		log := wiring.Must(audit.New([]byte("hotline-test-key-hotline-test-key"), now))
		pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
		if _, err := db.ExecContext(ctx, `INSERT INTO departments (code, name, updated_at) VALUES ('SCJG', '市场监督管理局', ?)`, now()); err != nil {
			t.Fatal(err)
		}
		s, err := hotline.New(hotline.Config{DB: db, Audit: log, PII: pii, Calendar: wiring.Must(calstore.New(db, log, now)), Now: now, Location: shanghai,
			Jobs: jobs.Discard{}, Outbox: logOutbox(db, now), Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		op := audit.Actor{Username: "hotline", Role: string(identity.Hotline)}
		var numbers []string
		for range 3 {
			tk, err := s.Create(ctx, op, hotline.Input{Caller: hotline.Caller{Name: "王女士", Phone: "13805430009"}, Category: "投诉", Content: "某超市销售过期食品"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Act(ctx, op, tk.Number, hotline.Dispatch, hotline.ActInput{Department: "SCJG"}); err != nil {
				t.Fatal(err)
			}
			numbers = append(numbers, tk.Number)
		}
		// The first ticket the sweep reads has a reply limit that is not a date.
		if _, err := db.ExecContext(ctx, `UPDATE hotline_tickets SET due = '2000-99-99' WHERE number = ?`, numbers[0]); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		clock = calendar.MustDate("2026-10-14").Time(shanghai).Add(9 * time.Hour) // the others are overdue
		mu.Unlock()
		n, err := s.SweepReminders(ctx)
		if err == nil || !strings.Contains(err.Error(), numbers[0]) {
			t.Fatalf("sweep error = %v, want one naming %s", err, numbers[0])
		}
		if n != 2 {
			t.Errorf("sweep reminded %d tickets, want 2", n)
		}
		for _, number := range numbers[1:] {
			var reminded int
			if err := db.QueryRowContext(ctx, `SELECT reminded FROM hotline_tickets WHERE number = ?`, number).Scan(&reminded); err != nil || reminded != 2 {
				t.Errorf("%s after a sweep that met a bad ticket: reminded %d (%v), want 2 (overdue)", number, reminded, err)
			}
		}
	})
}

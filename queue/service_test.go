package queue_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/calendar/calstore"
	"banhao/demo"
	"banhao/errs"
	"banhao/identity"
	"banhao/jobs"
	"banhao/notify"
	"banhao/queue"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// clock is the injected time; tests move it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(day, hhmm string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, err := queue.ParseClock(hhmm)
	if err != nil {
		panic(err)
	}
	c.t = queue.At(calendar.MustDate(day), cl, shanghai)
}
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var (
	kiosk   = audit.Actor{Username: "anonymous", Role: "anonymous"}
	clerk   = audit.Actor{Username: "clerk", Role: "clerk"}
	clerk2  = audit.Actor{Username: "clerk2", Role: "clerk"}
	manager = audit.Actor{Username: "hall", Role: "hall_manager"}
	// anon asks for tickets without signing in (the phone page); guide is staff at the guide desk.
	anon  = queue.Requester{Actor: kiosk, Addr: "192.0.2.1"}
	guide = queue.Requester{Actor: clerk, Staff: true}
)

type env struct {
	q   *queue.Service
	db  *store.DB
	clk *clock
	pii *identity.PII
	log *audit.Log
}

// wireQueue builds a hall service on db (one node) with the given clock.
func wireQueue(db *store.DB, clk *clock) *env {
	log := wiring.Must(audit.New([]byte("queue-test-key-queue-test-key-que"), clk.now))
	pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
	quiet := slog.New(slog.DiscardHandler)
	// Messages are written for an SMS channel (the tests read them), never sent.
	outbox := wiring.Must(notify.NewOutbox(notify.Config{DB: db, Now: clk.now, Channels: map[string]notify.Channel{"sms": &notify.SMSChannel{}}, Jobs: jobs.Discard{}, Logger: quiet}))
	q, err := queue.New(queue.Config{DB: db, Audit: log, PII: pii, Calendar: wiring.Must(calstore.New(db, log, clk.now)), Outbox: outbox, Now: clk.now, Location: shanghai,
		Logger: quiet, Hub: wiring.Must(queue.NewHub(db))})
	if err != nil {
		panic(err) // every dependency is given
	}
	return &env{q: q, db: db, clk: clk, pii: pii, log: log}
}

// newEnv is the demo hall on db, on Thursday 2026-11-26 at 09:00.
func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	clk := &clock{}
	clk.set("2026-11-26", "09:00")
	e := wireQueue(db, clk)
	if _, err := db.ExecContext(context.Background(), `INSERT INTO centers (code, name, region_code, level, address, phone) VALUES (?, ?, ?, ?, ?, ?)`,
		demo.CenterCode, demo.CenterName, demo.RegionCode, "市", "", ""); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadHall(context.Background(), e.q); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) issue(t *testing.T, svc string, in queue.IssueInput) queue.Ticket {
	t.Helper()
	in.Service = demo.ServiceCode(svc)
	tk, err := e.q.Issue(context.Background(), anon, in)
	if err != nil {
		t.Fatalf("issue %s: %v", svc, err)
	}
	e.clk.add(time.Minute)
	return tk
}

// enroll registers a kiosk (or counter's pad) of the demo hall and returns its key.
func (e *env) enroll(t *testing.T, kind, counter string) string {
	t.Helper()
	d, err := e.q.EnrollDevice(context.Background(), manager, queue.Device{Hall: demo.HallID, Kind: kind, Counter: counter, Name: "测试设备"})
	if err != nil {
		t.Fatal(err)
	}
	return d.Key
}

func (e *env) act(t *testing.T, counter string, a queue.Action, in queue.ActInput) queue.Ticket {
	t.Helper()
	tk, ok, err := e.q.Act(context.Background(), clerk, counter, a, in)
	if err != nil {
		t.Fatalf("counter %s %s: %v", counter, a, err)
	}
	if !ok {
		t.Fatalf("counter %s %s: nobody waiting", counter, a)
	}
	return tk
}

func code(err error) errs.Code {
	if e, ok := errs.As(err); ok {
		return e.Code
	}
	return ""
}

func TestTicketsNumberQueueAndEstimate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a1 := e.issue(t, "A", queue.IssueInput{Phone: "13800001111"})
		a2 := e.issue(t, "A", queue.IssueInput{})
		e1 := e.issue(t, "E", queue.IssueInput{})
		a3 := e.issue(t, "A", queue.IssueInput{})
		if a1.Number != "A001" || a2.Number != "A002" || a3.Number != "A003" || e1.Number != "E001" {
			t.Fatalf("numbers %s %s %s %s", a1.Number, a2.Number, a3.Number, e1.Number)
		}
		if a1.Ahead != 0 || a2.Ahead != 1 || a3.Ahead != 2 || e1.Ahead != 0 {
			t.Errorf("ahead %d %d %d %d", a1.Ahead, a2.Ahead, a3.Ahead, e1.Ahead)
		}
		// A: 15 min a visit; counters 1 and 2 serve it alone, 3 shares it with B (0.5), 16 with
		// nine other lines (0.1): 2.6 counters' worth.
		if a3.EstimatedWaitMinutes != queue.Estimate(2, 2.6, 15*time.Minute) || a3.EstimatedWaitMinutes == 0 {
			t.Errorf("estimate for two ahead: %d", a3.EstimatedWaitMinutes)
		}
		if a1.Phone != "138****1111" || a1.Status != queue.Waiting {
			t.Errorf("ticket shows %q %s", a1.Phone, a1.Status)
		}
		var stored string
		if err := db.QueryRowContext(ctx, `SELECT phone_enc FROM tickets WHERE id = ?`, a1.ID).Scan(&stored); err != nil || stored == "13800001111" || stored == "" {
			t.Errorf("phone at rest: %q %v", stored, err)
		}
		// A green ticket goes ahead of the waiting normal ones of its service.
		g, err := e.q.Issue(ctx, guide, queue.IssueInput{Service: demo.ServiceCode("A"), Priority: "green"})
		if err != nil || g.Ahead != 0 {
			t.Fatalf("green ticket: %+v %v", g, err)
		}
		if got, _ := e.q.Get(ctx, a3.ID, ""); got.Ahead != 3 {
			t.Errorf("A003 has %d ahead after a green ticket, want 3", got.Ahead)
		}
		// A citizen gets a green ticket at a registered kiosk (the card reader) only when 60 or older.
		if _, err := e.q.Issue(ctx, anon, queue.IssueInput{Service: demo.ServiceCode("A"), Priority: "green"}); code(err) != errs.CodeForbidden {
			t.Errorf("anonymous green: %v", err)
		}
		atKiosk := queue.Requester{Actor: kiosk, DeviceKey: e.enroll(t, queue.KioskDevice, "")}
		if old, err := e.q.Issue(ctx, atKiosk, queue.IssueInput{Service: demo.ServiceCode("A"), Priority: "green", IDNumber: "110101195001010017"}); err != nil || old.Priority != queue.Green {
			t.Errorf("green for a 76-year-old at the kiosk: %+v %v", old, err)
		}
		// A line may be named by its prefix, as people do.
		if b, err := e.q.Issue(ctx, anon, queue.IssueInput{Service: "B"}); err != nil || b.Number != "B001" {
			t.Errorf("ticket for line \"B\": %+v %v", b, err)
		}
		// One place per phone in a line.
		if _, err := e.q.Issue(ctx, anon, queue.IssueInput{Service: demo.ServiceCode("A"), Phone: "13800001111"}); code(err) != errs.CodeConflict {
			t.Errorf("a second ticket for the same phone and line: %v", err)
		}
		if _, err := e.q.Issue(ctx, anon, queue.IssueInput{Service: demo.ServiceCode("E"), Phone: "13800001111"}); err != nil {
			t.Errorf("the same phone in another line: %v", err)
		}
		// Bad input names the field.
		for field, in := range map[string]queue.IssueInput{
			"service":   {Service: "NOPE"},
			"phone":     {Service: demo.ServiceCode("A"), Phone: "12345"},
			"id_number": {Service: demo.ServiceCode("A"), IDNumber: "110101199003070012"},
			"priority":  {Service: demo.ServiceCode("A"), Priority: "vip"},
		} {
			_, err := e.q.Issue(ctx, anon, in)
			if ee, ok := errs.As(err); !ok || len(ee.Fields) == 0 || ee.Fields[0].Field != field {
				t.Errorf("%s: %v", field, err)
			}
		}
	})
}

func TestHoursAndDailyLimit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		svc, _ := e.q.ServiceByCode(ctx, demo.ServiceCode("B"))
		svc.Opens, svc.Closes, svc.DailyLimit = "08:30", "17:00", 2
		if err := e.q.SaveService(ctx, manager, svc); err != nil {
			t.Fatal(err)
		}
		e.clk.set("2026-11-26", "08:29")
		if _, err := e.q.Issue(ctx, anon, queue.IssueInput{Service: svc.Code}); code(err) != errs.CodeConflict {
			t.Errorf("before opening: %v", err)
		}
		e.clk.set("2026-11-26", "08:30")
		e.issue(t, "B", queue.IssueInput{})
		e.issue(t, "B", queue.IssueInput{})
		if _, err := e.q.Issue(ctx, anon, queue.IssueInput{Service: svc.Code}); code(err) != errs.CodeConflict {
			t.Errorf("third ticket over a limit of 2: %v", err)
		}
		e.clk.set("2026-11-26", "17:00")
		if _, err := e.q.Issue(ctx, anon, queue.IssueInput{Service: svc.Code}); code(err) != errs.CodeConflict {
			t.Errorf("at closing: %v", err)
		}
		// The next day starts again at B001.
		e.clk.set("2026-11-27", "09:00")
		if tk := e.issue(t, "B", queue.IssueInput{}); tk.Number != "B001" {
			t.Errorf("next day starts at %s", tk.Number)
		}
		// Service settings are checked field by field.
		bad := svc
		bad.Prefix, bad.Opens = "b1", "18:00"
		err := e.q.SaveService(ctx, manager, bad)
		ee, _ := errs.As(err)
		if ee == nil || len(ee.Fields) < 2 {
			t.Errorf("bad service: %v", err)
		}
	})
}

func TestCounterActions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c1 := e.issue(t, "C", queue.IssueInput{})
		c2 := e.issue(t, "C", queue.IssueInput{})
		// Counter 5 serves C only.
		got := e.act(t, "5", queue.Call, queue.ActInput{})
		if got.ID != c1.ID || got.Status != queue.Called || got.Counter != "5" {
			t.Fatalf("first call: %+v", got)
		}
		// Recalled twice (the hall's setting), the third recall makes it a no-show.
		e.act(t, "5", queue.Recall, queue.ActInput{})
		e.act(t, "5", queue.Recall, queue.ActInput{})
		if tk := e.act(t, "5", queue.Recall, queue.ActInput{}); tk.Status != queue.NoShow {
			t.Errorf("after two recalls: %s", tk.Status)
		}
		if _, _, err := e.q.Act(ctx, clerk, "5", queue.Finish, queue.ActInput{}); code(err) != errs.CodeConflict {
			t.Errorf("finish with nothing at the counter: %v", err)
		}
		// Start, park, call the next one, resume the parked one.
		got = e.act(t, "5", queue.Call, queue.ActInput{})
		if got.ID != c2.ID {
			t.Fatalf("second call: %s", got.Number)
		}
		e.act(t, "5", queue.Start, queue.ActInput{})
		e.act(t, "5", queue.Park, queue.ActInput{})
		c3 := e.issue(t, "C", queue.IssueInput{})
		e.act(t, "5", queue.Call, queue.ActInput{})
		if _, _, err := e.q.Act(ctx, clerk, "5", queue.Resume, queue.ActInput{}); code(err) != errs.CodeConflict {
			t.Errorf("resume while serving another: %v", err)
		}
		e.clk.add(4 * time.Minute)
		if tk := e.act(t, "5", queue.Finish, queue.ActInput{}); tk.ID != c3.ID || tk.Status != queue.Done {
			t.Errorf("finish: %+v", tk)
		}
		if tk := e.act(t, "5", queue.Resume, queue.ActInput{}); tk.ID != c2.ID || tk.Status != queue.Serving {
			t.Errorf("resume: %+v", tk)
		}
		// Calling next ends the current visit.
		c4 := e.issue(t, "C", queue.IssueInput{})
		e.act(t, "5", queue.Call, queue.ActInput{})
		if tk, _ := e.q.Get(ctx, c2.ID, ""); tk.Status != queue.Done {
			t.Errorf("the visit before the call: %s", tk.Status)
		}
		if _, ok, err := e.q.Act(ctx, clerk, "5", queue.Call, queue.ActInput{}); ok || err != nil {
			t.Errorf("call with nobody waiting: %v %v", ok, err)
		}
		if tk, _ := e.q.Get(ctx, c4.ID, ""); tk.Status != queue.Called {
			t.Errorf("C004 after a call with nobody waiting: %s (the visit goes on)", tk.Status)
		}
		if tk := e.act(t, "5", queue.Finish, queue.ActInput{}); tk.ID != c4.ID || tk.Status != queue.Done {
			t.Errorf("finish C004: %+v", tk)
		}
		if _, _, err := e.q.Act(ctx, clerk, "99", queue.Call, queue.ActInput{}); code(err) != errs.CodeNotFound {
			t.Errorf("unknown counter: %v", err)
		}
		// Handling times feed the estimate: C003 took 4 minutes at 09:xx.
		var avg float64
		if err := db.QueryRowContext(ctx, `SELECT avg_seconds FROM service_hour_stats WHERE service_code = ? AND hour = 9`, demo.ServiceCode("C")).Scan(&avg); err != nil || avg <= 0 {
			t.Errorf("average handling time: %v %v", avg, err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'ticket'`).Scan(&n); err != nil || n < 12 {
			t.Errorf("audit entries for tickets: %d %v", n, err)
		}
	})
}

func TestTransferKeepsArrival(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		d1 := e.issue(t, "D", queue.IssueInput{Phone: "13800002222"}) // 09:00
		k1 := e.issue(t, "K", queue.IssueInput{})                     // 09:01
		k2 := e.issue(t, "K", queue.IssueInput{})                     // 09:02
		// Counter 7 (C, then D, in order) calls D001, which belongs to K after all.
		if tk := e.act(t, "7", queue.Call, queue.ActInput{}); tk.ID != d1.ID {
			t.Fatalf("counter 7 called %s", tk.Number)
		}
		tk := e.act(t, "7", queue.Transfer, queue.ActInput{Service: demo.ServiceCode("K")})
		if tk.Status != queue.Transferred || tk.TransferredTo == "" {
			t.Fatalf("transfer: %+v", tk)
		}
		moved, err := e.q.Get(ctx, tk.TransferredTo, "")
		if err != nil {
			t.Fatal(err)
		}
		if moved.Number != "D001" || moved.Service != demo.ServiceCode("K") || moved.Ahead != 0 || !moved.ArrivedAt.Equal(d1.ArrivedAt) || moved.Phone != "138****2222" {
			t.Errorf("moved ticket: %+v", moved)
		}
		if got, _ := e.q.Get(ctx, k1.ID, ""); got.Ahead != 1 {
			t.Errorf("K001 now has %d ahead, want 1 (D001 arrived first)", got.Ahead)
		}
		// Counter 8 serves D and K: D001 (arrived 09:00) comes before K001 and K002.
		for _, want := range []string{"D001", k1.Number, k2.Number} {
			if got := e.act(t, "8", queue.Call, queue.ActInput{}); got.Number != want {
				t.Errorf("counter 8 called %s, want %s", got.Number, want)
			}
		}
		if _, _, err := e.q.Act(ctx, clerk, "8", queue.Transfer, queue.ActInput{Service: "NOPE"}); code(err) != errs.CodeInvalid {
			t.Errorf("transfer to an unknown service: %v", err)
		}
	})
}

func TestRemindersThroughOutbox(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		var ts []queue.Ticket
		for i := range 6 {
			ts = append(ts, e.issue(t, "H", queue.IssueInput{Phone: fmt.Sprintf("1390000%04d", i)}))
		}
		messages := func(ticket string) []string {
			rows, err := db.QueryContext(ctx, `SELECT event FROM notifications WHERE recipient = ? ORDER BY id`, "ticket:"+ticket)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var ev string
				rows.Scan(&ev)
				out = append(out, ev)
			}
			return out
		}
		// H006 has 5 ahead. Each call moves it up; at 3 ahead it hears once, when called once more.
		for i := range 2 {
			e.act(t, "14", queue.Call, queue.ActInput{})
			if got := messages(ts[5].ID); len(got) != map[int]int{0: 0, 1: 1}[i] {
				t.Errorf("after call %d H006 got %v", i+1, got)
			}
		}
		e.act(t, "14", queue.Call, queue.ActInput{})
		if got := messages(ts[5].ID); len(got) != 1 || got[0] != "ticket.near" {
			t.Errorf("H006 reminded %v, want once", got)
		}
		if got := messages(ts[0].ID); len(got) != 1 || got[0] != "ticket.called" {
			t.Errorf("H001 (had 0 ahead at issue): %v", got)
		}
		var recipient, body string
		if err := db.QueryRowContext(ctx, `SELECT recipient, body FROM notifications WHERE event = 'ticket.near' ORDER BY id LIMIT 1`).Scan(&recipient, &body); err != nil {
			t.Fatal(err)
		}
		phone, err := e.q.Phone(ctx, recipient)
		if err != nil || phone[:7] != "1390000" {
			t.Errorf("the SMS channel finds %q %v", phone, err)
		}
		if body == "" || len(body) > 200 {
			t.Errorf("body %q", body)
		}
		// The place in line reads as on the ticket page (AheadText: never "前面还有 0 人").
		if want := "您的 H005 号" + queue.AheadText(3) + "，请留意大厅叫号"; body != want {
			t.Errorf("the reminder reads %q, want %q", body, want)
		}
	})
}

func TestAppointments(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		svc := demo.ServiceCode("J") // 4 places per 30-minute slot, 09:00–17:00
		slots, err := e.q.Slots(ctx, svc, "2026-11-27")
		if err != nil || len(slots) != 16 || slots[0].Start != "09:00" || slots[0].Available != 4 {
			t.Fatalf("slots: %+v %v", slots, err)
		}
		// Saturday is no working day; 2026-12-04 is beyond the 7-day horizon.
		if _, err := e.q.Slots(ctx, svc, "2026-11-28"); code(err) != errs.CodeInvalid {
			t.Errorf("Saturday: %v", err)
		}
		if _, err := e.q.Slots(ctx, svc, "2026-12-04"); code(err) != errs.CodeInvalid {
			t.Errorf("beyond the horizon: %v", err)
		}
		var booked []queue.Appointment
		for i := range 4 {
			a, err := e.q.Book(ctx, kiosk, queue.BookInput{Service: svc, Date: "2026-11-27", Slot: "10:00", Name: "张三", Phone: fmt.Sprintf("1370000%04d", i)})
			if err != nil {
				t.Fatalf("book %d: %v", i, err)
			}
			booked = append(booked, a)
		}
		if _, err := e.q.Book(ctx, kiosk, queue.BookInput{Service: svc, Date: "2026-11-27", Slot: "10:00", Name: "李四", Phone: "13700009999"}); code(err) != errs.CodeConflict {
			t.Errorf("fifth in a slot of 4: %v", err)
		}
		// Each has a code a person reads and says at the desk: the line, the day, the booking's
		// number that day; the refused fifth took no number.
		for i, a := range booked {
			if want := fmt.Sprintf("J1127-%02d", i+1); a.Code != want || len(a.ID) < 16 {
				t.Errorf("booking %d: code %q (id %q), want %s and the id kept", i, a.Code, a.ID, want)
			}
		}
		// Each booking is confirmed by a message to the phone behind it, with the code.
		var recipient, body string
		if err := db.QueryRowContext(ctx, `SELECT recipient, body FROM notifications WHERE event = 'appointment.booked' ORDER BY id LIMIT 1`).Scan(&recipient, &body); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, "预约号 J1127-01") || strings.Contains(body, booked[0].ID) {
			t.Errorf("confirmation %q: want the code 预约号 J1127-01, not the 20-character id", body)
		}
		if phone, err := e.q.Phone(ctx, recipient); err != nil || phone != "13700000000" {
			t.Errorf("confirmation goes to %q (%v)", phone, err)
		}
		if _, err := e.q.Book(ctx, kiosk, queue.BookInput{Service: svc, Date: "2026-11-27", Slot: "11:00", Name: "张三", Phone: "13700000000"}); code(err) != errs.CodeConflict {
			t.Errorf("same phone twice a day: %v", err)
		}
		if _, err := e.q.Book(ctx, kiosk, queue.BookInput{Service: svc, Date: "2026-11-27", Slot: "10:10", Name: "李四", Phone: "13700009999"}); code(err) != errs.CodeInvalid {
			t.Errorf("no slot starts at 10:10: %v", err)
		}
		if _, err := e.q.Cancel(ctx, kiosk, booked[3].ID); err != nil {
			t.Fatal(err)
		}
		if again, err := e.q.Book(ctx, kiosk, queue.BookInput{Service: svc, Date: "2026-11-27", Slot: "10:00", Name: "李四", Phone: "13700009999"}); err != nil {
			t.Errorf("a cancelled place is free again: %v", err)
		} else if again.Code != "J1127-05" {
			t.Errorf("the next booking's code is %q, want J1127-05 (a cancelled code is not given again)", again.Code)
		}
		// Next day. Check-in opens 30 minutes before the slot.
		e.clk.set("2026-11-27", "09:20")
		if _, err := e.q.CheckIn(ctx, kiosk, booked[0].ID); code(err) != errs.CodeConflict {
			t.Errorf("check-in too early: %v", err)
		}
		e.clk.set("2026-11-27", "09:40")
		early := e.issue(t, "J", queue.IssueInput{}) // walk-in at 09:40, before the slot
		e.clk.set("2026-11-27", "10:05")
		late := e.issue(t, "J", queue.IssueInput{}) // walk-in at 10:05, after the slot
		e.clk.set("2026-11-27", "10:10")
		tk, err := e.q.CheckIn(ctx, kiosk, booked[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Ahead != 1 || tk.Source != "appointment" {
			t.Errorf("checked-in ticket: %d ahead (want 1: only the walk-in who came before the slot)", tk.Ahead)
		}
		for _, want := range []string{early.ID, tk.ID, late.ID} {
			if got := e.act(t, "15", queue.Call, queue.ActInput{}); got.ID != want {
				t.Errorf("called %s", got.Number)
			}
		}
		if _, err := e.q.CheckIn(ctx, kiosk, booked[0].ID); code(err) != errs.CodeConflict {
			t.Errorf("second check-in: %v", err)
		}
		// After 10:15 the others who did not come are no-shows.
		e.clk.set("2026-11-27", "10:16")
		if a, _ := e.q.Appointment(ctx, booked[1].ID); a.Status != queue.Missed {
			t.Errorf("not checked in after the window: %s", a.Status)
		}
		if _, err := e.q.CheckIn(ctx, kiosk, booked[1].ID); code(err) != errs.CodeConflict {
			t.Errorf("check-in after the window: %v", err)
		}
		// Statistics count them: two of the first four and 李四, who took the cancelled place.
		rows, err := e.q.Stats(ctx, queue.StatsQuery{Hall: demo.HallID, From: calendar.MustDate("2026-11-27"), To: calendar.MustDate("2026-11-27")})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Key == svc && (r.AppointmentNoShows != 3 || r.Arrivals != 3) {
				t.Errorf("statistics of J: %+v", r)
			}
		}
	})
}

// TestTwentyCountersCallConcurrently: 1,000 tickets in three services, 20 counters with mixed
// profiles calling at once (on PostgreSQL from two nodes): every ticket is called exactly once,
// and within each service in the order of the rules (green first, then arrival).
func TestTwentyCountersCallConcurrently(t *testing.T) {
	t.Parallel()
	for engine, dsn := range storetest.DSNs(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clk := &clock{}
			clk.set("2026-11-26", "09:00")
			nodes := []*env{}
			for i := range 2 {
				if engine == "sqlite" && i > 0 {
					break // one process owns a SQLite file
				}
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				nodes = append(nodes, wireQueue(db, clk))
			}
			e := nodes[0]
			if _, err := e.db.ExecContext(ctx, `INSERT INTO centers (code, name, region_code, level, address, phone) VALUES ('C', 'c', '371600', '市', '', '')`); err != nil {
				t.Fatal(err)
			}
			must(t, e.q.SaveHall(ctx, manager, queue.Hall{ID: "h", Name: "大厅", Center: "C", RemindAhead: 3, RecallsBeforeNoShow: 2, BookingDays: 7}))
			for _, p := range []string{"A", "B", "C"} {
				must(t, e.q.SaveService(ctx, manager, queue.QueueService{Code: p, Hall: "h", Name: "业务" + p, Prefix: p, RangeFrom: 1, RangeTo: 999,
					Opens: "00:00", Closes: "24:00", DailyLimit: 999, ServiceMinutes: 5}))
			}
			rules := []queue.Rule{queue.LongestWait, queue.InOrder, queue.Weighted}
			profiles := [][]queue.ProfileEntry{{{Service: "A", Weight: 2}, {Service: "B", Weight: 1}}, {{Service: "B"}, {Service: "C"}},
				{{Service: "C", Weight: 3}, {Service: "A", Weight: 1}}, {{Service: "A"}, {Service: "B"}, {Service: "C"}}}
			for i := range 20 {
				must(t, e.q.SaveCounter(ctx, manager, queue.Counter{ID: fmt.Sprint(i + 1), Hall: "h", Name: fmt.Sprintf("%d号窗口", i+1),
					Rule: rules[i%3], Profile: profiles[i%4], Open: true}))
			}
			for i := range 1000 {
				in := queue.IssueInput{Service: []string{"A", "B", "C"}[i%3]}
				if i%10 == 7 {
					in.Priority = "green"
				}
				if _, err := e.q.Issue(ctx, guide, in); err != nil {
					t.Fatal(err)
				}
				clk.add(time.Second)
			}
			var mu sync.Mutex
			seen := map[string]int{}
			var wg sync.WaitGroup
			errc := make(chan error, 20)
			for i := range 20 {
				wg.Go(func() {
					node := nodes[i%len(nodes)]
					by := []audit.Actor{clerk, clerk2}[i%2]
					for {
						tk, ok, err := node.q.Act(ctx, by, fmt.Sprint(i+1), queue.Call, queue.ActInput{})
						if err != nil {
							errc <- err
							return
						}
						if !ok {
							return
						}
						mu.Lock()
						seen[tk.ID]++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				t.Fatal(err)
			}
			if len(seen) != 1000 {
				t.Fatalf("%d distinct tickets called, want 1000", len(seen))
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("ticket %s called %d times", id, n)
				}
			}
			rows, err := e.db.QueryContext(ctx, `SELECT service_code, rank, order_us, seq, call_seq, status FROM tickets ORDER BY service_code, call_seq`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			type called struct {
				svc            string
				rank           int
				order, seq, cs int64
				status         string
			}
			bySvc := map[string][]called{}
			for rows.Next() {
				var c called
				if err := rows.Scan(&c.svc, &c.rank, &c.order, &c.seq, &c.cs, &c.status); err != nil {
					t.Fatal(err)
				}
				if c.status != "done" && c.status != "called" {
					t.Errorf("ticket left %s", c.status)
				}
				bySvc[c.svc] = append(bySvc[c.svc], c)
			}
			for svc, cs := range bySvc {
				ok := sort.SliceIsSorted(cs, func(i, j int) bool {
					a, b := cs[i], cs[j]
					return queue.Head{Rank: a.rank, OrderUS: a.order, Seq: a.seq}.Before(queue.Head{Rank: b.rank, OrderUS: b.order, Seq: b.seq})
				})
				if !ok {
					t.Errorf("service %s was not called in rule order", svc)
				}
				for i, c := range cs {
					if c.cs != int64(i+1) {
						t.Errorf("service %s: call %d has sequence %d", svc, i+1, c.cs)
						break
					}
				}
			}
			// The audit log written by 20 concurrent counters (two nodes) is an intact chain.
			if n, err := e.log.Verify(ctx, e.db); err != nil || n < 2000 {
				t.Errorf("audit log after the calls: %d entries, %v", n, err)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestEventsReachEveryNode: a call on one node reaches the hall screens of another through
// PostgreSQL NOTIFY.
func TestEventsReachEveryNode(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		other := e
		if db.Dialect == store.Postgres {
			other = wireQueue(db, e.clk) // a second node: its own hub and broker
		}
		for _, n := range []*env{e, other} {
			ready := make(chan struct{})
			var once sync.Once
			go n.q.Hub.Run(ctx, func() { once.Do(func() { close(ready) }) })
			<-ready
			if n == other {
				break
			}
		}
		events, stop := other.q.Hub.Broker.Subscribe(demo.HallID)
		defer stop()
		e.issue(t, "A", queue.IssueInput{})
		e.act(t, "1", queue.Call, queue.ActInput{})
		deadline := time.After(5 * time.Second)
		for {
			select {
			case ev := <-events:
				if ev.Type == "call" {
					if string(ev.Data) == "" || !strings.Contains(string(ev.Data), `"number":"A001"`) || !strings.Contains(string(ev.Data), `"counter":"1"`) {
						t.Errorf("call event %s", ev.Data)
					}
					return
				}
			case <-deadline:
				t.Fatal("no call event within 5 s")
			}
		}
	})
}

func TestStats(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.issue(t, "G", queue.IssueInput{}) // 09:00
		e.issue(t, "G", queue.IssueInput{}) // 09:01
		e.clk.set("2026-11-26", "09:20")
		e.act(t, "13", queue.Call, queue.ActInput{}) // G001 waited 20 min
		e.clk.set("2026-11-26", "09:26")
		e.act(t, "13", queue.Call, queue.ActInput{}) // G001 served 6 min; G002 waited 25 min
		e.act(t, "13", queue.MarkGone, queue.ActInput{})
		rows, err := e.q.Stats(ctx, queue.StatsQuery{Hall: demo.HallID, From: calendar.MustDate("2026-11-26"), To: calendar.MustDate("2026-11-26")})
		if err != nil || len(rows) != 1 {
			t.Fatalf("stats: %+v %v", rows, err)
		}
		r := rows[0]
		if r.Arrivals != 2 || r.Served != 1 || r.NoShows != 1 || r.AvgWaitMin != 22.5 || r.MaxWaitMin != 25 || r.AvgServiceMin != 6 || r.Within15Share != 0 {
			t.Errorf("row %+v", r)
		}
		byStaff, err := e.q.Stats(ctx, queue.StatsQuery{Hall: demo.HallID, From: calendar.MustDate("2026-11-26"), To: calendar.MustDate("2026-11-26"), By: "staff", Per: "hour"})
		if err != nil || len(byStaff) != 1 || byStaff[0].Key != "clerk" || byStaff[0].Period != "2026-11-26 09:00" {
			t.Errorf("by staff: %+v %v", byStaff, err)
		}
		if _, err := e.q.Stats(ctx, queue.StatsQuery{Hall: demo.HallID, From: calendar.MustDate("2026-11-27"), To: calendar.MustDate("2026-11-26")}); code(err) != errs.CodeInvalid {
			t.Errorf("from after to: %v", err)
		}
	})
}

func TestCloseDays(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		f1 := e.issue(t, "F", queue.IssueInput{})
		f2 := e.issue(t, "F", queue.IssueInput{})
		f3 := e.issue(t, "F", queue.IssueInput{})
		e.act(t, "11", queue.Call, queue.ActInput{}) // F001 called at 11 and served
		e.act(t, "11", queue.Start, queue.ActInput{})
		if _, _, err := e.q.Act(ctx, clerk2, "12", queue.Call, queue.ActInput{}); err != nil { // F002 called at 12
			t.Fatal(err)
		}
		if n, err := e.q.CloseDays(ctx); err != nil || n != 0 {
			t.Fatalf("closing while the day runs: %d %v", n, err)
		}
		e.clk.set("2026-11-27", "00:30")
		today := e.issue(t, "F", queue.IssueInput{})
		if n, err := e.q.CloseDays(ctx); err != nil || n != 3 {
			t.Fatalf("closed %d, %v; want 3", n, err)
		}
		for id, want := range map[string]queue.Status{f1.ID: queue.Done, f2.ID: queue.NoShow, f3.ID: queue.NoShow, today.ID: queue.Waiting} {
			if got, _ := e.q.Get(ctx, id, ""); got.Status != want {
				t.Errorf("%s %s: %s, want %s", got.Day, got.Number, got.Status, want)
			}
		}
	})
}

// TestIssueIdempotent: a kiosk that retries (or sends twice at once) with one Idempotency-Key
// gets one ticket.
func TestIssueIdempotent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		var wg sync.WaitGroup
		ids := make([]string, 30)
		errc := make(chan error, 30)
		for i := range ids {
			wg.Go(func() {
				tk, err := e.q.Issue(ctx, anon, queue.IssueInput{Service: demo.ServiceCode("G"), Key: "kiosk-3-0001"})
				if err != nil {
					errc <- err
					return
				}
				ids[i] = tk.ID
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("one key gave tickets %s and %s", ids[0], id)
			}
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE service_code = ?`, demo.ServiceCode("G")).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d tickets stored, want 1 (%v)", n, err)
		}
		e.clk.add(time.Minute) // the 30 requests spent the address's burst
		other, err := e.q.Issue(ctx, anon, queue.IssueInput{Service: demo.ServiceCode("G"), Key: "kiosk-3-0002"})
		if err != nil || other.ID == ids[0] || other.Number != "G002" {
			t.Errorf("another key: %+v %v", other, err)
		}
	})
}

// TestNewRefusesMissingDependencies: the hall service without its event hub (or outbox) is
// refused, naming each; the hub is app.New's to build, never made up here.
func TestNewRefusesMissingDependencies(t *testing.T) {
	log := wiring.Must(audit.New([]byte("queue-test-key-queue-test-key-que"), time.Now))
	pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
	_, err := queue.New(queue.Config{DB: &store.DB{}, Audit: log, PII: pii, Calendar: wiring.Must(calstore.New(&store.DB{}, log, time.Now)), Now: time.Now,
		Location: shanghai, Logger: slog.New(slog.DiscardHandler)})
	if names, ok := wiring.Missing(err); !ok || !slices.Equal(names, []string{"Hub", "Outbox"}) {
		t.Fatalf("err = %v", err)
	}
}

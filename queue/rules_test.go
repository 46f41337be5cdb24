package queue_test

import (
	"testing"
	"time"

	"banhao/calendar"
	"banhao/queue"
)

func TestNextCoversEveryStatusAndAction(t *testing.T) {
	t.Parallel()
	allowed := map[queue.Status][]queue.Action{
		queue.Waiting: {queue.Call},
		queue.Called:  {queue.Recall, queue.Start, queue.Finish, queue.MarkGone, queue.Transfer, queue.Park},
		queue.Serving: {queue.Finish, queue.Transfer, queue.Park},
		queue.Parked:  {queue.Resume, queue.Transfer, queue.Finish},
	}
	statuses := []queue.Status{queue.Waiting, queue.Called, queue.Serving, queue.Done, queue.NoShow, queue.Transferred, queue.Parked}
	for _, st := range statuses {
		for _, a := range queue.Actions {
			ok := false
			for _, x := range allowed[st] {
				ok = ok || x == a
			}
			_, err := queue.Next(st, a)
			if ok != (err == nil) {
				t.Errorf("%s × %s: allowed %v, got err %v", st, a, ok, err)
			}
		}
	}
	if to, _ := queue.Next(queue.Called, queue.MarkGone); to != queue.NoShow {
		t.Errorf("no_show leads to %s", to)
	}
}

func TestPick(t *testing.T) {
	t.Parallel()
	profile := []queue.ProfileEntry{{Service: "A", Weight: 3}, {Service: "B", Weight: 1}}
	early, late := queue.Head{Rank: 1, OrderUS: 100, Seq: 1}, queue.Head{Rank: 1, OrderUS: 200, Seq: 1}
	green := queue.Head{Rank: 0, OrderUS: 300, Seq: 9}
	cases := []struct {
		name  string
		rule  queue.Rule
		heads map[string]queue.Head
		calls map[string]int
		want  string
	}{
		{"longest wait picks the earlier head", queue.LongestWait, map[string]queue.Head{"A": late, "B": early}, nil, "B"},
		{"a green head goes first across services", queue.LongestWait, map[string]queue.Head{"A": early, "B": green}, nil, "B"},
		{"in order takes the first service with a ticket", queue.InOrder, map[string]queue.Head{"A": late, "B": early}, nil, "A"},
		{"in order skips an empty service", queue.InOrder, map[string]queue.Head{"B": early}, nil, "B"},
		{"weighted: A until it has had three", queue.Weighted, map[string]queue.Head{"A": late, "B": early}, map[string]int{"A": 2, "B": 1}, "A"},
		{"weighted: then B", queue.Weighted, map[string]queue.Head{"A": late, "B": early}, map[string]int{"A": 3, "B": 0}, "B"},
		{"weighted: A again after B", queue.Weighted, map[string]queue.Head{"A": late, "B": early}, map[string]int{"A": 3, "B": 1}, "A"},
		{"weighted skips an empty service", queue.Weighted, map[string]queue.Head{"B": early}, map[string]int{"A": 0, "B": 50}, "B"},
	}
	for _, c := range cases {
		got, ok := queue.Pick(c.rule, profile, c.heads, c.calls)
		if !ok || got != c.want {
			t.Errorf("%s: got %q %v, want %q", c.name, got, ok, c.want)
		}
	}
	if _, ok := queue.Pick(queue.LongestWait, profile, map[string]queue.Head{}, nil); ok {
		t.Error("nobody waiting, yet a service was picked")
	}
	// Over 40 calls with both lines full, weights 3:1 share them 30:10.
	calls := map[string]int{}
	for range 40 {
		s, _ := queue.Pick(queue.Weighted, profile, map[string]queue.Head{"A": late, "B": early}, calls)
		calls[s]++
	}
	if calls["A"] != 30 || calls["B"] != 10 {
		t.Errorf("weighted 3:1 over 40 calls gave %v", calls)
	}
}

func TestEstimate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		ahead    int
		counters float64
		avg      time.Duration
		want     int
	}{
		{0, 2, 10 * time.Minute, 0},
		{1, 1, 10 * time.Minute, 15},
		{4, 2, 10 * time.Minute, 23},
		{4, 1.5, 10 * time.Minute, 30}, // one counter alone and one shared with another line
		{9, 3, 6 * time.Minute, 19},
		{3, 0, 10 * time.Minute, 35}, // no open counter: as if one
	} {
		if got := queue.Estimate(c.ahead, c.counters, c.avg); got != c.want {
			t.Errorf("Estimate(%d, %.1f, %s) = %d, want %d", c.ahead, c.counters, c.avg, got, c.want)
		}
	}
}

func TestClockSlotsAndWindow(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "8", "8:3", "25:00", "24:01", "12:60", "ab:cd", "-1:00"} {
		if _, err := queue.ParseClock(bad); err == nil {
			t.Errorf("ParseClock(%q) accepted", bad)
		}
	}
	from, _ := queue.ParseClock("09:00")
	to, _ := queue.ParseClock("11:00")
	slots := queue.Slots(from, to, 45)
	if len(slots) != 2 || slots[0].String() != "09:00" || slots[1].String() != "09:45" {
		t.Errorf("slots 09:00–11:00 every 45 min: %v", slots)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	start := queue.At(calendar.MustDate("2026-10-09"), from, loc)
	if start.Format(time.RFC3339) != "2026-10-09T09:00:00+08:00" {
		t.Errorf("At = %s", start.Format(time.RFC3339))
	}
	a, b := queue.CheckInWindow(start, 30, 15)
	if a.In(loc).Format("15:04") != "08:30" || b.In(loc).Format("15:04") != "09:15" {
		t.Errorf("window %s–%s", a, b)
	}
}

func TestElderly(t *testing.T) {
	t.Parallel()
	day := calendar.MustDate("2026-11-26")
	for _, c := range []struct {
		id   string
		want bool
	}{
		{"110101196611260016", true},  // 60 today
		{"110101196611270011", false}, // 60 tomorrow
		{"110101199003070015", false},
		{"", false},
		{"11010119661126001", false},
	} {
		if got := queue.Elderly(c.id, day); got != c.want {
			t.Errorf("Elderly(%s) = %v", c.id, got)
		}
	}
}

func TestAggregate(t *testing.T) {
	t.Parallel()
	visits := []queue.Visit{
		{Service: "A", Counter: "1", Staff: "wang", Day: "2026-11-26", Hour: 9, Status: queue.Done, Called: true, WaitSeconds: 600, ServiceSeconds: 300},
		{Service: "A", Counter: "1", Staff: "wang", Day: "2026-11-26", Hour: 9, Status: queue.Done, Called: true, WaitSeconds: 1200, ServiceSeconds: 900},
		{Service: "A", Counter: "2", Staff: "li", Day: "2026-11-26", Hour: 10, Status: queue.NoShow, Called: true, WaitSeconds: 60},
		{Service: "A", Day: "2026-11-26", Hour: 10, Status: queue.Waiting},
		{Service: "B", Counter: "2", Staff: "li", Day: "2026-11-27", Hour: 9, Status: queue.Done, Called: true, WaitSeconds: 0, ServiceSeconds: 120},
	}
	rows := queue.Aggregate(visits, "service", "day")
	if len(rows) != 2 {
		t.Fatalf("rows: %+v", rows)
	}
	a := rows[0]
	if a.Key != "A" || a.Arrivals != 4 || a.Called != 3 || a.Served != 2 || a.NoShows != 1 || a.AvgWaitMin != 10.3 || a.MaxWaitMin != 20 ||
		a.AvgServiceMin != 10 || a.Within15Share != 0.667 {
		t.Errorf("service A: %+v", a)
	}
	byHour := queue.Aggregate(visits, "counter", "hour")
	if len(byHour) != 3 || byHour[0].Key != "1" || byHour[0].Period != "2026-11-26 09:00" || byHour[0].Served != 2 {
		t.Errorf("per counter and hour: %+v", byHour)
	}
	staff := queue.Aggregate(visits, "staff", "day")
	for _, r := range staff {
		if r.Key == "" {
			t.Errorf("a ticket nobody called counted for staff: %+v", r)
		}
	}
}

// FuzzParseClock: any input is either refused or a time of day that prints back to itself.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"08:30", "24:00", "0:00", "23:59", "", "25:00", "12:5", " 9:00 ", "-1:00", "１２:００"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := queue.ParseClock(s)
		if err != nil {
			return
		}
		if c < 0 || c > 24*60 {
			t.Fatalf("%q parsed to %d minutes", s, c)
		}
		back, err := queue.ParseClock(c.String())
		if err != nil || back != c {
			t.Fatalf("%q → %s → %v %v", s, c, back, err)
		}
	})
}

func TestWaitText(t *testing.T) {
	for _, c := range []struct {
		waiting, minutes int
		ticket, line     string
	}{
		{0, 0, "不足 1 分钟", "无需等候"},
		{1, 0, "不足 1 分钟", "不足 1 分钟"},
		{3, 1, "约 1 分钟", "约 1 分钟"},
		{9, 25, "约 25 分钟", "约 25 分钟"},
	} {
		if got := queue.WaitText(c.minutes); got != c.ticket {
			t.Errorf("WaitText(%d) = %q, want %q", c.minutes, got, c.ticket)
		}
		if got := queue.LineWaitText(c.waiting, c.minutes); got != c.line {
			t.Errorf("LineWaitText(%d, %d) = %q, want %q", c.waiting, c.minutes, got, c.line)
		}
	}
}

// TestAheadText: nobody ahead reads as being next, never "前面还有 0 人".
func TestAheadText(t *testing.T) {
	for ahead, want := range map[int]string{0: "下一位就是您", 1: "前面还有 1 人", 12: "前面还有 12 人"} {
		if got := queue.AheadText(ahead); got != want {
			t.Errorf("AheadText(%d) = %q, want %q", ahead, got, want)
		}
	}
}

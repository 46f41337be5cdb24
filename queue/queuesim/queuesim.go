// Package queuesim replays a simulated hall day through the real queue service: citizens
// arrive over the day, take tickets, counters call, serve and finish them, all on an injected
// clock. It measures how long the replay takes and how close the wait estimates printed on the
// tickets came to the waits that followed.
package queuesim

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/queue"
)

// Clock is the simulation's time; the queue service reads it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now is the simulated time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the simulated time.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// Service is one line of the simulated hall.
type Service struct {
	Prefix      string
	Name        string
	Share       float64 // of the day's tickets
	MeanMinutes float64 // mean handling time
}

// Config is a day to simulate.
type Config struct {
	Day      calendar.Date
	Tickets  int
	Counters int
	Seed     uint64
	Services []Service
	Location *time.Location
	// Busy scales every handling time (1 = the services' means); 1.15 makes a day whose peaks
	// keep queues for an hour or more.
	Busy float64
}

// DefaultServices are ten lines whose mix and handling times load 150 counters to about 85 %
// over a 08:30–17:00 day of 20,000 tickets, with morning and afternoon peaks above capacity.
var DefaultServices = []Service{
	{"A", "商事登记", .12, 4.5}, {"B", "投资建设", .03, 6}, {"C", "不动产登记", .10, 5}, {"D", "社会事务", .08, 2.5},
	{"E", "公安服务", .18, 2}, {"F", "税务服务", .12, 3}, {"G", "人社服务", .14, 2.5}, {"H", "医保服务", .10, 2},
	{"J", "公积金", .08, 3.5}, {"K", "综合便民", .05, 1.5},
}

// hourWeights shape arrivals from 08:30 to 17:00: peaks mid-morning and mid-afternoon, a lunch dip.
var hourWeights = []struct {
	from  queue.Clock
	to    queue.Clock
	ratio float64
}{
	{8*60 + 30, 9 * 60, .8}, {9 * 60, 10 * 60, 1.4}, {10 * 60, 11 * 60, 1.5}, {11 * 60, 12 * 60, 1.1}, {12 * 60, 13 * 60, .5},
	{13 * 60, 14 * 60, .8}, {14 * 60, 15 * 60, 1.3}, {15 * 60, 16 * 60, 1.3}, {16 * 60, 17 * 60, .8},
}

// Arrival is one citizen of the day.
type Arrival struct {
	At      time.Time
	Service string // queue service code
	Serve   time.Duration
	Green   bool
}

// Code is the queue service code of a simulated line.
func Code(prefix string) string { return "SIM-" + prefix }

// Generate draws the day's arrivals, in time order.
func Generate(cfg Config) []Arrival {
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	var total float64
	for _, w := range hourWeights {
		total += w.ratio * float64(w.to-w.from)
	}
	out := make([]Arrival, cfg.Tickets)
	for i := range out {
		// Arrival minute by inverse CDF over the weighted periods.
		x := rng.Float64() * total
		var at float64
		for _, w := range hourWeights {
			span := w.ratio * float64(w.to-w.from)
			if x <= span {
				at = float64(w.from) + x/w.ratio
				break
			}
			x -= span
		}
		// Service by share; handling time log-normal around its mean (σ = 0.5).
		y := rng.Float64()
		s := cfg.Services[len(cfg.Services)-1]
		for _, sv := range cfg.Services {
			if y < sv.Share {
				s = sv
				break
			}
			y -= sv.Share
		}
		const sigma = .5
		busy := cfg.Busy
		if busy == 0 {
			busy = 1
		}
		mins := busy * s.MeanMinutes * math.Exp(sigma*rng.NormFloat64()-sigma*sigma/2)
		start := queue.At(cfg.Day, 0, cfg.Location)
		out[i] = Arrival{At: start.Add(time.Duration(at * float64(time.Minute))), Service: Code(s.Prefix),
			Serve: time.Duration(mins * float64(time.Minute)), Green: rng.IntN(50) == 0}
	}
	slices.SortFunc(out, func(a, b Arrival) int { return a.At.Compare(b.At) })
	return out
}

// Setup creates the simulated hall "sim" in center: its services and cfg.Counters counters.
// Most counters serve one line, in proportion to the line's work; a tenth serve two lines.
func Setup(ctx context.Context, q *queue.Service, center string, cfg Config) error {
	by := audit.System
	if err := q.SaveHall(ctx, by, queue.Hall{ID: "sim", Name: "模拟大厅", Center: center, RemindAhead: 3, RecallsBeforeNoShow: 2,
		CheckInBefore: 30, CheckInAfter: 15, BookingDays: 7}); err != nil {
		return err
	}
	var work float64
	for _, s := range cfg.Services {
		work += s.Share * s.MeanMinutes
		if err := q.SaveService(ctx, by, queue.QueueService{Code: Code(s.Prefix), Hall: "sim", Name: s.Name, Prefix: s.Prefix, RangeFrom: 1,
			RangeTo: 9999, Opens: "08:00", Closes: "18:00", DailyLimit: 9999, ServiceMinutes: int(math.Ceil(s.MeanMinutes * max(cfg.Busy, 1)))}); err != nil {
			return err
		}
	}
	single := cfg.Counters * 9 / 10
	n := 0
	save := func(profile ...string) error {
		n++
		c := queue.Counter{ID: fmt.Sprintf("S%03d", n), Hall: "sim", Name: fmt.Sprintf("%d号窗口", n), Rule: queue.LongestWait, Open: true}
		for _, p := range profile {
			c.Profile = append(c.Profile, queue.ProfileEntry{Service: Code(p), Weight: 1})
		}
		return q.SaveCounter(ctx, by, c)
	}
	for _, s := range cfg.Services {
		k := max(1, int(math.Round(float64(single)*s.Share*s.MeanMinutes/work)))
		for range k {
			if n >= cfg.Counters {
				break
			}
			if err := save(s.Prefix); err != nil {
				return err
			}
		}
	}
	for i := 0; n < cfg.Counters; i++ {
		a, b := cfg.Services[i%len(cfg.Services)], cfg.Services[(i+1)%len(cfg.Services)]
		if err := save(a.Prefix, b.Prefix); err != nil {
			return err
		}
	}
	return nil
}

// Result is what a replay measured.
type Result struct {
	Tickets int
	// Transactions counts the service calls of the replay (issue, call, finish).
	Transactions int
	Called       int
	Wall         time.Duration
	MAE          float64 // mean absolute error of the printed estimate, minutes
	Bias         float64 // mean (estimate − actual), minutes
	MeanWait     float64
	MaxWait      float64
	Within15     float64
	LastEnded    time.Time
}

type event struct {
	at      time.Time
	kind    int // 0 arrival, 1 finish, 2 try
	idx     int // arrival index or counter index
	counter int
	seq     int
}

type events []event

func (e events) Len() int { return len(e) }
func (e events) Less(i, j int) bool {
	if !e[i].at.Equal(e[j].at) {
		return e[i].at.Before(e[j].at)
	}
	return e[i].seq < e[j].seq
}
func (e events) Swap(i, j int) { e[i], e[j] = e[j], e[i] }
func (e *events) Push(x any)   { *e = append(*e, x.(event)) }
func (e *events) Pop() any {
	old := *e
	x := old[len(old)-1]
	*e = old[:len(old)-1]
	return x
}

// Run replays the arrivals through q on clk: each counter calls when free, serves for the
// arrival's handling time and finishes. Every step is a real transaction of the service.
func Run(ctx context.Context, q *queue.Service, clk *Clock, arrivals []Arrival) (Result, error) {
	counters, err := q.Counters(ctx, "sim")
	if err != nil {
		return Result{}, err
	}
	serving := map[string][]int{} // service → counters
	for i, c := range counters {
		for _, s := range c.Services {
			serving[s] = append(serving[s], i)
		}
	}
	idle := make([]bool, len(counters))
	for i := range idle {
		idle[i] = true
	}
	staff := audit.Actor{Username: "sim", Role: "clerk"}
	type info struct {
		arrived  time.Time
		estimate int
		serve    time.Duration
	}
	tickets := map[string]info{}
	var h events
	seq := 0
	push := func(e event) { seq++; e.seq = seq; heap.Push(&h, e) }
	for i, a := range arrivals {
		push(event{at: a.At, kind: 0, idx: i})
	}
	var res Result
	var absErr, sumErr, sumWait float64
	waiting := map[string]int{} // per line, as the desks show it
	called := func(e event, t queue.Ticket) {
		waiting[t.Service]--
		in := tickets[t.ID]
		wait := e.at.Sub(in.arrived).Minutes()
		res.Called++
		sumWait += wait
		res.MaxWait = max(res.MaxWait, wait)
		if wait <= 15 {
			res.Within15++
		}
		d := float64(in.estimate) - wait
		sumErr += d
		absErr += math.Abs(d)
		push(event{at: e.at.Add(in.serve), kind: 1, counter: e.counter})
		res.LastEnded = e.at.Add(in.serve)
	}
	start := time.Now()
	for h.Len() > 0 {
		e := heap.Pop(&h).(event)
		clk.Set(e.at)
		switch e.kind {
		case 0:
			a := arrivals[e.idx]
			in := queue.IssueInput{Service: a.Service}
			if a.Green {
				in.Priority = "green"
			}
			res.Transactions++
			t, err := q.Issue(ctx, queue.Requester{Actor: staff, Staff: true}, in)
			if err != nil {
				return res, fmt.Errorf("arrival %d at %s: %w", e.idx, e.at.Format("15:04:05"), err)
			}
			res.Tickets++
			waiting[a.Service]++
			tickets[t.ID] = info{arrived: e.at, estimate: t.EstimatedWaitMinutes, serve: a.Serve}
			for _, c := range serving[a.Service] {
				if idle[c] {
					idle[c] = false // wake one idle counter for this citizen
					push(event{at: e.at, kind: 2, counter: c})
					break
				}
			}
		case 1:
			// The visit ends: "finish and call next" in one step, as the desk's button does,
			// when the desk shows somebody waiting; otherwise finish alone.
			someone := false
			for _, s := range counters[e.counter].Services {
				someone = someone || waiting[s] > 0
			}
			if someone {
				res.Transactions++
				t, ok, err := q.Act(ctx, staff, counters[e.counter].ID, queue.Call, queue.ActInput{})
				if err != nil {
					return res, err
				}
				if ok {
					called(e, t)
					continue
				}
			}
			res.Transactions++
			if _, _, err := q.Act(ctx, staff, counters[e.counter].ID, queue.Finish, queue.ActInput{}); err != nil {
				return res, err
			}
			idle[e.counter] = true
		case 2:
			res.Transactions++
			t, ok, err := q.Act(ctx, staff, counters[e.counter].ID, queue.Call, queue.ActInput{})
			if err != nil {
				return res, err
			}
			if !ok {
				idle[e.counter] = true
				continue
			}
			called(e, t)
		}
	}
	res.Wall = time.Since(start)
	if res.Called > 0 {
		n := float64(res.Called)
		res.MAE, res.Bias, res.MeanWait, res.Within15 = absErr/n, sumErr/n, sumWait/n, res.Within15/n
	}
	return res, nil
}

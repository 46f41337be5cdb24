// Package queue runs the service hall: queue services and counters, tickets (取号), calls (叫号),
// transfers, appointments (预约), wait estimates, live hall events and statistics. The rules in
// this file are plain functions; the service stores their results.
package queue

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/errs"
)

// Status of a ticket (API.md), plus parked (a counter set it aside and will resume it).
type Status string

// The statuses.
const (
	Waiting     Status = "waiting"
	Called      Status = "called"
	Serving     Status = "serving"
	Done        Status = "done"
	NoShow      Status = "no_show"
	Transferred Status = "transferred"
	Parked      Status = "parked"
)

// StatusNames are shown to people.
var StatusNames = map[Status]string{
	Waiting: "等候中", Called: "已叫号", Serving: "办理中", Done: "已办结", NoShow: "过号", Transferred: "已转移", Parked: "暂挂",
}

// Action is something a counter does to a ticket.
type Action string

// The counter actions of API.md (call, recall, no_show, transfer, finish) and ours.
const (
	Call     Action = "call"
	Recall   Action = "recall"
	Start    Action = "start"
	Finish   Action = "finish"
	MarkGone Action = "no_show"
	Transfer Action = "transfer"
	Park     Action = "park"
	Resume   Action = "resume"
)

// Actions lists every counter action.
var Actions = []Action{Call, Recall, Start, Finish, MarkGone, Transfer, Park, Resume}

var transitions = map[Status]map[Action]Status{
	Waiting: {Call: Called},
	Called:  {Recall: Called, Start: Serving, Finish: Done, MarkGone: NoShow, Transfer: Transferred, Park: Parked},
	Serving: {Finish: Done, Transfer: Transferred, Park: Parked},
	Parked:  {Resume: Serving, Transfer: Transferred, Finish: Done},
}

// Next is the status a ticket moves to, or a conflict naming why the action is not allowed.
func Next(from Status, a Action) (Status, error) {
	if to, ok := transitions[from][a]; ok {
		return to, nil
	}
	return "", errs.Conflict(fmt.Sprintf("号票状态为“%s”，不能%s", StatusNames[from], audit.ActionName("ticket."+string(a))))
}

// Priority of a ticket: 绿色通道 tickets are called before normal ones of the same service.
type Priority string

// The priorities.
const (
	Normal Priority = "normal"
	Green  Priority = "green"
)

// rank orders priorities: lower is called first.
func (p Priority) rank() int {
	if p == Green {
		return 0
	}
	return 1
}

// Rule is how a counter chooses between the services of its work profile.
type Rule string

// The rules.
const (
	// LongestWait serves the service whose first ticket has waited longest (green tickets first).
	LongestWait Rule = "longest_wait"
	// InOrder serves the services in profile order: the first one with a waiting ticket.
	InOrder Rule = "priority"
	// Weighted shares the calls between services by weight (weights 3 and 1: three of the first
	// for each one of the second), skipping services with nobody waiting.
	Weighted Rule = "weighted"
)

// RuleNames are shown to people.
var RuleNames = map[Rule]string{LongestWait: "等候最久优先", InOrder: "按业务优先级", Weighted: "按权重分配"}

// ProfileEntry is one service of a counter's work profile, in priority order.
type ProfileEntry struct {
	Service string `json:"service"`
	Weight  int    `json:"weight,omitempty"`
}

// Head is the first waiting ticket of a service, in calling order.
type Head struct {
	Rank    int   // 0 green, 1 normal
	OrderUS int64 // queue time: arrival (kept through transfers) or appointment slot, µs
	Seq     int64 // issue order, the last tie-break
}

// Before reports whether a is called before b within one service.
func (a Head) Before(b Head) bool {
	if a.Rank != b.Rank {
		return a.Rank < b.Rank
	}
	if a.OrderUS != b.OrderUS {
		return a.OrderUS < b.OrderUS
	}
	return a.Seq < b.Seq
}

// Pick chooses the service a counter calls from next, given each service's head ticket (absent
// when nobody waits) and the counter's calls per service today (for Weighted).
func Pick(rule Rule, profile []ProfileEntry, heads map[string]Head, calls map[string]int) (string, bool) {
	best, found := "", false
	var bestHead Head
	bestScore := math.Inf(1)
	for _, p := range profile {
		h, ok := heads[p.Service]
		if !ok {
			continue
		}
		switch rule {
		case InOrder:
			return p.Service, true
		case Weighted:
			w := p.Weight
			if w < 1 {
				w = 1
			}
			// The service furthest behind its share goes next; ties keep profile order.
			score := float64(calls[p.Service]+1) / float64(w)
			if score < bestScore {
				best, bestScore, found = p.Service, score, true
			}
		default:
			if !found || h.Before(bestHead) {
				best, bestHead, found = p.Service, h, true
			}
		}
	}
	return best, found
}

// WaitText is an estimated wait as people read it, the same on the board, the ticket, the kiosk
// and in the API's text fields: "不足 1 分钟" below a minute (never "约 0 分钟"), else "约 N 分钟".
func WaitText(minutes int) string {
	if minutes < 1 {
		return "不足 1 分钟"
	}
	return fmt.Sprintf("约 %d 分钟", minutes)
}

// AheadText is a waiting ticket's place in line as people read it, the same on the phone's
// ticket page, the kiosk's ticket, in the API's text field and in the "turn is near" SMS:
// "下一位就是您" when nobody is in front (never "前面还有 0 人"), else "前面还有 N 人".
func AheadText(ahead int) string {
	if ahead < 1 {
		return "下一位就是您"
	}
	return fmt.Sprintf("前面还有 %d 人", ahead)
}

// LineWaitText is what a ticket taken now would wait, for a line with waiting people in it:
// "无需等候" when nobody waits.
func LineWaitText(waiting, minutes int) string {
	if waiting == 0 {
		return "无需等候"
	}
	return WaitText(minutes)
}

// Estimate is the expected wait in minutes for a ticket with ahead people in front of it, when
// counters counters serve its service and one visit takes avg: those ahead are shared between
// the counters, and the ticket also waits, on average, for half a visit to end. A counter that
// also serves other lines counts for its share (one of two lines: 0.5).
func Estimate(ahead int, counters float64, avg time.Duration) int {
	if counters < 1 {
		counters = 1
	}
	if ahead == 0 {
		return 0
	}
	m := (float64(ahead) + 0.5) * avg.Minutes() / counters
	return int(math.Round(m))
}

// Clock is a time of day in minutes after midnight; 24:00 is the end of the day.
type Clock int

// ParseClock reads "HH:MM".
func ParseClock(s string) (Clock, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("时间须为 HH:MM（如 08:30）")
	}
	return Clock(hh*60 + mm), nil
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// ClockOf is the time of day of t in loc.
func ClockOf(t time.Time, loc *time.Location) Clock {
	t = t.In(loc)
	return Clock(t.Hour()*60 + t.Minute())
}

// At is the instant of clock c on day d in loc.
func At(d calendar.Date, c Clock, loc *time.Location) time.Time {
	return d.Time(loc).Add(time.Duration(c) * time.Minute)
}

// Slots are the appointment slot starts between from and to, every minutes minutes; a slot
// must end by to.
func Slots(from, to Clock, minutes int) []Clock {
	if minutes <= 0 {
		return nil
	}
	var out []Clock
	for c := from; c+Clock(minutes) <= to; c += Clock(minutes) {
		out = append(out, c)
	}
	return out
}

// CheckInWindow is when an appointment for the slot starting at start may check in.
func CheckInWindow(start time.Time, before, after int) (from, to time.Time) {
	return start.Add(-time.Duration(before) * time.Minute), start.Add(time.Duration(after) * time.Minute)
}

// Elderly reports whether the holder of an 18-digit ID number is 60 or older on day (the
// 老年人 of the law on the elderly), which entitles them to a 绿色通道 ticket at the kiosk.
func Elderly(id string, day calendar.Date) bool {
	if len(id) != 18 {
		return false
	}
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil {
		return false
	}
	t := day.Time(time.UTC)
	age := t.Year() - birth.Year()
	if t.Month() < birth.Month() || (t.Month() == birth.Month() && t.Day() < birth.Day()) {
		age--
	}
	return age >= 60
}

// FormatNumber is a ticket's number: the service prefix and the number within its range.
func FormatNumber(prefix string, n int) string {
	if n >= 1000 {
		return fmt.Sprintf("%s%d", prefix, n)
	}
	return fmt.Sprintf("%s%03d", prefix, n)
}

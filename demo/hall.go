package demo

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"banhao/audit"
	"banhao/errs"
	"banhao/queue"
)

// HallID is the demo center's hall.
const HallID = "main"

// hallServices are the demo queue lines, one per section (prefix A–J). They are open round the
// clock so that the demo can be tried at any hour; a real hall sets its hours on /hall/manage.
var hallServices = []struct {
	section, prefix, name string
	minutes, capacity     int
}{
	{"S01", "A", "商事登记", 15, 4}, {"S02", "B", "投资建设", 25, 2}, {"S03", "C", "不动产交易登记", 20, 4},
	{"S04", "D", "社会事务", 10, 2}, {"S05", "E", "公安服务", 8, 4}, {"S06", "F", "税务服务", 10, 4},
	{"S07", "G", "人社服务", 8, 4}, {"S08", "H", "医保服务", 8, 2}, {"S09", "J", "公积金", 12, 4}, {"S10", "K", "综合便民", 6, 0},
}

// hallCounters are the demo counters: prefixes of the services each serves, in priority order,
// with weights where the rule is weighted.
var hallCounters = []struct {
	id, name string
	rule     queue.Rule
	profile  string
}{
	{"1", "1号窗口", queue.LongestWait, "A"}, {"2", "2号窗口", queue.LongestWait, "A"}, {"3", "3号窗口", queue.Weighted, "A:3,B:1"},
	{"4", "4号窗口", queue.LongestWait, "B"}, {"5", "5号窗口", queue.LongestWait, "C"}, {"6", "6号窗口", queue.LongestWait, "C"},
	{"7", "7号窗口", queue.InOrder, "C,D"}, {"8", "8号窗口", queue.LongestWait, "D,K"}, {"9", "9号窗口", queue.LongestWait, "E"},
	{"10", "10号窗口", queue.LongestWait, "E"}, {"11", "11号窗口", queue.LongestWait, "F"}, {"12", "12号窗口", queue.Weighted, "F:2,G:1"},
	{"13", "13号窗口", queue.LongestWait, "G"}, {"14", "14号窗口", queue.LongestWait, "H"}, {"15", "15号窗口", queue.LongestWait, "J"},
	{"16", "16号综合窗口", queue.LongestWait, "A,B,C,D,E,F,G,H,J,K"},
}

// ServiceCode is the code of the demo queue service with a prefix ("A" → "Q-S01").
func ServiceCode(prefix string) string {
	for _, s := range hallServices {
		if s.prefix == prefix {
			return "Q-" + s.section
		}
	}
	return ""
}

// LoadHall sets up the demo hall: its services, counters and settings.
func LoadHall(ctx context.Context, q *queue.Service) (err error) {
	defer errs.Wrap(&err, "demo.LoadHall")
	if err := q.SaveHall(ctx, audit.System, queue.Hall{ID: HallID, Name: CenterName + "一楼大厅", Center: CenterCode, RemindAhead: 3,
		RecallsBeforeNoShow: 2, CheckInBefore: 30, CheckInAfter: 15, BookingDays: 7}); err != nil {
		return fmt.Errorf("demo hall: %w", err)
	}
	for _, s := range hallServices {
		if err := q.SaveService(ctx, audit.System, queue.QueueService{Code: "Q-" + s.section, Hall: HallID, Name: s.name, Prefix: s.prefix,
			RangeFrom: 1, RangeTo: 999, Opens: "00:00", Closes: "24:00", DailyLimit: 999, ServiceMinutes: s.minutes,
			SlotMinutes: 30, SlotCapacity: s.capacity, ApptFrom: "09:00", ApptTo: "17:00", Sections: []string{s.section}}); err != nil {
			return fmt.Errorf("demo queue service %s: %w", s.prefix, err)
		}
	}
	for _, c := range hallCounters {
		ctr := queue.Counter{ID: c.id, Hall: HallID, Name: c.name, Rule: c.rule, Open: true}
		for _, p := range splitProfile(c.profile) {
			ctr.Profile = append(ctr.Profile, queue.ProfileEntry{Service: ServiceCode(p.prefix), Weight: p.weight})
		}
		if err := q.SaveCounter(ctx, audit.System, ctr); err != nil {
			return fmt.Errorf("demo counter %s: %w", c.id, err)
		}
	}
	return nil
}

type profilePart struct {
	prefix string
	weight int
}

// splitProfile reads "A:3,B:1".
func splitProfile(s string) []profilePart {
	var out []profilePart
	for _, part := range strings.Split(s, ",") {
		prefix, w, found := strings.Cut(part, ":")
		p := profilePart{prefix: prefix, weight: 1}
		if found {
			p.weight, _ = strconv.Atoi(w)
		}
		out = append(out, p)
	}
	return out
}

// Package calendar counts official working days: the normal week (Monday to Friday) changed by
// the State Council's holidays and make-up workdays (调休). It is pure: the official schedule is
// embedded, edits come in as Overrides, and every answer is computed from a prefix count of
// working days in O(log n) — never by walking day by day.
package calendar

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind of a day that differs from the normal week.
type Kind string

// Day kinds: a holiday rests on a weekday, a workday works on a weekend (调休上班), normal
// follows the week (used to undo an override).
const (
	Holiday Kind = "holiday"
	Workday Kind = "workday"
	Normal  Kind = "normal"
)

// Override is one day that differs from the normal week.
type Override struct {
	Date Date   `json:"date"`
	Kind Kind   `json:"kind"`
	Name string `json:"name"`
}

// The range the calendar answers for; beyond it ErrOutOfRange.
var (
	First = MustDate("2000-01-01")
	Last  = MustDate("2099-12-31")
)

// ErrOutOfRange is returned for dates the calendar does not cover.
var ErrOutOfRange = errors.New("calendar: date out of range 2000-01-01..2099-12-31")

// Calendar answers working-day questions from a prefix count of working days.
type Calendar struct {
	first Date
	cum   []int32 // cum[i] = working days in [first, first+i)
	over  map[Date]Override
}

// New builds a calendar from overrides (later ones win).
func New(overrides []Override) *Calendar {
	c := &Calendar{first: First, over: make(map[Date]Override, len(overrides))}
	for _, o := range overrides {
		if o.Kind == Normal {
			delete(c.over, o.Date)
			continue
		}
		c.over[o.Date] = o
	}
	n := int(Last-First) + 1
	c.cum = make([]int32, n+1)
	for i := range n {
		w := int32(0)
		if c.working(First + Date(i)) {
			w = 1
		}
		c.cum[i+1] = c.cum[i] + w
	}
	return c
}

func (c *Calendar) working(d Date) bool {
	if o, ok := c.over[d]; ok {
		return o.Kind == Workday
	}
	wd := d.Weekday()
	return wd != 0 && wd != 6
}

func (c *Calendar) index(d Date) (int, error) {
	if d < c.first || d > Last {
		return 0, ErrOutOfRange
	}
	return int(d - c.first), nil
}

// IsWorkingDay reports whether d is an official working day.
func (c *Calendar) IsWorkingDay(d Date) bool {
	i, err := c.index(d)
	if err != nil {
		return c.working(d)
	}
	return c.cum[i+1] > c.cum[i]
}

// Kind returns the override of d, if any, and whether it is a working day.
func (c *Calendar) Day(d Date) (Override, bool) {
	o, ok := c.over[d]
	if !ok {
		o = Override{Date: d, Kind: Normal}
	}
	return o, c.IsWorkingDay(d)
}

// AddWorkingDays returns the date that is n working days after from; from itself is not
// counted (the day of acceptance is day 0). n = 0 returns from (即办: the same day).
func (c *Calendar) AddWorkingDays(from Date, n int) (Date, error) {
	if n < 0 {
		return 0, fmt.Errorf("calendar: negative working days %d", n)
	}
	i, err := c.index(from)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return from, nil
	}
	want := c.cum[i+1] + int32(n) // working days in [first, due]
	j := sort.Search(len(c.cum), func(k int) bool { return c.cum[k] >= want })
	if j >= len(c.cum) {
		return 0, ErrOutOfRange
	}
	return c.first + Date(j-1), nil
}

// WorkingDaysBetween counts the working days in (a, b]; negative when b is before a.
func (c *Calendar) WorkingDaysBetween(a, b Date) (int, error) {
	if b < a {
		n, err := c.WorkingDaysBetween(b, a)
		return -n, err
	}
	i, err := c.index(a)
	if err != nil {
		return 0, err
	}
	j, err := c.index(b)
	if err != nil {
		return 0, err
	}
	return int(c.cum[j+1] - c.cum[i+1]), nil
}

// NextWorkingDay returns d when it is a working day, else the first working day after it.
func (c *Calendar) NextWorkingDay(d Date) (Date, error) {
	if c.IsWorkingDay(d) {
		return d, nil
	}
	return c.AddWorkingDays(d, 1)
}

// AddNaturalDays returns from + n days; when that day is a holiday or rest day the limit ends on
// the next working day (《行政许可法》第八十二条: a period ending on a holiday ends the day after).
func (c *Calendar) AddNaturalDays(from Date, n int) (Date, error) {
	if n < 0 {
		return 0, fmt.Errorf("calendar: negative days %d", n)
	}
	return c.NextWorkingDay(from.AddDays(n))
}

// Overrides lists the calendar's overrides in date order.
func (c *Calendar) Overrides() []Override {
	out := make([]Override, 0, len(c.over))
	for _, o := range c.over {
		out = append(out, o)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Date < out[b].Date })
	return out
}

// Covers reports whether the calendar holds the official schedule of year: at least one
// holiday or make-up workday in it. A year without one is counted Monday to Friday only.
func (c *Calendar) Covers(year int) bool {
	from, to := MakeDate(year, time.January, 1), MakeDate(year, time.December, 31)
	for d := range c.over {
		if d >= from && d <= to {
			return true
		}
	}
	return false
}

// Uncovered is the year of d when the calendar does not hold its official schedule (Covers):
// a deadline falling there is counted Monday to Friday only, its holidays unknown.
func Uncovered(c *Calendar, d Date) (year int, uncovered bool) {
	y := d.Time(time.UTC).Year()
	if c.Covers(y) {
		return 0, false
	}
	return y, true
}

// UncoveredNote is what a date counted without its year's official schedule says beside it.
func UncoveredNote(year int) string {
	return fmt.Sprintf("%d 年节假日安排尚未导入，此日期暂按周一至周五计算", year)
}

// ScheduleDue is the year whose official schedule should be imported by today, if any: this
// year when it is missing, or next year from November on (the State Council publishes it in
// the autumn), so that deadlines running into January count its holidays.
func ScheduleDue(c *Calendar, today Date) (year int, due bool) {
	t := today.Time(time.UTC)
	switch {
	case !c.Covers(t.Year()):
		return t.Year(), true
	case t.Month() >= time.November && !c.Covers(t.Year()+1):
		return t.Year() + 1, true
	}
	return 0, false
}

//go:embed official.csv
var officialCSV string

// Official is the State Council schedule for 2025–2026 (shared/data/cn-official-calendar-2025-2026.csv).
func Official() []Override {
	o, err := ParseCSV(strings.NewReader(officialCSV))
	if err != nil {
		panic("calendar: embedded schedule: " + err.Error())
	}
	return o
}

// NameMax is the longest name of a day (春节, 国庆节调休上班), in characters.
const NameMax = 20

// ParseCSV reads a schedule: a header date,kind,name and one row per day. Every bad row is
// reported with its line number.
func ParseCSV(r io.Reader) ([]Override, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("日历文件不是有效的 CSV：%v", err)
	}
	if !slices.ContainsFunc(rows, func(rec []string) bool {
		return slices.ContainsFunc(rec, func(f string) bool { return strings.TrimSpace(strings.TrimPrefix(f, "\ufeff")) != "" })
	}) {
		return nil, errors.New("日历文件是空的：须有表头 date,kind,name 和至少一行日期")
	}
	if len(rows[0]) < 2 || strings.TrimSpace(strings.TrimPrefix(rows[0][0], "\ufeff")) != "date" || strings.TrimSpace(rows[0][1]) != "kind" {
		return nil, errors.New("日历文件第 1 行须为表头 date,kind,name")
	}
	var out []Override
	var problems []string
	seen := map[Date]int{}
	for i, rec := range rows[1:] {
		line := i + 2
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) < 2 {
			problems = append(problems, fmt.Sprintf("第 %d 行：缺少 kind 列", line))
			continue
		}
		d, err := ParseDate(strings.TrimSpace(rec[0]))
		if err != nil {
			problems = append(problems, fmt.Sprintf("第 %d 行，列 date：%v", line, err))
			continue
		}
		if d < First || d > Last {
			problems = append(problems, fmt.Sprintf("第 %d 行，列 date：超出 2000–2099", line))
			continue
		}
		k := Kind(strings.TrimSpace(rec[1]))
		if k != Holiday && k != Workday && k != Normal {
			problems = append(problems, fmt.Sprintf("第 %d 行，列 kind：须为 holiday（休息日）、workday（调休上班）或 normal（恢复正常）", line))
			continue
		}
		if prev, dup := seen[d]; dup {
			problems = append(problems, fmt.Sprintf("第 %d 行，列 date：%s 与第 %d 行重复", line, d, prev))
			continue
		}
		seen[d] = line
		name := ""
		if len(rec) > 2 {
			name = strings.TrimSpace(rec[2])
		}
		if utf8.RuneCountInString(name) > NameMax {
			problems = append(problems, fmt.Sprintf("第 %d 行，列 name：名称不能超过 %d 个字", line, NameMax))
			continue
		}
		out = append(out, Override{Date: d, Kind: k, Name: name})
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "；"))
	}
	return out, nil
}

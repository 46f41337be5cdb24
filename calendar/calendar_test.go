package calendar

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var official = New(Official())

func TestDeadlinesAcrossOfficialHolidays(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		from    string
		days    int
		want    string
		whyWant string
	}{
		{"design example: National Day", "2026-09-30", 5, "2026-10-13", "10-01..07 rest, Sat 10-10 is a make-up workday: 10-08, 10-09, 10-10, 10-12, 10-13"},
		{"Spring Festival with the make-up Saturday 02-14", "2026-02-13", 3, "2026-02-25", "Sat 02-14 works, 02-15..23 rest: 02-14, 02-24, 02-25"},
		{"Spring Festival, make-up Saturday 02-28", "2026-02-26", 2, "2026-02-28", "02-27 then the make-up Saturday 02-28"},
		{"即办 is the same day", "2026-10-01", 0, "2026-10-01", "n = 0"},
		{"ordinary week", "2026-11-25", 5, "2026-12-02", "Thu, Fri, Mon, Tue, Wed"},
		{"accepted on a holiday", "2026-10-03", 1, "2026-10-08", "first working day after the holiday"},
		{"Mid-Autumn and the make-up Sunday 09-20", "2026-09-18", 1, "2026-09-20", "Sun 09-20 is a workday"},
		{"40 working days over Mid-Autumn and National Day", "2026-09-01", 40, "2026-11-02", "21 in September (Sun 09-20 works, 09-25 rests), 18 in October (Sat 10-10 works), then Mon 11-02"},
		{"New Year 2025 and Spring Festival 2025", "2024-12-31", 20, "2025-02-05", "01-01 rests, Sun 01-26 works, 01-28..02-04 rest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := official.AddWorkingDays(MustDate(tc.from), tc.days)
			if err != nil {
				t.Fatal(err)
			}
			if want := naiveAdd(official, MustDate(tc.from), tc.days); got != want {
				t.Fatalf("oracle disagrees: %s vs %s", got, want)
			}
			if got != MustDate(tc.want) {
				t.Fatalf("%d working days from %s = %s, want %s (%s)", tc.days, tc.from, got, tc.want, tc.whyWant)
			}
		})
	}
}

// naiveAdd walks day by day: the oracle for the prefix-count answer.
func naiveAdd(c *Calendar, from Date, n int) Date {
	d := from
	for n > 0 {
		d++
		if c.working(d) {
			n--
		}
	}
	return d
}

func TestAgainstNaiveOracle(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2025, 2026))
	start, end := MustDate("2025-01-01"), MustDate("2026-12-31")
	for range 20000 {
		from := start + Date(rng.IntN(int(end-start)))
		n := rng.IntN(80)
		got, err := official.AddWorkingDays(from, n)
		if err != nil {
			t.Fatal(err)
		}
		if want := naiveAdd(official, from, n); got != want {
			t.Fatalf("AddWorkingDays(%s, %d) = %s, oracle %s", from, n, got, want)
		}
		to := from + Date(rng.IntN(120))
		between, _ := official.WorkingDaysBetween(from, to)
		naive := 0
		for d := from + 1; d <= to; d++ {
			if official.working(d) {
				naive++
			}
		}
		if between != naive {
			t.Fatalf("WorkingDaysBetween(%s, %s) = %d, oracle %d", from, to, between, naive)
		}
	}
}

func TestOfficialSchedule(t *testing.T) {
	t.Parallel()
	for d, want := range map[string]bool{
		"2026-01-01": false, "2026-01-04": true, "2026-02-14": true, "2026-02-16": false, "2026-10-10": true,
		"2026-10-07": false, "2026-11-25": true, "2026-11-28": false, "2025-01-26": true, "2025-05-01": false,
	} {
		if got := official.IsWorkingDay(MustDate(d)); got != want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", d, got, want)
		}
	}
	if n := len(Official()); n != 72 {
		t.Errorf("official schedule has %d days, want 72", n)
	}
}

func TestNaturalDaysEndOnAWorkingDay(t *testing.T) {
	t.Parallel()
	// 20 natural days from 2026-09-11 end on 10-01, a holiday: the period ends on 10-08.
	got, _ := official.AddNaturalDays(MustDate("2026-09-11"), 20)
	if got != MustDate("2026-10-08") {
		t.Fatalf("got %s, want 2026-10-08", got)
	}
}

func TestOverridesEditTheCalendar(t *testing.T) {
	t.Parallel()
	extra := append(Official(), Override{Date: MustDate("2026-12-01"), Kind: Holiday, Name: "临时休息"},
		Override{Date: MustDate("2026-10-10"), Kind: Normal})
	c := New(extra)
	if c.IsWorkingDay(MustDate("2026-12-01")) || c.IsWorkingDay(MustDate("2026-10-10")) {
		t.Fatal("overrides were not applied")
	}
	got, _ := c.AddWorkingDays(MustDate("2026-11-30"), 1)
	if got != MustDate("2026-12-02") {
		t.Fatalf("got %s, want 2026-12-02", got)
	}
}

func TestParseCSVNamesBadRows(t *testing.T) {
	t.Parallel()
	_, err := ParseCSV(strings.NewReader("date,kind,name\n2027-02-10,holiday,春节\n2027-13-01,holiday,x\n2027-02-11,vacation,x\n2027-02-10,workday,dup\n"))
	if err == nil {
		t.Fatal("bad rows accepted")
	}
	for _, want := range []string{"第 3 行，列 date", "第 4 行，列 kind", "第 5 行，列 date"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	d := MustDate("2026-09-30")
	if d.Weekday() != time.Wednesday || d.String() != "2026-09-30" {
		t.Fatalf("%s is a %s", d, d.Weekday())
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	if got := DateOf(time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC), sh); got != MustDate("2026-10-01") {
		t.Fatalf("17:00 UTC is %s in Shanghai, want 2026-10-01", got)
	}
	if _, err := official.AddWorkingDays(MustDate("2099-12-30"), 10); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("beyond the range: %v", err)
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	from := MustDate("2026-09-30")
	for i := 0; b.Loop(); i++ {
		if _, err := official.AddWorkingDays(from+Date(i%400), 5+i%40); err != nil {
			b.Fatal(err)
		}
	}
}

func TestScheduleDue(t *testing.T) {
	with2027 := New(append(Official(), Override{Date: MustDate("2027-01-01"), Kind: Holiday, Name: "元旦"}))
	for _, c := range []struct {
		cal   *Calendar
		today string
		year  int
		due   bool
	}{
		{official, "2026-06-30", 0, false},
		{official, "2026-10-31", 0, false}, // too early to expect next year's schedule
		{official, "2026-11-01", 2027, true},
		{official, "2026-12-31", 2027, true},
		{official, "2027-03-01", 2027, true}, // the year runs without its holidays
		{with2027, "2026-11-26", 0, false},
		{New(nil), "2025-05-05", 2025, true},
	} {
		year, due := ScheduleDue(c.cal, MustDate(c.today))
		if year != c.year || due != c.due {
			t.Errorf("%s: %d %v, want %d %v", c.today, year, due, c.year, c.due)
		}
	}
	if !official.Covers(2026) || official.Covers(2027) || !with2027.Covers(2027) {
		t.Error("Covers")
	}
}

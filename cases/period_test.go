package cases_test

import (
	"strings"
	"testing"

	"banhao/calendar"
	"banhao/cases"
)

// TestCheckPeriod: a statistics period is at most a year, both ends counted: a leap year's 366
// days pass, 367 do not, and the message says the rule.
func TestCheckPeriod(t *testing.T) {
	d := func(s string) calendar.Date {
		v, err := calendar.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		{"2026-03-01", "2026-03-01", true},
		{"2024-01-01", "2024-12-31", true},  // 366 days
		{"2025-01-01", "2026-01-01", true},  // 366 days
		{"2025-01-01", "2026-01-02", false}, // 367 days
		{"2026-03-02", "2026-03-01", false},
	} {
		err := cases.CheckPeriod(d(c.from), d(c.to))
		if (err == nil) != c.ok {
			t.Errorf("%s to %s: %v, want ok %v", c.from, c.to, err, c.ok)
		}
		if err != nil && c.from < c.to && !strings.Contains(err.Error(), "366 天") {
			t.Errorf("%s to %s: %v does not say the rule", c.from, c.to, err)
		}
	}
}

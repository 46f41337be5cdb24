package cases

import (
	"testing"

	"banhao/calendar"
)

// TestRecomputeReasonNamesTheDays: the timeline's reason names the changed days when there are
// at most three, and counts them otherwise; a year without its schedule says 工作日历调整.
func TestRecomputeReasonNamesTheDays(t *testing.T) {
	t.Parallel()
	cal := calendar.New(calendar.Official())
	d := calendar.MustDate
	few := []calendar.Date{d("2026-12-02"), d("2026-12-01")}
	if got, want := recomputeReason(cal, changedYears(few), few), "2026 年法定节假日与调休安排调整（2026-12-01、2026-12-02）"; got != want {
		t.Errorf("two days: %q, want %q", got, want)
	}
	var many []calendar.Date
	for i := range 12 {
		many = append(many, d("2026-10-01").AddDays(i))
	}
	if got, want := recomputeReason(cal, changedYears(many), many), "2026 年法定节假日与调休安排已导入（共 12 天）"; got != want {
		t.Errorf("twelve days: %q, want %q", got, want)
	}
	one := []calendar.Date{d("2031-05-01")}
	if got, want := recomputeReason(cal, changedYears(one), one), "2031 年工作日历调整（2031-05-01）"; got != want {
		t.Errorf("an uncovered year: %q, want %q", got, want)
	}
}

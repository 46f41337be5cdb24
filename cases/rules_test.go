package cases

import (
	"testing"

	"banhao/audit"
	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
)

var cal = calendar.New(calendar.Official())

// TestEveryStatusTimesEveryAction pins the whole state machine: each cell is the status after
// the action, or "-" for a conflict.
func TestEveryStatusTimesEveryAction(t *testing.T) {
	t.Parallel()
	//                 accept      correction  supply      reject    suspend    resume    extend    decide    deliver    withdraw   terminate
	want := map[Status][]string{
		Submitted:  {"accepted", "correction", "submitted", "rejected", "-", "-", "-", "-", "-", "withdrawn", "-"},
		Correction: {"-", "-", "submitted", "rejected", "-", "-", "-", "-", "-", "withdrawn", "-"},
		Accepted:   {"-", "-", "accepted", "-", "suspended", "-", "accepted", "decided", "-", "withdrawn", "terminated"},
		Suspended:  {"-", "-", "suspended", "-", "-", "accepted", "-", "-", "-", "withdrawn", "terminated"},
		Decided:    {"-", "-", "-", "-", "-", "-", "-", "-", "delivered", "-", "-"},
		Delivered:  {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"},
		Rejected:   {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"},
		Withdrawn:  {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"},
		Terminated: {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"},
		Revoked:    {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"}, // 撤销许可: only by a post-check (promise.go)
	}
	for _, s := range Statuses {
		for i, a := range Actions {
			got, err := Next(s, a, true)
			cell := string(got)
			if err != nil {
				cell = "-"
				if !errs.Is(err, errs.CodeConflict) {
					t.Errorf("%s × %s: error %v is not a conflict", s, a, err)
				}
				if e, _ := errs.As(err); e == nil || e.Message == "" {
					t.Errorf("%s × %s: the conflict does not state the rule", s, a)
				}
			}
			if cell != want[s][i] {
				t.Errorf("%s × %s = %s, want %s", s, a, cell, want[s][i])
			}
		}
	}
	if got, _ := Next(Correction, Supply, false); got != Correction {
		t.Errorf("a partial supply left correction for %s", got)
	}
}

func d(s string) calendar.Date { return calendar.MustDate(s) }

func TestDueWithPausesAndExtensions(t *testing.T) {
	t.Parallel()
	wd := func(n int) catalog.Limit { return catalog.Limit{Value: n, Unit: catalog.WorkingDay} }
	for _, tc := range []struct {
		name             string
		accepted         string
		limit            catalog.Limit
		paused, extended int
		want             string
	}{
		{"5 working days over National Day", "2026-09-30", wd(5), 0, 0, "2026-10-13"},
		{"3 working days over the Spring Festival", "2026-02-13", wd(3), 0, 0, "2026-02-25"},
		{"plus 2 paused working days", "2026-09-30", wd(5), 2, 0, "2026-10-15"},
		{"plus 2 paused and 3 extended", "2026-09-30", wd(5), 2, 3, "2026-10-20"},
		{"即办", "2026-11-25", catalog.Limit{Unit: catalog.Immediate}, 0, 0, "2026-11-25"},
		{"20 natural days ending on a holiday move to the next working day", "2026-09-11", catalog.Limit{Value: 20, Unit: catalog.NaturalDay}, 0, 0, "2026-10-08"},
	} {
		got, err := Due(cal, d(tc.accepted), tc.limit, tc.paused, tc.extended)
		if err != nil || got != d(tc.want) {
			t.Errorf("%s: due %s (%v), want %s", tc.name, got, err, tc.want)
		}
	}
}

func TestPausedDaysAreWorkingDaysInTheLimitUnit(t *testing.T) {
	t.Parallel()
	// Suspended on Tue 09-29, resumed on Fri 10-09: 09-30, 10-08, 10-09 are working days.
	if n, _ := PausedDays(cal, catalog.WorkingDay, d("2026-09-29"), d("2026-10-09")); n != 3 {
		t.Fatalf("paused %d working days, want 3", n)
	}
	if n, _ := PausedDays(cal, catalog.NaturalDay, d("2026-09-29"), d("2026-10-09")); n != 10 {
		t.Fatalf("paused %d natural days, want 10", n)
	}
	if n, _ := PausedDays(cal, catalog.WorkingDay, d("2026-10-09"), d("2026-10-09")); n != 0 {
		t.Fatalf("same-day resume paused %d", n)
	}
}

func TestWarningTurnsYellowThenRed(t *testing.T) {
	t.Parallel()
	p := DefaultWarnPolicy()
	due := d("2026-10-13") // 5 working days from 09-30
	for today, want := range map[string]string{
		"2026-09-30": WarnNone,
		"2026-10-09": WarnNone,
		"2026-10-10": WarnNone,   // make-up Saturday: 10-12 and 10-13 left, 2 days and 40 % of 5
		"2026-10-12": WarnYellow, // 1 working day left
		"2026-10-13": WarnYellow, // due today
		"2026-10-14": WarnRed,    // overdue
	} {
		got := Warning(cal, p, Accepted, d(today), due, 5)
		if got != want {
			t.Errorf("on %s: %s, want %s", today, got, want)
		}
	}
	if got := Warning(cal, p, Suspended, d("2026-10-20"), due, 5); got != WarnNone {
		t.Errorf("a suspended case shows %s", got)
	}
	// 20 % of a 40-day limit is 8 days: yellow well before the last day.
	long := d("2026-11-02")
	if got := Warning(cal, p, Accepted, d("2026-10-21"), long, 40); got != WarnYellow {
		t.Errorf("8 of 40 days left: %s, want yellow", got)
	}
	if y := YellowFrom(cal, p, d("2026-09-30"), due, 5); y != d("2026-10-12") {
		t.Errorf("yellow from %s, want 2026-10-12", y)
	}
	if RedFrom(due) != d("2026-10-14") {
		t.Error("red from")
	}
}

func TestStepDeadlinesAddUp(t *testing.T) {
	t.Parallel()
	wd := func(n int) catalog.Limit { return catalog.Limit{Value: n, Unit: catalog.WorkingDay} }
	steps := []catalog.Step{{Name: "受理", Limit: catalog.Limit{Unit: catalog.Immediate}}, {Name: "审查", Limit: wd(4)}, {Name: "决定", Limit: wd(1)}}
	got := StepDeadlines(cal, d("2026-09-30"), steps)
	want := []string{"2026-09-30", "2026-10-12", "2026-10-13"} // the last step ends on the case's due date
	for i, s := range got {
		if s.Due == nil || s.Due.String() != want[i] {
			t.Errorf("step %s due %v, want %s", s.Name, s.Due, want[i])
		}
	}
}

// TestMayReadMaterials: approvers of the deciding department, the clerk who took the case in,
// any clerk while an online application waits for acceptance, supervisors and auditors (API.md).
func TestMayReadMaterials(t *testing.T) {
	c := Case{Status: Accepted, Department: catalog.Ref{Code: "XZSP"},
		Timeline: []Event{{Action: "create", Actor: "clerk", Role: "clerk"}, {Action: "accept", Actor: "clerk", Role: "clerk"}}}
	for _, tc := range []struct {
		who  audit.Actor
		want bool
	}{
		{audit.Actor{Username: "clerk", Role: "clerk"}, true},
		{audit.Actor{Username: "clerkb", Role: "clerk"}, false},
		{audit.Actor{Username: "a1", Role: "approver", Department: "XZSP"}, true},
		{audit.Actor{Username: "a2", Role: "approver", Department: "SWJ"}, false},
		{audit.Actor{Username: "s", Role: "supervisor"}, true},
		{audit.Actor{Username: "au", Role: "auditor"}, true},
		{audit.Actor{Username: "h", Role: "hall_manager"}, false},
		{audit.Actor{Username: "admin", Role: "admin"}, false},
	} {
		if got := MayReadMaterials(tc.who, c) == nil; got != tc.want {
			t.Errorf("%s (%s) on an accepted case: %v, want %v", tc.who.Username, tc.who.Role, got, tc.want)
		}
	}
	online := Case{Status: Submitted, Department: catalog.Ref{Code: "XZSP"}}
	if MayReadMaterials(audit.Actor{Username: "clerkb", Role: "clerk"}, online) != nil {
		t.Error("a clerk cannot open an online application waiting to be accepted")
	}
}

// TestDecisionWords: a 行政许可 is granted or refused as 许可, every other kind of item as 办理.
func TestDecisionWords(t *testing.T) {
	for _, tc := range []struct{ itemType, decision, want string }{
		{"行政许可", "approved", "准予许可"},
		{"行政许可", "denied", "不予许可"},
		{"公共服务", "approved", "准予办理"},
		{"行政确认", "denied", "不予办理"},
		{"", "approved", "准予办理"},
	} {
		if got := DecisionWords(tc.itemType, tc.decision); got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.itemType, tc.decision, got, tc.want)
		}
	}
}

package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"banhao/audit"
	"banhao/cases"
	"banhao/identity"
)

// TestCommitmentCaseDueIsItsDecision (告知承诺): a case approved on the applicant's word is due the
// day it was decided — nothing pends on the item's promised limit, no 剩余N个工作日 — and its
// page names the one deadline left, the post-check's, with the working days to it; a week later
// they count down.
func TestCommitmentCaseDueIsItsDecision(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	n := h.commitmentCase(t) // 2026-11-26, 食品经营许可 promised in 5 working days
	c, err := h.cases.Get(context.Background(), audit.System, n)
	if err != nil {
		t.Fatal(err)
	}
	if c.Due == nil || c.DecidedOn == nil || *c.Due != *c.DecidedOn || c.DaysLeft != nil {
		t.Fatalf("the 告知承诺 case: due %v decided %v days left %v, want due the day it was decided", c.Due, c.DecidedOn, c.DaysLeft)
	}
	for _, who := range []identity.Session{h.sessions[identity.Clerk], h.sessions[identity.Approver]} {
		_, page := h.pageOf(t, who, "/cases/"+n)
		text := visible(page)
		if !strings.Contains(text, "承诺办结日 "+c.Due.String()+" · 告知承诺：依承诺当即审批，已办结") ||
			!strings.Contains(text, "事后核查期限 2026-12-24 （剩余 20 个工作日） · 待核查") {
			t.Errorf("%s: the case page's deadlines: %s", who.User.Username, text)
		}
		if strings.Contains(text, "2026-12-03") || regexp.MustCompile(`承诺办结日[^事]*剩余`).MatchString(text) {
			t.Errorf("%s: the page still shows the promised limit's day as pending: %s", who.User.Username, text)
		}
	}
	h.clock.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, shanghai))
	_, page := h.pageOf(t, h.staffSession(t, "approver"), "/cases/"+n)
	if text := visible(page); !strings.Contains(text, "事后核查期限 2026-12-24 （剩余 15 个工作日）") {
		t.Errorf("a week later: %s", text)
	}
}

// TestPostCheckDueInUncoveredYearSaysSo (告知承诺): approved on 2026-12-28, the post-check falls
// due in 2027, whose holidays are not imported: the case page and the department's
// /office/postchecks say beside the day that it is counted Monday to Friday only — the same
// words as any deadline outside the calendar — not a silently wrong count.
func TestPostCheckDueInUncoveredYearSaysSo(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	code, refs := h.commitmentItem(t) // its files uploaded today
	h.clock.Set(time.Date(2026, 12, 28, 9, 0, 0, 0, shanghai))
	n := h.commitmentApplication(t, code, refs, cases.Decided).Number
	const words = "（2027 年节假日安排尚未导入，此日期暂按周一至周五计算）"
	approver := h.staffSession(t, "approver")
	_, page := h.pageOf(t, approver, "/cases/"+n)
	if text := visible(page); !regexp.MustCompile(`事后核查期限 2027-\d\d-\d\d （剩余 \d+ 个工作日） ` + regexp.QuoteMeta(words)).MatchString(text) {
		t.Errorf("the case page's post-check deadline: %s", text)
	}
	_, page = h.pageOf(t, approver, "/office/postchecks")
	if text := visible(page); !strings.Contains(text, words) {
		t.Errorf("/office/postchecks: %s", text)
	}
}

package cases

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"banhao/calendar"
	"banhao/catalog"
)

// TestCitizenStepOf pins which internal timeline events an applicant sees, and as what.
func TestCitizenStepOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		action string
		want   string // "stage N: name", "on the way: name", "ends: name" or "hidden"
	}{
		{"submit", "stage 1: 已收到申请"},
		{"correction", "on the way: 需要补正材料"},
		{"supply", "on the way: 已补交材料"},
		{"accept", "stage 2: 已受理"},
		{"reject", "stage 2 ends: 不予受理"},
		{"suspend", "on the way: 暂停计时（特别程序或依法中止，期间不计入办理时限）"},
		{"resume", "on the way: 恢复计时"},
		{"extend", "on the way: 依法延长办理期限"},
		{"decide", "stage 4: 已作出决定"},
		{"deliver", "stage 5: 已出件"},
		{"withdraw", "ends: 申请已撤回"},
		{"terminate", "ends: 已终止办理"},
		// The center's own work.
		{"claim", "hidden"},
		{"release", "hidden"},
		{"assign", "hidden"},
		{"note", "hidden"},
		{"warning", "hidden"},
		{"commitment_missed", "hidden"},
		{"stage", "hidden"},
		{"", "hidden"},
		{"some_future_internal_event", "hidden"},
	} {
		step, shown := CitizenStepOf(tc.action)
		got := "hidden"
		switch {
		case !shown:
		case step.Stage > 0 && step.Ends:
			got = fmt.Sprintf("stage %d ends: %s", step.Stage, step.Name)
		case step.Stage > 0:
			got = fmt.Sprintf("stage %d: %s", step.Stage, step.Name)
		case step.Ends:
			got = "ends: " + step.Name
		default:
			got = "on the way: " + step.Name
		}
		if got != tc.want {
			t.Errorf("%q → %s, want %s", tc.action, got, tc.want)
		}
	}
	// Every action of the state machine is something the applicant sees.
	for _, a := range append([]Action{"submit"}, Actions...) {
		if _, shown := CitizenStepOf(string(a)); !shown {
			t.Errorf("the action %q is hidden from the applicant", a)
		}
	}
}

var progressItem = catalog.Item{Name: "食品经营许可", ResultName: "食品经营许可证", Where: "市民中心二楼 12 号窗口", Hours: "周一至周五 9:00-17:00",
	DeliveryMethods: []string{"window", "mail"}, Materials: []catalog.Material{{ID: "m1", Name: "营业执照"}, {ID: "m2", Name: "场所平面图"}}}

// road is the road written as "name state text" lines, for reading in a failed test.
func road(p Progress) string {
	var b strings.Builder
	for _, s := range p.Road {
		fmt.Fprintf(&b, "%s %s %s", s.Name, s.State, s.Text)
		for _, n := range s.Notes {
			fmt.Fprintf(&b, " [%s]", n.Text)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestCitizenProgress(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ev := func(actions ...string) []Event {
		var out []Event
		for i, a := range actions {
			out = append(out, Event{At: t0.Add(time.Duration(i) * time.Hour), Action: a, Actor: "staff"})
		}
		return out
	}
	due, decided := calendar.MustDate("2026-03-09"), calendar.MustDate("2026-03-06")
	for _, tc := range []struct {
		name string
		c    Case
		want string // the road, as road() writes it
	}{
		{"waiting at the window", Case{Status: Submitted, Timeline: ev("submit", "claim")},
			"收到申请 done 已收到申请\n受理 current 等待受理\n审查 todo \n办理决定 todo \n领取结果 todo \n"},
		{"correction names the materials", Case{Status: Correction, Missing: []string{"m2"}, Timeline: ev("submit", "correction")},
			"收到申请 done 材料需要补正：场所平面图。补齐后即予受理 [需要补正材料]\n受理 current 补齐材料后受理\n审查 todo \n办理决定 todo \n领取结果 todo \n"},
		{"in review, claimed and warned inside", Case{Status: Accepted, Due: &due, Timeline: ev("submit", "correction", "supply", "accept", "claim", "warning", "release", "extend")},
			"收到申请 done 已收到申请 [需要补正材料] [已补交材料]\n受理 done 已受理，承诺 2026-03-09 前办结\n审查 current 正在审查，承诺 2026-03-09 前办结 [依法延长办理期限]\n办理决定 todo \n领取结果 todo \n"},
		{"suspended", Case{Status: Suspended, Due: &due, Timeline: ev("submit", "accept", "suspend")},
			"收到申请 done 已收到申请\n受理 done 已受理，承诺 2026-03-09 前办结\n审查 current 暂停计时（特别程序或依法中止），恢复后继续审查 [暂停计时（特别程序或依法中止，期间不计入办理时限）]\n办理决定 todo \n领取结果 todo \n"},
		{"approved, to collect", Case{Status: Decided, Decision: "approved", Due: &due, DecidedOn: &decided, Channel: "online", Timeline: ev("submit", "accept", "claim", "decide")},
			"收到申请 done 申请已提交（网上办事大厅）\n受理 done 已受理，承诺 2026-03-09 前办结\n审查 done 审查完成，在承诺时限内办结\n办理决定 done 准予办理\n领取结果 current 请领取：食品经营许可证\n"},
		{"denied with the reason", Case{Status: Decided, Decision: "denied", DecisionReason: "经营场所不符合卫生要求", Due: &due, Timeline: ev("submit", "accept", "decide")},
			"收到申请 done 已收到申请\n受理 done 已受理，承诺 2026-03-09 前办结\n审查 done 审查完成\n办理决定 done 不予办理：经营场所不符合卫生要求\n领取结果 current 请领取：不予许可（不予办理）决定书\n"},
		{"mailed", Case{Status: Delivered, Decision: "approved", Due: &due, DeliveryMethod: "mail", TrackingNumber: "SF1234567890", Timeline: ev("submit", "accept", "decide", "deliver")},
			"收到申请 done 已收到申请\n受理 done 已受理，承诺 2026-03-09 前办结\n审查 done 审查完成\n办理决定 done 准予办理\n领取结果 done 已邮寄，快递单号 SF1234567890\n"},
		{"immediate: accepted and decided at once", Case{Status: Decided, Decision: "approved", Due: &due, Timeline: ev("submit", "decide")},
			"收到申请 done 已收到申请\n受理 done 已受理，承诺 2026-03-09 前办结\n审查 done 审查完成\n办理决定 done 准予办理\n领取结果 current 请领取：食品经营许可证\n"},
		{"rejected: the road ends there", Case{Status: Rejected, RejectReason: "不属于本机关职权范围", RejectBasis: "《行政许可法》第三十二条", Timeline: ev("submit", "reject")},
			"收到申请 done 已收到申请\n受理 stopped 不予受理：不属于本机关职权范围\n"},
		{"withdrawn in review", Case{Status: Withdrawn, Due: &due, Timeline: ev("submit", "accept", "withdraw")},
			"收到申请 done 已收到申请\n受理 done 已受理\n审查 stopped 申请已撤回\n"},
		{"withdrawn before acceptance", Case{Status: Withdrawn, Timeline: ev("submit", "withdraw")},
			"收到申请 done 已收到申请\n受理 stopped 申请已撤回\n"},
		{"terminated", Case{Status: Terminated, Due: &due, Timeline: ev("submit", "accept", "commitment_missed", "terminate")},
			"收到申请 done 已收到申请\n受理 done 已受理\n审查 stopped 已终止办理\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := CitizenProgress(tc.c, progressItem)
			if got := road(p); got != tc.want {
				t.Errorf("road:\n%s\nwant:\n%s", got, tc.want)
			}
			for _, s := range p.Road {
				if s.Text == "" && s.State != StateTodo {
					t.Errorf("a blank step %q (%s)", s.Name, s.State)
				}
				if s.State == StateDone && s.At.IsZero() {
					t.Errorf("a done step %q without its time", s.Name)
				}
			}
		})
	}

	t.Run("collecting the result", func(t *testing.T) {
		p := CitizenProgress(Case{Status: Decided, Decision: "approved", ResultCertificate: "1.2.156", Timeline: ev("submit", "accept", "decide")}, progressItem)
		r := p.Result
		if p.Outcome != "approved" || r == nil || !r.Approved || r.Where != progressItem.Where || r.Hours != progressItem.Hours ||
			strings.Join(r.Methods, "、") != "窗口领取、邮寄送达" || !r.Certificate || r.Delivered {
			t.Fatalf("result %+v, outcome %q", r, p.Outcome)
		}
		p = CitizenProgress(Case{Status: Decided, Decision: "denied", DecisionReason: "不符合条件", Timeline: ev("submit", "accept", "decide")}, progressItem)
		if p.Outcome != "denied" || p.Reason != "不符合条件" || p.Result.Approved {
			t.Fatalf("a refusal: %+v", p)
		}
		p = CitizenProgress(Case{Status: Delivered, Decision: "approved", DeliveryMethod: "mail", TrackingNumber: "SF1", Timeline: ev("submit", "accept", "decide", "deliver")}, progressItem)
		if !p.Result.Delivered || p.Result.Method != "邮寄送达" || p.Result.TrackingNumber != "SF1" {
			t.Fatalf("mailed: %+v", p.Result)
		}
		p = CitizenProgress(Case{Status: Rejected, RejectReason: "r", RejectBasis: "b", Timeline: ev("submit", "reject")}, progressItem)
		if p.Outcome != "rejected" || p.Reason != "r" || p.Basis != "b" || p.Result != nil {
			t.Fatalf("rejected: %+v", p)
		}
	})

	t.Run("the citizen's timeline leaves the internal events out", func(t *testing.T) {
		got := CitizenTimeline(ev("submit", "claim", "accept", "warning", "release", "decide"))
		var names []string
		for _, e := range got {
			names = append(names, e.Action)
		}
		if strings.Join(names, ",") != "submit,accept,decide" {
			t.Fatalf("citizen timeline %v", names)
		}
	})
}

// TestCaseNumbersAsTyped: full-width characters, other dashes and spaces fold to the number.
func TestCaseNumbersAsTyped(t *testing.T) {
	for _, typed := range []string{"371600－20261203－00001", " 371600 - 20261203 - 00001 ", "３７１６００—２０２６１２０３—００００１", "371600‐20261203‐00001\t"} {
		if got := NormalizeNumber(typed); got != "371600-20261203-00001" {
			t.Errorf("NormalizeNumber(%q) = %q", typed, got)
		}
	}
	if got := NormalizeNumber("kbqy-1"); got != "KBQY-1" {
		t.Errorf("lower case: %q", got)
	}
	if got := NormalizeDigits(" １２３４"); got != "1234" {
		t.Errorf("NormalizeDigits: %q", got)
	}
}

// TestResultShowsTheWayChosen: once a way is recorded for the case, only it is shown.
func TestResultShowsTheWayChosen(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := Case{Status: Decided, Decision: "approved", Timeline: []Event{{At: t0, Action: "submit"}, {At: t0, Action: "accept"}, {At: t0, Action: "decide"}}}
	if p := CitizenProgress(c, progressItem); len(p.Result.Methods) != len(progressItem.DeliveryMethods) {
		t.Fatalf("no way chosen: %v, want the item's ways", p.Result.Methods)
	}
	c.DeliveryMethod = "mail"
	if p := CitizenProgress(c, progressItem); len(p.Result.Methods) != 1 || p.Result.Methods[0] != "邮寄送达" {
		t.Fatalf("mail chosen: %v", p.Result.Methods)
	}
}

// TestCitizenProgressNamesTheRoute: the applicant's 办件流转 says the places themselves
// (受理地 → 审批地 → 出件地), not only the three words for them; an old event without them keeps
// the words.
func TestCitizenProgressNamesTheRoute(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	text := "受理地：彭李街道便民服务中心 → 审批地：沾化区 沾化区公安局 → 出件地：彭李街道便民服务中心"
	c := Case{Status: Submitted, Timeline: []Event{{At: t0, Action: "submit"},
		{At: t0, Action: "route", Detail: `{"accepted_center":"BMFW-371602005","text":"` + text + `"}`}}}
	p := CitizenProgress(c, catalog.Item{})
	if n := p.Road[0].Notes; len(n) != 1 || n[0].Text != "办件流转："+text {
		t.Errorf("the route as the applicant reads it: %+v", n)
	}
	c.Timeline[1].Detail = `{}`
	if n := CitizenProgress(c, catalog.Item{}).Road[0].Notes; len(n) != 1 || n[0].Text != "办件流转（受理地 → 审批地 → 出件地）" {
		t.Errorf("an old route event: %+v", n)
	}
}

// Package cases runs the case lifecycle (办件): one-window intake, back-office approval and
// unified delivery, with the working-day clock, 容缺, 补正 and warnings. The rules in this file
// are plain functions; the service in service.go stores their results.
package cases

import (
	"fmt"

	"banhao/audit"
	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
)

// Status of a case (API.md).
type Status string

// The statuses.
const (
	Submitted  Status = "submitted"
	Correction Status = "correction"
	Accepted   Status = "accepted"
	Suspended  Status = "suspended"
	Decided    Status = "decided"
	Delivered  Status = "delivered"
	Rejected   Status = "rejected"
	Withdrawn  Status = "withdrawn"
	Terminated Status = "terminated"
	Revoked    Status = "revoked" // 撤销许可: an approval on a false commitment, revoked after its post-check (promise.go)
)

// Statuses lists every status.
var Statuses = []Status{Submitted, Correction, Accepted, Suspended, Decided, Delivered, Rejected, Withdrawn, Terminated, Revoked}

// StatusNames are the Chinese names shown to people.
var StatusNames = map[Status]string{
	Submitted: "已提交", Correction: "待补正", Accepted: "已受理", Suspended: "已中止（特别程序）", Decided: "已办结",
	Delivered: "已出件", Rejected: "不予受理", Withdrawn: "已撤回", Terminated: "已终止",
	Revoked: "已撤销许可",
}

// Action is something done to a case.
type Action string

// The actions of API.md, plus terminate (the system ends a case whose 容缺 commitment was missed).
const (
	Accept     Action = "accept"
	AskCorrect Action = "correction"
	Supply     Action = "supply"
	Reject     Action = "reject"
	Suspend    Action = "suspend"
	Resume     Action = "resume"
	Extend     Action = "extend"
	Decide     Action = "decide"
	Deliver    Action = "deliver"
	Withdraw   Action = "withdraw"
	Terminate  Action = "terminate"
)

// Actions lists every action.
var Actions = []Action{Accept, AskCorrect, Supply, Reject, Suspend, Resume, Extend, Decide, Deliver, Withdraw, Terminate}

// transitions: from status, by action, to status. Supply in correction goes to submitted only
// when the materials are complete (see Next).
var transitions = map[Status]map[Action]Status{
	Submitted:  {Accept: Accepted, AskCorrect: Correction, Supply: Submitted, Reject: Rejected, Withdraw: Withdrawn},
	Correction: {Supply: Submitted, Reject: Rejected, Withdraw: Withdrawn},
	Accepted:   {Supply: Accepted, Suspend: Suspended, Extend: Accepted, Decide: Decided, Withdraw: Withdrawn, Terminate: Terminated},
	Suspended:  {Supply: Suspended, Resume: Accepted, Withdraw: Withdrawn, Terminate: Terminated},
	Decided:    {Deliver: Delivered},
}

// ruleText explains, for people, why an action is not allowed in a status.
var ruleText = map[Action]string{
	Accept:     "只有已提交且材料齐全的办件可以受理（待补正的办件须先补齐材料）",
	AskCorrect: "补正告知只能在受理前发出",
	Supply:     "已办结或已结束的办件不能再补交材料",
	Reject:     "不予受理只能在受理前作出",
	Suspend:    "只有已受理的办件可以中止或进入特别程序",
	Resume:     "只有已中止的办件可以恢复",
	Extend:     "只有已受理、未办结的办件可以延期",
	Decide:     "只有已受理（未中止）的办件可以作出决定",
	Deliver:    "只有已办结的办件可以出件",
	Withdraw:   "办结后不能撤回",
	Terminate:  "只有办理中的办件可以终止",
}

// Next returns the status after action, or a conflict naming the rule. complete says whether
// every material asked for in a correction has now been supplied.
func Next(s Status, a Action, complete bool) (Status, error) {
	to, ok := transitions[s][a]
	if !ok {
		return s, errs.Conflict(fmt.Sprintf("当前状态为「%s」，不能%s：%s", StatusNames[s], audit.ActionName("case."+string(a)), ruleText[a]))
	}
	if s == Correction && a == Supply && !complete {
		return Correction, nil
	}
	return to, nil
}

// Claimable reports whether an approver may claim or release a case in status s: while the
// department still has work on it (before its decision). A decided case waits only for
// delivery at the window; no one holds it any more.
func Claimable(s Status) bool {
	return !Final(s) && s != Decided
}

// AtWindowOf is the rule of which cases a clerk's window works on: a clerk who belongs to a
// center (users.center_code) sees and acts on the cases accepted there (受理地) or to be handed out
// there (出件地), not every case of the city; a clerk of no center (a one-center installation) on
// all of them. Other roles are not limited by center here (approvers are, by department).
func AtWindowOf(a audit.Actor, acceptedCenter, deliveryCenter string) bool {
	if identity.Role(a.Role) != identity.Clerk || a.Center == "" {
		return true
	}
	return a.Center == acceptedCenter || a.Center == deliveryCenter
}

// DeliversAt is the rule of who hands a result out at a window: the clerk of the case's 出件地
// when the applicant chose a center (a clerk of no center, as in a one-center installation, may
// at any window); a result sent by post or electronically is handed out by any clerk who sees it.
func DeliversAt(a audit.Actor, deliveryCenter string) bool {
	return a.Center == "" || deliveryCenter == "" || deliveryCenter == "mail" || a.Center == deliveryCenter
}

// Final reports whether a case has ended.
func Final(s Status) bool {
	return s == Delivered || s == Rejected || s == Withdrawn || s == Terminated || s == Revoked
}

// Due computes the deadline: the promised limit counted from the day after acceptance, plus
// the working (or natural) days paused and the days of extension. 即办 is due the same day.
func Due(cal *calendar.Calendar, accepted calendar.Date, limit catalog.Limit, paused, extended int) (_ calendar.Date, err error) {
	defer errs.Wrap(&err, "cases.Due")
	switch limit.Unit {
	case catalog.Immediate:
		return cal.AddWorkingDays(accepted, paused+extended)
	case catalog.NaturalDay:
		return cal.AddNaturalDays(accepted, limit.Value+paused+extended)
	case catalog.WorkingDay:
		return cal.AddWorkingDays(accepted, limit.Value+paused+extended)
	}
	return 0, fmt.Errorf("cases: item has no promised limit")
}

// PausedDays counts the days a suspension took out of the clock: the days in (from, to], in
// the limit's own unit.
func PausedDays(cal *calendar.Calendar, unit string, from, to calendar.Date) (_ int, err error) {
	defer errs.Wrap(&err, "cases.PausedDays")
	if to <= from {
		return 0, nil
	}
	if unit == catalog.NaturalDay {
		return int(to - from), nil
	}
	return cal.WorkingDaysBetween(from, to)
}

// Warning levels (电子监察).
const (
	WarnNone   = "none"
	WarnYellow = "yellow"
	WarnRed    = "red"
)

// WarnPolicy says when a case turns yellow: at most Days working days left, or at most Percent
// of the limit left.
type WarnPolicy struct {
	Days    int
	Percent int
}

// DefaultWarnPolicy is yellow at ≤ 1 working day or ≤ 20 % of the limit left.
func DefaultWarnPolicy() WarnPolicy { return WarnPolicy{Days: 1, Percent: 20} }

// Warning gives the level of a running case on day today: red once past due, yellow when few
// days remain. Cases that are not running (not yet accepted, suspended, or ended) have none.
func Warning(cal *calendar.Calendar, p WarnPolicy, status Status, today, due calendar.Date, limitDays int) string {
	if status != Accepted {
		return WarnNone
	}
	if today > due {
		return WarnRed
	}
	left, err := cal.WorkingDaysBetween(today, due)
	if err != nil {
		return WarnNone
	}
	if left <= p.Days || limitDays > 0 && left*100 <= p.Percent*limitDays {
		return WarnYellow
	}
	return WarnNone
}

// YellowFrom is the first day on which a case due on due turns yellow under p (for scheduling
// the warning job); RedFrom is the first overdue day.
func YellowFrom(cal *calendar.Calendar, p WarnPolicy, accepted, due calendar.Date, limitDays int) calendar.Date {
	// Scan back from due: warnings are at most a few working days before the deadline, and the
	// answer does not depend on today, so this runs once per change, not per request.
	d := due
	for d > accepted {
		prev := d - 1
		left, _ := cal.WorkingDaysBetween(prev, due)
		if !(left <= p.Days || limitDays > 0 && left*100 <= p.Percent*limitDays) {
			break
		}
		d = prev
	}
	return d
}

// RedFrom is the day after the deadline.
func RedFrom(due calendar.Date) calendar.Date { return due + 1 }

// StepDue is one processing step with the day it must be done by.
type StepDue struct {
	Name  string         `json:"name"`
	Limit catalog.Limit  `json:"limit"`
	Due   *calendar.Date `json:"due"`
	Actor string         `json:"actor,omitempty"`
}

// StepDeadlines lays the item's steps out from the day of acceptance: each step's limit counts
// from the end of the step before; 即办 steps end the day the step before ends.
func StepDeadlines(cal *calendar.Calendar, accepted calendar.Date, steps []catalog.Step) []StepDue {
	out := make([]StepDue, len(steps))
	end := accepted
	for i, s := range steps {
		out[i] = StepDue{Name: s.Name, Limit: s.Limit, Actor: s.Actor}
		var d calendar.Date
		var err error
		switch s.Limit.Unit {
		case catalog.WorkingDay:
			d, err = cal.AddWorkingDays(end, s.Limit.Value)
		case catalog.NaturalDay:
			d, err = cal.AddNaturalDays(end, s.Limit.Value)
		default:
			d = end
		}
		if err != nil {
			continue
		}
		end = d
		out[i].Due = &d
	}
	return out
}

// ShownWarning is the warning level a case's badge shows beside its status: a revoked case
// (告知承诺 found false) shows "revoked" (已撤销), never the level it had while open (正常).
func ShownWarning(st Status, warning string) string {
	if st == Revoked {
		return string(Revoked)
	}
	return warning
}

// Badge levels for a case whose current payment (秒到账) did not reach the applicant.
const (
	WarnPayRefused = "pay_refused" // 支付被拒
	WarnPayFailed  = "pay_failed"  // 发送失败
)

// CaseWarning is what a case's badge shows: ShownWarning, except that a case whose current
// payment the bank refused or the sender gave up on shows that (支付被拒 / 发送失败), never 正常 —
// staff must find it to correct the account. A case read without its payment shows ShownWarning.
func CaseWarning(c Case) string {
	if c.Status != Revoked && c.Payment != nil {
		switch c.Payment.Status {
		case PayRefused:
			return WarnPayRefused
		case PayFailed:
			return WarnPayFailed
		}
	}
	return ShownWarning(c.Status, c.Warning)
}

// DecisionWords are the words of a decision on an item of type itemType: a 行政许可 is 准予许可
// or 不予许可, any other item (公共服务, 行政确认, …) 准予办理 or 不予办理; decision is "approved"
// or anything else for a refusal.
func DecisionWords(itemType, decision string) string {
	verb := "办理"
	if itemType == "行政许可" {
		verb = "许可"
	}
	if decision == "approved" {
		return "准予" + verb
	}
	return "不予" + verb
}

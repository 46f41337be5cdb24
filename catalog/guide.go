package catalog

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"banhao/errs"
)

// What a guide says about time and steps follows the item's 办理方式 (issue 16): an item decided
// on the applicant's commitment, by rules or at the window is not reviewed by a department
// within its promised limit, and its guide and 一次性告知单 must not say it is.

// MaxPromiseNoteRunes is the longest 时限承诺说明.
const MaxPromiseNoteRunes = 100

// checkPromiseNote: the 时限承诺说明 (PromiseNote) is one short sentence of plain text.
func checkPromiseNote(v *errs.Validation, it *Item) {
	if it.PromiseNote == "" {
		return
	}
	v.Check(utf8.RuneCountInString(it.PromiseNote) <= MaxPromiseNoteRunes && !strings.ContainsAny(it.PromiseNote, "<>\r\n"),
		"promise_note", fmt.Sprintf("时限承诺说明须为一句话（不超过 %d 字，不含尖括号和换行）", MaxPromiseNoteRunes))
}

// inspectionWords mark a reason to come that is an inspection: under 告知承诺 that is the
// post-check after approval, never a visit before it.
var inspectionWords = []string{"勘验", "踏勘", "勘查", "核查", "现场检查", "现场审查"}

// checkCommitmentVisit: a 告知承诺 item does not make the applicant wait for an inspection before
// its approval — the inspection is the 事后核查.
func checkCommitmentVisit(v *errs.Validation, it *Item, mode string) {
	if mode != ModeCommitment {
		return
	}
	for _, w := range inspectionWords {
		if strings.Contains(it.VisitsReason, w) {
			v.Add("visits_reason", "告知承诺事项依承诺当即审批，审批前不到现场"+w+"（现场核查在审批后的事后核查中进行）：必须到现场的理由不能是"+w)
			return
		}
	}
}

// LimitWords is the guide's 办理时限 for the item's mode: 当场审批 for 告知承诺 (the post-check
// follows: PostCheckWords), 即时办结 for what the rules approve, 即办 at the window, else the
// promised limit — with the 时限承诺说明 when there is one.
func (it Item) LimitWords() string {
	var s string
	switch {
	case it.HandlingMode == ModeCommitment:
		s = "当场审批（依承诺当即审批通过）"
	case it.HandlingMode == ModeRules:
		s = "符合规则的即时办结（秒批）；转人工审核的"
		if it.PromisedLimit.Unit != Immediate {
			s += " "
		}
		s += it.manualLimit()
	case it.Handling == Immediate || it.PromisedLimit.Unit == Immediate:
		s = "即办（到窗口当场办结"
		if it.OnlineDepth >= 3 {
			s += "；网上申请的受理当日办结"
		}
		s += "）"
	default:
		s = it.PromisedLimit.String()
	}
	if it.PromiseNote != "" {
		s += "，" + strings.TrimRight(it.PromiseNote, "。")
	}
	return s
}

// manualLimit is how long a 秒批 case handed to a person may take: the promised limit; a
// version stored before Validate refused 即办 for it says what its clock does — due the day it
// was accepted, not 当场.
func (it Item) manualLimit() string {
	if it.PromisedLimit.Unit == Immediate {
		return "受理当日办结"
	}
	return it.PromisedLimit.String()
}

// PostCheckWords is when a 告知承诺 item is checked: "" for other modes.
func (it Item) PostCheckWords() string {
	if it.HandlingMode != ModeCommitment {
		return ""
	}
	return fmt.Sprintf("审批后 %d 个工作日内事后核查", it.PostCheckDays)
}

// CommitmentFallback says what happens to a 告知承诺 application not decided on the commitment
// (an applicant with a false commitment on record): the department reviews it within the
// promised limit. "" for other modes.
func (it Item) CommitmentFallback() string {
	if it.HandlingMode != ModeCommitment || !it.PromisedLimit.IsSet() {
		return ""
	}
	return "有承诺不实信用记录的申请人不适用告知承诺，由部门审查办理，承诺时限 " + it.PromisedLimit.String()
}

// FalseCommitment is what a false commitment means, as the guide and the notice say it.
const FalseCommitment = "事后核查发现承诺不实的，撤销审批决定（已发证照一并撤销），并记入申请人信用记录；在信用修复前，其再申请不适用告知承诺"

// GuideSteps are the steps the guide shows: the item's own for 审批 and 备案; for the modes that
// decide without a department's review, the mode's: 即办 — the authorised window (首席代表/授权
// 窗口) accepts, decides and hands out at once; 秒批 — the system decides by the rules and hands
// a case that fails them to the department; 告知承诺 — approved on the signed commitment at
// once, the department's post-check afterwards.
func (it Item) GuideSteps() []Step {
	now := Limit{Unit: Immediate}
	result := it.ResultName
	if result == "" {
		result = "办理结果"
	}
	switch it.HandlingMode {
	case ModeImmediate:
		return []Step{
			{Name: "受理、审核、办结一次完成（一柜办结）", Limit: now, Actor: "首席代表 / 授权窗口当场办结"},
			{Name: "出件（" + result + "）", Limit: now, Actor: "同一窗口当场交付"},
		}
	case ModeRules:
		return []Step{
			{Name: "受理", Limit: now, Actor: "综合窗口或网上申请"},
			{Name: "秒批审核", Limit: now, Actor: "系统按规则自动审批；不符合规则的转部门人工审核（" + it.manualLimit() + "）"},
			{Name: "出件（" + result + "）", Limit: now, Actor: "综合窗口或电子送达"},
		}
	case ModeCommitment:
		return []Step{
			{Name: "受理并签署告知承诺书", Limit: now, Actor: "综合窗口或网上签署"},
			{Name: "依承诺审批", Limit: now, Actor: "当即审批通过，不再逐项审查"},
			{Name: "出件（" + result + "）", Limit: now, Actor: "综合窗口或电子送达"},
			{Name: "事后核查", Limit: Limit{Value: it.PostCheckDays, Unit: WorkingDay}, Actor: "部门在审批后核查，承诺不实的撤销决定"},
		}
	}
	return it.Steps
}

// MailsOriginals: an item needing no visit asks for paper originals by post (a material of the
// applicant's with originals); otherwise everything is submitted online.
func (it Item) MailsOriginals() bool {
	if it.Visits != 0 || it.OnlineDepth == 4 {
		return false
	}
	for _, m := range it.Materials {
		if m.Source == SourceApplicant && m.Originals > 0 {
			return true
		}
	}
	return false
}

// FalseCommitmentWords is FalseCommitment for a template.
func (it Item) FalseCommitmentWords() string { return FalseCommitment }

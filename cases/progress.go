package cases

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"

	"banhao/catalog"
	"banhao/network"
)

// What an applicant sees of a case (办件查询 /track, 我的办事): the road from the application to
// the result in their own words — received, accepted, in review, decided, the result in hand —
// and never the center's own work on it (认领, 释放, 预警, 一件事内部的阶段流转, 工作人员备注).

// The stages of the road an applicant follows.
const (
	StageReceived = 1 + iota // 收到申请
	StageAccepted            // 受理
	StageReview              // 审查
	StageDecided             // 办理决定
	StageResult              // 领取结果
)

var stageNames = [...]string{StageReceived: "收到申请", StageAccepted: "受理", StageReview: "审查", StageDecided: "办理决定", StageResult: "领取结果"}

// CitizenStep is what one internal timeline event is to the applicant.
type CitizenStep struct {
	// Stage is the stage of the road the event completes; 0 for a step on the way (补正, 暂停…),
	// which belongs to the stage the case has reached.
	Stage int
	// Name says what happened, in the applicant's words.
	Name string
	// Ends: the case stops here (不予受理, 撤回, 终止); the stages after it are not shown.
	Ends bool
}

// citizenSteps lists the events an applicant sees. Every other event — claim, release, warning,
// commitment_missed, stage, and whatever internal event comes later — stays inside the center.
var citizenSteps = map[string]CitizenStep{
	"submit":     {Stage: StageReceived, Name: "已收到申请"},
	"correction": {Name: "需要补正材料"},
	"supply":     {Name: "已补交材料"},
	"accept":     {Stage: StageAccepted, Name: "已受理"},
	"reject":     {Stage: StageAccepted, Name: "不予受理", Ends: true},
	"suspend":    {Name: "暂停计时（特别程序或依法中止，期间不计入办理时限）"},
	"resume":     {Name: "恢复计时"},
	"extend":     {Name: "依法延长办理期限"},
	"decide":     {Stage: StageDecided, Name: "已作出决定"},
	"deliver":    {Stage: StageResult, Name: "已出件"},
	"route":      {Name: "办件流转（受理地 → 审批地 → 出件地）"},
	"withdraw":   {Name: "申请已撤回", Ends: true},
	"terminate":  {Name: "已终止办理", Ends: true},
}

// CitizenStepOf maps an internal timeline event (its action name) to what the applicant sees;
// shown is false for the center's internal work.
func CitizenStepOf(action string) (step CitizenStep, shown bool) {
	step, shown = citizenSteps[action]
	return step, shown
}

// CitizenTimeline keeps the events an applicant may see, in order.
func CitizenTimeline(events []Event) []Event {
	out := make([]Event, 0, len(events))
	for _, e := range events {
		if _, ok := CitizenStepOf(e.Action); ok {
			out = append(out, e)
		}
	}
	return out
}

// Stage states.
const (
	StateDone    = "done"
	StateCurrent = "current"
	StateTodo    = "todo"
	StateStopped = "stopped"
)

// RoadStep is one stage of the road as the applicant sees it: its name, whether it is done,
// under way, still to come or where the case stopped, when it was reached, what it means now,
// and the dated steps on the way (补正, 补交, 暂停, 延期).
type RoadStep struct {
	Stage int
	Name  string
	State string
	At    time.Time // zero while not reached
	Text  string
	Notes []Note
}

// Note is a dated step on the way.
type Note struct {
	At   time.Time
	Text string
}

// Result is how the applicant gets the result: the offered ways, the place and its hours, or
// how it was handed over (the mail tracking number).
type Result struct {
	Name           string   // the item's 办理结果, e.g. 营业执照
	Approved       bool     // false: the decision is a refusal (不予许可决定书)
	Methods        []string // names of the offered delivery methods
	Where, Hours   string
	Certificate    bool   // an e-certificate was issued
	Delivered      bool   // handed over
	Method         string // name of the method used, once handed over
	TrackingNumber string
	Electronic     bool // handed over electronically: viewed and downloaded on the applicant's own pages
	// InTransit: the paper result is on its way to the 出件地 (Where), not there yet: no 请领取
	// until it is signed for there, when a text tells the applicant (as the decision's text said).
	InTransit bool
}

// Progress is a case as its applicant follows it.
type Progress struct {
	Road []RoadStep
	// Outcome: "" while under way; approved, denied, rejected (不予受理), withdrawn, terminated.
	Outcome string
	Reason  string // of a refusal
	Basis   string // of a 不予受理
	Result  *Result
}

// CitizenProgress builds what the applicant sees of c, the case of item it: the stages of the
// road with their days, the decision with its reason, and where and when to collect the result
// (or the mail tracking number). Only the events CitizenStepOf shows are read.
func CitizenProgress(c Case, it catalog.Item) Progress {
	road := make([]RoadStep, StageResult)
	for i := range road {
		road[i] = RoadStep{Stage: i + 1, Name: stageNames[i+1], State: StateTodo}
	}
	reached, stopped := 0, false // the last stage done
	var stopNote Note
	for _, e := range c.Timeline {
		step, ok := CitizenStepOf(e.Action)
		if !ok {
			continue
		}
		switch {
		case step.Ends && step.Stage == 0:
			stopped, stopNote = true, Note{At: e.At, Text: step.Name}
		case step.Stage > 0:
			for s := reached + 1; s < step.Stage; s++ { // 即办: accepted and decided at once
				road[s-1].State, road[s-1].At = StateDone, e.At
			}
			road[step.Stage-1].State, road[step.Stage-1].At, road[step.Stage-1].Text = StateDone, e.At, step.Name
			reached = step.Stage
			if step.Ends {
				road[step.Stage-1].State, stopped = StateStopped, true
			}
		default:
			at := max(reached, StageReceived)
			if reached == StageAccepted {
				at = StageReview // after acceptance the steps on the way belong to the review
			}
			text := step.Name
			if e.Action == "route" { // the places themselves, not the three words for them
				if t := eventText(e.Detail); t != "" {
					text = "办件流转：" + t
				}
			}
			road[at-1].Notes = append(road[at-1].Notes, Note{At: e.At, Text: text})
		}
	}
	if reached == 0 { // a case always starts with its submission; an old one may lack the event
		road[0].State, road[0].At, road[0].Text, reached = StateDone, c.SubmittedAt, "已收到申请", StageReceived
	}
	if c.Channel != "" && road[StageReceived-1].Text == "已收到申请" {
		road[StageReceived-1].Text = "申请已提交（" + channelNames[c.Channel] + "）"
	}
	var p Progress
	due := ""
	if c.Due != nil {
		due = c.Due.String()
	}
	// What each stage means now.
	switch {
	case stopped && c.Status == Rejected:
		p.Outcome, p.Reason, p.Basis = "rejected", c.RejectReason, c.RejectBasis
		road[StageAccepted-1].Text = "不予受理：" + c.RejectReason
	case stopped:
		p.Outcome = string(c.Status)
		if c.Status == Revoked {
			p.Reason = stopNote.Text
		}
		cur := min(reached+1, StageResult)
		if reached == StageAccepted {
			cur = StageReview
		}
		road[cur-1].State, road[cur-1].At, road[cur-1].Text = StateStopped, stopNote.At, stopNote.Text
		reached = cur
	}
	if !stopped {
		if c.Status == Correction {
			road[StageReceived-1].Text = "材料需要补正：" + strings.Join(materialNames(it, c.Missing), "、") + "。补齐后即予受理"
		}
		if reached >= StageAccepted && due != "" {
			road[StageAccepted-1].Text = "已受理，承诺 " + due + " 前办结"
			if decidedOnAcceptance(c) { // 告知承诺, 秒批, 即办: no later day was ever waited for
				road[StageAccepted-1].Text = "已受理，当日办结"
			}
		}
		next := reached + 1
		if next <= StageResult {
			road[next-1].State = StateCurrent
		}
		switch next {
		case StageAccepted:
			if c.Status != Correction {
				road[next-1].Text = "等待受理"
			} else {
				road[next-1].Text = "补齐材料后受理"
			}
		case StageReview:
			road[StageReview-1].Text = "正在审查"
			if due != "" {
				road[StageReview-1].Text += "，承诺 " + due + " 前办结"
			}
			if c.Status == Suspended {
				road[StageReview-1].Text = "暂停计时（特别程序或依法中止），恢复后继续审查"
			}
		}
		if reached >= StageDecided {
			road[StageReview-1].Text = "审查完成"
			if c.DecidedOn != nil && c.Due != nil && *c.DecidedOn <= *c.Due {
				road[StageReview-1].Text = "审查完成，在承诺时限内办结"
			}
			p.Outcome, p.Reason = c.Decision, c.DecisionReason
			res := &Result{Name: it.ResultName, Approved: c.Decision != "denied", Where: it.Where, Hours: it.Hours,
				Certificate: c.ResultCertificate != ""}
			switch { // 出件地: the center the applicant chose, or the post
			case c.DeliveryCenter == network.ByMail:
				res.Where, res.Hours = "邮寄送达", ""
			case c.DeliveryCenterName != "" && !strings.HasPrefix(it.Where, c.DeliveryCenterName):
				res.Where, res.Hours = c.DeliveryCenterName, ""
			}
			if c.DeliveryMethod != "" { // the way chosen for this case, else the item's ways
				res.Methods = []string{catalog.DeliveryNames[c.DeliveryMethod]}
			} else {
				for _, m := range it.DeliveryMethods {
					res.Methods = append(res.Methods, catalog.DeliveryNames[m])
				}
			}
			if res.Approved {
				road[StageDecided-1].Text = "准予办理"
			} else {
				road[StageDecided-1].Text = "不予办理：" + c.DecisionReason
				res.Name = RefusalTitle
			}
			if c.Status == Delivered {
				res.Delivered, res.Method, res.TrackingNumber = true, catalog.DeliveryNames[c.DeliveryMethod], c.TrackingNumber
				res.Electronic = c.DeliveryMethod == "electronic"
				road[StageResult-1].Text = deliveredText(c)
			} else if c.ResultInTransit {
				res.InTransit = true
				road[StageResult-1].Text = res.Name + "正在送往" + res.Where + "，送达后将短信通知您领取"
			} else {
				road[StageResult-1].Text = "请领取：" + res.Name
			}
			p.Result = res
		}
	}
	// The stages after a stop are not part of this case's road.
	if stopped {
		road = road[:reached]
	}
	p.Road = road
	return p
}

var channelNames = map[string]string{"window": "窗口", "online": "网上办事大厅", "kiosk": "24 小时自助终端", "agent": "代办"}

func deliveredText(c Case) string {
	switch c.DeliveryMethod {
	case "mail":
		return "已邮寄，快递单号 " + c.TrackingNumber
	case "electronic":
		return "已电子送达"
	case "window":
		return "已在窗口领取"
	}
	return "已出件"
}

// materialNames names the materials of it by their ids (an id the item lacks is shown as is).
func materialNames(it catalog.Item, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id
		if m, ok := materialByID(it, id); ok {
			out[i] = m.Name
		}
	}
	return out
}

// NormalizeNumber folds a case number as people type it — full-width characters, dashes of
// other kinds, spaces anywhere, lower case — into the number's own form: "371600－20261203－00001"
// and " 371600 - 20261203 - 00001" both become "371600-20261203-00001".
func NormalizeNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r == '‐' || r == '‑' || r == '‒' || r == '–' || r == '—' || r == '―' || r == '−' || r == 'ー':
			return '-'
		}
		return unicode.ToUpper(r)
	}, width.Fold.String(s))
}

// NormalizeDigits folds full-width digits and drops spaces (the last four digits of a phone).
func NormalizeDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, width.Fold.String(s))
}

// decidedOnAcceptance reports a case decided on the day it was accepted (the system on a
// commitment or by its rules, a clerk's 即办): its road says so rather than a promised day.
func decidedOnAcceptance(c Case) bool {
	return c.AcceptedOn != nil && c.DecidedOn != nil && *c.AcceptedOn == *c.DecidedOn
}

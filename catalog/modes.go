package catalog

import (
	"slices"
	"strings"

	"banhao/errs"
)

// Handling modes (办理方式, issue 16): how an application is decided. 审批 is the path every item
// took before: a clerk accepts, an approver decides, the clerk delivers.
const (
	ModeApproval   = "approval"   // 审批
	ModeImmediate  = "immediate"  // 即办: decided at the window by an authorised clerk (一柜办结)
	ModeRules      = "rules"      // 秒批: decided by the item's rules, a person when they fail
	ModeCommitment = "commitment" // 告知承诺: approved on the applicant's signed commitment, checked afterwards
	ModeFiling     = "filing"     // 备案: recorded, not approved
)

// HandlingModes lists the modes in the order the editor and the catalog filter show them.
var HandlingModes = []string{ModeApproval, ModeImmediate, ModeRules, ModeCommitment, ModeFiling}

// HandlingModeNames are the modes' names.
var HandlingModeNames = map[string]string{ModeApproval: "审批", ModeImmediate: "即办", ModeRules: "秒批",
	ModeCommitment: "告知承诺", ModeFiling: "备案"}

// HandlingModeWords say to an applicant what each mode means for them (the guide).
var HandlingModeWords = map[string]string{
	ModeApproval:   "窗口受理后由部门审批，在承诺时限内办结",
	ModeImmediate:  "到窗口办理、材料齐全的，窗口当场审核、当场办结（窗口即办），不用再跑第二趟；网上申请的，由窗口受理、部门审批，受理当日办结，不是当场办结",
	ModeRules:      "系统按规则自动审核，符合条件的即时办结；不符合的转人工审核",
	ModeCommitment: "您书面承诺符合条件、所交材料真实的，部门依承诺作出决定，不再逐项审查；事后核查，承诺不实的撤销决定并记入信用记录",
	ModeFiling:     "不需审批，按要求提交备案材料即可",
}

// Reform modes of the 证照分离 reform: which of its four ways the item was reformed (optional).
const (
	ReformCancel     = "cancel"     // 直接取消审批
	ReformToFiling   = "to_filing"  // 审批改为备案
	ReformCommitment = "commitment" // 实行告知承诺
	ReformOptimize   = "optimize"   // 优化审批服务
)

// ReformModes lists the 证照分离 modes; "" means the item is not in the reform's list.
var ReformModes = []string{ReformCancel, ReformToFiling, ReformCommitment, ReformOptimize}

// ReformModeNames are the 证照分离 modes' names.
var ReformModeNames = map[string]string{ReformCancel: "直接取消审批", ReformToFiling: "审批改为备案",
	ReformCommitment: "实行告知承诺", ReformOptimize: "优化审批服务"}

// HandlingModeName is the item's handling mode in words (审批 when unset).
func (it Item) HandlingModeName() string {
	if it.HandlingMode == "" {
		return HandlingModeNames[ModeApproval]
	}
	return HandlingModeNames[it.HandlingMode]
}

// HandlingModeWords is what the item's mode means for the applicant.
func (it Item) HandlingModeWords() string {
	if it.HandlingMode == "" {
		return HandlingModeWords[ModeApproval]
	}
	return HandlingModeWords[it.HandlingMode]
}

// ReformModeName is the item's 证照分离 mode in words, "" when it has none.
func (it Item) ReformModeName() string { return ReformModeNames[it.ReformMode] }

// ParseHandlingMode reads a mode from its code or its name (审批, 即办…); "" is 审批.
func ParseHandlingMode(s string) (string, bool) {
	return parseMode(s, HandlingModeNames, ModeApproval)
}

// ParseReformMode reads a 证照分离 mode from its code or its name; "" (or 无) is none.
func ParseReformMode(s string) (string, bool) {
	if t := strings.TrimSpace(s); t == "无" || t == "否" {
		return "", true
	}
	return parseMode(s, ReformModeNames, "")
}

func parseMode(s string, names map[string]string, empty string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return empty, true
	}
	for code, name := range names {
		if s == code || s == name {
			return code, true
		}
	}
	return "", false
}

// checkModes is the handling-mode part of Validate: known modes, and a 证照分离 mode that agrees
// with the handling mode and a 即办 item whose promised limit is 即办 (a 秒批 item's limit in days
// is CheckRulesLimit, which needs the stored version).
func checkModes(v *errs.Validation, it *Item) {
	mode := it.HandlingMode
	if mode == "" { // not normalised yet: 审批
		mode = ModeApproval
	}
	if _, ok := HandlingModeNames[mode]; !ok {
		v.Add("handling_mode", "办理方式须为审批、即办、秒批、告知承诺或备案")
		return
	}
	if it.ReformMode != "" {
		if _, ok := ReformModeNames[it.ReformMode]; !ok {
			v.Add("reform_mode", "证照分离改革方式须为直接取消审批、审批改为备案、实行告知承诺、优化审批服务或留空")
			return
		}
	}
	switch it.ReformMode {
	case ReformCancel:
		v.Check(mode != ModeApproval, "handling_mode", "证照分离改革方式为直接取消审批的事项，办理方式不能是审批")
	case ReformToFiling:
		v.Check(mode == ModeFiling, "handling_mode", "证照分离改革方式为审批改为备案的事项，办理方式须为备案")
	case ReformCommitment:
		v.Check(mode == ModeCommitment, "handling_mode", "证照分离改革方式为实行告知承诺的事项，办理方式须为告知承诺")
	}
	checkCommitment(v, it, mode)
	checkCommitmentVisit(v, it, mode)
	checkPromiseNote(v, it)
	if mode == ModeImmediate && it.PromisedLimit.IsSet() {
		v.Check(it.PromisedLimit.Unit == Immediate, "promised_limit", "办理方式为即办的事项，承诺时限须为即办")
	}
}

// CheckRulesLimit: a 秒批 case the rules do not approve goes to a person, so a 秒批 item's
// promised limit is that person's, in days — "即办" would promise the applicant a decision
// nobody is there to make. The rule is for a draft or published write that sets the limit:
// retiring (废止) is always allowed, and a limit kept as it was — the item's stored version's,
// re-imported unchanged, or the standard item's that a derived item inherits — stays allowed
// (a version stored before the rule says 受理当日办结, manualLimit). kept lists those limits.
func CheckRulesLimit(it Item, status string, kept ...Limit) error {
	if status == StatusRetired || it.HandlingMode != ModeRules || !it.PromisedLimit.IsSet() || it.PromisedLimit.Unit != Immediate {
		return nil
	}
	if slices.Contains(kept, it.PromisedLimit) {
		return nil
	}
	return errs.Invalid("promised_limit", "办理方式为秒批的事项，承诺时限是不符合规则、转人工审核的办件的时限，须为工作日或自然日，不能是即办")
}

// QueryModes reads the catalog filter's modes (code or name; "" for any), naming the one that
// is not a mode.
func QueryModes(handling, reform string) (string, string, error) {
	var h, r string
	var ok bool
	if strings.TrimSpace(handling) != "" {
		if h, ok = ParseHandlingMode(handling); !ok {
			return "", "", errs.Invalid("handling_mode", "办理方式须为审批、即办、秒批、告知承诺或备案")
		}
	}
	if t := strings.TrimSpace(reform); t != "" && t != "无" && t != "否" {
		if r, ok = ParseReformMode(reform); !ok {
			return "", "", errs.Invalid("reform_mode", "证照分离改革方式须为直接取消审批、审批改为备案、实行告知承诺或优化审批服务")
		}
	}
	return h, r, nil
}

package catalog

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"banhao/errs"
	"banhao/network"
)

// 清单标准全域统一: a standard item is defined once for the city; each region's implementing item
// (实施清单) derives from it and stores a full copy (a version document like any other, so cases,
// guides and exports read it unchanged) whose standard fields must equal the standard's. The
// region sets only what is local: its department, place, hours, phones, delivery methods and
// steps, and it may be stricter — a shorter promised limit, fewer visits, deeper online service.
// CheckDerived is the rule; the service applies it on every write of a derived item (the API, the
// pages, an import), and a new standard version is copied into every derived item as a draft
// (Rebase) that the region reviews and publishes.

// limitWords renders a limit as the rules' messages quote it: "5 个工作日", "即办".
func limitWords(l Limit) string {
	switch l.Unit {
	case WorkingDay:
		return fmt.Sprintf("%d 个工作日", l.Value)
	case NaturalDay:
		return fmt.Sprintf("%d 个自然日", l.Value)
	case Immediate:
		return "即办"
	}
	return "未设置"
}

// CheckDerived checks an implementing item against the standard item it derives from and
// returns every rule it breaks, each naming its field: nothing the standard fixes may differ,
// and what a region may set may only be stricter.
func CheckDerived(std, d Item) error {
	var v errs.Validation
	if std.StandardCode != "" {
		v.Add("standard_code", fmt.Sprintf("事项 %s 本身是实施事项，不能作为标准事项", std.Code))
		return v.Err()
	}
	v.Check(d.StandardCode == std.Code, "standard_code", fmt.Sprintf("实施事项须依据标准事项 %s", std.Code))
	v.Check(d.Code != std.Code, "code", "实施事项的实施编码不能与标准事项相同")
	switch {
	case d.RegionCode == std.RegionCode:
		v.Add("region_code", "实施事项须属于标准事项所在区划之下的区划，不能与标准事项同一区划")
	case std.RegionCode != "" && !network.Within(d.RegionCode, std.RegionCode):
		v.Add("region_code", fmt.Sprintf("实施区划 %s 不在标准事项的区划 %s 之内", d.RegionCode, std.RegionCode))
	}
	same := func(field, label, a, b string) {
		if a != b {
			v.Add(field, fmt.Sprintf("%s须与标准一致（标准为「%s」）", label, Excerpt(b)))
		}
	}
	same("name", "事项名称", d.Name, std.Name)
	same("type", "事项类型", d.Type, std.Type)
	same("legal_basis", "设定依据", d.LegalBasis, std.LegalBasis)
	same("conditions", "受理条件", d.Conditions, std.Conditions)
	same("handling_mode", "办理方式", d.HandlingMode, std.HandlingMode)
	same("reform_mode", "证照分离改革方式", d.ReformMode, std.ReformMode)
	same("tongban", "通办范围", d.Tongban, std.Tongban)
	same("result_name", "审批结果名称", d.ResultName, std.ResultName)
	same("result_certificate_type", "审批结果证照类型", d.ResultCertificate, std.ResultCertificate)
	// What decides without waiting is the standard's: the 承诺书, the 秒批 rules and the payment.
	same("commitment", "承诺书", d.Commitment, std.Commitment)
	same("commitment_scope", "告知承诺适用范围", d.CommitmentScope, std.CommitmentScope)
	if d.PostCheckDays > std.PostCheckDays || (std.PostCheckDays > 0 && d.PostCheckDays < 1) {
		v.Add("post_check_days", fmt.Sprintf("事后核查时限不得长于标准（标准 %d 个工作日）", std.PostCheckDays))
	}
	if d.RulesText() != std.RulesText() {
		v.Add("rules", "秒批规则须与标准一致")
	}
	if pd, ps := jsonText(d.Payment), jsonText(std.Payment); pd != ps {
		v.Add("payment", "支付指令须与标准一致")
	}
	if d.LegalLimit != std.LegalLimit {
		v.Add("legal_limit", fmt.Sprintf("法定时限须与标准一致（标准 %s）", limitWords(std.LegalLimit)))
	}
	if std.PromisedLimit.IsSet() && (!d.PromisedLimit.IsSet() || !limitLE(d.PromisedLimit, std.PromisedLimit)) {
		v.Add("promised_limit", fmt.Sprintf("承诺时限不得长于标准（标准 %s）", limitWords(std.PromisedLimit)))
	}
	if d.Visits > std.Visits {
		v.Add("visits", fmt.Sprintf("到现场次数不得多于标准（标准 %d 次）", std.Visits))
	}
	if d.OnlineDepth < std.OnlineDepth {
		v.Add("online_depth", fmt.Sprintf("网办深度不得低于标准（标准 %d 级）", std.OnlineDepth))
	}
	if d.Fee != std.Fee {
		if d.Fee.Charged && !std.Fee.Charged {
			v.Add("fee", "不得收取标准以外的费用（标准不收费）")
		} else {
			v.Add("fee", "收费标准和依据须与标准一致")
		}
	}
	if d.ExtensionAllowed && !std.ExtensionAllowed {
		v.Add("extension_allowed", "标准不允许延期，实施事项不得允许延期")
	}
	if d.SpecialProceduresAllowed && !std.SpecialProceduresAllowed {
		v.Add("special_procedures_allowed", "标准不允许特别程序，实施事项不得允许特别程序")
	}

	// Materials: every standard material, no looser; none added (不得擅自增加申请材料).
	byID := map[string]int{}
	for i, m := range d.Materials {
		byID[m.ID] = i
	}
	for _, sm := range std.Materials {
		i, ok := byID[sm.ID]
		if !ok {
			v.Add("materials", fmt.Sprintf("不得删减标准材料「%s」", sm.Name))
			continue
		}
		m, f := d.Materials[i], fmt.Sprintf("materials[%d]", i)
		switch {
		case m.Name != sm.Name:
			v.Add(f+".name", fmt.Sprintf("标准材料「%s」的名称不得更改", sm.Name))
		case sm.Required && !m.Required:
			v.Add(f+".required", fmt.Sprintf("不得放宽标准材料「%s」：标准为必需材料", sm.Name))
		case m.Deferrable && !sm.Deferrable:
			v.Add(f+".deferrable", fmt.Sprintf("不得放宽标准材料「%s」：标准不允许容缺后补", sm.Name))
		case m.Required != sm.Required || m.Deferrable != sm.Deferrable:
			v.Add(f+".required", fmt.Sprintf("标准材料「%s」的必需与容缺要求须与标准一致", sm.Name))
		case m.Source != sm.Source || m.CertificateType != sm.CertificateType:
			v.Add(f+".source", fmt.Sprintf("标准材料「%s」的来源须与标准一致", sm.Name))
		case m.Originals != sm.Originals || m.Copies != sm.Copies || m.Form != sm.Form:
			v.Add(f+".copies", fmt.Sprintf("标准材料「%s」的形式和份数须与标准一致", sm.Name))
		}
	}
	inStd := map[string]bool{}
	for _, sm := range std.Materials {
		inStd[sm.ID] = true
	}
	for i, m := range d.Materials {
		if !inStd[m.ID] {
			v.Add(fmt.Sprintf("materials[%d]", i), fmt.Sprintf("不得增加标准以外的材料「%s」", m.Name))
		}
	}
	return v.Err()
}

// Local is what a region sets of its implementing item; a nil limit or visit count keeps the
// standard's.
type Local struct {
	// Code is the implementing item's code; "" makes one from the standard's (its area code and
	// credit code replaced by the region's and the department's).
	Code           string   `json:"code"`
	RegionCode     string   `json:"region_code"`
	Department     string   `json:"department"`
	Where          string   `json:"where"`
	Hours          string   `json:"hours"`
	ConsultPhone   string   `json:"consult_phone"`
	ComplaintPhone string   `json:"complaint_phone"`
	PromisedLimit  *Limit   `json:"promised_limit"`
	Visits         *int     `json:"visits"`
	OnlineDepth    *int     `json:"online_depth"`
	Delivery       []string `json:"delivery_methods"`
	// Status is draft (the default: the region reviews and publishes it) or published.
	Status string `json:"status"`
}

// Rebase makes a derived item from the standard and the local item (an earlier version of the
// derived item, or the standard itself for a new one): every standard field from std, the local
// fields from local, and a promised limit, visit count and online depth no looser than std's.
// Steps are kept while they fit the promised limit, else their limits are cleared.
func Rebase(std, local Item) Item {
	d := std
	d.Code, d.RegionCode, d.Department, d.Level = local.Code, local.RegionCode, local.Department, local.Level
	d.StandardCode = std.Code
	d.Where, d.Hours, d.ConsultPhone, d.ComplaintPhone = local.Where, local.Hours, local.ConsultPhone, local.ComplaintPhone
	d.DeliveryMethods = slices.Clone(local.DeliveryMethods)
	d.Group = local.Group
	d.Status, d.Version, d.UpdatedAt = "", 0, local.UpdatedAt
	d.Materials = slices.Clone(std.Materials)
	d.Keywords, d.Themes = slices.Clone(std.Keywords), slices.Clone(std.Themes)
	d.PromisedLimit = std.PromisedLimit
	if local.PromisedLimit.IsSet() && std.PromisedLimit.IsSet() && limitLE(local.PromisedLimit, std.PromisedLimit) {
		d.PromisedLimit = local.PromisedLimit
	}
	d.Visits, d.VisitsReason = min(local.Visits, std.Visits), std.VisitsReason
	d.OnlineDepth = max(local.OnlineDepth, std.OnlineDepth)
	if d.OnlineDepth == 4 {
		d.Visits = 0
	}
	d.Handling = ""
	d.Steps = fitSteps(slices.Clone(local.Steps), d.PromisedLimit)
	return d
}

// fitSteps keeps the steps' limits while they add up to at most the promised limit in its unit,
// else clears them (the region sets its own steps when it edits the item).
func fitSteps(steps []Step, promised Limit) []Step {
	sum := 0
	fits := true
	for _, s := range steps {
		if !s.Limit.IsSet() || s.Limit.Unit == Immediate {
			continue
		}
		if promised.Unit != s.Limit.Unit {
			fits = false
		}
		sum += s.Limit.Value
	}
	if sum == 0 || fits && sum <= promised.Value {
		return steps
	}
	for i := range steps {
		steps[i].Limit = Limit{}
	}
	return steps
}

// DerivedCode makes an implementing item's code from the standard's: the 12-digit area code
// and the 18-character credit code in it replaced by the region's and the department's, or the
// region's code appended when the standard's code has no area code.
func DerivedCode(std, region, credit string) string {
	parts := strings.Split(std, "-")
	found := false
	for i, p := range parts {
		switch {
		case len(p) == 12 && strings.Trim(p, "0123456789") == "":
			parts[i], found = region, true
		case len(p) == 18 && credit != "" && found:
			parts[i] = credit
		}
	}
	if !found {
		return std + "-" + region
	}
	return strings.Join(parts, "-")
}

// OnceOnly reports whether an item is on the 一次办好 list: at most one visit.
func OnceOnly(it Item) bool { return it.Visits <= 1 }

// jsonText is a value's JSON, to compare nested parts of an item.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

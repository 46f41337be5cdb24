// Package catalog publishes the center's service items (事项清单) and their guides (办事指南):
// sections, departments, items with versions, the consistency rules, search, import and export.
package catalog

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"banhao/autodecide"
	"banhao/errs"
	"banhao/ids"
	"banhao/network"
)

// Item types (事项类型). The first six are administrative-power items; 公共服务 is the other kind.
var Types = []string{"行政许可", "行政给付", "行政确认", "行政奖励", "行政裁决", "其他行政权力", "公共服务"}

// IsAdministrativePower reports whether an item type counts among the administrative powers.
func IsAdministrativePower(t string) bool { return t != "公共服务" && slices.Contains(Types, t) }

// Item statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusRetired   = "retired"
)

// Limit units.
const (
	WorkingDay = "working_day"
	NaturalDay = "natural_day"
	Immediate  = "immediate"
)

// Limit is a time limit: N working days, N natural days, or 即办. The zero value means "not set".
type Limit struct {
	Value int    `json:"value"`
	Unit  string `json:"unit"`
}

// IsSet reports whether the limit has a unit.
func (l Limit) IsSet() bool { return l.Unit != "" }

// String renders the limit for people: "5个工作日", "即办".
func (l Limit) String() string {
	switch l.Unit {
	case WorkingDay:
		return fmt.Sprintf("%d个工作日", l.Value)
	case NaturalDay:
		return fmt.Sprintf("%d个自然日", l.Value)
	case Immediate:
		return "即办"
	}
	return "—"
}

// Ref names a department or a section: {"code","name"} on output; on input a plain "CODE"
// string is accepted too (API.md's PUT form).
type Ref struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// UnmarshalJSON accepts "CODE" or {"code","name"}.
func (r *Ref) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &r.Code)
	}
	type plain Ref
	return json.Unmarshal(b, (*plain)(r))
}

// Fee says whether an item is charged and on what basis.
type Fee struct {
	Charged  bool   `json:"charged"`
	Standard string `json:"standard,omitempty"`
	Basis    string `json:"basis"`
}

// Material sources.
const (
	SourceApplicant   = "applicant"
	SourceCertificate = "certificate"
	SourceShared      = "shared"
)

// Material is a document the item requires.
type Material struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Required        bool   `json:"required"`
	Deferrable      bool   `json:"deferrable"`
	Source          string `json:"source"`
	CertificateType string `json:"certificate_type"`
	Form            string `json:"form,omitempty"` // paper, electronic, or both
	Originals       int    `json:"originals,omitempty"`
	Copies          int    `json:"copies,omitempty"`
	Sample          string `json:"sample,omitempty"`
	Note            string `json:"note,omitempty"`
}

// Step is one processing step with its own limit.
type Step struct {
	Name  string `json:"name"`
	Limit Limit  `json:"limit"`
	Actor string `json:"actor,omitempty"`
}

// Item is one service item as implemented by one department (实施清单), in one version. Its JSON
// form is the public guide of API.md.
type Item struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	Department Ref    `json:"department"`
	Section    Ref    `json:"section"`
	RegionCode string `json:"region_code,omitempty"`
	Group      string `json:"group,omitempty"`
	Status     string `json:"status,omitempty"`
	Version    int    `json:"version,omitempty"`
	// StandardCode names the city's standard item this implementing item derives from (清单标准
	// 全域统一, derive.go): it may set only what is local, checked by CheckDerived. "" for a
	// standard or stand-alone item.
	StandardCode string `json:"standard_code,omitempty"`

	// Keywords are the words people use for the item (别名/俗称: 营业执照 for 企业设立登记).
	Keywords []string `json:"keywords,omitempty"`
	// Themes are the codes of the life events (Themes) the item is browsed under.
	Themes []string `json:"themes,omitempty"`

	LegalBasis string `json:"legal_basis,omitempty"`
	Conditions string `json:"conditions,omitempty"`
	// Handling is "immediate" (即办件) or "promised" (承诺件); derived from the promised limit when empty.
	Handling string `json:"handling,omitempty"`
	// HandlingMode is the 办理方式 (modes.go): approval (审批, the default), immediate (即办),
	// rules (秒批), commitment (告知承诺) or filing (备案).
	HandlingMode string `json:"handling_mode"`
	// ReformMode is the item's 证照分离 reform mode, "" when it is not in the reform's list.
	ReformMode    string `json:"reform_mode"`
	LegalLimit    Limit  `json:"legal_limit"`
	PromisedLimit Limit  `json:"promised_limit"`
	Visits        int    `json:"visits"`
	VisitsReason  string `json:"visits_reason"`
	OnlineDepth   int    `json:"online_depth"`
	Fee           Fee    `json:"fee"`
	// PromiseNote is the 时限承诺说明, one sentence the guide shows beside the limit: "由20个工作
	// 日压缩至3个工作日，力争1个工作日办结" (guide.go). "" for none.
	PromiseNote string `json:"promise_note,omitempty"`
	// CommitmentScope is, for a 告知承诺 item, what the commitment path covers when it covers
	// less than the item ("仅限从事预包装食品销售的低风险经营者"): the guide says it at the top, by
	// the mode (commitment.go). "" for the whole item.
	CommitmentScope string `json:"commitment_scope,omitempty"`

	// Payment, when set, pays the applicant on approval (秒到账, payment.go).
	Payment *Payment `json:"payment,omitempty"`

	// DeferredPolicy says what a missed 容缺 commitment does: "warn" (default) or "terminate".
	DeferredPolicy string `json:"deferred_policy,omitempty"`

	// Commitment is the 承诺书 a 告知承诺 item's applicant signs, PostCheckDays the working days
	// within which the department checks the commitment afterwards (事后核查时限; commitment.go).
	Commitment    string `json:"commitment,omitempty"`
	PostCheckDays int    `json:"post_check_days,omitempty"`

	ExtensionAllowed         bool `json:"extension_allowed"`
	SpecialProceduresAllowed bool `json:"special_procedures_allowed"`
	// Tongban is the 通办范围: "" (only in its own region), "city" (全市通办), "province" (全省通办)
	// or "national" (跨省通办); network.Accepts says which centers take the item.
	Tongban string `json:"tongban"`
	// Level is the 行使层级: which level decides the item (市, 县, 乡…); "" is its region's level.
	Level string `json:"level,omitempty"`
	// Citywide is read only, from documents and files written before Tongban: true is 全市通办
	// (legacy moves it there, so it is never written again).
	Citywide bool `json:"citywide,omitempty"`

	// Rules are the 秒批 rules of a rules item (rules.go): form fields, rules, examples.
	Rules *autodecide.Set `json:"rules,omitempty"`

	Materials []Material `json:"materials"`
	Steps     []Step     `json:"steps"`

	ResultType string `json:"result_type,omitempty"`
	ResultName string `json:"result_name,omitempty"`
	// ResultCertificate names the certificate type (电子证照) an approval issues, if any.
	ResultCertificate string   `json:"result_certificate_type,omitempty"`
	DeliveryMethods   []string `json:"delivery_methods,omitempty"`
	Where             string   `json:"where,omitempty"`
	Hours             string   `json:"hours,omitempty"`
	ConsultPhone      string   `json:"consult_phone,omitempty"`
	ComplaintPhone    string   `json:"complaint_phone,omitempty"`

	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// legacy reads what a document written before 通办范围 said: "citywide": true is 全市通办.
func (it *Item) legacy() {
	if it.Citywide && it.Tongban == "" {
		it.Tongban = network.TongbanCity
	}
	it.Citywide = false
	if it.HandlingMode == "" { // documents written before 办理方式: every item was 审批
		it.HandlingMode = ModeApproval
	}
}

// TongbanName is the item's 通办范围 in words (全市通办…; "" for none).
func (it Item) TongbanName() string {
	if it.Tongban == "" {
		return ""
	}
	return network.TongbanNames[it.Tongban]
}

// Scope is what network.Accepts needs to know of the item: its region, 行使层级 and 通办范围.
func (it Item) Scope() network.Scope {
	return network.Scope{Region: it.RegionCode, Level: it.Level, Tongban: it.Tongban}
}

// Delivery methods (出件方式).
var DeliveryMethods = []string{"window", "mail", "electronic"}

// DeliveryNames are the Chinese names of DeliveryMethods.
var DeliveryNames = map[string]string{"window": "窗口领取", "mail": "邮寄送达", "electronic": "电子送达"}

var (
	codeRe     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	materialRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
)

// Normalize trims text fields and fills derivable defaults; it changes nothing a rule checks.
func (it *Item) Normalize() {
	it.legacy()
	trim := func(p *string) { *p = strings.TrimSpace(*p) }
	for _, p := range []*string{&it.Code, &it.Name, &it.Type, &it.Department.Code, &it.Section.Code, &it.RegionCode, &it.Group,
		&it.LegalBasis, &it.Conditions, &it.Handling, &it.VisitsReason, &it.ResultType, &it.ResultName, &it.ResultCertificate, &it.Where, &it.Hours,
		&it.ConsultPhone, &it.ComplaintPhone, &it.Fee.Basis, &it.Fee.Standard, &it.Tongban, &it.Level, &it.HandlingMode, &it.ReformMode, &it.StandardCode, &it.Commitment, &it.PromiseNote, &it.CommitmentScope} {
		trim(p)
	}
	if it.HandlingMode == "" {
		it.HandlingMode = ModeApproval
	}
	normalizePayment(it.Payment)
	if it.Handling == "" && it.PromisedLimit.IsSet() {
		it.Handling = "promised"
		if it.PromisedLimit.Unit == Immediate {
			it.Handling = "immediate"
		}
	}
	if it.RegionCode == "" {
		it.RegionCode = RegionFromCode(it.Code)
	}
	it.Keywords, it.Themes = normalizeWords(it.Keywords), normalizeWords(it.Themes)
	for i := range it.Materials {
		m := &it.Materials[i]
		trim(&m.ID)
		trim(&m.Name)
		if m.Source == "" {
			m.Source = SourceApplicant
		}
	}
	if it.Materials == nil {
		it.Materials = []Material{}
	}
	if it.Steps == nil {
		it.Steps = []Step{}
	}
}

// RegionFromCode takes the 12-digit area code out of an implementation code
// (<basic code>-<area code>-000-<credit code>-<n>-<nn>), or "".
func RegionFromCode(code string) string {
	for _, p := range strings.Split(code, "-") {
		if len(p) == 12 && strings.Trim(p, "0123456789") == "" {
			return p
		}
	}
	return ""
}

// Validate checks an item against the catalog's consistency rules and returns every broken
// rule at once, each naming its field. A published item must also be complete (limits set).
func Validate(it *Item, status string) error {
	var v errs.Validation
	v.Check(codeRe.MatchString(it.Code), "code", "实施编码须为 1–100 位字母、数字或 . _ -")
	v.Check(it.Name != "", "name", "事项名称不能为空")
	v.Check(utf8.RuneCountInString(it.Name) <= 200, "name", "事项名称不能超过 200 字")
	v.Check(slices.Contains(Types, it.Type), "type", "事项类型须为："+strings.Join(Types, "、"))
	v.Check(it.Department.Code != "" || it.Department.Name != "", "department", "须指定实施部门")
	checkWords(&v, it.Keywords, it.Themes)
	checkModes(&v, it)
	checkRules(&v, it, status)
	checkPayment(&v, it)
	v.Check(slices.Contains(network.Tongbans, it.Tongban), "tongban", "通办范围须为空（不通办）、city（全市通办）、province（全省通办）或 national（跨省通办）")
	if err := network.ValidItemLevel(it.Level, it.RegionCode); err != nil {
		v.Add("level", err.(*errs.Error).Message)
	}
	v.Check(status == StatusDraft || status == StatusPublished || status == StatusRetired, "status", "状态须为草稿、已发布或已停用")

	checkLimit(&v, "legal_limit", it.LegalLimit)
	checkLimit(&v, "promised_limit", it.PromisedLimit)
	if status != StatusDraft {
		v.Check(it.LegalLimit.IsSet(), "legal_limit", "发布的事项须有法定时限")
		v.Check(it.PromisedLimit.IsSet(), "promised_limit", "发布的事项须有承诺时限")
		v.Check(it.OnlineDepth != 0, "online_depth", "发布的事项须有网办深度（1–4）")
	}
	if it.LegalLimit.IsSet() && it.PromisedLimit.IsSet() {
		if !limitLE(it.PromisedLimit, it.LegalLimit) {
			v.Add("promised_limit", fmt.Sprintf("承诺时限（%s）不能超过法定时限（%s）", it.PromisedLimit, it.LegalLimit))
		}
	}
	switch it.Handling {
	case "":
	case "immediate":
		v.Check(it.PromisedLimit.Unit == Immediate, "promised_limit", "即办件的承诺时限须为即办")
	case "promised":
		v.Check(!it.PromisedLimit.IsSet() || it.PromisedLimit.Unit != Immediate, "handling", "承诺时限为即办的事项，办件类型应为即办件")
	default:
		v.Add("handling", "办件类型须为即办件或承诺件")
	}
	v.Check(it.OnlineDepth >= 0 && it.OnlineDepth <= 4, "online_depth", "网办深度须为 1–4")
	v.Check(it.Visits >= 0 && it.Visits <= 10, "visits", "到现场次数须为 0–10")
	if it.OnlineDepth == 4 {
		v.Check(it.Visits == 0, "visits", "网办深度为 4（全程网办）的事项到现场次数须为 0")
	}
	if it.Visits > 0 {
		v.Check(it.VisitsReason != "", "visits_reason", "到现场次数大于 0 时须说明必须到现场的理由")
	}
	if it.Fee.Charged {
		v.Check(it.Fee.Basis != "", "fee.basis", "收费事项须写明收费依据")
	}
	v.Check(it.DeferredPolicy == "" || it.DeferredPolicy == "warn" || it.DeferredPolicy == "terminate", "deferred_policy",
		"容缺逾期处理须为预警或终止办理")
	for _, d := range it.DeliveryMethods {
		v.Check(slices.Contains(DeliveryMethods, d), "delivery_methods", fmt.Sprintf("出件方式“%s”无效，可选窗口领取、邮寄送达、电子送达", Excerpt(d)))
	}

	// Steps add up to at most the promised limit.
	sum := Limit{Unit: it.PromisedLimit.Unit}
	for i, s := range it.Steps {
		f := fmt.Sprintf("steps[%d]", i)
		v.Check(s.Name != "", f+".name", "环节名称不能为空")
		if !s.Limit.IsSet() {
			continue
		}
		checkLimit(&v, f+".limit", s.Limit)
		if it.PromisedLimit.IsSet() && s.Limit.Unit != Immediate && it.PromisedLimit.Unit != Immediate && s.Limit.Unit != it.PromisedLimit.Unit {
			v.Add(f+".limit", "环节时限的单位须与承诺时限一致")
			continue
		}
		if s.Limit.Unit != Immediate {
			sum.Value += s.Limit.Value
		}
	}
	if it.PromisedLimit.IsSet() && sum.Value > 0 && !limitLE(sum, it.PromisedLimit) {
		v.Add("steps", fmt.Sprintf("各环节时限之和（%d）超过承诺时限（%s）", sum.Value, it.PromisedLimit))
	}

	// Materials: unique ids; 容缺 only for required ones, and never all of them.
	seen := map[string]bool{}
	required, requiredFirm, deferrable := 0, 0, 0
	for i, m := range it.Materials {
		f := fmt.Sprintf("materials[%d]", i)
		v.Check(materialRe.MatchString(m.ID), f+".id", "材料编号须为 1–32 位字母、数字、_ 或 -")
		if seen[m.ID] {
			v.Add(f+".id", fmt.Sprintf("材料编号 %q 重复", m.ID))
		}
		seen[m.ID] = true
		v.Check(m.Name != "", f+".name", "材料名称不能为空")
		v.Check(m.Source == SourceApplicant || m.Source == SourceCertificate || m.Source == SourceShared, f+".source", "材料来源须为申请人提供、电子证照或共享数据")
		if m.Source == SourceCertificate {
			v.Check(m.CertificateType != "", f+".certificate_type", "来源为电子证照的材料须指定证照类型")
		}
		v.Check(m.Form == "" || m.Form == "paper" || m.Form == "electronic" || m.Form == "both", f+".form", "材料形式须为纸质、电子或纸质和电子")
		v.Check(m.Originals >= 0 && m.Copies >= 0, f+".copies", "原件、复印件份数不能为负数")
		if m.Deferrable {
			v.Check(m.Required, f+".deferrable", "只有必需材料才能标为容缺可后补")
			deferrable++
		}
		if m.Required {
			required++
			if !m.Deferrable {
				requiredFirm++
			}
		}
	}
	if deferrable > 0 && requiredFirm == 0 {
		v.Add("materials", "容缺可后补的材料不能是唯一的必需材料：至少要有一项必需材料不可容缺")
	}
	return v.Err()
}

func checkLimit(v *errs.Validation, field string, l Limit) {
	switch l.Unit {
	case "":
		v.Check(l.Value == 0, field+".unit", "设置了时限天数却没有单位")
	case Immediate:
		v.Check(l.Value == 0, field+".value", "即办时限的天数须为 0")
	case WorkingDay, NaturalDay:
		v.Check(l.Value >= 1 && l.Value <= 3650, field+".value", "时限天数须为 1–3650")
	default:
		v.Add(field+".unit", "时限单位须为工作日、自然日或即办")
	}
}

// limitLE reports a ≤ b. 即办 is shorter than any day count; working and natural days are not
// comparable and so must match.
func limitLE(a, b Limit) bool {
	switch {
	case a.Unit == Immediate:
		return true
	case b.Unit == Immediate:
		return false
	case a.Unit != b.Unit:
		return false
	}
	return a.Value <= b.Value
}

// Section is one of the hall's service sections (版块).
type Section struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Sort        int    `json:"sort,omitempty"`
	Status      string `json:"status,omitempty"`
	ItemCount   int    `json:"item_count"`
}

// Department is an implementing body (实施主体).
type Department struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	CreditCode string `json:"credit_code,omitempty"`
	RegionCode string `json:"region_code,omitempty"`
	// Kind says which department this is across regions: the county's 公安局 (code GAJ-371603)
	// has the kind of the city's (GAJ). A code is unique in the whole network (items, cases and
	// accounts name a department by it alone); a kind once per region. Empty means the code.
	Kind      string `json:"kind,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Status    string `json:"status,omitempty"`
	ItemCount int    `json:"item_count,omitempty"`
}

var simpleCodeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// MaxSort is the largest sort number of a section.
const MaxSort = 99999

func validateSection(s Section) error {
	var v errs.Validation
	v.Check(simpleCodeRe.MatchString(s.Code), "code", "版块编码须为 1–64 位字母、数字或 . _ -")
	v.Check(strings.TrimSpace(s.Name) != "", "name", "版块名称不能为空")
	v.Check(utf8.RuneCountInString(s.Name) <= 100, "name", "版块名称不能超过 100 字")
	v.Check(s.Sort >= 0 && s.Sort <= MaxSort, "sort", fmt.Sprintf("排序须为 0–%d 的整数（小的在前）", MaxSort))
	return v.Err()
}

func validateDepartment(d Department) error {
	var v errs.Validation
	v.Check(simpleCodeRe.MatchString(d.Code), "code", "部门编码须为 1–64 位字母、数字或 . _ -")
	v.Check(strings.TrimSpace(d.Name) != "", "name", "部门名称不能为空")
	v.Check(utf8.RuneCountInString(d.Name) <= 100, "name", "部门名称不能超过 100 字")
	v.Check(d.CreditCode == "" || ids.ValidCreditCode(d.CreditCode), "credit_code",
		"统一社会信用代码无效：须为 18 位数字或大写字母，最后一位校验码须符合 GB 32100（可不填）")
	v.Check(d.Phone == "" || ids.ValidOfficePhone(d.Phone), "phone", "电话"+ids.OfficePhoneRule)
	v.Check(d.Kind == "" || simpleCodeRe.MatchString(d.Kind), "kind", "部门类别须为 1–64 位字母、数字或 . _ -")
	v.Check(d.RegionCode == "" || network.ValidCode(d.RegionCode) == nil, "region_code", "区划代码须为 12 位数字（前六位为 GB/T 2260 代码）")
	return v.Err()
}

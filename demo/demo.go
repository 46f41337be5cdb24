// Package demo loads the demo center: a Binzhou-style hall with 10 sections, 53 departments,
// at least 339 published items (of them 58 fully specified common items) and one account per
// role. Filler items take their names from shared/data/real-district-items.csv (public data of
// Guang'an District, Sichuan) and are given illustrative limits, materials and steps; their names
// lose what only makes sense in Sichuan (names.go) and each goes to the Binzhou department
// competent for its subject (district.go).
package demo

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	_ "embed"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/certs"
	"banhao/errs"
	"banhao/identity"
	"banhao/ids"
	"banhao/queue"
	"banhao/store"
)

//go:embed real-district-items.csv
var realDistrictCSV string

// Targets of the demo catalog: a Binzhou-size hall.
const (
	AdminPowerItems   = 294
	OtherPowerItems   = 45
	CenterName        = "滨州市政务服务中心"
	CenterCode        = "BZ-ZWFW"
	centerAddress     = "滨州市黄河五路 391 号"
	consultPhone      = "0543-12345"
	centerHours       = "周一至周五 8:30–12:00，13:30–17:30（法定节假日除外）；24 小时自助服务区全天开放"
	complaintPhoneNum = "12345"
	// CenterAddress and CenterHotline are what `serve --demo` shows where an installation gives
	// its own (BANHAO_CENTER_ADDRESS, BANHAO_CENTER_HOTLINE).
	CenterAddress = centerAddress
	CenterHotline = consultPhone
)

// Account is a demo account as printed for the user; Center is the center it works at ("" for
// the main center).
type Account struct {
	Username, Password, Role, Department, Name, Center string
	// Note says what else the account may do (a window authorisation).
	Note string
}

// Empty reports whether the database holds no catalog and no account yet.
func Empty(ctx context.Context, db *store.DB) (_ bool, err error) {
	defer errs.Wrap(&err, "demo.Empty")
	var n int
	err = db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM items) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM departments)`).Scan(&n)
	return n == 0, err
}

// Services are what the demo center is loaded through; Hall, Certs and Applicants are optional.
type Services struct {
	Catalog    *catalog.Service
	Users      *identity.Service
	Hall       *queue.Service
	Certs      *certs.Service
	Applicants *identity.Applicants
	// Cases, when given, receives the demo's window authorisations (OneStepGrants).
	Cases *cases.Service
}

// loadGrants authorises the demo's window clerks, granted by their department's approver, from
// the start of 2025 to the end of 2030.
func loadGrants(ctx context.Context, svc *cases.Service, f *catalog.File) error {
	for _, g := range OneStepGrants {
		code := ""
		for _, it := range f.Items {
			if strings.HasPrefix(it.Code, g.ItemKey[:1]+"37"+g.ItemKey[1:]+"000000-") {
				code = it.Code
			}
		}
		if code == "" {
			return fmt.Errorf("demo grant: no item %s", g.ItemKey)
		}
		by := audit.Actor{Username: g.By, Role: string(identity.Approver), Department: g.Department}
		if _, err := svc.GrantWindow(ctx, by, cases.GrantInput{Username: g.Username, Department: g.Department, Item: code, Kind: g.Kind,
			StartsOn: calendar.MustDate("2025-01-01"), EndsOn: calendar.MustDate("2030-12-31")}); err != nil {
			return fmt.Errorf("demo grant %s: %w", g.Username, err)
		}
	}
	return nil
}

// Load fills an empty database with the demo center and returns the demo accounts.
func Load(ctx context.Context, db *store.DB, svc Services) (_ []Account, err error) {
	defer errs.Wrap(&err, "demo.Load")
	cat, users, hall := svc.Catalog, svc.Users, svc.Hall
	empty, err := Empty(ctx, db)
	if err != nil {
		return nil, err
	}
	if !empty {
		return nil, fmt.Errorf("demo: the database already holds data; the demo center loads only into an empty database")
	}
	if err := loadNetwork(ctx, db); err != nil {
		return nil, err
	}
	f, err := Catalog()
	if err != nil {
		return nil, err
	}
	if _, err := cat.Import(ctx, audit.System, f); err != nil {
		return nil, fmt.Errorf("demo catalog: %w", err)
	}
	if err := loadImplementingLists(ctx, cat, f); err != nil {
		return nil, err
	}
	out := Accounts()
	// Every demo account has the one published password: hashed once, not 32 times (2 s of a
	// demo start, 20 s under -race).
	hash, err := users.HashPassword(DemoPassword)
	if err != nil {
		return nil, err
	}
	for _, a := range out {
		if _, err := users.AddUser(ctx, audit.System, identity.NewUser{Username: a.Username, DisplayName: a.Name,
			PasswordHash: hash, Role: identity.Role(a.Role), Department: a.Department, Center: a.Center}); err != nil {
			return nil, fmt.Errorf("demo account %s: %w", a.Username, err)
		}
	}
	if svc.Cases != nil {
		if err := loadGrants(ctx, svc.Cases, f); err != nil {
			return nil, err
		}
	}
	if hall != nil {
		if err := LoadHall(ctx, hall); err != nil {
			return nil, err
		}
		if err := loadTownshipHalls(ctx, hall); err != nil {
			return nil, err
		}
	}
	if svc.Certs != nil && svc.Applicants != nil {
		if err := LoadCertificates(ctx, svc.Certs, svc.Applicants); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Accounts lists the demo accounts as Load creates them.
func Accounts() []Account {
	out := make([]Account, len(demoUsers))
	for i, u := range demoUsers {
		out[i] = Account{Username: u.username, Password: DemoPassword, Role: u.role, Department: u.dept, Name: u.name, Center: u.center}
		for _, g := range OneStepGrants {
			if g.Username == u.username {
				out[i].Note = "住房公积金提取（购买住房）首席代表：窗口当场办结（一柜办结）"
			}
		}
	}
	return out
}

// SyntheticCatalog is the demo catalog grown to n published items (for benchmarks): the real
// district names repeat with a numbered suffix and codes of their own.
func SyntheticCatalog(n int) (_ *catalog.File, err error) {
	defer errs.Wrap(&err, "demo.SyntheticCatalog")
	f, err := Catalog()
	if err != nil {
		return nil, err
	}
	base := f.Items
	for i := 0; len(f.Items) < n; i++ {
		it := base[i%len(base)]
		it.Code = fmt.Sprintf("%s-S%05d", it.Code, i)
		it.Name = fmt.Sprintf("%s（分中心%d）", it.Name, i/len(base)+1)
		f.Items = append(f.Items, it)
	}
	return f, nil
}

// creditCode gives department i a unified social credit code with valid check characters:
// 1 (机构编制) 1 (机关) + area 371600 + organisation code + check.
func creditCode(i int) string { return creditCodeIn("371600", i) }

// creditCodeIn is creditCode for a department of the area (six digits).
func creditCodeIn(area string, i int) string {
	body := fmt.Sprintf("%08d", 4260000+i*37)
	oc, _ := ids.OrgCodeCheck(body)
	first := "11" + area + body + string(oc)
	c, _ := ids.CreditCodeCheck(first)
	return first + string(c)
}

// Catalog builds the demo catalog as an import file, so it goes through the same rules as any.
func Catalog() (_ *catalog.File, err error) {
	defer errs.Wrap(&err, "demo.Catalog")
	f := &catalog.File{}
	for i, s := range sections {
		f.Sections = append(f.Sections, catalog.Section{Code: s.code, Name: s.name, Description: s.desc, Sort: (i + 1) * 10})
	}
	credit := map[string]string{}
	for i, d := range departments {
		credit[d.code] = creditCode(i)
		f.Departments = append(f.Departments, catalog.Department{Code: d.code, Name: d.name, CreditCode: credit[d.code],
			RegionCode: RegionCode, Phone: consultPhone})
	}
	f.Departments = append(f.Departments, countyDepartments()...)
	names := map[string]bool{}
	admin, other := 0, 0
	for _, s := range fullItems {
		it, err := s.item(credit[s.dept])
		if err != nil {
			return nil, err
		}
		f.Items = append(f.Items, it)
		names[it.Name] = true
		if catalog.IsAdministrativePower(it.Type) {
			admin++
		} else {
			other++
		}
	}
	fill, err := fillerItems(credit, names, AdminPowerItems-admin, OtherPowerItems-other)
	if err != nil {
		return nil, err
	}
	f.Items = append(f.Items, fill...)
	if f.Bundles, err = bundles(f.Items[:len(fullItems)]); err != nil {
		return nil, err
	}
	addWords(f) // words.go: keywords and themes
	return f, nil
}

// bundles builds the demo 一件事 from item names.
func bundles(items []catalog.Item) ([]catalog.Bundle, error) {
	code := map[string]string{}
	for _, it := range items {
		code[it.Name] = it.Code
	}
	var out []catalog.Bundle
	for _, d := range demoBundles {
		b := catalog.Bundle{Code: d.code, Name: d.name, Description: d.desc, Status: catalog.StatusPublished, Deferrable: d.deferrable,
			PromisedLimit: catalog.Limit{Value: d.days, Unit: catalog.WorkingDay}}
		for _, st := range d.stages {
			stage := catalog.Stage{Name: st[0].(string)}
			for _, name := range st[1].([]string) {
				c, ok := code[name]
				if !ok {
					return nil, fmt.Errorf("demo bundle %s: no item %q", d.name, name)
				}
				stage.Items = append(stage.Items, c)
			}
			b.Stages = append(b.Stages, stage)
		}
		for _, f := range d.fields {
			ff := catalog.FormField{Key: f.key, Label: f.label, Type: f.typ, Required: f.required, Options: f.options}
			if len(f.items) == 1 && f.items[0] == "*" {
				ff.Items = b.Items()
			} else {
				for _, name := range f.items {
					ff.Items = append(ff.Items, code[name])
				}
			}
			b.Form.Fields = append(b.Form.Fields, ff)
		}
		if err := catalog.ValidateBundle(&b, b.Status); err != nil {
			return nil, fmt.Errorf("demo bundle %s: %w", d.name, err)
		}
		out = append(out, b)
	}
	return out, nil
}

func parseLimit(s string) catalog.Limit {
	if s == "0" {
		return catalog.Limit{Unit: catalog.Immediate}
	}
	unit := catalog.WorkingDay
	if strings.HasSuffix(s, "n") {
		unit, s = catalog.NaturalDay, strings.TrimSuffix(s, "n")
	}
	n, _ := strconv.Atoi(s)
	return catalog.Limit{Value: n, Unit: unit}
}

// standardSteps splits a promised limit into 受理 / 审查 / 决定 / 制证送达.
func standardSteps(l catalog.Limit, result string) []catalog.Step {
	now := catalog.Limit{Unit: catalog.Immediate}
	switch {
	case l.Unit == catalog.Immediate:
		return []catalog.Step{{Name: "受理", Limit: now, Actor: "综合窗口"}, {Name: "审核办结", Limit: now, Actor: "部门审批人员"},
			{Name: "出件", Limit: now, Actor: "综合窗口"}}
	case l.Value == 1:
		return []catalog.Step{{Name: "受理", Limit: now, Actor: "综合窗口"}, {Name: "审查与决定", Limit: l, Actor: "部门审批人员"},
			{Name: "出件", Limit: now, Actor: "综合窗口"}}
	default:
		review := catalog.Limit{Value: l.Value - 1, Unit: l.Unit}
		return []catalog.Step{{Name: "受理", Limit: now, Actor: "综合窗口"}, {Name: "审查", Limit: review, Actor: "部门审批人员"},
			{Name: "决定", Limit: catalog.Limit{Value: 1, Unit: l.Unit}, Actor: "部门负责人"}, {Name: "制证与出件（" + result + "）", Limit: now, Actor: "综合窗口"}}
	}
}

// modeSteps are the steps an item stores for its mode (issue 16): the guide's for 即办, 秒批 and
// 告知承诺 (catalog.Item.GuideSteps) without the post-check, which follows the decision and is
// not part of the promised limit; the standard steps for 审批 and 备案.
func modeSteps(it catalog.Item, standard []catalog.Step) []catalog.Step {
	it.Steps = standard
	var out []catalog.Step
	for _, s := range it.GuideSteps() {
		if s.Name != "事后核查" {
			out = append(out, s)
		}
	}
	return out
}

// promiseNotes are the 时限承诺说明 of the seed's sped-up approvals: 投资项目 approvals "由20个工作日
// 压缩至3个工作日，力争1个工作日办结".
var promiseNotes = map[string]string{
	"A0057": "由20个工作日压缩至3个工作日，力争1个工作日办结",
	"A0058": "由20个工作日压缩至3个工作日，力争1个工作日办结",
}

// tongban is the 通办范围 of the fully specified items: what the seed names for 全市通办
// (居民身份证、驾驶证、医保社保、住房公积金) and the everyday items of companies; 跨省通办 where
// the national list has it.
var tongban = map[string]string{
	"G0033": "city", "G0034": "city", "G0035": "city", "A0036": "city", // 居民身份证, 户口, 出生登记, 驾驶证
	"G0010": "city", "C0040": "city", "B0041": "city", "C0042": "city", "C0043": "city", // 社保, 就业
	"C0044": "city", "B0046": "city", // 医保
	"C0011": "city", "C0047": "city", "C0048": "city", "C0049": "city", // 公积金
	"A0001": "city", "A0002": "city", "A0003": "city", "A0004": "city", "Z0007": "city", "Z0008": "city", // 企业开办
	"G0023": "city", "C0026": "city", // 不动产
	"C0045": "national", "Z0039": "national", // 异地就医备案, 个税汇算
}

// modes are the 办理方式 and 证照分离 modes of the fully specified items that are not 审批 (issue
// 16): 公积金提取 decided at the window (即办, 一柜办结), low-risk food retail on the applicant's
// commitment (告知承诺, with the district's fire check: commitments.go), and
// 城乡居民养老保险参保 decided by rules (秒批, its rules in rules.go).
var modes = map[string][2]string{
	"C0047": {catalog.ModeImmediate, ""},
	"A0005": {catalog.ModeCommitment, catalog.ReformCommitment},
	"C0043": {catalog.ModeRules, ""},
}

// toFiling are the demo's items of the 证照分离 reform's 审批改为备案: the 公章刻制业特种行业许可
// (国发〔2020〕13号: the licence gave way to 备案管理) and the 备案 that took its place.
var toFiling = map[string]bool{"公章刻制业特种行业许可证核发": true, "公章刻制备案": true}

// modeOf is the 办理方式 of an item not listed in modes, as its name and guide say it (issue 16):
// a 备案 is 备案 (审批改为备案 where the reform made it so); an item promised 即办 is 即办 — a clerk
// authorised for it decides at the window, any other clerk accepts it for the department as
// before; everything else is 审批.
func modeOf(name string, promised catalog.Limit) (mode, reform string) {
	switch {
	case toFiling[name]:
		return catalog.ModeFiling, catalog.ReformToFiling
	case strings.HasSuffix(name, "备案") || strings.Contains(name, "备案") && !strings.Contains(name, "审批"):
		return catalog.ModeFiling, ""
	case promised.Unit == catalog.Immediate:
		return catalog.ModeImmediate, ""
	}
	return "", ""
}

// OneStepGrants are the demo's window authorisations: the 公积金 首席代表 for 住房公积金提取.
var OneStepGrants = []struct{ Username, Department, ItemKey, Kind, By string }{
	{"clerk_gjj", "GJJ", "C0047", "chief", "approver_gjj"},
}

func (s spec) item(credit string) (catalog.Item, error) {
	it := catalog.Item{
		Code: s.key[:1] + "37" + s.key[1:] + "000000-" + RegionCode + "-000-" + credit + "-1-00",
		Name: s.name, Type: s.typ, Status: catalog.StatusPublished,
		Department: catalog.Ref{Code: s.dept}, Section: catalog.Ref{Code: s.section}, RegionCode: RegionCode,
		LegalBasis: s.basis, Conditions: s.conditions,
		LegalLimit: parseLimit(s.legal), PromisedLimit: parseLimit(s.promised),
		Visits: s.visits, VisitsReason: s.visitsReason, OnlineDepth: s.depth,
		Fee:              catalog.Fee{Charged: s.fee != "", Standard: s.fee, Basis: s.feeBasis},
		ExtensionAllowed: s.ext, SpecialProceduresAllowed: s.special,
		Tongban: tongban[s.key], Level: itemLevel(s),
		ResultType: "证照批文", ResultName: s.result, DeliveryMethods: []string{"window", "mail", "electronic"},
		ResultCertificate: resultCertificate(s),
		Where:             CenterName + "（" + centerAddress + "）" + sectionName(s.section) + "版块综合窗口", Hours: centerHours,
		ConsultPhone: consultPhone, ComplaintPhone: complaintPhoneNum,
	}
	if s.terminateMissed {
		it.DeferredPolicy = "terminate"
	}
	if m, ok := modes[s.key]; ok {
		it.HandlingMode, it.ReformMode = m[0], m[1]
		if c, ok := commitments[s.key]; ok {
			it.Commitment, it.PostCheckDays, it.CommitmentScope = c, CommitmentPostCheckDays, commitmentScopes[s.key]
		}
	} else {
		it.HandlingMode, it.ReformMode = modeOf(it.Name, it.PromisedLimit)
	}
	it.Rules = rules[s.key]           // 秒批 rules (rules.go)
	if p, ok := payments[s.key]; ok { // 秒到账 (payments.go)
		cp := *p
		it.Payment = &cp
	}
	if it.Conditions == "" {
		it.Conditions = "申请人符合法定条件，申请材料齐全、符合法定形式。"
	}
	if s.visits == 0 && s.depth < 4 {
		it.DeliveryMethods = []string{"window", "mail"}
	}
	if s.visits > 1 { // the result is signed for in person: the second trip
		it.DeliveryMethods = []string{"window"}
	}
	it.Steps = modeSteps(it, standardSteps(it.PromisedLimit, s.result))
	it.PromiseNote = promiseNotes[s.key]
	for i, m := range s.materials {
		name, flags, _ := strings.Cut(m, "|")
		mat := catalog.Material{ID: fmt.Sprintf("m%d", i+1), Name: name, Source: catalog.SourceApplicant, Form: "both", Originals: 1}
		if s.visits == 0 { // 不用跑: submitted online, no paper originals
			mat.Form, mat.Originals = "electronic", 0
		}
		for _, fl := range strings.Split(flags, ",") {
			switch {
			case fl == "r":
				mat.Required = true
			case fl == "o":
				mat.Required = false
			case fl == "d":
				mat.Deferrable = true
				mat.Note = "可容缺受理，须在承诺期限内补交"
			case fl == "s":
				mat.Source, mat.Form, mat.Originals = catalog.SourceShared, "electronic", 0
				mat.Note = "通过数据共享获取，申请人无需提交"
			case strings.HasPrefix(fl, "c="):
				mat.Source, mat.CertificateType, mat.Form = catalog.SourceCertificate, strings.TrimPrefix(fl, "c="), "electronic"
				mat.Note = "已有电子证照的免于提交"
			}
		}
		it.Materials = append(it.Materials, mat)
	}
	if err := catalog.Validate(&it, it.Status); err != nil {
		return it, fmt.Errorf("demo item %s: %w", s.name, err)
	}
	return it, nil
}

func sectionName(code string) string {
	for _, s := range sections {
		if s.code == code {
			return s.name
		}
	}
	return ""
}

// defaults per type for the filler items: legal and promised working days.
var fillerLimits = map[string][2]int{
	"行政许可": {20, 10}, "行政给付": {20, 10}, "行政确认": {20, 5}, "行政奖励": {30, 15},
	"行政裁决": {60, 30}, "其他行政权力": {15, 5}, "公共服务": {10, 3},
}

// resultCertificate: a licence-type item whose result is a certificate issues it on approval to
// the applicant. Registrations that create a new subject (设立) are left out: their certificate
// belongs to an organisation that does not exist before the decision.
func resultCertificate(s spec) string {
	if (s.typ == "行政许可" || s.typ == "行政确认") && isCertificateName(s.result) && !strings.Contains(s.name, "设立") {
		return s.result
	}
	return ""
}

// Place is where an account works, in words, for the printed list: its center (when not the
// main one) and its department.
func (a Account) Place() string {
	var parts []string
	for _, c := range demoCenters {
		if a.Center != "" && c.Code == a.Center {
			parts = append(parts, c.Name)
		}
	}
	for _, d := range departments {
		if d.code == a.Department {
			parts = append(parts, d.name)
		}
	}
	for _, d := range countyDepartments() {
		if d.Code == a.Department {
			parts = append(parts, d.Name)
		}
	}
	return strings.Join(parts, " · ")
}

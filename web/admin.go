package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"banhao/audit"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/network"
)

func (s *Server) registerAdminPages() {
	admin := roles(identity.Admin)
	s.handle("GET", "/admin", Page, roles(identity.Admin, identity.Auditor), func(w http.ResponseWriter, r *http.Request) error {
		return s.render(w, r, "admin/index", "中心管理", nil)
	})
	s.handle("GET", "/admin/items", Page, admin, s.adminItems)
	s.handle("GET", "/admin/items/new", Page, admin, s.adminNewItem)
	s.handle("GET", "/admin/items/{code}/edit", Page, admin, s.adminEditItem)
	s.handle("POST", "/admin/items", Page, admin, s.adminSaveItem, maxBody(formBody))
	s.handle("POST", "/admin/items/{code}/publish", Page, admin, s.adminItemAction(s.Catalog.Publish))
	s.handle("POST", "/admin/items/{code}/retire", Page, admin, s.adminItemAction(s.Catalog.Retire))
	s.handle("GET", "/admin/sections", Page, admin, s.adminSections)
	s.handle("POST", "/admin/sections", Page, admin, s.adminSaveSection)
	s.handle("POST", "/admin/sections/{code}/{op}", Page, admin, s.adminSectionStatus)
	s.handle("GET", "/admin/departments", Page, admin, s.adminDepartments)
	s.handle("POST", "/admin/departments", Page, admin, s.adminSaveDepartment)
	s.handle("POST", "/admin/departments/{code}/{op}", Page, admin, s.adminDepartmentStatus)
	s.handle("GET", "/admin/import", Page, admin, func(w http.ResponseWriter, r *http.Request) error {
		return s.render(w, r, "admin/import", "导入导出", map[string]any{"Form": newForm(nil, nil, nil)})
	})
	s.handle("POST", "/admin/import", Page, admin, s.adminImport, importLimit)
	s.handle("GET", "/admin/export", Page, admin, func(w http.ResponseWriter, r *http.Request) error {
		return s.export(w, r, r.URL.Query().Get("format"))
	})
	s.handle("GET", "/admin/users", Page, admin, func(w http.ResponseWriter, r *http.Request) error {
		return s.adminUsers(w, r, http.StatusOK, newForm(nil, nil, nil), userFlashes.text(r))
	})
	s.handle("POST", "/admin/users", Page, admin, s.adminAddUser)
	s.handle("GET", "/admin/users/{username}/edit", Page, admin, s.adminEditUser)
	s.handle("POST", "/admin/users/{username}", Page, admin, s.adminUpdateUser)
	s.handle("GET", "/admin/audit", Page, roles(identity.Admin, identity.Auditor), s.adminAudit)
}

// adminItemRow is one row of the admin item list; Mine says this admin may change the item.
type adminItemRow struct {
	catalog.StaffItem
	Mine bool
}

func (s *Server) adminItems(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 {
		page = 1
	}
	sq := catalog.StaffQuery{Q: q.Get("q"), Status: q.Get("status"), Limit: 50, Offset: (page - 1) * 50}
	items, total, err := s.Catalog.StaffItems(r.Context(), sq)
	if err != nil {
		return err
	}
	// The controls show only on the items this admin may change (catalog.MayChange).
	scope, err := s.Catalog.Scope(r.Context(), actor(r))
	if err != nil {
		return err
	}
	rows := make([]adminItemRow, len(items))
	for i, it := range items {
		rows[i] = adminItemRow{it, catalog.MayChange(scope, it.RegionCode)}
	}
	data := map[string]any{"Items": rows, "Total": total, "Query": sq,
		"Statuses": map[string]string{catalog.StatusDraft: "草稿", catalog.StatusPublished: "已发布", catalog.StatusRetired: "已废止"}}
	link := func(p int) string {
		v := url.Values{"q": {sq.Q}, "status": {sq.Status}, "page": {strconv.Itoa(p)}}
		return "/admin/items?" + v.Encode()
	}
	if page > 1 {
		data["Prev"] = link(page - 1)
	}
	if page*50 < total {
		data["Next"] = link(page + 1)
	}
	return s.render(w, r, "admin/items", "事项管理", data)
}

func (s *Server) adminNewItem(w http.ResponseWriter, r *http.Request) error {
	return s.itemForm(w, r, http.StatusOK, catalog.Item{Type: "行政许可", OnlineDepth: 3, Status: catalog.StatusDraft}, true, newForm(nil, nil, nil))
}

func (s *Server) adminEditItem(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalog.LatestItem(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.itemForm(w, r, http.StatusOK, it, false, newForm(nil, nil, nil))
}

type deliveryOption struct {
	Key, Name string
	On        bool
}

// itemForm renders the editor with a few blank rows for new materials and steps; on a failed
// save it shows every error and keeps everything that was typed.
func (s *Server) itemForm(w http.ResponseWriter, r *http.Request, status int, it catalog.Item, isNew bool, f *form) error {
	depts, err := s.Catalog.AllDepartments(r.Context())
	if err != nil {
		return err
	}
	secs, err := s.Catalog.AllSections(r.Context())
	if err != nil {
		return err
	}
	mats := append(append([]catalog.Material{}, it.Materials...), make([]catalog.Material, 3)...)
	for i := len(it.Materials); i < len(mats); i++ {
		mats[i] = catalog.Material{ID: fmt.Sprintf("m%d", i+1), Source: catalog.SourceApplicant, Originals: 1}
	}
	steps := append(append([]catalog.Step{}, it.Steps...), make([]catalog.Step, 2)...)
	var deliveries []deliveryOption
	for _, d := range catalog.DeliveryMethods {
		on := false
		for _, x := range it.DeliveryMethods {
			on = on || x == d
		}
		deliveries = append(deliveries, deliveryOption{d, catalog.DeliveryNames[d], on})
	}
	title := "新建事项"
	if !isNew {
		title = "编辑 " + it.Name
	}
	certTypes, err := s.Certs.Types(r.Context())
	if err != nil {
		return err
	}
	// 清单标准全域统一: a standard item's editor lists its implementing items and offers to derive
	// one; an implementing item's names its standard.
	var derived []catalog.DerivedItem
	standard := ""
	if !isNew && it.StandardCode == "" {
		if derived, err = s.Catalog.Derived(r.Context(), it.Code); err != nil {
			return err
		}
	} else if it.StandardCode != "" {
		if std, err := s.Catalog.LatestItem(r.Context(), it.StandardCode); err == nil {
			standard = std.Name
		}
	}
	// An item this admin may not change (catalog.MayChange) opens to be read, without the saves.
	scope, err := s.Catalog.Scope(r.Context(), actor(r))
	if err != nil {
		return err
	}
	mine := isNew || catalog.MayChange(scope, it.RegionCode)
	return s.renderStatus(w, r, status, "admin/item_form", title, map[string]any{"Item": it, "New": isNew, "Form": f, "Mine": mine,
		"Derived": derived, "StandardName": standard, "JustDerived": r.URL.Query().Get("derived") != "" && it.StandardCode != "",
		"Departments": catalog.ByName(depts), "Sections": secs, "Types": catalog.Types, "MaterialRows": mats, "StepRows": steps, "Deliveries": deliveries,
		"CertificateTypes": certTypes, "Themes": catalog.Themes, "Tongbans": network.Tongbans, "TongbanNames": network.TongbanNames,
		"Levels": network.Levels, "LevelNames": network.LevelNames,
		"HandlingModes": catalog.HandlingModes, "HandlingModeNames": catalog.HandlingModeNames,
		"ReformModes": catalog.ReformModes, "ReformModeNames": catalog.ReformModeNames})
}

// itemFields are the item editor's fields: the catalog's keys and the editor's own inputs (a
// number that is not one), the rows of materials and steps by their place.
func itemFields(materials, steps int) formFields {
	ff := formFields{
		"code": {"code", "实施编码"}, "name": {"name", "事项名称"}, "type": {"type", "事项类型"}, "department": {"department", "实施部门"},
		"section": {"section", "版块"}, "keywords": {"keywords", "关键词（别名/俗称）"}, "themes": {"themes", "主题"},
		"legal_limit": {"legal_limit_value", "法定时限"}, "legal_limit.unit": {"legal_limit_unit", "法定时限单位"},
		"promised_limit": {"promised_limit_value", "承诺时限"}, "promised_limit.unit": {"promised_limit_unit", "承诺时限单位"},
		"handling": {"promised_limit_unit", "承诺时限单位"}, "visits": {"visits", "到现场次数"}, "visits_reason": {"visits_reason", "必须到现场的理由"},
		"online_depth": {"online_depth", "网办深度"}, "fee": {"fee_standard", "收费标准"}, "fee.basis": {"fee_basis", "收费依据"},
		"delivery_methods": {"delivery_methods", "出件方式"}, "materials": {"materials", "申请材料"}, "steps": {"steps", "办理环节"},
		"status": {"", "状态"}, "deferred_policy": {"", "容缺到期处理"}, "tongban": {"tongban", "通办范围"}, "level": {"level", "行使层级"},
		"handling_mode": {"handling_mode", "办理方式"}, "reform_mode": {"reform_mode", "证照分离改革方式"},
		"commitment": {"commitment", "承诺书"}, "commitment_scope": {"commitment_scope", "告知承诺适用范围"}, "post_check_days": {"post_check_days", "事后核查时限（工作日）"},
		"promise_note": {"promise_note", "时限承诺说明"},
	}
	for _, k := range []string{"legal_limit_value", "promised_limit_value", "visits", "online_depth"} {
		ff[k] = ff[strings.TrimSuffix(k, "_value")]
	}
	for i := range materials {
		n, id := fmt.Sprintf("材料%d", i+1), fmt.Sprintf("m%d_", i)
		p := fmt.Sprintf("materials[%d]", i)
		ff[p] = formField{id + "name", n}
		for key, label := range map[string]string{"id": "编号", "name": "名称", "source": "来源", "certificate_type": "证照类型",
			"originals": "原件份数", "copies": "复印件份数", "deferrable": "可容缺", "required": "必需"} {
			ff[p+"."+key] = formField{id + key, n + label}
			ff[id+key] = formField{id + key, n + label}
		}
	}
	for i := range steps {
		n, id := fmt.Sprintf("环节%d", i+1), fmt.Sprintf("s%d_", i)
		p := fmt.Sprintf("steps[%d]", i)
		ff[p] = formField{id + "name", n}
		ff[p+".name"] = formField{id + "name", n + "名称"}
		ff[p+".limit"] = formField{id + "limit_value", n + "时限"}
		ff[p+".limit.unit"] = formField{id + "limit_unit", n + "单位"}
		ff[id+"limit_value"] = formField{id + "limit_value", n + "时限"}
	}
	ruleFormFields(ff) // 秒批 (rulesform.go)
	return ff
}

// itemFromForm reads the editor's fields; rows without a name are dropped.
func itemFromForm(r *http.Request) (catalog.Item, []errs.FieldError) {
	f := r.PostForm
	var bad []errs.FieldError
	num := func(key string) int {
		v := strings.TrimSpace(f.Get(key))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad = append(bad, errs.FieldError{Field: key, Message: "须为整数"})
		}
		return n
	}
	// days reads a time limit's number of days: empty where the unit counts days is 不能为空
	// (not "须为 1–3650" for a value nobody typed); a 即办 limit has no days.
	days := func(key string) int {
		unit := f.Get(strings.TrimSuffix(key, "_value") + "_unit")
		if strings.TrimSpace(f.Get(key)) == "" && (unit == catalog.WorkingDay || unit == catalog.NaturalDay) {
			bad = append(bad, errs.FieldError{Field: key, Message: "不能为空，请填写天数（1–3650 的整数）"})
			return 0
		}
		if v := strings.TrimSpace(f.Get(key)); v != "" {
			if _, err := strconv.Atoi(v); err != nil {
				bad = append(bad, errs.FieldError{Field: key, Message: "须为整数（天数，1–3650）"})
				return 0
			}
		}
		return num(key)
	}
	on := func(key string) bool { return f.Get(key) == "1" }
	it := catalog.Item{
		Code: f.Get("code"), Name: f.Get("name"), Type: f.Get("type"),
		Department: catalog.Ref{Code: f.Get("department")}, Section: catalog.Ref{Code: f.Get("section")},
		Keywords: catalog.SplitKeywords(f.Get("keywords")), Themes: f["themes"],
		LegalBasis: f.Get("legal_basis"), Conditions: f.Get("conditions"),
		LegalLimit:    catalog.Limit{Value: days("legal_limit_value"), Unit: f.Get("legal_limit_unit")},
		PromisedLimit: catalog.Limit{Value: days("promised_limit_value"), Unit: f.Get("promised_limit_unit")},
		PromiseNote:   f.Get("promise_note"),
		Visits:        num("visits"), VisitsReason: f.Get("visits_reason"), OnlineDepth: num("online_depth"),
		Fee:              catalog.Fee{Charged: on("fee_charged"), Standard: f.Get("fee_standard"), Basis: f.Get("fee_basis")},
		ExtensionAllowed: on("extension_allowed"), SpecialProceduresAllowed: on("special_procedures_allowed"),
		Tongban: f.Get("tongban"), Level: f.Get("level"), HandlingMode: f.Get("handling_mode"), ReformMode: f.Get("reform_mode"),
		Commitment: f.Get("commitment"), CommitmentScope: f.Get("commitment_scope"), PostCheckDays: num("post_check_days"),
		ResultName: f.Get("result_name"), ResultType: f.Get("result_type"), ResultCertificate: f.Get("result_certificate_type"),
		DeliveryMethods: f["delivery_methods"],
		Where:           f.Get("where"), Hours: f.Get("hours"), ConsultPhone: f.Get("consult_phone"), ComplaintPhone: f.Get("complaint_phone"),
	}
	if rs, err := catalog.ParseRules(f.Get("rules")); err != nil { // 秒批 rules (rulesform.go)
		bad = append(bad, errs.FieldError{Field: "rules", Message: err.Error()})
	} else {
		it.Rules = rs
	}
	it.Payment = paymentFromForm(f) // 秒到账 (payments.go)
	rows := min(num("material_rows"), 200)
	for i := range rows {
		p := fmt.Sprintf("m%d_", i)
		if strings.TrimSpace(f.Get(p+"name")) == "" {
			continue
		}
		it.Materials = append(it.Materials, catalog.Material{ID: strings.TrimSpace(f.Get(p + "id")), Name: f.Get(p + "name"),
			Required: on(p + "required"), Deferrable: on(p + "deferrable"), Source: f.Get(p + "source"),
			CertificateType: f.Get(p + "certificate_type"), Originals: num(p + "originals"), Copies: num(p + "copies")})
	}
	steps := min(num("step_rows"), 50)
	for i := range steps {
		p := fmt.Sprintf("s%d_", i)
		if strings.TrimSpace(f.Get(p+"name")) == "" {
			continue
		}
		it.Steps = append(it.Steps, catalog.Step{Name: f.Get(p + "name"), Actor: f.Get(p + "actor"),
			Limit: catalog.Limit{Value: days(p + "limit_value"), Unit: f.Get(p + "limit_unit")}})
	}
	return it, bad
}

func (s *Server) adminSaveItem(w http.ResponseWriter, r *http.Request) error {
	it, bad := itemFromForm(r)
	status := catalog.StatusPublished
	if r.PostFormValue("action") == "draft" {
		status = catalog.StatusDraft
	}
	prev, existsErr := s.Catalog.LatestItem(r.Context(), it.Code)
	isNew := existsErr != nil
	if !isNew {
		it = keepUnshown(prev, it)
	}
	// The editor shows the item's rows then three blank ones (itemForm): a row's error names it by
	// its place there.
	fields := withPaymentEditor(itemFields(len(it.Materials)+3, len(it.Steps)+2)) // 秒到账 (payments.go)
	if len(bad) > 0 {
		f := newForm(r.PostForm, fields, nil)
		f.add(fields, bad...)
		return s.itemForm(w, r, http.StatusBadRequest, it, isNew, f)
	}
	saved, err := s.Catalog.PutItem(r.Context(), actor(r), it, status)
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 && !errs.Is(err, errs.CodeNotFound) {
			it.Status = status
			return s.itemForm(w, r, st, it, isNew, newForm(r.PostForm, fields, err))
		}
		return err
	}
	http.Redirect(w, r, "/admin/items?q="+url.QueryEscape(saved.Code), http.StatusSeeOther)
	return nil
}

// keepUnshown carries over from the stored item what the editor does not show, so that a form
// posted back unchanged changes nothing: the region and group, the standard an implementing
// item derives from, the 容缺 policy, and each material's form (纸质/电子), sample and note
// (说明), matched by its 编号.
func keepUnshown(prev, it catalog.Item) catalog.Item {
	it.RegionCode, it.Group, it.StandardCode, it.DeferredPolicy = prev.RegionCode, prev.Group, prev.StandardCode, prev.DeferredPolicy
	// Checkboxes post in the editor's order: the same choice keeps the stored order.
	if sameSet(it.Themes, prev.Themes) {
		it.Themes = prev.Themes
	}
	if sameSet(it.DeliveryMethods, prev.DeliveryMethods) {
		it.DeliveryMethods = prev.DeliveryMethods
	}
	byID := map[string]catalog.Material{}
	for _, m := range prev.Materials {
		byID[m.ID] = m
	}
	for i, m := range it.Materials {
		if p, ok := byID[m.ID]; ok {
			it.Materials[i].Form, it.Materials[i].Sample, it.Materials[i].Note = p.Form, p.Sample, p.Note
		}
	}
	return it
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func (s *Server) adminItemAction(op func(ctx context.Context, by audit.Actor, code string) (catalog.Item, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := op(r.Context(), actor(r), r.PathValue("code")); err != nil {
			return err
		}
		http.Redirect(w, r, "/admin/items?q="+url.QueryEscape(r.PathValue("code")), http.StatusSeeOther)
		return nil
	}
}

type orgRow struct {
	Code, Name, Status string
	Count              int
}

func (s *Server) adminSections(w http.ResponseWriter, r *http.Request) error {
	return s.sectionsPage(w, r, http.StatusOK, newForm(nil, nil, nil), sectionFlashes.text(r))
}

// orgFields are the fields of the section and department forms.
var orgFields = formFields{"code": {"code", "编码"}, "name": {"name", "名称"}, "sort": {"sort", "排序"}, "description": {"description", "说明"},
	"credit_code": {"credit_code", "统一社会信用代码"}, "phone": {"phone", "电话"}, "status": {"", "状态"}}

func (s *Server) sectionsPage(w http.ResponseWriter, r *http.Request, status int, f *form, flash string) error {
	secs, err := s.Catalog.AllSections(r.Context())
	if err != nil {
		return err
	}
	rows := make([]orgRow, len(secs))
	for i, sec := range secs {
		rows[i] = orgRow{sec.Code, sec.Name, sec.Status, sec.ItemCount}
	}
	return s.renderStatus(w, r, status, "admin/orgs", "版块管理", map[string]any{"Title": "版块管理", "Action": "/admin/sections",
		"IsSection": true, "Rows": rows, "Form": f, "Flash": flash})
}

func (s *Server) adminSaveSection(w http.ResponseWriter, r *http.Request) error {
	sortText := strings.TrimSpace(r.PostFormValue("sort"))
	sort, err := strconv.Atoi(cmp.Or(sortText, "0"))
	if err != nil {
		return s.sectionsPage(w, r, http.StatusBadRequest, newForm(r.PostForm, orgFields,
			errs.Invalid("sort", fmt.Sprintf("排序须为 0–%d 的整数（小的在前）", catalog.MaxSort))), "")
	}
	sec := catalog.Section{Code: strings.TrimSpace(r.PostFormValue("code")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Description: r.PostFormValue("description"), Sort: sort}
	if old, err := s.Catalog.Section(r.Context(), sec.Code); err == nil {
		sec.Status = old.Status
	}
	if _, err := s.Catalog.PutSection(r.Context(), actor(r), sec); err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.sectionsPage(w, r, st, newForm(r.PostForm, orgFields, err), "")
		}
		return err
	}
	http.Redirect(w, r, done("/admin/sections", "saved", -1), http.StatusSeeOther)
	return nil
}

func (s *Server) adminSectionStatus(w http.ResponseWriter, r *http.Request) error {
	sec, err := s.Catalog.Section(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	if sec.Status, err = opStatus(r.PathValue("op")); err != nil {
		return err
	}
	if _, err := s.Catalog.PutSection(r.Context(), actor(r), sec); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/sections", http.StatusSeeOther)
	return nil
}

func opStatus(op string) (string, error) {
	switch op {
	case "retire":
		return catalog.StatusRetired, nil
	case "restore":
		return "active", nil
	}
	return "", errs.NotFound("操作", op)
}

func (s *Server) adminDepartments(w http.ResponseWriter, r *http.Request) error {
	return s.departmentsPage(w, r, http.StatusOK, newForm(nil, nil, nil), deptFlashes.text(r))
}

func (s *Server) departmentsPage(w http.ResponseWriter, r *http.Request, status int, f *form, flash string) error {
	ds, err := s.Catalog.AllDepartments(r.Context())
	if err != nil {
		return err
	}
	rows := make([]orgRow, len(ds))
	for i, d := range ds {
		rows[i] = orgRow{d.Code, d.Name, d.Status, d.ItemCount}
	}
	return s.renderStatus(w, r, status, "admin/orgs", "部门管理", map[string]any{"Title": "部门管理", "Action": "/admin/departments",
		"Rows": rows, "Form": f, "Flash": flash})
}

func (s *Server) adminSaveDepartment(w http.ResponseWriter, r *http.Request) error {
	d := catalog.Department{Code: strings.TrimSpace(r.PostFormValue("code")), Name: strings.TrimSpace(r.PostFormValue("name")),
		CreditCode: strings.ToUpper(strings.TrimSpace(r.PostFormValue("credit_code"))), Phone: strings.TrimSpace(r.PostFormValue("phone"))}
	if old, err := s.Catalog.Department(r.Context(), d.Code); err == nil {
		d.Status, d.RegionCode = old.Status, old.RegionCode
	}
	if _, err := s.Catalog.PutDepartment(r.Context(), actor(r), d); err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.departmentsPage(w, r, st, newForm(r.PostForm, orgFields, err), "")
		}
		return err
	}
	http.Redirect(w, r, done("/admin/departments", "saved", -1), http.StatusSeeOther)
	return nil
}

func (s *Server) adminDepartmentStatus(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Catalog.Department(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	if d.Status, err = opStatus(r.PathValue("op")); err != nil {
		return err
	}
	if _, err := s.Catalog.PutDepartment(r.Context(), actor(r), d); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/departments", http.StatusSeeOther)
	return nil
}

// invalidFields returns the fields of an invalid-input or duplicate error, else nil.
func invalidFields(err error) []errs.FieldError {
	e, ok := errs.As(err)
	if !ok || (e.Code != errs.CodeInvalid && e.Code != errs.CodeConflict) {
		return nil
	}
	if len(e.Fields) == 0 {
		return []errs.FieldError{{Field: "-", Message: e.Message}}
	}
	return e.Fields
}

// importFields: the catalog import form has one field, the file.
var importFields = formFields{"file": {"file", "选择文件"}, "format": {"file", "选择文件"}}

func (s *Server) adminImport(w http.ResponseWriter, r *http.Request) error {
	format, body, err := importFile(w, r)
	if err == nil {
		var f *catalog.File
		if f, err = catalog.Parse(format, body); err == nil {
			var res catalog.ImportResult
			if res, err = s.Catalog.Import(r.Context(), actor(r), f); err == nil {
				return s.render(w, r, "admin/import", "导入导出", map[string]any{"Result": res, "Form": newForm(nil, nil, nil)})
			}
		}
	}
	var ie *catalog.ImportError
	if errors.As(err, &ie) {
		return s.renderStatus(w, r, http.StatusBadRequest, "admin/import", "导入导出", map[string]any{"Errors": ie.Rows, "Form": newForm(nil, nil, nil)})
	}
	if _, st := s.errorStatus(w, r, err); st != http.StatusInternalServerError && st != http.StatusServiceUnavailable {
		return s.renderStatus(w, r, st, "admin/import", "导入导出", map[string]any{"Form": newForm(nil, importFields, err)})
	}
	return err
}

// userFields are the fields of the new account form.
var userFields = formFields{"username": {"username", "用户名"}, "display_name": {"display_name", "姓名"}, "password": {"password", "初始密码"},
	"role": {"role", "角色"}, "department": {"department", "部门"}, "center": {"center", "所属中心"}}

// accountChoices are what the account forms offer: roles, departments and centers by name.
func (s *Server) accountChoices(ctx context.Context) (map[string]any, error) {
	depts, err := s.Catalog.Departments(ctx)
	if err != nil {
		return nil, err
	}
	type roleOption struct{ Key, Name string }
	var rs []roleOption
	for _, ro := range identity.Roles {
		rs = append(rs, roleOption{string(ro), identity.RoleNames[ro] + "（" + string(ro) + "）"})
	}
	centers, err := s.Network.Centers(ctx)
	if err != nil {
		return nil, err
	}
	centers = slices.Clone(centers)
	slices.SortStableFunc(centers, func(a, b network.Center) int { return catalog.CompareNames(a.Name, b.Name) })
	centerNames := map[string]string{}
	for _, c := range centers {
		centerNames[c.Code] = c.Name
	}
	return map[string]any{"Roles": rs, "Departments": catalog.ByName(depts), "Centers": centers, "CenterNames": centerNames}, nil
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request, status int, f *form, flash string) error {
	users, err := s.Identity.Users(r.Context())
	if err != nil {
		return err
	}
	data, err := s.accountChoices(r.Context())
	if err != nil {
		return err
	}
	data["Users"], data["Form"], data["Flash"] = users, f, flash
	return s.renderStatus(w, r, status, "admin/users", "工作人员账号", data)
}

// userFlashes are the list's messages after an account was edited.
var userFlashes = flashes{"saved": "账号已保存", "disabled": "账号已停用：该人员不能再登录，已登录的会话已全部结束"}

// userEditFields are the fields of the edit form.
var userEditFields = formFields{"display_name": {"display_name", "姓名"}, "role": {"role", "角色"}, "department": {"department", "部门"},
	"center": {"center", "所属中心"}, "disabled": {"disabled", "停用账号"}, "password": {"password", "重置密码"}}

func (s *Server) adminEditUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.Identity.User(r.Context(), r.PathValue("username"))
	if err != nil {
		return err
	}
	if err := s.Identity.MayEdit(r.Context(), actor(r), u); err != nil {
		return err
	}
	v := url.Values{"display_name": {u.DisplayName}, "role": {string(u.Role)}, "department": {u.Department}, "center": {u.Center}}
	if u.Disabled {
		v.Set("disabled", "1")
	}
	return s.userForm(w, r, http.StatusOK, u, newForm(v, nil, nil))
}

// userForm renders the edit form of u: as stored, or after a failed save as typed.
func (s *Server) userForm(w http.ResponseWriter, r *http.Request, status int, u identity.User, f *form) error {
	data, err := s.accountChoices(r.Context())
	if err != nil {
		return err
	}
	data["User"], data["Form"], data["Self"] = u, f, u.Username == actor(r).Username
	return s.renderStatus(w, r, status, "admin/user", "编辑账号 "+u.DisplayName, data)
}

func (s *Server) adminUpdateUser(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("username")
	in := identity.UserEdit{DisplayName: r.PostFormValue("display_name"), Role: identity.Role(r.PostFormValue("role")),
		Department: r.PostFormValue("department"), Center: r.PostFormValue("center"), Disabled: r.PostFormValue("disabled") == "1",
		Password: r.PostFormValue("password")}
	u, err := s.Identity.UpdateUser(r.Context(), actor(r), name, in)
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st == http.StatusBadRequest || st == http.StatusConflict {
			before, gerr := s.Identity.User(r.Context(), name)
			if gerr != nil {
				return gerr
			}
			r.PostForm.Del("password") // typed again, never sent back
			return s.userForm(w, r, st, before, newForm(r.PostForm, userEditFields, err))
		}
		return err
	}
	code := "saved"
	if u.Disabled {
		code = "disabled"
	}
	http.Redirect(w, r, done("/admin/users", code, -1), http.StatusSeeOther)
	return nil
}

func (s *Server) adminAddUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.Identity.AddUser(r.Context(), actor(r), identity.NewUser{Username: strings.TrimSpace(r.PostFormValue("username")),
		DisplayName: r.PostFormValue("display_name"), Password: r.PostFormValue("password"),
		Role: identity.Role(r.PostFormValue("role")), Department: r.PostFormValue("department"), Center: r.PostFormValue("center")})
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			r.PostForm.Del("password") // typed again, never sent back
			return s.adminUsers(w, r, st, newForm(r.PostForm, userFields, err), "")
		}
		return err
	}
	return s.adminUsers(w, r, http.StatusOK, newForm(nil, nil, nil), "已新建账号 "+u.Username)
}

// entryChanges are the changes in words an entry records (an edited account's "changes":
// 角色：综合窗口 → 后台审批), by the entry's number, for the log to show under its object.
func entryChanges(entries []audit.Entry) map[int64]string {
	out := map[int64]string{}
	for _, e := range entries {
		if !strings.Contains(e.After, `"changes"`) {
			continue
		}
		var v struct {
			Changes []string `json:"changes"`
		}
		if json.Unmarshal([]byte(e.After), &v) == nil && len(v.Changes) > 0 {
			out[e.Seq] = strings.Join(v.Changes, "；")
		}
	}
	return out
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) error {
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	if offset < 0 {
		offset = 0
	}
	entries, err := s.Audit.List(r.Context(), s.DB, audit.Query{Limit: 100, Offset: offset})
	if err != nil {
		return err
	}
	// The chain is walked by the hourly job (audit.VerifyWorker), not on every view: the page
	// shows the last walk's result.
	last, verified, err := audit.LastVerification(r.Context(), s.DB)
	if err != nil {
		return err
	}
	data := map[string]any{"Entries": entries, "Verified": verified, "Last": last, "Changes": entryChanges(entries)}
	if len(entries) == 100 {
		data["Next"] = fmt.Sprintf("/admin/audit?offset=%d", offset+100)
	}
	return s.render(w, r, "admin/audit", "审计日志", data)
}

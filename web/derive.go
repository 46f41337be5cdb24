package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"banhao/catalog"
	"banhao/errs"
	"banhao/network"
)

// 派生本地实施事项 (清单标准全域统一): an admin derives their region's implementing item from a
// city standard item on a page — the local fields only (department, place, hours, phone, a
// stricter promised limit) — by catalog.Derive, which checks and audits it.

var deriveFields = formFields{"department": {"department", "实施部门"}, "region_code": {"department", "实施部门"},
	"where": {"where", "办理地点"}, "hours": {"hours", "办理时间"}, "consult_phone": {"consult_phone", "咨询电话"},
	"promised_limit": {"promised_limit_value", "承诺时限"}, "promised_limit.unit": {"promised_limit_value", "承诺时限"},
	"status": {"publish", "立即发布"}, "code": {"", "实施编码"}, "standard_code": {"", "标准事项"},
	"visits": {"", "到现场次数"}, "online_depth": {"", "网办深度"}, "steps": {"", "办理环节"}}

// deriveDept is a department the form offers: in a region below the standard's, in the admin's
// region, with none of the standard's implementing items yet.
type deriveDept struct {
	catalog.Department
	RegionName string
}

func (s *Server) deriveForm(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	ctx := r.Context()
	std, err := s.Catalog.Item(ctx, r.PathValue("code"))
	if err != nil {
		return err
	}
	if std.StandardCode != "" {
		return errs.Invalid("standard_code", "事项 "+std.Code+" 本身是实施事项，请从标准事项 "+std.StandardCode+" 派生")
	}
	derived, err := s.Catalog.Derived(ctx, std.Code)
	if err != nil {
		return err
	}
	scope, regions, _, err := s.Network.Overseen(ctx, actor(r))
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, g := range regions {
		names[g.Code] = g.Name
	}
	done := map[string]bool{}
	for _, d := range derived {
		done[d.RegionCode] = true
	}
	depts, err := s.Catalog.Departments(ctx)
	if err != nil {
		return err
	}
	kind := std.Department.Code
	for _, d := range depts {
		if d.Code == std.Department.Code {
			kind = cmp.Or(d.Kind, d.Code)
		}
	}
	var offer []deriveDept
	for _, d := range depts {
		if d.RegionCode == "" || d.RegionCode == std.RegionCode || !network.Within(d.RegionCode, std.RegionCode) || !network.Oversees(scope, d.RegionCode) || done[d.RegionCode] {
			continue
		}
		offer = append(offer, deriveDept{d, cmp.Or(names[d.RegionCode], d.RegionCode)})
	}
	// the departments of the standard's kind first (沾化区's 公安局 for the city's 公安 item), by region
	slices.SortStableFunc(offer, func(a, b deriveDept) int {
		ak, bk := cmp.Or(a.Kind, a.Code) == kind, cmp.Or(b.Kind, b.Code) == kind
		if ak != bk {
			if ak {
				return -1
			}
			return 1
		}
		return strings.Compare(a.RegionCode, b.RegionCode)
	})
	// one department of the standard's kind offered (a county admin's own): chosen already
	if f.Get("department") == "" && !f.Failed() && len(offer) > 0 && cmp.Or(offer[0].Kind, offer[0].Code) == kind &&
		(len(offer) == 1 || cmp.Or(offer[1].Kind, offer[1].Code) != kind) {
		f.Values.Set("department", offer[0].Code)
	}
	return s.renderStatus(w, r, status, "admin/derive", "派生本地实施事项 · "+std.Name, map[string]any{
		"Standard": std, "Departments": offer, "Derived": derived, "Form": f, "RegionNames": names})
}

func (s *Server) pageDeriveForm(w http.ResponseWriter, r *http.Request) error {
	return s.deriveForm(w, r, http.StatusOK, newForm(nil, nil, nil))
}

func (s *Server) pageDerive(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f := r.PostForm
	std, err := s.Catalog.Item(ctx, r.PathValue("code"))
	if err != nil {
		return err
	}
	in := catalog.Local{Department: strings.TrimSpace(f.Get("department")), Where: strings.TrimSpace(f.Get("where")), Hours: strings.TrimSpace(f.Get("hours")),
		ConsultPhone: strings.TrimSpace(f.Get("consult_phone")), Status: catalog.StatusDraft}
	if f.Get("publish") != "" {
		in.Status = catalog.StatusPublished
	}
	if v := strings.TrimSpace(f.Get("promised_limit_value")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			fm := newForm(f, deriveFields, nil)
			fm.add(deriveFields, errs.FieldError{Field: "promised_limit", Message: "承诺时限须为不小于 0 的整数（单位与标准相同）"})
			return s.deriveForm(w, r, http.StatusBadRequest, fm)
		}
		in.PromisedLimit = &catalog.Limit{Value: n, Unit: std.PromisedLimit.Unit}
	}
	it, err := s.Catalog.Derive(ctx, actor(r), std.Code, in)
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.deriveForm(w, r, st, newForm(f, deriveFields, err))
		}
		return err
	}
	http.Redirect(w, r, "/admin/items/"+url.PathEscape(it.Code)+"/edit?derived=1", http.StatusSeeOther)
	return nil
}

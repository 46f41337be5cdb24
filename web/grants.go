package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"banhao/calendar"
	"banhao/cases"
	"banhao/errs"
	"banhao/identity"
)

// Window authorisations (首席代表/授权窗口, issue 16): the department's approver or an admin
// authorises a clerk to finish 即办 items at the window (cases.GrantWindow); a clerk sees their own.
func (s *Server) registerGrants() {
	granters := roles(identity.Admin, identity.Approver)
	s.handle("GET", "/api/v1/window-grants", API, roles(identity.Admin, identity.Approver, identity.Clerk), s.apiGrants)
	s.handle("POST", "/api/v1/window-grants", API, granters, s.apiGrant)
	s.handle("POST", "/api/v1/window-grants/{id}/revoke", API, granters, s.apiRevokeGrant)
	s.handle("GET", "/office/grants", Page, granters, func(w http.ResponseWriter, r *http.Request) error {
		return s.grantsPage(w, r, http.StatusOK, newForm(nil, nil, nil), grantFlashes.text(r))
	})
	s.handle("POST", "/office/grants", Page, granters, s.pageGrant)
	s.handle("POST", "/office/grants/{id}/revoke", Page, granters, s.pageRevokeGrant)
}

func (s *Server) apiGrants(w http.ResponseWriter, r *http.Request) error {
	gs, err := s.Cases.WindowGrants(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"window_grants": gs})
}

func (s *Server) apiGrant(w http.ResponseWriter, r *http.Request) error {
	var in cases.GrantInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	g, err := s.Cases.GrantWindow(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusCreated, g)
}

func grantID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFound("窗口授权", r.PathValue("id"))
	}
	return id, nil
}

func (s *Server) apiRevokeGrant(w http.ResponseWriter, r *http.Request) error {
	id, err := grantID(r)
	if err != nil {
		return err
	}
	g, err := s.Cases.RevokeWindowGrant(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, g)
}

var grantFields = formFields{"username": {"username", "窗口人员"}, "department": {"department", "部门"}, "item": {"item", "事项"},
	"kind": {"kind", "授权类型"}, "starts_on": {"starts_on", "开始日期"}, "ends_on": {"ends_on", "结束日期"}}

// grantsPage lists the authorisations the viewer may see, with the form to add one: the clerks
// as 姓名（中心）, the departments and the 即办 items the viewer may grant (cases.GrantChoices: an
// approver their own department, the clerks it reaches and the items it decides).
func (s *Server) grantsPage(w http.ResponseWriter, r *http.Request, status int, f *form, flash string) error {
	ctx := r.Context()
	me := actor(r)
	gs, err := s.Cases.WindowGrants(ctx, me)
	if err != nil {
		return err
	}
	ch, err := s.Cases.GrantChoices(ctx, me)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, it := range ch.Items {
		names[it.Code] = it.Name
	}
	today := calendar.DateOf(s.Now(), s.loc())
	// the 操作 column only when the viewer may revoke a grant listed: an empty column would
	// squeeze 授予人 and 状态 at full width and leave an empty line under each card on a phone
	anyRevocable := slices.ContainsFunc(gs, func(g cases.Grant) bool { return g.Revocable })
	return s.renderStatus(w, r, status, "office/grants", "窗口授权", map[string]any{"Grants": gs, "AnyRevocable": anyRevocable, "Clerks": ch.Clerks, "Departments": ch.Departments,
		"Items": ch.Items, "Deciders": ch.Deciders, "ItemNames": names, "Labels": ch.Labels, "Kinds": []string{cases.GrantChief, cases.GrantWindow}, "KindNames": cases.GrantKindNames,
		"Form": f, "Flash": flash, "Today": today, "Admin": identity.Role(me.Role) == identity.Admin})
}

func (s *Server) pageGrant(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	in := cases.GrantInput{Username: f.Get("username"), Department: f.Get("department"), Item: f.Get("item"), Kind: f.Get("kind")}
	var bad []errs.FieldError
	for key, p := range map[string]*calendar.Date{"starts_on": &in.StartsOn, "ends_on": &in.EndsOn} {
		if v := strings.TrimSpace(f.Get(key)); v != "" {
			d, err := calendar.ParseDate(v)
			if err != nil {
				bad = append(bad, errs.FieldError{Field: key, Message: "日期须为 年-月-日（如 2026-12-31）"})
			}
			*p = d
		}
	}
	if identity.Role(actor(r).Role) == identity.Approver && in.Department == "" {
		in.Department = actor(r).Department
	}
	// A date that cannot be read is reported with every other error of the form, in one round:
	// the service checks the rest (an unread date is a missing one to it: its 请填写 is left out).
	g, err := s.Cases.GrantWindow(r.Context(), actor(r), in)
	if err != nil {
		_, st := s.errorStatus(w, r, err)
		if st >= 500 {
			return err
		}
		e, ok := errs.As(err)
		if !ok || len(e.Fields) == 0 {
			return s.grantsPage(w, r, st, newForm(f, grantFields, err), "")
		}
		fm := newForm(f, grantFields, nil)
		fm.add(grantFields, bad...)
		for _, fe := range e.Fields {
			if !slices.ContainsFunc(bad, func(b errs.FieldError) bool { return b.Field == fe.Field }) {
				fm.add(grantFields, fe)
			}
		}
		return s.grantsPage(w, r, st, fm, "")
	}
	http.Redirect(w, r, done("/office/grants", "granted", int(g.ID)), http.StatusSeeOther) // a reload posts nothing again
	return nil
}

func (s *Server) pageRevokeGrant(w http.ResponseWriter, r *http.Request) error {
	id, err := grantID(r)
	if err != nil {
		return err
	}
	g, err := s.Cases.RevokeWindowGrant(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, done("/office/grants", "revoked", int(g.ID)), http.StatusSeeOther)
	return nil
}

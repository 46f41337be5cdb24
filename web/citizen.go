package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/certs"
	"banhao/errs"
	"banhao/files"
	"banhao/identity"
	"banhao/pdfdoc"
	"banhao/ratings"
)

// The online hall (一网办) and the applicant's account: sign-in with a one-time code, my cases,
// my certificates, who read my data, applying online with certificates in place of uploads, and
// drafts. The kiosk (kiosk.go) uses the same accounts on a short session.

const (
	citizenCookie = "banhao_citizen"
	citizenKey    = ctxKey(2)
)

func citizenSession(r *http.Request) (identity.ApplicantSession, bool) {
	sess, ok := r.Context().Value(citizenKey).(identity.ApplicantSession)
	return sess, ok
}

// serveCitizen is serve for applicants' routes: the session comes from the applicant cookie
// (pages) or a bearer token (API); staff sessions do not count here. serve has bounded the body.
func (s *Server) serveCitizen(rt Route, w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.writeError(w, r, rt.Kind, fmt.Errorf("panic in %s %s: %v", r.Method, rt.Pattern, p))
		}
	}()
	defer dropForm(&r)
	// Every answer to an applicant is theirs alone (pages, papers, refusals): nothing is cached,
	// so Back on a shared computer or the kiosk shows nothing of the previous person.
	w.Header().Set("Cache-Control", "no-store")
	sess, err := s.authenticateCitizen(r, rt.Kind)
	if err != nil {
		if rt.Kind == Page {
			to := "/my/login?next=" + url.QueryEscape(r.URL.RequestURI())
			if atKiosk(r) {
				to = "/kiosk?expired=1"
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		s.writeError(w, r, rt.Kind, err)
		return
	}
	channel := identity.ChannelOnline
	if strings.HasPrefix(rt.Pattern, "/kiosk") {
		channel = identity.ChannelKiosk
	}
	if err := sess.Allows(channel); err != nil {
		s.writeError(w, r, rt.Kind, err)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), citizenKey, sess))
	slowLinkTime(rt, w, r)
	if err := readForm(rt, r); err != nil {
		s.writeError(w, r, rt.Kind, err)
		return
	}
	if rt.Kind == Page && r.Method == http.MethodPost {
		if err := checkForm(r, sess.CSRF); err != nil {
			s.writeError(w, r, rt.Kind, err)
			return
		}
	}
	if err := rt.handler(w, r); err != nil {
		s.writeError(w, r, rt.Kind, err)
	}
}

func (s *Server) authenticateCitizen(r *http.Request, kind Kind) (identity.ApplicantSession, error) {
	var token string
	if h := r.Header.Get("Authorization"); h != "" {
		token, _ = strings.CutPrefix(h, "Bearer ")
	} else if kind == Page {
		if c, err := r.Cookie(citizenCookie); err == nil {
			token = c.Value
		}
	}
	return s.Applicants.Authenticate(r.Context(), strings.TrimSpace(token))
}

// citizenActor is how the audit log and the case timeline name an applicant acting online.
func citizenActor(sess identity.ApplicantSession) audit.Actor { return cases.ApplicantActor(sess) }

func (s *Server) registerCitizen() {
	// Accounts are opened at a window after the clerk checks the ID (实名核验): self-registration
	// needs a real-name verification service this installation does not have.
	s.handle("POST", "/api/v1/applicants", API, roles(identity.Clerk, identity.Admin), s.apiRegisterApplicant)
	s.handle("POST", "/api/v1/applicant/code", API, public, s.apiApplicantCode)
	s.handle("POST", "/api/v1/applicant/session", API, public, s.apiApplicantSession)
	s.handle("GET", "/api/v1/my", API, citizen, s.apiMy)
	s.handle("GET", "/api/v1/my/cases", API, citizen, s.apiMyCases)
	s.handle("POST", "/api/v1/my/cases", API, citizen, s.apiMyApply)
	s.handle("GET", "/api/v1/my/certificates", API, citizen, s.apiMyCertificates)
	s.handle("GET", "/api/v1/my/data-access", API, citizen, s.apiMyAccess)
	s.handle("GET", "/api/v1/my/authorisations", API, citizen, s.apiMyGranted)
	s.handle("POST", "/api/v1/my/authorisations/{id}/revoke", API, citizen, s.apiMyRevokeAuthorisation)

	s.handle("GET", "/window/applicants/new", Page, roles(identity.Clerk, identity.Admin), s.pageRegisterApplicant)
	s.handle("POST", "/window/applicants", Page, roles(identity.Clerk, identity.Admin), s.pageRegisterApplicantPost)

	s.handle("GET", "/my/login", Page, public, s.pageMyLogin)
	s.handle("POST", "/my/code", Page, public, s.pageMyCode)
	s.handle("POST", "/my/login", Page, public, s.pageMyLoginPost)
	s.handle("POST", "/my/logout", Page, citizen, s.pageMyLogout)
	s.handle("GET", "/my", Page, citizen, s.pageMy)
	s.handle("POST", "/my/act-for", Page, citizen, s.pageMyActFor)
	s.handle("POST", "/my/authorise", Page, citizen, s.pageMyAuthorise)
	s.handle("POST", "/my/authorisations/{id}/revoke", Page, citizen, s.pageMyRevokeAuthorisation)
	s.handle("GET", "/my/apply/{code}", Page, citizen, s.pageMyApply)
	s.handle("POST", "/my/apply/{code}", Page, citizen, s.pageMyApplyPost, uploads(formFiles))
	s.handle("POST", "/my/drafts/{id}/delete", Page, citizen, s.pageMyDraftDelete)
	s.handle("GET", "/my/bundles/{code}", Page, citizen, s.pageMyBundle)
	s.handle("POST", "/my/bundles/{code}", Page, citizen, s.pageMyBundlePost, uploads(bundleFiles))
	s.handle("GET", "/my/cases/{number}", Page, citizen, s.pageMyCase)
	s.handle("POST", "/my/cases/{number}/rate", Page, citizen, s.pageMyRate)
	s.handle("GET", "/my/cases/{number}/notices/{kind}", Page, citizen, s.pageMyNotice)
	s.handle("GET", "/my/certificates/{id}", Page, citizen, s.pageMyCertificate)
	s.handle("GET", "/my/certificates/{id}/pdf", Page, citizen, s.pageMyCertificatePDF)
}

// ---- accounts and sign-in ----

func (s *Server) apiRegisterApplicant(w http.ResponseWriter, r *http.Request) error {
	var in identity.NewApplicant
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ap, err := s.Applicants.Register(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusCreated, maskedApplicant(ap))
}

func maskedApplicant(ap identity.Applicant) map[string]any {
	return map[string]any{"id": ap.ID, "kind": ap.Kind, "name": ap.Name, "id_number": identity.MaskID(ap.IDNumber), "phone": identity.MaskPhone(ap.Phone)}
}

func (s *Server) apiApplicantCode(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		IDNumber string `json:"id_number"`
		Device   string `json:"device"` // the "device" of an earlier sign-in, if kept
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	sent, err := s.Applicants.RequestCodeOnDevice(r.Context(), in.IDNumber, clientAddr(r), in.Device)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, sent)
}

func (s *Server) apiApplicantSession(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		IDNumber string `json:"id_number"`
		Code     string `json:"code"`
		Channel  string `json:"channel"`
		Device   string `json:"device"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Channel == "" {
		in.Channel = identity.ChannelOnline
	}
	sess, err := s.Applicants.SignInOnDevice(r.Context(), in.IDNumber, in.Code, in.Channel, clientAddr(r), in.Device)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"token": sess.Token, "expires_at": sess.ExpiresAt, "applicant": maskedApplicant(sess.Applicant),
		"device": sess.Device})
}

func (s *Server) pageRegisterApplicant(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, "my/register", "开通申请人账户", map[string]any{"Form": newForm(nil, nil, nil)})
}

// registerFields are the fields of the window's account opening form.
var registerFields = formFields{"kind": {"kind", "账户类型"}, "name": {"name", "姓名 / 单位名称"}, "id_number": {"id_number", "身份证号码 / 统一社会信用代码"},
	"phone": {"phone", "手机号码"}, "legal_rep": {"legal_rep", "法定代表人"}}

func (s *Server) pageRegisterApplicantPost(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	in := identity.NewApplicant{Kind: f.Get("kind"), Name: f.Get("name"), IDNumber: f.Get("id_number"), Phone: f.Get("phone"), LegalRep: f.Get("legal_rep")}
	ap, err := s.Applicants.Register(r.Context(), actor(r), in)
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.renderStatus(w, r, st, "my/register", "开通申请人账户", map[string]any{"Form": newForm(f, registerFields, err)})
		}
		return err
	}
	return s.render(w, r, "my/register", "开通申请人账户", map[string]any{"Done": maskedApplicant(ap), "Form": newForm(nil, nil, nil)})
}

// safeNext keeps a citizen's return path within the citizen's pages (and on this site).
func safeNext(next, fallback string) string {
	return localPathUnder(next, "/my", fallback)
}

func (s *Server) pageMyLogin(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, "my/login", "申请人登录", map[string]any{"Next": safeNext(r.URL.Query().Get("next"), "/my"), "Form": newForm(nil, nil, nil)})
}

// signInFields are the fields of the sign-in forms (the online hall's and the kiosk's).
var signInFields = formFields{"id_number": {"id_number", "证件号码"}, "code": {"code", "短信验证码"}}

func (s *Server) pageMyCode(w http.ResponseWriter, r *http.Request) error {
	id, next := identity.NormalizeID(r.PostForm.Get("id_number")), safeNext(r.PostForm.Get("next"), "/my")
	sent, err := s.Applicants.RequestCodeOnDevice(r.Context(), id, clientAddr(r), knownDevice(r, knownMyCookie))
	if err != nil {
		_, st := s.errorStatus(w, r, err)
		if e, ok := errs.As(err); ok && e.Code == errs.CodeTooManyRequests {
			// Asking again too soon is nothing the citizen typed wrong: a notice, not a field error.
			return s.renderStatus(w, r, st, "my/login", "申请人登录", map[string]any{"Next": next, "ID": id, "Form": newForm(r.PostForm, signInFields, nil),
				"Notice": e.Message, "CodeStep": true})
		}
		return s.renderStatus(w, r, st, "my/login", "申请人登录", map[string]any{"Next": next, "ID": id, "Form": newForm(r.PostForm, signInFields, err)})
	}
	return s.render(w, r, "my/login", "申请人登录", map[string]any{"Next": next, "ID": id, "Sent": sent, "CodeStep": true, "Form": newForm(nil, nil, nil)})
}

func (s *Server) pageMyLoginPost(w http.ResponseWriter, r *http.Request) error {
	id, next := identity.NormalizeID(r.PostForm.Get("id_number")), safeNext(r.PostForm.Get("next"), "/my")
	sess, err := s.Applicants.SignInOnDevice(r.Context(), id, r.PostForm.Get("code"), identity.ChannelOnline, clientAddr(r), knownDevice(r, knownMyCookie))
	if err != nil {
		_, st := s.errorStatus(w, r, err)
		return s.renderStatus(w, r, st, "my/login", "申请人登录", map[string]any{"Next": next, "ID": id, "Form": newForm(r.PostForm, signInFields, err), "CodeStep": true})
	}
	s.setCitizenCookie(w, r, sess)
	// This browser is now known to the number: its next code request and sign-in do not wait on
	// the number's own limits (which someone elsewhere could spend). Only the sign-in pages see it.
	s.setCookie(w, r, &http.Cookie{Name: knownMyCookie, Value: sess.Device, Path: "/my/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		MaxAge: 365 * 24 * 3600})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// knownMyCookie holds a browser's known-device token for the online hall's sign-in.
const knownMyCookie = "banhao_known_my"

// knownDevice reads a known-device token cookie, if the browser has one.
func knownDevice(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) setCitizenCookie(w http.ResponseWriter, r *http.Request, sess identity.ApplicantSession) {
	s.setCookie(w, r, &http.Cookie{Name: citizenCookie, Value: sess.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		MaxAge: s.maxAge(sess.ExpiresAt)})
}

func (s *Server) pageMyLogout(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	if err := s.Applicants.SignOut(r.Context(), sess.Token); err != nil {
		return err
	}
	s.setCookie(w, r, &http.Cookie{Name: citizenCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	to := "/"
	if sess.Channel == identity.ChannelKiosk {
		to = "/kiosk"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// ---- my account ----

// account is what the account page and the kiosk show of the signed-in principal.
type account struct {
	Session        identity.ApplicantSession
	Principal      identity.Applicant
	Cases          []cases.Case
	Certificates   []certs.Certificate
	Access         []certs.Access
	Drafts         []cases.Draft
	Authorisations []identity.Authorisation
	Granted        []identity.Grant // the organisation's authorisations in force (to revoke)
}

func (s *Server) loadAccount(ctx context.Context, sess identity.ApplicantSession, full bool) (account, error) {
	a := account{Session: sess, Principal: sess.Shown()}
	var err error
	if a.Cases, err = s.Cases.OfSession(ctx, sess, 50); err != nil {
		return a, err
	}
	if a.Certificates, err = s.Certs.HeldBy(ctx, sess); err != nil {
		return a, err
	}
	if !full {
		return a, nil
	}
	if sess.SeesAccount() {
		if a.Access, err = s.Certs.AccessesOf(ctx, sess, 100); err != nil {
			return a, err
		}
		if a.Granted, err = s.Applicants.Granted(ctx, sess); err != nil {
			return a, err
		}
	}
	if a.Drafts, err = s.Cases.DraftsBy(ctx, sess); err != nil {
		return a, err
	}
	if sess.Applicant.Kind == identity.PersonApplicant {
		if a.Authorisations, err = s.Applicants.Authorisations(ctx, sess.Applicant.ID, s.today()); err != nil {
			return a, err
		}
	}
	return a, nil
}

func (s *Server) today() calendar.Date { return calendar.DateOf(s.Now(), s.loc()) }

func (s *Server) pageMy(w http.ResponseWriter, r *http.Request) error {
	return s.myHome(w, r, http.StatusOK, newForm(nil, nil, nil))
}

// myHome is the account page with the authorisation form as typed, after a refused one.
func (s *Server) myHome(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	sess, _ := citizenSession(r)
	a, err := s.loadAccount(r.Context(), sess, true)
	if err != nil {
		return err
	}
	credit, err := s.Cases.OwnCreditRecords(r.Context(), sess) // 信用记录 (告知承诺, postchecks.go)
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, status, "my/home", "我的办事", map[string]any{"A": a, "Notice": myFlashes.text(r), "Credit": credit,
		"MaxEnds": s.today().AddDays(365).String(), "Today": s.today().String(), "Form": f})
}

// authoriseFields are the fields of the form that authorises an agent.
var authoriseFields = formFields{"agent_id_number": {"agent", "代办人身份证号码"}, "ends_on": {"ends", "授权截止日期"}, "scope": {"scope", "授权事项"}}

func (s *Server) pageMyActFor(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	org, _ := strconv.ParseInt(r.PostForm.Get("org"), 10, 64)
	if err := s.Applicants.ActFor(r.Context(), sess, org, s.today()); err != nil {
		return err
	}
	http.Redirect(w, r, "/my", http.StatusSeeOther)
	return nil
}

func (s *Server) pageMyAuthorise(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	f := r.PostForm
	refuse := func(err error) error {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.myHome(w, r, st, newForm(f, authoriseFields, err))
		}
		return err
	}
	ends, err := calendar.ParseDate(f.Get("ends_on"))
	if err != nil {
		return refuse(errs.Invalid("ends_on", "请填写授权截止日期（年-月-日）"))
	}
	scope := strings.FieldsFunc(f.Get("scope"), func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' })
	for _, code := range scope { // an authorisation names items of the catalog, or * for all
		if code == "*" {
			continue
		}
		if _, err := s.Catalog.Item(r.Context(), code); errs.Is(err, errs.CodeNotFound) {
			return refuse(errs.Invalid("scope", "授权事项须为事项的实施编码（见办事指南），或 * 表示全部事项；找不到："+code))
		} else if err != nil {
			return err
		}
	}
	if _, err := s.Applicants.Authorise(r.Context(), sess, f.Get("agent_id_number"), scope, ends, s.today()); err != nil {
		return refuse(err)
	}
	http.Redirect(w, r, done("/my", "agent", -1), http.StatusSeeOther)
	return nil
}

func (s *Server) pageMyRevokeAuthorisation(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.Applicants.RevokeAuthorisation(r.Context(), sess, id); err != nil {
		return err
	}
	http.Redirect(w, r, done("/my", "revoked", -1), http.StatusSeeOther)
	return nil
}

func (s *Server) apiMyGranted(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	if !sess.SeesAccount() {
		return errs.Forbidden("代办人不能查看单位的授权")
	}
	gs, err := s.Applicants.Granted(r.Context(), sess)
	if err != nil {
		return err
	}
	if gs == nil {
		gs = []identity.Grant{}
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"authorisations": gs})
}

func (s *Server) apiMyRevokeAuthorisation(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.Applicants.RevokeAuthorisation(r.Context(), sess, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiMy(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	out := map[string]any{"applicant": sess.Applicant}
	if sess.ActingFor != nil {
		out["acting_for"], out["mandate"] = sess.Shown(), []string{}
		if sess.Mandate != nil {
			out["mandate"] = sess.Mandate.Scope
		}
	}
	return s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiMyCases(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	cs, err := s.Cases.OfSession(r.Context(), sess, 200)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"cases": cs})
}

func (s *Server) apiMyCertificates(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	cs, err := s.Certs.HeldBy(r.Context(), sess)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"certificates": cs})
}

func (s *Server) apiMyAccess(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	as, err := s.Certs.AccessesOf(r.Context(), sess, 500)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"accesses": as})
}

// ---- applying online ----

// applyMaterial is one material on the online form: what the applicant holds for it.
type applyMaterial struct {
	catalog.Material
	Certificate *certs.Certificate // a valid certificate of the asked type held by the applicant
	Chosen      string             // the certificate id or file id carried by a draft
	FileID      string
	SharedWith  string      // in a bundle: the item that already asks for this material (supplied once)
	Kept        *files.File // the file uploaded earlier for it (a draft, or a refused submission)
	Later       bool        // to be supplied later under 容缺
}

func (s *Server) applyForm(ctx context.Context, sess identity.ApplicantSession, it catalog.Item, d *cases.Draft) ([]applyMaterial, error) {
	p := sess.Principal()
	held, err := s.Certs.Held(ctx, p.IDNumber)
	if err != nil {
		return nil, err
	}
	chosen := map[string]cases.MaterialRef{}
	if d != nil {
		for _, m := range d.Materials {
			chosen[m.MaterialID] = m
		}
	}
	var out []applyMaterial
	for _, m := range it.Materials {
		am := applyMaterial{Material: m, Chosen: chosen[m.ID].CertificateID, FileID: chosen[m.ID].FileID}
		if am.Kept, err = s.Cases.KeptFile(ctx, citizenActor(sess), am.FileID); err != nil {
			return nil, err
		} else if am.Kept == nil {
			am.FileID = ""
		}
		am.Later = d != nil && m.Deferrable && d.Values["defer_"+m.ID] == "1"
		if m.Source == catalog.SourceCertificate {
			for i := range held {
				if held[i].Type == m.CertificateType && held[i].Status == certs.Valid {
					am.Certificate = &held[i]
					break
				}
			}
		}
		out = append(out, am)
	}
	return out, nil
}

func (s *Server) pageMyApply(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	it, err := s.Catalog.Item(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	if err := s.Cases.MayApply(sess, it.Code); err != nil {
		return err
	}
	var d *cases.Draft
	if id, _ := strconv.ParseInt(r.URL.Query().Get("draft"), 10, 64); id != 0 {
		dr, err := s.Cases.DraftFor(r.Context(), sess, id, it.Code)
		if err != nil {
			return err
		}
		d = &dr
	}
	return s.renderApply(w, r, http.StatusOK, sess, it, d, newForm(nil, nil, nil))
}

// accountFields name the applicant's facts on an online form: they come from the account and
// are not typed there, so they have no field to link to.
var accountFields = formFields{
	"applicant.type": {"", "申请人类型"}, "applicant.name": {"", "申请人名称"}, "applicant.id_number": {"", "申请人证件号码"},
	"applicant.phone": {"", "申请人联系电话"}, "note": {"note", "补充说明"},
}

// applyFields names the online form's fields: each material by its name, by its file input and
// by its place among the materials sent (refs); its error shows in its card.
func applyFields(it catalog.Item, refs []cases.MaterialRef) formFields {
	ff := accountFields.with(nil)
	byID := map[string]catalog.Material{}
	for _, m := range it.Materials {
		byID[m.ID] = m
		ff[m.Name] = formField{"material-" + m.ID, m.Name}
		ff["file_"+m.ID] = formField{"material-" + m.ID, m.Name}
	}
	for i, ref := range refs {
		ff[fmt.Sprintf("materials[%d]", i)] = formField{"material-" + ref.MaterialID, byID[ref.MaterialID].Name}
	}
	ff["deciding_region"] = formField{"deciding_region", "审批地（申请人所属区划）"}
	ff["delivery_center"] = formField{"delivery_center", "出件地（领取结果）"}
	return promiseFields(ff)
}

// applyActor is the applicant acting in sess, at the center of the registered kiosk the request
// comes from (its hall's center) when at a kiosk: a kiosk's application is accepted there.
func (s *Server) applyActor(r *http.Request, sess identity.ApplicantSession) audit.Actor {
	a := citizenActor(sess)
	if sess.Channel == identity.ChannelKiosk {
		a.Center = s.kioskCenter(r)
	}
	return a
}

func (s *Server) renderApply(w http.ResponseWriter, r *http.Request, status int, sess identity.ApplicantSession, it catalog.Item, d *cases.Draft, f *form) error {
	ms, err := s.applyForm(r.Context(), sess, it, d)
	if err != nil {
		return err
	}
	values := map[string]string{}
	draftID := int64(0)
	if d != nil {
		values, draftID = d.Values, d.ID
	}
	credit := ""
	if it.HandlingMode == catalog.ModeCommitment { // 告知承诺: the applicant's own credit records, plainly, before they sign
		recs, err := s.Cases.OwnCreditRecords(r.Context(), sess)
		if err != nil {
			return err
		}
		credit = cases.OwnCreditNotice(recs)
	}
	// 收受分离 (cases.RoutePlan): 受理地 the online hall or the kiosk's center, 审批地 the
	// applicant's county by their number unless they choose, 出件地 any center or the post.
	plan, err := s.Cases.RoutePlan(r.Context(), s.applyActor(r, sess), it, cases.ChannelOf(sess), cases.ApplicantOf(sess.Principal()))
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, status, "my/apply", "在线申请 · "+it.Name, map[string]any{"Item": it, "Materials": ms, "P": sess.Shown(), "Pledge": cases.CommitmentPledge, "Credit": credit,
		"Values": values, "Draft": draftID, "Form": f, "Token": newFormToken(), "Kiosk": atKiosk(r), "Route": plan,
		"Electronic": !atKiosk(r) && cases.SentOnline(it),                         // 秒批, 告知承诺: the result on /my (cases.SystemDelivers)
		"RuleFields": ruleFields(it, func(k string) string { return values[k] })}) // 秒批 (rulesform.go)
}

// pageMyApplyPost submits the online application (or saves it as a draft): the form read,
// cases.ApplyOnline, the answer shown. A material is taken from the applicant's certificate when
// they kept it ticked (免提交), otherwise from the upload.
func (s *Server) pageMyApplyPost(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	ctx := r.Context()
	it, err := s.Catalog.Item(ctx, r.PathValue("code"))
	if err != nil {
		return err
	}
	f := r.PostForm
	in := cases.ApplyRequest{Session: sess, Item: it, Form: withPaymentForm(ruleForm(it, f.Get, map[string]string{"note": f.Get("note")}), it, f), // 秒批, 秒到账
		Commitment: commitmentFrom(f), DecidingRegion: f.Get("deciding_region"), DeliveryCenter: f.Get("delivery_center"),
		SaveOnly: f.Get("action") == "draft", Token: f.Get("token"),
		Values: map[string]string{"note": f.Get("note"), "deciding_region": f.Get("deciding_region"), "delivery_center": f.Get("delivery_center")}}
	if sess.Channel == identity.ChannelKiosk {
		in.At = s.kioskCenter(r)
	}
	in.Draft, _ = strconv.ParseInt(f.Get("draft"), 10, 64)
	keepRuleValues(it, f.Get, in.Values) // 秒批: the fields the item's rules read (rulesform.go)
	for _, m := range it.Materials {
		am := cases.ApplyMaterial{MaterialID: m.ID, CertificateID: f.Get("cert_" + m.ID), Kept: f.Get("kept_" + m.ID)}
		file, hdr, ferr := formFile(r, "file_"+m.ID)
		if ferr != nil {
			return ferr
		}
		if file != nil {
			defer file.Close()
			am.Upload = &cases.Upload{Name: hdr.Filename, Body: file}
		}
		if f.Get("defer_"+m.ID) == "1" {
			in.Defer = append(in.Defer, m.ID)
		}
		in.Materials = append(in.Materials, am)
	}
	a, err := s.Cases.ApplyOnline(ctx, in)
	fields := withRuleFields(withPaymentFields(applyFields(it, a.Draft.Materials), it), it)
	switch {
	case err != nil && a.Refused: // what was typed, chosen and uploaded is shown again from the draft kept
		_, st := s.errorStatus(w, r, err)
		return s.renderApply(w, r, st, sess, it, &a.Draft, newForm(f, fields, err))
	case err != nil:
		return err
	case in.SaveOnly:
		http.Redirect(w, r, done("/my", "draft", int(a.Draft.ID)), http.StatusSeeOther)
		return nil
	case len(a.Uploads) > 0:
		fm := newForm(f, fields, nil)
		for _, u := range a.Uploads {
			fm.add(fields, errs.FieldError{Field: u.Material.Name, Message: fieldMessage(u.Err)})
		}
		return s.renderApply(w, r, http.StatusBadRequest, sess, it, &a.Draft, fm)
	}
	base := "/my/cases/"
	if atKiosk(r) {
		base = "/kiosk/cases/"
	}
	http.Redirect(w, r, base+url.PathEscape(a.Case.Number)+"?submitted=1", http.StatusSeeOther)
	return nil
}

func (s *Server) pageMyDraftDelete(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.Cases.DeleteDraftBy(r.Context(), sess, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/my", http.StatusSeeOther)
	return nil
}

// apiMyApply is POST /api/v1/cases for a signed-in applicant (cases.SubmitOnline): the applicant
// is the session's principal; materials name uploaded files or the applicant's certificates.
func (s *Server) apiMyApply(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	var in cases.CreateInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, existing, err := s.Cases.SubmitOnline(r.Context(), sess, in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if existing {
		status = http.StatusOK
	}
	return s.writeJSON(w, status, c)
}

// ---- my cases and certificates ----

func (s *Server) pageMyCase(w http.ResponseWriter, r *http.Request) error {
	return s.myCase(w, r, http.StatusOK, newForm(nil, nil, nil))
}

// rateFields are the fields of the rating form on a case.
var rateFields = formFields{"level": {"level-5", "满意度"}, "comment": {"comment", "意见建议"}}

// myCase is an applicant's case with the rating form as typed, after a refused rating.
func (s *Server) myCase(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	sess, _ := citizenSession(r)
	c, err := s.Cases.OwnBy(r.Context(), sess, r.PathValue("number"))
	if err != nil {
		return err
	}
	it, err := s.Cases.ItemOf(r.Context(), c)
	if err != nil {
		return err
	}
	type noticeLink struct{ Kind, Title string }
	var notices []noticeLink
	for _, k := range cases.NoticesFor(c) {
		notices = append(notices, noticeLink{string(k), cases.NoticeTitles[k]})
	}
	if !cases.Final(c.Status) { // no rating form on the page: its errors link nowhere
		for i := range f.Errors {
			f.Errors[i].ID = ""
		}
	}
	return s.renderStatus(w, r, status, "my/case", "办件 "+c.Number, map[string]any{"Case": c, "Item": it, "Progress": cases.CitizenProgress(c, it), "Notices": notices, "Submitted": r.URL.Query().Get("submitted") != "",
		"Rated": r.URL.Query().Get("rated") != "", "Final": cases.Final(c.Status), "Kiosk": atKiosk(r), "Form": f, "NoBank": s.NoBank,
		"Rules": s.caseRules(r.Context(), c.Number), // 秒批 (rulesform.go)
	})
}

// pageMyNotice hands the applicant the case's notices (受理、补正、不予受理、办结) as PDF.
func (s *Server) pageMyNotice(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	c, err := s.Cases.OwnBy(r.Context(), sess, r.PathValue("number"))
	if err != nil {
		return err
	}
	return s.writeNotice(w, r, citizenActor(sess), c.Number, cases.NoticeKind(strings.TrimSuffix(r.PathValue("kind"), ".pdf")))
}

func (s *Server) pageMyRate(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	c, err := s.Cases.OwnBy(r.Context(), sess, r.PathValue("number"))
	if err != nil {
		return err
	}
	level, _ := strconv.Atoi(r.PostForm.Get("level"))
	if _, err := s.Ratings.Rate(r.Context(), ratings.Rater{Actor: citizenActor(sess), Applicant: sess.Principal().IDNumber}, ratings.Input{Case: c.Number, Level: level, Comment: r.PostForm.Get("comment"), Channel: "online"}); err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 && !errs.Is(err, errs.CodeNotFound) {
			return s.myCase(w, r, st, newForm(r.PostForm, rateFields, err))
		}
		return err
	}
	http.Redirect(w, r, "/my/cases/"+url.PathEscape(c.Number)+"?rated=1", http.StatusSeeOther)
	return nil
}

func (s *Server) pageMyCertificate(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	c, err := s.Certs.OwnBy(r.Context(), sess, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, r, "my/certificate", c.Type, map[string]any{"C": c, "Kiosk": atKiosk(r)})
}

func (s *Server) pageMyCertificatePDF(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	c, err := s.Certs.OwnBy(r.Context(), sess, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeCertificatePDF(w, r, c)
}

func (s *Server) writeCertificatePDF(w http.ResponseWriter, r *http.Request, c certs.Certificate) error {
	var buf bytes.Buffer
	if err := pdfdoc.WriteCertificate(&buf, certificateDoc(c, s.CenterName, s.baseURL(r)+"/api/v1/verify/"+c.ID, s.loc()), s.Now().In(s.loc())); err != nil {
		return err
	}
	return writePDF(w, r, buf.Bytes(), "certificate-"+c.Number+".pdf", c.Type+"-"+c.Number+".pdf")
}

// ---- 一件事 online: one merged form, prefilled from what the center holds ----

type onlineBundleItem struct {
	Item      catalog.Item
	Materials []applyMaterial
}

func (s *Server) pageMyBundle(w http.ResponseWriter, r *http.Request) error {
	return s.renderMyBundle(w, r, http.StatusOK, nil, nil)
}

// renderMyBundle shows the merged form: prefilled, or as typed (values) with the problems of a
// refused submission (err, or the uploads refused).
func (s *Server) renderMyBundle(w http.ResponseWriter, r *http.Request, status int, values map[string]string, refused error, bad ...errs.FieldError) error {
	sess, _ := citizenSession(r)
	ctx := r.Context()
	b, err := s.Catalog.Bundle(ctx, r.PathValue("code"))
	if err != nil {
		return err
	}
	if err := s.Cases.MayApplyBundle(sess, b); err != nil { // an agent opens the form only within the mandate
		return err
	}
	var its []catalog.Item
	for _, code := range b.Stages[0].Items {
		it, err := s.Catalog.Item(ctx, code)
		if err != nil {
			return err
		}
		its = append(its, it)
	}
	shared := cases.SharedWith(its) // a material of the same name is supplied once
	var items []onlineBundleItem
	for _, it := range its {
		ms, err := s.applyForm(ctx, sess, it, nil)
		if err != nil {
			return err
		}
		for i := range ms {
			ms[i].SharedWith = shared[it.Code][ms[i].ID]
		}
		items = append(items, onlineBundleItem{Item: it, Materials: ms})
	}
	prefilled := map[string]string{}
	if values == nil {
		p := sess.Principal()
		held, err := s.Certs.Held(ctx, p.IDNumber)
		if err != nil {
			return err
		}
		phone := p.Phone
		if sess.ActingFor != nil {
			phone = "" // an agent types the organisation's contact number; the account's is not shown to them
		}
		values = certs.Prefill(b.Form.Fields, certs.Facts{Kind: p.Kind, Name: p.Name, IDNumber: p.IDNumber, Phone: phone, LegalRep: p.LegalRep, Held: held})
		prefilled = values
	}
	fields := accountFields.with(nil)
	for _, fl := range b.Form.Fields {
		fields["form."+fl.Key] = formField{"f_" + fl.Key, fl.Label}
	}
	for _, bi := range items {
		for _, m := range bi.Materials {
			id := "material-" + bi.Item.Code + "-" + m.ID
			fields[bi.Item.Name+" · "+m.Name] = formField{id, bi.Item.Name + " · " + m.Name}
			fields["file_"+bi.Item.Code+"__"+m.ID] = formField{id, bi.Item.Name + " · " + m.Name}
		}
	}
	var promised []catalog.Item // 告知承诺 members: the applicant signs their 承诺书 with the application
	for _, bi := range items {
		if bi.Item.HandlingMode == catalog.ModeCommitment {
			promised = append(promised, bi.Item)
		}
	}
	fields = promiseFields(fields)
	f := newForm(r.PostForm, fields, refused)
	f.add(fields, bad...)
	return s.renderStatus(w, r, status, "my/bundle", "一件事在线申请 · "+b.Name, map[string]any{"Bundle": b, "Items": items, "P": sess.Shown(),
		"Values": values, "Prefilled": prefilled, "Form": f, "Token": newFormToken(), "Commitments": promised, "Pledge": cases.CommitmentPledge})
}

// pageMyBundlePost submits a bundle application online: the merged form, and per item of the
// first stage its certificates (kept ticked) or uploads.
func (s *Server) pageMyBundlePost(w http.ResponseWriter, r *http.Request) error {
	sess, _ := citizenSession(r)
	ctx := r.Context()
	b, err := s.Catalog.Bundle(ctx, r.PathValue("code"))
	if err != nil {
		return err
	}
	f := r.PostForm
	in := cases.BundleApplyRequest{Session: sess, Bundle: b, Answers: map[string]string{}, Commitment: commitmentFrom(f), Token: f.Get("token")}
	for _, fl := range b.Form.Fields {
		if v := strings.TrimSpace(f.Get("f_" + fl.Key)); v != "" {
			in.Answers[fl.Key] = v
		}
	}
	for _, code := range b.Stages[0].Items {
		it, err := s.Catalog.Item(ctx, code)
		if err != nil {
			return err
		}
		for _, m := range it.Materials {
			name := code + "__" + m.ID
			am := cases.ApplyMaterial{Item: code, MaterialID: m.ID, CertificateID: f.Get("cert_" + name)}
			file, hdr, ferr := formFile(r, "file_"+name)
			if ferr != nil {
				return ferr
			}
			if file != nil {
				defer file.Close()
				am.Upload = &cases.Upload{Name: hdr.Filename, Body: file}
			}
			if f.Get("defer_"+name) == "1" {
				in.Defer = append(in.Defer, cases.Later{Item: code, MaterialID: m.ID})
			}
			in.Materials = append(in.Materials, am)
		}
	}
	a, err := s.Cases.ApplyBundleOnline(ctx, in)
	switch {
	case err != nil && a.Refused: // shown again as typed
		_, st := s.errorStatus(w, r, err)
		return s.renderMyBundle(w, r, st, in.Answers, err)
	case err != nil:
		return err
	case len(a.Uploads) > 0:
		var problems []errs.FieldError
		for _, u := range a.Uploads {
			problems = append(problems, errs.FieldError{Field: "file_" + u.Item + "__" + u.Material.ID, Message: fieldMessage(u.Err)})
		}
		return s.renderMyBundle(w, r, http.StatusBadRequest, in.Answers, nil, problems...)
	}
	http.Redirect(w, r, "/my/cases/"+url.PathEscape(a.Case.Number)+"?submitted=1", http.StatusSeeOther)
	return nil
}

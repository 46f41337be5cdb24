package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"banhao/audit"
	"banhao/cases"
	"banhao/certs"
	"banhao/errs"
	"banhao/identity"
	"banhao/pdfdoc"
)

var (
	caseViewers = roles(identity.Clerk, identity.Approver, identity.Supervisor, identity.Admin, identity.Auditor)
	intake      = roles(identity.Clerk, identity.Agent)
)

func (s *Server) registerCases() {
	s.handle("POST", "/api/v1/files", API, roles(cases.Uploaders()...), s.apiUpload, uploads(1))
	s.handle("POST", "/api/v1/cases", API, intake, s.apiCreateCase)
	s.handle("GET", "/api/v1/cases", API, caseViewers, s.apiCases)
	s.handle("GET", "/api/v1/cases/{number}", API, caseViewers, s.apiCase)
	for _, a := range cases.Actions {
		act, ok := apiActions[a]
		if !ok {
			continue // terminate: the system's, not a person's
		}
		who := roles(identity.Clerk)
		if a == cases.Suspend || a == cases.Resume || a == cases.Extend || a == cases.Decide {
			who = roles(identity.Approver)
		}
		s.handle("POST", "/api/v1/cases/{number}/"+string(a), API, who, act(s))
	}
	s.handle("POST", "/api/v1/cases/{number}/claim", API, roles(identity.Approver), s.apiClaim(true))
	s.handle("POST", "/api/v1/cases/{number}/release", API, roles(identity.Approver), s.apiClaim(false))
	s.handle("GET", "/api/v1/track", API, public, s.apiTrack)
	s.registerCaseFiles()
	s.registerPayments() // 秒到账: correct and send again (payments.go)
}

func (s *Server) apiUpload(w http.ResponseWriter, r *http.Request) error {
	if !isMultipart(r) {
		return &errs.Error{Code: errs.CodeUnsupported, Message: "请以 multipart/form-data 上传，字段名 file"}
	}
	f, h, err := formFile(r, "file") // serve has parsed the form within the route's limit
	if err != nil {
		return err
	}
	var up *cases.Upload
	if f != nil {
		defer f.Close()
		up = &cases.Upload{Name: h.Filename, Body: f}
	}
	saved, err := s.Cases.Upload(r.Context(), actor(r), up)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusCreated, saved)
}

func (s *Server) apiCreateCase(w http.ResponseWriter, r *http.Request) error {
	var in cases.CreateInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, created, err := s.Cases.Create(r.Context(), actor(r), in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return s.writeJSON(w, status, c)
}

func (s *Server) apiCases(w http.ResponseWriter, r *http.Request) error {
	limit, offset, err := pageParams(r, 50, 200)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, total, err := s.Cases.List(r.Context(), actor(r), cases.Query{Status: q.Get("status"), Department: q.Get("department"),
		Warning: q.Get("warning"), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, map[string]any{"cases": list, "total": total})
}

func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Cases.Get(r.Context(), actor(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, c)
}

// apiActions are the case actions of the API (API.md "Actions"), each with its own body.
var apiActions = map[cases.Action]func(*Server) handlerFunc{
	cases.Accept:     apiAct[cases.AcceptInput],
	cases.AskCorrect: apiAct[cases.CorrectionInput],
	cases.Supply:     apiAct[cases.SupplyInput],
	cases.Reject:     apiAct[cases.RejectInput],
	cases.Suspend:    apiAct[cases.SuspendInput],
	cases.Resume:     apiAct[cases.ResumeInput],
	cases.Extend:     apiAct[cases.ExtendInput],
	cases.Decide:     apiAct[cases.DecisionInput],
	cases.Deliver:    apiAct[cases.DeliveryInput],
	cases.Withdraw:   apiAct[cases.WithdrawInput],
}

// apiAct runs one action on a case, its body (none: the zero input) decoded into the action's
// own input: a field of another action is refused, 400 naming it.
func apiAct[In cases.ActionInput](s *Server) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if r.ContentLength != 0 {
			if err := decodeJSON(w, r, &in); err != nil {
				return err
			}
		}
		c, err := s.Cases.Act(r.Context(), actor(r), r.PathValue("number"), in)
		if err != nil {
			return err
		}
		return s.writeJSON(w, 200, c)
	}
}

func (s *Server) apiClaim(claim bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, err := s.Cases.Claim(r.Context(), actor(r), r.PathValue("number"), claim)
		if err != nil {
			return err
		}
		return s.writeJSON(w, 200, c)
	}
}

// apiTrack: public tracking by case number and the last four digits of the phone number.
func (s *Server) apiTrack(w http.ResponseWriter, r *http.Request) error {
	number, phone4, err := trackQuery(r.URL.Query())
	if err != nil {
		return err
	}
	c, err := s.Cases.TrackPublic(r.Context(), number, phone4, clientAddr(r)) // wrong guesses limited there
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, c)
}

// trackQuery reads a tracking query as people type it (full-width characters, spaces, lower
// case are folded) and names each field that is missing or malformed by its label.
func trackQuery(q url.Values) (number, phone4 string, err error) {
	number, phone4 = cases.NormalizeNumber(q.Get("number")), cases.NormalizeDigits(q.Get("phone4"))
	var v errs.Validation
	v.Check(number != "", "number", "请输入办件编号")
	v.Check(len(phone4) == 4 && strings.Trim(phone4, "0123456789") == "", "phone4", "手机号后四位须为 4 位数字")
	return number, phone4, v.Err()
}

func (s *Server) registerNotices() {
	s.handle("GET", "/api/v1/cases/{number}/notices/{kind}", API, roles(identity.Clerk, identity.Approver, identity.Supervisor), s.caseNotice)
	s.handle("GET", "/api/v1/verify/{code}", API, public, s.apiVerify)
}

// caseNotice prints a notice as PDF; the first print registers its verification code.
func (s *Server) caseNotice(w http.ResponseWriter, r *http.Request) error {
	return s.writeNotice(w, r, actor(r), r.PathValue("number"), cases.NoticeKind(strings.TrimSuffix(r.PathValue("kind"), ".pdf")))
}

func (s *Server) writeNotice(w http.ResponseWriter, r *http.Request, by audit.Actor, number string, kind cases.NoticeKind) error {
	n, c, err := s.Cases.IssueNotice(r.Context(), by, number, kind)
	if err != nil {
		return err
	}
	letter, err := s.Cases.Letter(r.Context(), n, c, s.CenterName, s.baseURL(r)+"/api/v1/verify/"+n.Code)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdfdoc.WriteLetter(&buf, letter, n.At.In(s.loc())); err != nil { // dated by the act it records, however late it is printed
		return err
	}
	return writePDF(w, r, buf.Bytes(), fmt.Sprintf("%s-%s.pdf", c.Number, kind), c.Number+"-"+n.Title+".pdf")
}

// apiVerify is what a QR code opens: JSON for programs, a page for a phone's browser.
func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.Identity.Try(r.Context(), identity.VerifyLimits(clientAddr(r))...); err != nil {
		return err
	} else if !ok {
		err := errs.TooManyRequestsAfter("核验次数过多，请稍后再试", identity.VerifyEvery)
		if strings.Contains(r.Header.Get("Accept"), "text/html") { // a phone's browser: the friendly page, still 429
			s.writeError(w, r, Page, err)
			return nil
		}
		return err
	}
	if code := r.PathValue("code"); strings.HasPrefix(code, certs.Root+".") {
		return s.verifyCertificate(w, r, code)
	}
	n, err := s.Cases.Verify(r.Context(), r.PathValue("code"))
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		if err != nil {
			return s.renderStatus(w, r, http.StatusNotFound, "verify", "文书核验", map[string]any{"Valid": false, "Code": errs.Short(r.PathValue("code"))})
		}
		return s.render(w, r, "verify", "文书核验", map[string]any{"Valid": true, "Notice": n})
	}
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, map[string]any{"valid": true, "kind": n.Title, "kind_code": n.Kind, "issued_on": n.IssuedOn,
		"issuer": n.Issuer, "holder": n.Holder, "case": n.Case})
}

// verifyCertificate answers for an e-certificate's identifier: its current status, read from the
// library on every request, so a revocation shows at once (no cache).
func (s *Server) verifyCertificate(w http.ResponseWriter, r *http.Request, code string) error {
	p, err := s.Certs.Verify(r.Context(), code)
	w.Header().Set("Cache-Control", "no-store")
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		if err != nil {
			return s.renderStatus(w, r, http.StatusNotFound, "verify", "证照核验", map[string]any{"Valid": false, "Code": errs.Short(code)})
		}
		revoked := ""
		if p.RevokedAt != nil {
			revoked = p.RevokedAt.In(s.loc()).Format("2006-01-02 15:04")
		}
		return s.render(w, r, "verify", "证照核验", map[string]any{"Valid": p.Valid, "Certificate": p, "Code": code, "RevokedAt": revoked})
	}
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"valid": p.Valid, "kind": p.Kind, "issued_on": p.IssuedOn, "issuer": p.Issuer,
		"holder": p.Holder, "status": p.Status, "number": p.Number, "expires_on": p.ExpiresOn, "revoked_at": p.RevokedAt, "id": p.ID})
}

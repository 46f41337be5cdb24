package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/errs"
	"banhao/identity"
)

// 告知承诺 (issue 16) on the web: the commitment signed online (/my apply) or recorded at the
// window, the department's post-checks (/office/postchecks, GET /api/v1/postchecks, POST
// /api/v1/postchecks/{number}), the commitment, post-check and credit records on the case page,
// the applicant's own credit records on /my.
func (s *Server) registerPostChecks() {
	viewers, checker := roles(identity.Approver, identity.Admin, identity.Supervisor), roles(identity.Approver)
	s.handle("GET", "/api/v1/postchecks", API, viewers, s.apiPostChecks)
	s.handle("POST", "/api/v1/postchecks/{number}", API, checker, s.apiRecordPostCheck)
	s.handle("GET", "/office/postchecks", Page, viewers, func(w http.ResponseWriter, r *http.Request) error {
		return s.postChecksPage(w, r, http.StatusOK, "", newForm(nil, nil, nil), "")
	})
	s.handle("POST", "/office/postchecks/{number}", Page, checker, s.pageRecordPostCheck)
}

func (s *Server) apiPostChecks(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Cases.PostChecks(r.Context(), actor(r), cases.PostCheckQuery{Status: r.URL.Query().Get("status")})
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"postchecks": list})
}

func (s *Server) apiRecordPostCheck(w http.ResponseWriter, r *http.Request) error {
	var in cases.PostCheckInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.Cases.RecordPostCheck(r.Context(), actor(r), r.PathValue("number"), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, p)
}

// postCheckFields name the post-check form's fields (one form per open check; the one posted
// shows its errors).
var postCheckFields = formFields{"finding": {"finding", "核查结论"}, "reason": {"reason", "核查情况"}}

// postChecksPage lists the post-checks the viewer may see, open ones first with 按期/逾期, each
// open one with its form (an approver's own department).
func (s *Server) postChecksPage(w http.ResponseWriter, r *http.Request, status int, posted string, f *form, flash string) error {
	q := r.URL.Query().Get("status")
	list, err := s.Cases.PostChecks(r.Context(), actor(r), cases.PostCheckQuery{Status: q})
	if err != nil {
		return err
	}
	overdue := 0
	for _, p := range list {
		if p.Status == cases.PostCheckOpen && !p.OnTime {
			overdue++
		}
	}
	return s.renderStatus(w, r, status, "office/postchecks", "事后核查（告知承诺）", map[string]any{"Checks": list, "Status": q,
		"Overdue": overdue, "Posted": posted, "Form": f, "Flash": flash, "MayCheck": identity.Role(actor(r).Role) == identity.Approver})
}

func (s *Server) pageRecordPostCheck(w http.ResponseWriter, r *http.Request) error {
	number, f := r.PathValue("number"), r.PostForm
	if f.Get("finding") == cases.PostCheckFalse && f.Get("confirm") != "1" { // 承诺不实 revokes: said, then confirmed
		return s.confirmFalseFinding(w, r, number, f)
	}
	p, err := s.Cases.RecordPostCheck(r.Context(), actor(r), number, cases.PostCheckInput{Finding: f.Get("finding"), Reason: f.Get("reason")})
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 && !errs.Is(err, errs.CodeNotFound) {
			return s.postChecksPage(w, r, st, number, newForm(f, postCheckFields, err), "")
		}
		return err
	}
	flash := "已记录：" + p.CaseNumber + " 承诺属实，核查完成"
	if p.Status == cases.PostCheckFalse {
		flash = "已记录：" + p.CaseNumber + " 承诺不实，已撤销许可（及其电子证照）并记入申请人信用记录"
	}
	return s.postChecksPage(w, r, http.StatusOK, "", newForm(nil, nil, nil), flash)
}

// confirmFalseFinding shows what recording 承诺不实 will do — the decision and its certificate
// revoked, a credit record on the applicant, a text to them — and asks for a second submit with
// 确认; a reason left out is refused first, on the list, next to its field.
func (s *Server) confirmFalseFinding(w http.ResponseWriter, r *http.Request, number string, f url.Values) error {
	p, err := s.Cases.PostCheckOf(r.Context(), number)
	if err != nil {
		return err
	}
	if p == nil {
		return errs.NotFound("事后核查", number)
	}
	if p.Department != actor(r).Department {
		return errs.Forbidden("该事后核查属于其他部门")
	}
	if _, err := cases.PostCheckNext(p.Status, cases.PostCheckFalse, strings.TrimSpace(f.Get("reason"))); err != nil {
		_, st := s.errorStatus(w, r, err)
		return s.postChecksPage(w, r, st, number, newForm(f, postCheckFields, err), "")
	}
	return s.render(w, r, "office/postcheck_confirm", "确认承诺不实", map[string]any{"Check": p, "Reason": strings.TrimSpace(f.Get("reason")),
		"Consequences": cases.FalseFindingConsequences(*p)})
}

// commitmentFrom reads the online form's signature: the ticked box and the typed name.
func commitmentFrom(f url.Values) *cases.CommitmentInput {
	if f.Get("commitment_agree") == "" && f.Get("commitment_signer") == "" {
		return nil
	}
	return &cases.CommitmentInput{Agreed: f.Get("commitment_agree") == "1", Signer: f.Get("commitment_signer"), Via: cases.SignedOnline}
}

// windowCommitmentFrom reads the window's record that the applicant signed the 承诺书 on paper or
// the signing pad.
func windowCommitmentFrom(f url.Values) *cases.CommitmentInput {
	if f.Get("commitment_signed") != "1" {
		return nil
	}
	return &cases.CommitmentInput{Agreed: true, Via: cases.SignedWindow}
}

// promiseFields adds the commitment's fields to a form's table: the ticked box and the name.
func promiseFields(ff formFields) formFields {
	ff["commitment"] = formField{"commitment-agree", "承诺书"}
	ff["commitment.signer"] = formField{"commitment-signer", "签名"}
	return ff
}

// casePromise is what the case page shows of 告知承诺: the commitment signed, the post-check,
// and the applicant's credit records (a warning for staff).
type casePromise struct {
	Commitment *cases.SignedCommitment
	PostCheck  *cases.PostCheck
	Credit     []cases.CreditRecord
	Warning    string
}

func (s *Server) promiseOf(ctx context.Context, viewer audit.Actor, c cases.Case) casePromise {
	var p casePromise
	p.Commitment, _ = s.Cases.CommitmentOf(ctx, c.Number)
	p.PostCheck, _ = s.Cases.PostCheckOf(ctx, c.Number)
	if recs, err := s.Cases.CreditRecordsOfCase(ctx, viewer, c.Number); err == nil {
		p.Credit, p.Warning = recs, cases.CreditWarning(recs)
	}
	return p
}

// postCheckFigure is /supervise's 承诺制事后核查按期率: the post-checks due in the period (their
// day passed, or done) and those done on or before their day.
type postCheckFigure struct {
	Due, OnTime int
	Percent     string
}

func (s *Server) postCheckFigure(r *http.Request, from, to calendar.Date) *postCheckFigure {
	due, onTime, err := s.Cases.PostCheckFiguresFor(r.Context(), actor(r), from, to)
	if err != nil {
		return nil
	}
	f := &postCheckFigure{Due: due, OnTime: onTime, Percent: "—"}
	if due > 0 {
		f.Percent = fmt.Sprintf("%.1f%%", float64(onTime)*100/float64(due))
	}
	return f
}

package web_test

import (
	"context"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/demo"
	"banhao/identity"
	"banhao/web"
)

// TestPostCheckAPIAndCreditWarning: a 告知承诺 application registered and signed at the window
// is approved at once; the department's approver lists it (GET /api/v1/postchecks), records
// 承诺不实 (POST /api/v1/postchecks/{number}); on the company's next application the clerk's and
// the approver's case pages warn 该申请人有失信记录; /supervise shows the 按期率.
func TestPostCheckAPIAndCreditWarning(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk, approver := h.sessions[identity.Clerk], h.approverOf(t, "approver")
	code, refs := h.commitmentItem(t)
	apply := func(want cases.Status) cases.Case { return h.commitmentApplication(t, code, refs, want) }
	h.clock.Set(h.clock.Now().UTC()) // a server's clock is in UTC: the pages must show the center's time
	first := apply(cases.Decided)

	list := decode[struct{ Postchecks []cases.PostCheck }](t, h.do(t, "GET", "/api/v1/postchecks?status=open", web.API, &approver, nil, ""))
	if len(list.Postchecks) != 1 || list.Postchecks[0].CaseNumber != first.Number || list.Postchecks[0].State != "按期（待核查）" {
		t.Fatalf("GET /api/v1/postchecks: %+v", list)
	}
	if resp := h.do(t, "GET", "/api/v1/postchecks", web.API, &clerk, nil, ""); resp.StatusCode != 403 {
		t.Errorf("a clerk lists post-checks: %d", resp.StatusCode)
	}
	resp := h.do(t, "POST", "/api/v1/postchecks/"+first.Number, web.API, &approver, strings.NewReader(`{"finding":"false"}`), "application/json")
	if resp.StatusCode != 400 {
		t.Errorf("不实 without a reason: %d", resp.StatusCode)
	}
	p := decode[cases.PostCheck](t, h.do(t, "POST", "/api/v1/postchecks/"+first.Number, web.API, &approver,
		strings.NewReader(`{"finding":"false","reason":"现场无冷藏设施，与承诺不符"}`), "application/json"))
	if p.Status != cases.PostCheckFalse {
		t.Fatalf("recorded: %+v", p)
	}
	revoked := h.seen(t, "/cases/"+first.Number, approver)
	signed, err := h.cases.CommitmentOf(context.Background(), first.Number)
	if err != nil || signed == nil {
		t.Fatalf("the signed commitment: %v %v", signed, err)
	}
	_, sig, _ := strings.Cut(revoked, "签署 ")
	sig, _, _ = strings.Cut(sig, "承诺书全文")
	if at := signed.SignedAt.In(shanghai).Format("2006-01-02 15:04"); !strings.Contains(sig, at) { // the center's time, as every time on the page
		t.Errorf("the case page's 签署 is not at %s (local time): %s", at, sig)
	}
	if !strings.Contains(revoked, "已撤销许可") || strings.Contains(revoked, "该申请人有失信记录") {
		t.Errorf("the revoked case's page: %s", revoked)
	}

	second := apply(cases.Accepted) // a false commitment on record: no 告知承诺 until credit repair
	for _, who := range []identity.Session{clerk, approver} {
		page := h.seen(t, "/cases/"+second.Number, who)
		if !strings.Contains(page, "该申请人有失信记录") || !strings.Contains(page, first.Number) {
			t.Errorf("%s's page of the next application lacks the credit warning", who.User.Username)
		}
	}
	sup := h.seen(t, "/supervise?from=2026-11-01&to=2026-12-31", h.sessions[identity.Supervisor])
	if !strings.Contains(sup, "承诺制事后核查按期率") || !strings.Contains(sup, "100.0%") {
		t.Errorf("/supervise: %s", sup)
	}
	if page := h.seen(t, "/cases/"+second.Number, approver); !strings.Contains(page, "信用修复前不适用告知承诺制") {
		t.Errorf("the next application's page does not say why it waits for the department: %s", page)
	}
	office := h.seen(t, "/office/postchecks", approver)
	if !strings.Contains(office, first.Number) || strings.Contains(office, second.Number) {
		t.Errorf("/office/postchecks: %s", office)
	}
}

// commitmentItem is the demo's 食品经营许可 (告知承诺) with a file for each required material,
// uploaded by the clerk.
func (h *harness) commitmentItem(t *testing.T) (string, []cases.MaterialRef) {
	t.Helper()
	clerk := h.sessions[identity.Clerk]
	code := h.itemNamed(t, "食品经营许可")
	it, err := h.cat.Item(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	file := h.uploadPDF(t, &clerk)
	var refs []cases.MaterialRef
	for _, m := range it.Materials {
		if m.Required {
			refs = append(refs, cases.MaterialRef{MaterialID: m.ID, FileID: file})
		}
	}
	return code, refs
}

// commitmentApplication registers, accepts and (on the company's paper signature) approves a
// 告知承诺 application of the demo company at the window; want is the status it should reach
// (Accepted when the company has a false commitment on record).
func (h *harness) commitmentApplication(t *testing.T, code string, refs []cases.MaterialRef, want cases.Status) cases.Case {
	t.Helper()
	company := cases.Applicant{Type: "organization", Name: demo.CompanyName, IDNumber: demo.CompanyCode, Phone: demo.CompanyPhone}
	c, _, err := h.cases.Create(context.Background(), h.sessions[identity.Clerk].User.Actor(), cases.CreateInput{Item: code, Channel: "window",
		Applicant: company, Materials: refs, Accept: &cases.AcceptInput{}, Commitment: &cases.CommitmentInput{Agreed: true}}, "")
	if err != nil || c.Status != want {
		t.Fatalf("window 告知承诺: %v %s, want %s", err, c.Status, want)
	}
	return c
}

// commitmentCase is a 告知承诺 case with an open post-check.
func (h *harness) commitmentCase(t *testing.T) string {
	t.Helper()
	code, refs := h.commitmentItem(t)
	return h.commitmentApplication(t, code, refs, cases.Decided).Number
}

package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
)

// citizenAPI sends an API request with an applicant's bearer token and returns the status and body.
func (h *harness) citizenAPI(t *testing.T, sess identity.ApplicantSession, method, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, h.ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+sess.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestSecurityAgentWithinMandate (issue 11, finding 4): an agent authorised for one item until a
// date sees only that item's cases of the organisation, never its full credit code and phone,
// its certificates or its data-access list; after the end date, or once the organisation
// revokes the authorisation, the agent's very next request no longer acts for it.
func TestSecurityAgentWithinMandate(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		clerk := h.sessions[identity.Clerk]
		inScope, outOfScope := h.itemNamed(t, "单位社会保险登记"), h.itemNamed(t, "企业变更登记")
		a, _, err := h.cases.Create(ctx, clerk.User.Actor(), casesInput(inScope, demo.CompanyName, demo.CompanyCode, demo.CompanyPhone), "")
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := h.cases.Create(ctx, clerk.User.Actor(), casesInput(outOfScope, demo.CompanyName, demo.CompanyCode, demo.CompanyPhone), "")
		if err != nil {
			t.Fatal(err)
		}
		company, agent := h.applicantSession(t, demo.CompanyCode), h.citizenSession(t)
		ends := h.srv.Now().AddDate(0, 0, 30).Format("2006-01-02")
		if resp, _ := h.citizenDo(t, company, "POST", "/my/authorise", url.Values{"agent_id_number": {demo.CitizenID}, "scope": {inScope}, "ends_on": {ends}}); resp.StatusCode != 303 {
			t.Fatalf("authorise: %d", resp.StatusCode)
		}
		co, _ := h.people.ByIDNumber(ctx, demo.CompanyCode)
		if resp, _ := h.citizenDo(t, agent, "POST", "/my/act-for", url.Values{"org": {itoa(co.ID)}}); resp.StatusCode != 303 {
			t.Fatalf("act for: %d", resp.StatusCode)
		}

		// Within the mandate: the in-scope case only, masked codes, no certificates, no access list.
		status, body := h.citizenAPI(t, agent, "GET", "/api/v1/my/cases")
		if status != 200 || !strings.Contains(body, a.Number) || strings.Contains(body, b.Number) {
			t.Errorf("agent's case list: %d %s", status, body)
		}
		if strings.Contains(body, demo.CompanyCode) || strings.Contains(body, demo.CompanyPhone) {
			t.Errorf("agent's case list shows the full credit code or phone")
		}
		if resp, _ := h.citizenDo(t, agent, "GET", "/my/cases/"+b.Number, nil); resp.StatusCode != 404 {
			t.Errorf("case outside the mandate: %d, want 404", resp.StatusCode)
		}
		if resp, page := h.citizenDo(t, agent, "GET", "/my", nil); resp.StatusCode != 200 || strings.Contains(page, demo.CompanyCode) ||
			strings.Contains(page, demo.CompanyPhone) || strings.Contains(page, b.Number) || strings.Contains(page, "谁查看了我的数据") {
			t.Errorf("agent's /my: %d shows the organisation's data beyond the mandate", resp.StatusCode)
		}
		if status, body := h.citizenAPI(t, agent, "GET", "/api/v1/my/certificates"); status != 200 || strings.Contains(body, "营业执照") {
			t.Errorf("agent's certificate list: %d %s", status, body)
		}
		lic, err := h.certs.Usable(ctx, demo.CompanyCode, "营业执照")
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := h.citizenDo(t, agent, "GET", "/my/certificates/"+url.PathEscape(lic.ID), nil); resp.StatusCode != 404 {
			t.Errorf("agent opened the organisation's licence: %d", resp.StatusCode)
		}
		if status, _ := h.citizenAPI(t, agent, "GET", "/api/v1/my/data-access"); status != 403 {
			t.Errorf("agent read the organisation's data-access list: %d", status)
		}
		if status, body := h.citizenAPI(t, agent, "GET", "/api/v1/my"); status != 200 || strings.Contains(body, demo.CompanyCode) || !strings.Contains(body, demo.CompanyName) {
			t.Errorf("agent's /api/v1/my: %d %s", status, body)
		}

		// The company's draft of another item is neither read, overwritten nor deleted by the agent.
		draft, err := h.cases.SaveDraft(ctx, co.ID, cases.Draft{Item: outOfScope, Values: map[string]string{"note": "SECRET-NOTE"}})
		if err != nil {
			t.Fatal(err)
		}
		if resp, page := h.citizenDo(t, agent, "GET", "/my/apply/"+url.PathEscape(inScope)+"?draft="+itoa(draft), nil); resp.StatusCode != 404 || strings.Contains(page, "SECRET-NOTE") {
			t.Errorf("agent opened the company's draft of another item: %d", resp.StatusCode)
		}
		h.citizenDo(t, agent, "POST", "/my/apply/"+url.PathEscape(inScope), url.Values{"action": {"draft"}, "draft": {itoa(draft)}, "note": {"OVERWRITTEN"}})
		h.citizenDo(t, agent, "POST", "/my/drafts/"+itoa(draft)+"/delete", url.Values{})
		if d, err := h.cases.Draft(ctx, co.ID, draft); err != nil || d.Values["note"] != "SECRET-NOTE" {
			t.Errorf("the company's draft after the agent's tries: %+v %v", d, err)
		}

		// A bundle whose items the mandate does not cover is not even shown (its form is
		// prefilled from the company's account and licence).
		if resp, page := h.citizenDo(t, agent, "GET", "/my/bundles/KBQY", nil); resp.StatusCode != 403 || strings.Contains(page, demo.CompanyPhone) || strings.Contains(page, lic.ID) {
			t.Errorf("agent opened a bundle outside the mandate: %d", resp.StatusCode)
		}

		// After the end date the same session no longer acts for the company.
		if _, err := db.ExecContext(ctx, `UPDATE authorisations SET ends_on = ? WHERE org_id = ?`, h.srv.Now().AddDate(0, 0, -1).Format("2006-01-02"), co.ID); err != nil {
			t.Fatal(err)
		}
		if resp, _ := h.citizenDo(t, agent, "GET", "/my/cases/"+a.Number, nil); resp.StatusCode != 404 {
			t.Errorf("agent read a case after the end date: %d", resp.StatusCode)
		}
		if status, body := h.citizenAPI(t, agent, "GET", "/api/v1/my/cases"); status != 200 || strings.Contains(body, a.Number) {
			t.Errorf("agent's case list after the end date: %d %s", status, body)
		}

		// A new authorisation, revoked by the company: gone at the agent's next request.
		if resp, _ := h.citizenDo(t, company, "POST", "/my/authorise", url.Values{"agent_id_number": {demo.CitizenID}, "scope": {"*"}, "ends_on": {ends}}); resp.StatusCode != 303 {
			t.Fatalf("authorise again: %d", resp.StatusCode)
		}
		if resp, _ := h.citizenDo(t, agent, "POST", "/my/act-for", url.Values{"org": {itoa(co.ID)}}); resp.StatusCode != 303 {
			t.Fatalf("act for again: %d", resp.StatusCode)
		}
		if resp, _ := h.citizenDo(t, agent, "GET", "/my/cases/"+b.Number, nil); resp.StatusCode != 200 {
			t.Fatalf("agent for every item: %d", resp.StatusCode)
		}
		status, body = h.citizenAPI(t, company, "GET", "/api/v1/my/authorisations")
		var granted struct {
			Authorisations []struct {
				ID int64 `json:"id"`
			} `json:"authorisations"`
		}
		if err := json.Unmarshal([]byte(body), &granted); status != 200 || err != nil || len(granted.Authorisations) != 1 {
			t.Fatalf("the company's authorisations: %d %s", status, body)
		}
		if _, page := h.citizenDo(t, company, "GET", "/my", nil); !strings.Contains(page, "撤销授权") || !strings.Contains(page, demo.CitizenName) {
			t.Error("the company's /my does not list the authorisation with a way to revoke it")
		}
		if status, _ := h.citizenAPI(t, agent, "POST", "/api/v1/my/authorisations/"+itoa(granted.Authorisations[0].ID)+"/revoke"); status != 403 {
			t.Errorf("the agent revoked the company's authorisation: %d", status)
		}
		if resp, _ := h.citizenDo(t, company, "POST", "/my/authorisations/"+itoa(granted.Authorisations[0].ID)+"/revoke", url.Values{}); resp.StatusCode != 303 {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		if resp, _ := h.citizenDo(t, agent, "GET", "/my/cases/"+b.Number, nil); resp.StatusCode != 404 {
			t.Errorf("agent read a case after the revocation: %d", resp.StatusCode)
		}
		// The form the agent had open for the company is filed nowhere: not for the company, and
		// not quietly in the agent's own name either.
		me, _ := h.people.ByIDNumber(ctx, demo.CitizenID)
		before, _ := h.cases.OfApplicant(ctx, demo.CompanyCode, 200)
		for _, action := range []string{"submit", "draft"} {
			if resp, _ := h.citizenDo(t, agent, "POST", "/my/apply/"+url.PathEscape(inScope), url.Values{"action": {action}, "token": {"x" + action}}); resp.StatusCode != 403 {
				t.Errorf("%s after the revocation: %d, want 403", action, resp.StatusCode)
			}
		}
		if after, _ := h.cases.OfApplicant(ctx, demo.CompanyCode, 200); len(after) != len(before) {
			t.Errorf("the agent applied for the company after the revocation")
		}
		if mine, _ := h.cases.OfApplicant(ctx, demo.CitizenID, 200); len(mine) != 0 {
			t.Errorf("the company's application was filed in the agent's own name")
		}
		if drafts, _ := h.cases.Drafts(ctx, me.ID); len(drafts) != 0 {
			t.Errorf("the company's draft was saved in the agent's own account")
		}
		if _, page := h.citizenDo(t, agent, "GET", "/my", nil); !strings.Contains(page, "代办授权已撤销或已到期") || !strings.Contains(page, "切换回本人") {
			t.Error("/my does not tell the agent that the authorisation ended")
		}
		if status, body := h.citizenAPI(t, agent, "GET", "/api/v1/my"); status != 200 || !strings.Contains(body, `"mandate":[]`) {
			t.Errorf("/api/v1/my with an ended mandate: %d %s", status, body)
		}
		if resp, _ := h.citizenDo(t, agent, "POST", "/my/drafts/"+itoa(draft)+"/delete", url.Values{}); resp.StatusCode != 404 {
			t.Errorf("agent deleted a draft after the revocation: %d", resp.StatusCode)
		}
		if resp, _ := h.citizenDo(t, agent, "POST", "/my/act-for", url.Values{"org": {"0"}}); resp.StatusCode != 303 {
			t.Errorf("switching back: %d", resp.StatusCode)
		}
		if status, body := h.citizenAPI(t, agent, "GET", "/api/v1/my"); status != 200 || strings.Contains(body, "acting_for") {
			t.Errorf("after switching back: %d %s", status, body)
		}

		// An authorisation names items of the catalog.
		if resp, _ := h.citizenDo(t, company, "POST", "/my/authorise", url.Values{"agent_id_number": {demo.CitizenID}, "scope": {"NOTACODE"}, "ends_on": {ends}}); resp.StatusCode != 400 {
			t.Errorf("an authorisation for a made-up item: %d, want 400", resp.StatusCode)
		}
	})
}

// TestSecurityKioskSessionStaysAtTheKiosk (issue 11, finding 9): a sign-in at the kiosk opens
// the kiosk's pages only — not /my, its authorisations, acting for others, or the account API.
func TestSecurityKioskSessionStaysAtTheKiosk(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		kiosk, err := h.people.SignIn(ctx, demo.CompanyCode, h.freshCode(t, demo.CompanyCode), identity.ChannelKiosk, "")
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := h.citizenDo(t, kiosk, "GET", "/kiosk/home", nil); resp.StatusCode != 200 {
			t.Fatalf("kiosk home: %d", resp.StatusCode)
		}
		for _, c := range []struct {
			method, path string
			form         url.Values
		}{
			{"GET", "/my", nil},
			{"POST", "/my/authorise", url.Values{"agent_id_number": {demo.CitizenID}, "scope": {"*"}, "ends_on": {h.srv.Now().AddDate(0, 0, 30).Format("2006-01-02")}}},
			{"POST", "/my/act-for", url.Values{"org": {"1"}}},
			{"GET", "/my/apply/" + url.PathEscape(h.itemNamed(t, "单位社会保险登记")), nil},
		} {
			if resp, _ := h.citizenDo(t, kiosk, c.method, c.path, c.form); resp.StatusCode != 403 {
				t.Errorf("kiosk session %s %s: %d, want 403", c.method, c.path, resp.StatusCode)
			}
		}
		for _, p := range []string{"/api/v1/my", "/api/v1/my/cases", "/api/v1/my/data-access"} {
			if status, _ := h.citizenAPI(t, kiosk, "GET", p); status != 403 {
				t.Errorf("kiosk session on %s: %d, want 403", p, status)
			}
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM authorisations`).Scan(&n); err != nil || n != 0 {
			t.Errorf("a kiosk session authorised an agent: %d %v", n, err)
		}
	})
}

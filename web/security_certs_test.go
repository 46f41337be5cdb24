package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/certs"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// approverOf signs in the demo approver of a department (the harness keeps one per role).
func (h *harness) approverOf(t *testing.T, username string) identity.Session {
	t.Helper()
	sess, err := h.ids.Login(context.Background(), username, demo.DemoPassword, "127.0.0.1", identity.KindWeb)
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// certificateReads lists the certificate reads on a holder's data-access list.
func (h *harness) certificateReads(t *testing.T, holder string) []certs.Access {
	t.Helper()
	acc, err := h.certs.Accesses(context.Background(), holder, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []certs.Access
	for _, a := range acc {
		if a.ObjectType == "certificate" {
			out = append(out, a)
		}
	}
	return out
}

// companyCase registers a case of the demo company at the window with its business licence.
func (h *harness) companyCase(t *testing.T, licence string) string {
	t.Helper()
	clerk := h.sessions[identity.Clerk]
	item := h.itemNamed(t, "单位社会保险登记")
	body := `{"item":"` + item + `","channel":"window","applicant":{"type":"organization","name":"` + demo.CompanyName + `","id_number":"` + demo.CompanyCode +
		`","phone":"` + demo.CompanyPhone + `"},"materials":[{"material_id":"m1","certificate_id":"` + licence + `"}]}`
	resp := h.do(t, "POST", "/api/v1/cases", web.API, &clerk, strings.NewReader(body), "application/json")
	var c struct{ Number string }
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != 201 {
		t.Fatalf("create: %d %v", resp.StatusCode, err)
	}
	return c.Number
}

// TestSecurityRevokeOnlyByIssuer (issue 11, finding 1): the 不动产登记中心 approver cannot revoke
// a licence that the 行政审批服务局 issued; the verification still says valid. The issuer's own
// approver can.
func TestSecurityRevokeOnlyByIssuer(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		lic, err := h.certs.Usable(ctx, demo.CompanyCode, "营业执照")
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/certificates/" + url.PathEscape(lic.ID) + "/revoke"
		bdc := h.approverOf(t, "approver_bdc")
		if resp := h.do(t, "POST", path, web.API, &bdc, strings.NewReader(`{"reason":"恶意注销"}`), "application/json"); resp.StatusCode != 403 {
			t.Fatalf("another department's approver revoked the licence: %d", resp.StatusCode)
		}
		if pub, err := h.certs.Verify(ctx, lic.ID); err != nil || !pub.Valid {
			t.Fatalf("after a refused revocation: %+v %v", pub, err)
		}
		// The citizen's 居民身份证 was issued by the 公安局: the 行政审批服务局 approver cannot revoke it either.
		id, err := h.certs.Usable(ctx, demo.CitizenID, "居民身份证")
		if err != nil {
			t.Fatal(err)
		}
		xzsp := h.sessions[identity.Approver]
		if resp := h.do(t, "POST", "/api/v1/certificates/"+url.PathEscape(id.ID)+"/revoke", web.API, &xzsp, strings.NewReader(`{"reason":"x"}`), "application/json"); resp.StatusCode != 403 {
			t.Fatalf("the licensing office revoked an ID card: %d", resp.StatusCode)
		}
		if resp := h.do(t, "POST", path, web.API, &xzsp, strings.NewReader(`{"reason":"企业申请注销"}`), "application/json"); resp.StatusCode != 200 {
			t.Fatalf("the issuing department's approver: %d", resp.StatusCode)
		}
		if pub, err := h.certs.Verify(ctx, lic.ID); err != nil || pub.Valid {
			t.Fatalf("after the issuer's revocation: %+v %v", pub, err)
		}
	})
}

// TestSecurityCertificateReadBoundToCase (issue 11, finding 2): naming some case does not open
// every certificate. A clerk citing the company's case cannot read the citizen's certificates;
// an approver of another department cannot read the licence used on the company's case; neither
// refused read appears on the holder's list. The clerk's read of the licence the case used works.
func TestSecurityCertificateReadBoundToCase(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		lic, err := h.certs.Usable(ctx, demo.CompanyCode, "营业执照")
		if err != nil {
			t.Fatal(err)
		}
		number := h.companyCase(t, lic.ID)
		held, err := h.certs.Held(ctx, demo.CitizenID)
		if err != nil || len(held) == 0 {
			t.Fatalf("citizen's certificates: %v", err)
		}
		clerk := h.sessions[identity.Clerk]
		q := "?case=" + number + "&purpose=" + url.QueryEscape("核对")
		for _, c := range held {
			if resp := h.do(t, "GET", "/api/v1/certificates/"+url.PathEscape(c.ID)+q, web.API, &clerk, nil, ""); resp.StatusCode != 403 {
				t.Errorf("clerk read %s of another holder through the company's case: %d", c.Type, resp.StatusCode)
			}
			if resp := h.do(t, "GET", "/cases/"+number+"/certificates/"+url.PathEscape(c.ID), web.Page, &clerk, nil, ""); resp.StatusCode != 403 {
				t.Errorf("clerk opened %s of another holder on the company's case page: %d", c.Type, resp.StatusCode)
			}
		}
		bdc := h.approverOf(t, "approver_bdc")
		if resp := h.do(t, "GET", "/api/v1/certificates/"+url.PathEscape(lic.ID)+q, web.API, &bdc, nil, ""); resp.StatusCode != 403 {
			t.Errorf("an approver of another department read the licence: %d", resp.StatusCode)
		}
		if acc := h.certificateReads(t, demo.CitizenID); len(acc) != 0 {
			t.Errorf("refused reads are on the citizen's list: %+v", acc)
		}
		if acc := h.certificateReads(t, demo.CompanyCode); len(acc) != 0 {
			t.Errorf("refused reads are on the company's list: %+v", acc)
		}
		// A case made up at the window with the citizen's ID number, for an item that asks for no
		// certificate of theirs, opens none of them.
		made, _, err := h.cases.Create(ctx, clerk.User.Actor(), cases.CreateInput{Item: h.itemNamed(t, "单位社会保险登记"), Channel: "window",
			Applicant: cases.Applicant{Type: "person", Name: "任意", IDNumber: demo.CitizenID, Phone: "13900000000"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range held {
			path := "/api/v1/certificates/" + url.PathEscape(c.ID) + "?case=" + made.Number + "&purpose=" + url.QueryEscape("核对")
			if resp := h.do(t, "GET", path, web.API, &clerk, nil, ""); resp.StatusCode != 403 {
				t.Errorf("clerk read %s through a made-up case of its holder: %d", c.Type, resp.StatusCode)
			}
		}
		if acc := h.certificateReads(t, demo.CitizenID); len(acc) != 0 {
			t.Errorf("refused reads are on the citizen's list: %+v", acc)
		}

		resp := h.do(t, "GET", "/api/v1/certificates/"+url.PathEscape(lic.ID)+q, web.API, &clerk, nil, "")
		var got struct {
			HolderID string `json:"holder_id"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 || got.HolderID != demo.CompanyCode {
			t.Fatalf("the case's own licence: %d %+v %v", resp.StatusCode, got, err)
		}
		if acc := h.certificateReads(t, demo.CompanyCode); len(acc) != 1 || acc[0].Case != number || acc[0].Actor != "clerk" {
			t.Errorf("the lawful read is not on the company's list: %+v", acc)
		}
	})
}

// TestSecurityIdempotencyKeyPerCaller: a case's Idempotency-Key is its caller's own; the same key
// and body from another account is another request and never returns the first caller's case.
func TestSecurityIdempotencyKeyPerCaller(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	item := h.itemNamed(t, "单位社会保险登记")
	body := `{"item":"` + item + `","channel":"window","applicant":{"type":"organization","name":"` + demo.CompanyName + `","id_number":"` + demo.CompanyCode +
		`","phone":"` + demo.CompanyPhone + `"}}`
	post := func(sess identity.Session) (int, string) {
		req, _ := http.NewRequest("POST", h.ts.URL+"/api/v1/cases", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "k1")
		req.Header.Set("Authorization", "Bearer "+sess.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var c struct{ Number string }
		_ = json.NewDecoder(resp.Body).Decode(&c)
		return resp.StatusCode, c.Number
	}
	clerk, agent := h.sessions[identity.Clerk], h.sessions[identity.Agent]
	st, first := post(clerk)
	if st != 201 || first == "" {
		t.Fatalf("first request: %d", st)
	}
	if st, again := post(clerk); st != 200 || again != first {
		t.Errorf("the clerk's repeated request: %d %s, want 200 %s", st, again, first)
	}
	if st, other := post(agent); other == first {
		t.Errorf("another account's request with the clerk's key got the clerk's case (%d)", st)
	}
}

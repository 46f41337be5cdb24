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
	"banhao/web"
)

// TestCertificateRevocationShowsAtOnce: the verification page and its JSON say "revoked" on the
// first request after the revocation; the holder stays masked for a person.
func TestCertificateRevocationShowsAtOnce(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		held, err := h.certs.Held(context.Background(), demo.CitizenID)
		if err != nil || len(held) == 0 {
			t.Fatalf("demo citizen's certificates: %v", err)
		}
		id := held[0].ID
		page := func() string {
			req, _ := http.NewRequest("GET", h.ts.URL+"/api/v1/verify/"+url.PathEscape(id), nil)
			req.Header.Set("Accept", "text/html")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		if p := page(); !strings.Contains(p, "当前有效") || strings.Contains(p, demo.CitizenName) || !strings.Contains(p, identity.MaskName(demo.CitizenName)) {
			t.Fatalf("verification before revocation:\n%s", p)
		}
		admin := h.sessions[identity.Admin]
		if resp := h.do(t, "POST", "/api/v1/certificates/"+url.PathEscape(id)+"/revoke", web.API, &admin, strings.NewReader(`{"reason":""}`), "application/json"); resp.StatusCode != 400 {
			t.Fatalf("revocation without a reason: %d", resp.StatusCode)
		}
		clerk := h.sessions[identity.Clerk]
		if resp := h.do(t, "POST", "/api/v1/certificates/"+url.PathEscape(id)+"/revoke", web.API, &clerk, strings.NewReader(`{"reason":"x"}`), "application/json"); resp.StatusCode != 403 {
			t.Fatalf("a clerk revoked a certificate: %d", resp.StatusCode)
		}
		if resp := h.do(t, "POST", "/api/v1/certificates/"+url.PathEscape(id)+"/revoke", web.API, &admin, strings.NewReader(`{"reason":"持证人申请注销"}`), "application/json"); resp.StatusCode != 200 {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		if p := page(); !strings.Contains(p, "已注销") || strings.Contains(p, "当前有效") {
			t.Fatalf("verification right after revocation:\n%s", p)
		}
		resp := h.do(t, "GET", "/api/v1/verify/"+url.PathEscape(id), web.API, nil, nil, "")
		var v struct {
			Valid  bool   `json:"valid"`
			Status string `json:"status"`
			Holder string `json:"holder"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || v.Valid || v.Status != "revoked" || v.Holder != identity.MaskName(demo.CitizenName) {
			t.Fatalf("verification JSON after revocation: %+v %v", v, err)
		}
		// A wrong check character is not found.
		bad := id[:len(id)-1] + map[bool]string{true: "A", false: "B"}[id[len(id)-1] != 'A']
		if resp := h.do(t, "GET", "/api/v1/verify/"+url.PathEscape(bad), web.API, nil, nil, ""); resp.StatusCode != 404 {
			t.Errorf("wrong check character: %d", resp.StatusCode)
		}
	})
}

// TestCertificateReadNeedsCaseAndPurpose: a staff read without a case or purpose is refused
// and leaves no record; with them it is on the holder's list.
func TestCertificateReadNeedsCaseAndPurpose(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	lic, err := h.certs.Usable(ctx, demo.CompanyCode, "营业执照")
	if err != nil {
		t.Fatal(err)
	}
	clerk := h.sessions[identity.Clerk]
	base := "/api/v1/certificates/" + url.PathEscape(lic.ID)
	for _, q := range []string{"", "?case=371600-20261126-00001", "?purpose=审查", "?case=NO-SUCH&purpose=审查"} {
		if resp := h.do(t, "GET", base+q, web.API, &clerk, nil, ""); resp.StatusCode != 400 {
			t.Errorf("read %q: %d, want 400", q, resp.StatusCode)
		}
	}
	// A case of the company, through the window with the licence.
	item := h.itemNamed(t, "单位社会保险登记")
	body := `{"item":"` + item + `","channel":"window","applicant":{"type":"organization","name":"` + demo.CompanyName + `","id_number":"` + demo.CompanyCode +
		`","phone":"` + demo.CompanyPhone + `"},"materials":[{"material_id":"m1","certificate_id":"` + lic.ID + `"}]}`
	resp := h.do(t, "POST", "/api/v1/cases", web.API, &clerk, strings.NewReader(body), "application/json")
	var c struct{ Number string }
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != 201 {
		t.Fatalf("create: %d %v", resp.StatusCode, err)
	}
	if resp := h.do(t, "GET", base+"?case="+c.Number+"&purpose="+url.QueryEscape("受理审查"), web.API, &clerk, nil, ""); resp.StatusCode != 200 {
		t.Fatalf("read for the case: %d", resp.StatusCode)
	}
	acc, err := h.certs.Accesses(ctx, demo.CompanyCode, 0)
	if err != nil || len(acc) != 1 || acc[0].Case != c.Number || acc[0].Purpose != "受理审查" || acc[0].Actor != "clerk" {
		t.Fatalf("access list: %+v %v", acc, err)
	}
	// Another person's certificate cannot stand for the company's material.
	held, _ := h.certs.Held(ctx, demo.CitizenID)
	body = strings.Replace(body, lic.ID, held[0].ID, 1)
	if resp := h.do(t, "POST", "/api/v1/cases", web.API, &clerk, strings.NewReader(body), "application/json"); resp.StatusCode != 400 {
		t.Errorf("someone else's certificate accepted: %d", resp.StatusCode)
	}
}

// TestApprovalIssuesCertificate: approving a change registration issues the company a new
// business licence; the case names it, the company holds it and can verify it.
func TestApprovalIssuesCertificate(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		clerk := h.sessions[identity.Clerk]
		lic, err := h.certs.Usable(ctx, demo.CompanyCode, "营业执照")
		if err != nil {
			t.Fatal(err)
		}
		item := h.itemNamed(t, "企业变更登记")
		f1, f2 := h.uploadPDF(t, &clerk), h.uploadPDF(t, &clerk)
		body := `{"item":"` + item + `","channel":"window","applicant":{"type":"organization","name":"` + demo.CompanyName + `","id_number":"` + demo.CompanyCode +
			`","phone":"` + demo.CompanyPhone + `"},"materials":[{"material_id":"m1","file_id":"` + f1 + `"},{"material_id":"m2","file_id":"` + f2 +
			`"},{"material_id":"m3","certificate_id":"` + lic.ID + `"}]}`
		resp := h.do(t, "POST", "/api/v1/cases", web.API, &clerk, strings.NewReader(body), "application/json")
		var c struct {
			Number            string `json:"number"`
			Status            string `json:"status"`
			ResultCertificate string `json:"result_certificate"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != 201 {
			t.Fatalf("create: %d %v", resp.StatusCode, err)
		}
		if resp := h.do(t, "POST", "/api/v1/cases/"+c.Number+"/accept", web.API, &clerk, nil, ""); resp.StatusCode != 200 {
			t.Fatalf("accept: %d", resp.StatusCode)
		}
		approver := h.sessions[identity.Approver] // the demo approver is of 行政审批服务局, the item's department
		resp = h.do(t, "POST", "/api/v1/cases/"+c.Number+"/decide", web.API, &approver, strings.NewReader(`{"decision":"approved"}`), "application/json")
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != 200 || c.Status != "decided" || c.ResultCertificate == "" {
			t.Fatalf("decide: %d %+v %v", resp.StatusCode, c, err)
		}
		held, _ := h.certs.Held(ctx, demo.CompanyCode)
		if len(held) != 2 || held[0].ID != c.ResultCertificate || held[0].Case != c.Number || held[0].IssuerName != "滨州市行政审批服务局" {
			t.Fatalf("the company holds %+v", held)
		}
		if v, err := h.certs.Verify(ctx, c.ResultCertificate); err != nil || !v.Valid {
			t.Errorf("verify the new licence: %+v %v", v, err)
		}
	})
}

// TestWindowApplicationReusesCertificate: at the window, a certificate material the applicant
// holds is taken from the library without being handed in, and the read is on their list.
func TestWindowApplicationReusesCertificate(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		clerk := h.sessions[identity.Clerk]
		item := h.itemNamed(t, "单位社会保险登记")
		body := `{"item":"` + item + `","channel":"window","applicant":{"type":"organization","name":"` + demo.CompanyName + `","id_number":"` + demo.CompanyCode +
			`","phone":"` + demo.CompanyPhone + `"},"materials":[]}`
		resp := h.do(t, "POST", "/api/v1/cases", web.API, &clerk, strings.NewReader(body), "application/json")
		var c struct {
			Number    string `json:"number"`
			Materials []struct {
				MaterialID    string `json:"material_id"`
				CertificateID string `json:"certificate_id"`
			} `json:"materials"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != 201 {
			t.Fatalf("create: %d %v", resp.StatusCode, err)
		}
		lic, _ := h.certs.Usable(context.Background(), demo.CompanyCode, "营业执照")
		if len(c.Materials) != 1 || c.Materials[0].MaterialID != "m1" || c.Materials[0].CertificateID != lic.ID {
			t.Fatalf("materials %+v, want the licence %s as m1", c.Materials, lic.ID)
		}
		// The window accepts at once: nothing is missing.
		if resp := h.do(t, "POST", "/api/v1/cases/"+c.Number+"/accept", web.API, &clerk, nil, ""); resp.StatusCode != 200 {
			t.Fatalf("accept: %d", resp.StatusCode)
		}
		acc, _ := h.certs.Accesses(context.Background(), demo.CompanyCode, 0)
		found := false
		for _, a := range acc {
			found = found || (a.Case == c.Number && a.ObjectID == lic.ID && a.Actor == "clerk" && strings.Contains(a.Purpose, "免提交"))
		}
		if !found {
			t.Fatalf("the reuse is not on the company's list: %+v", acc)
		}
		// A person who holds nothing is asked for the material as before.
		body = strings.Replace(strings.Replace(body, demo.CompanyCode, "91350100M000100Y43", 1), demo.CompanyName, "另一家公司", 1)
		resp = h.do(t, "POST", "/api/v1/cases", web.API, &clerk, strings.NewReader(body), "application/json")
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || len(c.Materials) != 0 {
			t.Fatalf("another applicant got materials %+v (%v)", c.Materials, err)
		}
	})
}

// TestBundleMaterialSuppliedOnce: a material several items of a bundle ask for is handed in once
// and shared by their child cases.
func TestBundleMaterialSuppliedOnce(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		clerk := h.sessions[identity.Clerk]
		b, err := h.cat.Bundle(ctx, "KBQY")
		if err != nil {
			t.Fatal(err)
		}
		file := h.uploadPDF(t, &clerk)
		form := map[string]string{}
		samples := map[string]string{"text": "示例公司", "number": "100", "id_number": "11010519491231002X", "credit_code": "91350100M000100Y43",
			"phone": "13805431234", "address": "滨州市黄河五路391号", "date": "2026-11-26"}
		for _, f := range b.Form.Fields {
			if f.Type == "choice" {
				form[f.Key] = f.Options[0]
			} else {
				form[f.Key] = samples[f.Type]
			}
		}
		raw, _ := json.Marshal(form)
		in := cases.CreateInput{Bundle: "KBQY", Form: raw, Channel: "window",
			Applicant: cases.Applicant{Type: "organization", Name: "示例公司", IDNumber: "91350100M000100Y43", Phone: "13805431234"}}
		// The licence is handed in with the first item that asks for it, and nowhere else.
		asking := 0
		for _, ic := range b.Stages[0].Items {
			it, _ := h.cat.Item(ctx, ic)
			for _, m := range it.Materials {
				if m.Name == "营业执照" {
					if asking == 0 {
						in.Materials = append(in.Materials, cases.MaterialRef{Item: ic, MaterialID: m.ID, FileID: file})
					}
					asking++
				}
			}
		}
		if asking < 2 {
			t.Fatalf("only %d items of 开办企业 ask for the licence", asking)
		}
		c, _, err := h.cases.Create(ctx, clerk.User.Actor(), in, "")
		if err != nil {
			t.Fatal(err)
		}
		holding := 0
		for _, ch := range c.Children {
			child, err := h.cases.Get(ctx, clerk.User.Actor(), ch.Number)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range child.Materials {
				if m.Name == "营业执照" && m.FileID == file {
					holding++
				}
			}
		}
		if holding != asking {
			t.Fatalf("%d child cases hold the licence, want all %d that ask for it", holding, asking)
		}
	})
}

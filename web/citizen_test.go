package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/store/storetest"
)

// citizenDo sends a page request as a signed-in applicant (cookie and CSRF token).
func (h *harness) citizenDo(t *testing.T, sess identity.ApplicantSession, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf", sess.CSRF)
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, h.ts.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: "banhao_citizen", Value: sess.Token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestOnlineBundlePrefilledFromCertificates: the merged form of a bundle comes prefilled from the
// company's account and its licence; submitted, each child case holds the licence where its item
// asks for it, without an upload.
func TestOnlineBundlePrefilledFromCertificates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		sess := h.applicantSession(t, demo.CompanyCode)
		resp, page := h.citizenDo(t, sess, "GET", "/my/bundles/KBQY", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("bundle form: %d", resp.StatusCode)
		}
		for key, want := range map[string]string{"company_name": demo.CompanyName, "legal_name": demo.CitizenName, "capital": "500", "phone": demo.CompanyPhone} {
			re := regexp.MustCompile(`name="f_` + key + `"[^>]*value="([^"]*)"`)
			if m := re.FindStringSubmatch(page); m == nil || m[1] != want {
				t.Errorf("field %s prefilled with %v, want %q", key, m, want)
			}
		}
		certBoxes := regexp.MustCompile(`name="(cert_[^"]+)" value="([^"]+)"`).FindAllStringSubmatch(page, -1)
		if len(certBoxes) < 3 {
			t.Fatalf("the form offers %d certificates, want the licence for each item that asks for it", len(certBoxes))
		}
		form := url.Values{"token": {"t-1"}, "f_company_name": {demo.CompanyName}, "f_company_kind": {"有限责任公司"}, "f_capital": {"500"},
			"f_business_scope": {"软件开发"}, "f_address": {"黄河五路 500 号"}, "f_legal_name": {demo.CitizenName}, "f_legal_id": {demo.CitizenID},
			"f_phone": {demo.CompanyPhone}, "f_seal_kinds": {"公章、财务章、发票章"}}
		for _, m := range certBoxes {
			form.Set(m[1], m[2])
		}
		resp, _ = h.citizenDo(t, sess, "POST", "/my/bundles/KBQY", form)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/my/cases/") {
			t.Fatalf("submit: %d → %q", resp.StatusCode, loc)
		}
		number := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/my/cases/")
		c, err := h.cases.Own(context.Background(), demo.CompanyCode, number)
		if err != nil || len(c.Children) < 5 {
			t.Fatalf("bundle case %+v %v", c, err)
		}
		withLicence := 0
		for _, ch := range c.Children {
			child, err := h.cases.Own(context.Background(), demo.CompanyCode, ch.Number)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range child.Materials {
				if m.CertificateID != "" {
					withLicence++
				}
			}
		}
		if withLicence < len(certBoxes) {
			t.Errorf("%d child materials hold a certificate, want %d", withLicence, len(certBoxes))
		}
		// The company's cases list shows the bundle.
		if _, page := h.citizenDo(t, sess, "GET", "/my", nil); !strings.Contains(page, number) {
			t.Errorf("/my lacks %s", number)
		}
	})
}

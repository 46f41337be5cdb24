package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// citizenDo sends a page request as a signed-in applicant (cookie and CSRF token).
func (h *harness) citizenDo(t *testing.T, sess identity.ApplicantSession, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	ctype := ""
	if form != nil {
		form.Set("csrf", sess.CSRF)
		body, ctype = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	}
	return h.citizenSend(t, sess, method, path, body, ctype)
}

// citizenSend sends a request with the applicant's cookie and returns the response unfollowed,
// with its body read.
func (h *harness) citizenSend(t *testing.T, sess identity.ApplicantSession, method, path string, body io.Reader, ctype string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, h.ts.URL+path, body)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
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
	eachDemo(t, func(t *testing.T, db *store.DB) {
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
		if len(certBoxes) != 1 || !strings.Contains(page, "共用，提交一次即可") {
			t.Fatalf("the form offers %d certificates, want the licence once, shared by the items that ask for it", len(certBoxes))
		}
		form := url.Values{"token": {"t-1"}, "f_company_name": {demo.CompanyName}, "f_company_kind": {"有限责任公司"}, "f_capital": {"500"},
			"f_business_scope": {"软件开发"}, "f_address": {"黄河五路 500 号"}, "f_legal_name": {demo.CitizenName}, "f_legal_id": {demo.CitizenID},
			"f_phone": {demo.CompanyPhone}, "f_seal_kinds": {"公章、财务章、发票章"}}
		for _, m := range certBoxes {
			form.Set(m[1], m[2])
		}
		resp, _ = h.citizenMultipart(t, sess, "/my/bundles/KBQY", form, pdfFor(requiredFiles(page)))
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
		if withLicence < 3 { // 公章刻制备案, 单位社会保险登记, 住房公积金单位缴存登记
			t.Errorf("%d child materials hold the licence, want 3", withLicence)
		}
		// The company's cases list shows the bundle.
		if _, page := h.citizenDo(t, sess, "GET", "/my", nil); !strings.Contains(page, number) {
			t.Errorf("/my lacks %s", number)
		}
	})
}

// TestOnlineAccountFlows walks a citizen's account: a draft saved and resumed, the application
// submitted from it, the acceptance notice downloaded, the case rated; someone else's case is
// not found; a kiosk ticket carries the account's phone; an organisation authorises the citizen
// as its agent, who then applies in its name.
func TestOnlineAccountFlows(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		me := h.citizenSession(t)
		item := h.itemNamed(t, "个体工商户设立登记")
		apply := "/my/apply/" + url.PathEscape(item)

		resp, _ := h.citizenDo(t, me, "POST", apply, url.Values{"action": {"draft"}, "note": {"草稿里的说明"}, "token": {"d1"}})
		if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/my?done=draft") {
			t.Fatalf("save draft: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		ap, _ := h.people.ByIDNumber(ctx, demo.CitizenID)
		drafts, err := h.cases.Drafts(ctx, ap.ID)
		if err != nil || len(drafts) != 1 || drafts[0].Values["note"] != "草稿里的说明" {
			t.Fatalf("drafts %+v %v", drafts, err)
		}
		draft := drafts[0].ID
		_, page := h.citizenDo(t, me, "GET", apply+"?draft="+itoa(draft), nil)
		if !strings.Contains(page, "草稿里的说明") {
			t.Error("the resumed draft lacks its note")
		}
		resp, _ = h.citizenMultipart(t, me, apply, url.Values{"action": {"submit"}, "note": {"草稿里的说明"}, "token": {"s1"}, "draft": {itoa(draft)}},
			pdfFor(requiredFiles(page)))
		loc := resp.Header.Get("Location")
		if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/my/cases/") {
			t.Fatalf("submit: %d %q", resp.StatusCode, loc)
		}
		number := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/my/cases/")
		if drafts, _ := h.cases.Drafts(ctx, ap.ID); len(drafts) != 0 {
			t.Errorf("the submitted draft is still kept: %+v", drafts)
		}

		// Accepted at the window (材料 upload there), the acceptance notice is the applicant's to download.
		clerk := h.sessions[identity.Clerk]
		c, err := h.cases.Get(ctx, clerk.User.Actor(), number)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, m := range c.Materials {
			refs = append(refs, m.MaterialID)
		}
		for _, mid := range []string{"m1", "m3"} {
			if !slices.Contains(refs, mid) {
				body := `{"materials":[{"material_id":"` + mid + `","file_id":"` + h.uploadPDF(t, &clerk) + `"}]}`
				if resp := h.do(t, "POST", "/api/v1/cases/"+number+"/supply", web.API, &clerk, strings.NewReader(body), "application/json"); resp.StatusCode != 200 {
					t.Fatalf("supply %s: %d", mid, resp.StatusCode)
				}
			}
		}
		if resp := h.do(t, "POST", "/api/v1/cases/"+number+"/accept", web.API, &clerk, nil, ""); resp.StatusCode != 200 {
			t.Fatalf("accept: %d", resp.StatusCode)
		}
		resp, pdf := h.citizenDo(t, me, "GET", "/my/cases/"+number+"/notices/acceptance.pdf", nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") {
			t.Fatalf("acceptance notice: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		approver := h.sessions[identity.Approver]
		if resp := h.do(t, "POST", "/api/v1/cases/"+number+"/decide", web.API, &approver, strings.NewReader(`{"decision":"approved"}`), "application/json"); resp.StatusCode != 200 {
			t.Fatalf("decide: %d", resp.StatusCode)
		}
		resp, _ = h.citizenDo(t, me, "POST", "/my/cases/"+number+"/rate", url.Values{"level": {"2"}, "comment": {"等了太久"}})
		if resp.StatusCode != 303 {
			t.Fatalf("rate: %d", resp.StatusCode)
		}
		var level int
		var channel string
		if err := db.QueryRowContext(ctx, `SELECT level, channel FROM ratings WHERE case_number = ?`, number).Scan(&level, &channel); err != nil || level != 2 || channel != "online" {
			t.Errorf("rating %d %s %v", level, channel, err)
		}

		// The company's case is not the citizen's.
		company := h.applicantSession(t, demo.CompanyCode)
		other, _, _ := h.cases.Create(ctx, clerk.User.Actor(), casesInput(h.itemNamed(t, "单位社会保险登记"), demo.CompanyName, demo.CompanyCode, demo.CompanyPhone), "")
		if resp, _ := h.citizenDo(t, me, "GET", "/my/cases/"+other.Number, nil); resp.StatusCode != 404 {
			t.Errorf("another applicant's case: %d, want 404", resp.StatusCode)
		}

		// A ticket from the kiosk carries the account's phone.
		resp, _ = h.citizenDo(t, me, "POST", "/kiosk/ticket", url.Values{"service": {"Q-S01"}, "token": {"k1"}})
		if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/kiosk/tickets/") {
			t.Fatalf("kiosk ticket: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		var phones int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE phone_idx <> '' AND source = 'kiosk'`).Scan(&phones); err != nil || phones != 1 {
			t.Errorf("kiosk tickets with a phone: %d %v", phones, err)
		}

		// The company authorises the citizen; the citizen acts for it.
		ends := h.srv.Now().AddDate(0, 0, 30).Format("2006-01-02")
		if resp, _ := h.citizenDo(t, company, "POST", "/my/authorise", url.Values{"agent_id_number": {demo.CitizenID}, "scope": {"*"}, "ends_on": {ends}}); resp.StatusCode != 303 {
			t.Fatalf("authorise: %d", resp.StatusCode)
		}
		co, _ := h.people.ByIDNumber(ctx, demo.CompanyCode)
		if resp, _ := h.citizenDo(t, me, "POST", "/my/act-for", url.Values{"org": {itoa(co.ID)}}); resp.StatusCode != 303 {
			t.Fatalf("act for: %d", resp.StatusCode)
		}
		if _, page := h.citizenDo(t, me, "GET", "/my", nil); !strings.Contains(page, "代办人") || !strings.Contains(page, demo.CompanyName) {
			t.Error("/my does not show the agent acting for the company")
		}
		agentApply := "/my/apply/" + url.PathEscape(h.itemNamed(t, "单位社会保险登记"))
		_, page = h.citizenDo(t, me, "GET", agentApply, nil)
		resp, _ = h.citizenMultipart(t, me, agentApply, url.Values{"action": {"submit"}, "token": {"a1"}}, pdfFor(requiredFiles(page)))
		loc = resp.Header.Get("Location")
		if resp.StatusCode != 303 {
			t.Fatalf("agent's application: %d", resp.StatusCode)
		}
		agentCase, err := h.cases.Own(ctx, demo.CompanyCode, strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/my/cases/"))
		if err != nil || agentCase.Applicant.Name != demo.CompanyName || agentCase.Channel != "agent" {
			t.Fatalf("the agent's case: %+v %v", agentCase, err)
		}
		// A person cannot authorise anyone.
		if resp, _ := h.citizenDo(t, me, "POST", "/my/act-for", url.Values{"org": {"0"}}); resp.StatusCode != 303 {
			t.Fatalf("back to self: %d", resp.StatusCode)
		}
		if resp, _ := h.citizenDo(t, me, "POST", "/my/authorise", url.Values{"agent_id_number": {demo.CitizenID}, "scope": {"*"}, "ends_on": {ends}}); resp.StatusCode != 403 {
			t.Errorf("a person authorised an agent: %d", resp.StatusCode)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func casesInput(item, name, id, phone string) cases.CreateInput {
	return cases.CreateInput{Item: item, Channel: "window", Applicant: cases.Applicant{Type: "organization", Name: name, IDNumber: id, Phone: phone}}
}

// TestDraftsArePurged: drafts untouched for longer than the configured days are deleted; newer
// ones stay.
func TestDraftsArePurged(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		ap, _ := h.people.ByIDNumber(ctx, demo.CitizenID)
		item := h.itemNamed(t, "个体工商户设立登记")
		old, err := h.cases.SaveDraft(ctx, ap.ID, cases.Draft{Item: item, Values: map[string]string{"note": "旧"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.cases.SaveDraft(ctx, ap.ID, cases.Draft{Item: item, Values: map[string]string{"note": "新"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE drafts SET updated_at = ? WHERE id = ?`, h.srv.Now().UTC().AddDate(0, 0, -8), old); err != nil {
			t.Fatal(err)
		}
		n, err := h.cases.PurgeDrafts(ctx, 7)
		if err != nil || n != 1 {
			t.Fatalf("purged %d (%v), want 1", n, err)
		}
		left, _ := h.cases.Drafts(ctx, ap.ID)
		if len(left) != 1 || left[0].Values["note"] != "新" {
			t.Fatalf("left %+v", left)
		}
		// Another applicant cannot read or overwrite the draft.
		co, _ := h.people.ByIDNumber(ctx, demo.CompanyCode)
		if _, err := h.cases.Draft(ctx, co.ID, left[0].ID); err == nil {
			t.Error("another applicant read the draft")
		}
		if _, err := h.cases.SaveDraft(ctx, co.ID, cases.Draft{ID: left[0].ID, Item: item}); err == nil {
			t.Error("another applicant overwrote the draft")
		}
	})
}

// TestClerkOpensAccount: a clerk opens an account at the window after checking the ID; the new
// applicant signs in with a code; a bad ID is refused naming the field.
func TestClerkOpensAccount(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	form := url.Values{"csrf": {clerk.CSRF}, "kind": {"person"}, "name": {"赵六"}, "id_number": {"110105194912310021"}, "phone": {"13905430000"}}
	resp := h.do(t, "POST", "/window/applicants", web.Page, &clerk, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "id_number") {
		t.Fatalf("bad ID: %d", resp.StatusCode)
	}
	form.Set("id_number", "11010519491231002X")
	resp = h.do(t, "POST", "/window/applicants", web.Page, &clerk, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "已开户") || strings.Contains(string(body), "11010519491231002X") {
		t.Fatalf("open account: %d (the page must show the ID masked)", resp.StatusCode)
	}
	if sess := h.applicantSession(t, "11010519491231002x"); sess.Applicant.Name != "赵六" {
		t.Fatalf("signed in as %+v", sess.Applicant)
	}
}

package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// scriptPDF is a "PDF" that carries script two ways: a PDF JavaScript action and HTML a
// sniffing browser would run. It sniffs as application/pdf (it starts with %PDF-).
const scriptPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert\\(document.cookie\\))>>>>endobj\n" +
	"<html><body><script>document.title='pwned';fetch('/api/v1/cases')</script></body></html>\ntrailer<</Root 1 0 R>>\n%%EOF\n"

// uploadAs uploads content as name through the staff API and returns its file id.
func (h *harness) uploadAs(t *testing.T, sess *identity.Session, name, content string) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	resp := h.do(t, "POST", "/api/v1/files", web.API, sess, &body, mw.FormDataContentType())
	f := decode[struct {
		FileID string `json:"file_id"`
	}](t, resp)
	if resp.StatusCode != 201 {
		t.Fatalf("upload %s: %d", name, resp.StatusCode)
	}
	return f.FileID
}

// staffSession signs a demo account in.
func (h *harness) staffSession(t *testing.T, username string) identity.Session {
	t.Helper()
	sess, err := h.ids.Login(context.Background(), username, demo.DemoPassword, "127.0.0.1", identity.KindWeb)
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// windowCase registers, at the window, an application of the citizen for 企业设立登记 (行政审批服务局,
// the demo approver's department) with the given file for every material not from shared data.
// A material named in files gets that file instead.
func (h *harness) windowCase(t *testing.T, fileID string, files ...map[string]string) (number string, item catalog.Item) {
	t.Helper()
	item, err := h.cat.Item(context.Background(), h.itemNamed(t, "企业设立登记"))
	if err != nil {
		t.Fatal(err)
	}
	var ms []map[string]string
	for _, m := range item.Materials {
		if m.Source != catalog.SourceShared {
			f := fileID
			for _, o := range files {
				if o[m.ID] != "" {
					f = o[m.ID]
				}
			}
			ms = append(ms, map[string]string{"material_id": m.ID, "file_id": f})
		}
	}
	body, _ := json.Marshal(map[string]any{"item": item.Code, "channel": "window", "materials": ms,
		"applicant": map[string]string{"type": "person", "name": demo.CitizenName, "id_number": demo.CitizenID, "phone": "13805431234"}})
	clerk := h.sessions[identity.Clerk]
	resp := h.do(t, "POST", "/api/v1/cases", web.API, &clerk, bytes.NewReader(body), "application/json")
	c := decode[struct{ Number string }](t, resp)
	if resp.StatusCode != 201 {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	return c.Number, item
}

// TestCaseFilesServedToStaffOnTheCase: the window, the deciding department's approvers,
// supervisors and auditors open a material; an approver of another department and the other
// roles get 403; an unknown id and another case's file are 404. The bytes come back with the
// stored type, sandboxed; every read is on the applicant's list with the reader's name.
func TestCaseFilesServedToStaffOnTheCase(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		clerk := h.sessions[identity.Clerk]
		file := h.uploadAs(t, &clerk, "营业执照扫描件.pdf", scriptPDF)
		number, item := h.windowCase(t, file)
		otherNumber, _ := h.windowCase(t, h.uploadAs(t, &clerk, "other.pdf", "%PDF-1.4\n%%EOF\n"))
		path := "/api/v1/cases/" + number + "/files/" + file

		other := h.staffSession(t, "approver_bdc")
		for _, tc := range []struct {
			who  string
			sess identity.Session
			want int
		}{
			{"clerk", clerk, 200}, {"approver", h.sessions[identity.Approver], 200}, {"supervisor", h.sessions[identity.Supervisor], 200},
			{"auditor", h.sessions[identity.Auditor], 200}, {"approver of another department", other, 403},
			{"admin", h.sessions[identity.Admin], 403}, {"hall manager", h.sessions[identity.HallManager], 403},
			{"hotline", h.sessions[identity.Hotline], 403}, {"agent", h.sessions[identity.Agent], 403},
		} {
			resp := h.do(t, "GET", path, web.API, &tc.sess, nil, "")
			if resp.StatusCode != tc.want {
				t.Errorf("%s: %d, want %d", tc.who, resp.StatusCode, tc.want)
			}
		}
		if resp := h.do(t, "GET", path, web.API, nil, nil, ""); resp.StatusCode != 401 {
			t.Errorf("anonymous: %d, want 401", resp.StatusCode)
		}
		approver := h.sessions[identity.Approver]
		for what, p := range map[string]string{
			"an unknown file id":  "/api/v1/cases/" + number + "/files/f_000000000000000000000000",
			"another case's file": "/api/v1/cases/" + number + "/files/" + h.materialFile(t, otherNumber),
			"an unknown case":     "/api/v1/cases/371600-20260101-99999/files/" + file,
		} {
			if resp := h.do(t, "GET", p, web.API, &approver, nil, ""); resp.StatusCode != 404 {
				t.Errorf("%s: %d, want 404", what, resp.StatusCode)
			}
		}

		// Inline, as the stored type, nothing sniffed, nothing run, nothing cached.
		resp := h.do(t, "GET", path, web.API, &approver, nil, "")
		body, _ := io.ReadAll(resp.Body)
		if string(body) != scriptPDF || resp.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("served %q as %q", body, resp.Header.Get("Content-Type"))
		}
		checkSandboxed(t, resp.Header)
		disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
		if err != nil || disp != "inline" || params["filename"] == "" || !strings.HasSuffix(params["filename"], ".pdf") {
			t.Errorf("Content-Disposition %q: %s %v %v", resp.Header.Get("Content-Disposition"), disp, params, err)
		}
		if !strings.Contains(resp.Header.Get("Content-Disposition"), "filename*=UTF-8''") {
			t.Errorf("Content-Disposition %q lacks the UTF-8 name", resp.Header.Get("Content-Disposition"))
		}
		// ?download=1 (and the page route, with the cookie) makes it an attachment.
		resp = h.do(t, "GET", "/cases/"+number+"/files/"+file+"?download=1", web.Page, &approver, nil, "")
		if disp, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); resp.StatusCode != 200 || disp != "attachment" {
			t.Errorf("download: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		checkSandboxed(t, resp.Header)

		// The applicant's list names each read: who (by name), their department, the case, the material.
		me := h.citizenSession(t)
		status, list := h.citizenAPI(t, me, "GET", "/api/v1/my/data-access")
		var got struct {
			Accesses []struct {
				ObjectType     string `json:"object_type"`
				ObjectName     string `json:"object_name"`
				ActorName      string `json:"actor_name"`
				DepartmentName string `json:"department_name"`
				Case           string `json:"case"`
			} `json:"accesses"`
		}
		if err := json.Unmarshal([]byte(list), &got); status != 200 || err != nil {
			t.Fatalf("data-access: %d %v", status, err)
		}
		if strings.Contains(list, `"actor"`) {
			t.Error("the applicant's list gives staff login names")
		}
		c, err := h.cases.Get(context.Background(), h.sessions[identity.Supervisor].User.Actor(), number)
		if err != nil {
			t.Fatal(err)
		}
		firstName := c.Materials[0].Name // the material the file was read as (every one shares the file)
		reads := map[string]int{}
		for _, a := range got.Accesses {
			if a.ObjectType == "material" && a.Case == number {
				reads[a.ActorName+"|"+a.DepartmentName]++
				if a.ObjectName != "申请材料："+firstName {
					t.Errorf("the read names %q, want the material %s", a.ObjectName, firstName)
				}
			}
		}
		approverName := displayName(t, "approver")
		if reads[approverName+"|"+item.Department.Name] != 3 || reads[displayName(t, "clerk")+"|综合受理窗口"] != 1 {
			t.Errorf("material reads on the applicant's list: %v, want the approver (%s, %s) 3 times and the clerk once",
				reads, approverName, item.Department.Name)
		}
		if _, ok := reads[displayName(t, "approver_bdc")+"|"]; ok {
			t.Error("a refused read is on the list")
		}
		if _, page := h.citizenDo(t, me, "GET", "/my", nil); !strings.Contains(page, approverName) || !strings.Contains(page, "申请材料") {
			t.Error("/my does not show the approver's read of the material")
		}
	})
}

// materialFile is the file id of a case's first uploaded material.
func (h *harness) materialFile(t *testing.T, number string) string {
	t.Helper()
	c, err := h.cases.Get(context.Background(), h.sessions[identity.Supervisor].User.Actor(), number)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.Materials {
		if m.FileID != "" {
			return m.FileID
		}
	}
	t.Fatalf("case %s has no file", number)
	return ""
}

func displayName(t *testing.T, username string) string {
	t.Helper()
	for _, a := range demo.Accounts() {
		if a.Username == username {
			return a.Name
		}
	}
	t.Fatalf("no demo account %s", username)
	return ""
}

// checkSandboxed: a served material is never sniffed, runs no script, loads nothing and is framed
// by this site only.
func checkSandboxed(t *testing.T, h http.Header) {
	t.Helper()
	if h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", h.Get("X-Content-Type-Options"))
	}
	csp := h.Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			directives[f[0]] = strings.Join(f[1:], " ")
		}
	}
	if v, ok := directives["sandbox"]; !ok || v != "" {
		t.Errorf("CSP %q: want a bare sandbox (no allow-scripts)", csp)
	}
	if directives["default-src"] != "'none'" || strings.Contains(csp, "script-src") || directives["frame-ancestors"] != "'self'" {
		t.Errorf("CSP %q: want default-src 'none', no script-src, frame-ancestors 'self'", csp)
	}
	if !strings.Contains(h.Get("Cache-Control"), "no-store") {
		t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
	}
}

var requiredFileInput = regexp.MustCompile(`<input type="file"[^>]*\bname="([^"]+)"[^>]*\brequired\b`)

// requiredFiles are the file inputs a form marks required.
func requiredFiles(page string) []string {
	var out []string
	for _, m := range requiredFileInput.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// pdfFor gives each file field a PDF to upload.
func pdfFor(fields []string) map[string]string {
	out := map[string]string{}
	for _, f := range fields {
		out[f] = strings.TrimPrefix(f, "file_") + ".pdf"
	}
	return out
}

// citizenMultipart posts a form with files as a signed-in applicant.
func (h *harness) citizenMultipart(t *testing.T, sess identity.ApplicantSession, path string, form url.Values, files map[string]string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	form.Set("csrf", sess.CSRF)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for field, name := range files {
		fw, _ := mw.CreateFormFile(field, name)
		fw.Write([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
	}
	mw.Close()
	return h.citizenSend(t, sess, "POST", path, &body, mw.FormDataContentType())
}

// TestOnlineApplicationRefusedWhileMaterialMissing: the form marks every required upload; a
// submission with one of them missing is refused naming it, and the form comes back with what
// was typed and what was uploaded (kept in the draft), so only the missing file is asked again.
// The API answers the same with one error per material.
func TestOnlineApplicationRefusedWhileMaterialMissing(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		me := h.citizenSession(t)
		item, err := h.cat.Item(ctx, h.itemNamed(t, "企业设立登记"))
		if err != nil {
			t.Fatal(err)
		}
		apply := "/my/apply/" + url.PathEscape(item.Code)
		_, page := h.citizenDo(t, me, "GET", apply, nil)
		var toUpload []catalog.Material // required, not from shared data, not offered from my certificates
		var last, deferrable catalog.Material
		for _, m := range item.Materials {
			if m.Required && m.Source != catalog.SourceShared && !strings.Contains(page, `name="cert_`+m.ID+`"`) {
				toUpload = append(toUpload, m)
				if m.Deferrable {
					deferrable = m
				} else {
					last = m
				}
			}
		}
		var want []string
		for _, m := range toUpload {
			want = append(want, "file_"+m.ID)
		}
		if got := requiredFiles(page); strings.Join(got, " ") != strings.Join(want, " ") || deferrable.ID == "" || last.ID == "" {
			t.Fatalf("required file inputs %v, want one per required material to upload %v (with a deferrable one)", got, want)
		}

		// All but two of the required files (one to upload, one that may be deferred), and a note.
		first := map[string]string{}
		for _, m := range toUpload {
			if m.ID != last.ID && m.ID != deferrable.ID {
				first["file_"+m.ID] = "扫描件-" + m.ID + ".pdf"
			}
		}
		resp, page := h.citizenMultipart(t, me, apply, url.Values{"action": {"submit"}, "note": {"请尽快办理，谢谢"}, "token": {"m1"}}, first)
		if resp.StatusCode != 400 {
			t.Fatalf("an incomplete application: %d, want 400", resp.StatusCode)
		}
		if !strings.Contains(page, `<a href="#material-`+last.ID+`">`+last.Name+"</a>：必需材料") ||
			!strings.Contains(page, `<a href="#material-`+deferrable.ID+`">`+deferrable.Name+"</a>：必需材料") {
			t.Errorf("the refusal does not name %s and %s", last.Name, deferrable.Name)
		}
		if !strings.Contains(page, "请尽快办理，谢谢") {
			t.Error("the typed note is gone")
		}
		for _, name := range first {
			if !strings.Contains(page, "已收到文件「"+name+"」") {
				t.Errorf("the form does not say %s was received", name)
			}
		}
		if got := requiredFiles(page); len(got) != 2 { // the missing upload and the deferrable one
			t.Errorf("after the refusal the form requires %v", got)
		}
		ap, _ := h.people.ByIDNumber(ctx, demo.CitizenID)
		drafts, _ := h.cases.Drafts(ctx, ap.ID)
		if len(drafts) != 1 || drafts[0].Values["note"] != "请尽快办理，谢谢" || len(drafts[0].Materials) != len(first) {
			t.Fatalf("the draft after the refusal: %+v", drafts)
		}

		// The last file and 容缺 for the deferrable one: submitted, the draft gone.
		form := url.Values{"action": {"submit"}, "note": {"请尽快办理，谢谢"}, "token": {"m2"}, "draft": {itoa(drafts[0].ID)}, "defer_" + deferrable.ID: {"1"}}
		for _, kept := range regexp.MustCompile(`name="(kept_[^"]+)" value="([^"]+)"`).FindAllStringSubmatch(page, -1) {
			form.Set(kept[1], kept[2])
		}
		resp, _ = h.citizenMultipart(t, me, apply, form, map[string]string{"file_" + last.ID: "最后一份.pdf"})
		if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/my/cases/") {
			t.Fatalf("the completed application: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if drafts, _ := h.cases.Drafts(ctx, ap.ID); len(drafts) != 0 {
			t.Errorf("the submitted draft is kept: %+v", drafts)
		}
		// The window accepts it under 容缺: the case page offers the applicant's choice with a date.
		number := strings.TrimPrefix(strings.SplitN(resp.Header.Get("Location"), "?", 2)[0], "/my/cases/")
		clerk := h.sessions[identity.Clerk]
		casePage, _ := io.ReadAll(h.do(t, "GET", "/cases/"+number, web.Page, &clerk, nil, "").Body)
		if !regexp.MustCompile(`name="defer_` + deferrable.ID + `" value="1" checked`).Match(casePage) {
			t.Fatalf("the accept form does not offer 容缺 for %s", deferrable.Name)
		}
		today := h.srv.Now().In(shanghai).Format("2006-01-02")
		accept := url.Values{"csrf": {clerk.CSRF}, "defer_" + deferrable.ID: {"1"}, "due_" + deferrable.ID: {today}}
		h.do(t, "POST", "/cases/"+number+"/accept", web.Page, &clerk, strings.NewReader(accept.Encode()), "application/x-www-form-urlencoded")
		if c, err := h.cases.Get(ctx, clerk.User.Actor(), number); err != nil || c.Status != "accepted" || len(c.Deferred) != 1 {
			t.Fatalf("accepting under 容缺 from the case page: %s %+v %v", c.Status, c.Deferred, err)
		}

		// Another's file id typed into the form is not taken.
		foreign := h.uploadAs(t, &clerk, "someone-else.pdf", "%PDF-1.4\n%%EOF\n")
		form = url.Values{"action": {"submit"}, "token": {"m3"}, "defer_" + deferrable.ID: {"1"}}
		for _, m := range toUpload {
			form.Set("kept_"+m.ID, foreign)
		}
		if resp, page := h.citizenMultipart(t, me, apply, form, nil); resp.StatusCode != 400 || strings.Contains(page, "someone-else.pdf") {
			t.Errorf("another's file: %d (name shown: %v)", resp.StatusCode, strings.Contains(page, "someone-else.pdf"))
		}

		// …nor through the API, where it reads as an unknown file.
		body := `{"item":"` + item.Code + `","materials":[{"material_id":"` + toUpload[0].ID + `","file_id":"` + foreign + `"}]}`
		req, _ := http.NewRequest("POST", h.ts.URL+"/api/v1/my/cases", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+me.Token)
		req.Header.Set("Content-Type", "application/json")
		if res, err := http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		} else {
			msg, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 400 || !strings.Contains(string(msg), "不存在") {
				t.Errorf("another's file id through the API: %d %s, want 400 unknown file", res.StatusCode, msg)
			}
		}

		// The API: one error per missing material, by name.
		req, _ = http.NewRequest("POST", h.ts.URL+"/api/v1/my/cases", strings.NewReader(`{"item":"`+item.Code+`","materials":[]}`))
		req.Header.Set("Authorization", "Bearer "+me.Token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var p struct {
			Detail string `json:"detail"`
			Errors []struct{ Field, Message string }
		}
		json.NewDecoder(res.Body).Decode(&p)
		var fields []string
		for _, e := range p.Errors {
			fields = append(fields, e.Field)
		}
		var names []string
		for _, m := range toUpload {
			names = append(names, m.Name)
		}
		if res.StatusCode != 400 || strings.Join(fields, "|") != strings.Join(names, "|") {
			t.Errorf("API: %d, fields %v, want %v (%s)", res.StatusCode, fields, names, p.Detail)
		}
	})
}

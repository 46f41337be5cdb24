package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

func TestBundleAPI(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		list := decode[struct {
			Bundles []struct {
				Code          string
				Items         []string
				PromisedLimit struct{ Value int } `json:"promised_limit"`
			}
		}](t, h.do(t, "GET", "/api/v1/bundles", web.API, nil, nil, ""))
		if len(list.Bundles) != 5 {
			t.Fatalf("%d demo bundles, want 5", len(list.Bundles))
		}
		one := decode[struct {
			Name   string
			Items  []string
			Stages []struct{ Items []string }
			Form   struct {
				Fields []struct {
					Key, Type string
					Required  bool
					Items     []string
				}
			}
		}](t, h.do(t, "GET", "/api/v1/bundles/KBQY", web.API, nil, nil, ""))
		if one.Name != "开办企业" || len(one.Items) != 5 || len(one.Form.Fields) < 8 {
			t.Fatalf("开办企业: %+v", one)
		}
		keys := map[string]int{}
		for _, f := range one.Form.Fields {
			keys[f.Key]++
		}
		if keys["legal_id"] != 1 || keys["company_name"] != 1 {
			t.Fatalf("a field shared by several items must be asked once: %v", keys)
		}
		gc := decode[struct{ Stages []struct{ Name string } }](t, h.do(t, "GET", "/api/v1/bundles/GCJS", web.API, nil, nil, ""))
		if len(gc.Stages) != 4 {
			t.Fatalf("工程建设项目审批 has %d stages, want 4", len(gc.Stages))
		}
		admin := h.sessions[identity.Admin]
		bad := `{"name":"坏的一件事","stages":[{"name":"一","items":["NO-SUCH","NO-SUCH"]}],"promised_limit":{"value":3,"unit":"working_day"},"form":{"fields":[]}}`
		resp := h.do(t, "PUT", "/api/v1/bundles/BAD", web.API, &admin, strings.NewReader(bad), "application/json")
		if p := decode[problem](t, resp); resp.StatusCode != 400 || len(p.Errors) == 0 {
			t.Fatalf("bad bundle: %d %+v", resp.StatusCode, p)
		}
		resp = h.do(t, "GET", "/bundles/KBQY", web.Page, nil, nil, "")
		page, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(page), "法定代表人身份证号") || !strings.Contains(string(page), "公章刻制备案") {
			t.Fatalf("bundle page: %d", resp.StatusCode)
		}
	})
}

func TestAdminEditsABundle(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	post := func(text string) (int, string) {
		form := url.Values{"csrf": {admin.CSRF}, "bundle": {text}, "action": {"publish"}}
		resp := h.do(t, "POST", "/admin/bundles", web.Page, &admin, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	b, _ := h.cat.Bundle(t.Context(), "XSECS")
	b.Name = "新生儿出生一件事（新版）"
	b.PromisedLimit.Value = 999     // not a problem by itself …
	b.Form.Fields[0].Type = "emoji" // … but this is
	raw, _ := json.Marshal(b)
	code, page := post(string(raw))
	if code != 400 || !strings.Contains(page, "表单 · 第 1 个字段 · 类型：") || strings.Contains(page, "form.fields[0].type") || !strings.Contains(page, "新生儿出生一件事（新版）") {
		t.Fatalf("bad bundle: %d; want 400 naming the form's first field's type in words (not form.fields[0].type) and keeping the text", code)
	}
	b.Form.Fields[0].Type = "text"
	raw, _ = json.Marshal(b)
	if code, _ := post(string(raw)); code != 303 {
		t.Fatalf("good bundle: %d", code)
	}
	got, _ := h.cat.Bundle(t.Context(), "XSECS")
	if got.Name != "新生儿出生一件事（新版）" || got.Version != 2 {
		t.Fatalf("after the edit: %q v%d", got.Name, got.Version)
	}
}

// TestBundleWindowDefersAMaterial: at the bundle window a deferrable material of a bundle that
// allows 容缺 can be promised for later; the bundle is accepted with the commitment recorded.
func TestBundleWindowDefersAMaterial(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	b, _ := h.cat.Bundle(t.Context(), "GCJS") // 容缺 allowed; stage 1 includes 用地预审 with a deferrable m4
	page, _ := io.ReadAll(h.do(t, "GET", "/window/bundle?code=GCJS", web.Page, &clerk, nil, "").Body)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	field := gcjsAccept(mw, clerk.CSRF, "form-test-defer")
	var deferred string
	for _, ic := range b.Stages[0].Items {
		it, _ := h.cat.Item(t.Context(), ic)
		for _, m := range it.Materials {
			if !m.Required || m.Source == "shared" {
				continue
			}
			if m.Deferrable && deferred == "" {
				deferred = ic + "__" + m.ID
				if !strings.Contains(string(page), `name="defer_`+deferred+`"`) {
					t.Fatalf("the bundle window offers no 容缺 for %s", deferred)
				}
				field("defer_"+deferred, "1")
				field("due_"+deferred, h.today())
				continue
			}
			fw, _ := mw.CreateFormFile("file_"+ic+"__"+m.ID, "scan.pdf")
			fw.Write([]byte("%PDF-1.4\n%%EOF\n"))
		}
	}
	mw.Close()
	resp := h.do(t, "POST", "/window/bundles", web.Page, &clerk, &body, mw.FormDataContentType())
	if resp.StatusCode != 303 || deferred == "" {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("bundle intake with 容缺: %d %s", resp.StatusCode, b)
	}
	number := strings.TrimPrefix(resp.Header.Get("Location"), "/cases/")
	c, err := h.cases.Get(t.Context(), auditActor("supervisor"), number)
	if err != nil || c.Status != "accepted" {
		t.Fatalf("bundle %s: %v %v", number, c.Status, err)
	}
	withDeferral := 0
	for _, k := range c.Children {
		kid, _ := h.cases.Get(t.Context(), auditActor("supervisor"), k.Number)
		withDeferral += len(kid.Deferred)
	}
	if withDeferral != 1 {
		t.Fatalf("%d 容缺 commitments recorded, want 1", withDeferral)
	}
}

func auditActor(role string) audit.Actor { return audit.Actor{Username: role, Role: role} }

// TestBundleWindowSignsTheCommitment: a bundle with a 告知承诺 member (食品经营许可) asks at the
// window for the applicant's signature on its 承诺书; without it the form comes back with the
// box named, with it the member is approved on the commitment as the bundle is accepted while
// the other member (公章刻制备案) waits for its department.
func TestBundleWindowSignsTheCommitment(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		clerk := h.sessions[identity.Clerk]
		b := h.kspBundle(t)
		food, seal := b.Stages[0].Items[0], b.Stages[0].Items[1]
		page, _ := io.ReadAll(h.do(t, "GET", "/window/bundle?code=KSP", web.Page, &clerk, nil, "").Body)
		if !strings.Contains(string(page), `id="commitment-signed"`) || !strings.Contains(string(page), "「食品经营许可」实行告知承诺制") {
			t.Fatal("the bundle window asks for no signature on the 承诺书")
		}
		post := func(token string, signed bool) *http.Response {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for k, v := range map[string]string{"csrf": clerk.CSRF, "bundle": "KSP", "token": token, "action": "accept", "applicant_type": "organization",
				"applicant_name": "滨州示例食品有限公司", "applicant_id_number": "91350100M000100Y43", "applicant_phone": "13805431234", "f_shop": "示例食品店"} {
				mw.WriteField(k, v)
			}
			if signed {
				mw.WriteField("commitment_signed", "1")
			}
			for _, ic := range b.Stages[0].Items {
				it, _ := h.cat.Item(t.Context(), ic)
				for _, m := range it.Materials {
					if m.Required && m.Source != "shared" {
						fw, _ := mw.CreateFormFile("file_"+ic+"__"+m.ID, "scan.pdf")
						fw.Write([]byte("%PDF-1.4\n%%EOF\n"))
					}
				}
			}
			mw.Close()
			return h.do(t, "POST", "/window/bundles", web.Page, &clerk, &body, mw.FormDataContentType())
		}
		resp := post("form-ksp-1", false)
		if page, _ := io.ReadAll(resp.Body); resp.StatusCode != 400 || !strings.Contains(string(page), `id="commitment-signed-error"`) {
			t.Fatalf("no signature: %d, want 400 naming the box", resp.StatusCode)
		}
		resp = post("form-ksp-2", true)
		if resp.StatusCode != 303 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("signed: %d %s", resp.StatusCode, visible(string(b)))
		}
		c, err := h.cases.Get(t.Context(), auditActor("supervisor"), strings.TrimPrefix(resp.Header.Get("Location"), "/cases/"))
		if err != nil {
			t.Fatal(err)
		}
		kspApprovedOnCommitment(t, c, food, seal)
	})
}

// TestOnlineBundleSignsTheCommitment: online, a bundle with a 告知承诺 member shows its 承诺书
// with the pledge and the signature; unsigned it is refused with the box named; signed, the
// member carries the commitment and is approved on it when a window accepts the bundle.
func TestOnlineBundleSignsTheCommitment(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		b := h.kspBundle(t)
		food, seal := b.Stages[0].Items[0], b.Stages[0].Items[1]
		sess := h.applicantSession(t, demo.CompanyCode)
		resp, page := h.citizenDo(t, sess, "GET", "/my/bundles/KSP", nil)
		if resp.StatusCode != 200 || !strings.Contains(page, `id="commitment-agree"`) || !strings.Contains(page, `id="commitment-signer"`) {
			t.Fatalf("the online bundle form asks for no signature: %d", resp.StatusCode)
		}
		files := pdfFor(requiredFiles(page))
		form := url.Values{"token": {"t-ksp-1"}, "f_shop": {"示例食品店"}}
		if resp, page := h.citizenMultipart(t, sess, "/my/bundles/KSP", form, files); resp.StatusCode != 400 || !strings.Contains(page, `id="commitment-agree-error"`) {
			t.Fatalf("unsigned: %d, want 400 naming the box", resp.StatusCode)
		}
		form = url.Values{"token": {"t-ksp-2"}, "f_shop": {"示例食品店"}, "commitment_agree": {"1"}, "commitment_signer": {demo.CompanyName}}
		resp, _ = h.citizenMultipart(t, sess, "/my/bundles/KSP", form, files)
		if resp.StatusCode != 303 {
			t.Fatalf("signed: %d", resp.StatusCode)
		}
		number := strings.TrimPrefix(strings.SplitN(resp.Header.Get("Location"), "?", 2)[0], "/my/cases/")
		c, err := h.cases.Accept(t.Context(), h.sessions[identity.Clerk].User.Actor(), number, cases.AcceptInput{})
		if err != nil {
			t.Fatal(err)
		}
		kspApprovedOnCommitment(t, c, food, seal)
	})
}

// TestBundleWindowKeepsFilesAfterARefusal: a bundle post refused for a bad 容缺 date offers the
// files it took in again (已选择 …), and the next post with those kept files and a good date is
// accepted without choosing any file again.
func TestBundleWindowKeepsFilesAfterARefusal(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	b, _ := h.cat.Bundle(t.Context(), "GCJS")
	post := func(due string, kept map[string]string) (*http.Response, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		field := gcjsAccept(mw, clerk.CSRF, "form-test-kept-"+due)
		deferred := ""
		for _, ic := range b.Stages[0].Items {
			it, _ := h.cat.Item(t.Context(), ic)
			for _, m := range it.Materials {
				if !m.Required || m.Source == "shared" {
					continue
				}
				name := ic + "__" + m.ID
				if m.Deferrable && deferred == "" {
					deferred = name
					field("defer_"+name, "1")
					field("due_"+name, due)
					continue
				}
				if kept != nil {
					field("kept_"+name, kept[name])
					continue
				}
				fw, _ := mw.CreateFormFile("file_"+name, "scan-"+m.ID+".pdf")
				fw.Write([]byte("%PDF-1.4\n%%EOF\n"))
			}
		}
		mw.Close()
		resp := h.do(t, "POST", "/window/bundles", web.Page, &clerk, &body, mw.FormDataContentType())
		page, _ := io.ReadAll(resp.Body)
		return resp, string(page)
	}
	resp, page := post("明天", nil)
	if resp.StatusCode != 400 || h.caseCount(t) != 0 {
		t.Fatalf("a bad 容缺 date: %d, %d cases", resp.StatusCode, h.caseCount(t))
	}
	kept := map[string]string{}
	for _, m := range regexp.MustCompile(`name="kept_([^"]+)" value="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		kept[m[1]] = m[2]
	}
	if len(kept) == 0 || !strings.Contains(page, "已选择 <strong>scan-") {
		t.Fatalf("the refused bundle post does not offer its files again: %d kept", len(kept))
	}
	if resp, page := post(h.today(), kept); resp.StatusCode != 303 {
		t.Fatalf("the kept files with a good date: %d %s", resp.StatusCode, page)
	}
}

// kspBundle publishes 开办食品店一件事 (KSP): 食品经营许可 (告知承诺) and 公章刻制备案 in one
// stage, with a shop name both take.
func (h *harness) kspBundle(t *testing.T) catalog.Bundle {
	t.Helper()
	food, seal := h.itemNamed(t, "食品经营许可"), h.itemNamed(t, "公章刻制备案")
	b := catalog.Bundle{Code: "KSP", Name: "开办食品店一件事", PromisedLimit: catalog.Limit{Value: 5, Unit: catalog.WorkingDay},
		Stages: []catalog.Stage{{Name: "并联办理", Items: []string{food, seal}}},
		Form:   catalog.BundleForm{Fields: []catalog.FormField{{Key: "shop", Label: "店名", Type: "text", Required: true, Items: []string{food, seal}}}}}
	if _, err := h.cat.PutBundle(t.Context(), audit.System, b, catalog.StatusPublished); err != nil {
		t.Fatal(err)
	}
	return b
}

// kspApprovedOnCommitment: the accepted KSP bundle's 告知承诺 member (food) is approved on the
// signed commitment, the other (seal) accepted and waiting.
func kspApprovedOnCommitment(t *testing.T, c cases.Case, food, seal string) {
	t.Helper()
	for _, k := range c.Children {
		if k.Item == food && k.Decision != "approved" || k.Item == seal && k.Status != "accepted" {
			t.Errorf("%s: %s %s", k.ItemName, k.Status, k.Decision)
		}
	}
}

// gcjsAccept starts the window's form accepting the GCJS bundle (工程建设项目) for 滨州示例置业有限公司:
// the applicant and the project's answers; field writes the rest.
func gcjsAccept(mw *multipart.Writer, csrf, token string) (field func(k, v string)) {
	field = func(k, v string) { mw.WriteField(k, v) }
	for _, kv := range [][2]string{{"csrf", csrf}, {"bundle", "GCJS"}, {"token", token}, {"action", "accept"}, {"applicant_type", "organization"},
		{"applicant_name", "滨州示例置业有限公司"}, {"applicant_id_number", "91350100M000100Y43"}, {"applicant_phone", "13805431234"}} {
		field(kv[0], kv[1])
	}
	for k, v := range map[string]string{"project_name": "示例小区", "builder": "滨州示例置业有限公司", "builder_code": "91350100M000100Y43",
		"contact_phone": "13805431234", "site": "滨州市滨城区渤海十八路", "investment": "5000", "land_area": "2000", "floor_area": "6000"} {
		field("f_"+k, v)
	}
	return field
}

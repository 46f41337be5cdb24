package web_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/hotline"
	"banhao/identity"
	"banhao/web"
)

// A page form posted with bad input, as a role that may use it.
type badForm struct {
	path   string
	as     string // a staff role, "citizen", "kiosk", "org" (the demo company online) or "" (anyone)
	values url.Values
	files  map[string]string // sent as multipart: input name → file content
	keep   []string          // typed values the page must show again
}

// Forms with nothing typed: buttons, or a choice from a list the page itself offers.
var formsWithoutInput = map[string]string{
	"/admin/items/{code}/publish": "button", "/admin/items/{code}/retire": "button",
	"/admin/sections/{code}/{op}": "button", "/admin/departments/{code}/{op}": "button",
	"/my/logout": "button", "/kiosk/logout": "button", "/logout": "button",
	"/my/act-for": "a choice among the account's own authorisations", "/my/authorisations/{id}/revoke": "button",
	"/my/drafts/{id}/delete": "button", "/office/grants/{id}/revoke": "button", "/office/transfers/{id}/receive": "button", "/appointments/{id}/{action}": "button (cancel, check in)",
	"/counter/{id}/{action}": "the desk's buttons (call, finish…) and the transfer list of the hall's lines",
	"/kiosk/ticket":          "the kiosk's service tiles", "/kiosk/take": "the kiosk's service tiles",
	"/window/open-check": "the intake form's look-up of open cases as the ID number is typed (htmx): it answers a warning or nothing, the form's own errors come from /window/cases",
}

// internalKey is what a message for people never contains: identifiers made for programs
// (applicant.name, caller_phone, materials[0].file_id).
var internalKey = regexp.MustCompile(`[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+|[A-Za-z]+\[[0-9]+\]`)

// TestEveryFormSpeaksChinese walks every page form of the route table with bad input (empty,
// too long, a wrong format, an ID number whose check digit is wrong, a date that is no date) as
// a role that may use it. The form comes back (not the error page, not a redirect) with what
// was typed, a summary whose links reach the fields, and no internal key in any message: no
// field key, no input name, no "-" or 此项 for a field the form could not name.
func TestEveryFormSpeaksChinese(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	hot := h.sessions[identity.Hotline]
	tk, err := h.srv.Hotline.Create(ctx, hot.User.Actor(), hotline.Input{Caller: hotline.Caller{Name: "王五", Phone: "13805439999"},
		Category: "咨询", Content: "营业时间"})
	if err != nil {
		t.Fatal(err)
	}
	clerk := h.sessions[identity.Clerk]
	c, _, err := h.cases.Create(ctx, clerk.User.Actor(), casesInput(h.itemCode, "某公司", demo.CompanyCode, "13805431234"), "")
	if err != nil {
		t.Fatal(err)
	}
	bundles, err := h.cat.Bundles(ctx)
	if err != nil || len(bundles) == 0 {
		t.Fatalf("bundles: %v", err)
	}
	var rating int64
	if _, err := h.db.ExecContext(ctx, `INSERT INTO ratings (case_number, level, comment, channel, department_code, created_at) VALUES (?, 1, '差', 'online', 'SBZX', ?)`,
		c.Number, h.srv.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if err := h.db.QueryRowContext(ctx, `SELECT id FROM ratings WHERE case_number = ?`, c.Number).Scan(&rating); err != nil {
		t.Fatal(err)
	}
	badID := "110101199001011234" // the check digit of 11010119900101123 is X
	long := strings.Repeat("长", 2001)
	postCheck := h.commitmentCase(t) // 告知承诺: a case with an open post-check (postchecks_test.go)
	forms := map[string]badForm{
		"/office/transfers/send":      {path: "/office/transfers/send", as: "clerk", values: url.Values{"batch": {long}}, keep: []string{long}},
		"/office/postchecks/{number}": {path: "/office/postchecks/" + postCheck, as: "approver", values: url.Values{"finding": {"false"}, "reason": {""}}},
		"/hotline/tickets": {path: "/hotline/tickets", as: "hotline", values: url.Values{"caller_name": {"来电的赵女士"}, "caller_phone": {"12345"},
			"category": {"不存在的类别"}, "content": {long}}, keep: []string{"来电的赵女士", "12345", long}},
		"/hotline/{number}/{action}": {path: "/hotline/" + tk.Number + "/reply", as: "hotline", values: url.Values{"text": {long}}, keep: []string{long}},
		"/window/cases": {path: "/window/cases", as: "clerk", values: url.Values{"item": {h.itemCode}, "applicant_type": {"person"},
			"applicant_name": {"窗口的李四"}, "applicant_id_number": {badID}, "applicant_phone": {"12345"}, "action": {"accept"}, "note": {"补正说明草稿"}},
			keep: []string{"窗口的李四", badID, "12345", "补正说明草稿"}},
		"/window/bundles": {path: "/window/bundles", as: "clerk", values: url.Values{"bundle": {bundles[0].Code}, "applicant_type": {"organization"},
			"applicant_name": {"一件事公司"}, "applicant_id_number": {"91350100M000100Y4X"}, "applicant_phone": {"1"}, "action": {"accept"}},
			keep: []string{"一件事公司", "91350100M000100Y4X"}},
		"/cases/{number}/{action}": {path: "/cases/" + c.Number + "/reject", as: "clerk", values: url.Values{"reason": {""}, "basis": {""}}},
		"/window/applicants": {path: "/window/applicants", as: "clerk", values: url.Values{"kind": {"person"}, "name": {"开户人"}, "id_number": {badID},
			"phone": {"99"}}, keep: []string{"开户人", badID, "99"}},
		"/my/code":  {path: "/my/code", values: url.Values{"id_number": {"12345"}}, keep: []string{"12345"}},
		"/my/login": {path: "/my/login", values: url.Values{"id_number": {demo.CitizenID}, "code": {"12"}}, keep: []string{demo.CitizenID}},
		"/my/authorise": {path: "/my/authorise", as: "org", values: url.Values{"agent_id_number": {badID}, "ends_on": {"2026-02-30"}, "scope": {"不存在的事项"}},
			keep: []string{badID, "不存在的事项"}},
		"/my/apply/{code}":    {path: "/my/apply/" + h.itemCode, as: "citizen", values: url.Values{"note": {"我的补充说明"}, "action": {"submit"}}, keep: []string{"我的补充说明"}},
		"/kiosk/apply/{code}": {path: "/kiosk/apply/" + h.itemCode, as: "kiosk", values: url.Values{"note": {"自助机说明"}, "action": {"submit"}}, keep: []string{"自助机说明"}},
		"/my/bundles/{code}": {path: "/my/bundles/" + bundles[0].Code, as: "org", values: url.Values{"f_" + bundles[0].Form.Fields[0].Key: {long}},
			keep: []string{long}},
		"/my/cases/{number}/rate": {path: "/my/cases/{own}/rate", as: "citizen", values: url.Values{"level": {"9"}, "comment": {"很好"}}}, // not finished: no form to keep it in
		"/hall/{id}/take": {path: "/hall/" + demo.HallID + "/take", values: url.Values{"service": {"Q-S05"}, "phone": {"123"}, "id_number": {badID},
			"priority": {"green"}, "source": {"phone"}}, keep: []string{"123", badID}},
		"/appointments": {path: "/appointments", values: url.Values{"service": {"Q-S05"}, "date": {"2026-02-30"}, "slot": {"25:99"}, "name": {""},
			"phone": {"1"}}},
		"/hall/manage": {path: "/hall/manage", as: "hall_manager", values: url.Values{"what": {"service"}, "hall": {demo.HallID}, "code": {"Q-NEW"},
			"name": {"新的排队业务"}, "prefix": {"a1"}, "range_from": {"1"}, "range_to": {"99"}, "opens": {"25:00"}, "closes": {"17:00"},
			"daily_limit": {"很多"}, "service_minutes": {"10"}, "slot_minutes": {"30"}, "slot_capacity": {"0"}, "appointment_from": {"09:00"},
			"appointment_to": {"17:00"}}, keep: []string{"新的排队业务", "25:00", "很多"}},
		"/ratings/{id}/follow-up": {path: "/ratings/" + itoa(rating) + "/follow-up", as: "supervisor", values: url.Values{"text": {""}}},
		"/kiosk/code":             {path: "/kiosk/code", values: url.Values{"id_number": {"12345"}}},
		"/kiosk/login":            {path: "/kiosk/login", values: url.Values{"id_number": {demo.CitizenID}, "code": {"12"}}},
		"/login":                  {path: "/login", values: url.Values{"username": {"nobody"}, "password": {"x"}}, keep: []string{"nobody"}},
		"/admin/items": {path: "/admin/items", as: "admin", values: url.Values{"code": {"bad code!"}, "name": {""}, "type": {"行政许可"},
			"department": {"XZSP"}, "legal_limit_value": {"5"}, "legal_limit_unit": {"working_day"}, "promised_limit_value": {"9"},
			"promised_limit_unit": {"working_day"}, "visits": {"2"}, "online_depth": {"4"}, "fee_charged": {"1"}, "material_rows": {"1"},
			"m0_id": {"坏编号"}, "m0_name": {"申请表"}, "m0_source": {"certificate"}, "step_rows": {"1"}, "s0_name": {"审查"},
			"s0_limit_value": {"20"}, "s0_limit_unit": {"working_day"}, "action": {"publish"}}, keep: []string{"bad code!", "坏编号"}},
		"/admin/items/{code}/derive": {path: "/admin/items/" + url.PathEscape(h.itemNamed(t, "旅馆业特种行业许可证核发")) + "/derive", as: "admin",
			values: url.Values{"department": {"GAJ-371603"}, "where": {"某个窗口"}, "promised_limit_value": {"很多"}}, keep: []string{"某个窗口", "很多"}},
		"/office/grants": {path: "/office/grants", as: "admin", values: url.Values{"username": {"clerk"}, "department": {"GJJ"}, "kind": {"chief"},
			"starts_on": {"明天"}, "ends_on": {"2026-02-30"}}, keep: []string{"明天"}},
		"/admin/sections":    {path: "/admin/sections", as: "admin", values: url.Values{"code": {"坏 编码"}, "name": {""}}, keep: []string{"坏 编码"}},
		"/admin/departments": {path: "/admin/departments", as: "admin", values: url.Values{"code": {"坏 编码"}, "name": {long}}, keep: []string{"坏 编码"}},
		"/admin/import":      {path: "/admin/import", as: "admin", files: map[string]string{"other": "x"}},
		"/admin/network/centers": {path: "/admin/network/centers", as: "admin", values: url.Values{"code": {"坏 编码"}, "name": {"新中心"},
			"region_code": {"371603000000"}, "phone": {"abc"}}, keep: []string{"坏 编码", "新中心"}},
		"/admin/network/regions": {path: "/admin/network/regions", as: "admin", values: url.Values{"code": {"3716"}, "name": {"新街道"},
			"parent_code": {"371603000000"}}, keep: []string{"3716", "新街道"}},
		"/admin/users": {path: "/admin/users", as: "admin", values: url.Values{"username": {"A"}, "display_name": {"新同事"}, "password": {"1"},
			"role": {"approver"}}, keep: []string{"新同事"}},
		"/admin/users/{username}": {path: "/admin/users/clerk_zhanhua", as: "admin", values: url.Values{"display_name": {"改名的同事"}, "password": {"1"},
			"role": {"approver"}, "department": {"GAJ-371602"}, "center": {"ZWFW-371603"}, "disabled": {"1"}}, keep: []string{"改名的同事"}},
		"/admin/bundles": {path: "/admin/bundles", as: "admin", values: url.Values{"bundle": {`{"code":"x y","name":"","stages":[{"name":"一","items":["NOPE"]}],"form":{"fields":[{"key":"Bad","label":"","type":"text","items":["NOPE"]}]}}`},
			"keywords": {"开公司"}}, keep: []string{"开公司"}},
		"/admin/calendar":            {path: "/admin/calendar", as: "admin", values: url.Values{"date": {"2026-13-40"}, "kind": {"holiday"}, "name": {"无此日"}}},
		"/admin/calendar/import":     {path: "/admin/calendar/import", as: "admin", files: map[string]string{"file": "date,kind,name\n2027-01-01,party,元旦\n"}},
		"/admin/certificates/import": {path: "/admin/certificates/import", as: "admin", files: map[string]string{"file": "证照类型,证照编号,持证主体,持证主体代码,发证机关代码,发证机关,发证日期,有效期至\n营业执照,1,,123,456,,2026-99-01,\n"}},
		"/admin/certificates/revoke": {path: "/admin/certificates/revoke", as: "admin", values: url.Values{"id": {"1.2.3"}, "reason": {""}}, keep: []string{"1.2.3"}},
	}
	citizen, org := h.citizenSession(t), h.applicantSession(t, demo.CompanyCode)
	kiosk := h.kioskSession(t)
	mine := casesInput(h.itemCode, demo.CitizenName, demo.CitizenID, demo.CitizenPhone)
	mine.Applicant.Type = "person"
	if own, _, err := h.cases.Create(ctx, clerk.User.Actor(), mine, ""); err == nil {
		f := forms["/my/cases/{number}/rate"]
		f.path = strings.Replace(f.path, "{own}", own.Number, 1)
		forms["/my/cases/{number}/rate"] = f
	} else {
		t.Fatal(err)
	}

	for _, rt := range h.srv.Routes() {
		if rt.Kind != web.Page || rt.Method != http.MethodPost {
			continue
		}
		if _, ok := formsWithoutInput[rt.Pattern]; ok {
			continue
		}
		f, ok := forms[rt.Pattern]
		if !ok {
			t.Errorf("POST %s: a page form the walk does not post (add it to forms, or to formsWithoutInput with why)", rt.Pattern)
			continue
		}
		t.Run(strings.ReplaceAll(rt.Pattern, "/", "_"), func(t *testing.T) {
			var body io.Reader
			ctype := "application/x-www-form-urlencoded"
			values := url.Values{}
			for k, v := range f.values {
				values[k] = v
			}
			switch f.as {
			case "citizen":
				values.Set("csrf", citizen.CSRF)
			case "org":
				values.Set("csrf", org.CSRF)
			case "kiosk":
				values.Set("csrf", kiosk.CSRF)
			case "":
			default:
				values.Set("csrf", h.sessions[identity.Role(f.as)].CSRF)
			}
			if f.files != nil {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				for k, v := range values {
					_ = mw.WriteField(k, v[0])
				}
				for name, content := range f.files {
					fw, _ := mw.CreateFormFile(name, "upload.csv")
					_, _ = fw.Write([]byte(content))
				}
				mw.Close()
				body, ctype = &buf, mw.FormDataContentType()
			} else {
				body = strings.NewReader(values.Encode())
			}
			var resp *http.Response
			var page string
			switch f.as {
			case "citizen", "org", "kiosk":
				sess := map[string]identity.ApplicantSession{"citizen": citizen, "org": org, "kiosk": kiosk}[f.as]
				resp, page = h.citizenSend(t, sess, "POST", f.path, body, ctype)
			case "":
				resp = h.do(t, "POST", f.path, web.Page, nil, body, ctype)
				b, _ := io.ReadAll(resp.Body)
				page = string(b)
			default:
				sess := h.sessions[identity.Role(f.as)]
				resp = h.do(t, "POST", f.path, web.Page, &sess, body, ctype)
				b, _ := io.ReadAll(resp.Body)
				page = string(b)
			}
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Fatalf("POST %s with bad input: %d, want the form again with its errors (4xx)", f.path, resp.StatusCode)
			}
			if strings.Contains(page, "<h1>出错了") {
				t.Errorf("POST %s: the error page, not the form with what was typed:\n%s", f.path, shown(page))
			}
			msgs := shown(page)
			if msgs == "" {
				t.Fatalf("POST %s: %d, no error shown:\n%s", f.path, resp.StatusCode, page)
			}
			for _, bad := range []string{"此项", "<strong>-</strong>", ">-</a>"} {
				if strings.Contains(page, bad) {
					t.Errorf("POST %s: a field named %q: %s", f.path, bad, msgs)
				}
			}
			if k := internalKey.FindString(msgs); k != "" {
				t.Errorf("POST %s: internal key %q shown to a person in: %s", f.path, k, msgs)
			}
			visible := strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(errorBlock.ReplaceAllString(page, ""), " "))), " ")
			for _, name := range inputNames(page) {
				if word := regexp.MustCompile(`(^|[^A-Za-z0-9_])` + regexp.QuoteMeta(name) + `($|[^A-Za-z0-9_])`); word.MatchString(visible) {
					continue // a word the page shows itself (a file's columns, say "CSV：date,kind,name")
				}
				if regexp.MustCompile(`(^|[^A-Za-z0-9_])` + regexp.QuoteMeta(name) + `($|[^A-Za-z0-9_])`).MatchString(msgs) {
					t.Errorf("POST %s: the input name %q shown to a person in: %s", f.path, name, msgs)
				}
			}
			for _, m := range regexp.MustCompile(`<a href="#([^"]+)">`).FindAllStringSubmatch(summary(page), -1) {
				if !strings.Contains(page, `id="`+m[1]+`"`) {
					t.Errorf("POST %s: the summary links to #%s, which the page lacks", f.path, m[1])
				}
			}
			for _, v := range f.keep {
				if !strings.Contains(page, html.EscapeString(v)) {
					t.Errorf("POST %s: what was typed (%.20q…) is not shown again", f.path, v)
				}
			}
		})
	}
}

var (
	errorBlock = regexp.MustCompile(`(?s)<div class="errors[^"]*"[^>]*>(.*?)</div>|<p class="field-error"[^>]*>(.*?)</p>`)
	inputName  = regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"`)
)

// shown is the text of the page's error messages: the summary, the alerts and each field's.
func shown(page string) string {
	var out []string
	for _, m := range errorBlock.FindAllStringSubmatch(page, -1) {
		out = append(out, html.UnescapeString(tags.ReplaceAllString(m[1]+m[2], " ")))
	}
	return strings.Join(strings.Fields(strings.Join(out, " ")), " ")
}

// summary is the page's error summary as HTML.
func summary(page string) string {
	i := strings.Index(page, `id="error-summary"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</div>")
	return page[i : i+j]
}

// inputNames are the names of the page's inputs that a program made (ascii words), but not
// one-letter ones or the token every form carries.
func inputNames(page string) []string {
	var out []string
	for _, m := range inputName.FindAllStringSubmatch(page, -1) {
		if n := m[1]; len(n) > 2 && n != "csrf" && regexp.MustCompile(`^[a-z_]+$`).MatchString(n) {
			out = append(out, n)
		}
	}
	return out
}

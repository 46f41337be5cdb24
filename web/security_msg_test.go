package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"banhao/demo"
	"banhao/identity"
	"banhao/ids"
	"banhao/store"
	"banhao/web"
)

// Return paths an attacker may hand to a redirect: each must land on the fallback, never off
// the site. Browsers drop tabs and newlines and read a backslash as a slash, so "/\t/evil"
// and "/\\evil" are "//evil", another host.
var redirectAttacks = []string{
	"//evil.example",
	"///evil.example",
	"/\\evil.example",
	"\\\\evil.example",
	"/\t/evil.example",
	"/\n/evil.example",
	"/\r/evil.example",
	"/%09/evil.example",
	"/%2F%2Fevil.example",
	"/%2f/evil.example",
	"/%5Cevil.example",
	"/%5c%5cevil.example",
	"/ /evil.example",
	"/\u3000/evil.example",
	"/\u2028/evil.example",
	"/x\x00y",
	"/my\r\nSet-Cookie: a=b",
	"/my%0d%0aSet-Cookie:%20a=b",
	"https://evil.example",
	"http:/evil.example",
	"HTTPS://evil.example/x",
	"javascript:alert(1)",
	"JaVaScRiPt:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"evil.example",
	" /work",
	"",
	"/\x7f/evil.example",
	"/\xff/evil.example",
}

var redirectLocal = []string{
	"/work",
	"/my",
	"/my/cases/371600-20260101-00001?rated=1",
	"/items?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7",
	"/admin/items?q=a%20b",
}

var nextField = regexp.MustCompile(`name="next" value="([^"]*)"`)

// TestSecurityOpenRedirect: finding 5 — no return path from a request leads off the site.
func TestSecurityOpenRedirect(t *testing.T) {
	h := newHarness(t, demoSQLite(t))

	// The two reported URLs.
	resp := h.do(t, "GET", "/large-text?on=1&back=/%09/evil.example", web.Page, nil, nil, "")
	if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != "/" {
		t.Errorf("/large-text back=/%%09/evil.example: %d → %q, want 303 → /", resp.StatusCode, loc)
	}
	a := demo.Accounts()[0]
	form := url.Values{"username": {a.Username}, "password": {a.Password}}
	body := form.Encode() + "&next=/%09/evil.example/x"
	resp = h.do(t, "POST", "/login", web.Page, nil, strings.NewReader(body), "application/x-www-form-urlencoded")
	if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != "/work" {
		t.Errorf("POST /login next=/%%09/evil.example/x: %d → %q, want 303 → /work", resp.StatusCode, loc)
	}

	// Every attack string, through every redirect that takes its target from the request.
	for _, p := range redirectAttacks {
		resp := h.do(t, "GET", "/large-text?back="+url.QueryEscape(p), web.Page, nil, nil, "")
		if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != "/" {
			t.Errorf("/large-text back=%q: %d → %q, want /", p, resp.StatusCode, loc)
		}
		form := url.Values{"username": {a.Username}, "password": {a.Password}, "next": {p}}
		resp = h.do(t, "POST", "/login", web.Page, nil, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		if !utf8.ValidString(p) || strings.ContainsFunc(p, func(r rune) bool { return unicode.IsControl(r) && !strings.ContainsRune("\t\r\n", r) }) {
			// A posted form with such text is refused whole (400), before any redirect.
			if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
				t.Errorf("POST /login next=%q: %d → %q, want 400", p, resp.StatusCode, resp.Header.Get("Location"))
			}
		} else if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != "/work" {
			t.Errorf("POST /login next=%q: %d → %q, want /work", p, resp.StatusCode, loc)
		}
		for page, want := range map[string]string{"/login?next=": "/", "/my/login?next=": "/my"} {
			resp := h.do(t, "GET", page+url.QueryEscape(p), web.Page, nil, nil, "")
			b, _ := io.ReadAll(resp.Body)
			if m := nextField.FindStringSubmatch(string(b)); m == nil || m[1] != want {
				t.Errorf("%s%q: the form returns to %q, want %q", page, p, m, want)
			}
		}
	}
	// Local paths still work.
	for _, p := range redirectLocal {
		resp := h.do(t, "GET", "/large-text?back="+url.QueryEscape(p), web.Page, nil, nil, "")
		if loc := resp.Header.Get("Location"); loc != p {
			t.Errorf("/large-text back=%q → %q, want it kept", p, loc)
		}
	}
	// The citizen sign-in returns within the citizen's pages only.
	sent := h.do(t, "POST", "/my/code", web.Page, nil, strings.NewReader(url.Values{"id_number": {demo.CitizenID}, "next": {"/\t/evil.example"}}.Encode()),
		"application/x-www-form-urlencoded")
	if b, _ := io.ReadAll(sent.Body); !strings.Contains(string(b), `name="next" value="/my"`) || strings.Contains(string(b), `value="/	`) {
		t.Error("/my/code keeps a foreign return path")
	}
}

// TestSecurityCodeRequestSameAnswer: finding 8 — asking for a sign-in code tells nobody
// whether an ID number has an account.
func TestSecurityCodeRequestSameAnswer(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		known := demo.CitizenID
		c, _ := ids.IDNumberCheck("37160219900101123")
		unknown := "37160219900101123" + string(c)
		if _, err := h.people.ByIDNumber(context.Background(), unknown); err == nil {
			t.Fatal("the unknown ID number has an account")
		}

		api := func(id string) (int, string) {
			resp := h.do(t, "POST", "/api/v1/applicant/code", web.API, nil, strings.NewReader(`{"id_number":"`+id+`"}`), "application/json")
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		page := func(path, id string) (int, string) {
			resp := h.do(t, "POST", path, web.Page, nil, strings.NewReader(url.Values{"id_number": {id}}.Encode()), "application/x-www-form-urlencoded")
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, strings.ReplaceAll(string(b), id, "ID")
		}
		ks, kb := api(known)
		us, ub := api(unknown)
		if ks != us || kb != ub {
			t.Errorf("API answers differ:\nknown   %d %s\nunknown %d %s", ks, kb, us, ub)
		}
		var sent map[string]any
		if err := json.Unmarshal([]byte(kb), &sent); err != nil || strings.Contains(kb, "****") {
			t.Errorf("API answer %s: %v (a masked phone only an account could give)", kb, err)
		}
		// A second request within the minute is refused alike.
		ks, kb = api(known)
		us, ub = api(unknown)
		if ks != 429 || ks != us || kb != ub {
			t.Errorf("second request answers differ:\nknown   %d %s\nunknown %d %s", ks, kb, us, ub)
		}
		for _, path := range []string{"/my/code", "/kiosk/code"} {
			// A fresh minute for each form (the buckets are the rate limit's, not the answer's).
			if _, err := db.ExecContext(context.Background(), `DELETE FROM rate_buckets`); err != nil {
				t.Fatal(err)
			}
			ks, kb := page(path, known)
			us, ub := page(path, unknown)
			if ks != 200 || ks != us || kb != ub {
				t.Errorf("%s answers differ: known %d, unknown %d\nknown:\n%s\nunknown:\n%s", path, ks, us, kb, ub)
			}
			if strings.Contains(kb, "****") || !strings.Contains(kb, "如该证件号码已开通账户") {
				t.Errorf("%s does not give the neutral answer:\n%s", path, kb)
			}
		}
		// A malformed ID number is still named as such.
		if s, b := api("12345"); s != 400 || !strings.Contains(b, "id_number") {
			t.Errorf("malformed ID number: %d %s", s, b)
		}
	})
}

// TestSecurityNoFreeTextInAlerts: finding 10 — no page shows text taken from its query string
// in a message box; the pages' own message codes still show their own text.
func TestSecurityNoFreeTextInAlerts(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	const spoof = "系统升级，请至 evil.example 重新登录"
	q := url.Values{}
	for _, k := range []string{"notice", "problem", "msg", "saved", "ticket", "done", "n"} {
		q.Set(k, spoof)
	}
	query := "?" + q.Encode()

	clerk, admin, sup, hot, mgr := h.sessions[identity.Clerk], h.sessions[identity.Admin], h.sessions[identity.Supervisor],
		h.sessions[identity.Hotline], h.sessions[identity.HallManager]
	cs := decode[struct{ Number string }](t, h.do(t, "POST", "/api/v1/cases", web.API, &clerk,
		strings.NewReader(`{"item":"`+h.itemCode+`","applicant":{"name":"王五","id_number":"11010519491231002X"}}`), "application/json"))
	tk := decode[struct{ Number string }](t, h.do(t, "POST", "/api/v1/hotline/tickets", web.API, &hot, strings.NewReader(
		`{"caller":{"name":"李先生","phone":"13805439999"},"category":"投诉","content":"等了两个小时"}`), "application/json"))
	staff := []struct {
		path string
		sess identity.Session
	}{
		{"/admin/certificates", admin},
		{"/admin/sections", admin},
		{"/admin/departments", admin},
		{"/admin/calendar", admin},
		{"/ratings", sup},
		{"/hotline/" + tk.Number, hot},
		{"/cases/" + cs.Number, clerk},
		{"/counter/1", clerk},
		{"/hall/manage", mgr},
	}
	for _, p := range staff {
		resp := h.do(t, "GET", p.path+query, web.Page, &p.sess, nil, "")
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || strings.Contains(string(b), "系统升级") {
			t.Errorf("%s: %d, shows the query's text: %v", p.path, resp.StatusCode, strings.Contains(string(b), "系统升级"))
		}
	}
	me := h.citizenSession(t)
	for _, p := range []string{"/my", "/kiosk/home", "/my/login", "/kiosk"} {
		resp, body := h.citizenDo(t, me, "GET", p+query, nil)
		if resp.StatusCode != 200 || strings.Contains(body, "系统升级") {
			t.Errorf("%s: %d, shows the query's text: %v", p, resp.StatusCode, strings.Contains(body, "系统升级"))
		}
	}

	// Nor does any page echo a path value or a looked-up key into its alert: a link to
	// /items/<text> or /track?number=<text> must not put words in the center's mouth.
	esc := url.PathEscape(spoof)
	for _, p := range []string{"/items/" + esc, "/bundles/" + esc, "/tickets/" + esc, "/hall/" + esc + "/board",
		"/track?number=" + url.QueryEscape(spoof) + "&phone4=1234", "/api/v1/verify/" + esc} {
		req, _ := http.NewRequest("GET", h.ts.URL+p, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, alert := range alertRe.FindAllString(string(b), -1) { // a search box may keep what was typed; an alert may not
			if strings.Contains(alert, "系统升级") {
				t.Errorf("%s (%d) shows the address's text in %s", p, resp.StatusCode, alert)
			}
		}
		if !alertRe.MatchString(string(b)) {
			t.Errorf("%s (%d) has no alert saying what went wrong", p, resp.StatusCode)
		}
	}

	// Nor do staff pages echo a bad filter from a link.
	for _, c := range []struct {
		path string
		sess identity.Session
	}{
		{"/hotline?status=" + url.QueryEscape(spoof), hot},
		{"/supervise?from=" + url.QueryEscape(spoof), sup},
		{"/supervise?to=" + url.QueryEscape(spoof), sup},
	} {
		resp := h.do(t, "GET", c.path, web.Page, &c.sess, nil, "")
		b, _ := io.ReadAll(resp.Body)
		for _, alert := range alertRe.FindAllString(string(b), -1) {
			if strings.Contains(alert, "系统升级") {
				t.Errorf("%s (%d) shows the link's text in %s", c.path, resp.StatusCode, alert)
			}
		}
	}

	// The pages' own codes still say their own text.
	for _, c := range []struct {
		path string
		sess identity.Session
		want string
	}{
		{"/admin/certificates?done=imported&n=12", admin, "已导入 12 个电子证照"},
		{"/admin/certificates?done=revoked", admin, "电子证照已注销"},
		{"/admin/sections?done=saved", admin, "版块已保存"},
		{"/admin/calendar?done=days&n=3", admin, "已保存 3 天"},
		{"/hall/manage?done=service", mgr, "排队业务已保存"},
		{"/counter/1?done=call&ticket=A001", clerk, "A001 已叫号"},
	} {
		resp := h.do(t, "GET", c.path, web.Page, &c.sess, nil, "")
		if b, _ := io.ReadAll(resp.Body); !strings.Contains(string(b), c.want) {
			t.Errorf("%s does not say %q", c.path, c.want)
		}
	}
	if _, body := h.citizenDo(t, me, "GET", "/my?done=agent", nil); !strings.Contains(body, "已授权代办人") {
		t.Error("/my?done=agent does not say 已授权代办人")
	}

	// A form post that fails shows its error on the page itself (400), not through a redirect.
	resp := h.do(t, "POST", "/cases/"+cs.Number+"/supply", web.Page, &clerk, nil, "")
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "请选择要补交的材料文件") {
		t.Errorf("supply without files: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	form := url.Values{"csrf": {sup.CSRF}, "text": {""}}
	resp = h.do(t, "POST", "/ratings/999999/follow-up", web.Page, &sup, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if resp.StatusCode == http.StatusSeeOther {
		t.Errorf("a failed follow-up redirects to %q", resp.Header.Get("Location"))
	}
}

var alertRe = regexp.MustCompile(`(?s)role="alert"[^>]*>.*?</(div|p)>`)

package web_test

import (
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"banhao/demo"
	"banhao/identity"
	"banhao/web"
)

var (
	scriptTag  = regexp.MustCompile(`(?is)<script\b([^>]*)>`)
	anyTag     = regexp.MustCompile(`(?s)<[a-zA-Z][^>]*>`)
	eventAttr  = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	jsURL      = regexp.MustCompile(`(?i)javascript:`)
	srcAttr    = regexp.MustCompile(`(?i)\ssrc\s*=`)
	jsonScript = regexp.MustCompile(`(?i)\stype\s*=\s*"application/json"`)
	styleAttr  = regexp.MustCompile(`(?i)\sstyle\s*=`)
)

// inlineScripts lists what a strict script-src would refuse in html: script elements without a
// src (other than JSON data blocks), event-handler attributes and javascript: URLs.
func inlineScripts(html string) []string {
	var bad []string
	for _, m := range scriptTag.FindAllStringSubmatch(html, -1) {
		if !srcAttr.MatchString(m[1]) && !jsonScript.MatchString(m[1]) {
			bad = append(bad, m[0])
		}
	}
	for _, tag := range anyTag.FindAllString(html, -1) {
		if eventAttr.MatchString(tag) {
			bad = append(bad, tag)
		}
	}
	for _, loc := range jsURL.FindAllStringIndex(html, -1) {
		bad = append(bad, html[max(0, loc[0]-40):min(len(html), loc[1]+20)])
	}
	return bad
}

// inlineStyles lists what style-src 'self' refuses: style elements and style attributes.
func inlineStyles(html string) []string {
	var bad []string
	for _, tag := range anyTag.FindAllString(html, -1) {
		if styleAttr.MatchString(tag) || strings.HasPrefix(strings.ToLower(tag), "<style") {
			bad = append(bad, tag)
		}
	}
	return bad
}

// scriptSrc is the script-src directive of a Content-Security-Policy.
func scriptSrc(csp string) string {
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src ") {
			return d
		}
	}
	return ""
}

// TestSecurityCSPNoInlineScripts: every page is served with a script-src that refuses inline
// script, and no page or template holds any (an injected <script> or onerror= then runs nowhere);
// nor any inline style, which the policy's style-src refuses too.
func TestSecurityCSPNoInlineScripts(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()

	form := url.Values{"service": {"Q-S01"}, "source": {"phone"}}
	resp := h.do(t, "POST", "/hall/main/take", web.Page, nil, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	ticket := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(ticket, "/tickets/") {
		t.Fatalf("take a ticket: %d %q", resp.StatusCode, ticket)
	}
	clerk, admin := h.sessions[identity.Clerk], h.sessions[identity.Admin]
	pages := []struct {
		path string
		sess *identity.Session
	}{
		{"/", nil}, {"/items/" + url.PathEscape(h.itemCode), nil}, {"/login", nil}, {"/my/login", nil}, {"/kiosk", nil},
		{"/hall", nil}, {"/hall/main/board", nil}, {"/hall/main/take", nil}, {"/counter/1/rate", nil}, {"/counter/1/screen", nil},
		{ticket, nil}, {"/items/no-such-item", nil}, {"/track", nil},
		{"/kiosk/find", nil}, {"/kiosk/sections", nil}, {"/kiosk/sections/S01", nil}, {"/kiosk/themes?for=company", nil}, {"/kiosk/themes/employment", nil},
		{"/kiosk/guide/" + url.PathEscape(h.itemCode), nil}, {"/kiosk/guide/" + url.PathEscape(h.itemCode) + "/notice", nil}, {"/kiosk/bundles/KBQY", nil},
		{"/kiosk/take", nil}, {"/kiosk" + ticket, nil},
		{"/window", &clerk}, {"/counter/1", &clerk}, {"/admin/items", &admin}, {"/admin", &admin},
	}
	check := func(t *testing.T, path string, resp *http.Response) {
		t.Helper()
		b, _ := io.ReadAll(resp.Body)
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || (resp.StatusCode != 200 && path != "/items/no-such-item") {
			t.Fatalf("%s: %d %s, want a page", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		src := scriptSrc(resp.Header.Get("Content-Security-Policy"))
		if src == "" || strings.Contains(src, "'unsafe-inline'") || strings.Contains(src, "'unsafe-eval'") {
			t.Errorf("%s: script-src %q allows inline script", path, src)
		}
		for _, s := range inlineScripts(string(b)) {
			t.Errorf("%s: inline script %q", path, s)
		}
		for _, s := range inlineStyles(string(b)) {
			t.Errorf("%s: inline style the policy refuses %q", path, s)
		}
	}
	for _, p := range pages {
		check(t, p.path, h.do(t, "GET", p.path, web.Page, p.sess, nil, ""))
	}
	// Pages of a signed-in applicant, online and at the kiosk.
	company := h.applicantSession(t, demo.CompanyCode)
	for _, p := range []string{"/my", "/my/apply/" + url.PathEscape(h.itemNamed(t, "单位社会保险登记")), "/my/bundles/KBQY"} {
		resp, _ := h.citizenDoResp(t, company, p)
		check(t, p, resp)
	}
	kiosk, err := h.people.SignIn(ctx, demo.CitizenID, h.freshCode(t, demo.CitizenID), identity.ChannelKiosk, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/kiosk/home", "/kiosk/ticket", "/kiosk/guide/" + url.PathEscape(h.itemCode), "/kiosk/apply/" + url.PathEscape(h.itemNamed(t, "个体工商户设立登记"))} {
		resp, _ := h.citizenDoResp(t, kiosk, p)
		check(t, p, resp)
	}

	// Every template, whichever page shows it.
	err = filepath.WalkDir("templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range inlineScripts(string(b)) {
			t.Errorf("%s: inline script %q", path, s)
		}
		for _, s := range inlineStyles(string(b)) {
			t.Errorf("%s: inline style the policy refuses %q", path, s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// citizenDoResp GETs path with an applicant's cookie and gives the response with its body unread.
func (h *harness) citizenDoResp(t *testing.T, sess identity.ApplicantSession, path string) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequest("GET", h.ts.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "banhao_citizen", Value: sess.Token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp, nil
}

// TestSecurityCSPBrowser: under the strict policy the pages that carry scripts still do their
// work in Chromium (the board connects, the keypad types, the ticket refreshes, the form hides
// an upload), and the browser reports no Content Security Policy violation.
func TestSecurityCSPBrowser(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	var mu sync.Mutex
	var messages []string
	listen := func(tab context.Context, page string) {
		t.Helper()
		err := chromedp.Listen(tab, func(ev any) {
			var text string
			switch e := ev.(type) {
			case *log.EventEntryAdded:
				text = e.Entry.Text + " (" + e.Entry.URL + ")"
			case *runtime.EventConsoleAPICalled:
				for _, a := range e.Args {
					text += string(a.Value) + a.Description + " "
				}
			case *runtime.EventExceptionThrown:
				text = "exception: " + e.ExceptionDetails.Text
				if e.ExceptionDetails.Exception != nil {
					text += " " + e.ExceptionDetails.Exception.Description
				}
			default:
				return
			}
			mu.Lock()
			messages = append(messages, page+": "+text)
			mu.Unlock()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	poll := func(tab context.Context, what, js string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run := func(tab context.Context, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, actions...); err != nil {
			t.Fatal(err)
		}
	}

	// The hall board connects to its event stream and its voice button answers.
	board, cancelBoard := chromedp.NewContext(ctx)
	listen(board, "hall board")
	run(board, chromedp.Navigate(h.ts.URL+"/hall/main/board"), chromedp.WaitVisible(chromedp.CSS(`#display`)))
	poll(board, "the board never connected", `document.getElementById('conn').textContent === '实时更新中'`)
	run(board, chromedp.Click(chromedp.CSS(`#voice`)))
	poll(board, "the voice button did not answer", `document.getElementById('voice').textContent === '关闭语音播报'`)
	cancelBoard()

	// A phone takes a ticket; the ticket page refreshes itself from the API.
	phone, cancelPhone := chromedp.NewContext(ctx)
	listen(phone, "ticket")
	run(phone, chromedp.Navigate(h.ts.URL+"/hall/main/take?via=phone"), chromedp.WaitVisible(chromedp.CSS(`#svc-Q-S05`)),
		chromedp.Click(chromedp.CSS(`#svc-Q-S05`)), chromedp.WaitVisible(chromedp.CSS(`#number`)))
	poll(phone, "the ticket page never refreshed", `!document.getElementById('ahead') && document.getElementById('position').textContent.indexOf('下一位就是您，预计等候') === 0`)
	cancelPhone()

	// The kiosk keypad types into the field.
	kiosk, cancelKiosk := chromedp.NewContext(ctx)
	listen(kiosk, "kiosk")
	run(kiosk, chromedp.Navigate(h.ts.URL+"/kiosk"), chromedp.WaitVisible(chromedp.CSS(`#id_number`)),
		chromedp.Click(chromedp.CSS(`.keypad .key[data-key="3"]`)), chromedp.Click(chromedp.CSS(`.keypad .key[data-key="7"]`)))
	poll(kiosk, "the keypad did not type", `document.getElementById('id_number').value === '37'`)
	cancelKiosk()

	// The online form hides the upload while the certificate is used, and shows it when not.
	item := h.itemNamed(t, "单位社会保险登记")
	form, cancelForm := chromedp.NewContext(ctx)
	listen(form, "online form")
	run(form, chromedp.Navigate(h.ts.URL+"/my/login?next="+url.QueryEscape("/my/apply/"+item)), chromedp.WaitVisible(chromedp.CSS(`#send-code`)),
		chromedp.SendKeys(chromedp.CSS(`#id_number`), demo.CompanyCode), chromedp.Click(chromedp.CSS(`#send-code`)),
		chromedp.WaitVisible(chromedp.CSS(`#code`)))
	run(form, chromedp.SendKeys(chromedp.CSS(`#code`), h.browserCode(t, demo.CompanyCode)), chromedp.Click(chromedp.CSS(`#sign-in`)),
		chromedp.WaitVisible(chromedp.CSS(`#apply`)), chromedp.Click(chromedp.CSS(`#material-m1 input.use-cert`)))
	poll(form, "unticking the certificate did not show the upload", `!document.querySelector('#material-m1 .upload-instead').hidden`)
	cancelForm()

	// The guide's print button prints; the error page's link goes back; the admin's retire form
	// asks first and stays when the admin says no.
	other, cancelOther := chromedp.NewContext(ctx)
	listen(other, "print, back, confirm")
	run(other, chromedp.Navigate(h.ts.URL+"/items/"+url.PathEscape(h.itemCode)), chromedp.WaitVisible(chromedp.CSS(`button[data-print]`)))
	if _, err := chromedp.Run(other, chromedp.Evaluate[int](`window.print = function () { window.printed = 1; }; 1`)); err != nil {
		t.Fatal(err)
	}
	run(other, chromedp.Click(chromedp.CSS(`button[data-print]`)))
	poll(other, "the print button did not print", `window.printed === 1`)
	run(other, chromedp.Navigate(h.ts.URL+"/items/no-such-item"), chromedp.WaitVisible(chromedp.CSS(`a[data-back]`)))
	poll(other, "the error page never loaded", `document.readyState === 'complete'`)
	run(other, chromedp.Click(chromedp.CSS(`a[data-back]`)))
	// Poll by hand: a page that navigates away ends chromedp's own poll.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		p, err := chromedp.Run(other, chromedp.Evaluate[string](`document.readyState === 'complete' ? location.pathname : ''`))
		if err == nil && p == "/items/"+h.itemCode {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the back link led to %q (%v), want the guide", p, err)
		}
	}
	run(other, signIn(h, "admin"), chromedp.Navigate(h.ts.URL+"/admin/items"), chromedp.WaitVisible(chromedp.CSS(`form[data-confirm] button`)))
	if _, err := chromedp.Run(other, chromedp.Evaluate[int](`window.confirm = function (m) { window.asked = m; return false; }; 1`)); err != nil {
		t.Fatal(err)
	}
	run(other, chromedp.Click(chromedp.CSS(`form[data-confirm] button`)))
	poll(other, "the retire form did not ask", `window.asked === '确定废止该事项？废止后公众不可见。' && location.pathname === '/admin/items'`)
	cancelOther()

	mu.Lock()
	defer mu.Unlock()
	for _, m := range messages {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(m, ": exception:") {
			t.Errorf("browser reported: %s", m)
		}
	}
}

// TestSecuritySecureCookiesBehindProxy: behind a proxy that terminates TLS the server sees plain
// HTTP, yet with an https public address the session cookies it sets are Secure and every
// response asks the browser to keep to HTTPS; with an http or no public address, neither.
func TestSecuritySecureCookiesBehindProxy(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	staff := demo.Accounts()[0]
	for _, tc := range []struct {
		publicURL string
		secure    bool
	}{{"https://zwfw.example.gov.cn", true}, {"HTTPS://zwfw.example.gov.cn/", true}, {"http://zwfw.example.gov.cn", false}, {"", false}} {
		t.Run(tc.publicURL, func(t *testing.T) {
			h.srv.PublicURL = tc.publicURL
			form := url.Values{"username": {staff.Username}, "password": {staff.Password}}
			login := h.do(t, "POST", "/login", web.Page, nil, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
			code := h.freshCode(t, demo.CitizenID)
			form = url.Values{"id_number": {demo.CitizenID}, "code": {code}}
			my := h.do(t, "POST", "/my/login", web.Page, nil, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
			large := h.do(t, "GET", "/large-text?on=1&back=/", web.Page, nil, nil, "")
			sess, err := h.ids.Login(context.Background(), staff.Username, staff.Password, "127.0.0.1", identity.KindWeb)
			if err != nil {
				t.Fatal(err)
			}
			logout := h.do(t, "POST", "/logout", web.Page, &sess, nil, "")
			applicant := h.applicantSession(t, demo.CitizenID)
			myLogout, _ := h.citizenDo(t, applicant, "POST", "/my/logout", url.Values{})
			for what, resp := range map[string]*http.Response{"staff sign-in": login, "applicant sign-in": my, "large text": large,
				"staff sign-out": logout, "applicant sign-out": myLogout} {
				if resp.StatusCode != 303 || len(resp.Cookies()) == 0 {
					t.Fatalf("%s: %d, cookies %v", what, resp.StatusCode, resp.Cookies())
				}
				for _, c := range resp.Cookies() {
					if c.Secure != tc.secure {
						t.Errorf("%s: cookie %s Secure=%v, want %v", what, c.Name, c.Secure, tc.secure)
					}
				}
			}
			for _, p := range []string{"/", "/api/v1/items", "/static/site.css"} {
				hsts := h.do(t, "GET", p, web.Page, nil, nil, "").Header.Get("Strict-Transport-Security")
				if tc.secure && !strings.HasPrefix(hsts, "max-age=31536000") {
					t.Errorf("%s: Strict-Transport-Security %q", p, hsts)
				}
				if !tc.secure && hsts != "" {
					t.Errorf("%s over plain HTTP: Strict-Transport-Security %q", p, hsts)
				}
			}
		})
	}
}

// TestSecurityEveryCookieThroughSetCookie: every cookie the server writes goes through
// Server.setCookie, which marks it Secure behind an https public address (a device key written
// past it was once left without Secure).
func TestSecurityEveryCookieThroughSetCookie(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if c := strings.Count(string(b), "http.SetCookie("); c > 0 {
			n += c
			if f != "server.go" {
				t.Errorf("%s writes a cookie with http.SetCookie instead of s.setCookie", f)
			}
		}
	}
	if n != 1 {
		t.Errorf("http.SetCookie appears %d times, want once (in setCookie)", n)
	}
}

package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"banhao/app"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/store/storetest"
)

// logBuffer keeps what the server logged, for a test to read.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCitizenAndKioskPagesOnInternalError: when the database fails under a signed-in citizen,
// at a registered kiosk, or while one asks for a code or signs in (a table the request needs is
// gone: a real error of the real database, not a stand-in), each page answers 500 with the
// friendly page of its frame — the online hall's error page, the kiosk's — saying to try later;
// the sign-in forms are shown again with that message, not a code step. The cause is in the log
// with the path, nothing panics, and the API answers a problem document with code "internal".
func TestCitizenAndKioskPagesOnInternalError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		logs := &logBuffer{}
		h := withDemo(t, wireLogged(t, db, t.TempDir(), app.Settings{Center: demo.CenterName, DevCodes: true},
			slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
		kiosk := h.enrollDevice(t, `{"kind":"kiosk","name":"24小时自助终端"}`)
		citizen, atKiosk := h.citizenSession(t), h.kioskSession(t)

		// send is a browser's request: the citizen's cookie (when signed in), the kiosk's device
		// cookie (at the kiosk), a form (on a POST).
		send := func(method, path string, sess *identity.ApplicantSession, device bool, form url.Values) (int, string) {
			t.Helper()
			var body io.Reader
			if form != nil {
				if sess != nil {
					form.Set("csrf", sess.CSRF)
				}
				body = strings.NewReader(form.Encode())
			}
			req, _ := http.NewRequest(method, h.ts.URL+path, body)
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if sess != nil {
				req.AddCookie(&http.Cookie{Name: "banhao_citizen", Value: sess.Token})
			}
			if device {
				req.AddCookie(&http.Cookie{Name: "banhao_device", Value: kiosk})
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v (the server dropped the connection?)", method, path, err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		// break renames a table away (the database answers every statement on it with an error)
		// and returns what puts it back.
		breakTable := func(table string) func() {
			t.Helper()
			if _, err := db.ExecContext(ctx, `ALTER TABLE `+table+` RENAME TO `+table+`_away`); err != nil {
				t.Fatal(err)
			}
			return func() {
				if _, err := db.ExecContext(ctx, `ALTER TABLE `+table+`_away RENAME TO `+table); err != nil {
					t.Fatal(err)
				}
			}
		}
		// again lets the number ask for a code again at once: a refused request has spent the
		// number's one-a-minute limit before the database failed.
		again := func() {
			t.Helper()
			if _, err := db.ExecContext(ctx, `DELETE FROM rate_buckets WHERE key LIKE 'code:i%'`); err != nil {
				t.Fatal(err)
			}
		}
		const sorry = "服务器内部错误，请稍后再试"
		// logged checks that the cause of the failure at path is in the log.
		logged := func(path, table string) {
			t.Helper()
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, "request failed") && strings.Contains(line, "path="+path+" ") &&
					(strings.Contains(line, "no such table: "+table) || strings.Contains(line, `relation \"`+table+`\" does not exist`)) {
					return
				}
			}
			t.Errorf("%s: the cause (table %s missing) is not in the log:\n%s", path, table, logs.String())
		}
		page := func(what string, status int, body string, frame ...string) {
			t.Helper()
			if status != 500 || !strings.Contains(body, sorry) {
				t.Errorf("%s: %d, want 500 saying %q", what, status, sorry)
			}
			for _, want := range frame {
				if !strings.Contains(body, want) {
					t.Errorf("%s: the page lacks %s", what, want)
				}
			}
		}
		api := func(what string, status int, body string) {
			t.Helper()
			var p struct{ Code, Detail string }
			if err := json.Unmarshal([]byte(body), &p); status != 500 || err != nil || p.Code != "internal" || p.Detail != sorry {
				t.Errorf("%s: %d %s, want 500 with a problem document coded internal", what, status, body)
			}
		}

		// Signed in, the cases are away: the online hall, its API and the kiosk's home.
		restore := breakTable("cases")
		st, body := send("GET", "/my", &citizen, false, nil)
		page("GET /my", st, body, "<h1>出错了（500）", `href="/"`)
		logged("/my", "cases")
		st, body = h.citizenAPI(t, citizen, "GET", "/api/v1/my/cases")
		api("GET /api/v1/my/cases", st, body)
		logged("/api/v1/my/cases", "cases")
		st, body = send("GET", "/kiosk/home", &atKiosk, true, nil)
		page("GET /kiosk/home", st, body, "<h1>出错了（500）", `class="k-body"`, `href="/kiosk"`)
		logged("/kiosk/home", "cases")
		restore()

		// The sign-in codes are away: asking for a code and signing in, online and at the kiosk.
		restore = breakTable("applicant_codes")
		st, body = send("POST", "/my/code", nil, false, url.Values{"id_number": {demo.CitizenID}})
		page("POST /my/code", st, body, `id="id_number"`, `value="`+demo.CitizenID+`"`)
		logged("/my/code", "applicant_codes")
		st, body = send("POST", "/my/login", nil, false, url.Values{"id_number": {demo.CitizenID}, "code": {"123456"}})
		page("POST /my/login", st, body, `id="code"`)
		logged("/my/login", "applicant_codes")
		again()
		st, body = send("POST", "/kiosk/code", nil, true, url.Values{"id_number": {demo.CitizenID}})
		page("POST /kiosk/code at a registered kiosk", st, body, `id="kiosk-error"`, `class="k-body"`, `value="`+demo.CitizenID+`"`)
		if codeStep(body) {
			t.Error("POST /kiosk/code: the page asks for a code that was not sent")
		}
		logged("/kiosk/code", "applicant_codes")
		st, body = send("POST", "/kiosk/login", nil, true, url.Values{"id_number": {demo.CitizenID}, "code": {"123456"}})
		page("POST /kiosk/login at a registered kiosk", st, body, `id="kiosk-error"`, `class="k-body"`)
		logged("/kiosk/login", "applicant_codes")
		again()
		req, _ := http.NewRequest("POST", h.ts.URL+"/api/v1/applicant/code", strings.NewReader(`{"id_number":"`+demo.CitizenID+`"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		api("POST /api/v1/applicant/code", resp.StatusCode, string(b))
		restore()

		if strings.Contains(logs.String(), "panic") {
			t.Errorf("a handler panicked:\n%s", logs.String())
		}
		// Back: the same pages answer again.
		if st, _ := send("GET", "/my", &citizen, false, nil); st != 200 {
			t.Errorf("GET /my once the table is back: %d", st)
		}
	})
}

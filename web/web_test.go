package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"banhao/app"
	"banhao/audit"
	"banhao/calendar/calstore"
	"banhao/cases"
	"banhao/catalog"
	"banhao/certs"
	"banhao/demo"
	"banhao/files"
	"banhao/identity"
	"banhao/payments"
	"banhao/queue"
	"banhao/secret"
	"banhao/store"
	"banhao/web"

	"golang.org/x/crypto/bcrypt"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

type harness struct {
	app      *app.App
	srv      *web.Server
	ts       *httptest.Server
	db       *store.DB
	clock    *clock
	cat      *catalog.Service
	ids      *identity.Service
	cal      *calstore.Service
	cases    *cases.Service
	queue    *queue.Service
	files    *files.Store
	certs    *certs.Service
	people   *identity.Applicants
	log      *audit.Log
	sessions map[identity.Role]identity.Session
	itemCode string
}

// clock is the web tests' clock: it starts on a fixed working morning, Thursday 2026-11-26 at
// 09:00 in Shanghai, and runs on from there as real time does, so that no test depends on
// today's date (its holidays, the years the calendar covers) and timestamps still follow each
// other. A test may move it.
type clock struct {
	mu          sync.Mutex
	base, start time.Time
}

// testMorning is where every harness's clock starts.
var testMorning = time.Date(2026, 11, 26, 9, 0, 0, 0, shanghai)

func newClock() *clock { return &clock{base: testMorning, start: time.Now()} }

// Now is the harness's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(time.Since(c.start))
}

// Set moves the clock to t; it runs on from there.
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.start = t, time.Now()
}

// today is the harness's date in the center's zone, as the pages and the API take it.
func (h *harness) today() string { return h.clock.Now().In(shanghai).Format("2006-01-02") }

// wire builds a whole server on db through app.New, as serve does (one node: its own services
// and caches), uploads under dataDir, serving on a test listener. Sign-in codes go to the
// outbox's log channel (development), where a test reads them as a developer would. Jobs are
// inserted, not worked.
func wire(t *testing.T, db *store.DB, dataDir string) *harness {
	t.Helper()
	return wireWith(t, db, dataDir, app.Settings{Center: demo.CenterName, DevCodes: true})
}

// wireWith is wire with an installation's own settings. Warnings and errors go to stderr: go
// test shows them only for a failing package.
func wireWith(t *testing.T, db *store.DB, dataDir string, set app.Settings) *harness {
	t.Helper()
	return wireLogged(t, db, dataDir, set, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

// wireLogged is wireWith logging to logger (a test that reads what the server logged).
func wireLogged(t *testing.T, db *store.DB, dataDir string, set app.Settings, logger *slog.Logger, adjust ...func(*app.Config)) *harness {
	t.Helper()
	clk := newClock()
	cfg := harnessConfig(db, dataDir, set, logger, clk.Now)
	for _, f := range adjust {
		f(&cfg)
	}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := &harness{app: a, srv: a.Web, db: db, clock: clk, cat: a.Catalog, ids: a.Identity, cal: a.Calendar, cases: a.Cases, queue: a.Queue,
		files: a.Files, certs: a.Certs, people: a.Applicants, log: a.Audit, sessions: map[identity.Role]identity.Session{}}
	h.ts = httptest.NewServer(a.Web.Handler())
	t.Cleanup(func() { // end event streams, then drain, then the hub
		a.Web.Shutdown()
		h.ts.Close()
		if err := a.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return h
}

// harnessConfig is how every harness (and the demo templates) composes the server.
func harnessConfig(db *store.DB, dataDir string, set app.Settings, logger *slog.Logger, now func() time.Time) app.Config {
	return app.Config{DB: db, Secret: secret.New([]byte("web-test-key-web-test-key-web-tes")), Now: now,
		Location: shanghai, Logger: logger, Settings: set, Files: files.DefaultPlace(db.Dialect, dataDir), Bank: payments.NoBank{},
		// Hashing passwords at the default cost dominates the tests' setup (every harness signs in
		// every demo account), under -race by far.
		IdentityOptions: []identity.Option{identity.WithPasswordCost(bcrypt.MinCost)}}
}

// newHarness is one node on db with the demo center loaded and every role signed in. A db from
// demoSQLite or eachDemo holds the demo center already (a copy of the template); any other db
// has it loaded now.
func newHarness(t *testing.T, db *store.DB) *harness {
	t.Helper()
	h := wire(t, db, t.TempDir())
	if !demoTemplate.Holds(db) {
		return withDemo(t, h)
	}
	h.signIn(t)
	h.itemCode = demoItemCode(t, h)
	return h
}

// withDemo loads the demo center into h's database and signs every role in.
func withDemo(t *testing.T, h *harness) *harness {
	t.Helper()
	ctx, db := context.Background(), h.db
	if _, err := demo.Load(ctx, db, demo.Services{Catalog: h.cat, Users: h.ids, Hall: h.queue, Certs: h.certs, Applicants: h.people, Cases: h.cases}); err != nil {
		t.Fatal(err)
	}
	h.signIn(t)
	h.itemCode = demoItemCode(t, h)
	return h
}

// demoItemCode is the code of the demo's 企业设立登记, the item most tests apply for.
func demoItemCode(t *testing.T, h *harness) string {
	t.Helper()
	res, err := h.cat.Search(context.Background(), catalog.Query{Q: "企业设立登记"})
	if err != nil || res.Total == 0 {
		t.Fatalf("demo item: %v", err)
	}
	return res.Items[0].Code
}

// signIn gives every role a fresh browser session.
func (h *harness) signIn(t *testing.T) {
	t.Helper()
	h.sessions = map[identity.Role]identity.Session{}
	for _, a := range demo.Accounts() {
		role := identity.Role(a.Role)
		if _, ok := h.sessions[role]; ok {
			continue
		}
		sess, err := h.ids.Login(context.Background(), a.Username, a.Password, "127.0.0.1", identity.KindWeb)
		if err != nil {
			t.Fatal(err)
		}
		h.sessions[role] = sess
	}
}

// do sends a request; sess may be nil (anonymous). Page requests carry the cookie and the CSRF
// token as a signed-in browser would.
func (h *harness) do(t *testing.T, method, path string, kind web.Kind, sess *identity.Session, body io.Reader, ctype string) *http.Response {
	t.Helper()
	if kind == web.Page && method == http.MethodPost && body == nil {
		form := url.Values{}
		if sess != nil {
			form.Set("csrf", sess.CSRF)
		}
		body, ctype = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(method, h.ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if sess != nil {
		if kind == web.API {
			req.Header.Set("Authorization", "Bearer "+sess.Token)
		} else {
			req.AddCookie(&http.Cookie{Name: "banhao_session", Value: sess.Token})
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (h *harness) fill(pattern string) string {
	r := strings.NewReplacer("{code}", url.PathEscape(h.itemCode), "{version}", "1", "{op}", "restore", "{$}", "", "{date}", "2026-12-01", "{number}", "371600-20260101-99999", "{kind}", "acceptance", "{file_id}", "f_000000000000000000000000", "{username}", "clerk")
	p := r.Replace(pattern)
	if strings.HasSuffix(p, "/static/") {
		p += "site.css"
	}
	return p
}

// TestEveryEndpointChecksRoles walks the router's own table: every endpoint × every role.
func TestEveryEndpointChecksRoles(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	routes := h.srv.Routes()
	if len(routes) < 40 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, rt := range routes {
		path := h.fill(rt.Pattern)
		t.Run(rt.Method+" "+rt.Pattern, func(t *testing.T) {
			body, ctype := io.Reader(nil), ""
			if rt.Kind == web.API && (rt.Method == "POST" || rt.Method == "PUT") {
				body, ctype = strings.NewReader("{}"), "application/json"
			}
			resp := h.do(t, rt.Method, path, rt.Kind, nil, body, ctype)
			if rt.Citizen {
				h.checkCitizenRoute(t, rt, path, resp)
				return
			}
			switch {
			case rt.Public:
				if resp.StatusCode == 401 || resp.StatusCode == 403 {
					t.Fatalf("public endpoint refused an anonymous caller: %d", resp.StatusCode)
				}
			case rt.Kind == web.API && resp.StatusCode != 401:
				t.Fatalf("anonymous caller got %d, want 401", resp.StatusCode)
			case rt.Kind == web.Page && (resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login")):
				t.Fatalf("anonymous visitor got %d → %q, want a redirect to /login", resp.StatusCode, resp.Header.Get("Location"))
			}
			for _, role := range identity.Roles {
				sess := h.sessions[role]
				if rt.Kind == web.API && (rt.Method == "POST" || rt.Method == "PUT") {
					body = strings.NewReader("{}")
				} else {
					body = nil
				}
				resp := h.do(t, rt.Method, path, rt.Kind, &sess, body, ctype)
				mayUse := rt.Public || rt.Roles == nil || slices.Contains(rt.Roles, role)
				if resp.StatusCode >= 500 {
					t.Errorf("%s: status %d", role, resp.StatusCode)
				}
				if mayUse && (resp.StatusCode == 401 || resp.StatusCode == 403) {
					t.Errorf("%s may use it but got %d", role, resp.StatusCode)
				}
				if !mayUse && resp.StatusCode != 403 {
					t.Errorf("%s may not use it but got %d, want 403", role, resp.StatusCode)
				}
			}
			if strings.Contains(rt.Pattern, "logout") {
				h.signIn(t) // the route did what it says
			}
		})
	}
}

// checkCitizenRoute: an applicant's route refuses anonymous callers and every staff session (staff
// are not applicants: 401, or a page's redirect to the applicant sign-in), and serves a signed-in
// applicant.
func (h *harness) checkCitizenRoute(t *testing.T, rt web.Route, path string, anonymous *http.Response) {
	t.Helper()
	refused := func(who string, resp *http.Response) {
		loc := resp.Header.Get("Location")
		switch {
		case rt.Kind == web.API && resp.StatusCode != 401:
			t.Errorf("%s got %d, want 401", who, resp.StatusCode)
		case rt.Kind == web.Page && (resp.StatusCode != 303 || !(strings.HasPrefix(loc, "/my/login") || strings.HasPrefix(loc, "/kiosk"))):
			t.Errorf("%s got %d → %q, want the applicant sign-in", who, resp.StatusCode, loc)
		}
	}
	refused("anonymous", anonymous)
	body := func() (io.Reader, string) {
		if rt.Kind == web.API && rt.Method == "POST" {
			return strings.NewReader("{}"), "application/json"
		}
		return nil, ""
	}
	for _, role := range identity.Roles {
		sess := h.sessions[role]
		b, ct := body()
		refused(string(role), h.do(t, rt.Method, path, rt.Kind, &sess, b, ct))
	}
	citizen := h.citizenSession(t)
	b, ct := body()
	if rt.Kind == web.Page && rt.Method == "POST" {
		b, ct = strings.NewReader(url.Values{"csrf": {citizen.CSRF}}.Encode()), "application/x-www-form-urlencoded"
	}
	req, _ := http.NewRequest(rt.Method, h.ts.URL+path, b)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if rt.Kind == web.API {
		req.Header.Set("Authorization", "Bearer "+citizen.Token)
	} else {
		req.AddCookie(&http.Cookie{Name: "banhao_citizen", Value: citizen.Token})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 401 || resp.StatusCode == 403 || resp.StatusCode >= 500 {
		t.Errorf("a signed-in applicant got %d", resp.StatusCode)
	}
}

// citizenSession signs the demo citizen in with a one-time code read from the outbox.
func (h *harness) citizenSession(t *testing.T) identity.ApplicantSession {
	t.Helper()
	return h.applicantSession(t, demo.CitizenID)
}

// applicantSession signs an applicant in with a one-time code read from the outbox.
func (h *harness) applicantSession(t *testing.T, idNumber string) identity.ApplicantSession {
	t.Helper()
	sess, err := h.people.SignIn(context.Background(), idNumber, h.freshCode(t, idNumber), identity.ChannelOnline, "")
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// freshCode spends the account's old sign-in codes and its code-request limits (so that each
// call gets a fresh code without waiting a minute), asks for a new one and reads it.
func (h *harness) freshCode(t *testing.T, idNumber string) string {
	t.Helper()
	ctx := context.Background()
	ap, err := h.people.ByIDNumber(ctx, idNumber)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.ExecContext(ctx, `DELETE FROM applicant_codes WHERE applicant_id = ?`, ap.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.ExecContext(ctx, `DELETE FROM rate_buckets WHERE key LIKE 'code:i%'`); err != nil {
		t.Fatal(err)
	}
	if _, err := h.people.RequestCode(ctx, idNumber, ""); err != nil {
		t.Fatal(err)
	}
	return h.lastCode(t, ap.ID)
}

// lastCode reads the newest sign-in code the outbox holds for an account (what the log prints
// in development).
func (h *harness) lastCode(t *testing.T, applicant int64) string {
	t.Helper()
	var body string
	if err := h.db.QueryRowContext(context.Background(), `SELECT body FROM notifications WHERE recipient = ? ORDER BY id DESC LIMIT 1`,
		fmt.Sprintf("applicant:%d", applicant)).Scan(&body); err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`\d{6}`).FindString(body)
}

func TestOpenAPIListsEveryAPIRoute(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	resp := h.do(t, "GET", "/api/v1/openapi.json", web.API, nil, nil, "")
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi.json: %v %q", err, doc.OpenAPI)
	}
	for _, rt := range h.srv.Routes() {
		if rt.Kind != web.API {
			continue
		}
		if _, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("openapi.json lacks %s %s", rt.Method, rt.Pattern)
		}
	}
}

func decode[T any](t *testing.T, resp *http.Response) T {
	t.Helper()
	var v T
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", resp.Request.URL, err)
	}
	return v
}

type problem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Errors []struct{ Field, Message string }
}

func TestCatalogAPI(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		admin := h.sessions[identity.Admin]

		// Chinese substring search over name and code, with filters and paging.
		list := decode[struct {
			Items []catalog.Summary
			Total int
		}](t, h.do(t, "GET", "/api/v1/items?q="+url.QueryEscape("公积金")+"&limit=3", web.API, nil, nil, ""))
		if list.Total < 3 || len(list.Items) != 3 {
			t.Fatalf("search 公积金: total %d, %d on the page", list.Total, len(list.Items))
		}
		for _, it := range list.Items {
			if !strings.Contains(it.Name, "公积金") {
				t.Errorf("%q does not contain 公积金", it.Name)
			}
		}
		byCode := decode[struct{ Total int }](t, h.do(t, "GET", "/api/v1/items?q="+url.QueryEscape(h.itemCode[5:20]), web.API, nil, nil, ""))
		if byCode.Total < 1 {
			t.Fatal("search by a part of the code found nothing")
		}
		if resp := h.do(t, "GET", "/api/v1/items?limit=abc", web.API, nil, nil, ""); resp.StatusCode != 400 ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("limit=abc: %d %s, want 400 problem+json", resp.StatusCode, resp.Header.Get("Content-Type"))
		} else if p := decode[problem](t, resp); p.Code != "invalid" || p.Errors[0].Field != "limit" {
			t.Fatalf("problem = %+v", p)
		}

		guide := decode[catalog.Item](t, h.do(t, "GET", "/api/v1/items/"+url.PathEscape(h.itemCode), web.API, nil, nil, ""))
		if guide.Department.Name == "" || guide.PromisedLimit.Unit != catalog.WorkingDay || len(guide.Materials) == 0 || guide.Version != 1 {
			t.Fatalf("guide: %+v", guide)
		}
		if resp := h.do(t, "GET", "/api/v1/items/NO-SUCH", web.API, nil, nil, ""); resp.StatusCode != 404 {
			t.Fatalf("unknown item: %d", resp.StatusCode)
		}

		// PUT creates (201), then a change is a new version (200); bad input names the field.
		body := `{"name":"接口新建事项","type":"公共服务","department":"XZSP","section":"S01",
			"legal_limit":{"value":10,"unit":"working_day"},"promised_limit":{"value":3,"unit":"working_day"},
			"visits":0,"online_depth":4,"materials":[{"id":"m1","name":"申请表","required":true,"source":"applicant"}]}`
		resp := h.do(t, "PUT", "/api/v1/items/API-1", web.API, &admin, strings.NewReader(body), "application/json")
		if resp.StatusCode != 201 {
			t.Fatalf("PUT new item: %d", resp.StatusCode)
		}
		resp = h.do(t, "PUT", "/api/v1/items/API-1", web.API, &admin, strings.NewReader(strings.Replace(body, "接口新建事项", "接口新建事项（修订）", 1)), "application/json")
		if got := decode[catalog.Item](t, resp); resp.StatusCode != 200 || got.Version != 2 {
			t.Fatalf("PUT change: %d version %d", resp.StatusCode, got.Version)
		}
		bad := strings.Replace(body, `"value":3`, `"value":30`, 1)
		resp = h.do(t, "PUT", "/api/v1/items/API-1", web.API, &admin, strings.NewReader(bad), "application/json")
		if p := decode[problem](t, resp); resp.StatusCode != 400 || p.Errors[0].Field != "promised_limit" {
			t.Fatalf("promised > legal: %d %+v", resp.StatusCode, p)
		}
		resp = h.do(t, "PUT", "/api/v1/items/API-1", web.API, &admin, strings.NewReader(`{"nmae":"typo"}`), "application/json")
		if p := decode[problem](t, resp); resp.StatusCode != 400 || p.Errors[0].Field != "nmae" {
			t.Fatalf("unknown field: %d %+v", resp.StatusCode, p)
		}
		if resp := h.do(t, "PUT", "/api/v1/items/API-1", web.API, &admin, strings.NewReader(body), "text/plain"); resp.StatusCode != 415 {
			t.Fatalf("text/plain body: %d, want 415", resp.StatusCode)
		}
		if resp := h.do(t, "POST", "/api/v1/departments", web.API, &admin, strings.NewReader(`{"code":"XZSP","name":"重复"}`), "application/json"); resp.StatusCode != 409 {
			t.Fatalf("duplicate department: %d, want 409", resp.StatusCode)
		}
		if resp := h.do(t, "POST", "/api/v1/sections", web.API, &admin, strings.NewReader(`{"code":"S11","name":"新版块"}`), "application/json"); resp.StatusCode != 201 {
			t.Fatalf("new section: %d, want 201", resp.StatusCode)
		}
		secs := decode[struct {
			Sections []struct {
				Code      string
				ItemCount int `json:"item_count"`
			}
		}](t, h.do(t, "GET", "/api/v1/sections", web.API, nil, nil, ""))
		if len(secs.Sections) != 11 || secs.Sections[1].ItemCount == 0 || secs.Sections[0].Code != "S11" {
			t.Fatalf("sections after adding one: %+v", secs.Sections)
		}

		// Export through the API, import it back: nothing changes.
		resp = h.do(t, "GET", "/api/v1/catalog/export?format=xlsx", web.API, &admin, nil, "")
		xlsx, _ := io.ReadAll(resp.Body)
		resp = h.do(t, "POST", "/api/v1/catalog/import?format=xlsx", web.API, &admin, bytes.NewReader(xlsx), "application/octet-stream")
		res := decode[catalog.ImportResult](t, resp)
		if resp.StatusCode != 200 || res.Unchanged != res.Items || res.Items < 340 {
			t.Fatalf("re-import of the export: %d %+v", resp.StatusCode, res)
		}

		verify := decode[struct {
			Intact  bool
			Entries int
		}](t, h.do(t, "GET", "/api/v1/audit/verify", web.API, ptr(h.sessions[identity.Auditor]), nil, ""))
		if !verify.Intact || verify.Entries < 400 {
			t.Fatalf("audit verify: %+v", verify)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestLoginAPI(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	resp := h.do(t, "POST", "/api/v1/login", web.API, nil, strings.NewReader(`{"username":"clerk","password":"`+demo.DemoPassword+`"}`), "application/json")
	got := decode[struct {
		Token     string
		ExpiresAt time.Time `json:"expires_at"`
		Role      string
	}](t, resp)
	if resp.StatusCode != 200 || got.Token == "" || got.Role != "clerk" || got.ExpiresAt.IsZero() {
		t.Fatalf("login: %d %+v", resp.StatusCode, got)
	}
	me := decode[identity.User](t, h.do(t, "GET", "/api/v1/me", web.API, &identity.Session{Token: got.Token}, nil, ""))
	if me.Username != "clerk" {
		t.Fatalf("me = %+v", me)
	}
	codes := []int{}
	for range 7 {
		r := h.do(t, "POST", "/api/v1/login", web.API, nil, strings.NewReader(`{"username":"clerk","password":"nope-nope"}`), "application/json")
		codes = append(codes, r.StatusCode)
	}
	if codes[0] != 401 || codes[6] != 429 {
		t.Fatalf("repeated bad sign-ins: %v, want 401 first and 429 at the end", codes)
	}
}

func TestPagesRefuseForgedPosts(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	// A form post without the page's CSRF token.
	form := url.Values{"code": {"S12"}, "name": {"伪造"}}
	resp := h.do(t, "POST", "/admin/sections", web.Page, &admin, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if resp.StatusCode != 403 {
		t.Fatalf("post without CSRF token: %d, want 403", resp.StatusCode)
	}
	// A cross-site browser request, even with the token.
	form.Set("csrf", admin.CSRF)
	req, _ := http.NewRequest("POST", h.ts.URL+"/admin/sections", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(&http.Cookie{Name: "banhao_session", Value: admin.Token})
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 403 {
		t.Fatalf("cross-site post: %d, want 403", r2.StatusCode)
	}
	if secs, _ := h.cat.AllSections(context.Background()); len(secs) != 10 {
		t.Fatalf("a forged post changed the sections: %d", len(secs))
	}
	// The genuine form works.
	resp = h.do(t, "POST", "/admin/sections", web.Page, &admin, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if resp.StatusCode != 303 {
		t.Fatalf("genuine post: %d, want 303", resp.StatusCode)
	}
}

func TestAdminItemFormKeepsInputOnError(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	form := url.Values{"csrf": {admin.CSRF}, "code": {"FORM-1"}, "name": {"表单事项"}, "type": {"行政许可"}, "department": {"XZSP"},
		"legal_limit_value": {"5"}, "legal_limit_unit": {"working_day"}, "promised_limit_value": {"9"}, "promised_limit_unit": {"working_day"},
		"visits": {"0"}, "online_depth": {"4"}, "material_rows": {"1"}, "m0_id": {"m1"}, "m0_name": {"申请表"}, "m0_required": {"1"},
		"m0_source": {"applicant"}, "action": {"publish"}}
	resp := h.do(t, "POST", "/admin/items", web.Page, &admin, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(page), "承诺时限") || !strings.Contains(string(page), `value="表单事项"`) {
		t.Fatalf("bad form: %d; want 400 naming 承诺时限 and keeping the typed name", resp.StatusCode)
	}
	form.Set("promised_limit_value", "3")
	resp = h.do(t, "POST", "/admin/items", web.Page, &admin, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if resp.StatusCode != 303 {
		t.Fatalf("good form: %d", resp.StatusCode)
	}
	if it, err := h.cat.Item(context.Background(), "FORM-1"); err != nil || len(it.Materials) != 1 {
		t.Fatalf("saved item: %+v %v", it, err)
	}
}

func TestOpsEndpoints(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	for path, want := range map[string]string{"/healthz": `"ok"`, "/readyz": `"ready"`, "/metrics": "banhao_http_requests_total"} {
		h.do(t, "GET", "/api/v1/sections", web.API, nil, nil, "")
		resp := h.do(t, "GET", path, web.API, nil, nil, "")
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
}

func TestPublicPages(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	for _, tc := range []struct{ path, want string }{
		{"/", "商事服务"},
		{"/items?q=" + url.QueryEscape("公积金"), "住房公积金"},
		{"/items?type=" + url.QueryEscape("公共服务"), "公共服务"},
		{"/departments", "滨州市行政审批服务局"},
		{"/items/" + url.PathEscape(h.itemCode), "公司章程"},
	} {
		resp := h.do(t, "GET", tc.path, web.Page, nil, nil, "")
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(b), tc.want) || !strings.Contains(string(b), `name="viewport"`) {
			t.Errorf("%s: %d, page lacks %q", tc.path, resp.StatusCode, tc.want)
		}
	}
	resp := h.do(t, "GET", "/items/NO-SUCH", web.Page, nil, nil, "")
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 404 || !strings.Contains(string(b), "未找到该事项") {
		t.Fatalf("missing item page: %d", resp.StatusCode)
	}
}

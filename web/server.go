// Package web is the one way in over HTTP: the JSON API of API.md, the HTML pages, health and
// metrics. Every route declares who may use it; handlers return errors and one function maps
// them to problem+json or to a page.
package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"banhao/audit"
	"banhao/calendar/calstore"
	"banhao/cases"
	"banhao/catalog"
	"banhao/certs"
	"banhao/errs"
	"banhao/files"
	"banhao/hotline"
	"banhao/identity"
	"banhao/network"
	"banhao/queue"
	"banhao/ratings"
	"banhao/store"
	"banhao/wiring"
)

// Config is what the server is built from; every service is required (app.New builds it).
type Config struct {
	DB       *store.DB
	Catalog  *catalog.Service
	Identity *identity.Service
	Audit    *audit.Log
	Calendar *calstore.Service
	Cases    *cases.Service
	Files    *files.Store
	Queue    *queue.Service
	Ratings  *ratings.Service
	Certs    *certs.Service
	Hotline  *hotline.Service
	// Network is the region tree and the centers.
	Network *network.Service
	// Applicants are the citizens' and organisations' accounts (online hall, kiosk).
	Applicants *identity.Applicants
	Now        func() time.Time
	// Location is the center's time zone: dates are days there.
	Location   *time.Location
	Logger     *slog.Logger
	CenterName string
	// CenterName (above) names the installation on every page and printed document ("政务服务中心" when
	// empty); CenterAddress (may be empty) and CenterHotline ("12345" when empty) are shown where
	// a page tells people where to go and whom to call.
	CenterAddress, CenterHotline string
	// PublicURL is the address printed in QR codes; when empty the request's own host is used.
	PublicURL string
	// NoBank says no bank interface is configured (payments.NoBank): an approved case's payment
	// instruction waits unsent, and the case pages say so rather than that it was sent.
	NoBank bool
	// KioskIdle is how long a kiosk page waits for a touch before it signs out and returns to
	// the start screen (default 60 s).
	KioskIdle time.Duration
}

// Server holds the HTTP handlers.
type Server struct {
	Config
	mux      *http.ServeMux
	routes   []Route
	pages    *pages
	metrics  *metrics
	bookMu   sync.Mutex
	bookGen  int64
	bookPDF  []byte
	notices  *noticeCache
	shutdown chan struct{}
}

// Kind says how a route answers errors: problem+json for the API, a page for people.
type Kind int

// Route kinds.
const (
	API Kind = iota
	Page
)

// Route is one endpoint and its access policy; Roles nil with Public false means any
// signed-in staff member. Citizen routes are for signed-in applicants only (never staff).
type Route struct {
	Method, Pattern string
	Kind            Kind
	Public          bool
	Citizen         bool
	Roles           []identity.Role
	// MaxBody is the most a request to the route may carry, in bytes: a larger body is refused
	// with 413 before it is parsed (at once when its length is declared).
	MaxBody int64
	handler handlerFunc
}

// Body limits: a route takes at most its kind's default unless it declares more (uploads,
// imports).
const (
	pageBody = 64 << 10 // a page form without files
	apiBody  = 1 << 20  // a JSON document
	// formBody bounds a form without files whatever the route takes: it is read into memory.
	formBody = 1 << 20
	// formMemory is how much of a multipart form is kept in memory; the rest of its files goes
	// to temporary files, removed when the request ends.
	formMemory = 1 << 20
	// partOverhead is what multipart adds around a file (part headers, boundaries).
	partOverhead = 16 << 10
)

// option adjusts a route as it is registered.
type option func(*Route)

// maxBody lets a route take a body of up to n bytes (an import).
func maxBody(n int64) option { return func(rt *Route) { rt.MaxBody = n } }

// uploads lets a form carry up to n files of files.MaxSize besides its fields.
func uploads(n int) option {
	return maxBody(int64(n)*(files.MaxSize+partOverhead) + pageBody)
}

// Forms with files carry at most this many of them (an application's materials; a bundle's
// first stage has several items).
const (
	formFiles   = 10
	bundleFiles = 16
)

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

var (
	public  = access{public: true}
	staff   = access{}
	citizen = access{citizen: true}
)

type access struct {
	public  bool
	citizen bool
	roles   []identity.Role
}

func roles(rs ...identity.Role) access { return access{roles: rs} }

// New builds the server and registers every route.
func New(cfg Config) (*Server, error) {
	if err := wiring.Require("web.New", wiring.Deps{"DB": cfg.DB, "Catalog": cfg.Catalog, "Identity": cfg.Identity, "Audit": cfg.Audit,
		"Calendar": cfg.Calendar, "Cases": cfg.Cases, "Files": cfg.Files, "Queue": cfg.Queue, "Ratings": cfg.Ratings, "Certs": cfg.Certs,
		"Hotline": cfg.Hotline, "Network": cfg.Network, "Applicants": cfg.Applicants, "Now": cfg.Now, "Location": cfg.Location,
		"Logger": cfg.Logger}); err != nil {
		return nil, err
	}
	// The settings: names a page cannot do without.
	if cfg.CenterName == "" {
		cfg.CenterName = "政务服务中心"
	}
	if cfg.CenterHotline == "" {
		cfg.CenterHotline = "12345"
	}
	s := &Server{Config: cfg, mux: http.NewServeMux(), metrics: newMetrics(), notices: newNoticeCache(), shutdown: make(chan struct{})}
	p, err := loadPages(cfg.Location)
	if err != nil {
		return nil, err
	}
	s.pages = p
	s.registerAPI()
	s.registerCalendar()
	s.registerBundles()
	s.registerThemes()
	s.registerCases()
	s.registerNotices()
	s.registerQueue()
	s.registerPages()
	s.registerHallPages()
	s.registerCitizen()
	s.registerKiosk()
	s.registerCertificates()
	s.registerHotline()
	s.registerNetwork()
	s.registerNetworkAdmin()
	s.registerLists()
	s.registerGrants()
	s.registerPostChecks()
	s.registerTransfers()
	metrics := Route{Method: "GET", Pattern: "/metrics", Kind: API, Public: true, MaxBody: apiBody}
	prom := promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
	s.mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if s.limitBody(metrics, w, r) {
			prom.ServeHTTP(w, r)
		}
	})
	s.routes = append(s.routes, metrics)
	return s, nil
}

// Routes lists every registered endpoint with its access policy (the role test walks it).
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) handle(method, pattern string, kind Kind, acc access, h handlerFunc, opts ...option) {
	rt := Route{Method: method, Pattern: pattern, Kind: kind, Public: acc.public, Citizen: acc.citizen, Roles: acc.roles, MaxBody: apiBody, handler: h}
	if kind == Page {
		rt.MaxBody = pageBody
	}
	for _, o := range opts {
		o(&rt)
	}
	s.routes = append(s.routes, rt)
	s.mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, r *http.Request) { s.serve(rt, w, r) })
}

// Handler is the whole HTTP stack: cross-origin protection, logging and metrics around the mux.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, Page, errs.Forbidden("跨站请求被拒绝（CSRF 保护）"))
	}))
	return s.observe(cop.Handler(s.mux))
}

// Shutdown tells long-lived streams to end (the HTTP server then drains requests in flight).
func (s *Server) Shutdown() {
	select {
	case <-s.shutdown:
	default:
		close(s.shutdown)
	}
}

type ctxKey int

const sessionKey ctxKey = 1

// session returns the signed-in session of a request, if any.
func session(r *http.Request) (identity.Session, bool) {
	sess, ok := r.Context().Value(sessionKey).(identity.Session)
	return sess, ok
}

func actor(r *http.Request) audit.Actor {
	if sess, ok := session(r); ok {
		return sess.User.Actor()
	}
	return audit.Actor{Username: "anonymous", Role: "anonymous"}
}

const cookieName = "banhao_session"

// serve bounds the body, authenticates, checks the route's roles, parses a posted form and
// checks its CSRF token, runs the handler and maps its error. A panic becomes a logged 500
// answer rather than a dropped connection.
func (s *Server) serve(rt Route, w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.writeError(w, r, rt.Kind, fmt.Errorf("panic in %s %s: %v", r.Method, rt.Pattern, p))
		}
	}()
	if !s.limitBody(rt, w, r) {
		return
	}
	// HEAD runs a GET route's handler (net/http), and a signed-in page or answer may read personal
	// data or a material and record the read (the data-access list, the audit log): nobody reads
	// anything by HEAD, so only public routes answer it.
	if r.Method == http.MethodHead && !rt.Public {
		w.Header().Set("Allow", "GET")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if rt.Citizen {
		s.serveCitizen(rt, w, r)
		return
	}
	defer dropForm(&r)
	sess, authErr := s.authenticate(r, rt.Kind)
	if authErr == nil {
		r = r.WithContext(context.WithValue(r.Context(), sessionKey, sess))
	}
	if !rt.Public {
		if authErr != nil {
			if rt.Kind == Page {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.writeError(w, r, rt.Kind, authErr)
			return
		}
		if !allowed(rt.Roles, sess.User.Role) {
			s.writeError(w, r, rt.Kind, errs.Forbidden(fmt.Sprintf("您的角色（%s）无权执行此操作", roleName(sess.User.Role))))
			return
		}
	}
	if authErr == nil {
		slowLinkTime(rt, w, r)
	}
	if err := readForm(rt, r); err != nil {
		s.writeError(w, r, rt.Kind, err)
		return
	}
	if rt.Kind == Page && r.Method == http.MethodPost && authErr == nil {
		if err := checkForm(r, sess.CSRF); err != nil {
			s.writeError(w, r, rt.Kind, err)
			return
		}
	}
	if err := rt.handler(w, r); err != nil {
		s.writeError(w, r, rt.Kind, err)
	}
}

// limitBody refuses a body whose declared length is over the route's limit (413, unread) and
// bounds the rest: reading past the limit fails with *http.MaxBytesError, which is 413 too. A
// page form without files is read into memory, so it never takes more than formBody.
func (s *Server) limitBody(rt Route, w http.ResponseWriter, r *http.Request) bool {
	limit := rt.MaxBody
	if rt.Kind == Page && !isMultipart(r) {
		limit = min(limit, formBody)
	}
	if r.ContentLength > limit {
		s.writeError(w, r, rt.Kind, &http.MaxBytesError{Limit: limit})
		return false
	}
	r.Body = http.MaxBytesReader(w, bodyReader{r.Body}, limit)
	return true
}

// slowLinkTime gives a signed-in person's upload the time its route's largest body takes on a
// slow link (slowLinkRate): the server's own read timeout (a minute, for everyone, before anyone
// is known) stays for every smaller body and for anonymous requests.
func slowLinkTime(rt Route, w http.ResponseWriter, r *http.Request) {
	if isMultipart(r) && rt.MaxBody > slowLinkRate*60 {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(time.Duration(rt.MaxBody/slowLinkRate+30) * time.Second))
	}
}

// slowLinkRate is the upload rate, in bytes a second, an upload is given time for: a 4G phone or
// a township office's line (about 2 Mbit/s).
const slowLinkRate = 256 << 10

// bodyReader marks every failed read of a request's body (the client went away mid-upload: the
// connection closed before the declared length, io.ErrUnexpectedEOF, a reset) as an
// interruptedBody, so that its answer is the client's 400 上传中断 — never the database's 503,
// whose dropped connections end in the same io.ErrUnexpectedEOF (store.IsUnavailable).
type bodyReader struct{ io.ReadCloser }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = &interruptedBody{err}
	}
	return n, err
}

// interruptedBody is a request body that could not be read to its end.
type interruptedBody struct{ err error }

func (e *interruptedBody) Error() string { return "request body interrupted: " + e.err.Error() }
func (e *interruptedBody) Unwrap() error { return e.err }

// errInterrupted is what a person or a client is told of an interrupted body.
var errInterrupted = &errs.Error{Code: errs.CodeInvalid, Message: "上传中断：请求未完整收到，请重新提交"}

// errUploadTimeout is a body that did not arrive in the time it was given (limitBody).
var errUploadTimeout = &errs.Error{Code: errs.CodeInvalid, Message: "上传超时：文件较大或网络较慢，未能及时收到全部内容；请在网络较好时重新提交，或压缩、拆分后分次上传"}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
}

// readForm parses a posted form once, on the request the handler receives: a multipart form
// (any route) keeps formMemory bytes in memory and its larger files in temporary files, which
// dropForm removes; a page's urlencoded form is parsed too. A body over the limit stays a
// *http.MaxBytesError (413).
func readForm(rt Route, r *http.Request) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	var err error
	switch {
	case isMultipart(r):
		err = r.ParseMultipartForm(formMemory)
	case rt.Kind == Page:
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	var ib *interruptedBody
	if err != nil && !errors.As(err, &mbe) && !errors.As(err, &ib) {
		return errs.Invalid("form", "表单无法解析："+err.Error())
	}
	if err == nil {
		err = checkFormText(r)
	}
	return err
}

// dropForm removes the temporary files of the request's multipart form, however the request
// ended (refused, failed, served, panicked). It takes the variable so that it sees the request
// the handler received.
func dropForm(r **http.Request) {
	if f := (*r).MultipartForm; f != nil {
		_ = f.RemoveAll()
	}
}

// formFile is r.FormFile where a missing file (or a form without files) is no file and no
// error; any other failure, such as a body over the limit, is returned.
func formFile(r *http.Request, key string) (multipart.File, *multipart.FileHeader, error) {
	f, h, err := r.FormFile(key)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, nil, nil
	}
	return f, h, err
}

// checkForm checks a page's posted form's CSRF token against the session's (serve has parsed
// the form).
func checkForm(r *http.Request, csrf string) error {
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(csrf)) != 1 {
		return errs.Forbidden("页面已过期，请刷新后重试（CSRF 校验失败）")
	}
	return nil
}

func allowed(rs []identity.Role, r identity.Role) bool {
	if rs == nil {
		return true
	}
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// authenticate reads the bearer token (API) or the session cookie (pages).
func (s *Server) authenticate(r *http.Request, kind Kind) (identity.Session, error) {
	var token string
	if h := r.Header.Get("Authorization"); h != "" {
		t, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return identity.Session{}, errs.Unauthorized("Authorization 须为 Bearer 令牌")
		}
		token = strings.TrimSpace(t)
	} else if kind == Page {
		if c, err := r.Cookie(cookieName); err == nil {
			token = c.Value
		}
	}
	if token == "" {
		return identity.Session{}, errs.Unauthorized("请先登录")
	}
	return s.Identity.Authenticate(r.Context(), token)
}

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail"`
	Code   errs.Code         `json:"code"`
	Errors []errs.FieldError `json:"errors,omitempty"`
}

var statusOf = map[errs.Code]int{
	errs.CodeInvalid: 400, errs.CodeUnauthorized: 401, errs.CodeForbidden: 403, errs.CodeNotFound: 404,
	errs.CodeConflict: 409, errs.CodeTooLarge: 413, errs.CodeUnsupported: 415, errs.CodeTooManyRequests: 429,
	errs.CodeUnavailable: 503,
}

// dbAway is what a person or a client is told while the database cannot be reached.
var dbAway = &errs.Error{Code: errs.CodeUnavailable, Message: "系统暂时无法办理，正在恢复，请稍后再试",
	RetryAfter: 5 * time.Second}

// domainError turns any error into a domain error; unknown ones are internal (500).
func domainError(err error) (*errs.Error, int) {
	var ie *catalog.ImportError
	if errors.As(err, &ie) {
		return ie.AsDomain(), 400
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &errs.Error{Code: errs.CodeTooLarge, Message: fmt.Sprintf("请求体超过 %d 字节", mbe.Limit)}, 413
	}
	var ib *interruptedBody
	if errors.As(err, &ib) { // before IsUnavailable: the client's body, not the database, ended early
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return errUploadTimeout, http.StatusRequestTimeout
		}
		return errInterrupted, 400
	}
	if store.IsUnavailable(err) {
		return dbAway, 503
	}
	if e, ok := errs.As(err); ok {
		if status, known := statusOf[e.Code]; known {
			return e, status
		}
	}
	return &errs.Error{Code: "internal", Message: "服务器内部错误，请稍后再试"}, 500
}

// statusWithRetryAfter is domainError for a response that reports the error (a form shown again
// with it, the error page, a problem document): when the error says when to try again (a limit's
// 429), the response says so too, in Retry-After. It logs nothing: handlers call the method
// Server.errorStatus, which wraps it and logs what the person is not told.
func statusWithRetryAfter(w http.ResponseWriter, err error) (*errs.Error, int) {
	e, status := domainError(err)
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	return e, status
}

// errorStatus is statusWithRetryAfter for a page or answer of the server, and every page and API
// answer that shows an error takes its status from here: what the person is not told goes to the
// log — an internal error (500) with its cause, the database away (503).
func (s *Server) errorStatus(w http.ResponseWriter, r *http.Request, err error) (*errs.Error, int) {
	e, status := statusWithRetryAfter(w, err)
	switch status {
	case 500:
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case 503:
		s.Logger.Warn("database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	return e, status
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, kind Kind, err error) {
	e, status := s.errorStatus(w, r, err)
	if status == 401 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="banhao"`)
	}
	if kind == API {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: e.Message, Code: e.Code, Errors: e.Fields})
		return
	}
	msg := e.Message
	if e.Code == errs.CodeNotFound { // the key came from an address anyone can forge: never echo it on a page
		msg = "未找到该" + e.What + "，请核对后重试。"
		if e.What == "" {
			msg = "未找到您要的内容，请核对后重试。"
		}
	}
	// Field errors name their fields in words, never by key; the list says what the message would
	// only repeat.
	f := newForm(nil, nil, nil)
	f.add(errorPageLabels, e.Fields...)
	if len(f.Errors) > 0 {
		msg = "请修改以下问题后重试："
	}
	s.renderStatus(w, r, status, "error", "出错了", map[string]any{"Status": status, "Message": msg, "Fields": f.Errors})
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// decodeJSON reads a JSON body of at most 1 MiB into v, naming the field at fault.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &errs.Error{Code: errs.CodeUnsupported, Message: "请求体须为 application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return err
	}
	if !utf8.Valid(body) { // encoding/json would put U+FFFD in silently
		return errBadText("")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return err
		case errors.As(err, &te):
			return errs.Invalid(te.Field, fmt.Sprintf("类型错误：应为 %s", te.Type))
		case errors.As(err, &se):
			return errs.Invalid("body", fmt.Sprintf("JSON 语法错误（第 %d 字节）", se.Offset))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return errs.Invalid(f, "未知字段")
		case errors.Is(err, io.EOF):
			return errs.Invalid("body", "请求体为空")
		}
		return errs.Invalid("body", "JSON 无法解析："+err.Error())
	}
	return checkJSONText(v)
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secure reports whether browsers reach the site over HTTPS: this process terminates TLS, or the
// public address is https (a proxy in front terminates it and forwards plain HTTP).
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(strings.ToLower(s.PublicURL), "https://")
}

// setCookie sets c, Secure whenever the site is served over HTTPS: every cookie goes through it.
// maxAge is a cookie's lifetime until the given moment by the server's clock, in seconds: the
// browser counts it on its own clock, so the two clocks need not agree.
func (s *Server) maxAge(until time.Time) int { return max(1, int(until.Sub(s.Now())/time.Second)) }

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, c *http.Cookie) {
	c.Secure = s.secure(r)
	http.SetCookie(w, c)
}

// baseURL is the address QR codes and printed links point to: PublicURL when it is set (it must
// be in production: docs/OPERATIONS.md). Without it the request's Host is used only when it is
// a plain host[:port] of reasonable length; anything else (a forged or giant Host) gives way to
// the address the connection came in on.
func (s *Server) baseURL(r *http.Request) string {
	if s.PublicURL != "" {
		return strings.TrimRight(s.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if !validHost(host) {
		host = "localhost"
		if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && a != nil {
			host = a.String()
		}
		s.Logger.Warn("request Host refused for links; set BANHAO_PUBLIC_URL", "host", truncateRunes(r.Host, 80), "using", host)
	}
	return scheme + "://" + host
}

// maxHostLen bounds a Host taken from a request: a DNS name has at most 253 characters.
const maxHostLen = 253 + len(":65535")

// validHost reports whether h is a DNS name, an IPv4 address or a bracketed IPv6 address, with
// an optional port: what a browser sends, nothing more.
func validHost(h string) bool {
	if h == "" || len(h) > maxHostLen {
		return false
	}
	name := h
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		name = h[:i]
		port, err := strconv.Atoi(h[i+1:])
		if err != nil || port < 1 || port > 65535 || h[i+1] == '+' || h[i+1] == '0' {
			return false
		}
	}
	if inner, ok := strings.CutPrefix(name, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		a, err := netip.ParseAddr(inner)
		return ok && err == nil && a.Is6() && a.Zone() == ""
	}
	if len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(name, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// metrics are the Prometheus collectors of the HTTP layer.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// noticeRenders counts the 一次性告知单 laid out (the others came from the cache).
	noticeRenders prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "banhao_http_requests_total", Help: "HTTP requests by route and status."},
		[]string{"route", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "banhao_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"route"})
	m.noticeRenders = prometheus.NewCounter(prometheus.CounterOpts{Name: "banhao_notice_renders_total",
		Help: "一次性告知单 PDFs rendered; the others were served from the cache."})
	m.reg.MustRegister(m.requests, m.duration, m.noticeRenders, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs each request as JSON and records its metrics under the route pattern.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		if s.secure(r) {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = 200
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		s.metrics.requests.WithLabelValues(route, fmt.Sprint(sw.status)).Inc()
		s.metrics.duration.WithLabelValues(route).Observe(d.Seconds())
		s.Logger.LogAttrs(r.Context(), slog.LevelInfo, "http", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Duration("duration", d), slog.String("addr", clientAddr(r)))
	})
}

// audited records a staff action that changes no row of its own (an export, a verification).
func (s *Server) audited(r *http.Request, action, objType, objID string) error {
	return s.DB.Tx(r.Context(), func(tx *store.Tx) error {
		return s.Audit.Record(r.Context(), tx, actor(r), action, objType, objID, nil, nil)
	})
}

func (s *Server) loc() *time.Location { return s.Location }

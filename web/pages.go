package web

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/identity"
	"banhao/network"
	"banhao/pdfdoc"
	"banhao/queue"
	"banhao/ratings"
)

//go:embed templates static
var assets embed.FS

type pages struct{ byName map[string]*template.Template }

// kioskLayout is the kiosk's page frame (template "kiosk-layout"); displayLayout the frame of
// the hall's screens (template "display-layout", for displayPages).
const (
	kioskLayout   = "templates/kiosk/layout.html"
	displayLayout = "templates/display/layout.html"
)

var warnNames = map[string]string{"none": "正常", "yellow": "黄色预警", "red": "红色超期", "": "", "revoked": "已撤销",
	cases.WarnPayRefused: "支付被拒", cases.WarnPayFailed: "发送失败"}

var statusNames = map[string]string{catalog.StatusDraft: "草稿", catalog.StatusPublished: "已发布", catalog.StatusRetired: "已废止", "active": "正常"}

// assetVersion changes whenever an embedded static file does, so pages can ask for
// /static/site.css?v=… and browsers may cache it for long without keeping a stale copy.
var assetVersion = func() string {
	h := sha256.New()
	_ = fs.WalkDir(assets, "static", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := assets.ReadFile(path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

func loadPages(loc *time.Location) (*pages, error) {
	funcs := template.FuncMap{
		"asset": func(name string) string { return "/static/" + name + "?v=" + assetVersion },
		// local shows a moment in the center's time zone, as the dates on the same page are.
		"local": func(t time.Time) time.Time { return t.In(loc) },
		// when is a moment that may be missing (a hand-off not yet sent) as a day and a time.
		"when": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.In(loc).Format("2006-01-02 15:04")
		},
		"zone":       func() string { return loc.String() },
		"statusName": func(s cases.Status) string { return cases.StatusNames[s] },
		"inc":        func(i int) int { return i + 1 },
		"split":      func(s string) []string { return strings.Fields(s) },
		"join":       func(list []string) string { return strings.Join(list, "、") },
		"has":        func(list []string, s string) bool { return slices.Contains(list, s) },
		"source":     pdfdoc.SourceName,
		"delivery":   func(k string) string { return catalog.DeliveryNames[k] },
		"status":     func(s string) string { return statusNames[s] },
		"role":       func(r identity.Role) string { return identity.RoleNames[r] },
		"warn":       func(w string) string { return warnNames[w] },
		"shownWarn":  func(st cases.Status, w string) string { return cases.ShownWarning(st, w) }, // a revoked case: 已撤销
		"caseWarn":   cases.CaseWarning,                                                           // …and a refused or failed payment: 支付被拒 / 发送失败
		"payTrouble": cases.PaymentTroubleText,                                                    // the same, said plainly to the applicant on /my
		"act":        func(a string) string { return audit.ActionName("case." + a) },
		"pct":        func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
		"rule":       func(r queue.Rule) string { return queue.RuleNames[r] },
		"wait":       queue.WaitText,
		"ahead":      queue.AheadText,
		"level":      levelName,
		"lineWait":   queue.LineWaitText,

		"decisionWords": cases.DecisionWords,    // 准予许可 / 准予办理 / 不予…
		"uncoveredNote": calendar.UncoveredNote, // beside a day counted without its year's holidays: the one wording

		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
	}
	// Every page is defined against the layouts: the website's, the kiosk's own full-screen one
	// (no navigation, no staff sign-in), chosen by the path when rendering, and the hall screens'.
	layout, err := template.New("layout").Funcs(funcs).ParseFS(assets, "templates/layout.html", kioskLayout, displayLayout)
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	err = fs.WalkDir(assets, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == "templates/layout.html" || path == kioskLayout || path == displayLayout {
			return err
		}
		t, err := template.Must(layout.Clone()).ParseFS(assets, path)
		if err != nil {
			return err
		}
		p.byName[strings.TrimSuffix(strings.TrimPrefix(path, "templates/"), ".html")] = t
		return nil
	})
	return p, err
}

// pageData is what every page template gets.
type pageData struct {
	Title  string
	Center string
	User   *identity.User
	CSRF   string
	Large  bool
	Path   string
	Data   any
	// Address and Hotline are the center's (BANHAO_CENTER_ADDRESS, BANHAO_CENTER_HOTLINE).
	Address, Hotline string
	// SignInClosed says why citizens cannot sign in by code here (no SMS gateway outside
	// development): the sign-in pages show it instead of their forms.
	SignInClosed string
	// Citizen is the signed-in applicant (the online hall, the kiosk); CitizenCSRF guards their
	// forms. Kiosk pages have no navigation and clear themselves after KioskIdleSeconds.
	Citizen          *identity.Applicant
	ActingFor        *identity.Applicant
	CitizenCSRF      string
	Kiosk            bool
	KioskIdleSeconds int
	// ScheduleDue is a year whose official holidays the admin has yet to import (0: none).
	ScheduleDue int
	// DeadlinesUncovered is that year for the staff who see deadlines (clerks, approvers,
	// supervisors): deadlines reaching it are counted without its holidays (0: none).
	DeadlinesUncovered int
	// Names turns codes and keys into what a person reads (departments, staff, audit actions).
	Names *names
}

// levelName is a satisfaction level (1–5, as a number or its text) in words: 5 非常满意 … 1 非常不满意.
func levelName(v any) string {
	switch n := v.(type) {
	case int:
		return ratings.LevelNames[n]
	case *int:
		if n != nil {
			return ratings.LevelNames[*n]
		}
	case string:
		i, _ := strconv.Atoi(n)
		return ratings.LevelNames[i]
	}
	return ""
}

// ownCenter names the page after the center an account (or a kiosk) works at when that is not
// the main center: a township clerk's header says 彭李街道便民服务中心, not the city's. The main
// center keeps the installation's name (BANHAO_CENTER_NAME).
func (s *Server) ownCenter(r *http.Request, pd *pageData, code string) {
	if code == "" {
		return
	}
	c, err := s.Network.Center(r.Context(), code)
	if err != nil {
		return
	}
	if m, ok, err := s.Network.Main(r.Context()); err != nil || ok && m.Code == c.Code {
		return
	}
	pd.Center = c.Name
	if c.Address != "" {
		pd.Address = c.Address
	}
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name, title string, data any) error {
	return s.renderStatus(w, r, http.StatusOK, name, title, data)
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	pd := pageData{Title: title, Center: s.CenterName, Address: s.CenterAddress, Hotline: s.CenterHotline, Data: data, Path: backPath(r), Names: s.names(r.Context())}
	if sess, ok := session(r); ok {
		u := sess.User
		pd.User, pd.CSRF = &u, sess.CSRF
	} else if sess, err := s.authenticate(r, Page); err == nil { // public pages still show who is signed in
		u := sess.User
		pd.User, pd.CSRF = &u, sess.CSRF
	}
	if pd.User != nil && slices.Contains([]identity.Role{identity.Admin, identity.Clerk, identity.Approver, identity.Supervisor}, pd.User.Role) {
		if cal, err := s.Calendar.Calendar(r.Context()); err == nil {
			if year, due := calendar.ScheduleDue(cal, s.today()); due {
				if pd.User.Role == identity.Admin {
					pd.ScheduleDue = year
				} else {
					pd.DeadlinesUncovered = year
				}
			}
		}
	}
	if pd.User != nil {
		s.ownCenter(r, &pd, pd.User.Center)
	}
	pd.SignInClosed = s.Applicants.SignInClosed()
	if c, err := r.Cookie("large"); err == nil && c.Value == "1" {
		pd.Large = true
	}
	csess, ok := citizenSession(r)
	if !ok {
		if _, err := r.Cookie(citizenCookie); err == nil {
			csess, err = s.authenticateCitizen(r, Page)
			ok = err == nil
		}
	}
	if ok {
		ap := csess.Applicant
		pd.Citizen, pd.ActingFor, pd.CitizenCSRF = &ap, csess.ActingFor, csess.CSRF
	}
	// A kiosk page, or an error met by a kiosk session anywhere (a link to /my, say): the kiosk's
	// frame, never the website's navigation and staff sign-in on a public terminal.
	if atKiosk(r) || name == "error" && ok && csess.Channel == identity.ChannelKiosk {
		pd.Kiosk, pd.Large = true, true
		s.ownCenter(r, &pd, s.kioskCenter(r)) // a registered kiosk of a township hall is that center's
		pd.KioskIdleSeconds = int(s.KioskIdle / time.Second)
		if pd.KioskIdleSeconds <= 0 {
			pd.KioskIdleSeconds = 60
		}
	}
	layout := "layout"
	switch {
	case displayPages[name]:
		layout = "display-layout"
	case pd.Kiosk:
		layout = "kiosk-layout"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, layout, pd); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if pd.Kiosk || pd.Citizen != nil || displayPages[name] {
		// A person's page, or any page of a public terminal: Back after signing out must not
		// show it again from the cache. (A hall screen shows the state now, a pad its grant.)
		w.Header().Set("Cache-Control", "no-store")
	}
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// maxBackPath bounds the return address a page carries in its links (大字版): a longer one
// (a forged query of a megabyte) is cut back to the path, so that no request is echoed at length.
const maxBackPath = 1024

func backPath(r *http.Request) string {
	if uri := r.URL.RequestURI(); len(uri) <= maxBackPath {
		return uri
	}
	if len(r.URL.EscapedPath()) <= maxBackPath {
		return r.URL.EscapedPath()
	}
	return "/"
}

func (s *Server) registerPages() {
	static, _ := fs.Sub(assets, "static")
	fileServer := http.StripPrefix("/static/", http.FileServerFS(static))
	s.handle("GET", "/static/", Page, public, func(w http.ResponseWriter, r *http.Request) error {
		if r.URL.Query().Get("v") == assetVersion {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable") // the version is in the URL
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		fileServer.ServeHTTP(w, r)
		return nil
	})
	s.handle("GET", "/{$}", Page, public, s.pageHome)
	s.handle("GET", "/items", Page, public, s.pageItems)
	s.handle("GET", "/items/{code}", Page, public, s.pageItem)
	s.handle("GET", "/items/{code}/notice.pdf", Page, public, s.pageNotice)
	s.handle("GET", "/departments", Page, public, s.pageDepartments)
	s.handle("GET", "/guidebook.pdf", Page, public, s.pageGuideBook)
	s.handle("GET", "/large-text", Page, public, s.pageLargeText)
	s.handle("GET", "/login", Page, public, s.pageLogin)
	s.handle("POST", "/login", Page, public, s.pageLoginPost)
	s.handle("POST", "/logout", Page, staff, s.pageLogout)
	s.registerAdminPages()
	s.registerWindowPages()
	s.registerBundleWindow()
}

func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) error {
	secs, err := s.Catalog.Sections(r.Context())
	if err != nil {
		return err
	}
	type typeCount struct {
		Name  string
		Count int
	}
	var types []typeCount
	for _, t := range catalog.Types {
		res, err := s.Catalog.Search(r.Context(), catalog.Query{Type: t, Limit: 1})
		if err != nil {
			return err
		}
		if res.Total > 0 { // a type with no item would lead to an empty list
			types = append(types, typeCount{t, res.Total})
		}
	}
	themes, err := s.Catalog.ThemeCounts(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, "home", "首页", map[string]any{"Sections": secs, "Types": types, "Themes": themes})
}

const pageSize = 20

func (s *Server) pageItems(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 {
		page = 1
	}
	query := catalog.Query{Q: q.Get("q"), Section: q.Get("section"), Department: q.Get("department"), Type: q.Get("type"),
		Limit: pageSize, Offset: (page - 1) * pageSize}
	var err error
	if query.HandlingMode, query.ReformMode, err = catalog.QueryModes(q.Get("handling_mode"), q.Get("reform_mode")); err != nil {
		return err
	}
	secs, err := s.Catalog.Sections(r.Context())
	if err != nil {
		return err
	}
	depts, err := s.Catalog.Departments(r.Context())
	if err != nil {
		return err
	}
	data := map[string]any{"Query": query, "Sections": secs, "Departments": catalog.ByName(catalog.Publishing(depts, query.Department)), "Types": catalog.Types,
		"HandlingModes": catalog.HandlingModes, "HandlingModeNames": catalog.HandlingModeNames,
		"ReformModes": catalog.ReformModes, "ReformModeNames": catalog.ReformModeNames}
	clean, err := catalog.CleanQuery(query.Q)
	if err != nil { // too long: the form again with the message at the box, the text cut to what it takes
		e, status := domainError(err)
		query.Q = truncateRunes(clean, catalog.MaxQueryLen)
		data["Query"], data["QueryError"] = query, e.Message
		return s.renderStatus(w, r, status, "items", "事项清单", data)
	}
	query.Q = clean
	res, err := s.Catalog.Search(r.Context(), query)
	if err != nil {
		return err
	}
	link := func(p int) string {
		v := url.Values{}
		for _, k := range []string{"section", "department", "type", "handling_mode", "reform_mode"} {
			if q.Get(k) != "" {
				v.Set(k, q.Get(k))
			}
		}
		if query.Q != "" {
			v.Set("q", query.Q)
		}
		v.Set("page", strconv.Itoa(p))
		return "/items?" + v.Encode()
	}
	data["Query"], data["Result"], data["SuggestedThemes"] = query, res, res.SuggestedThemes
	if len(res.Items) == 0 && len(res.SuggestedThemes) == 0 { // filters left nothing: offer the persons' themes
		for _, t := range catalog.Themes {
			if t.For == "person" {
				data["SuggestedThemes"] = append(data["SuggestedThemes"].([]catalog.Theme), t)
			}
		}
	}
	if page > 1 {
		data["Prev"] = link(page - 1)
	}
	if page*pageSize < res.Total {
		data["Next"] = link(page + 1)
	}
	title := "事项清单"
	if q := strings.TrimSpace(query.Q); q != "" {
		title = "搜索“" + q + "”"
	}
	return s.render(w, r, "items", title, data)
}

// truncateRunes is s cut to at most n characters.
func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func (s *Server) pageItem(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalog.Item(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	where, err := s.whereToGo(r, it.Scope())
	if err != nil {
		return err
	}
	standard := "" // an implementing item's guide names the city's standard it follows
	if it.StandardCode != "" {
		if std, err := s.Catalog.Item(r.Context(), it.StandardCode); err == nil {
			standard = std.Name
		}
	}
	return s.render(w, r, "item", it.Name+" 办事指南", map[string]any{"Item": it, "Where": where, "StandardName": standard,
		"LevelName": network.LevelNames[cmp.Or(it.Level, levelOfRegion(it.RegionCode))]})
}

// levelOfRegion is the level an area code names, "" for none.
func levelOfRegion(code string) string {
	if network.ValidCode(code) != nil {
		return ""
	}
	return network.LevelOf(code)
}

// pageNotice serves an item's 一次性告知单: a download on the website, inline (for the kiosk's
// print frame) under /kiosk.
func (s *Server) pageNotice(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalog.Item(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	pdf, err := s.noticePDF(r, it)
	if err != nil {
		return err
	}
	return writePDF(w, r, pdf, "notice-"+it.Code+".pdf", it.Name+"-一次性告知单.pdf")
}

func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

func (s *Server) pageDepartments(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.Catalog.Departments(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, "departments", "实施部门", ds)
}

// pageGuideBook serves the whole published catalog as one PDF, rebuilt only when the catalog
// generation moved.
func (s *Server) pageGuideBook(w http.ResponseWriter, r *http.Request) error {
	codes, gen, err := s.Catalog.PublishedCodes(r.Context())
	if err != nil {
		return err
	}
	s.bookMu.Lock()
	defer s.bookMu.Unlock()
	if s.bookPDF == nil || s.bookGen != gen {
		items := make([]catalog.Item, 0, len(codes))
		for _, c := range codes {
			it, err := s.Catalog.Item(r.Context(), c)
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		var buf bytes.Buffer
		if err := pdfdoc.GuideBook(&buf, items, s.CenterName, s.Now().In(s.loc())); err != nil {
			return err
		}
		s.bookPDF, s.bookGen = buf.Bytes(), gen
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="guidebook.pdf"`)
	_, err = w.Write(s.bookPDF)
	return err
}

func (s *Server) pageLargeText(w http.ResponseWriter, r *http.Request) error {
	on := r.URL.Query().Get("on") == "1"
	val, age := "0", -1
	if on {
		val, age = "1", 365*24*3600
	}
	s.setCookie(w, r, &http.Cookie{Name: "large", Value: val, Path: "/", MaxAge: age, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.URL.Query().Get("back"), "/"), http.StatusSeeOther)
	return nil
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func (s *Server) pageLogin(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, "login", "登录", map[string]any{"Next": localPath(r.URL.Query().Get("next"), "/")})
}

// knownCookie holds a browser's known-device token for staff sign-in (identity.LoginOnDevice).
const knownCookie = "banhao_known"

func (s *Server) pageLoginPost(w http.ResponseWriter, r *http.Request) error {
	username, next := strings.TrimSpace(r.PostFormValue("username")), localPath(r.PostFormValue("next"), "/")
	if username == "" || r.PostFormValue("password") == "" {
		return s.renderStatus(w, r, http.StatusBadRequest, "login", "登录", map[string]any{"Next": next, "Username": username, "Error": "请输入用户名和密码"})
	}
	sess, err := s.Identity.LoginOnDevice(r.Context(), username, r.PostFormValue("password"), clientAddr(r), identity.KindWeb, knownDevice(r, knownCookie))
	if err != nil {
		e, status := s.errorStatus(w, r, err)
		if status == 500 {
			return err
		}
		return s.renderStatus(w, r, status, "login", "登录", map[string]any{"Next": next, "Username": username, "Error": e.Message})
	}
	s.setCookie(w, r, &http.Cookie{Name: cookieName, Value: sess.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		MaxAge: s.maxAge(sess.ExpiresAt)})
	// This browser is now known to the name: its next sign-in does not wait on the name's own
	// failure limit. Path /login only: the token goes nowhere else.
	s.setCookie(w, r, &http.Cookie{Name: knownCookie, Value: sess.Device, Path: "/login", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		MaxAge: 365 * 24 * 3600})
	if next == "/" {
		next = "/work" // each role's desk
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) pageLogout(w http.ResponseWriter, r *http.Request) error {
	sess, _ := session(r)
	if err := s.Identity.Logout(r.Context(), sess.Token); err != nil {
		return err
	}
	s.setCookie(w, r, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

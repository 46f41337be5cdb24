package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/files"
	"banhao/identity"
	"banhao/web"
)

// zeros is n zero bytes, produced as they are read (a test never holds a large body).
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
}

type switchWriter struct{ w io.Writer }

func (s *switchWriter) Write(p []byte) (int, error) { return s.w.Write(p) }

// multipartStream is a multipart form with fields and one file part of size bytes (a PDF
// header, then zeros), streamed: it returns the body, its content type and its length.
func multipartStream(fields url.Values, fileField, fileName string, size int64) (io.Reader, string, int64) {
	var head, tail bytes.Buffer
	sw := &switchWriter{&head}
	mw := multipart.NewWriter(sw)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	mw.CreateFormFile(fileField, fileName)
	pdf := "%PDF-1.4\n"
	if size < int64(len(pdf)) {
		pdf = pdf[:size]
	}
	head.WriteString(pdf)
	sw.w = &tail
	mw.Close()
	body := io.MultiReader(bytes.NewReader(head.Bytes()), &zeros{size - int64(len(pdf))}, bytes.NewReader(tail.Bytes()))
	return body, mw.FormDataContentType(), int64(head.Len()) + size - int64(len(pdf)) + int64(tail.Len())
}

// caller is who sends a request: a staff session, an applicant session, or nobody.
type caller struct {
	staff   *identity.Session
	citizen *identity.ApplicantSession
}

func (c caller) csrf(wrong bool) string {
	t := ""
	switch {
	case c.staff != nil:
		t = c.staff.CSRF
	case c.citizen != nil:
		t = c.citizen.CSRF
	}
	if wrong {
		return "forged-" + t
	}
	return t
}

// send posts body with the caller's credentials; length < 0 sends it chunked (no
// Content-Length). It reads the whole answer, so the server has finished the request.
func (h *harness) send(t *testing.T, method, path string, kind web.Kind, who caller, body io.Reader, length int64, ctype string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, h.ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.ContentLength = length
		if length < 0 {
			req.ContentLength = 0 // with a body: unknown, sent chunked
			req.Body, req.GetBody = io.NopCloser(body), nil
		}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	switch {
	case who.staff != nil && kind == web.API:
		req.Header.Set("Authorization", "Bearer "+who.staff.Token)
	case who.staff != nil:
		req.AddCookie(&http.Cookie{Name: "banhao_session", Value: who.staff.Token})
	case who.citizen != nil && kind == web.API:
		req.Header.Set("Authorization", "Bearer "+who.citizen.Token)
	case who.citizen != nil:
		req.AddCookie(&http.Cookie{Name: "banhao_citizen", Value: who.citizen.Token})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func limitOf(t *testing.T, h *harness, method, pattern string) int64 {
	t.Helper()
	for _, rt := range h.srv.Routes() {
		if rt.Method == method && rt.Pattern == pattern {
			if rt.MaxBody <= 0 {
				t.Fatalf("%s %s declares no body limit", method, pattern)
			}
			return rt.MaxBody
		}
	}
	t.Fatalf("no route %s %s", method, pattern)
	return 0
}

func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestSecurityUploadTempFilesRemoved: every route that takes files leaves nothing in the
// temporary directory, whether the upload is over the limit (413 in the middle of parsing),
// refused (wrong CSRF token or role) or taken.
func TestSecurityUploadTempFilesRemoved(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	admin, clerk, auditor := h.sessions[identity.Admin], h.sessions[identity.Clerk], h.sessions[identity.Auditor]
	me := h.citizenSession(t)
	company := h.applicantSession(t, demo.CompanyCode)
	item := h.itemNamed(t, "个体工商户设立登记")
	it, err := h.cat.Item(ctx, item)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.cat.Bundle(ctx, "KBQY")
	if err != nil {
		t.Fatal(err)
	}
	m1 := it.Materials[0].ID
	bundleFile := "file_" + b.Stages[0].Items[0] + "__m1"

	type upload struct {
		method, pattern, path string
		kind                  web.Kind
		who, other            caller // other: a caller the route refuses (API: a role it does not allow)
		field, name           string
		fields                url.Values
		want                  int // status of the accepted upload (0: any handled answer, not 413/403/5xx)
	}
	ups := []upload{
		{"POST", "/api/v1/files", "/api/v1/files", web.API, caller{staff: &clerk}, caller{staff: &auditor}, "file", "scan.pdf", nil, 201},
		{"POST", "/api/v1/catalog/import", "/api/v1/catalog/import", web.API, caller{staff: &admin}, caller{staff: &clerk}, "file", "catalog.csv", nil, 0},
		{"POST", "/admin/import", "/admin/import", web.Page, caller{staff: &admin}, caller{}, "file", "catalog.csv", nil, 0},
		{"POST", "/api/v1/certificates/import", "/api/v1/certificates/import", web.API, caller{staff: &admin}, caller{staff: &clerk}, "file", "certs.csv", nil, 0},
		{"POST", "/admin/certificates/import", "/admin/certificates/import", web.Page, caller{staff: &admin}, caller{}, "file", "certs.csv", nil, 0},
		{"POST", "/api/v1/calendar/import", "/api/v1/calendar/import", web.API, caller{staff: &admin}, caller{staff: &clerk}, "file", "cal.csv", nil, 0},
		{"POST", "/admin/calendar/import", "/admin/calendar/import", web.Page, caller{staff: &admin}, caller{}, "file", "cal.csv", nil, 0},
		{"POST", "/my/apply/{code}", "/my/apply/" + url.PathEscape(item), web.Page, caller{citizen: &me}, caller{}, "file_" + m1, "scan.pdf",
			url.Values{"action": {"draft"}}, 303},
		{"POST", "/kiosk/apply/{code}", "/kiosk/apply/" + url.PathEscape(item), web.Page, caller{citizen: &me}, caller{}, "file_" + m1, "scan.pdf",
			url.Values{"action": {"draft"}}, 303},
		{"POST", "/my/bundles/{code}", "/my/bundles/KBQY", web.Page, caller{citizen: &company}, caller{}, bundleFile, "scan.pdf", nil, 0},
		{"POST", "/window/cases", "/window/cases", web.Page, caller{staff: &clerk}, caller{}, "file_" + m1, "scan.pdf",
			url.Values{"item": {item}, "action": {"register"}}, 0},
		{"POST", "/window/bundles", "/window/bundles", web.Page, caller{staff: &clerk}, caller{}, bundleFile, "scan.pdf",
			url.Values{"bundle": {"KBQY"}}, 0},
		{"POST", "/cases/{number}/{action}", "/cases/371600-20260101-99999/supply", web.Page, caller{staff: &clerk}, caller{}, "file_m1", "scan.pdf", nil, 0},
	}
	// Every route that accepts more than a JSON document or a small form is in the table.
	for _, rt := range h.srv.Routes() {
		if rt.MaxBody > 1<<20 && !slices.ContainsFunc(ups, func(u upload) bool { return u.method == rt.Method && u.pattern == rt.Pattern }) {
			t.Errorf("%s %s takes %d bytes but is not tested here", rt.Method, rt.Pattern, rt.MaxBody)
		}
	}

	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	clean := func(t *testing.T, what string) {
		t.Helper()
		if left := tempFiles(t, tmp); len(left) > 0 {
			t.Errorf("%s left %d temporary files: %v", what, len(left), left)
			for _, n := range left {
				os.Remove(tmp + "/" + n)
			}
		}
	}
	for _, u := range ups {
		t.Run(u.method+" "+u.pattern, func(t *testing.T) {
			limit := limitOf(t, h, u.method, u.pattern)
			fields := func(wrong bool) url.Values {
				f := url.Values{}
				for k, v := range u.fields {
					f[k] = v
				}
				if u.kind == web.Page {
					f.Set("csrf", u.who.csrf(wrong))
				}
				return f
			}
			// A few MB (but within the limit): the file spills to disk while it is parsed.
			size := min(int64(3<<20), limit-128<<10)

			// Over the limit, without a length: the server reads up to the limit, then 413.
			body, ct, _ := multipartStream(fields(false), u.field, u.name, limit+1<<20)
			if st, page := h.send(t, u.method, u.path, u.kind, u.who, body, -1, ct); st != 413 {
				t.Errorf("oversized: %d, want 413: %.200s", st, page)
			}
			clean(t, "an oversized upload")

			// Refused: a forged CSRF token (pages) or a role the route does not allow (API).
			who, wrong := u.who, true
			if u.kind == web.API {
				who, wrong = u.other, false
			}
			body, ct, n := multipartStream(fields(wrong), u.field, u.name, size)
			if st, page := h.send(t, u.method, u.path, u.kind, who, body, n, ct); st != 403 {
				t.Errorf("refused: %d, want 403: %.200s", st, page)
			}
			clean(t, "a refused upload")

			// Taken (or answered by the handler).
			body, ct, n = multipartStream(fields(false), u.field, u.name, size)
			st, page := h.send(t, u.method, u.path, u.kind, u.who, body, n, ct)
			if (u.want != 0 && st != u.want) || st == 413 || st == 403 || st >= 500 {
				t.Errorf("accepted: %d (want %d): %.300s", st, u.want, page)
			}
			clean(t, "an accepted upload")
		})
	}
}

// TestSecurityEveryRouteBodyLimit walks the router's table: a body one byte over a route's limit
// is refused with 413, whether it declares its length (refused before it is read) or not (refused
// when the reader reaches the limit); a route never answers 500.
func TestSecurityEveryRouteBodyLimit(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	me := h.citizenSession(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, rt := range h.srv.Routes() {
		path := h.fill(rt.Pattern)
		t.Run(rt.Method+" "+rt.Pattern, func(t *testing.T) {
			if rt.MaxBody <= 0 {
				t.Fatalf("no body limit")
			}
			who := caller{}
			switch {
			case rt.Citizen:
				who.citizen = &me
			case !rt.Public || rt.Kind == web.Page:
				role := identity.Admin
				if rt.Roles != nil && !slices.Contains(rt.Roles, role) {
					role = rt.Roles[0]
				}
				sess := h.sessions[role]
				who.staff = &sess
			}
			over := rt.MaxBody + 1
			body := func() (io.Reader, string) {
				if rt.Kind == web.Page || rt.MaxBody > 1<<20 { // forms; uploads and imports
					form := url.Values{"csrf": {who.csrf(false)}}
					_, _, n := multipartStream(form, "file", "scan.pdf", 0) // the envelope
					b, ct, _ := multipartStream(form, "file", "scan.pdf", over-n)
					return b, ct
				}
				// An unfinished JSON string: a decoder must read all of it.
				return io.MultiReader(strings.NewReader(`"`), &as{over - 1}), "application/json"
			}
			b, ct := body()
			if st, page := h.send(t, rt.Method, path, rt.Kind, who, b, over, ct); st != 413 {
				t.Errorf("%d bytes with a length: %d, want 413: %.200s", over, st, page)
			}
			b, ct = body()
			st, page := h.send(t, rt.Method, path, rt.Kind, who, b, -1, ct)
			switch {
			case st >= 500:
				t.Errorf("%d bytes chunked: %d: %.200s", over, st, page)
			case st != 413 && readsBody(rt):
				t.Errorf("%d bytes chunked: %d, want 413: %.200s", over, st, page)
			}
			if left := tempFiles(t, tmp); len(left) > 0 {
				t.Errorf("left temporary files: %v", left)
			}
			if strings.Contains(rt.Pattern, "logout") {
				h.signIn(t)
				me = h.citizenSession(t)
			}
		})
	}
}

// readsBody: every form posted to a page is parsed before its handler runs; an API route that
// takes a document reads it. The routes below act on the path alone.
func readsBody(rt web.Route) bool {
	if rt.Method == "GET" {
		return false
	}
	return rt.Kind == web.Page || !slices.Contains(bodiless, rt.Method+" "+rt.Pattern)
}

var bodiless = []string{"POST /api/v1/logout", "POST /api/v1/items/{code}/publish", "POST /api/v1/items/{code}/retire",
	"POST /api/v1/cases/{number}/claim", "POST /api/v1/cases/{number}/release", "POST /api/v1/appointments/{id}/cancel",
	"POST /api/v1/appointments/{id}/checkin", "POST /api/v1/my/authorisations/{id}/revoke", "POST /api/v1/window-grants/{id}/revoke",
	"POST /api/v1/transfers/{id}/receive"}

// as is n bytes of 'a', produced as they are read.
type as struct{ n int64 }

func (z *as) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	for i := range p {
		p[i] = 'a'
	}
	z.n -= int64(len(p))
	return len(p), nil
}

// TestSecurityFilesTooLarge: an upload over the file limit is 413, not "choose a file".
func TestSecurityFilesTooLarge(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	for _, length := range []int64{-1, 1} {
		body, ct, n := multipartStream(nil, "file", "big.pdf", 50<<20)
		if length > 0 {
			length = n
		}
		if st, page := h.send(t, "POST", "/api/v1/files", web.API, caller{staff: &clerk}, body, length, ct); st != 413 {
			t.Errorf("50 MB (length %d): %d, want 413: %.200s", length, st, page)
		}
	}
	// Just over the file limit but within the route's: the store's own 413.
	body, ct, n := multipartStream(nil, "file", "big.pdf", files.MaxSize+1)
	if st, page := h.send(t, "POST", "/api/v1/files", web.API, caller{staff: &clerk}, body, n, ct); st != 413 {
		t.Errorf("MaxSize+1: %d, want 413: %.200s", st, page)
	}
}

// hugePNG is a valid 1×1 PNG whose header declares width × height pixels (CRC fixed).
func hugePNG(t *testing.T, width, height uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// signature (8), IHDR length (4), "IHDR" (4), width, height, ...; CRC over type+data (17 bytes).
	binary.BigEndian.PutUint32(b[16:], width)
	binary.BigEndian.PutUint32(b[20:], height)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// TestSecurityHugePNG: a tiny PNG declaring 50,000 × 50,000 pixels is refused with a message
// naming its size.
func TestSecurityHugePNG(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "bomb.png")
	fw.Write(hugePNG(t, 50000, 50000))
	mw.Close()
	st, page := h.send(t, "POST", "/api/v1/files", web.API, caller{staff: &clerk}, &body, int64(body.Len()), mw.FormDataContentType())
	if st != 400 || !strings.Contains(page, "50000×50000") {
		t.Fatalf("50,000² PNG: %d %s, want 400 naming the size", st, page)
	}
}

package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/demo"
)

// get sends a GET with the given Host header (the test server's own when host is "").
func get(t *testing.T, rawURL, host string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// TestSecuritySearchQuery: finding 1 — a search longer than people type is refused, naming the
// field, and nothing of it is printed at length; control characters never reach the index.
func TestSecuritySearchQuery(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	huge := strings.Repeat("a", 1_000_000)
	long := regexp.MustCompile(`a{101}`)

	// The API: 400 problem+json naming q.
	st, body, hdr := get(t, h.ts.URL+"/api/v1/items?q="+huge, "")
	var p struct {
		Detail string `json:"detail"`
		Errors []struct{ Field, Message string }
	}
	if err := json.Unmarshal(body, &p); err != nil || st != 400 || hdr.Get("Content-Type") != "application/problem+json" ||
		len(p.Errors) != 1 || p.Errors[0].Field != "q" || !strings.Contains(p.Errors[0].Message, "不能超过 100 个字") {
		t.Fatalf("API q of a million characters: %d %s %.300s", st, hdr.Get("Content-Type"), body)
	}
	if len(body) > 1000 {
		t.Errorf("the problem has %d bytes", len(body))
	}

	// The page: the form again, the message at the box, the text kept as far as the box takes it.
	for _, q := range []string{huge, strings.Repeat("营业执照", 26)} {
		st, body, _ = get(t, h.ts.URL+"/items?section=&q="+url.QueryEscape(q), "")
		page := string(body)
		kept := string([]rune(q)[:catalog.MaxQueryLen])
		if st != 400 || !strings.Contains(page, `id="q-error"`) || !strings.Contains(page, "搜索内容不能超过 100 个字") ||
			!strings.Contains(page, `value="`+kept+`"`) || !strings.Contains(page, `aria-describedby="q-error"`) {
			t.Fatalf("/items with %d characters: %d, message %v, text kept %v", len([]rune(q)), st,
				strings.Contains(page, "搜索内容不能超过 100 个字"), strings.Contains(page, `value="`+kept+`"`))
		}
		if long.MatchString(page) || strings.Contains(page, strings.Repeat("营业执照", 26)) || len(page) > 100_000 {
			t.Errorf("the page echoes the query at length (%d bytes)", len(page))
		}
		if strings.Contains(page, "没有找到与") {
			t.Errorf("a refused query still shows a result line")
		}
	}
	// A hundred characters are a search like any other.
	if st, _, _ := get(t, h.ts.URL+"/api/v1/items?q="+url.QueryEscape(strings.Repeat("营", 100)), ""); st != 200 {
		t.Errorf("100 characters: %d, want 200", st)
	}
	if st, body, _ := get(t, h.ts.URL+"/items?q="+url.QueryEscape(strings.Repeat("营", 100)), ""); st != 200 || !strings.Contains(string(body), "没有找到与") && !strings.Contains(string(body), `id="total"`) {
		t.Errorf("100 characters on the page: %d", st)
	}

	// Control characters: NUL matched every item through the index's name–code separator.
	var all, nul, both catalog.Result
	for q, dst := range map[string]*catalog.Result{"": &all, "%00": &nul, "%E8%90%A5%E4%B8%9A%00%E6%89%A7%E7%85%A7": &both} {
		st, body, _ := get(t, h.ts.URL+"/api/v1/items?limit=5&q="+q, "")
		if err := json.Unmarshal(body, dst); err != nil || st != 200 {
			t.Fatalf("q=%s: %d %v", q, st, err)
		}
	}
	if nul.Total != all.Total || len(nul.Suggestions) > 0 {
		t.Errorf("q=%%00: %d items, want the list of all %d (the empty search)", nul.Total, all.Total)
	}
	if both.Total == 0 || both.Total == all.Total || both.Items[0].Code != h.itemCode {
		t.Errorf("营业\\x00执照: %d items, first %+v; want 营业执照's item %s first", both.Total, both.Items, h.itemCode)
	}
	if _, body, _ := get(t, h.ts.URL+"/items?q=%E8%90%A5%E4%B8%9A%00%E2%80%AE%E6%89%A7%E7%85%A7", ""); strings.ContainsAny(string(body), "\x00\u202e") ||
		!strings.Contains(string(body), `value="营业执照"`) {
		t.Errorf("the page prints control characters of the query back")
	}
}

var linkHost = regexp.MustCompile(`http://([^/"<\s]+)/tickets/`)

// TestSecurityHostInLinks: finding 3 — without BANHAO_PUBLIC_URL a Host that is no plain
// host[:port] is not printed in links and QR codes (the listen address is), and no Host makes a
// QR page or a notice fail.
func TestSecurityHostInLinks(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	listen := strings.TrimPrefix(h.ts.URL, "http://")
	_, _, hdr := call(t, nil, "POST", h.ts.URL+"/kiosk/take", url.Values{"service": {demo.ServiceCode("E")}}.Encode(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	ticket := hdr.Get("Location")
	if !strings.HasPrefix(ticket, "/kiosk/tickets/") {
		t.Fatalf("no kiosk ticket: %q", ticket)
	}
	code := url.PathEscape(h.itemCode)
	for _, host := range []string{strings.Repeat("a", 3000), strings.Repeat("a", 3000) + ".example", "evil.example:99999", "evil_example.com"} {
		st, body, _ := get(t, h.ts.URL+ticket, host)
		m := linkHost.FindStringSubmatch(string(body))
		if st != 200 || m == nil || m[1] != listen || !strings.Contains(string(body), `src="data:image/png;base64,`) {
			t.Errorf("kiosk ticket, Host %.30q…: %d, link host %q (want %s)", host, st, m, listen)
		}
		for _, path := range []string{"/kiosk/guide/" + code, "/kiosk/guide/" + code + "/notice.pdf", "/items/" + code + "/notice.pdf", "/hall/" + demo.HallID + "/qr.png"} {
			if st, body, _ := get(t, h.ts.URL+path, host); st >= 500 || strings.Contains(string(body), "aaaaaaaaaa") {
				t.Errorf("%s, Host %.30q…: %d", path, host, st)
			}
		}
	}
	// A plain Host is taken (the site behind a proxy that keeps it); production sets
	// BANHAO_PUBLIC_URL (docs/OPERATIONS.md).
	st, body, _ := get(t, h.ts.URL+ticket, "banhao.example:8443")
	if m := linkHost.FindStringSubmatch(string(body)); st != 200 || m == nil || m[1] != "banhao.example:8443" {
		t.Errorf("kiosk ticket, Host banhao.example:8443: %d, link host %q", st, m)
	}
}

// TestNoticeIsRenderedOnce: finding 4 — the 一次性告知单 is laid out once per item version,
// catalog, address and day; asking again (download or kiosk) costs no rendering.
func TestNoticeIsRenderedOnce(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	renders := func() int {
		t.Helper()
		_, body, _ := get(t, h.ts.URL+"/metrics", "")
		m := regexp.MustCompile(`(?m)^banhao_notice_renders_total (\d+)$`).FindStringSubmatch(string(body))
		if m == nil {
			t.Fatal("/metrics has no banhao_notice_renders_total")
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	code := url.PathEscape(h.itemCode)
	notice := h.ts.URL + "/items/" + code + "/notice.pdf"
	before := renders()
	st, first, hdr := get(t, notice, "")
	if st != 200 || hdr.Get("Content-Type") != "application/pdf" || renders() != before+1 {
		t.Fatalf("first notice: %d %s, renders %d → %d", st, hdr.Get("Content-Type"), before, renders())
	}
	for _, u := range []string{notice, notice, h.ts.URL + "/kiosk/guide/" + code + "/notice.pdf"} {
		st, again, _ := get(t, u, "")
		if st != 200 || string(again) != string(first) {
			t.Fatalf("%s again: %d, same bytes %v", u, st, string(again) == string(first))
		}
	}
	if renders() != before+1 {
		t.Fatalf("asking three more times rendered %d more", renders()-before-1)
	}
	if text := pdfBytesToText(t, first); !strings.Contains(text, "一次性告知单") {
		t.Fatalf("the cached notice is no notice: %.200s", text)
	}

	// Another address (its QR code) and a new version of the item are rendered anew.
	if st, other, _ := get(t, notice, "banhao.example"); st != 200 || string(other) == string(first) || renders() != before+2 {
		t.Errorf("another Host: %d, same bytes %v, renders +%d", st, string(other) == string(first), renders()-before)
	}
	it, err := h.cat.Item(context.Background(), h.itemCode)
	if err != nil {
		t.Fatal(err)
	}
	it.Conditions += "（新版本）"
	if _, err := h.cat.PutItem(context.Background(), auditActor("admin"), it, catalog.StatusPublished); err != nil {
		t.Fatal(err)
	}
	st, fresh, _ := get(t, notice, "")
	if st != 200 || string(fresh) == string(first) || renders() != before+3 || !strings.Contains(pdfBytesToText(t, fresh), "新版本") {
		t.Errorf("after a new version: %d, same bytes %v, renders +%d", st, string(fresh) == string(first), renders()-before)
	}
}

func pdfBytesToText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return pdfToText(t, path)
}

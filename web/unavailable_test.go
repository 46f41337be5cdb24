package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"banhao/store"
	"banhao/store/storetest"
	"banhao/web"
)

// cutProxy forwards TCP to PostgreSQL until it is cut: then it drops every open connection and
// refuses new ones, as a database that restarts or a network that fails does.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.down {
				p.mu.Unlock()
				c.Close()
				continue
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
	return p
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// TestDatabaseAwayAnswers503: while PostgreSQL cannot be reached, the API answers 503
// "unavailable" with Retry-After, pages show a friendly page with the same status, /readyz says
// why — never a 500 "internal" — and everything answers again once the database is back.
func TestDatabaseAwayAnswers503(t *testing.T) {
	base := storetest.PostgresDSN()
	if base == "" {
		t.Skip("BANHAO_TEST_POSTGRES not set")
	}
	name := storetest.NewPostgresDatabase(t, base)
	u, err := url.Parse(storetest.WithDatabase(base, name))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	db, err := store.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := wire(t, db, t.TempDir())

	login := func() *http.Response {
		return h.do(t, "POST", "/api/v1/login", web.API, nil, strings.NewReader(`{"username":"nobody","password":"wrong-password"}`), "application/json")
	}
	if resp := login(); resp.StatusCode != 401 {
		t.Fatalf("before the outage: login %d, want 401", resp.StatusCode)
	}

	proxy.cut()
	resp := login()
	var p struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
	}
	json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if resp.StatusCode != 503 || p.Code != "unavailable" || resp.Header.Get("Retry-After") == "" {
		t.Errorf("API while the database is away: %d %q Retry-After=%q, want 503 unavailable with Retry-After", resp.StatusCode, p.Code, resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(p.Detail, "稍后再试") {
		t.Errorf("API detail %q does not tell the client to try again later", p.Detail)
	}
	page := h.do(t, "GET", "/track?number=B2026120300001&phone4=1234", web.Page, nil, nil, "")
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != 503 || !strings.Contains(string(body), "稍后再试") || strings.Contains(string(body), "未找到该办件") {
		t.Errorf("tracking page while the database is away: %d, want 503 saying to try later (not 'not found')", page.StatusCode)
	}
	ready := h.do(t, "GET", "/readyz", web.API, nil, nil, "")
	var rz map[string]string
	json.NewDecoder(ready.Body).Decode(&rz)
	ready.Body.Close()
	if ready.StatusCode != 503 || rz["status"] != "database unavailable" || rz["reason"] != "cannot connect" {
		t.Errorf("/readyz while the database is away: %d %v", ready.StatusCode, rz)
	}
	if strings.Contains(rz["reason"], u.Host) || strings.Contains(rz["reason"], "postgres") {
		t.Errorf("/readyz names the database's host or user: %v", rz)
	}

	proxy.restore()
	if resp := login(); resp.StatusCode != 401 {
		t.Errorf("after the outage: login %d, want 401 again", resp.StatusCode)
	}
	if ready := h.do(t, "GET", "/readyz", web.API, nil, nil, ""); ready.StatusCode != 200 {
		t.Errorf("after the outage: /readyz %d", ready.StatusCode)
	}
}

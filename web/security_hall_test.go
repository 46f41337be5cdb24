package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// call is a JSON request with the given headers from the given client (nil: the default one),
// answering the status and the body.
func call(t *testing.T, client *http.Client, method, url, body string, header map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if client == nil {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// enrollDevice registers a kiosk or a counter's rating pad as the hall manager does and returns
// its key.
func (h *harness) enrollDevice(t *testing.T, body string) string {
	t.Helper()
	manager := h.sessions[identity.HallManager]
	st, b, _ := call(t, nil, "POST", h.ts.URL+"/api/v1/halls/"+demo.HallID+"/devices", body, bearer(manager.Token))
	if st != 201 {
		t.Fatalf("enroll device %s: %d %s", body, st, b)
	}
	var d struct{ Key string }
	if err := json.Unmarshal([]byte(b), &d); err != nil || len(d.Key) < 20 {
		t.Fatalf("enroll device: %s %v", b, err)
	}
	return d.Key
}

// TestSecurityAnonymousCaseRating: a case is rated only by its applicant. Anonymous callers,
// staff and other applicants are refused with one answer whatever the number (an existing
// finished case, an unfinished one, a made-up number), so the answers tell nothing; the real
// applicant can still rate afterwards.
func TestSecurityAnonymousCaseRating(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		clerk := h.sessions[identity.Clerk]
		item := h.itemNamed(t, "个体工商户设立登记")
		newCase := func(status string) string {
			c, _, err := h.cases.Create(ctx, clerk.User.Actor(), cases.CreateInput{Item: item, Channel: "window",
				Applicant: cases.Applicant{Type: "person", Name: demo.CitizenName, IDNumber: demo.CitizenID, Phone: demo.CitizenPhone}}, "")
			if err != nil {
				t.Fatal(err)
			}
			if status != "" {
				if _, err := db.ExecContext(ctx, `UPDATE cases SET status = ? WHERE number = ?`, status, c.Number); err != nil {
					t.Fatal(err)
				}
			}
			return c.Number
		}
		finished, unfinished, madeUp := newCase("decided"), newCase(""), "371600-20260101-99999"
		rate := func(number string, header map[string]string) (int, string) {
			st, b, _ := call(t, nil, "POST", h.ts.URL+"/api/v1/ratings", `{"case":"`+number+`","level":1,"comment":"差"}`, header)
			var p struct{ Detail string }
			_ = json.Unmarshal([]byte(b), &p)
			return st, p.Detail
		}
		other := h.applicantSession(t, demo.CompanyCode)
		for _, who := range []struct {
			name   string
			header map[string]string
		}{{"anonymous", nil}, {"staff", bearer(clerk.Token)}, {"another applicant", bearer(other.Token)}} {
			st0, d0 := rate(finished, who.header)
			if st0 != 403 && st0 != 404 {
				t.Errorf("%s rating a finished case: %d %s, want 403 or 404", who.name, st0, d0)
			}
			for _, n := range []string{unfinished, madeUp} {
				if st, d := rate(n, who.header); st != st0 || d != strings.ReplaceAll(d0, finished, n) {
					t.Errorf("%s: %s answers %d %q, the finished case %d %q: the answer tells the cases apart", who.name, n, st, d, st0, d0)
				}
			}
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ratings`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d ratings stored by strangers (%v)", n, err)
		}
		me := h.citizenSession(t)
		if st, d := rate(finished, bearer(me.Token)); st != 201 {
			t.Fatalf("the applicant rating their finished case: %d %s", st, d)
		}
		if st, _ := rate(unfinished, bearer(me.Token)); st != 409 {
			t.Errorf("the applicant rating their unfinished case: %d, want 409", st)
		}
	})
}

var grantRe = regexp.MustCompile(`data-grant-ticket="([0-9a-f]+)" data-grant-token="([A-Za-z0-9_-]+)"`)

// TestSecurityRatingPadGrant: a visit is rated on the rating pad of the counter that served it,
// with a one-time grant the pad receives when the visit ends; a ticket ID alone (or with a
// wrong token) is refused, the grant works once, and ends when the counter finishes its next
// ticket.
func TestSecurityRatingPadGrant(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		clerk := h.sessions[identity.Clerk]
		padKey := h.enrollDevice(t, `{"kind":"pad","counter":"9","name":"9号窗口评价器"}`)
		otherPad := h.enrollDevice(t, `{"kind":"pad","counter":"10","name":"10号窗口评价器"}`)
		serve := func() string {
			st, b, _ := call(t, nil, "POST", h.ts.URL+"/api/v1/tickets", `{"service":"Q-S05"}`, bearer(clerk.Token))
			if st != 201 {
				t.Fatalf("ticket: %d %s", st, b)
			}
			var tk struct{ ID string }
			_ = json.Unmarshal([]byte(b), &tk)
			for _, a := range []string{"call", "finish"} {
				if st, b, _ := call(t, nil, "POST", h.ts.URL+"/api/v1/counters/9/"+a, "", bearer(clerk.Token)); st != 200 {
					t.Fatalf("%s: %d %s", a, st, b)
				}
			}
			return tk.ID
		}
		ts := h.ts.URL
		pad := func(counter, key string) (ticket, token string) {
			h := map[string]string{}
			if key != "" {
				h["Cookie"] = "banhao_device=" + key
			}
			st, page, _ := call(t, nil, "GET", ts+"/counter/"+counter+"/rate", "", h)
			if st != 200 {
				t.Fatalf("rating pad: %d", st)
			}
			if m := grantRe.FindStringSubmatch(page); m != nil {
				return m[1], m[2]
			}
			return "", ""
		}
		rate := func(body string) int {
			st, _, _ := call(t, nil, "POST", h.ts.URL+"/api/v1/ratings", body, nil)
			return st
		}
		first := serve()
		if tk, tok := pad("9", ""); tok != "" || tk != "" {
			t.Error("a browser that is not the counter's pad got the rating grant")
		}
		if _, tok := pad("9", otherPad); tok != "" {
			t.Error("another counter's pad got the rating grant")
		}
		if st := rate(`{"ticket":"` + first + `","level":1}`); st != 403 {
			t.Errorf("rating by ticket ID alone: %d, want 403", st)
		}
		if st := rate(`{"ticket":"` + first + `","level":1,"token":"00112233445566778899aabbccddeeff"}`); st != 403 {
			t.Errorf("rating with a wrong token: %d, want 403", st)
		}
		tk, tok := pad("9", padKey)
		if tk != first || tok == "" {
			t.Fatalf("the pad shows grant for %q, want %s", tk, first)
		}
		if st := rate(`{"ticket":"` + first + `","level":5,"token":"` + tok + `","channel":"counter"}`); st != 201 {
			t.Fatalf("rating with the pad's grant: %d", st)
		}
		if st := rate(`{"ticket":"` + first + `","level":1,"token":"` + tok + `"}`); st == 201 {
			t.Error("the grant worked twice")
		}
		// The next visit's grant ends when the counter finishes the one after.
		second := serve()
		_, tok2 := pad("9", padKey)
		serve()
		if st := rate(`{"ticket":"` + second + `","level":5,"token":"` + tok2 + `"}`); st != 403 {
			t.Errorf("a grant after the counter finished its next ticket: %d, want 403", st)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ratings`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d ratings stored, want 1 (%v)", n, err)
		}
	})
}

// fromAddr is a client whose connections come from another loopback address (another device
// in another place).
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

// TestSecurityTicketFlood: anonymous tickets from one address stop after a generous burst
// (429 with Retry-After and a Chinese message); a registered kiosk and staff keep issuing;
// another address is not affected.
func TestSecurityTicketFlood(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		clerk := h.sessions[identity.Clerk]
		kiosk := h.enrollDevice(t, `{"kind":"kiosk","name":"1号自助取号机"}`)
		url := h.ts.URL + "/api/v1/tickets"
		for i := range 30 {
			if st, b, _ := call(t, nil, "POST", url, `{"service":"Q-S05"}`, nil); st != 201 {
				t.Fatalf("anonymous ticket %d: %d %s", i+1, st, b)
			}
		}
		st, b, hdr := call(t, nil, "POST", url, `{"service":"Q-S05"}`, nil)
		if st != 429 || hdr.Get("Retry-After") == "" || !strings.Contains(b, "取号") {
			t.Fatalf("the 31st anonymous ticket from one address: %d %q Retry-After %q, want 429 with Retry-After", st, b, hdr.Get("Retry-After"))
		}
		if secs, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil || secs < 1 {
			t.Errorf("Retry-After %q", hdr.Get("Retry-After"))
		}
		for i := range 40 {
			if st, b, _ := call(t, nil, "POST", url, `{"service":"Q-S05"}`, map[string]string{"X-Device-Key": kiosk}); st != 201 {
				t.Fatalf("registered kiosk ticket %d: %d %s", i+1, st, b)
			}
		}
		for i := range 5 {
			if st, b, _ := call(t, nil, "POST", url, `{"service":"Q-S05"}`, bearer(clerk.Token)); st != 201 {
				t.Fatalf("staff ticket %d: %d %s", i+1, st, b)
			}
		}
		if st, b, _ := call(t, fromAddr("127.0.0.2"), "POST", url, `{"service":"Q-S05"}`, nil); st != 201 {
			t.Errorf("another address: %d %s", st, b)
		}
		if st, _, _ := call(t, nil, "POST", url, `{"service":"Q-S05"}`, map[string]string{"X-Device-Key": "not-a-device-key-not-a-device-key"}); st == 201 {
			t.Error("a made-up device key counts as a kiosk")
		}
	})
}

// TestSecurityGreenChannel: 绿色通道 by age needs an ID read at a registered kiosk (or staff);
// an anonymous request with a made-up 1950 ID is refused with a message that says where to go.
func TestSecurityGreenChannel(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		clerk := h.sessions[identity.Clerk]
		kiosk := h.enrollDevice(t, `{"kind":"kiosk","name":"1号自助取号机"}`)
		url := h.ts.URL + "/api/v1/tickets"
		old := `{"service":"Q-S05","id_number":"110101195001010017","priority":"green"}`
		st, b, _ := call(t, nil, "POST", url, old, nil)
		if st != 403 || !strings.Contains(b, "导办") || !strings.Contains(b, "刷身份证") {
			t.Errorf("anonymous green ticket with a 1950 ID: %d %s, want 403 naming the guide desk and the card reader", st, b)
		}
		priority := func(st int, b string) string {
			var tk struct{ Priority string }
			_ = json.Unmarshal([]byte(b), &tk)
			if st != 201 {
				return strconv.Itoa(st) + " " + b
			}
			return tk.Priority
		}
		if p := priority(call3(t, url, old, map[string]string{"X-Device-Key": kiosk})); p != "green" {
			t.Errorf("kiosk card reader, 1950 ID: %s, want green", p)
		}
		if st, _, _ := call(t, nil, "POST", url, `{"service":"Q-S05","id_number":"`+demo.CitizenID+`","priority":"green"}`, map[string]string{"X-Device-Key": kiosk}); st != 403 {
			t.Errorf("kiosk, a 1985 ID asking for green: %d, want 403", st)
		}
		if p := priority(call3(t, url, `{"service":"Q-S06","priority":"green"}`, bearer(clerk.Token))); p != "green" {
			t.Errorf("staff green ticket: %s", p)
		}
		// The phone page refuses it as well.
		resp := h.do(t, "POST", "/hall/"+demo.HallID+"/take", web.Page, nil,
			strings.NewReader("service=Q-S06&id_number=110101195001010017&priority=green&source=phone"), "application/x-www-form-urlencoded")
		if resp.StatusCode != 403 {
			t.Errorf("phone page green ticket: %d, want 403", resp.StatusCode)
		}
	})
}

func call3(t *testing.T, url, body string, header map[string]string) (int, string) {
	t.Helper()
	st, b, _ := call(t, nil, "POST", url, body, header)
	return st, b
}

// TestSecurityDeviceRevoked: a hall manager sees the registered devices (never their keys) and
// takes one out of service; its key issues nothing from the next request on.
func TestSecurityDeviceRevoked(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		kiosk := h.enrollDevice(t, `{"kind":"kiosk","name":"西门自助取号机"}`)
		tickets := h.ts.URL + "/api/v1/tickets"
		if st, b := call3(t, tickets, `{"service":"Q-S05","id_number":"110101195001010017","priority":"green"}`, map[string]string{"X-Device-Key": kiosk}); st != 201 {
			t.Fatalf("registered kiosk: %d %s", st, b)
		}
		manager := h.sessions[identity.HallManager]
		resp := h.do(t, "GET", "/hall/manage", web.Page, &manager, nil, "")
		page, _ := io.ReadAll(resp.Body)
		m := regexp.MustCompile(`name="what" value="revoke_device"><input type="hidden" name="id" value="([^"]+)"`).FindSubmatch(page)
		if m == nil || !strings.Contains(string(page), "西门自助取号机") || !strings.Contains(string(page), `data-label="登记人">陈静<`) || strings.Contains(string(page), kiosk) {
			t.Fatalf("/hall/manage does not list the kiosk (or shows its key)")
		}
		form := url.Values{"csrf": {manager.CSRF}, "what": {"revoke_device"}, "id": {string(m[1])}}
		if resp := h.do(t, "POST", "/hall/manage", web.Page, &manager, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"); resp.StatusCode != 303 {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		if st, b := call3(t, tickets, `{"service":"Q-S05","id_number":"110101195001010017","priority":"green"}`, map[string]string{"X-Device-Key": kiosk}); st != 401 {
			t.Errorf("revoked kiosk key: %d %s, want 401", st, b)
		}
	})
}

// TestSecurityTicketKeyPerCaller: a ticket's Idempotency-Key is its caller's own; the same key
// from another address is another request and never returns the first caller's ticket.
func TestSecurityTicketKeyPerCaller(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	issue := func(addr, body string) (int, string) {
		req := httptest.NewRequest("POST", "/api/v1/tickets", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "shared-key-1")
		req.RemoteAddr = addr + ":40000"
		rec := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(rec, req)
		var tk struct{ ID string }
		_ = json.Unmarshal(rec.Body.Bytes(), &tk)
		return rec.Code, tk.ID
	}
	st, first := issue("203.0.113.7", `{"service":"Q-S06","phone":"13900001111"}`)
	if st != 201 || first == "" {
		t.Fatalf("first ticket: %d", st)
	}
	if st, again := issue("203.0.113.7", `{"service":"Q-S06","phone":"13900001111"}`); st != 200 || again != first {
		t.Errorf("the same caller's retry: %d %s, want 200 %s", st, again, first)
	}
	if _, other := issue("198.51.100.9", `{"service":"Q-S06","phone":"13700002222"}`); other == first {
		t.Error("another address with the same key got the first caller's ticket")
	}
}

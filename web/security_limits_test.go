package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// from sends a request to the server's handler as if from a client address.
func (h *harness) from(addr, method, path string, form url.Values) *httptest.ResponseRecorder {
	return h.fromWith(addr, nil, method, path, form)
}

// fromWith is from with a cookie.
func (h *harness) fromWith(addr string, cookie *http.Cookie, method, path string, form url.Values) *httptest.ResponseRecorder {
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.RemoteAddr = addr + ":40000"
	if cookie != nil {
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	}
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// TestSecurityLimitsDoNotLockOwnersOut (issue 11, finding 11): wrong passwords on a staff name
// and wrong phone digits on a case number, sent from one address, stop that address — not the
// owner, who signs in and follows the case from their own.
func TestSecurityLimitsDoNotLockOwnersOut(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		const attacker, owner = "203.0.113.66", "198.51.100.7"

		// Staff sign-in page: ten wrong passwords for admin from the attacker.
		for range 10 {
			h.from(attacker, "POST", "/login", url.Values{"username": {"admin"}, "password": {"guess"}})
		}
		if rec := h.from(attacker, "POST", "/login", url.Values{"username": {"admin"}, "password": {demo.DemoPassword}}); rec.Code != 429 {
			t.Errorf("the guessing address signs in with the right password: %d, want 429", rec.Code)
		}
		rec := h.from(owner, "POST", "/login", url.Values{"username": {"admin"}, "password": {demo.DemoPassword}})
		if rec.Code != 303 {
			t.Fatalf("the owner is locked out by someone else's guesses: %d", rec.Code)
		}
		var known *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == "banhao_known" {
				known = c
			}
		}
		if known == nil || known.Value == "" || !known.HttpOnly {
			t.Fatalf("no known-device cookie after signing in: %+v", known)
		}
		// A guess spread over eleven addresses spends the name's own bucket: a stranger's browser
		// waits, the owner's known browser does not.
		for i := range 11 {
			for range 5 {
				h.from(fmt.Sprintf("192.0.2.%d", i+1), "POST", "/login", url.Values{"username": {"admin"}, "password": {"guess"}})
			}
		}
		if rec := h.from("198.51.100.99", "POST", "/login", url.Values{"username": {"admin"}, "password": {demo.DemoPassword}}); rec.Code != 429 {
			t.Errorf("a new browser during a distributed guess: %d, want 429", rec.Code)
		}
		if rec := h.fromWith("198.51.100.99", known, "POST", "/login", url.Values{"username": {"admin"}, "password": {demo.DemoPassword}}); rec.Code != 303 {
			t.Errorf("the owner's known browser during a distributed guess: %d, want 303", rec.Code)
		}

		// Public tracking: eleven wrong phone digits from the attacker.
		clerk := h.sessions[identity.Clerk]
		c, _, err := h.cases.Create(ctx, clerk.User.Actor(), casesInput(h.itemNamed(t, "单位社会保险登记"), demo.CompanyName, demo.CompanyCode, demo.CompanyPhone), "")
		if err != nil {
			t.Fatal(err)
		}
		right := demo.CompanyPhone[len(demo.CompanyPhone)-4:]
		for i := range 11 {
			guess := fmt.Sprintf("%04d", i)
			if guess == right {
				continue
			}
			h.from(attacker, "GET", "/api/v1/track?number="+c.Number+"&phone4="+guess, nil)
		}
		if rec := h.from(attacker, "GET", "/api/v1/track?number="+c.Number+"&phone4="+right, nil); rec.Code != 429 {
			t.Errorf("the guessing address after eleven wrong digits: %d, want 429", rec.Code)
		}
		if rec := h.from(owner, "GET", "/api/v1/track?number="+c.Number+"&phone4="+right, nil); rec.Code != 200 {
			t.Fatalf("the owner cannot follow their case after someone else's guesses: %d %s", rec.Code, rec.Body)
		}
	})
}

// TestSecurityBookingFlood: one address cannot book a day's appointment slots by inventing phone
// numbers; another address books as usual.
func TestSecurityBookingFlood(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	const date = "2026-11-27" // the harness's clock is on Thursday 2026-11-26: the next working day
	resp := h.do(t, "GET", "/api/v1/services/Q-S03/slots?date="+date, web.API, nil, nil, "")
	slots := decode[struct{ Slots []struct{ Start string } }](t, resp)
	book := func(addr string, i int) int {
		body := fmt.Sprintf(`{"service":"Q-S03","date":"%s","slot":"%s","name":"王五","phone":"1360000%04d"}`, date, slots.Slots[i%len(slots.Slots)].Start, i)
		req := httptest.NewRequest("POST", "/api/v1/appointments", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = addr + ":40000"
		rec := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	codes := []int{}
	for i := range 12 {
		codes = append(codes, book("203.0.113.66", i))
	}
	if codes[0] != 201 || codes[9] != 201 || codes[10] != 429 || codes[11] != 429 {
		t.Errorf("bookings from one address: %v, want 201 ten times, then 429", codes)
	}
	if c := book("198.51.100.7", 100); c != 201 {
		t.Errorf("a booking from another address: %d", c)
	}
}

// TestSecurityVerifyIsLimited: public verification (a certificate's or a notice's code) is
// limited per address, found or not — identifiers are sequential — on the API and the page,
// with 429 and Retry-After; another address still verifies.
func TestSecurityVerifyIsLimited(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		const crawler, counter = "203.0.113.70", "198.51.100.8"
		for i := range 30 {
			rec := h.from(crawler, "GET", fmt.Sprintf("/api/v1/verify/ABCD%04d", i), nil)
			if rec.Code != 404 {
				t.Fatalf("verification %d: %d, want 404", i, rec.Code)
			}
		}
		rec := h.from(crawler, "GET", "/api/v1/verify/ABCD9999", nil)
		if rec.Code != 429 || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("the 31st verification from one address: %d Retry-After %q, want 429 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
		}
		req := httptest.NewRequest("GET", "/api/v1/verify/ABCD9999", nil)
		req.RemoteAddr, req.Header["Accept"] = crawler+":40000", []string{"text/html"}
		page := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(page, req)
		if page.Code != 429 || page.Header().Get("Retry-After") == "" || !strings.Contains(page.Body.String(), "核验次数过多") ||
			!strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("the page when limited: %d %q %s", page.Code, page.Header().Get("Retry-After"), page.Header().Get("Content-Type"))
		}
		if rec := h.from(counter, "GET", "/api/v1/verify/ABCD0001", nil); rec.Code != 404 {
			t.Fatalf("another address: %d, want 404", rec.Code)
		}
	})
}

// TestSecurityTrackPageAnswers429: the tracking page, once an address is limited, still shows
// the form with a kind message, but answers 429 with Retry-After (docs/SECURITY.md), as the API.
func TestSecurityTrackPageAnswers429(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		const guesser = "203.0.113.71"
		for i := range 60 {
			h.from(guesser, "GET", fmt.Sprintf("/track?number=371600-20261126-%05d&phone4=1234", 90000+i), nil)
		}
		rec := h.from(guesser, "GET", "/track?number=371600-20261126-99999&phone4=1234", nil)
		if rec.Code != 429 || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "查询失败次数过多") ||
			!strings.Contains(rec.Body.String(), `action="/track"`) {
			t.Fatalf("limited tracking page: %d Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
		}
		api := h.from(guesser, "GET", "/api/v1/track?number=371600-20261126-99999&phone4=1234", nil)
		if api.Code != 429 || api.Header().Get("Retry-After") == "" {
			t.Fatalf("limited tracking API: %d Retry-After %q", api.Code, api.Header().Get("Retry-After"))
		}
	})
}

package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"banhao/identity"
	"banhao/store"
)

// TestDisplayPages: the hall's screens are public pages of their own frame: no navigation and
// no sign-in state even when staff are signed in on the device, never cached. The board's
// first address shows the display.
func TestDisplayPages(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	for _, p := range []string{"/hall/main/display", "/hall/main/board", "/counter/9/screen", "/counter/9/rate"} {
		st, page, hdr := call(t, nil, "GET", h.ts.URL+p, "", map[string]string{"Cookie": "banhao_session=" + admin.Token})
		if st != 200 || !strings.Contains(page, "display.css") {
			t.Errorf("%s: %d, not in the display frame", p, st)
		}
		for _, s := range []string{"<nav", "/logout", "退出", "工作台", "site.css"} {
			if strings.Contains(page, s) {
				t.Errorf("%s shows %q", p, s)
			}
		}
		if hdr.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", p, hdr.Get("Cache-Control"))
		}
	}
	if st, _, _ := call(t, nil, "GET", h.ts.URL+"/hall/no-such-hall/display", "", nil); st != 404 {
		t.Errorf("display of an unknown hall: %d", st)
	}
}

// TestRatingPadState: GET /api/v1/counters/{id}/pad hands the grant to rate the counter's last
// visit to that counter's registered pad only, as the pad's page does; the screen's state is
// public and carries the number only.
func TestRatingPadState(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		clerk := h.sessions[identity.Clerk]
		padKey := h.enrollDevice(t, `{"kind":"pad","counter":"9","name":"9号窗口评价器"}`)
		otherPad := h.enrollDevice(t, `{"kind":"pad","counter":"10","name":"10号窗口评价器"}`)
		takeTicket(t, h, "Q-S05")
		number := counterAPI(t, h, "9", "call")

		st, b, _ := call(t, nil, "GET", h.ts.URL+"/api/v1/counters/9/screen", "", nil)
		var sc struct {
			Counter, Name, Number, Status string
			Open                          bool
		}
		if err := json.Unmarshal([]byte(b), &sc); st != 200 || err != nil || sc.Number != number || sc.Status != "called" || !sc.Open || sc.Name != "9号窗口" {
			t.Errorf("screen: %d %s", st, b)
		}
		if strings.Contains(b, "phone") || strings.Contains(b, "id_number") {
			t.Errorf("the public screen state carries personal data: %s", b)
		}
		counterAPI(t, h, "9", "finish")

		state := func(key string) (int, string, string) {
			hdr := map[string]string{}
			if key != "" {
				hdr["X-Device-Key"] = key
			}
			st, b, _ := call(t, nil, "GET", h.ts.URL+"/api/v1/counters/9/pad", "", hdr)
			var s struct {
				Grant *struct{ Ticket, Number, Token string }
			}
			_ = json.Unmarshal([]byte(b), &s)
			if s.Grant == nil {
				return st, "", ""
			}
			return st, s.Grant.Number, s.Grant.Token
		}
		for _, key := range []string{"", otherPad, "not-a-key"} {
			if st, n, tok := state(key); st != http.StatusForbidden || n != "" || tok != "" {
				t.Errorf("pad state for key %q: %d %q", key, st, n)
			}
		}
		if st, _, _ := call(t, nil, "GET", h.ts.URL+"/api/v1/counters/9/pad", "", bearer(clerk.Token)); st != http.StatusForbidden {
			t.Errorf("pad state for a clerk: %d", st)
		}
		st, n, tok := state(padKey)
		if st != 200 || n != number || tok == "" {
			t.Fatalf("pad state for the pad: %d %q", st, n)
		}
		// Each read gives a new grant and lapses the one before (one grant per pad at a time).
		_, _, tok2 := state(padKey)
		// The page reads the same state: its grant is the one in force now.
		_, page, _ := call(t, nil, "GET", h.ts.URL+"/counter/9/rate", "", map[string]string{"X-Device-Key": padKey})
		m := grantRe.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("the pad's page has no grant")
		}
		ticket := m[1]
		for _, old := range []string{tok, tok2} {
			if st, _, _ := call(t, nil, "POST", h.ts.URL+"/api/v1/ratings", `{"ticket":"`+ticket+`","level":4,"token":"`+old+`"}`, nil); st != http.StatusForbidden {
				t.Errorf("rating with a lapsed grant: %d", st)
			}
		}
		if st, b, _ := call(t, nil, "POST", h.ts.URL+"/api/v1/ratings", `{"ticket":"`+ticket+`","level":4,"token":"`+m[2]+`","channel":"counter"}`, nil); st != 201 {
			t.Fatalf("rating with the pad's grant: %d %s", st, b)
		}
		if st, n, _ := state(padKey); st != 200 || n != "" {
			t.Errorf("after the rating the pad still has a grant for %q (%d)", n, st)
		}

		// A visit finished and not rated: once the counter calls the next visitor, the pad no
		// longer offers it: the next visitor stands there.
		takeTicket(t, h, "Q-S05")
		takeTicket(t, h, "Q-S05")
		first := counterAPI(t, h, "9", "call")
		counterAPI(t, h, "9", "finish")
		if _, n, tok := state(padKey); n != first || tok == "" {
			t.Fatalf("the pad after %s finished offers %q", first, n)
		}
		counterAPI(t, h, "9", "call")
		if _, n, _ := state(padKey); n != "" {
			t.Errorf("the pad offers %s's rating while the next visitor is at the counter", n)
		}
	})
}

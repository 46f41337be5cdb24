package web_test

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/identity"
	"banhao/store"
)

// The findings of the attack on the kiosk (issue 12's security review), one test each.

// kioskSession signs the demo citizen in at the kiosk.
func (h *harness) kioskSession(t *testing.T) identity.ApplicantSession {
	t.Helper()
	return h.kioskSessionOf(t, demo.CitizenID)
}

// logoutForm matches a form that signs the applicant out with their CSRF token, and its button.
var logoutForm = regexp.MustCompile(`(?s)<form method="post" action="/kiosk/logout"[^>]*><input type="hidden" name="csrf" value="([^"]+)"><button[^>]*id="([^"]+)"[^>]*>([^<]*)</button></form>`)

// logoutButtons lists the buttons of the page's sign-out forms (by id and text) that carry the
// session's token.
func logoutButtons(page, csrf string) map[string]string {
	out := map[string]string{}
	for _, m := range logoutForm.FindAllStringSubmatch(page, -1) {
		if m[1] == csrf {
			out[m[2]] = m[3]
		}
	}
	return out
}

// TestSecurityKioskFinishSignsOut (finding 1): at the kiosk, finishing signs out. The ticket
// screen's 完成 ends the session on the server (a CSRF-guarded POST), after which neither /kiosk
// nor /kiosk/home shows the person; the signed-in home offers 退出登录 in its content, and
// 返回首页 while signed in names what it is (我的首页). A certificate prints from the kiosk's own
// frame: the PDF is inline and not cached, never a download left on the terminal.
func TestSecurityKioskFinishSignsOut(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		sess := h.kioskSession(t)

		resp, home := h.citizenDo(t, sess, "GET", "/kiosk/home", nil)
		main := home[strings.Index(home, "<main"):]
		if resp.StatusCode != 200 || !strings.Contains(logoutButtons(main, sess.CSRF)["kiosk-done"], "退出登录") {
			t.Errorf("the signed-in kiosk home: %d, 退出登录 in its content: %q", resp.StatusCode, logoutButtons(main, sess.CSRF))
		}
		if !strings.Contains(home, `href="/kiosk/home" id="kiosk-home-link">我的首页</a>`) {
			t.Error("signed in, the top bar's home link does not say it stays in the account (我的首页)")
		}

		// Certificates print in the kiosk's frame.
		held, err := h.certs.HeldBy(context.Background(), sess)
		if err != nil || len(held) == 0 {
			t.Fatalf("the citizen holds no certificate (%v)", err)
		}
		c := held[0]
		printPage := "/kiosk/certificates/" + c.ID + "/print"
		if !strings.Contains(home, `href="`+printPage+`"`) || strings.Contains(home, `href="/kiosk/certificates/`+c.ID+`/pdf"`) {
			t.Errorf("the home's 打印 does not open the kiosk's print screen for %s", c.ID)
		}
		resp, page := h.citizenDo(t, sess, "GET", printPage, nil)
		pdf := "/kiosk/certificates/" + c.ID + "/pdf"
		if resp.StatusCode != 200 || !strings.Contains(page, `<iframe class="k-doc" id="kiosk-print-frame"`) || !strings.Contains(page, `src="`+pdf+`"`) ||
			!strings.Contains(page, `data-print-frame="kiosk-print-frame"`) {
			t.Errorf("the certificate's print screen: %d, frame %v", resp.StatusCode, strings.Contains(page, pdf))
		}
		resp, body := h.citizenDo(t, sess, "GET", pdf, nil)
		disp, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || disp != "inline" || resp.Header.Get("Cache-Control") != "no-store" ||
			!strings.HasPrefix(body, "%PDF") {
			t.Errorf("the kiosk's certificate PDF: %d %s, %q, Cache-Control %q", resp.StatusCode, resp.Header.Get("Content-Type"),
				resp.Header.Get("Content-Disposition"), resp.Header.Get("Cache-Control"))
		}
		// The online hall still hands the certificate over as a download.
		online := h.citizenSession(t)
		if resp, _ := h.citizenDo(t, online, "GET", "/my/certificates/"+c.ID+"/pdf", nil); !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("the online hall's certificate: %q, want a download", resp.Header.Get("Content-Disposition"))
		}

		// A ticket taken with the account; the ticket screen's 完成 signs out.
		resp, _ = h.citizenDo(t, sess, "POST", "/kiosk/ticket", url.Values{"service": {demo.ServiceCode("E")}, "token": {"finish"}})
		ticket := resp.Header.Get("Location")
		if resp.StatusCode != 303 || !strings.HasPrefix(ticket, "/kiosk/tickets/") {
			t.Fatalf("take a ticket signed in: %d → %q", resp.StatusCode, ticket)
		}
		resp, page = h.citizenDo(t, sess, "GET", ticket, nil)
		if done := logoutButtons(page, sess.CSRF)["kiosk-ticket-done"]; resp.StatusCode != 200 || !strings.Contains(done, "完成") {
			t.Errorf("the ticket screen's 完成 does not sign out: %q", logoutButtons(page, sess.CSRF))
		}
		if strings.Contains(page, `href="/kiosk" id="kiosk-ticket-done"`) {
			t.Error("signed in, the ticket screen's 完成 is a link that keeps the session")
		}
		if resp, _ := h.citizenDo(t, sess, "POST", "/kiosk/logout", url.Values{}); resp.StatusCode != 303 || resp.Header.Get("Location") != "/kiosk" {
			t.Fatalf("完成: %d → %q, want the start screen", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, page = h.citizenDo(t, sess, "GET", "/kiosk", nil)
		if resp.StatusCode != 200 || strings.Contains(page, demo.CitizenName) {
			t.Errorf("/kiosk after 完成: %d, shows the name: %v", resp.StatusCode, strings.Contains(page, demo.CitizenName))
		}
		if resp, _ := h.citizenDo(t, sess, "GET", "/kiosk/home", nil); resp.StatusCode != 303 || resp.Header.Get("Location") != "/kiosk?expired=1" {
			t.Errorf("/kiosk/home after 完成: %d → %q, want the session ended", resp.StatusCode, resp.Header.Get("Location"))
		}

		// Without a session the ticket screen's 完成 is a plain way home.
		if _, page, _ := call(t, nil, "GET", h.ts.URL+ticket, "", nil); !strings.Contains(page, `href="/kiosk" id="kiosk-ticket-done"`) {
			t.Error("the anonymous ticket screen has no 完成, 返回首页")
		}
	})
}

// returnPathAttacks leave the given directory once a browser (or http.Redirect) resolves them.
func returnPathAttacks(dir string) []string {
	return []string{
		dir + "/../admin/users", dir + "/%2e%2e/admin/users", dir + "/%2E%2E/admin", dir + "/.%2e/admin", dir + "/%2e./admin",
		dir + "/..", dir + "/x/../../admin", dir + "/./../admin", dir + "/..%2fadmin", dir + "/%2e%2e%2fadmin", dir + "/..%5cadmin",
		dir + "/..\\admin", dir + "//evil.example", dir + "/%2f%2fevil.example", dir + "/../../evil.example", dir + "/..?x=1",
	}
}

// TestSecurityReturnPathDotSegments (finding 2): the return path after a sign-in stays in its
// pages once dot segments are resolved, plain or percent-encoded — at the kiosk (/kiosk/…) and
// in the online hall (/my…); ordinary return paths still work.
func TestSecurityReturnPathDotSegments(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	signedIn := h.kioskSession(t)
	item := h.itemNamed(t, "个体工商户设立登记")
	kioskKept := "/kiosk/apply/" + item
	for _, next := range append(returnPathAttacks("/kiosk"), kioskKept) {
		want := "/kiosk/home"
		if next == kioskKept {
			want = kioskKept
		}
		// Already signed in: /kiosk?next= goes on at once.
		resp, _ := h.citizenDo(t, signedIn, "GET", "/kiosk?next="+url.QueryEscape(next), nil)
		if resp.StatusCode != 303 || resp.Header.Get("Location") != want {
			t.Errorf("signed in, /kiosk?next=%s: %d → %q, want %s", next, resp.StatusCode, resp.Header.Get("Location"), want)
		}
		// The start screen carries only a kept path; the sign-in returns to it.
		_, page, _ := call(t, nil, "GET", h.ts.URL+"/kiosk?next="+url.QueryEscape(next), "", nil)
		if carried := strings.Contains(page, `name="next"`); carried != (next == kioskKept) {
			t.Errorf("the start screen with next=%s carries it: %v", next, carried)
		}
		code := h.freshCode(t, demo.CitizenID)
		st, _, hdr := call(t, nil, "POST", h.ts.URL+"/kiosk/login", url.Values{"id_number": {demo.CitizenID}, "code": {code}, "next": {next}}.Encode(), form)
		if st != 303 || hdr.Get("Location") != want {
			t.Errorf("kiosk sign-in with next=%s: %d → %q, want %s", next, st, hdr.Get("Location"), want)
		}
	}
	myKept := "/my/cases/371600-20260101-00001?x=1"
	for _, next := range append(returnPathAttacks("/my"), myKept, "/my") {
		want := "/my"
		if next == myKept {
			want = myKept
		}
		_, page, _ := call(t, nil, "GET", h.ts.URL+"/my/login?next="+url.QueryEscape(next), "", nil)
		if m := nextField.FindStringSubmatch(page); m == nil || m[1] != want {
			t.Errorf("/my/login?next=%s: the form returns to %q, want %q", next, m, want)
		}
		code := h.freshCode(t, demo.CitizenID)
		st, _, hdr := call(t, nil, "POST", h.ts.URL+"/my/login", url.Values{"id_number": {demo.CitizenID}, "code": {code}, "next": {next}}.Encode(), form)
		if st != 303 || hdr.Get("Location") != want {
			t.Errorf("online sign-in with next=%s: %d → %q, want %s", next, st, hdr.Get("Location"), want)
		}
	}
}

// TestSecurityRetryAfterOnPages (finding 3): every page that answers 429 says when to try
// again, as the API does: the kiosk's and the hall's ticket screens, and the kiosk's code request.
func TestSecurityRetryAfterOnPages(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	take := url.Values{"service": {demo.ServiceCode("E")}}.Encode()
	for i := range 30 {
		if st, b, _ := call(t, nil, "POST", h.ts.URL+"/kiosk/take", take, form); st != 303 {
			t.Fatalf("anonymous kiosk ticket %d: %d %.200s", i+1, st, b)
		}
	}
	retry := func(what string, st int, hdr http.Header) {
		t.Helper()
		if secs, err := strconv.Atoi(hdr.Get("Retry-After")); st != 429 || err != nil || secs < 1 {
			t.Errorf("%s: %d with Retry-After %q, want 429 with the seconds to wait", what, st, hdr.Get("Retry-After"))
		}
	}
	st, _, hdr := call(t, nil, "POST", h.ts.URL+"/kiosk/take", take, form)
	retry("the kiosk's ticket screen over the limit", st, hdr)
	st, _, hdr = call(t, nil, "POST", h.ts.URL+"/hall/"+demo.HallID+"/take", take, form)
	retry("the hall's ticket screen over the limit", st, hdr)

	code := url.Values{"id_number": {demo.CitizenID}}.Encode()
	if st, b, _ := call(t, nil, "POST", h.ts.URL+"/kiosk/code", code, form); st != 200 {
		t.Fatalf("a code at the kiosk: %d %.200s", st, b)
	}
	st, _, hdr = call(t, nil, "POST", h.ts.URL+"/kiosk/code", code, form)
	retry("a second code within the minute", st, hdr)
}

// TestSecurityCitizenPagesNotCached (finding 4): nothing sent to a signed-in applicant is
// cached — /my and the kiosk, pages, papers and refusals — nor the kiosk's ticket screen, so Back
// after signing out shows nothing of the person before.
func TestSecurityCitizenPagesNotCached(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	number := h.decidedCase(t)
	online, kiosk := h.citizenSession(t), h.kioskSession(t)
	held, err := h.certs.HeldBy(context.Background(), online)
	if err != nil || len(held) == 0 {
		t.Fatalf("the citizen holds no certificate (%v)", err)
	}
	item := h.itemNamed(t, "个体工商户设立登记")
	for _, c := range []struct {
		sess identity.ApplicantSession
		path string
	}{
		{online, "/my"}, {online, "/my/cases/" + number}, {online, "/my/certificates/" + held[0].ID}, {online, "/my/apply/" + item},
		{online, "/my/cases/" + number + "/notices/acceptance.pdf"}, {online, "/my/cases/NOPE"},
		{kiosk, "/kiosk/home"}, {kiosk, "/kiosk/cases/" + number}, {kiosk, "/kiosk/ticket"}, {kiosk, "/kiosk/apply/" + item},
		{kiosk, "/kiosk/guide/" + item}, {kiosk, "/kiosk/find"}, {kiosk, "/my"},
	} {
		resp, _ := h.citizenDo(t, c.sess, "GET", c.path, nil)
		if cc := resp.Header.Get("Cache-Control"); resp.StatusCode >= 500 || cc != "no-store" {
			t.Errorf("%s session, %s: %d, Cache-Control %q, want no-store", c.sess.Channel, c.path, resp.StatusCode, cc)
		}
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	_, _, hdr := call(t, nil, "POST", h.ts.URL+"/kiosk/take", url.Values{"service": {demo.ServiceCode("E")}}.Encode(), form)
	if _, _, hdr := call(t, nil, "GET", h.ts.URL+hdr.Get("Location"), "", nil); hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("the kiosk's ticket screen: Cache-Control %q, want no-store", hdr.Get("Cache-Control"))
	}
}

// TestSecurityKioskCaseNotices (finding 5): at the kiosk the case page's notices open at the
// kiosk (its route for the citizen's own case, inline in the print frame, not cached); errors a
// kiosk session meets — on a kiosk page or on a /my link — are shown in the kiosk's frame, with
// no website navigation or staff sign-in.
func TestSecurityKioskCaseNotices(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		number := h.decidedCase(t)
		kiosk := h.kioskSession(t)
		resp, page := h.citizenDo(t, kiosk, "GET", "/kiosk/cases/"+number, nil)
		if resp.StatusCode != 200 || strings.Contains(page, `href="/my/`) {
			t.Errorf("the kiosk's case page: %d, links into /my: %v", resp.StatusCode, strings.Contains(page, `href="/my/`))
		}
		for _, kind := range []string{"acceptance", "decision"} {
			view := "/kiosk/cases/" + number + "/notices/" + kind
			if !strings.Contains(page, `href="`+view+`"`) {
				t.Errorf("the kiosk's case page has no %s notice at the kiosk", kind)
				continue
			}
			resp, shown := h.citizenDo(t, kiosk, "GET", view, nil)
			if resp.StatusCode != 200 || !strings.Contains(shown, `class="k-body"`) || !strings.Contains(shown, `src="`+view+`/pdf"`) ||
				!strings.Contains(shown, `data-print-frame="kiosk-print-frame"`) {
				t.Errorf("the %s notice at the kiosk: %d, in a print frame: %v", kind, resp.StatusCode, strings.Contains(shown, view+"/pdf"))
			}
			resp, body := h.citizenDo(t, kiosk, "GET", view+"/pdf", nil)
			disp, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || disp != "inline" || resp.Header.Get("Cache-Control") != "no-store" ||
				!strings.HasPrefix(body, "%PDF") {
				t.Errorf("the %s notice's PDF at the kiosk: %d %s %q %q", kind, resp.StatusCode, resp.Header.Get("Content-Type"),
					resp.Header.Get("Content-Disposition"), resp.Header.Get("Cache-Control"))
			}
		}
		// Someone else's case, or a notice the case does not have: not found, on the kiosk's frame.
		other := h.kioskSessionOf(t, demo.CompanyCode)
		for _, c := range []struct {
			sess   identity.ApplicantSession
			path   string
			status int
		}{
			{other, "/kiosk/cases/" + number + "/notices/acceptance", 404},
			{other, "/kiosk/cases/" + number + "/notices/acceptance/pdf", 404},
			{kiosk, "/kiosk/cases/" + number + "/notices/rejection", 404},
			{kiosk, "/kiosk/cases/NOPE", 404},
			{kiosk, "/kiosk/no-such-page", 404},
			{kiosk, "/my/cases/" + number + "/notices/acceptance.pdf", 403},
			{kiosk, "/my/cases/" + number, 403},
		} {
			resp, page := h.citizenDo(t, c.sess, "GET", c.path, nil)
			staffOrSite := strings.Contains(page, `href="/login"`) || strings.Contains(page, `aria-label="主导航"`)
			if resp.StatusCode != c.status || !strings.Contains(page, `class="k-body"`) || staffOrSite {
				t.Errorf("%s: %d (want %d), kiosk frame %v, website navigation or staff sign-in %v", c.path, resp.StatusCode, c.status,
					strings.Contains(page, `class="k-body"`), staffOrSite)
			}
		}
	})
}

// kioskSessionOf signs an applicant in at the kiosk.
func (h *harness) kioskSessionOf(t *testing.T, idNumber string) identity.ApplicantSession {
	t.Helper()
	sess, err := h.people.SignIn(context.Background(), idNumber, h.freshCode(t, idNumber), identity.ChannelKiosk, "")
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

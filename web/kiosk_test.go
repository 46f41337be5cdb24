package web_test

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/store"
)

// TestKioskTicketWithoutSignIn: 不登录，直接取号 stays in the kiosk — the ticket is shown on a
// kiosk page, never the website's hall — and spends the kiosk's budget: an unregistered browser
// the address's (30, then 429 on the kiosk's own page in Chinese), a registered kiosk its own
// (its device cookie); a second tap on the same screen takes no second ticket.
func TestKioskTicketWithoutSignIn(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		line := demo.ServiceCode("E")
		form := func(token string) string {
			return url.Values{"service": {line}, "token": {token}}.Encode()
		}
		formHeader := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
		take := h.ts.URL + "/kiosk/take"

		st, page, _ := call(t, nil, "GET", take, "", nil)
		if st != 200 || !strings.Contains(page, `value="`+line+`"`) || strings.Contains(page, `href="/login"`) || strings.Contains(page, `href="/hall`) {
			t.Fatalf("the kiosk's ticket screen: %d, with the line %v, leaves the kiosk %v", st, strings.Contains(page, line),
				strings.Contains(page, `href="/login"`) || strings.Contains(page, `href="/hall`))
		}
		st, _, hdr := call(t, nil, "POST", take, form("same-screen"), formHeader)
		first := hdr.Get("Location")
		if st != 303 || !strings.HasPrefix(first, "/kiosk/tickets/") {
			t.Fatalf("take a ticket at the kiosk: %d → %q, want the kiosk's ticket page", st, first)
		}
		if _, _, hdr := call(t, nil, "POST", take, form("same-screen"), formHeader); hdr.Get("Location") != first {
			t.Errorf("a second tap on the same screen: %q, want the same ticket %q", hdr.Get("Location"), first)
		}
		tk, err := h.queue.Get(t.Context(), strings.TrimPrefix(first, "/kiosk/tickets/"), "")
		if err != nil || tk.Source != "kiosk" || tk.Service != line {
			t.Fatalf("the ticket: %+v %v", tk, err)
		}
		st, page, _ = call(t, nil, "GET", h.ts.URL+first, "", nil)
		if st != 200 || !strings.Contains(page, tk.Number) || !strings.Contains(page, tk.ServiceName) || !strings.Contains(page, "/tickets/"+tk.ID) {
			t.Fatalf("the kiosk's ticket page: %d, shows the number %v, the line %v, the phone link %v", st,
				strings.Contains(page, tk.Number), strings.Contains(page, tk.ServiceName), strings.Contains(page, "/tickets/"+tk.ID))
		}

		// The address's budget: 30 in all (the first above), then the kiosk says why in Chinese.
		for i := 2; i <= 30; i++ {
			if st, b, _ := call(t, nil, "POST", take, form(""), formHeader); st != 303 {
				t.Fatalf("anonymous kiosk ticket %d: %d %.200s", i, st, b)
			}
		}
		st, page, _ = call(t, nil, "POST", take, form(""), formHeader)
		if st != 429 || !strings.Contains(page, `id="kiosk-take-error"`) || !strings.Contains(page, "取号") || !strings.Contains(page, "k-body") {
			t.Fatalf("the 31st ticket from one address: %d, want 429 on the kiosk's page with the reason", st)
		}

		// A registered kiosk (its cookie) has its own, larger budget.
		kiosk := h.enrollDevice(t, `{"kind":"kiosk","name":"1号自助取号机"}`)
		device := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": "banhao_device=" + kiosk}
		for i := range 40 {
			if st, b, hdr := call(t, nil, "POST", take, form(""), device); st != 303 || !strings.HasPrefix(hdr.Get("Location"), "/kiosk/tickets/") {
				t.Fatalf("registered kiosk ticket %d: %d %.200s", i+1, st, b)
			}
		}
	})
}

// TestKioskSignInFromGuide: 刷身份证登录后在线申请 on a guide comes back to that item's form after
// the sign-in; a next= that leaves the kiosk is ignored. The guide's notice is shown inline.
func TestKioskSignInFromGuide(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	item := h.itemNamed(t, "个体工商户设立登记")
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	st, page, _ := call(t, nil, "GET", h.ts.URL+"/kiosk/guide/"+url.PathEscape(item), "", nil)
	apply := "/kiosk/apply/" + item
	if st != 200 || !strings.Contains(page, `href="/kiosk?next=`+apply+`"`) {
		t.Fatalf("the guide: %d, offers sign-in then apply: %v", st, strings.Contains(page, "/kiosk?next="))
	}
	for next, want := range map[string]string{apply: apply, "https://evil.example/": "/kiosk/home", "/my": "/kiosk/home"} {
		st, page, _ := call(t, nil, "GET", h.ts.URL+"/kiosk?next="+url.QueryEscape(next), "", nil)
		if carried := strings.Contains(page, `name="next"`); st != 200 || carried != (want == apply) {
			t.Errorf("start screen with next=%s: %d, carries it: %v", next, st, carried)
		}
		code := h.freshCode(t, demo.CitizenID)
		st, _, hdr := call(t, nil, "POST", h.ts.URL+"/kiosk/login", url.Values{"id_number": {demo.CitizenID}, "code": {code}, "next": {next}}.Encode(), form)
		if st != 303 || hdr.Get("Location") != want {
			t.Errorf("sign-in with next=%s: %d → %q, want %s", next, st, hdr.Get("Location"), want)
		}
	}

	dir := t.TempDir()
	resp, err := http.Get(h.ts.URL + "/kiosk/guide/" + url.PathEscape(item) + "/notice.pdf")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline") {
		t.Fatalf("the kiosk's notice: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	path := filepath.Join(dir, "notice.pdf")
	b, _ := io.ReadAll(resp.Body)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if text := pdfToText(t, path); !strings.Contains(text, "个体工商户设立登记") || !strings.Contains(text, "一次性告知") {
		t.Errorf("the notice reads %.300q", text)
	}
}

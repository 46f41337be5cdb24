package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/identity"
	"banhao/ids"
	"banhao/store"
)

// kioskTestID is a well-formed ID number that no demo account has, one per n.
func kioskTestID(n int) string {
	first := fmt.Sprintf("37160219850101%03d", n)
	c, _ := ids.IDNumberCheck(first)
	return first + string(c)
}

// askCode asks for a sign-in code at /kiosk/code from a client address, with the kiosk's device
// cookie when key is set.
func (h *harness) askCode(addr, key, id string) (int, string, http.Header) {
	var cookie *http.Cookie
	if key != "" {
		cookie = &http.Cookie{Name: "banhao_device", Value: key}
	}
	rec := h.fromWith(addr, cookie, "POST", "/kiosk/code", url.Values{"id_number": {id}})
	return rec.Code, rec.Body.String(), rec.Header()
}

// codeStep: the page asks for the texted code (its field and keypad).
func codeStep(page string) bool {
	return strings.Contains(page, `id="code"`) || strings.Contains(page, "请输入短信验证码")
}

// refusedOnIDStep checks a refused code request as the person sees it: 429 with the time to
// wait, still on the ID step with the number they typed, the reason, and a ticket without
// signing in on offer.
func refusedOnIDStep(t *testing.T, what string, st int, page string, hdr http.Header, id string) {
	t.Helper()
	if secs, err := strconv.Atoi(hdr.Get("Retry-After")); st != 429 || err != nil || secs < 1 {
		t.Errorf("%s: %d with Retry-After %q, want 429 with the seconds to wait", what, st, hdr.Get("Retry-After"))
	}
	if codeStep(page) {
		t.Errorf("%s: the page asks for a code that was not sent", what)
	}
	for _, want := range []string{`id="kiosk-error"`, `id="id_number"`, `value="` + id + `"`, `href="/kiosk/take" id="kiosk-error-take"`, "后再试"} {
		if !strings.Contains(page, want) {
			t.Errorf("%s: the ID step lacks %s", what, want)
		}
	}
}

// TestKioskCodesAtRegisteredKiosk: a registered kiosk (its device cookie) asks for codes from its
// own budget: fifteen people in a row — more than one address may ask for — all reach the code
// step, and the website at the kiosk's address is not blocked by them. Each number's own limit
// still holds at the kiosk: a second code within the minute is refused on the ID step.
func TestKioskCodesAtRegisteredKiosk(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		key := h.enrollDevice(t, `{"kind":"kiosk","name":"24小时自助终端"}`)
		const hall = "198.51.100.20"
		n := identity.CodesPerAddress + 5
		for i := range n {
			if st, page, _ := h.askCode(hall, key, kioskTestID(i)); st != 200 || !codeStep(page) {
				t.Fatalf("person %d of %d at the registered kiosk: %d, code step %v", i+1, n, st, codeStep(page))
			}
		}
		if rec := h.from(hall, "POST", "/my/code", url.Values{"id_number": {kioskTestID(900)}}); rec.Code == 429 {
			t.Errorf("the website at the kiosk's address after %d kiosk sign-ins: 429 %s", n, rec.Header().Get("Retry-After"))
		}
		// The demo citizen, who has an account, gets a code at the kiosk; the same number again
		// within the minute is refused by the number's own limit.
		if st, page, _ := h.askCode(hall, key, demo.CitizenID); st != 200 || !codeStep(page) {
			t.Fatalf("the citizen at the kiosk: %d, code step %v", st, codeStep(page))
		}
		st, page, hdr := h.askCode(hall, key, demo.CitizenID)
		refusedOnIDStep(t, "a second code for one number within the minute at a registered kiosk", st, page, hdr, demo.CitizenID)
	})
}

// TestKioskCodesAddressLimit: a browser at /kiosk that is not a registered kiosk keeps the
// address's budget — CodesPerAddress numbers (a mistyped one costs nothing), then one every six minutes —
// and the refused request stays on the ID step with the number kept, never the code step.
func TestKioskCodesAddressLimit(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	const addr = "198.51.100.30"
	// A mistyped number is refused as such, and costs nothing (docs/SECURITY.md).
	if st, page, _ := h.askCode(addr, "", "37160219850101"); st != 400 || codeStep(page) || !strings.Contains(page, "您输入了 14 位") {
		t.Fatalf("a mistyped number: %d, code step %v", st, codeStep(page))
	}
	for i := 1; i <= identity.CodesPerAddress; i++ {
		if st, page, _ := h.askCode(addr, "", kioskTestID(i)); st != 200 || !codeStep(page) {
			t.Fatalf("request %d from one address: %d, code step %v", i, st, codeStep(page))
		}
	}
	id := kioskTestID(50)
	st, page, hdr := h.askCode(addr, "", id)
	refusedOnIDStep(t, fmt.Sprintf("request %d from one address", identity.CodesPerAddress+1), st, page, hdr, id)
	if got := hdr.Get("Retry-After"); got != "360" { // docs/SECURITY.md: then one every 6 minutes
		t.Errorf("the address's Retry-After: %q, want 360 (one every 6 minutes)", got)
	}
	if !strings.Contains(page, "6 分钟后再试") {
		t.Errorf("the refusal does not say how long to wait:\n%s", page)
	}
	// Another address is not affected.
	if st, page, _ := h.askCode("198.51.100.31", "", id); st != 200 || !codeStep(page) {
		t.Errorf("another address: %d, code step %v", st, codeStep(page))
	}
}

// TestKioskCodeNoAccountWording: the code step says honestly what happens without an account —
// the same words for a number with and without one — and offers another number, a ticket
// without signing in and the guides.
func TestKioskCodeNoAccountWording(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	key := h.enrollDevice(t, `{"kind":"kiosk","name":"24小时自助终端"}`)
	unknown := kioskTestID(7)
	st, page, _ := h.askCode("198.51.100.40", key, unknown)
	if st != 200 || !codeStep(page) {
		t.Fatalf("a number without an account: %d, code step %v", st, codeStep(page))
	}
	for _, want := range []string{"如该证件号码已开通账户，验证码已发送到登记的手机", "未开户的，请到综合窗口开户；也可以不登录，直接取号或查看办事指南。",
		`id="kiosk-reenter"`, `href="/kiosk/take" id="kiosk-code-take"`, `href="/kiosk/sections" id="kiosk-code-guide"`, "重新输入"} {
		if !strings.Contains(page, want) {
			t.Errorf("the code step lacks %s", want)
		}
	}
	_, known, _ := h.askCode("198.51.100.40", key, demo.CitizenID)
	if strings.ReplaceAll(known, demo.CitizenID, "ID") != strings.ReplaceAll(page, unknown, "ID") {
		t.Errorf("the code step differs for a number with an account:\n%s\n---\n%s", known, page)
	}
}

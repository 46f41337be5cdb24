package web_test

import (
	"context"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// actionForms are the ids and actions of the case page's action forms.
var actionForms = []string{`id="do-accept"`, `id="do-supply"`, `id="do-deliver"`, `id="do-decide"`, `id="do-claim"`, `id="do-release"`,
	`/withdraw"`, `/suspend"`, `/extend"`, `/resume"`, `id="repay-form"`}

// TestCasePageOffersWhatTheRuleAllows: the case page shows the action forms cases.Allowed gives,
// and the API refuses the actions it does not: an approver of another department and a clerk of
// another center see no form and are refused (403); a colleague of the officer who holds the case
// sees no decision form and is refused (409); a supervisor sees the case and no form.
func TestCasePageOffersWhatTheRuleAllows(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		clerk, approver := h.sessions[identity.Clerk], h.sessions[identity.Approver]
		number, _ := h.windowCase(t, h.uploadAs(t, &clerk, "a.pdf", onePDF))
		if _, err := h.cases.Act(ctx, clerk.User.Actor(), number, cases.AcceptInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.ids.AddUser(ctx, audit.System, identity.NewUser{Username: "approver_xzsp2", Password: "correct-horse-9", Role: identity.Approver, Department: "XZSP"}); err != nil {
			t.Fatal(err)
		}
		colleague, err := h.ids.Login(ctx, "approver_xzsp2", "correct-horse-9", "127.0.0.1", identity.KindWeb)
		if err != nil {
			t.Fatal(err)
		}
		farClerk := h.staffAt(t, "clerk_far", identity.Clerk, "ZWFW-371603")
		formsOf := func(sess identity.Session) (int, []string) {
			t.Helper()
			st, page := h.pageOf(t, sess, "/cases/"+number)
			var shown []string
			for _, f := range actionForms {
				if strings.Contains(page, f) {
					shown = append(shown, f)
				}
			}
			return st, shown
		}
		decide := func(sess identity.Session) int {
			t.Helper()
			resp := h.do(t, "POST", "/api/v1/cases/"+number+"/decide", web.API, &sess, strings.NewReader(`{"decision":"approved"}`), "application/json")
			return resp.StatusCode
		}
		// The department's approver: decide, suspend, claim (the item allows no extension or does).
		if st, shown := formsOf(approver); st != 200 || !strings.Contains(strings.Join(shown, " "), `id="do-decide"`) || !strings.Contains(strings.Join(shown, " "), `id="do-claim"`) {
			t.Fatalf("the department's approver: %d %v", st, shown)
		}
		// The window, on an accepted case: withdraw (and supply, were anything open), never a decision.
		if st, shown := formsOf(clerk); st != 200 || strings.Contains(strings.Join(shown, " "), "do-decide") || strings.Contains(strings.Join(shown, " "), "do-accept") {
			t.Errorf("the window: %d %v", st, shown)
		}
		if st := decide(clerk); st != 403 {
			t.Errorf("the window deciding: %d, want 403", st)
		}
		for name, sess := range map[string]identity.Session{"another department's approver": h.staffSession(t, "approver_bdc"), "another center's clerk": farClerk} {
			if st, shown := formsOf(sess); st != 403 || len(shown) != 0 {
				t.Errorf("%s: page %d with %v, want 403 and no form", name, st, shown)
			}
		}
		if st := decide(h.staffSession(t, "approver_bdc")); st != 403 {
			t.Errorf("another department's approver deciding: %d, want 403", st)
		}
		farAccept := h.do(t, "POST", "/api/v1/cases/"+number+"/withdraw", web.API, &farClerk, strings.NewReader(`{"reason":"x"}`), "application/json")
		if farAccept.StatusCode != 403 {
			t.Errorf("another center's clerk withdrawing: %d, want 403", farAccept.StatusCode)
		}
		if st, shown := formsOf(h.sessions[identity.Supervisor]); st != 200 || len(shown) != 0 {
			t.Errorf("a supervisor: %d %v, want the case and no form", st, shown)
		}
		if st := decide(h.sessions[identity.Supervisor]); st != 403 {
			t.Errorf("a supervisor deciding: %d, want 403", st)
		}
		// Held by one officer: the colleague sees no form and is refused.
		if _, err := h.cases.Claim(ctx, approver.User.Actor(), number, true); err != nil {
			t.Fatal(err)
		}
		if st, shown := formsOf(colleague); st != 200 || len(shown) != 0 {
			t.Errorf("the holder's colleague: %d %v, want no form", st, shown)
		}
		if st := decide(colleague); st != 409 {
			t.Errorf("the holder's colleague deciding: %d, want 409", st)
		}
		if _, shown := formsOf(approver); !strings.Contains(strings.Join(shown, " "), `id="do-release"`) || strings.Contains(strings.Join(shown, " "), `id="do-claim"`) {
			t.Errorf("the holder: %v, want release, not claim", shown)
		}
	})
}

package cases_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/errs"
	"banhao/identity"
	"banhao/store"
)

// TestGrantCovers: an authorisation covers its item, or every item of its department, from its
// first to its last day, until revoked; the item's own authorisation is chosen first.
func TestGrantCovers(t *testing.T) {
	t.Parallel()
	d := calendar.MustDate
	item := cases.Grant{ID: 1, Username: "c", Department: "GJJ", Item: "C-1", Kind: cases.GrantWindow, StartsOn: d("2026-11-01"), EndsOn: d("2026-11-30")}
	dept := cases.Grant{ID: 2, Username: "c", Department: "GJJ", Kind: cases.GrantChief, StartsOn: d("2026-01-01"), EndsOn: d("2026-12-31")}
	revoked := dept
	now := time.Now()
	revoked.RevokedAt = &now
	for _, tc := range []struct {
		g          cases.Grant
		item, dept string
		day        string
		want       bool
	}{
		{item, "C-1", "GJJ", "2026-11-01", true},
		{item, "C-1", "GJJ", "2026-11-30", true},
		{item, "C-1", "GJJ", "2026-10-31", false},
		{item, "C-1", "GJJ", "2026-12-01", false},
		{item, "C-2", "GJJ", "2026-11-15", false},
		{dept, "C-2", "GJJ", "2026-11-15", true},
		{dept, "C-2", "XZSP", "2026-11-15", false},
		{revoked, "C-2", "GJJ", "2026-11-15", false},
	} {
		if got := tc.g.Covers(tc.item, tc.dept, d(tc.day)); got != tc.want {
			t.Errorf("grant %d covers %s/%s on %s = %v, want %v", tc.g.ID, tc.item, tc.dept, tc.day, got, tc.want)
		}
	}
	if g, ok := cases.CoveringGrant([]cases.Grant{dept, item}, "C-1", "GJJ", d("2026-11-15")); !ok || g.ID != 1 {
		t.Errorf("covering C-1: %d %v, want the item's own authorisation", g.ID, ok)
	}
	if g, ok := cases.CoveringGrant([]cases.Grant{dept, item}, "C-1", "GJJ", d("2026-12-15")); !ok || g.ID != 2 {
		t.Errorf("covering C-1 in December: %d %v, want the department's", g.ID, ok)
	}
	if !strings.Contains(item.Label(), "授权窗口") || !strings.Contains(dept.Label(), "首席代表") || !strings.Contains(dept.Label(), "本部门全部即办事项") {
		t.Errorf("labels: %s / %s", item.Label(), dept.Label())
	}

	immediate := catalog.Item{Code: "C-1", Department: catalog.Ref{Code: "GJJ"}, HandlingMode: catalog.ModeImmediate}
	if g, err := cases.OneStepRule(identity.Clerk, immediate, []cases.Grant{item}, d("2026-11-15")); err != nil || g.ID != 1 {
		t.Errorf("authorised clerk, 即办 item: %v", err)
	}
	if _, err := cases.OneStepRule(identity.Clerk, immediate, nil, d("2026-11-15")); !errs.Is(err, errs.CodeForbidden) {
		t.Errorf("unauthorised clerk: %v", err)
	}
	if _, err := cases.OneStepRule(identity.Approver, immediate, []cases.Grant{item}, d("2026-11-15")); !errs.Is(err, errs.CodeForbidden) {
		t.Errorf("an approver at the window: %v", err)
	}
	approval := immediate
	approval.HandlingMode = catalog.ModeApproval
	if _, err := cases.OneStepRule(identity.Clerk, approval, []cases.Grant{item}, d("2026-11-15")); !errs.Is(err, errs.CodeConflict) || !strings.Contains(err.Error(), "审批") {
		t.Errorf("a 审批 item: %v", err)
	}
}

var gjjApprover = audit.Actor{Username: "approver_gjj", Role: "approver", Department: "GJJ"}

// TestOneStepAtTheWindow: the 公积金 department's approver authorises a clerk for 住房公积金提取
// (即办); the clerk registers, accepts, decides and delivers in one step — every timeline and
// audit entry by the clerk, naming the authorisation — and the decision notice is there at once.
// Another clerk, a 审批 item, an expired or revoked authorisation: the normal path only.
// Who may grant is checked; grants and revocations are audited.
func TestOneStepAtTheWindow(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-11-26", 10)
		e.addAccounts(t, account{name: "clerk", role: "clerk"}, account{name: "clerk2", role: "clerk"}, account{name: "approver_gjj", role: "approver", dept: "GJJ"})
		code, it := e.republish(t, "住房公积金提取（购买住房）", func(it *catalog.Item) { it.HandlingMode = catalog.ModeImmediate })
		file := e.upload(t)
		payForm, _ := json.Marshal(demo.PaymentForm("5000", "6222000011112222", "张三")) // 秒到账: the item pays
		in := cases.CreateInput{Item: code, Applicant: person, Channel: "window", OneStep: &cases.OneStepInput{}, Form: payForm,
			Materials: []cases.MaterialRef{{MaterialID: "m1", FileID: file}, {MaterialID: "m2", FileID: file}, {MaterialID: "m3", FileID: file}}}

		// Not authorised yet: refused, nothing written.
		if _, _, err := e.svc.Create(ctx, clerk, in, ""); !errs.Is(err, errs.CodeForbidden) || !strings.Contains(err.Error(), "窗口授权") {
			t.Fatalf("unauthorised one step: %v", err)
		}
		if n := countCases(t, db); n != 0 {
			t.Fatalf("%d cases after a refused one step", n)
		}

		// Who grants: not a clerk, not another department's approver; the dates and the clerk are checked.
		d := calendar.MustDate
		grant := cases.GrantInput{Username: "clerk", Department: "GJJ", Item: code, Kind: cases.GrantWindow, StartsOn: d("2026-11-01"), EndsOn: d("2027-10-31")}
		if _, err := e.svc.GrantWindow(ctx, clerk, grant); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("a clerk grants: %v", err)
		}
		if _, err := e.svc.GrantWindow(ctx, approver, grant); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("XZSP's approver grants for GJJ: %v", err)
		}
		bad := grant
		bad.EndsOn, bad.Username = d("2026-10-01"), "approver_gjj"
		if _, err := e.svc.GrantWindow(ctx, gjjApprover, bad); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "结束日期") {
			t.Errorf("ends before it starts: %v", err)
		}
		bad.EndsOn = grant.EndsOn
		if _, err := e.svc.GrantWindow(ctx, gjjApprover, bad); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "综合窗口") {
			t.Errorf("an approver as grantee: %v", err)
		}
		other := grant
		other.Item = e.itemCode(t, "企业设立登记")
		if _, err := e.svc.GrantWindow(ctx, gjjApprover, other); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "不属于") {
			t.Errorf("another department's item: %v", err)
		}
		over := grant
		over.StartsOn, over.EndsOn = d("2020-01-01"), d("2020-12-31")
		if _, err := e.svc.GrantWindow(ctx, gjjApprover, over); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "已过") {
			t.Errorf("a grant already over: %v", err)
		}
		loan := grant
		loan.Item = e.itemCode(t, "住房公积金个人住房贷款")
		if _, err := e.svc.GrantWindow(ctx, gjjApprover, loan); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "不是即办") {
			t.Errorf("a grant for an item decided by the department (审批): %v", err)
		}
		g, err := e.svc.GrantWindow(ctx, gjjApprover, grant)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(g.Label(), "“住房公积金提取") || strings.Contains(g.Label(), code) {
			t.Errorf("the authorisation names its item by code, not by name: %s", g.Label())
		}

		c, _, err := e.svc.Create(ctx, clerk, in, "")
		if err != nil {
			t.Fatalf("one step: %v", err)
		}
		if c.Status != cases.Delivered || c.Decision != "approved" || c.DeliveryMethod != "window" || c.DecidedOn == nil || *c.DecidedOn != d("2026-11-26") {
			t.Fatalf("one step: %s %s %s %v", c.Status, c.Decision, c.DeliveryMethod, c.DecidedOn)
		}
		var steps []string
		for _, ev := range c.Timeline {
			steps = append(steps, ev.Action)
			if ev.Actor != "clerk" {
				t.Errorf("%s by %s, want the clerk", ev.Action, ev.Actor)
			}
			if ev.Action != "submit" && !strings.Contains(ev.Detail, g.Label()) {
				t.Errorf("%s does not name the authorisation: %s", ev.Action, ev.Detail)
			}
		}
		if strings.Join(steps, ",") != "submit,accept,decide,payment_order,deliver" {
			t.Errorf("timeline %v", steps)
		}
		entries, _ := e.log.List(ctx, db, audit.Query{ObjectType: "case", ObjectID: c.Number, Limit: 50})
		decided := false
		for _, en := range entries {
			if en.Actor != "clerk" {
				t.Errorf("audit %s by %s", en.Action, en.Actor)
			}
			decided = decided || en.Action == "case.decide" && strings.Contains(string(en.After), "authorisation")
		}
		if !decided {
			t.Error("the audit log's decision does not name the authorisation")
		}
		if n, nc, err := e.svc.IssueNotice(ctx, clerk, c.Number, cases.NoticeDecision); err != nil {
			t.Errorf("decision notice at once: %v", err)
		} else if l, err := e.svc.Letter(ctx, n, nc, "中心", "http://x/verify"); err != nil || strings.Contains(strings.Join(l.Closing, ""), "领取") {
			t.Errorf("the notice of a result handed over at once sends the applicant to collect it: %q %v", l.Closing, err)
		}

		// Another clerk, an item of another mode: the normal path.
		in2 := in
		clerk2 := audit.Actor{Username: "clerk2", Role: "clerk"}
		file2 := e.uploadAs(t, clerk2) // a case takes its actor's own uploads only
		in2.Materials = []cases.MaterialRef{{MaterialID: "m1", FileID: file2}, {MaterialID: "m2", FileID: file2}, {MaterialID: "m3", FileID: file2}}
		if _, _, err := e.svc.Create(ctx, audit.Actor{Username: "clerk2", Role: "clerk"}, in2, ""); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("clerk2: %v", err)
		}
		in2.OneStep, in2.Accept = nil, &cases.AcceptInput{}
		if c2, _, err := e.svc.Create(ctx, audit.Actor{Username: "clerk2", Role: "clerk"}, in2, ""); err != nil || c2.Status != cases.Accepted {
			t.Errorf("clerk2's normal path: %v", err)
		} else if _, err := e.svc.Decide(ctx, audit.Actor{Username: "clerk2", Role: "clerk"}, c2.Number, cases.DecisionInput{Decision: "approved"}); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("clerk2 decides: %v", err)
		}
		it.HandlingMode = catalog.ModeApproval
		if _, err := e.cat.PutItem(ctx, audit.System, it, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Create(ctx, clerk, in, ""); !errs.Is(err, errs.CodeConflict) {
			t.Errorf("a 审批 item in one step: %v", err)
		}
		it.HandlingMode = catalog.ModeImmediate
		if _, err := e.cat.PutItem(ctx, audit.System, it, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}

		// Past its last day, or revoked: no more.
		e.clk.set("2027-11-01", 10)
		if _, _, err := e.svc.Create(ctx, clerk, in, ""); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("after the authorisation ended: %v", err)
		}
		e.clk.set("2026-11-27", 10)
		if _, err := e.svc.RevokeWindowGrant(ctx, approver, g.ID); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("another department revokes: %v", err)
		}
		if _, err := e.svc.RevokeWindowGrant(ctx, gjjApprover, g.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Create(ctx, clerk, in, ""); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("after revocation: %v", err)
		}
		list, err := e.svc.WindowGrants(ctx, gjjApprover)
		if err != nil || len(list) != 1 || list[0].RevokedAt == nil || list[0].RevokedBy != "approver_gjj" {
			t.Errorf("GJJ's authorisations: %+v %v", list, err)
		}
		if mine, _ := e.svc.WindowGrants(ctx, audit.Actor{Username: "clerk2", Role: "clerk"}); len(mine) != 0 {
			t.Errorf("clerk2 sees %d authorisations", len(mine))
		}
		ga, _ := e.log.List(ctx, db, audit.Query{ObjectType: "window_grant", Limit: 10})
		if len(ga) != 2 {
			t.Errorf("%d audit entries for the authorisation, want grant and revoke", len(ga))
		}
	})
}

package cases

import (
	"strings"
	"testing"

	"banhao/audit"
	"banhao/catalog"
	"banhao/errs"
)

// TestAllowed pins who may do what on a case: role and department, the clerk's center, the
// status, the bundle, the holder, the item; each row lists exactly the forms offered.
func TestAllowed(t *testing.T) {
	bundle := "B1"
	clerk := audit.Actor{Username: "clerk", Role: "clerk", Center: "C1"}
	clerk2 := audit.Actor{Username: "clerk2", Role: "clerk", Center: "C2"}      // the 出件地's window
	anywhere := audit.Actor{Username: "clerk0", Role: "clerk"}                  // a one-center installation
	approver := audit.Actor{Username: "ap", Role: "approver", Department: "D1"} // the deciding department
	colleague := audit.Actor{Username: "ap2", Role: "approver", Department: "D1"}
	outsider := audit.Actor{Username: "ap3", Role: "approver", Department: "D9"}
	supervisor := audit.Actor{Username: "sup", Role: "supervisor"}
	base := Case{Department: catalog.Ref{Code: "D1"}, AcceptedCenter: "C1", DeliveryCenter: "C2", DeliveryCenterName: "乙中心"}
	with := func(st Status, f func(*Case)) Case {
		c := base
		c.Status = st
		if f != nil {
			f(&c)
		}
		return c
	}
	extensible := catalog.Item{ExtensionAllowed: true}
	held := func(by string) func(*Case) { return func(c *Case) { c.Assignee = by } }
	child := func(c *Case) { c.Bundle, c.parent, c.Parent = &bundle, "P1", "P1" }
	parent := func(c *Case) { c.Bundle = &bundle }
	refused := func(c *Case) { c.Payment = &Payment{Status: PayRefused} }
	tests := []struct {
		name string
		by   audit.Actor
		c    Case
		it   catalog.Item
		want May
	}{
		{"a clerk takes a submitted case in", clerk, with(Submitted, nil), extensible, May{Accept: true, AskCorrect: true, Supply: true, Reject: true, Withdraw: true}},
		{"in correction only materials or a refusal", clerk, with(Correction, nil), extensible, May{Supply: true, Reject: true, Withdraw: true}},
		{"the approver has nothing to do before intake", approver, with(Submitted, nil), extensible, May{Claim: true}},
		{"an approver of the department decides", approver, with(Accepted, nil), extensible, May{Suspend: true, Extend: true, Decide: true, Claim: true}},
		{"no extension where the item allows none", approver, with(Accepted, nil), catalog.Item{}, May{Suspend: true, Decide: true, Claim: true}},
		{"the holder decides and releases", approver, with(Accepted, held("ap")), extensible, May{Suspend: true, Extend: true, Decide: true, Release: true}},
		{"a colleague waits for the holder", colleague, with(Accepted, held("ap")), extensible, May{}},
		{"an approver of another department nothing", outsider, with(Accepted, nil), extensible, May{}},
		{"a supervisor nothing", supervisor, with(Accepted, nil), extensible, May{}},
		{"the window supplies and withdraws while it runs", clerk, with(Accepted, nil), extensible, May{Supply: true, Withdraw: true}},
		{"a suspended case resumes", approver, with(Suspended, nil), extensible, May{Resume: true, Claim: true}},
		{"the 出件地's window hands the result out", clerk2, with(Decided, nil), extensible, May{Deliver: true}},
		{"the 受理地's window does not", clerk, with(Decided, nil), extensible, May{}},
		{"a clerk of no center at any window", anywhere, with(Decided, nil), extensible, May{Deliver: true}},
		{"a clerk of a third center nothing", audit.Actor{Username: "c3", Role: "clerk", Center: "C3"}, with(Submitted, nil), extensible, May{}},
		{"a decided case is claimed by no one", approver, with(Decided, nil), extensible, May{}},
		{"a delivered case is done", clerk2, with(Delivered, nil), extensible, May{}},
		{"a bundle's member is accepted on the bundle", clerk, with(Submitted, child), extensible, May{AskCorrect: true, Supply: true, Reject: true, Withdraw: true}},
		{"a bundle is accepted whole", clerk, with(Submitted, parent), extensible, May{Accept: true, AskCorrect: true}},
		{"a bundle's member is decided by its department", approver, with(Accepted, child), extensible, May{Suspend: true, Extend: true, Decide: true, Claim: true}},
		{"the window corrects a refused payment", clerk2, with(Decided, refused), extensible, May{Deliver: true, ResendPayment: true}},
		{"so does the department", approver, with(Decided, refused), extensible, May{ResendPayment: true}},
		{"not another department", outsider, with(Decided, refused), extensible, May{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Allowed(tt.by, tt.c, tt.it); got != tt.want {
				t.Errorf("Allowed = %+v\nwant      %+v", got, tt.want)
			}
		})
	}
}

// MayAct says why: forbidden for the wrong person, a conflict for the wrong moment.
func TestMayActSaysWhy(t *testing.T) {
	c := Case{Department: catalog.Ref{Code: "D1"}, Status: Accepted, Assignee: "ap", DeliveryCenter: "C2", DeliveryCenterName: "乙中心"}
	for _, tt := range []struct {
		by     audit.Actor
		action Action
		want   errs.Code
		text   string
	}{
		{audit.Actor{Role: "approver", Department: "D9"}, Decide, errs.CodeForbidden, "该办件属于其他部门"},
		{audit.Actor{Role: "clerk"}, Decide, errs.CodeForbidden, "由部门审批人员办理"},
		{audit.Actor{Role: "approver"}, Accept, errs.CodeForbidden, "由综合窗口办理"},
		{audit.Actor{Role: "approver", Department: "D1", Username: "ap2"}, Decide, errs.CodeConflict, "该办件由 ap 办理中"},
		{audit.Actor{Role: "clerk"}, Deliver, errs.CodeConflict, "只有已办结的办件可以出件"},
		{audit.Actor{Role: "system"}, Terminate, "", ""},
	} {
		err := MayAct(tt.by, c, catalog.Item{}, tt.action)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s by %s: %v", tt.action, tt.by.Role, err)
			}
			continue
		}
		e, ok := errs.As(err)
		if !ok || e.Code != tt.want || !strings.Contains(e.Message, tt.text) {
			t.Errorf("%s by %s: %v, want %s %q", tt.action, tt.by.Role, err, tt.want, tt.text)
		}
	}
	c.Status = Decided
	if err := MayAct(audit.Actor{Role: "clerk", Center: "C1"}, c, catalog.Item{}, Deliver); !errs.Is(err, errs.CodeForbidden) {
		t.Errorf("delivery by another center's window: %v", err)
	}
}

package cases

import (
	"testing"

	"banhao/audit"
	"banhao/errs"
)

// TestHolderRuleOnePlace: who holds a case is checked by one rule, for a person's action (mayAct)
// and a step's (step.begin): the back-office actions belong to the holder, naming them; other
// actions and an unheld case are not its business.
func TestHolderRuleOnePlace(t *testing.T) {
	held := Case{Assignee: "approver_a"}
	other, holder := audit.Actor{Username: "approver_b"}, audit.Actor{Username: "approver_a"}
	name := func(u string) string { return "王" + u }
	for _, a := range []Action{Suspend, Resume, Extend, Decide} {
		err := holderRule(other, held, a, name)
		if e, ok := errs.As(err); !ok || e.Code != errs.CodeConflict || e.Message != "该办件由 王approver_a 办理中，请其释放后再操作" {
			t.Errorf("%s by another: %v", a, err)
		}
		if err := holderRule(holder, held, a, name); err != nil {
			t.Errorf("%s by the holder: %v", a, err)
		}
		if err := holderRule(other, Case{}, a, name); err != nil {
			t.Errorf("%s of an unheld case: %v", a, err)
		}
	}
	for _, a := range []Action{Accept, AskCorrect, Supply, Deliver} {
		if err := holderRule(other, held, a, name); err != nil {
			t.Errorf("%s is not the holder's: %v", a, err)
		}
	}
}

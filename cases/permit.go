package cases

import (
	"fmt"

	"banhao/audit"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
)

// May is what one staff member may do on a case now: the forms the case page offers, and no
// other. An action it allows may still be refused for its input (a reason left out, a date too
// late); one it does not allow is refused by the service whatever the input.
type May struct {
	Accept, AskCorrect, Supply, Reject bool // the window, before and at intake
	Suspend, Resume, Extend, Decide    bool // the deciding department
	Deliver, Withdraw                  bool // the window, after the decision; the applicant's withdrawal
	Claim, Release                     bool // the deciding department's officer holds the case
	ResendPayment                      bool // 秒到账: a refused or failed payment corrected and sent again
}

// Allowed is the rule of who may do what on c: MayAct for every action a person takes, the claim
// rule (MayClaim) and the payment rule (MayResendPayment). it is the case's item (its version).
func Allowed(a audit.Actor, c Case, it catalog.Item) May {
	ok := func(action Action) bool { return MayAct(a, c, it, action) == nil }
	may := May{
		Accept: ok(Accept), AskCorrect: ok(AskCorrect), Supply: ok(Supply), Reject: ok(Reject),
		Suspend: ok(Suspend), Resume: ok(Resume), Extend: ok(Extend), Decide: ok(Decide),
		Deliver: ok(Deliver), Withdraw: ok(Withdraw),
		Claim: MayClaim(a, c, true) == nil, Release: MayClaim(a, c, false) == nil,
	}
	if c.Payment != nil && c.Payment.Resendable() {
		may.ResendPayment = MayResendPayment(a, c.Department.Code, c.AcceptedCenter, c.DeliveryCenter) == nil
	}
	return may
}

// MayAct is the rule of whether a may take action on c now, and if not, why: the role and the
// department (Authorize), the center of a clerk's window (AtWindowOf) and of the hand-over
// (DeliversAt), the status (Next), the bundle (bundleRule), who holds the case (a back-office
// action belongs to its holder) and what the item allows (延期). Act applies the same rule
// (mayAct), in the transaction that applies the action; a window authorisation (一柜办结) is not
// considered here.
func MayAct(a audit.Actor, c Case, it catalog.Item, action Action) (err error) {
	defer errs.Wrap(&err, "cases.MayAct")
	return mayAct(a, c, it, action, false, nil)
}

// mayAct is MayAct as Act applies it: oneStep marks a step under a window authorisation (一柜办结)
// that covers c (its holder decides at the window, in place of the department, and hands the
// result out there), and name is how a refusal names the case's holder (nil: by username).
func mayAct(a audit.Actor, c Case, it catalog.Item, action Action, oneStep bool, name func(string) string) error {
	if !oneStep || action != Decide {
		if err := Authorize(a, action, c.Department.Code); err != nil {
			return err
		}
	}
	if !AtWindowOf(a, c.AcceptedCenter, c.DeliveryCenter) {
		return errs.Forbidden("该办件不在本中心受理或出件")
	}
	if action == Deliver && !oneStep && !DeliversAt(a, c.DeliveryCenter) {
		return errs.Forbidden("申请人选择在" + c.DeliveryCenterName + "领取结果，请由该中心窗口出件")
	}
	if _, err := Next(c.Status, action, true); err != nil {
		return err
	}
	if err := bundleRule(c, action, false); err != nil {
		return err
	}
	if err := holderRule(a, c, action, name); err != nil {
		return err
	}
	if action == Extend && !it.ExtensionAllowed {
		return errs.Conflict("该事项不允许延期")
	}
	return nil
}

// holderRule: a back-office action (中止, 恢复, 延期, 决定) belongs to the officer who holds the
// case, if anyone does — for a person's action (mayAct) and for a step a bundle or the system
// takes on a member (step.begin) alike; name tells the holder's name (nil: the username).
func holderRule(a audit.Actor, c Case, action Action, name func(string) string) error {
	switch action {
	case Suspend, Resume, Extend, Decide:
	default:
		return nil
	}
	if c.Assignee != "" && c.Assignee != a.Username {
		return errs.Conflict(fmt.Sprintf("该办件由 %s 办理中，请其释放后再操作", nameOf(name, c.Assignee)))
	}
	return nil
}

// MayClaim is the rule of claiming a case (claim) or releasing it: an approver of its
// department, while the department still has work on it; a case held by another is theirs until
// they release it. Claim applies the same rule (mayClaim).
func MayClaim(a audit.Actor, c Case, claim bool) (err error) {
	defer errs.Wrap(&err, "cases.MayClaim")
	return mayClaim(a, c, claim, nil)
}

// mayClaim is MayClaim, a refusal naming the holder by name (nil: by username).
func mayClaim(a audit.Actor, c Case, claim bool, name func(string) string) error {
	switch {
	case identity.Role(a.Role) != identity.Approver || a.Department != c.Department.Code:
		return errs.Forbidden("只有本部门审批人员可以认领办件")
	case claim && c.Assignee != "" && c.Assignee != a.Username:
		return errs.Conflict(fmt.Sprintf("该办件已由 %s 认领", nameOf(name, c.Assignee)))
	case !Claimable(c.Status):
		return errs.Conflict(fmt.Sprintf("办件%s，无需认领或释放", StatusNames[c.Status]))
	case !claim && c.Assignee != a.Username:
		return errs.Conflict("只能释放自己认领的办件")
	case claim && c.Assignee == a.Username:
		return errs.Conflict("该办件已由您认领")
	}
	return nil
}

// nameOf is username as name tells it (nil: the username itself).
func nameOf(name func(string) string, username string) string {
	if name == nil {
		return username
	}
	return name(username)
}

// bundleRule: a bundle is accepted and delivered as a whole at the window; its children are
// worked by their departments. viaParent marks a child's step run on its bundle's behalf.
func bundleRule(c Case, action Action, viaParent bool) error {
	switch {
	case c.isParent() && action != Accept && action != Deliver && action != AskCorrect:
		return errs.Conflict("一件事的主办件只能整体受理、一次性告知补正和统一出件；其余操作在各事项的子办件上办理")
	case c.parent != "" && !viaParent && (action == Accept || action == Deliver):
		return errs.Conflict(fmt.Sprintf("该办件属于一件事 %s，须在主办件上整体受理、统一出件", c.parent))
	}
	return nil
}

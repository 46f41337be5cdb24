package cases

// sysdelivery.go — a case the system decides (秒批 by its rules, 告知承诺 on the applicant's
// word) for an applicant who applied online is delivered electronically at once: the result —
// the electronic certificate, the 办结通知书 — is on the applicant's own pages (/my) to view and
// download, nobody has to collect it at a window. The applicant keeps the choice: one who chose
// a center (出件地) or the post at application gets paper there, as does every case whose item's
// result cannot be electronic.

import (
	"context"
	"slices"
	"strings"

	"banhao/audit"
	"banhao/calendar"
	"banhao/catalog"
	"banhao/store"
)

// SystemDelivers is the rule: a case decided by the system (bySystem) on an application made
// online (the applicant's own or an agent's) is delivered electronically when the applicant chose
// no 出件地 or post and the item's result may be delivered electronically (an item naming no
// ways takes any). At the window and the kiosk the applicant is in a center: a clerk hands out.
func SystemDelivers(c Case, it catalog.Item, bySystem bool) bool {
	return bySystem && (c.Channel == "online" || c.Channel == "agent") && !c.DeliveryChosen &&
		(len(it.DeliveryMethods) == 0 || slices.Contains(it.DeliveryMethods, "electronic"))
}

// bySystem reports the system's own actors: 系统 and 系统（秒批）.
func bySystem(a audit.Actor) bool { return a == audit.System || a == RulesActor }

// deliverBySystem hands the case number, just approved by the system, out electronically in tx
// when SystemDelivers holds (the decision's text said so already: step.decide); a bundle's
// member goes with its bundle (advanceBundle).
func (s *Service) deliverBySystem(ctx context.Context, tx *store.Tx, number string, cal *calendar.Calendar) error {
	st, err := s.systemStep(ctx, tx, number, cal)
	if err != nil {
		return err
	}
	if st.c.Status != Decided || st.c.Decision != "approved" || st.c.parent != "" || !SystemDelivers(st.c, st.item, true) {
		return nil
	}
	return st.deliver(DeliveryInput{Method: "electronic"})
}

// bundleBySystem reports whether every member of the bundle parent was decided by the system:
// only then is the bundle's result the system's to send (SystemDelivers).
func (s *Service) bundleBySystem(ctx context.Context, tx *store.Tx, parent string) (bool, error) {
	var people int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_events e JOIN cases c ON c.number = e.case_number
		WHERE c.parent_number = ? AND e.action = 'decide' AND e.actor NOT IN (?, ?)`,
		parent, audit.System.Username, RulesActor.Username).Scan(&people)
	return people == 0, err
}

// electronicWords is what the applicant is told of a result delivered electronically.
func electronicWords(result string) string {
	return strings.TrimSpace(result) + "已电子送达，请登录网上办事大厅“我的办事”查看、下载"
}

// SentOnline reports an item whose approvals the system gives at once (秒批 with rules, 告知承诺)
// and whose result may be electronic: its online form offers electronic delivery by default
// (SystemDelivers), a center or the post for those who want paper.
func SentOnline(it catalog.Item) bool {
	decided := it.HandlingMode == catalog.ModeCommitment || it.HandlingMode == catalog.ModeRules && !it.Rules.Empty()
	return decided && (len(it.DeliveryMethods) == 0 || slices.Contains(it.DeliveryMethods, "electronic"))
}

package cases

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"banhao/audit"
	"banhao/catalog"
	"banhao/certs"
	"banhao/errs"
	"banhao/identity"
	"banhao/ids"
	"banhao/store"
)

// 全市通办 makes a second application easy: the same person may apply at a township center for
// what their county's center already has in hand. The window warns — it does not refuse — when
// the applicant whose number is typed has an open case of the same item anywhere in the network
// (the standard item or any region's implementing item of it), by the cases' blind index of the
// ID number (applicant_id_idx): no identity is decrypted to look.

// OpenCase is an applicant's case still in hand: its number, where it was accepted and its status.
type OpenCase struct {
	Number     string `json:"number"`
	ItemName   string `json:"item_name"`
	Center     string `json:"center"`
	CenterName string `json:"center_name"`
	Status     Status `json:"status"`
	StatusName string `json:"status_name"`
	AcceptedOn string `json:"accepted_on,omitempty"`
	// Openable: the clerk who looked may open the case (accepted or handed out at their center:
	// AtWindowOf), so the warning may link to it.
	Openable bool `json:"openable"`
}

// openStatuses are the statuses of a case still in hand (not yet decided, refused or ended).
var openStatuses = []Status{Submitted, Correction, Accepted, Suspended}

// OpenCasesOf lists, for the window about to take item for the applicant idNumber, the
// applicant's open cases of the same item anywhere in the network, newest first (none for a
// number not yet valid). Only a clerk may look, and only for an item the clerk's center accepts
// (NotAcceptedAt); every look-up — found or not — is on the applicant's data-access list (once a
// day per clerk and item), and a clerk's look-ups are limited (OpenCasesLimit): the warning is
// no tool to find out where a person has applied.
func (s *Service) OpenCasesOf(ctx context.Context, viewer audit.Actor, item catalog.Item, idNumber string) (_ []OpenCase, err error) {
	defer errs.Wrap(&err, "cases.OpenCasesOf")
	if identity.Role(viewer.Role) != identity.Clerk {
		return nil, errs.Forbidden("在办件查询仅供窗口受理人员使用")
	}
	id := identity.NormalizeID(idNumber)
	if item.Code == "" || !(ids.ValidIDNumber(id) || ids.ValidCreditCode(id)) {
		return nil, nil
	}
	if notHere, err := s.NotAcceptedAt(ctx, viewer, []string{item.Code}); err != nil {
		return nil, err
	} else if notHere[item.Code] {
		return nil, errs.Conflict("本中心不受理该事项，不查询申请人的在办件")
	}
	if ok, err := s.limits.Spend(ctx, OpenCasesLimit(viewer.Username)); err != nil {
		return nil, fmt.Errorf("cases: open cases: limit: %w", err)
	} else if !ok {
		return nil, errs.TooManyRequestsAfter("在办件查询过于频繁（每人每分钟不超过 10 次），请稍后再试；受理不受影响", time.Minute)
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		return s.certs.RecordLookupOnce(ctx, tx, viewer, id, certs.Access{ObjectType: "case", ObjectID: item.Code,
			ObjectName: "在办件（受理“" + item.Name + "”前）", Purpose: OpenCasesPurpose}, s.today().Time(s.loc))
	})
	if err != nil {
		return nil, fmt.Errorf("cases: open cases before %s: %w", item.Code, err)
	}
	std := cmp.Or(item.StandardCode, item.Code)
	args := []any{s.pii.Index(id), std, std}
	marks := make([]string, len(openStatuses))
	for i, st := range openStatuses {
		marks[i], args = "?", append(args, string(st))
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.number, c.item_name, c.accepted_center, COALESCE(ce.name, ''), c.status, COALESCE(c.accepted_on, ''), c.channel, COALESCE(c.delivery_center, '')
		FROM cases c LEFT JOIN centers ce ON ce.code = c.accepted_center
		WHERE c.applicant_id_idx = ? AND c.item_code IN (SELECT code FROM items WHERE code = ? OR standard_code = ?)
		AND c.status IN (`+strings.Join(marks, ", ")+`) ORDER BY c.submitted_at DESC, c.number DESC LIMIT 10`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: open cases of the applicant for %s: %w", item.Code, err)
	}
	defer rows.Close()
	var out []OpenCase
	for rows.Next() {
		var o OpenCase
		var channel, delivery string
		if err := rows.Scan(&o.Number, &o.ItemName, &o.Center, &o.CenterName, &o.Status, &o.AcceptedOn, &channel, &delivery); err != nil {
			return nil, fmt.Errorf("cases: open cases of the applicant for %s: %w", item.Code, err)
		}
		o.StatusName = StatusNames[o.Status]
		o.Openable = AtWindowOf(viewer, o.Center, delivery)
		switch {
		case o.CenterName != "":
		case o.Center == "" && channel != "window" && channelNames[channel] != "":
			o.CenterName = channelNames[channel] // not yet taken by a center: where it was applied for
		default:
			o.CenterName = s.center // a case of no center: the installation's own
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OpenCasesLimit is a clerk's budget of open-case look-ups: 10 at once, one more every 6 seconds.
func OpenCasesLimit(username string) identity.Bucket {
	return identity.Bucket{Key: "open-cases:" + username, Burst: 10, Every: 6 * time.Second}
}

// OpenCasesPurpose is the purpose on the applicant's data-access list of the window's look-up of
// their open cases of the item about to be taken.
const OpenCasesPurpose = "重复申请核对"

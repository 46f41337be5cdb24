package cases

import (
	"context"
	"fmt"
	"strings"

	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/network"
	"banhao/notify"
	"banhao/store"
)

// What the applicant is told by text message: acceptance, a correction request and the
// decision — what /track and /my promise. The outbox keeps only "case:NUMBER"; the SMS channel
// finds the phone through the case (Phone) when it sends, so no phone number is stored twice.

// Pickup is where the applicant collects a result, in words: the case's 出件地 (its name, its
// address apart), the post, electronic delivery, or the item's own place in a one-center
// installation ("" none). Sent: by post or electronically, nothing to collect. Awaited: the
// paper result is still travelling to the 出件地 (材料流转, transfers.go).
type Pickup struct {
	Place, Address string
	Sent, Awaited  bool
	Online         bool // delivered electronically already: on the applicant's own pages
}

// full is the place with its address.
func (at Pickup) full() string {
	if at.Address == "" {
		return at.Place
	}
	return at.Place + "（" + at.Address + "）"
}

// ApplicantText is the short message an applicant receives for an action on their case, "" for
// an action they are not texted about (the center's own work: claim, release, warnings…).
// due is the promised date (accept), missing the materials' names (correction), at where the
// result is collected (decision).
func ApplicantText(center string, c Case, action Action, due string, missing []string, it catalog.Item, at Pickup) string {
	head := "【" + center + "】您的办件 " + c.Number + " "
	switch action {
	case Accept:
		if d, err := calendar.ParseDate(due); err == nil {
			return head + "已受理，承诺 " + cnDate(d) + "前办结。"
		}
		return head + "已受理。"
	case AskCorrect:
		return head + "需要补正材料：" + strings.Join(missing, "、") + "。请一次补齐后提交，补齐后即予受理。"
	case Decide:
		if c.Decision == "denied" {
			return head + "已作出不予许可（不予办理）决定，理由：" + c.DecisionReason + "。如不服，可依法申请行政复议或者提起行政诉讼。"
		}
		text := head + "已办结，准予办理。"
		if it.Payment != nil { // 秒到账: the money is told apart, when the bank confirms (payments.go)
			return text + "款项将转入您指定的银行账户，到账后另行短信告知。"
		}
		switch {
		case it.ResultName == "":
		case at.Online:
			text += electronicWords(it.ResultName) + "。"
		case at.Awaited: // told again when the paper result has arrived (ArrivedText)
			text += it.ResultName + "送达" + at.Place + "后将短信通知您领取。"
		case at.Sent:
			text += it.ResultName + "将" + at.Place + "。"
		case at.Place != "":
			text += "请领取" + it.ResultName + "，领取地点：" + at.full() + "。"
		default:
			text += "请领取" + it.ResultName + "。"
		}
		return text
	}
	return ""
}

// ArrivedText tells the applicant that the paper result of c has been signed for at its 出件地
// (at) and waits for them there.
func ArrivedText(center string, c Case, it catalog.Item, at Pickup) string {
	what := "办理结果"
	if c.Decision != "denied" && it.ResultName != "" {
		what = it.ResultName
	}
	return "【" + center + "】您的办件 " + c.Number + " 的" + what + "已送达" + at.Place + "，请携带身份证件到" + at.full() + "领取。"
}

// pickup is where the result of c is collected (Pickup), read inside tx: the 出件地's name and
// address from the network's snapshot — the item's own place when it names that center more
// closely, or when the case has none — and whether a paper result is still on its way there.
func (s *Service) pickup(ctx context.Context, tx *store.Tx, c Case, it catalog.Item) (Pickup, error) {
	var at Pickup
	switch {
	case c.DeliveryMethod == "electronic": // sent by the system as it decided (sysdelivery.go)
		at.Place, at.Sent, at.Online = "电子送达", true, true
		return at, nil
	case c.DeliveryCenter == network.ByMail:
		at.Place, at.Sent = "邮寄送达", true
		return at, nil
	case len(it.DeliveryMethods) == 1 && it.DeliveryMethods[0] == "electronic":
		at.Place, at.Sent = "电子送达", true
		return at, nil
	case c.DeliveryCenterName == "" || strings.HasPrefix(it.Where, c.DeliveryCenterName):
		at.Place = it.Where
	default:
		at.Place = c.DeliveryCenterName
		centers, err := s.net.Centers(ctx)
		if err != nil {
			return at, fmt.Errorf("cases: where %s is collected: %w", c.Number, err)
		}
		for _, ce := range centers {
			if ce.Code == c.DeliveryCenter {
				at.Address = ce.Address
			}
		}
	}
	open, err := s.openResults(ctx, tx, c.Number)
	at.Awaited = len(open) > 0
	return at, err
}

// tellApplicant writes the applicant's message for an action on c inside tx, when the case
// has a phone number. Bundle children are not texted: the applicant follows the bundle.
func (s *Service) tellApplicant(ctx context.Context, tx *store.Tx, c Case, action Action, due string, missing []string, it catalog.Item) error {
	if c.phone == "" || c.parent != "" {
		return nil
	}
	var at Pickup
	if action == Decide {
		var err error
		if at, err = s.pickup(ctx, tx, c, it); err != nil {
			return err
		}
	}
	sign := c.AcceptedCenter // acceptance, correction, a denial: where the applicant was received
	if action == Decide && c.Decision != "denied" && !at.Sent {
		sign = c.DeliveryCenter // an approval to collect: where it is collected
	}
	center, err := s.signer(ctx, sign)
	if err != nil {
		return err
	}
	return s.text(ctx, tx, c, "case."+string(action), ApplicantText(center, c, action, due, missing, it, at))
}

// signer is the name that signs a text about a case at center code (【…】): that center's own
// name when it is a county's or township's center the applicant deals with, the installation's
// (BANHAO_CENTER_NAME) for the main center, the post, or none — a one-center installation signs
// as before.
func (s *Service) signer(ctx context.Context, code string) (string, error) {
	if code == "" || code == network.ByMail {
		return s.center, nil
	}
	centers, err := s.net.Centers(ctx)
	if err != nil {
		return "", fmt.Errorf("cases: the center signing a text: %w", err)
	}
	main, _ := network.MainCenter(centers)
	for _, ce := range centers {
		if ce.Code == code && ce.Code != main.Code && ce.Name != "" {
			return ce.Name, nil
		}
	}
	return s.center, nil
}

// tellArrived texts the applicant of case number that its paper result has been signed for at
// the 出件地 (a bundle's applicant once every member's has), while it waits to be collected.
func (s *Service) tellArrived(ctx context.Context, tx *store.Tx, number string) error {
	c, err := s.caseIn(ctx, tx, number, "")
	if err == nil && c.parent != "" { // locked: two members signed for at once see each other's
		c, err = s.caseIn(ctx, tx, c.parent, tx.ForUpdate())
	}
	if err != nil || c.phone == "" || c.Status != Decided {
		return err
	}
	it := catalog.Item{ResultName: "各事项办理结果"}
	if !c.isParent() {
		if it, err = s.ItemOf(ctx, c); err != nil {
			return err
		}
	}
	at, err := s.pickup(ctx, tx, c, it)
	if err != nil || at.Awaited {
		return err
	}
	center, err := s.signer(ctx, c.DeliveryCenter) // the result waits there: the 出件地 signs
	if err != nil {
		return err
	}
	return s.text(ctx, tx, c, "case.result_arrived", ArrivedText(center, c, it, at))
}

// caseIn reads case number inside tx (lock: tx.ForUpdate() or "").
func (s *Service) caseIn(ctx context.Context, tx *store.Tx, number, lock string) (Case, error) {
	var c Case
	err := tx.ReadTogether(ctx, store.Read{Query: `SELECT ` + caseColumns + ` FROM cases WHERE number = ?` + lock, Args: []any{number},
		Row: func(scan func(...any) error) (err error) {
			c, err = s.scan(store.ScanFunc(scan))
			return err
		}})
	if err == nil && c.Number == "" {
		err = errs.NotFound("办件", number)
	}
	if err != nil {
		return c, fmt.Errorf("cases: read %s: %w", number, err)
	}
	return c, nil
}

// text writes a message to the applicant of c to the outbox, inside tx ("" none).
func (s *Service) text(ctx context.Context, tx *store.Tx, c Case, event, text string) error {
	if text == "" {
		return nil
	}
	return s.outbox.Add(ctx, tx, notify.Message{Recipient: "case:" + c.Number, Event: event, Subject: text, Body: text,
		Payload: map[string]any{"case": c.Number}})
}

// Phone resolves an outbox recipient "case:NUMBER" to the applicant's phone number (the SMS
// channel calls it when sending).
func (s *Service) Phone(ctx context.Context, recipient string) (_ string, err error) {
	defer errs.Wrap(&err, "cases.Phone")
	return Phone(ctx, s.db, s.pii, recipient)
}

// Phone is the method for a process that has the database and the key but no service yet: the
// SMS channel is built before the services that write to its outbox.
func Phone(ctx context.Context, db *store.DB, pii *identity.PII, recipient string) (_ string, err error) {
	defer errs.Wrap(&err, "cases.Phone")
	number, ok := strings.CutPrefix(recipient, "case:")
	if !ok {
		return "", fmt.Errorf("cases: not a case recipient: %q", recipient)
	}
	var enc string
	if err := db.QueryRowContext(ctx, `SELECT applicant_phone_enc FROM cases WHERE number = ?`, number).Scan(&enc); err != nil {
		return "", fmt.Errorf("cases: phone of %s: %w", number, err)
	}
	phone, err := pii.Open(enc)
	if err == nil && phone == "" {
		err = fmt.Errorf("cases: %s has no phone number", number)
	}
	return phone, err
}

// materialName names a material of it by id; a bundle's "item/material" id by the item's and
// the material's names.
func (s *Service) materialName(ctx context.Context, it catalog.Item, id string) string {
	if m, ok := materialByID(it, id); ok {
		return m.Name
	}
	if ic, mid, ok := strings.Cut(id, "/"); ok {
		if sub, err := s.cat.Item(ctx, ic); err == nil {
			if m, ok := materialByID(sub, mid); ok {
				return sub.Name + "：" + m.Name
			}
		}
	}
	return id
}

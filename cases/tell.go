package cases

import (
	"context"
	"fmt"
	"strings"

	"banhao/calendar"
	"banhao/catalog"
	"banhao/identity"
	"banhao/notify"
	"banhao/store"
)

// What the applicant is told by text message: acceptance, a correction request and the
// decision — what /track and /my promise. The outbox keeps only "case:NUMBER"; the SMS channel
// finds the phone through the case (Phone) when it sends, so no phone number is stored twice.

// ApplicantText is the short message an applicant receives for an action on their case, "" for
// an action they are not texted about (the center's own work: claim, release, warnings…).
// due is the promised date (accept), missing the materials' names (correction).
func ApplicantText(center string, c Case, action Action, due string, missing []string, it catalog.Item) string {
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
		if it.ResultName != "" {
			text += "请领取" + it.ResultName
			if it.Where != "" {
				text += "，领取地点：" + it.Where
			}
			text += "。"
		}
		return text
	}
	return ""
}

// tellApplicant writes the applicant's message for an action on c inside tx, when the case
// has a phone number. Bundle children are not texted: the applicant follows the bundle.
func (s *Service) tellApplicant(ctx context.Context, tx *store.Tx, c Case, action Action, due string, missing []string, it catalog.Item) error {
	if c.phone == "" || c.parent != "" {
		return nil
	}
	text := ApplicantText(s.center, c, action, due, missing, it)
	if text == "" {
		return nil
	}
	return s.outbox.Add(ctx, tx, notify.Message{Recipient: "case:" + c.Number, Event: "case." + string(action), Subject: text, Body: text,
		Payload: map[string]any{"case": c.Number}})
}

// Phone resolves an outbox recipient "case:NUMBER" to the applicant's phone number (the SMS
// channel calls it when sending).
func (s *Service) Phone(ctx context.Context, recipient string) (string, error) {
	return Phone(ctx, s.db, s.pii, recipient)
}

// Phone is the method for a process that has the database and the key but no service yet: the
// SMS channel is built before the services that write to its outbox.
func Phone(ctx context.Context, db *store.DB, pii *identity.PII, recipient string) (string, error) {
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

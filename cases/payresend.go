package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"banhao/audit"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/jobs"
	"banhao/notify"
	"banhao/store"
)

// 秒到账 corrections (issue 16). A payment the bank refused (an account ending in a closed
// card, a wrong holder's name) or one the sender gave up on (发送失败: every attempt spent, the
// bank unreachable) is not the end: the window clerk — or the department's approver — corrects
// the account and holder's name and sends it again. The new instruction has a new id (the bank
// pays by id, so a refused id is never paid later by surprise); the old one stays, pointing at
// its replacement, and shows as the case's payment history. The applicant hears 已到账 only
// when the bank confirms the new one.

// PaymentCorrection is what a clerk corrects: the account and the holder's name. Either may be
// left empty to keep the one on the instruction (an instruction that failed to go out is often
// sent again unchanged); a refused one needs a new account or name.
type PaymentCorrection struct {
	Account     string `json:"account"`
	AccountName string `json:"account_name"`
}

// MayResendPayment is the rule of who corrects a payment: a window clerk of the case's center,
// or an approver of its department.
func MayResendPayment(a audit.Actor, department, acceptedCenter, deliveryCenter string) error {
	switch identity.Role(a.Role) {
	case identity.Clerk:
		if !AtWindowOf(a, acceptedCenter, deliveryCenter) {
			return errs.Forbidden("该办件不在本中心受理或出件")
		}
		return nil
	case identity.Approver:
		if a.Department != department {
			return errs.Forbidden("该办件属于其他部门")
		}
		return nil
	}
	return errs.Forbidden("收款账户由综合窗口或本部门审批人员更正")
}

// checkCorrection reads a correction by the item's labels: the account 12–30 digits (spaces
// allowed between groups), the name at most 50 characters and the applicant's own (h); a
// refused payment needs a change.
func checkCorrection(p catalog.Payment, in PaymentCorrection, refused bool, h catalog.Holder) (account, name string, err error) {
	_, accountLabel, nameLabel := p.Labels()
	var v errs.Validation
	account = strings.Join(strings.Fields(in.Account), "")
	name = strings.TrimSpace(in.AccountName)
	v.Check(account == "" || (len(account) >= 12 && len(account) <= 30 && strings.Trim(account, "0123456789") == ""), "account", accountLabel+"须为 12–30 位数字")
	short := utf8.RuneCountInString(name) <= 50
	v.Check(short, "account_name", nameLabel+"最多 50 字")
	v.Check(!short || name == "" || h.Name == "" || catalog.SameHolder(name, h.Name), "account_name", p.HolderRule(h))
	v.Check(!refused || account != "" || name != "", "account", "银行拒绝了原收款账户，请填写更正后的"+accountLabel+"或"+nameLabel)
	return account, name, v.Err()
}

// ResendPayment corrects the case's refused or failed payment and sends it again: a new
// instruction (released at once, its job inserted) in one transaction with the old one's link
// to it, the timeline entry and the audit entry.
func (s *Service) ResendPayment(ctx context.Context, by audit.Actor, number string, in PaymentCorrection) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.ResendPayment")
	var c Case
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		cs, err := s.scan(tx.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE number = ?`+tx.ForUpdate(), number))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("办件", number)
		}
		if err != nil {
			return err
		}
		if err := MayResendPayment(by, cs.Department.Code, cs.AcceptedCenter, cs.DeliveryCenter); err != nil {
			return err
		}
		var old Payment
		var accountEnc, nameEnc string
		err = tx.QueryRowContext(ctx, `SELECT id, kind, amount_fen, account_enc, account_last4, name_enc, status, refuse_reason, last_error FROM payment_instructions
			WHERE case_number = ? AND replaced_by IS NULL`+tx.ForUpdate(), number).
			Scan(&old.ID, &old.Kind, &old.AmountFen, &accountEnc, &old.Account, &nameEnc, &old.Status, &old.RefuseReason, &old.LastError)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Conflict("该办件没有款项支付")
		}
		if err != nil {
			return err
		}
		if !Resendable(old.Status) {
			return errs.Conflict("只有“支付被拒”或“发送失败”的款项可以更正后重新发送，当前为“" + PayStatusNames[old.Status] + "”")
		}
		item, err := s.ItemOf(ctx, cs)
		if err != nil {
			return err
		}
		account, name, err := checkCorrection(item.PaymentBlock(), in, old.Status == PayRefused, cs.Applicant.Holder())
		if err != nil {
			return err
		}
		newAccountEnc, newNameEnc, last4 := accountEnc, nameEnc, old.Account
		if account != "" {
			newAccountEnc, last4 = s.pii.Seal(account), account[len(account)-4:]
		}
		if name != "" {
			newNameEnc = s.pii.Seal(name)
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		// The old one leaves the case's current place first (the unique index allows one), then
		// points at the new one.
		if _, err := tx.ExecContext(ctx, `UPDATE payment_instructions SET replaced_by = 0 WHERE id = ?`, old.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO payment_instructions (case_number, kind, department_code, amount_fen, account_enc, account_last4, name_enc, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, number, old.Kind, cs.Department.Code, old.AmountFen, newAccountEnc, last4, newNameEnc, PayPending, now); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM payment_instructions WHERE case_number = ? AND replaced_by IS NULL`, number).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payment_instructions SET replaced_by = ? WHERE id = ?`, id, old.ID); err != nil {
			return err
		}
		why := "支付被拒：" + old.RefuseReason
		if old.Status == PayFailed {
			why = "发送失败"
		}
		var changed []string
		if account != "" {
			changed = append(changed, "收款账户更正为 "+MaskAccount(last4))
		}
		if name != "" {
			changed = append(changed, "户名更正为 "+identity.MaskName(name))
		}
		if len(changed) == 0 {
			changed = append(changed, "收款账户不变")
		}
		text := fmt.Sprintf("原支付指令 %s %s；%s，重新发送支付指令 %s：%s 元", InstructionID(old.ID), why, strings.Join(changed, "，"), InstructionID(id), catalog.Yuan(old.AmountFen))
		detail := map[string]any{"text": text, "instruction": InstructionID(id), "replaces": InstructionID(old.ID), "amount_fen": old.AmountFen,
			"account": MaskAccount(last4)}
		before := map[string]any{"instruction": InstructionID(old.ID), "status": old.Status, "account": MaskAccount(old.Account)}
		if err := s.event(ctx, tx, by, number, "payment_resend", cs.Status, detail, before); err != nil {
			return err
		}
		if err := s.jobs.InsertTx(ctx, tx, PayArgs{ID: id}, nil); err != nil {
			return err
		}
		if err := s.tellResend(ctx, tx, number, last4, old.AmountFen); err != nil {
			return fmt.Errorf("payment %s: text the applicant: %w", InstructionID(id), err)
		}
		s.loadAtCommit(tx, number, &c)
		return nil
	})
	if err != nil {
		return Case{}, fmt.Errorf("cases: resend the payment of %s: %w", number, err)
	}
	return s.present(ctx, by, c, identity.SeesFullPersonalData(identity.Role(by.Role))), nil
}

// tellResend texts the applicant that the corrected payment is on its way (they heard 未能转入
// before, and hear 已转入 when the bank confirms): only the account's last four digits.
func (s *Service) tellResend(ctx context.Context, tx *store.Tx, number, last4 string, fen int64) error {
	var phone string
	if err := tx.QueryRowContext(ctx, `SELECT applicant_phone_enc FROM cases WHERE number = ?`, number).Scan(&phone); err != nil {
		return err
	}
	if phone == "" {
		return nil
	}
	msg := ResendText(s.center, number, last4, fen)
	return s.outbox.Add(ctx, tx, notify.Message{Recipient: "case:" + number, Event: "case.payment_resend", Subject: msg, Body: msg,
		Payload: map[string]any{"case": number}})
}

// ResendText is the text for a payment sent again after correction.
func ResendText(center, number, last4 string, fen int64) string {
	return "【" + center + "】您的办件 " + number + " 的收款账户已更正，款项 " + catalog.Yuan(fen) + " 元重新发放中，将转入您尾号 " + last4 + " 的账户，到账后另行通知。"
}

// failPayment marks an instruction the sender gave up on as 发送失败, on the case's timeline
// and in the audit log, once (an instruction answered meanwhile is left alone).
func (s *Service) failPayment(ctx context.Context, id int64, why string) error {
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var number string
		var fen int64
		err := tx.QueryRowContext(ctx, `SELECT case_number, amount_fen FROM payment_instructions WHERE id = ? AND status IN (?, ?) AND replaced_by IS NULL`+tx.ForUpdate(),
			id, PayPending, PaySent).Scan(&number, &fen)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		var st string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM cases WHERE number = ?`, number).Scan(&st); err != nil {
			return fmt.Errorf("payment %s: case %s: %w", InstructionID(id), number, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payment_instructions SET status = ?, last_error = ? WHERE id = ?`, PayFailed, errText(errors.New(why)), id); err != nil {
			return err
		}
		text := "支付指令 " + InstructionID(id) + " 发送失败（多次重试后银行接口仍无应答），请核对收款账户后重新发送"
		detail := map[string]any{"text": text, "instruction": InstructionID(id), "amount_fen": fen, "reason": why}
		return s.event(ctx, tx, audit.System, number, "payment_fail", Status(st), detail, nil)
	})
	if err != nil {
		return fmt.Errorf("cases: mark payment %s failed: %w", InstructionID(id), err)
	}
	return nil
}

// PaymentGivenUp is the sweep's rule: of the instructions waiting for the bank (pending or
// sent), those without a job that will still send them — River discarded it after its last
// attempt, or it is gone — have been given up on.
func PaymentGivenUp(waiting []int64, live map[int64]bool) []int64 {
	var out []int64
	for _, id := range waiting {
		if !live[id] {
			out = append(out, id)
		}
	}
	return out
}

// SweepPayments marks as 发送失败 every instruction waiting for the bank whose sending job is
// no longer alive, so that it shows on the case and can be sent again. A row that fails is
// logged and the sweep goes on; the failures are returned joined.
func (s *Service) SweepPayments(ctx context.Context) (err error) {
	defer errs.Wrap(&err, "cases.SweepPayments")
	var waiting []int64
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM payment_instructions WHERE status IN (?, ?) AND replaced_by IS NULL ORDER BY id`, PayPending, PaySent)
	if err != nil {
		return fmt.Errorf("payment sweep: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("payment sweep: %w", err)
		}
		waiting = append(waiting, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("payment sweep: %w", err)
	}
	if len(waiting) == 0 {
		return nil
	}
	live := map[int64]bool{}
	args, err := jobs.LiveArgs(ctx, s.db, PayArgs{}.Kind())
	if err != nil {
		return fmt.Errorf("payment sweep: %w", err)
	}
	for _, raw := range args {
		var a PayArgs
		if err := json.Unmarshal(raw, &a); err != nil {
			// A job whose arguments cannot be read may still be alive: nothing is marked on a guess.
			return fmt.Errorf("payment sweep: a job's arguments: %w", err)
		}
		live[a.ID] = true
	}
	var errList []error
	for _, id := range PaymentGivenUp(waiting, live) {
		if err := s.failPayment(ctx, id, "发送任务已放弃（重试次数用尽）"); err != nil {
			s.logger.WarnContext(ctx, "payment sweep: a row failed", "instruction", InstructionID(id), "err", err)
			errList = append(errList, err)
		}
	}
	return errors.Join(errList...)
}

// PaySweepEvery is how often the payment sweep looks for instructions given up on.
const PaySweepEvery = time.Minute

// PaymentsToCorrect lists the cases whose current payment instruction was refused by the bank
// or given up on (发送失败), oldest first, with their payments: what a window must correct and
// send again. A clerk of a center sees the cases accepted or delivered there, like List.
func (s *Service) PaymentsToCorrect(ctx context.Context, viewer audit.Actor, limit int) (_ []Case, err error) {
	defer errs.Wrap(&err, "cases.PaymentsToCorrect")
	switch identity.Role(viewer.Role) {
	case identity.Clerk, identity.Approver, identity.Supervisor, identity.Admin:
	default:
		return nil, errs.Forbidden("只有工作人员可以查看待更正的支付")
	}
	where, args := "p.replaced_by IS NULL AND p.status IN (?, ?)", []any{PayRefused, PayFailed}
	if identity.Role(viewer.Role) == identity.Approver {
		where += " AND c.department_code = ?"
		args = append(args, viewer.Department)
	}
	if identity.Role(viewer.Role) == identity.Clerk && viewer.Center != "" { // AtWindowOf, as in List
		where += " AND (c.accepted_center = ? OR c.delivery_center = ?)"
		args = append(args, viewer.Center, viewer.Center)
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.number FROM cases c JOIN payment_instructions p ON p.case_number = c.number
		WHERE `+where+` ORDER BY p.id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("cases: payments to correct: %w", err)
	}
	var numbers []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("cases: payments to correct: %w", err)
		}
		numbers = append(numbers, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cases: payments to correct: %w", err)
	}
	out := make([]Case, 0, len(numbers))
	for _, n := range numbers {
		c, err := s.load(ctx, s.db, n)
		if err != nil {
			return nil, fmt.Errorf("cases: payments to correct: case %s: %w", n, err)
		}
		c = s.present(ctx, viewer, c, false)
		c.Missing, c.Deferred, c.Materials, c.Timeline, c.Children = nil, nil, nil, nil, nil
		out = append(out, c)
	}
	return out, nil
}

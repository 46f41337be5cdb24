package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"banhao/audit"
	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/notify"
	"banhao/payments"
	"banhao/store"
)

// 秒到账 (issue 16): an item whose version carries a payment block (catalog.Payment, 公积金提取)
// pays the applicant when its case is approved. At registration the form's amount, account and
// holder's name are checked and kept as an instruction on hold (status held; the account and
// name sealed as personal data, the case's stored form keeping them masked); the approval — by
// an approver, or at the window in one step (一柜办结) — releases it (pending) in the decision's
// transaction with the job that sends it; a denial cancels it. PayWorker sends it to the bank
// (payments.Client: signed, Idempotency-Key the instruction's id, retried with backoff) and
// records the bank's answer on the case: a timeline entry 资金已到账 or 支付被拒：reason, the
// audit entry, and a text message to the applicant.

// Payment statuses.
const (
	PayHeld      = "held"      // registered, waiting for the decision
	PayPending   = "pending"   // approved: to be sent, or sent without an answer yet
	PaySent      = "sent"      // the bank took it and has not answered finally
	PayConfirmed = "confirmed" // 已到账
	PayRefused   = "refused"   // 支付被拒
	PayCancelled = "cancelled" // the case was not approved
	PayFailed    = "failed"    // 发送失败: the sender gave up (attempts spent, bank unreachable)
)

// PayStatusNames are the statuses in words.
var PayStatusNames = map[string]string{PayHeld: "待审批", PayPending: "待银行处理", PaySent: "银行处理中",
	PayConfirmed: "已到账", PayRefused: "支付被拒", PayCancelled: "未支付（未准予）", PayFailed: "发送失败"}

// Resendable says whether an instruction may be corrected and sent again: the bank refused it,
// or the sender gave up on it. Any other state is on its way or settled.
func Resendable(status string) bool { return status == PayRefused || status == PayFailed }

// Payment is a case's payment instruction as staff see it: the account masked.
type Payment struct {
	ID            int64      `json:"id"`
	InstructionID string     `json:"instruction_id"`
	Kind          string     `json:"kind"`
	KindName      string     `json:"kind_name"`
	AmountFen     int64      `json:"amount_fen"`
	Amount        string     `json:"amount"` // 元, two decimals
	Account       string     `json:"account"`
	AccountName   string     `json:"account_name"`
	Status        string     `json:"status"`
	StatusName    string     `json:"status_name"`
	Attempts      int        `json:"attempts"`
	Reference     string     `json:"bank_reference,omitempty"`
	RefuseReason  string     `json:"refuse_reason,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	AnsweredAt    *time.Time `json:"answered_at,omitempty"`
	// ReplacedBy is the instruction that corrected this one (0: this one is current).
	ReplacedBy int64 `json:"replaced_by,omitempty"`
	// History are the case's earlier instructions, oldest first, each refused or given up and
	// replaced (only on the current one).
	History []Payment `json:"history,omitempty"`
}

// Resendable says whether the instruction may be corrected and sent again.
func (p Payment) Resendable() bool { return p.ReplacedBy == 0 && Resendable(p.Status) }

// InstructionID is the id the bank knows an instruction by (its Idempotency-Key).
func InstructionID(id int64) string { return "BH-PAY-" + strconv.FormatInt(id, 10) }

// MaskAccount shows the last four digits of an account: **** **** 1234.
func MaskAccount(last4 string) string { return "**** **** " + last4 }

const paymentColumns = `id, kind, amount_fen, account_last4, name_enc, status, attempts, bank_reference, refuse_reason, last_error, created_at, sent_at, answered_at, replaced_by`

func (s *Service) scanPayment(scan func(...any) error) (Payment, error) {
	var p Payment
	var last4, nameEnc string
	var sent, answered sql.NullTime
	var replaced sql.NullInt64
	if err := scan(&p.ID, &p.Kind, &p.AmountFen, &last4, &nameEnc, &p.Status, &p.Attempts, &p.Reference, &p.RefuseReason, &p.LastError,
		&p.CreatedAt, &sent, &answered, &replaced); err != nil {
		return p, err
	}
	p.InstructionID, p.KindName, p.Amount, p.Account = InstructionID(p.ID), catalog.PaymentKindNames[p.Kind], catalog.Yuan(p.AmountFen), MaskAccount(last4)
	if name, err := s.pii.Open(nameEnc); err == nil {
		p.AccountName = identity.MaskName(name)
	}
	p.StatusName, p.ReplacedBy = PayStatusNames[p.Status], replaced.Int64
	if sent.Valid {
		p.SentAt = &sent.Time
	}
	if answered.Valid {
		p.AnsweredAt = &answered.Time
	}
	return p, nil
}

// paymentRead reads a case's payment instruction, if it has one, into c: the current one, with
// the ones it replaced (corrected after a refusal or a failure) as its history.
func (s *Service) paymentRead(number string, c *Case) store.Read {
	var earlier []Payment
	return store.Read{Query: `SELECT ` + paymentColumns + ` FROM payment_instructions WHERE case_number = ? ORDER BY id`, Args: []any{number},
		Row: func(scan func(...any) error) error {
			p, err := s.scanPayment(scan)
			if err != nil {
				return err
			}
			if p.ReplacedBy != 0 {
				earlier = append(earlier, p)
				return nil
			}
			p.History = earlier
			c.Payment = &p
			return nil
		}}
}

// PaymentOf reads a case's payment instruction (nil when it has none).
func (s *Service) PaymentOf(ctx context.Context, number string) (_ *Payment, err error) {
	defer errs.Wrap(&err, "cases.PaymentOf")
	var c Case
	if err := s.db.ReadTogether(ctx, s.paymentRead(number, &c)); err != nil {
		return nil, err
	}
	return c.Payment, nil
}

// holdPayment checks, for an item that pays, the registration's form by the item's payment
// block and keeps the instruction on hold: amount, sealed account and name. The case's stored
// form keeps the account and name masked only. The account must be the applicant's own (h; an
// empty h when the applicant was checked already, as for a bundle's later stage).
func (s *Service) holdPayment(ctx context.Context, tx *store.Tx, number string, item catalog.Item, form json.RawMessage, h catalog.Holder) error {
	if item.Payment == nil {
		return nil
	}
	p := *item.Payment
	values := catalog.FormValues(form)
	o, err := catalog.ParsePaymentForm(p, values, h)
	if err != nil {
		return err
	}
	var m map[string]any
	if len(form) == 0 || json.Unmarshal(form, &m) != nil || m == nil {
		m = map[string]any{}
	}
	last4 := o.Account[len(o.Account)-4:]
	m[p.AmountField], m[p.AccountField], m[p.NameField] = catalog.Yuan(o.AmountFen), MaskAccount(last4), identity.MaskName(o.Name)
	masked, _ := json.Marshal(m)
	// Queued: on PostgreSQL they go with the intake's next round trip instead of one each.
	if err := tx.ExecLater(ctx, `UPDATE cases SET form = ? WHERE number = ?`, string(masked), number); err != nil {
		return err
	}
	return tx.ExecLater(ctx, `INSERT INTO payment_instructions (case_number, kind, department_code, amount_fen, account_enc, account_last4, name_enc, status, created_at)
		VALUES (?, ?, (SELECT department_code FROM cases WHERE number = ?), ?, ?, ?, ?, ?, ?)`,
		number, p.Kind, number, o.AmountFen, s.pii.Seal(o.Account), last4, s.pii.Seal(o.Name), PayHeld, s.now().UTC().Truncate(time.Microsecond))
}

// orderPayment is the decision's part: an approval releases the case's instruction on hold
// (and inserts the job that sends it), a denial cancels it — in the decision's transaction.
func (st *step) orderPayment(decision string) error {
	var id, fen int64
	var last4 string
	err := st.tx.QueryRowContext(st.ctx, `SELECT id, amount_fen, account_last4 FROM payment_instructions WHERE case_number = ? AND status = ? AND replaced_by IS NULL`,
		st.c.Number, PayHeld).Scan(&id, &fen, &last4)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the item pays nothing (or did not when the case was registered)
	}
	if err != nil {
		return err
	}
	if decision != "approved" {
		_, err := st.tx.ExecContext(st.ctx, `UPDATE payment_instructions SET status = ? WHERE id = ?`, PayCancelled, id)
		return err
	}
	if _, err := st.tx.ExecContext(st.ctx, `UPDATE payment_instructions SET status = ?, created_at = ? WHERE id = ?`, PayPending, st.now, id); err != nil {
		return err
	}
	text := fmt.Sprintf("支付指令 %s 已生成：%s 元转入账户 %s，待银行到账", InstructionID(id), catalog.Yuan(fen), MaskAccount(last4))
	detail := map[string]any{"text": text, "instruction": InstructionID(id), "amount_fen": fen}
	if st.grant != nil { // 一柜办结: the clerk orders it under the authorisation
		detail["one_step"], detail["authorisation"], detail["authorisation_id"] = true, st.grant.Label(), st.grant.ID
	}
	if err := st.s.event(st.ctx, st.tx, st.by, st.c.Number, "payment_order", Decided, detail, nil); err != nil {
		return err
	}
	return st.s.jobs.InsertTx(st.ctx, st.tx, PayArgs{ID: id}, nil)
}

// Bank is what sending needs of the bank (payments.Client, or a stand-in in tests).
type Bank interface {
	Pay(ctx context.Context, r payments.Request) (payments.Answer, error)
}

// ErrNotFinal says the bank took the instruction but has not answered finally: ask again later.
var ErrNotFinal = errors.New("cases: the bank has not answered finally yet")

// SendPayment sends one instruction to the bank and records its answer. An instruction already
// answered (or not released) is left alone; a failure (network, 5xx, an unsigned answer) is
// counted and kept as the last error, and returned so that the job tries again — the same
// request, which the bank pays once. A final answer is recorded once, on the case and in the
// audit log.
func (s *Service) SendPayment(ctx context.Context, bank Bank, id int64) (err error) {
	defer errs.Wrap(&err, "cases.SendPayment")
	var number, kind, dept, status, accountEnc, nameEnc string
	var fen int64
	err = s.db.QueryRowContext(ctx, `SELECT case_number, kind, department_code, status, amount_fen, account_enc, name_enc FROM payment_instructions WHERE id = ?`, id).
		Scan(&number, &kind, &dept, &status, &fen, &accountEnc, &nameEnc)
	if err != nil {
		return fmt.Errorf("payment %d: %w", id, err)
	}
	if status != PayPending && status != PaySent {
		return nil
	}
	if _, none := bank.(payments.NoBank); none { // not an attempt: nothing leaves, the instruction waits
		return payments.ErrNoBank
	}
	account, err := s.pii.Open(accountEnc)
	if err != nil {
		return err
	}
	name, err := s.pii.Open(nameEnc)
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if _, err := s.db.ExecContext(ctx, `UPDATE payment_instructions SET attempts = attempts + 1, sent_at = COALESCE(sent_at, ?) WHERE id = ?`, now, id); err != nil {
		return err
	}
	a, err := bank.Pay(ctx, payments.Request{InstructionID: InstructionID(id), Case: number, Kind: kind, Purpose: catalog.PaymentKindNames[kind],
		AmountFen: fen, Currency: "CNY", Account: account, AccountName: name, Payer: dept})
	if err != nil {
		s.logger.WarnContext(ctx, "payment not sent", "instruction", InstructionID(id), "case", number, "err", err)
		_, _ = s.db.ExecContext(ctx, `UPDATE payment_instructions SET last_error = ? WHERE id = ?`, errText(err), id)
		return err
	}
	if a.Status == payments.Processing {
		_, err := s.db.ExecContext(ctx, `UPDATE payment_instructions SET status = ?, last_error = '' WHERE id = ? AND status IN (?, ?)`, PaySent, id, PayPending, PaySent)
		return errors.Join(ErrNotFinal, err)
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		final, action := PayConfirmed, "payment_confirm"
		text := "资金已到账（银行流水号 " + a.Reference + "）"
		if a.Status == payments.Refused {
			final, action = PayRefused, "payment_refuse"
			text = "支付被拒：" + a.Reason
		}
		res, err := tx.ExecContext(ctx, `UPDATE payment_instructions SET status = ?, bank_reference = ?, refuse_reason = ?, last_error = '', answered_at = ?
			WHERE id = ? AND status IN (?, ?)`, final, a.Reference, a.Reason, now, id, PayPending, PaySent)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // answered by another attempt
		}
		var st string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM cases WHERE number = ?`, number).Scan(&st); err != nil {
			return err
		}
		detail := map[string]any{"text": text, "instruction": InstructionID(id), "amount_fen": fen, "bank_reference": a.Reference, "reason": a.Reason}
		if err := s.event(ctx, tx, audit.System, number, action, Status(st), detail, nil); err != nil {
			return err
		}
		var phone string
		if err := tx.QueryRowContext(ctx, `SELECT applicant_phone_enc FROM cases WHERE number = ?`, number).Scan(&phone); err != nil {
			return fmt.Errorf("payment of %s: the applicant's phone: %w", number, err)
		}
		if phone == "" {
			return nil
		}
		msg := "【" + s.center + "】您的办件 " + number + " " + catalog.Yuan(fen) + " 元已转入您尾号 " + account[len(account)-4:] + " 的账户。"
		if final == PayRefused {
			msg = "【" + s.center + "】您的办件 " + number + " 的款项未能转入您的账户：" + a.Reason + "。请持银行卡到窗口更正收款账户。"
		}
		return s.outbox.Add(ctx, tx, notify.Message{Recipient: "case:" + number, Event: "case." + action, Subject: msg, Body: msg,
			Payload: map[string]any{"case": number}})
	})
}

func errText(err error) string {
	t := err.Error()
	if len(t) > 300 {
		t = t[:300]
	}
	return strings.ToValidUTF8(t, "")
}

// PayArgs is the job that sends one payment instruction.
type PayArgs struct {
	ID int64 `json:"id"`
}

// Kind names the job.
func (PayArgs) Kind() string { return "case.payment" }

// InsertOpts: an instruction is tried for days (15 minutes apart once the bank has been failing
// a while) before River gives up; the instruction stays pending and shows so on the case.
func (PayArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 500} }

// PayWorker sends payment instructions to Bank (required). With payments.NoBank (no bank
// interface configured) it sends nothing: the instruction stays pending and the job looks again
// in ten minutes (a process started later with a bank sends it).
type PayWorker struct {
	river.WorkerDefaults[PayArgs]
	Service *Service
	Bank    Bank
}

// Work sends the instruction.
func (w *PayWorker) Work(ctx context.Context, job *river.Job[PayArgs]) (err error) {
	defer errs.Wrap(&err, "cases.PayWorker.Work")
	err = w.Service.SendPayment(ctx, w.Bank, job.Args.ID)
	if errors.Is(err, payments.ErrNoBank) {
		return river.JobSnooze(10 * time.Minute)
	}
	if err != nil && job.Attempt >= job.MaxAttempts { // River gives up now: 发送失败, to be corrected and sent again
		if ferr := w.Service.failPayment(ctx, job.Args.ID, errText(err)); ferr != nil {
			return errors.Join(err, ferr) // the sweep (SweepPayments) marks it later
		}
	}
	return err
}

// NextRetry backs off from 5 s, doubling, up to 15 minutes.
func (w *PayWorker) NextRetry(job *river.Job[PayArgs]) time.Time {
	return time.Now().Add(notify.RetryDelay(job.Attempt, false))
}

// Timeout bounds one attempt: a bank that hangs is a failure, retried with the same id.
func (w *PayWorker) Timeout(*river.Job[PayArgs]) time.Duration { return 30 * time.Second }

// PaymentFigures are the supervisors' 支付确认 figures: the payment instructions written in a
// period, by their status now. Each instruction counts once: a refused or failed one corrected and
// sent again (payresend.go) is a second instruction, and the first stays counted as refused or
// failed — so a case can count twice, and Corrected says how many were replaced so.
type PaymentFigures struct {
	Ordered   int `json:"ordered"`   // instructions sent (released on approval, or sent again after a correction)
	Confirmed int `json:"confirmed"` // 已到账
	Waiting   int `json:"waiting"`   // sent or to be sent, no final answer
	Refused   int `json:"refused"`   // 支付被拒 (including those since corrected)
	Failed    int `json:"failed"`    // 发送失败 (including those since corrected)
	Corrected int `json:"corrected"` // of the refused and failed, replaced by a corrected instruction
}

// Payments counts the instructions written on the days from to to (inclusive): held ones (not
// yet approved) and cancelled ones (denied) were never sent and are left out.
func (s *Service) Payments(ctx context.Context, from, to calendar.Date) (_ PaymentFigures, err error) {
	defer errs.Wrap(&err, "cases.Payments")
	return s.payments(ctx, from, to, nil)
}

// payments is Payments over the cases of depts (nil: all).
func (s *Service) payments(ctx context.Context, from, to calendar.Date, depts map[string]bool) (PaymentFigures, error) {
	var f PaymentFigures
	if err := CheckPeriod(from, to); err != nil {
		return f, err
	}
	cond, in := inDepts("department_code", depts)
	rows, err := s.db.QueryContext(ctx, `SELECT status, replaced_by IS NOT NULL, COUNT(*) FROM payment_instructions WHERE status NOT IN (?, ?) AND created_at >= ? AND created_at < ?`+cond+`
		GROUP BY status, replaced_by IS NOT NULL`,
		append([]any{PayHeld, PayCancelled, from.Time(s.loc).UTC(), to.Time(s.loc).AddDate(0, 0, 1).UTC()}, in...)...)
	if err != nil {
		return f, fmt.Errorf("payment figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var replaced bool
		var n int
		if err := rows.Scan(&st, &replaced, &n); err != nil {
			return f, fmt.Errorf("payment figures: %w", err)
		}
		f.Ordered += n
		if replaced {
			f.Corrected += n
		}
		switch st {
		case PayConfirmed:
			f.Confirmed += n
		case PayRefused:
			f.Refused += n
		case PayFailed:
			f.Failed += n
		default:
			f.Waiting += n
		}
	}
	return f, rows.Err()
}

// paymentLetter says on the decision notice what is true of the payment when it is printed:
// 已到账 with the bank's reference only once the bank confirmed; else whether the instruction was
// sent (not before a send was tried: none is without a bank interface) and that the money is not
// yet there, or that the bank refused it and why.
func paymentLetter(c Case, item catalog.Item, facts [][2]string, closing []string) ([][2]string, []string) {
	p := c.Payment
	if p == nil || p.Status == PayHeld || p.Status == PayCancelled {
		return facts, closing
	}
	var state string
	switch p.Status {
	case PayConfirmed:
		state = "已到账（银行流水号 " + p.Reference + "）"
		closing = []string{"款项已转入上述收款账户。"}
	case PayFailed:
		state = "发送失败，待重新发送"
		closing = []string{"支付指令未能送达银行，款项尚未到账，将核对收款账户后重新发送，到账后以短信告知。"}
	case PayRefused:
		state = "支付被拒：" + p.RefuseReason
		closing = []string{"银行未能将款项转入上述账户（" + p.RefuseReason + "）。请持本人银行卡到窗口更正收款账户，款项将重新发放。"}
	case PayPending:
		if p.SentAt == nil { // not yet sent, or no bank interface configured (payments.NoBank)
			state = "支付指令尚未发送银行，款项尚未到账"
			closing = []string{"支付指令发送银行后办理转账，款项到账后将以短信告知。本通知书不作为到账凭证，到账以银行入账为准。"}
			break
		}
		fallthrough
	default:
		state = "支付指令已发送银行，尚未到账"
		closing = []string{"款项到账后将以短信告知。本通知书不作为到账凭证，到账以银行入账为准。"}
	}
	for i, f := range facts {
		switch f[0] {
		case "办理结果":
			facts[i][1] = "准予" + p.KindName
		case "领取方式":
			facts[i][1] = "转入申请人银行账户"
		}
	}
	facts = append(facts, [2]string{"金额", p.Amount + " 元"}, [2]string{"收款账户", p.Account + "（" + p.AccountName + "）"},
		[2]string{"支付指令", p.InstructionID}, [2]string{"支付状态", state})
	return facts, closing
}

package cases_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/demo"
	"banhao/errs"
	"banhao/payments"
	"banhao/payments/banktest"
	"banhao/store"
)

// TestPaymentOnApproval (秒到账): 住房公积金提取 carries a payment block. Registration checks the
// amount and account (naming the field), keeps the account sealed and the stored form masked;
// the approval writes the instruction in its own transaction; the test bank confirms it — once,
// however often it is sent — and the case's timeline, the audit log and the decision notice say
// 已到账 only then. An account the bank refuses shows 支付被拒 with the reason; an answer lost
// after the bank paid is retried and paid once; a request under the wrong secret is turned away
// and the instruction waits; a denial cancels the instruction; the supervisors' figures count.
func TestPaymentOnApproval(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-11-26", 10)
		bank := banktest.New([]byte("shared-bank-secret"))
		defer bank.Close()
		code := e.itemCode(t, "住房公积金提取（购买住房）")
		file := e.upload(t)
		register := func(account string) cases.CreateInput {
			form, _ := json.Marshal(demo.PaymentForm("12,345.67", account, "张三"))
			return cases.CreateInput{Item: code, Applicant: person, Channel: "window", Accept: &cases.AcceptInput{}, Form: form,
				Materials: []cases.MaterialRef{{MaterialID: "m1", FileID: file}, {MaterialID: "m2", FileID: file}, {MaterialID: "m3", FileID: file}}}
		}

		// A bad amount and account: refused, each named by its label, nothing written.
		bad := register("6222 12")
		bad.Form, _ = json.Marshal(demo.PaymentForm("12.345", "6222 12", ""))
		_, _, err := e.svc.Create(ctx, clerk, bad, "")
		for _, want := range []string{"提取金额（元）须为", "收款银行账号须为 12–30 位数字", "收款人户名不能为空"} {
			if !errs.Is(err, errs.CodeInvalid) || !strings.Contains(errText(err), want) {
				t.Errorf("bad payment form: %v, want %q", err, want)
			}
		}
		var n int
		_ = db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM cases) + (SELECT COUNT(*) FROM payment_instructions)`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d rows after a refused registration", n)
		}

		// Someone else's account (收款人户名 not the applicant's): refused, naming the field, nothing written.
		other := register("6222 0000 1111 0123")
		other.Form, _ = json.Marshal(demo.PaymentForm("100", "6222 0000 1111 0123", "李四"))
		_, _, err = e.svc.Create(ctx, clerk, other, "")
		if e, _ := errs.As(err); e == nil || e.Code != errs.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "account_name" ||
			e.Fields[0].Message != "收款人户名须与申请人姓名一致（只能转入申请人本人账户）" {
			t.Errorf("payee 李四 for 张三: %v", err)
		}
		_ = db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM cases) + (SELECT COUNT(*) FROM payment_instructions)`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d rows after a payee not the applicant", n)
		}

		// Registered and accepted: the instruction is on hold; the stored form is masked.
		c, _, err := e.svc.Create(ctx, clerk, register("6222 0000 1111 2222"), "")
		if err != nil {
			t.Fatal(err)
		}
		if c.Payment == nil || c.Payment.Status != cases.PayHeld || c.Payment.AmountFen != 1234567 || c.Payment.Account != "**** **** 2222" {
			t.Fatalf("held payment: %+v", c.Payment)
		}
		var stored string
		_ = db.QueryRowContext(ctx, `SELECT form || account_enc FROM cases JOIN payment_instructions ON case_number = number WHERE number = ?`, c.Number).Scan(&stored)
		if strings.Contains(stored, "622200001111") || strings.Contains(stored, "张三") {
			t.Errorf("the account or holder's name is stored in clear: %s", stored)
		}

		// Approved: released in the decision's transaction, sent, confirmed.
		c = mustAct(t, e, gjjApprover, c.Number, cases.DecisionInput{Decision: "approved"})
		if c.Payment.Status != cases.PayPending || !hasAction(c, "payment_order") {
			t.Fatalf("after approval: %+v", c.Payment)
		}
		notice := func(number string) string {
			t.Helper()
			nt, nc, err := e.svc.IssueNotice(ctx, clerk, number, cases.NoticeDecision)
			if err != nil {
				t.Fatal(err)
			}
			l, err := e.svc.Letter(ctx, nt, nc, "中心", "http://x/verify")
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, f := range l.Facts {
				b.WriteString(f[0] + "：" + f[1] + "\n")
			}
			return b.String() + strings.Join(l.Body, "") + strings.Join(l.Closing, "")
		}
		if text := notice(c.Number); strings.Contains(text, "已到账") || !strings.Contains(text, "尚未到账") || !strings.Contains(text, "12345.67 元") {
			t.Errorf("the notice before the bank confirmed:\n%s", text)
		}
		// Without a bank (payments.NoBank, no BANHAO_BANK_URL): refused clearly, nothing sent and
		// no attempt counted; the job waits ten minutes for a process with a bank.
		if err := e.svc.SendPayment(ctx, payments.NoBank{}, c.Payment.ID); !errors.Is(err, payments.ErrNoBank) {
			t.Fatalf("sent to no bank: %v, want payments.ErrNoBank", err)
		}
		worker := &cases.PayWorker{Service: e.svc, Bank: payments.NoBank{}}
		var snooze *rivertype.JobSnoozeError
		if err := worker.Work(ctx, &river.Job[cases.PayArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 500}, Args: cases.PayArgs{ID: c.Payment.ID}}); !errors.As(err, &snooze) || snooze.Duration != 10*time.Minute {
			t.Errorf("the payment job without a bank: %v, want a snooze of ten minutes", err)
		}
		if p, _ := e.svc.Get(ctx, clerk, c.Number); p.Payment.Status != cases.PayPending || p.Payment.Attempts != 0 || p.Payment.LastError != "" || p.Payment.SentAt != nil {
			t.Errorf("after no bank: %+v, want pending and untouched", p.Payment)
		}
		if err := e.svc.SendPayment(ctx, bank.Client(), c.Payment.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SendPayment(ctx, bank.Client(), c.Payment.ID); err != nil { // answered: nothing more is sent
			t.Fatal(err)
		}
		c, _ = e.svc.Get(ctx, clerk, c.Number)
		if p := c.Payment; p.Status != cases.PayConfirmed || p.Reference == "" || p.Attempts != 1 || bank.Paid(p.InstructionID) != 1234567 || bank.Requests() != 1 {
			t.Fatalf("confirmed: %+v, bank took %d requests", p, bank.Requests())
		}
		if ev := last(c); ev.Action != "payment_confirm" || ev.Actor != "system" || !strings.Contains(ev.Text, "资金已到账") {
			t.Errorf("timeline: %+v", ev)
		}
		if text := notice(c.Number); !strings.Contains(text, "已到账（银行流水号 "+c.Payment.Reference) {
			t.Errorf("the notice after the bank confirmed:\n%s", text)
		}
		entries, _ := e.log.List(ctx, db, audit.Query{ObjectType: "case", ObjectID: c.Number, Limit: 50})
		var acts []string
		for _, en := range entries {
			acts = append(acts, en.Action)
		}
		if !strings.Contains(strings.Join(acts, ","), "case.payment_confirm") || !strings.Contains(strings.Join(acts, ","), "case.payment_order") {
			t.Errorf("audit: %v", acts)
		}

		// An account the bank refuses.
		bank.RefuseAccountsEndingIn("9")
		r, _, err := e.svc.Create(ctx, clerk, register("6222000011112229"), "")
		if err != nil {
			t.Fatal(err)
		}
		r = mustAct(t, e, gjjApprover, r.Number, cases.DecisionInput{Decision: "approved"})
		if err := e.svc.SendPayment(ctx, bank.Client(), r.Payment.ID); err != nil {
			t.Fatal(err)
		}
		r, _ = e.svc.Get(ctx, clerk, r.Number)
		if r.Payment.Status != cases.PayRefused || !strings.Contains(r.Payment.RefuseReason, "账户状态异常") || !strings.HasPrefix(last(r).Text, "支付被拒：") {
			t.Errorf("refused: %+v %+v", r.Payment, last(r))
		}
		if text := notice(r.Number); strings.Contains(text, "已到账") || !strings.Contains(text, "支付被拒") {
			t.Errorf("the notice of a refused payment:\n%s", text)
		}

		// The bank pays and its answer is lost (500): sent again, paid once.
		bank.FailNext(1, true)
		l, _, _ := e.svc.Create(ctx, clerk, register("6222000011113333"), "")
		l = mustAct(t, e, gjjApprover, l.Number, cases.DecisionInput{Decision: "approved"})
		before := bank.Payments()
		var se *payments.StatusError
		if err := e.svc.SendPayment(ctx, bank.Client(), l.Payment.ID); err == nil || !errors.As(err, &se) || !se.Temporary() {
			t.Fatalf("a lost answer: %v", err)
		}
		if p, _ := e.svc.PaymentOf(ctx, l.Number); p.Status != cases.PayPending || p.Attempts != 1 || !strings.Contains(p.LastError, "500") {
			t.Errorf("after the 500: %+v", p)
		}
		if err := e.svc.SendPayment(ctx, bank.Client(), l.Payment.ID); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.PaymentOf(ctx, l.Number); p.Status != cases.PayConfirmed || p.Attempts != 2 || bank.Payments() != before+1 {
			t.Errorf("retried: %+v, bank paid %d (was %d)", p, bank.Payments(), before)
		}

		// The wrong secret: turned away, nothing paid, the instruction waits.
		w, _, _ := e.svc.Create(ctx, clerk, register("6222000011114444"), "")
		w = mustAct(t, e, gjjApprover, w.Number, cases.DecisionInput{Decision: "approved"})
		wrong := &payments.Client{URL: bank.URL(), Secret: []byte("not-the-secret")}
		if err := e.svc.SendPayment(ctx, wrong, w.Payment.ID); err == nil || bank.BadSignatures() != 1 || bank.Paid(w.Payment.InstructionID) != 0 {
			t.Errorf("bad signature: %v, %d turned away", err, bank.BadSignatures())
		}
		if p, _ := e.svc.PaymentOf(ctx, w.Number); p.Status != cases.PayPending || !strings.Contains(p.LastError, "401") {
			t.Errorf("after a bad signature: %+v", p)
		}

		// Denied: cancelled, never sent.
		d, _, _ := e.svc.Create(ctx, clerk, register("6222000011115555"), "")
		d = mustAct(t, e, gjjApprover, d.Number, cases.DecisionInput{Decision: "denied", Reason: "不符合提取条件"})
		if d.Payment.Status != cases.PayCancelled {
			t.Errorf("denied: %+v", d.Payment)
		}

		day := calendar.MustDate("2026-11-26")
		f, err := e.svc.Payments(ctx, day, day)
		if err != nil {
			t.Fatal(err)
		}
		if f != (cases.PaymentFigures{Ordered: 4, Confirmed: 2, Waiting: 1, Refused: 1}) {
			t.Errorf("figures %+v", f)
		}
	})
}

func last(c cases.Case) cases.Event { return c.Timeline[len(c.Timeline)-1] }

func errText(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return ""
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		b.WriteString(" " + f.Field + ":" + f.Message)
	}
	return b.String()
}

// TestPaymentProcessing: a bank that takes an instruction without a final answer leaves it
// 银行处理中 (sent) and the job asks again; the next answer is recorded once.
func TestPaymentProcessing(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-11-26", 10)
		bank := banktest.New([]byte("shared-bank-secret"))
		defer bank.Close()
		file := e.upload(t)
		form, _ := json.Marshal(demo.PaymentForm("100", "6222000011116666", "张三"))
		c, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: e.itemCode(t, "住房公积金提取（购买住房）"), Applicant: person, Channel: "window",
			Accept: &cases.AcceptInput{}, Form: form, Materials: []cases.MaterialRef{{MaterialID: "m1", FileID: file}, {MaterialID: "m2", FileID: file}, {MaterialID: "m3", FileID: file}}}, "")
		if err != nil {
			t.Fatal(err)
		}
		c = mustAct(t, e, gjjApprover, c.Number, cases.DecisionInput{Decision: "approved"})
		bank.Hold(true)
		if err := e.svc.SendPayment(ctx, bank.Client(), c.Payment.ID); !errors.Is(err, cases.ErrNotFinal) {
			t.Fatalf("processing: %v", err)
		}
		if p, _ := e.svc.PaymentOf(ctx, c.Number); p.Status != cases.PaySent || p.StatusName != "银行处理中" || bank.Payments() != 0 {
			t.Errorf("while the bank processes: %+v", p)
		}
		bank.Hold(false)
		if err := e.svc.SendPayment(ctx, bank.Client(), c.Payment.ID); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.PaymentOf(ctx, c.Number); p.Status != cases.PayConfirmed || p.Attempts != 2 || bank.Payments() != 1 {
			t.Errorf("after the bank paid: %+v", p)
		}
	})
}

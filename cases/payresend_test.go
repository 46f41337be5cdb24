package cases_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/demo"
	"banhao/errs"
	"banhao/jobs"
	"banhao/notify"
	"banhao/payments/banktest"
	"banhao/store"
)

// gjjCase registers, accepts and approves a 公积金提取 case paying into account.
func gjjCase(t *testing.T, e *env, svc *cases.Service, account string) cases.Case {
	t.Helper()
	ctx := context.Background()
	form, _ := json.Marshal(demo.PaymentForm("1,000.00", account, "张三"))
	file := e.upload(t)
	c, _, err := svc.Create(ctx, clerk, cases.CreateInput{Item: e.itemCode(t, "住房公积金提取（购买住房）"), Applicant: person, Channel: "window", Accept: &cases.AcceptInput{}, Form: form,
		Materials: []cases.MaterialRef{{MaterialID: "m1", FileID: file}, {MaterialID: "m2", FileID: file}, {MaterialID: "m3", FileID: file}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	c, err = svc.Decide(ctx, gjjApprover, c.Number, cases.DecisionInput{Decision: "approved"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPaymentResendAfterRefusal: a payment the bank refused (an account ending in 4) is
// corrected at the window and sent again as a new instruction — a new id at the bank, the
// refused one kept in the case's history; audited and on the timeline; the notice says 已到账
// only once the bank confirms the new one. Only a refused or failed payment is corrected; only
// the window or the department's approver does it; a refused payment needs a change.
func TestPaymentResendAfterRefusal(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-11-26", 10)
		bank := banktest.New([]byte("resend-secret"))
		defer bank.Close()
		bank.RefuseAccountsEndingIn("4")
		c := gjjCase(t, e, e.svc, "6222000011114444")
		first := c.Payment.ID
		// Not refused yet: nothing to correct.
		if _, err := e.svc.ResendPayment(ctx, clerk, c.Number, cases.PaymentCorrection{Account: "6222000011115555"}); !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("resend of a pending payment: %v", err)
		}
		if l, err := e.svc.PaymentsToCorrect(ctx, clerk, 0); err != nil || len(l) != 0 {
			t.Fatalf("to correct before the bank answered: %d %v", len(l), err)
		}
		if err := e.svc.SendPayment(ctx, bank.Client(), first); err != nil {
			t.Fatal(err)
		}
		// Refused: listed for the window with its payment, the badge says 支付被拒, not 正常.
		todo, err := e.svc.PaymentsToCorrect(ctx, clerk, 0)
		if err != nil || len(todo) != 1 || todo[0].Number != c.Number || todo[0].Payment == nil || todo[0].Payment.Status != cases.PayRefused ||
			cases.CaseWarning(todo[0]) != cases.WarnPayRefused {
			t.Fatalf("to correct: %+v %v", todo, err)
		}
		if l, _ := e.svc.PaymentsToCorrect(ctx, audit.Actor{Username: "x", Role: "clerk", Center: "elsewhere"}, 0); len(l) != 0 {
			t.Errorf("another center's clerk sees %d payments to correct", len(l))
		}
		if _, err := e.svc.PaymentsToCorrect(ctx, audit.Actor{Role: "applicant"}, 0); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("an applicant lists payments to correct: %v", err)
		}
		// Who may: not a supervisor, not another department's approver.
		for _, who := range []audit.Actor{{Username: "sup", Role: "supervisor"}, {Username: "a", Role: "approver", Department: "GA"}} {
			if _, err := e.svc.ResendPayment(ctx, who, c.Number, cases.PaymentCorrection{Account: "6222000011115555"}); !errs.Is(err, errs.CodeForbidden) {
				t.Errorf("%s resends: %v", who.Role, err)
			}
		}
		// A refused payment needs a change; a bad account is named by its label.
		if _, err := e.svc.ResendPayment(ctx, clerk, c.Number, cases.PaymentCorrection{}); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(errText(err), "account:") {
			t.Errorf("unchanged: %v", err)
		}
		if _, err := e.svc.ResendPayment(ctx, clerk, c.Number, cases.PaymentCorrection{Account: "6222-12"}); !strings.Contains(errText(err), "收款银行账号须为 12–30 位数字") {
			t.Errorf("bad account: %v", errText(err))
		}
		if _, err := e.svc.ResendPayment(ctx, clerk, c.Number, cases.PaymentCorrection{Account: "6222 0000 1111 5555", AccountName: "李四"}); !strings.Contains(errText(err), "收款人户名须与申请人姓名一致") {
			t.Errorf("correction to someone else's account: %v", errText(err))
		}
		r, err := e.svc.ResendPayment(ctx, clerk, c.Number, cases.PaymentCorrection{Account: "6222 0000 1111 5555", AccountName: "张三"})
		if err != nil {
			t.Fatal(err)
		}
		p := r.Payment
		if p.ID == first || p.Status != cases.PayPending || p.Account != "**** **** 5555" || len(p.History) != 1 ||
			p.History[0].ID != first || p.History[0].Status != cases.PayRefused || p.History[0].ReplacedBy != p.ID {
			t.Fatalf("after the correction: %+v", p)
		}
		if ev := last(r); ev.Action != "payment_resend" || ev.Actor != "clerk" || !strings.Contains(ev.Text, "重新发送支付指令 "+p.InstructionID) || !strings.Contains(ev.Text, cases.InstructionID(first)) {
			t.Errorf("timeline: %+v", ev)
		}
		entries, _ := e.log.List(ctx, db, audit.Query{ObjectType: "case", ObjectID: c.Number, Limit: 50})
		if !slices.ContainsFunc(entries, func(en audit.Entry) bool { return en.Action == "case.payment_resend" && en.Actor == "clerk" }) {
			t.Errorf("no audit entry of the resend")
		}
		// The applicant, told 未能转入 before, is told the corrected payment is on its way.
		var told string
		if err := db.QueryRowContext(ctx, `SELECT body FROM notifications WHERE recipient = ? AND event = 'case.payment_resend'`, "case:"+c.Number).Scan(&told); err != nil {
			t.Fatalf("no text to the applicant about the resend: %v", err)
		}
		if !strings.Contains(told, "收款账户已更正，款项 1000.00 元重新发放中") || !strings.Contains(told, "尾号 5555") || strings.Contains(told, "62220000") {
			t.Errorf("the applicant read %q", told)
		}
		if l, _ := e.svc.PaymentsToCorrect(ctx, clerk, 0); len(l) != 0 {
			t.Errorf("a corrected payment is still listed: %d", len(l))
		}
		// Twice: the new one is not refused, nothing more to correct.
		if _, err := e.svc.ResendPayment(ctx, clerk, c.Number, cases.PaymentCorrection{Account: "6222000011116666"}); !errs.Is(err, errs.CodeConflict) {
			t.Errorf("second resend: %v", err)
		}
		nt, nc, err := e.svc.IssueNotice(ctx, clerk, c.Number, cases.NoticeDecision)
		if err != nil {
			t.Fatal(err)
		}
		if l, _ := e.svc.Letter(ctx, nt, nc, "中心", "http://x/verify"); strings.Contains(strings.Join(l.Closing, ""), "已转入") {
			t.Errorf("the notice says paid before the bank confirmed: %v", l.Closing)
		}
		if err := e.svc.SendPayment(ctx, bank.Client(), p.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := e.svc.Get(ctx, clerk, c.Number)
		if got.Payment.Status != cases.PayConfirmed || bank.Paid(p.InstructionID) != 100000 || bank.Paid(cases.InstructionID(first)) != 0 {
			t.Errorf("confirmed: %+v, bank paid %d / %d", got.Payment, bank.Paid(p.InstructionID), bank.Paid(cases.InstructionID(first)))
		}
		day := calendar.MustDate("2026-11-26")
		if f, _ := e.svc.Payments(ctx, day, day); f != (cases.PaymentFigures{Ordered: 2, Confirmed: 1, Refused: 1, Corrected: 1}) {
			t.Errorf("figures count instructions, the refused one and its corrected resend: %+v", f)
		}
		// The department's approver may correct too.
		c2 := gjjCase(t, e, e.svc, "6222000022224444")
		_ = e.svc.SendPayment(ctx, bank.Client(), c2.Payment.ID)
		if _, err := e.svc.ResendPayment(ctx, gjjApprover, c2.Number, cases.PaymentCorrection{Account: "6222000022225555"}); err != nil {
			t.Errorf("approver resends: %v", err)
		}
	})
}

// TestPaymentSweepMarksGivenUp: an instruction whose sending job River gave up on (discarded
// after its last attempt) is marked 发送失败 by the sweep — on the case, its timeline and the
// supervisors' figures — and can be sent again unchanged; one whose job is alive is left
// alone; a row that cannot be marked is logged and the sweep goes on.
func TestPaymentSweepMarksGivenUp(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		ins, err := jobs.NewInserter(db)
		if err != nil {
			t.Fatal(err)
		}
		svc := e.service(t, e.outbox(map[string]notify.Channel{"log": notify.LogChannel{Logger: quiet}}, jobs.Discard{}), ins, "")
		e.clk.set("2026-11-26", 10)
		given := gjjCase(t, e, svc, "6222000011117777")
		alive := gjjCase(t, e, svc, "6222000011118888")
		if _, err := db.ExecContext(ctx, `UPDATE river_job SET state = 'discarded', finalized_at = CURRENT_TIMESTAMP WHERE kind = 'case.payment' AND id = (SELECT MIN(id) FROM river_job WHERE kind = 'case.payment')`); err != nil {
			t.Fatal(err)
		}
		// A row that cannot be marked: its case is gone.
		if _, err := db.ExecContext(ctx, `INSERT INTO payment_instructions (case_number, kind, department_code, amount_fen, account_enc, account_last4, name_enc, status, created_at)
			VALUES ('no-such-case', 'gjj_withdrawal', 'GJJ', 1, 'x', '0000', 'x', 'pending', CURRENT_TIMESTAMP)`); err != nil {
			t.Fatal(err)
		}
		if err := svc.SweepPayments(ctx); err == nil || !strings.Contains(err.Error(), "no-such-case") {
			t.Errorf("the sweep's failures: %v", err)
		}
		g, _ := svc.Get(ctx, clerk, given.Number)
		if g.Payment.Status != cases.PayFailed || g.Payment.StatusName != "发送失败" || !g.Payment.Resendable() || last(g).Action != "payment_fail" {
			t.Fatalf("given up: %+v %+v", g.Payment, last(g))
		}
		if a, _ := svc.PaymentOf(ctx, alive.Number); a.Status != cases.PayPending {
			t.Errorf("a live job's instruction: %+v", a)
		}
		day := calendar.MustDate("2026-11-26")
		if f, _ := svc.Payments(ctx, day, day); f.Failed != 1 || f.Waiting != 1 {
			t.Errorf("figures: %+v", f)
		}
		// Sent again unchanged: a new instruction with a job of its own.
		r, err := svc.ResendPayment(ctx, clerk, given.Number, cases.PaymentCorrection{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Payment.Status != cases.PayPending || r.Payment.Account != "**** **** 7777" || len(r.Payment.History) != 1 {
			t.Errorf("resent: %+v", r.Payment)
		}
		var n int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'case.payment' AND state = 'available'`).Scan(&n)
		if n != 2 {
			t.Errorf("%d live payment jobs, want 2 (the alive one and the resent one)", n)
		}
		_ = svc.SweepPayments(ctx)
		if p, _ := svc.PaymentOf(ctx, given.Number); p.Status != cases.PayPending {
			t.Errorf("the resent one was swept: %+v", p)
		}
	})
}

func TestPaymentGivenUp(t *testing.T) {
	got := cases.PaymentGivenUp([]int64{1, 2, 3}, map[int64]bool{2: true})
	if !slices.Equal(got, []int64{1, 3}) {
		t.Errorf("%v", got)
	}
}

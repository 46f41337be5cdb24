package cases_test

import (
	"context"
	"slices"
	"testing"

	"banhao/calendar"
	"banhao/cases"
	"banhao/errs"
	"banhao/store"
)

func countCases(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWindowRefusalWithoutReasonWritesNothing: 不予受理 at registration without a reason is a
// field error before anything is written — no stray 已提交 case — and the same form token then
// registers and refuses the application in one step.
func TestWindowRefusalWithoutReasonWritesNothing(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		in := cases.CreateInput{Item: e.itemCode(t, "企业设立登记"), Applicant: person, Materials: []cases.MaterialRef{{MaterialID: "m1", FileID: e.upload(t)}},
			Reject: &cases.RejectInput{Basis: "《行政许可法》第三十二条"}}
		_, _, err := e.svc.Create(ctx, clerk, in, "form-1")
		e1, ok := errs.As(err)
		if !ok || e1.Code != errs.CodeInvalid || len(e1.Fields) != 1 || e1.Fields[0].Field != "reason" {
			t.Fatalf("refusal without a reason: %v, want one error on reason", err)
		}
		if n := countCases(t, db); n != 0 {
			t.Fatalf("a refused refusal left %d case(s) behind", n)
		}
		in.Reject.Reason = "不属于本机关职权范围"
		c, created, err := e.svc.Create(ctx, clerk, in, "form-1")
		if err != nil || !created || c.Status != cases.Rejected || c.RejectReason != "不属于本机关职权范围" {
			t.Fatalf("resubmitted with the same token: %+v created=%v %v", c.Status, created, err)
		}
		if n := countCases(t, db); n != 1 {
			t.Fatalf("%d cases, want 1", n)
		}
	})
}

// TestWindowCorrectionAtRegistration: 补正 at registration lists every required material not
// supplied (less those the clerk defers), in the same transaction; with nothing missing it is a
// field error and nothing is registered.
func TestWindowCorrectionAtRegistration(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		code, file := e.itemCode(t, "企业设立登记"), e.upload(t)
		var refs []cases.MaterialRef
		for _, id := range []string{"m1", "m2", "m4"} {
			refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
		}
		c, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs, Correct: &cases.IntakeCorrection{Note: "请补齐"}}, "")
		if err != nil || c.Status != cases.Correction || !slices.Equal(c.Missing, []string{"m3", "m5"}) {
			t.Fatalf("correction at registration: %v %v %v", c.Status, c.Missing, err)
		}
		all := append(slices.Clone(refs), cases.MaterialRef{MaterialID: "m3", FileID: file}, cases.MaterialRef{MaterialID: "m5", FileID: file})
		_, _, err = e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: all, Correct: &cases.IntakeCorrection{}}, "")
		if e1, ok := errs.As(err); !ok || len(e1.Fields) == 0 || e1.Fields[0].Field != "missing" {
			t.Fatalf("correction with nothing missing: %v", err)
		}
		if n := countCases(t, db); n != 1 {
			t.Fatalf("%d cases, want 1", n)
		}
	})
}

// TestNoticesDatedByTheirAct: a notice printed days later, and printed again the day after,
// carries the day of the act it records.
func TestNoticesDatedByTheirAct(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sqliteWithCatalog(t))
	file := e.upload(t)
	var refs []cases.MaterialRef
	for _, id := range []string{"m1", "m2", "m3", "m4", "m5"} {
		refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
	}
	c, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: e.itemCode(t, "企业设立登记"), Applicant: person, Materials: refs}, "")
	if err != nil {
		t.Fatal(err)
	}
	mustAct(t, e, clerk, c.Number, cases.AcceptInput{}) // 2026-09-30
	e.clk.set("2026-10-09", 11)
	mustAct(t, e, approver, c.Number, cases.DecisionInput{Decision: "approved"})
	for _, day := range []string{"2026-10-12", "2026-10-13"} { // printed, then printed again
		e.clk.set(day, 9)
		for kind, want := range map[cases.NoticeKind]string{cases.NoticeAcceptance: "2026-09-30", cases.NoticeDecision: "2026-10-09"} {
			n, c, err := e.svc.IssueNotice(ctx, clerk, c.Number, kind)
			if err != nil {
				t.Fatal(err)
			}
			if n.IssuedOn != calendar.MustDate(want) || calendar.DateOf(n.At, shanghai) != calendar.MustDate(want) {
				t.Errorf("%s printed on %s is dated %s (%v), want %s", kind, day, n.IssuedOn, n.At, want)
			}
			l, err := e.svc.Letter(ctx, n, c, "中心", "http://x/"+n.Code)
			if err != nil {
				t.Fatal(err)
			}
			if wantCN := map[string]string{"2026-09-30": "2026年9月30日", "2026-10-09": "2026年10月9日"}[want]; l.IssuedOn != wantCN {
				t.Errorf("%s printed on %s says %s, want %s", kind, day, l.IssuedOn, wantCN)
			}
			if v, err := e.svc.Verify(ctx, n.Code); err != nil || v.IssuedOn != calendar.MustDate(want) {
				t.Errorf("verification of %s says %v (%v), want %s", kind, v.IssuedOn, err, want)
			}
		}
	}
}

// TestClaimOnlyWhileTheDepartmentWorks: a decided case is neither claimed nor released.
func TestClaimOnlyWhileTheDepartmentWorks(t *testing.T) {
	for _, s := range cases.Statuses {
		want := s == cases.Submitted || s == cases.Correction || s == cases.Accepted || s == cases.Suspended
		if got := cases.Claimable(s); got != want {
			t.Errorf("Claimable(%s) = %v, want %v", s, got, want)
		}
	}
}

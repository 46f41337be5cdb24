package cases_test

import (
	"context"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/errs"
	"banhao/store"
)

// TestActionInputsNameTheField: each action's method refuses its own bad input as invalid,
// naming the field and, in the message, what the person must give; nothing is written (the
// case keeps its status and its timeline). Resume and withdraw take nothing that can be wrong.
func TestActionInputsNameTheField(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		c := e.submitted(t, "药品零售企业经营许可", "m1", "m2", "m3", "m4", "m5") // special procedures and extension allowed
		type refusal struct {
			name         string
			act          func() (cases.Case, error)
			field, label string
		}
		refused := func(status cases.Status, tries []refusal) {
			t.Helper()
			before, err := e.svc.Get(ctx, super, c.Number)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range tries {
				_, err := r.act()
				de, ok := errs.As(err)
				if !ok || de.Code != errs.CodeInvalid || len(de.Fields) == 0 || de.Fields[0].Field != r.field || !strings.Contains(de.Fields[0].Message, r.label) {
					t.Errorf("%s: %v, want invalid %s naming %s", r.name, err, r.field, r.label)
				}
			}
			after, err := e.svc.Get(ctx, super, c.Number)
			if err != nil {
				t.Fatal(err)
			}
			if after.Status != status || len(after.Timeline) != len(before.Timeline) {
				t.Fatalf("after refused actions: %s with %d timeline entries, want %s with %d", after.Status, len(after.Timeline), status, len(before.Timeline))
			}
		}
		n := c.Number
		refused(cases.Submitted, []refusal{
			{"accept", func() (cases.Case, error) {
				return e.svc.Accept(ctx, clerk, n, cases.AcceptInput{Deferred: []cases.DeferInput{{MaterialID: "m99"}}})
			}, "deferred[0].material_id", "m99"},
			{"correction", func() (cases.Case, error) { return e.svc.AskCorrection(ctx, clerk, n, cases.CorrectionInput{}) }, "missing", "补正的材料"},
			{"correction of no such material", func() (cases.Case, error) {
				return e.svc.AskCorrection(ctx, clerk, n, cases.CorrectionInput{Missing: []string{"m99"}})
			}, "missing[0]", "m99"},
			{"supply", func() (cases.Case, error) { return e.svc.Supply(ctx, clerk, n, cases.SupplyInput{}) }, "materials", "补交的材料"},
			{"reject without basis", func() (cases.Case, error) {
				return e.svc.Reject(ctx, clerk, n, cases.RejectInput{Reason: "不属于受理范围"})
			}, "basis", "法律依据"},
			{"reject without reason", func() (cases.Case, error) {
				return e.svc.Reject(ctx, clerk, n, cases.RejectInput{Basis: "《行政许可法》第三十二条"})
			}, "reason", "理由"},
		})
		mustAct(t, e, clerk, n, cases.AcceptInput{})
		refused(cases.Accepted, []refusal{
			{"suspend of no such kind", func() (cases.Case, error) {
				return e.svc.Suspend(ctx, approver, n, cases.SuspendInput{Kind: "pause", Reason: "现场核查"})
			}, "kind", "类型"},
			{"suspend without reason", func() (cases.Case, error) {
				return e.svc.Suspend(ctx, approver, n, cases.SuspendInput{Kind: "suspension"})
			}, "reason", "事由"},
			{"extend by no days", func() (cases.Case, error) {
				return e.svc.Extend(ctx, approver, n, cases.ExtendInput{Reason: "需补充专家论证"})
			}, "days", "延期天数"},
			{"extend without reason", func() (cases.Case, error) { return e.svc.Extend(ctx, approver, n, cases.ExtendInput{Days: 2}) }, "reason", "理由"},
			{"decide neither way", func() (cases.Case, error) {
				return e.svc.Decide(ctx, approver, n, cases.DecisionInput{Decision: "maybe"})
			}, "decision", "决定"},
			{"deny without reason", func() (cases.Case, error) {
				return e.svc.Decide(ctx, approver, n, cases.DecisionInput{Decision: "denied", Reason: " "})
			}, "reason", "理由"},
		})
		mustAct(t, e, approver, n, cases.DecisionInput{Decision: "denied", Reason: "经营场所不符合要求"}) // approving needs an organisation: the result is its certificate
		refused(cases.Decided, []refusal{
			{"deliver by no such method", func() (cases.Case, error) {
				return e.svc.Deliver(ctx, clerk, n, cases.DeliveryInput{Method: "drone"})
			}, "method", "出件方式"},
			{"mail without tracking number", func() (cases.Case, error) {
				return e.svc.Deliver(ctx, clerk, n, cases.DeliveryInput{Method: "mail"})
			}, "tracking_number", "快递单号"},
		})
	})
}

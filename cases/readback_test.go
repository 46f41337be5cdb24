package cases_test

import (
	"context"
	"reflect"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/store"
)

// TestNewCaseAsReadAfresh: the case Create hands back — read in its own transaction, leaving
// out what the command did not write (children, payment, hand-offs, originals' sign-offs) — is,
// field by field, the case read afresh after the commit, for intakes with and without
// hand-offs, originals, acceptance or refusal, on both engines.
func TestNewCaseAsReadAfresh(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		same := func(name string, by audit.Actor, svc *cases.Service, c cases.Case) {
			t.Helper()
			fresh, err := cases.ReadAsCreated(ctx, svc, by, c.Number)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !reflect.DeepEqual(c, fresh) {
				t.Errorf("%s: the case handed back differs from the case read afresh:\nback  %+v\nfresh %+v", name, c, fresh)
			}
		}
		// the window's one step, before the network: neither hand-offs nor originals
		code := e.itemCode(t, "个体工商户设立登记")
		mats := e.allMaterials(t, clerk, code)
		for _, in := range []cases.CreateInput{
			{Item: code, Applicant: person, Materials: mats, Accept: &cases.AcceptInput{}},
			{Item: code, Applicant: person, Materials: mats},
			{Item: code, Applicant: person, Materials: mats[:1]},
		} {
			c, _, err := e.svc.Create(ctx, clerk, in, "")
			if err != nil {
				t.Fatal(err)
			}
			same("window "+string(c.Status), clerk, e.svc, c)
		}
		// on the network: a case decided in another region, with its hand-offs, originals signed
		// off at intake or not, and one refused at the window
		svc := e.networked(t)
		it := e.withOriginals(t, e.itemCode(t, "社会保障卡申领"))
		c := e.routedCase(t, svc, cases.CreateInput{OriginalsChecked: cases.NeedsOriginals(it)[:1]})
		if len(c.Originals) != 1 || len(c.Transfers) != 2 {
			t.Fatalf("routed with originals: %d originals, %d hand-offs", len(c.Originals), len(c.Transfers))
		}
		same("routed with originals", clerkPengli, svc, c)
		same("routed", clerkPengli, svc, e.routedCase(t, svc, cases.CreateInput{}))
		same("refused", clerkPengli, svc, e.routedCase(t, svc, cases.CreateInput{Reject: &cases.RejectInput{Reason: "不符合条件", Basis: "《条例》"}}))
	})
}

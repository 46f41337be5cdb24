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
// out what the command did not write (children, payment, hand-offs, originals' sign-offs, 容缺) — is,
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
		// on the network, accepted, decided and collected at the main center: routed, no hand-offs
		// (their read left out), no 容缺 (its read left out) — and one with 容缺
		c, _, err := svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: mats, Accept: &cases.AcceptInput{}}, "")
		if err != nil || c.AcceptedCenter == "" || len(c.Transfers) != 0 || len(c.Deferred) != 0 {
			t.Fatalf("one center: center %q, %d hand-offs, %d 容缺, %v", c.AcceptedCenter, len(c.Transfers), len(c.Deferred), err)
		}
		same("routed, one center", clerk, svc, c)
		lease := e.itemCode(t, "企业设立登记")
		file := e.upload(t)
		refs := []cases.MaterialRef{{MaterialID: "m1", FileID: file}, {MaterialID: "m2", FileID: file}, {MaterialID: "m3", FileID: file}, {MaterialID: "m4", FileID: file}}
		c, _, err = svc.Create(ctx, clerk, cases.CreateInput{Item: lease, Applicant: person, Materials: refs,
			Accept: &cases.AcceptInput{Deferred: []cases.DeferInput{{MaterialID: "m5", Due: mustDate("2026-10-08")}}}}, "")
		if err != nil || len(c.Deferred) != 1 {
			t.Fatalf("one center with 容缺: %d 容缺, %v", len(c.Deferred), err)
		}
		same("routed, one center, 容缺", clerk, svc, c)
	})
}

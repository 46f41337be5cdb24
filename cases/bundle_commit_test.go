package cases_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
)

// bundleFiles names a file for every required material of a bundle's first stage.
func bundleFiles(t *testing.T, e *env, b catalog.Bundle, file string) []cases.MaterialRef {
	t.Helper()
	var refs []cases.MaterialRef
	for _, ic := range b.Stages[0].Items {
		it, _ := e.cat.Item(context.Background(), ic)
		for _, m := range it.Materials {
			if m.Required && m.Source != catalog.SourceShared {
				refs = append(refs, cases.MaterialRef{Item: ic, MaterialID: m.ID, FileID: file})
			}
		}
	}
	return refs
}

// TestBundleCommitmentsAtEveryStage (一件事 with 告知承诺 members): the applicant's one signature at
// application covers the 告知承诺 members of later stages too — when their stage opens they are
// signed with it and approved on it, with their post-check; an applicant with a false commitment
// on record is not approved on their word in a bundle either (the member waits for its
// approver, the timeline says why); an online bundle whose members are all the system's (signed
// 告知承诺) is accepted and decided at once, as a case alone would be, while one with a member a
// person must review waits for the window.
func TestBundleCommitmentsAtEveryStage(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-11-26", 10)
		food, seal, fire := e.itemCode(t, "食品经营许可"), e.itemCode(t, "公章刻制备案"), e.itemCode(t, demo.FireCheckItemName)
		sealItem, _ := e.cat.Item(ctx, seal)
		put := func(b catalog.Bundle) catalog.Bundle {
			t.Helper()
			var in []string
			for _, st := range b.Stages {
				in = append(in, st.Items...)
			}
			b.PromisedLimit = catalog.Limit{Value: 5, Unit: catalog.WorkingDay}
			b.Form = catalog.BundleForm{Fields: []catalog.FormField{{Key: "shop", Label: "店名", Type: "text", Required: true, Items: in}}}
			if _, err := e.cat.PutBundle(ctx, audit.System, b, catalog.StatusPublished); err != nil {
				t.Fatal(err)
			}
			return b
		}
		shopForm := json.RawMessage(`{"shop":"示例食品店"}`)
		org := cases.Applicant{Type: "organization", Name: "滨州示例食品有限公司", IDNumber: "91350100M000100Y43", Phone: "13805431234"}
		signed := &cases.CommitmentInput{Agreed: true}
		child := func(p cases.Case, item string) cases.Child {
			t.Helper()
			for _, k := range p.Children {
				if k.Item == item {
					return k
				}
			}
			t.Fatalf("no member %s in %+v", item, p.Children)
			return cases.Child{}
		}

		// A later stage's 告知承诺 member: signed with the application's signature when it opens.
		staged := put(catalog.Bundle{Code: "KZSP", Name: "刻章后开办食品店一件事",
			Stages: []catalog.Stage{{Name: "公章刻制", Items: []string{seal}}, {Name: "食品经营许可", Items: []string{food}}}})
		p, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Bundle: staged.Code, Applicant: org, Form: shopForm,
			Materials: bundleMaterials(t, e, staged.Code), Accept: &cases.AcceptInput{}, Commitment: signed}, "")
		if err != nil {
			t.Fatalf("a bundle signed for its later-stage 告知承诺 member: %v", err)
		}
		mustAct(t, e, approverOf(sealItem.Department.Code), child(p, seal).Number, cases.DecisionInput{Decision: "approved"})
		p, _ = e.svc.Get(ctx, super, p.Number)
		k := child(p, food)
		if k.Status != cases.Decided || k.Decision != "approved" {
			t.Fatalf("the second stage's 告知承诺 member: %s %s, want approved on the application's commitment", k.Status, k.Decision)
		}
		if sc, _ := e.svc.CommitmentOf(ctx, k.Number); sc == nil || sc.Signer != org.Name || sc.Text == "" {
			t.Errorf("the member's commitment: %+v", sc)
		}
		if pc, err := e.svc.PostCheckOf(ctx, k.Number); err != nil || pc == nil {
			t.Errorf("the member's post-check: %+v %v", pc, err)
		}
		if p.Status != cases.Decided {
			t.Errorf("the bundle after its last member: %s", p.Status)
		}

		// Online, every member signed 告知承诺: accepted and decided at submission.
		citizen := audit.Actor{Username: "applicant:1", Role: "applicant"}
		both := put(catalog.Bundle{Code: "SPXF", Name: "食品店开业一件事", Stages: []catalog.Stage{{Name: "并联办理", Items: []string{food, fire}}}})
		p, _, err = e.svc.Create(ctx, citizen, cases.CreateInput{Bundle: both.Code, Channel: "online", Applicant: org, Form: shopForm,
			Materials: bundleFiles(t, e, both, e.uploadAs(t, citizen)), Commitment: &cases.CommitmentInput{Agreed: true, Signer: org.Name}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if child(p, food).Decision != "approved" || child(p, fire).Decision != "approved" {
			t.Errorf("an online bundle of signed 告知承诺 members: %+v, want both approved at submission", p.Children)
		}
		// Online with a member a person reviews: the whole bundle waits for the window.
		mixed := put(catalog.Bundle{Code: "SPKZ", Name: "食品店刻章一件事", Stages: []catalog.Stage{{Name: "并联办理", Items: []string{food, seal}}}})
		p, _, err = e.svc.Create(ctx, citizen, cases.CreateInput{Bundle: mixed.Code, Channel: "online", Applicant: org, Form: shopForm,
			Materials: bundleFiles(t, e, mixed, e.uploadAs(t, citizen)), Commitment: &cases.CommitmentInput{Agreed: true, Signer: org.Name}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != cases.Submitted || child(p, food).Status != cases.Submitted {
			t.Errorf("an online bundle with a member to review: %s, %+v; want submitted, for the window", p.Status, p.Children)
		}

		// A false commitment on record: the member is not approved on the applicant's word.
		if _, err := db.ExecContext(ctx, `INSERT INTO credit_records (applicant_idx, applicant_name, case_number, item_name, department_code, reason, recorded_on, recorded_by, created_at)
			VALUES (?, ?, 'X', '食品经营许可', 'SCJ', '承诺不实', '2026-11-01', 'approver', ?)`, e.pii.Index(identity.NormalizeID(org.IDNumber)), org.Name, e.clk.now()); err != nil {
			t.Fatal(err)
		}
		p, _, err = e.svc.Create(ctx, clerk, cases.CreateInput{Bundle: mixed.Code, Applicant: org, Form: shopForm,
			Materials: bundleMaterials(t, e, mixed.Code), Accept: &cases.AcceptInput{}, Commitment: signed}, "")
		if err != nil {
			t.Fatal(err)
		}
		k = child(p, food)
		if k.Status != cases.Accepted || k.Decision != "" {
			t.Fatalf("a member for an applicant with a credit record: %s %s, want waiting for the approver", k.Status, k.Decision)
		}
		got, _ := e.svc.Get(ctx, super, k.Number)
		withheld := false
		for _, ev := range got.Timeline {
			withheld = withheld || strings.Contains(ev.Text, "信用修复前不适用告知承诺制")
		}
		if !withheld {
			t.Errorf("the member's timeline does not say why: %+v", got.Timeline)
		}
	})
}

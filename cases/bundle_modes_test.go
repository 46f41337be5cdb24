package cases_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/certs"
	"banhao/ids"
	"banhao/store"
	"banhao/wiring"
)

// TestBundleMembersDecidedAsAlone (一件事一次办 with 秒批, 秒到账 and 告知承诺 members): a bundle's
// member goes the way it would go applied for alone. In a 养老保险参保、医保参保、公积金提取 bundle
// accepted at the window, the 秒批 member (城乡居民基本养老保险参保登记) is approved by its rules at
// once, the others wait for their departments' approvers; the 公积金 member's payment is held and
// ordered by its approval, the merged form masked like the member's. In a second stage, the
// 秒批 member is approved by its rules and the paying member's payment held when it opens. In a bundle with 食品经营许可
// (告知承诺) the signed commitment approves that member at once with its post-check, the other
// member waits.
func TestBundleMembersDecidedAsAlone(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-11-26", 10)
		pension, medical, fund := e.itemCode(t, "城乡居民基本养老保险参保登记"), e.itemCode(t, "城乡居民基本医疗保险参保登记"), e.itemCode(t, "住房公积金提取（购买住房）")
		local := cases.Applicant{Type: "person", Name: "李梅", IDNumber: idNumber("37160219850315004"), Phone: "13805431234"}
		c, _ := ids.CreditCodeCheck("11371600MB2850001")
		csv := "type,number,holder_name,holder_id,issuer_code,issuer_name,issued_on\n" +
			"居民身份证,SFZ-0001," + local.Name + "," + local.IDNumber + ",11371600MB2850001" + string(c) + ",滨州市公安局,2020-01-02\n"
		lib := wiring.Must(certs.New(certs.Config{DB: db, Audit: e.log, PII: e.pii, Now: e.clk.now, Location: shanghai}))
		if _, err := lib.Import(ctx, audit.System, "csv", []byte(csv)); err != nil {
			t.Fatal(err)
		}
		all := []string{pension, medical, fund}
		b := catalog.Bundle{Code: "YLYBGJJ", Name: "参保与公积金提取一件事", PromisedLimit: catalog.Limit{Value: 5, Unit: catalog.WorkingDay},
			Stages: []catalog.Stage{{Name: "并联办理", Items: all}},
			Form: catalog.BundleForm{Fields: []catalog.FormField{
				{Key: "name", Label: "姓名", Type: "text", Required: true, Items: all},
				{Key: "student", Label: "是否为在校学生", Type: "choice", Required: true, Items: []string{pension}, Options: []string{"是", "否"}},
				{Key: "employee_insured", Label: "是否已参加职工基本养老保险", Type: "choice", Required: true, Items: []string{pension}, Options: []string{"是", "否"}},
				{Key: "amount", Label: "提取金额（元）", Type: "number", Required: true, Items: []string{fund}},
				{Key: "bank_account", Label: "收款银行账号", Type: "text", Required: true, Items: []string{fund}},
				{Key: "account_name", Label: "收款人户名", Type: "text", Required: true, Items: []string{fund}},
			}}}
		if _, err := e.cat.PutBundle(ctx, audit.System, b, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		form := json.RawMessage(`{"name":"李梅","student":"否","employee_insured":"否","amount":5000,"bank_account":"6222000011112222","account_name":"李梅"}`)
		p, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Bundle: b.Code, Applicant: local, Form: form, Materials: bundleMaterials(t, e, b.Code), Accept: &cases.AcceptInput{}}, "")
		if err != nil {
			t.Fatal(err)
		}
		kids := map[string]cases.Child{}
		for _, k := range p.Children {
			kids[k.Item] = k
		}
		if k := kids[pension]; k.Status != cases.Decided || k.Decision != "approved" {
			t.Fatalf("the 秒批 member: %s %s, want approved by its rules at once", k.Status, k.Decision)
		}
		if kids[medical].Status != cases.Accepted || kids[fund].Status != cases.Accepted || p.Status != cases.Accepted {
			t.Fatalf("the other members and the bundle: %s, %s, %s; want them waiting for approvers", kids[medical].Status, kids[fund].Status, p.Status)
		}
		got, err := e.svc.Get(ctx, super, kids[pension].Number)
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]string{}
		for _, ev := range got.Timeline {
			by[ev.Action] = ev.Actor
		}
		if by["rules"] != "rules" || by["decide"] != "rules" {
			t.Errorf("the 秒批 member's timeline: %v, want checked and decided by the rules", by)
		}
		if strings.Contains(string(p.Form), "6222000011112222") {
			t.Errorf("the bundle keeps the account in the clear: %s", p.Form)
		}
		pay, err := e.svc.PaymentOf(ctx, kids[fund].Number)
		if err != nil || pay == nil || pay.Status != cases.PayHeld || pay.AmountFen != 500000 {
			t.Fatalf("the 公积金 member's payment before the decision: %+v %v", pay, err)
		}
		mustAct(t, e, approverOf("GJJ"), kids[fund].Number, cases.DecisionInput{Decision: "approved"})
		if pay, _ = e.svc.PaymentOf(ctx, kids[fund].Number); pay == nil || pay.Status != cases.PayPending {
			t.Fatalf("the 公积金 member's payment after its approval: %+v, want ordered", pay)
		}
		mustAct(t, e, approverOf("YBJ"), kids[medical].Number, cases.DecisionInput{Decision: "approved"})
		if p, _ = e.svc.Get(ctx, super, p.Number); p.Status != cases.Decided || p.Decision != "approved" {
			t.Errorf("the bundle after its last member: %s %s", p.Status, p.Decision)
		}

		// Members of a later stage go their way when it opens: the 秒批 member decided by its
		// rules, the paying member's payment held (the bundle keeps the account until then only).
		staged := catalog.Bundle{Code: "YBYL", Name: "医保参保后养老保险参保与公积金提取", PromisedLimit: catalog.Limit{Value: 5, Unit: catalog.WorkingDay},
			Stages: []catalog.Stage{{Name: "医保参保", Items: []string{medical}}, {Name: "养老保险参保与公积金提取", Items: []string{pension, fund}}},
			Form:   b.Form}
		if _, err := e.cat.PutBundle(ctx, audit.System, staged, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		p, _, err = e.svc.Create(ctx, clerk, cases.CreateInput{Bundle: staged.Code, Applicant: local, Form: form, Materials: bundleMaterials(t, e, staged.Code)}, "")
		if err != nil {
			t.Fatal(err)
		}
		p = mustAct(t, e, clerk, p.Number, cases.AcceptInput{})
		mustAct(t, e, approverOf("YBJ"), p.Children[0].Number, cases.DecisionInput{Decision: "approved"})
		p, _ = e.svc.Get(ctx, super, p.Number)
		kids = map[string]cases.Child{}
		for _, k := range p.Children {
			kids[k.Item] = k
		}
		if kids[pension].Decision != "approved" || kids[fund].Status != cases.Accepted || p.Status != cases.Accepted {
			t.Errorf("the second stage: %+v; the bundle %s", p.Children, p.Status)
		}
		if pay, err := e.svc.PaymentOf(ctx, kids[fund].Number); err != nil || pay == nil || pay.Status != cases.PayHeld {
			t.Errorf("the second stage's paying member: %+v %v, want its payment held", pay, err)
		}
		if strings.Contains(string(p.Form), "6222000011112222") {
			t.Errorf("the bundle keeps the account in the clear once its stage opened: %s", p.Form)
		}

		// 告知承诺: the signature approves the member on it, with its post-check.
		food, seal := e.itemCode(t, "食品经营许可"), e.itemCode(t, "公章刻制备案")
		shop := catalog.Bundle{Code: "KSP", Name: "开办食品店一件事", PromisedLimit: catalog.Limit{Value: 5, Unit: catalog.WorkingDay},
			Stages: []catalog.Stage{{Name: "并联办理", Items: []string{food, seal}}},
			Form:   catalog.BundleForm{Fields: []catalog.FormField{{Key: "shop", Label: "店名", Type: "text", Required: true, Items: []string{food, seal}}}}}
		if _, err := e.cat.PutBundle(ctx, audit.System, shop, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		org := cases.Applicant{Type: "organization", Name: "滨州示例食品有限公司", IDNumber: "91350100M000100Y43", Phone: "13805431234"}
		in := cases.CreateInput{Bundle: shop.Code, Applicant: org, Form: json.RawMessage(`{"shop":"示例食品店"}`), Materials: bundleMaterials(t, e, shop.Code), Accept: &cases.AcceptInput{}}
		if _, _, err := e.svc.Create(ctx, clerk, in, ""); err == nil || !strings.Contains(err.Error(), "承诺书") {
			t.Fatalf("a 告知承诺 member without the signature: %v", err)
		}
		in.Commitment = &cases.CommitmentInput{Agreed: true}
		p, _, err = e.svc.Create(ctx, clerk, in, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range p.Children {
			switch {
			case k.Item == food && (k.Status != cases.Decided || k.Decision != "approved"):
				t.Errorf("the 告知承诺 member: %s %s, want approved on the commitment", k.Status, k.Decision)
			case k.Item == seal && k.Status != cases.Accepted:
				t.Errorf("the other member: %s, want waiting", k.Status)
			case k.Item == food:
				pc, err := e.svc.PostCheckOf(ctx, k.Number)
				if err != nil || pc == nil || pc.Due != calendar.MustDate("2026-12-24") {
					t.Errorf("the 告知承诺 member's post-check: %+v %v", pc, err)
				}
				if sc, _ := e.svc.CommitmentOf(ctx, k.Number); sc == nil || sc.Signer != org.Name {
					t.Errorf("the 告知承诺 member's commitment: %+v", sc)
				}
			}
		}
	})
}

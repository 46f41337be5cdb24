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
	"banhao/store"
)

// TestSystemDecisionsSentElectronically: a case the system decides on an online application
// (告知承诺 here, 秒批 in web's TestOnlineRulesResultSentElectronically), singly or as a bundle,
// is delivered electronically at once (by 系统, its result on /my) when the item's result may be
// electronic and the applicant chose no center or post; a paper-only item's result, or one the
// applicant asked for at a center, waits there to be collected.
func TestSystemDecisionsSentElectronically(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-11-26", 10)
		citizen := audit.Actor{Username: "applicant:1", Role: "applicant"}
		org := cases.Applicant{Type: "organization", Name: "滨州示例食品有限公司", IDNumber: "91350100M000100Y43", Phone: "13805431234"}
		signed := &cases.CommitmentInput{Agreed: true, Signer: org.Name}
		food, fire := e.itemCode(t, "食品经营许可"), e.itemCode(t, demo.FireCheckItemName)
		apply := func(code string) cases.Case {
			t.Helper()
			it, _ := e.cat.Item(ctx, code)
			var refs []cases.MaterialRef
			for _, m := range it.Materials {
				if m.Required && m.Source != catalog.SourceShared {
					refs = append(refs, cases.MaterialRef{MaterialID: m.ID, FileID: e.uploadAs(t, citizen)})
				}
			}
			c, _, err := e.svc.Create(ctx, citizen, cases.CreateInput{Item: code, Channel: "online", Applicant: org, Materials: refs, Commitment: signed}, "")
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		// The demo's 食品经营许可 is handed out on paper: decided, to be collected.
		if c := apply(food); c.Status != cases.Decided || c.DeliveryMethod != "" {
			t.Fatalf("a paper result: %s %q, want decided and waiting", c.Status, c.DeliveryMethod)
		}
		electronic := func(code string) {
			t.Helper()
			it, err := e.cat.LatestItem(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			it.DeliveryMethods = []string{"window", "mail", "electronic"}
			if _, err := e.cat.PutItem(ctx, audit.System, it, catalog.StatusPublished); err != nil {
				t.Fatal(err)
			}
		}
		electronic(food)
		electronic(fire)
		c := apply(food)
		if c.Status != cases.Delivered || c.DeliveryMethod != "electronic" {
			t.Fatalf("an electronic result decided by the system: %s %q, want delivered electronically", c.Status, c.DeliveryMethod)
		}
		if last := c.Timeline[len(c.Timeline)-1]; last.Action != "deliver" || last.Actor != audit.System.Username {
			t.Errorf("the delivery's entry: %+v, want 出件 by 系统", last)
		}
		if pc, err := e.svc.PostCheckOf(ctx, c.Number); err != nil || pc == nil {
			t.Errorf("the post-check of a case sent electronically: %+v %v", pc, err)
		}
		// What the applicant reads follows the case: decided at once, no day promised ahead —
		// neither in a text nor on /my's road.
		texts := textsOf(t, db, c.Number)
		if len(texts) != 1 || !strings.Contains(texts[0], "已办结") || strings.Contains(texts[0], "前办结") {
			t.Errorf("the applicant's texts of a case approved on the commitment: %q, want one, 已办结 with no day promised", texts)
		}
		it, _ := e.cat.Item(ctx, food)
		if road := cases.CitizenProgress(c, it).Road; road[1].Text != "已受理，当日办结" {
			t.Errorf("/my's road at 受理: %q, want 已受理，当日办结", road[1].Text)
		}

		// A bundle of the system's members: sent as a whole.
		both := catalog.Bundle{Code: "SPXF", Name: "食品店开业一件事", PromisedLimit: catalog.Limit{Value: 5, Unit: catalog.WorkingDay},
			Stages: []catalog.Stage{{Name: "并联办理", Items: []string{food, fire}}},
			Form:   catalog.BundleForm{Fields: []catalog.FormField{{Key: "shop", Label: "店名", Type: "text", Required: true, Items: []string{food, fire}}}}}
		if _, err := e.cat.PutBundle(ctx, audit.System, both, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		in := cases.CreateInput{Bundle: both.Code, Channel: "online", Applicant: org, Form: json.RawMessage(`{"shop":"示例食品店"}`),
			Materials: bundleFiles(t, e, both, e.uploadAs(t, citizen)), Commitment: signed}
		p, _, err := e.svc.Create(ctx, citizen, in, "")
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != cases.Delivered || p.DeliveryMethod != "electronic" {
			t.Fatalf("an online bundle the system decided: %s %q, want delivered electronically", p.Status, p.DeliveryMethod)
		}
		for _, k := range p.Children {
			if k.Status != cases.Delivered {
				t.Errorf("member %s: %s, want delivered with the bundle", k.ItemName, k.Status)
			}
		}
	})
}

// TestSystemDeliversRule: the rule of sysdelivery.go alone.
func TestSystemDeliversRule(t *testing.T) {
	paper := catalog.Item{DeliveryMethods: []string{"window", "mail"}}
	either := catalog.Item{DeliveryMethods: []string{"window", "electronic"}}
	for _, tc := range []struct {
		c      cases.Case
		it     catalog.Item
		system bool
		want   bool
	}{
		{cases.Case{Channel: "online"}, either, true, true},
		{cases.Case{Channel: "agent"}, either, true, true},
		{cases.Case{Channel: "online"}, paper, true, false},
		{cases.Case{Channel: "online"}, either, false, false},
		{cases.Case{Channel: "online", DeliveryChosen: true}, either, true, false},
		{cases.Case{Channel: "window"}, either, true, false},
		{cases.Case{Channel: "kiosk"}, either, true, false},
	} {
		if got := cases.SystemDelivers(tc.c, tc.it, tc.system); got != tc.want {
			t.Errorf("SystemDelivers(%s chosen=%v, %v, system=%v) = %v", tc.c.Channel, tc.c.DeliveryChosen, tc.it.DeliveryMethods, tc.system, got)
		}
	}
}

// TestSystemDeliveryLeavesNoPaperHandOff: an online bundle whose members the system decides —
// one decided by 沾化区, one by the city — is handed out at the accepting center (the members'
// own defaults differ), so 沾化区's member opens a paper result hand-off 沾化区 → the city's
// center; once the system sends the bundle electronically, no 待寄出 result stays in either
// center's 材料流转 list: nothing travels, nobody is asked to post or sign for paper.
func TestSystemDeliveryLeavesNoPaperHandOff(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		citizen := audit.Actor{Username: "applicant:1", Role: "applicant"}
		resident := cases.Applicant{Type: "person", Name: "王芳", IDNumber: idNumber("37160319800101002"), Phone: "13805431236"}
		card, food := e.itemCode(t, "社会保障卡申领"), e.itemCode(t, "食品经营许可")
		for _, code := range []string{card, food} { // both on the applicant's word, both sent electronically
			it, err := e.cat.LatestItem(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			it.HandlingMode, it.ReformMode, it.PostCheckDays = catalog.ModeCommitment, "", 20
			it.ResultCertificate = "" // a person's bundle: no licence issued to a company
			if it.Commitment == "" {
				it.Commitment = "本人承诺所填信息和所交材料真实、有效，符合申领条件。"
			}
			it.DeliveryMethods = []string{"window", "mail", "electronic"}
			if _, err := e.cat.PutItem(ctx, audit.System, it, catalog.StatusPublished); err != nil {
				t.Fatal(err)
			}
		}
		b := catalog.Bundle{Code: "SBSP", Name: "社保卡和食品经营一件事", PromisedLimit: catalog.Limit{Value: 5, Unit: catalog.WorkingDay},
			Stages: []catalog.Stage{{Name: "并联办理", Items: []string{card, food}}},
			Form:   catalog.BundleForm{Fields: []catalog.FormField{{Key: "shop", Label: "店名", Type: "text", Required: true, Items: []string{card, food}}}}}
		if _, err := e.cat.PutBundle(ctx, audit.System, b, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		p, _, err := svc.Create(ctx, citizen, cases.CreateInput{Bundle: b.Code, Channel: "online", Applicant: resident,
			Form: json.RawMessage(`{"shop":"示例食品店"}`), Materials: bundleFiles(t, e, b, e.uploadAs(t, citizen)), DecidingRegion: zhanhua,
			Commitment: &cases.CommitmentInput{Agreed: true, Signer: resident.Name}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != cases.Delivered || p.DeliveryMethod != "electronic" {
			t.Fatalf("the bundle: %s %q, want delivered electronically", p.Status, p.DeliveryMethod)
		}
		open, err := svc.Transfers(ctx, audit.Actor{Username: "supervisor", Role: "supervisor"}, cases.TransferQuery{Status: cases.TransferPending})
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range open {
			if tr.Kind == cases.TransferResult {
				t.Errorf("a paper result still to post after electronic delivery: %+v", tr)
			}
		}
	})
}

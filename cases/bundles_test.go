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
	"banhao/errs"
	"banhao/store"
)

// bundleMaterials supplies every required material of the first stage's items.
func bundleMaterials(t *testing.T, e *env, code string) []cases.MaterialRef {
	t.Helper()
	b, err := e.cat.Bundle(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	file := e.upload(t)
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

func approverOf(dept string) audit.Actor {
	return audit.Actor{Username: "approver_" + strings.ToLower(dept), Role: "approver", Department: dept}
}

var companyForm = json.RawMessage(`{"company_name":"滨州示例科技有限公司","company_kind":"有限责任公司","capital":100,"business_scope":"软件开发",
	"address":"滨州市黄河五路391号","legal_name":"张三","legal_id":"11010519491231002X","phone":"13805431234","seal_kinds":"公章、财务章、发票章"}`)

func TestOpeningACompanyInOneGo(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-09-29", 10)
		org := cases.Applicant{Type: "organization", Name: "滨州示例科技有限公司", IDNumber: "91350100M000100Y43", Phone: "13805431234"}

		bad := json.RawMessage(strings.Replace(string(companyForm), "11010519491231002X", "110105194912310021", 1))
		_, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Bundle: "KBQY", Applicant: org, Form: bad}, "")
		if ee, ok := errs.As(err); !ok || ee.Fields[0].Field != "form.legal_id" {
			t.Fatalf("invalid ID in the merged form: %v, want an error naming form.legal_id", err)
		}

		// One member hands out paper only (window or post).
		kbqy, err := e.cat.Bundle(ctx, "KBQY")
		if err != nil {
			t.Fatal(err)
		}
		paperOnly, err := e.cat.LatestItem(ctx, kbqy.Stages[0].Items[0])
		if err != nil {
			t.Fatal(err)
		}
		paperOnly.DeliveryMethods = []string{"window", "mail"}
		if _, err := e.cat.PutItem(ctx, audit.System, paperOnly, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}

		p, created, err := e.svc.Create(ctx, clerk, cases.CreateInput{Bundle: "KBQY", Applicant: org, Form: companyForm, Materials: bundleMaterials(t, e, "KBQY")}, "")
		if err != nil || !created {
			t.Fatal(err)
		}
		if len(p.Children) != 5 {
			t.Fatalf("开办企业 made %d child cases, want 5", len(p.Children))
		}
		depts := map[string]string{}
		for _, k := range p.Children {
			depts[k.Department] = k.Number
		}
		if len(depts) != 5 {
			t.Fatalf("children routed to %d departments, want 5: %v", len(depts), depts)
		}
		if _, err := e.svc.Accept(ctx, clerk, p.Children[0].Number, cases.AcceptInput{}); !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("accepting one child alone: %v, want a conflict", err)
		}
		p = mustAct(t, e, clerk, p.Number, cases.AcceptInput{})
		if p.Status != cases.Accepted || *p.Due != calendar.MustDate("2026-10-09") {
			t.Fatalf("bundle accepted: %s due %v, want due 2026-10-09 (3 working days over National Day)", p.Status, p.Due)
		}
		for _, k := range p.Children {
			if k.Status != cases.Accepted {
				t.Fatalf("child %s is %s after the one acceptance", k.ItemName, k.Status)
			}
		}
		// Each department's approver sees and decides its own child; the form reached it.
		for i, k := range p.Children {
			officer := approverOf(k.Department)
			list, _, _ := e.svc.List(ctx, officer, cases.Query{Status: "accepted"})
			if len(list) != 1 || list[0].Number != k.Number {
				t.Fatalf("%s's queue: %d cases", k.Department, len(list))
			}
			child, _ := e.svc.Get(ctx, officer, k.Number)
			if !strings.Contains(string(child.Form), "滨州示例科技有限公司") {
				t.Fatalf("%s got no form answers: %s", k.ItemName, child.Form)
			}
			mustAct(t, e, officer, k.Number, cases.DecisionInput{Decision: "approved"})
			got, _ := e.svc.Get(ctx, super, p.Number)
			if i < 4 && got.Status != cases.Accepted || i == 4 && (got.Status != cases.Decided || got.Decision != "approved") {
				t.Fatalf("after %d of 5 decisions the bundle is %s (%s)", i+1, got.Status, got.Decision)
			}
		}
		// The member whose item hands out paper only is not sent electronically with the bundle.
		_, err = e.svc.Act(ctx, clerk, p.Number, cases.DeliveryInput{Method: "electronic"})
		if de, ok := errs.As(err); !ok || len(de.Fields) == 0 || de.Fields[0].Field != "method" || !strings.Contains(de.Fields[0].Message, paperOnly.Name) {
			t.Fatalf("the bundle sent electronically with %s (paper only): %v", paperOnly.Name, err)
		}
		p = mustAct(t, e, clerk, p.Number, cases.DeliveryInput{Method: "window"})
		for _, k := range p.Children {
			if k.Status != cases.Delivered {
				t.Fatalf("child %s not delivered with the bundle: %s", k.ItemName, k.Status)
			}
		}
	})
}

func TestADeniedChildShowsOnTheBundle(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		form := json.RawMessage(`{"seller_name":"李四","seller_id":"11010519491231002X","buyer_name":"王五","buyer_id":"11010519491231002X",
			"buyer_phone":"13912345678","property_address":"滨州市滨城区黄河八路100号","certificate_no":"鲁(2020)滨州市不动产权第0001号","price":800000}`)
		p, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Bundle: "ESFZY", Applicant: person, Form: form, Materials: bundleMaterials(t, e, "ESFZY")}, "")
		if err != nil {
			t.Fatal(err)
		}
		p = mustAct(t, e, clerk, p.Number, cases.AcceptInput{})
		for _, k := range p.Children {
			in := cases.DecisionInput{Decision: "approved"}
			if k.Department == "SWJ" {
				in = cases.DecisionInput{Decision: "denied", Reason: "计税价格低于核定价"}
			}
			mustAct(t, e, approverOf(k.Department), k.Number, in)
		}
		got, _ := e.svc.Get(ctx, super, p.Number)
		if got.Status != cases.Decided || got.Decision != "denied" || !strings.Contains(got.DecisionReason, "计税价格低于核定价") {
			t.Fatalf("bundle: %s %s %q, want decided, denied, with the tax office's reason", got.Status, got.Decision, got.DecisionReason)
		}
	})
}

func TestConstructionStagesOpenInOrder(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-09-01", 10)
		org := cases.Applicant{Type: "organization", Name: "滨州示例置业有限公司", IDNumber: "91350100M000100Y43", Phone: "13805431234"}
		form := json.RawMessage(`{"project_name":"示例住宅小区","builder":"滨州示例置业有限公司","builder_code":"91350100M000100Y43","contact_phone":"13805431234",
			"site":"滨州市滨城区渤海十八路以东","investment":50000,"land_area":20000,"floor_area":60000}`)
		p, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Bundle: "GCJS", Applicant: org, Form: form, Materials: bundleMaterials(t, e, "GCJS")}, "")
		if err != nil {
			t.Fatal(err)
		}
		p = mustAct(t, e, clerk, p.Number, cases.AcceptInput{})
		// 40 working days from 09-01 over Mid-Autumn and National Day (make-up 09-20 and 10-10).
		if *p.Due != calendar.MustDate("2026-11-02") {
			t.Fatalf("bundle due %s, want 2026-11-02", p.Due)
		}
		if len(p.Children) != 3 {
			t.Fatalf("stage 1 has %d cases, want 3", len(p.Children))
		}
		e.clk.set("2026-09-10", 10)
		for i, k := range p.Children {
			mustAct(t, e, approverOf(k.Department), k.Number, cases.DecisionInput{Decision: "approved"})
			got, _ := e.svc.Get(ctx, super, p.Number)
			if i < 2 && len(got.Children) != 3 {
				t.Fatalf("stage 2 opened after %d of 3 stage-1 decisions", i+1)
			}
			if i == 2 && len(got.Children) != 5 {
				t.Fatalf("after stage 1 the bundle has %d cases, want 5 (stage 2 opened)", len(got.Children))
			}
		}
		got, _ := e.svc.Get(ctx, super, p.Number)
		for _, k := range got.Children[3:] {
			if k.Stage != 1 || k.Status != cases.Accepted || k.Due == nil {
				t.Fatalf("stage 2 case %s: stage %d, %s, due %v", k.ItemName, k.Stage, k.Status, k.Due)
			}
		}
		if got.Status != cases.Accepted {
			t.Fatalf("bundle %s while stages remain", got.Status)
		}
	})
}

// TestOneCorrectionAcrossTheBundle: one notice names what is missing for several items; the
// bundle is accepted once everything is in.
func TestOneCorrectionAcrossTheBundle(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		org := cases.Applicant{Type: "organization", Name: "滨州示例科技有限公司", IDNumber: "91350100M000100Y43", Phone: "13805431234"}
		all := bundleMaterials(t, e, "KBQY")
		b, _ := e.cat.Bundle(ctx, "KBQY")
		company, seal := b.Stages[0].Items[0], b.Stages[0].Items[1]
		var partial, held []cases.MaterialRef // hold back company m2 and seal m3
		for _, r := range all {
			if r.Item == company && r.MaterialID == "m2" || r.Item == seal && r.MaterialID == "m3" {
				held = append(held, r)
			} else {
				partial = append(partial, r)
			}
		}
		p, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Bundle: "KBQY", Applicant: org, Form: companyForm, Materials: partial}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Accept(ctx, clerk, p.Number, cases.AcceptInput{}); !errs.Is(err, errs.CodeConflict) {
			t.Fatalf("accepting with materials missing: %v", err)
		}
		p = mustAct(t, e, clerk, p.Number, cases.CorrectionInput{Missing: []string{company + "/m2", seal + "/m3"}, Note: "请一次补齐"})
		if p.Status != cases.Correction {
			t.Fatalf("bundle after the correction notice: %s", p.Status)
		}
		n, c, err := e.svc.IssueNotice(ctx, clerk, p.Number, cases.NoticeCorrection)
		if err != nil {
			t.Fatal(err)
		}
		letter, _ := e.svc.Letter(ctx, n, c, "中心", "http://x/verify")
		var listed []string
		for _, row := range letter.List {
			listed = append(listed, strings.Join(row, " "))
		}
		text := strings.Join(listed, "\n")
		if !strings.Contains(text, "企业设立登记：公司章程") || !strings.Contains(text, "公章刻制备案：印章刻制申请表") {
			t.Fatalf("one notice should list everything missing across the bundle:\n%s", text)
		}
		for _, r := range held {
			for _, k := range p.Children {
				if k.Item == r.Item {
					mustAct(t, e, clerk, k.Number, cases.SupplyInput{Materials: []cases.MaterialRef{{MaterialID: r.MaterialID, FileID: r.FileID}}})
				}
			}
		}
		got, _ := e.svc.Get(ctx, super, p.Number)
		if got.Status != cases.Submitted {
			t.Fatalf("bundle after everything was supplied: %s, want submitted", got.Status)
		}
		if p = mustAct(t, e, clerk, p.Number, cases.AcceptInput{}); p.Status != cases.Accepted {
			t.Fatalf("accept after correction: %s", p.Status)
		}
	})
}

package cases_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/certs"
	"banhao/ids"
	"banhao/store"
	"banhao/wiring"
)

// TestRulesDecideAtIntake (秒批): the demo's 城乡居民基本养老保险参保登记 is decided by its rules
// in the submission's transaction. A local adult whose 居民身份证 the library holds, applying
// online, is accepted and approved at once by 系统（秒批）, the timeline naming every rule that
// held; a Beijing resident registered and accepted at the window stays 办理中 for the 社保中心's
// approver, the failed rules stored and named; a 15-year-old applying at the kiosk too. The
// 秒批率 counts both.
func TestRulesDecideAtIntake(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-11-26", 10)
		code := e.itemCode(t, "城乡居民基本养老保险参保登记")
		lib := wiring.Must(certs.New(certs.Config{DB: db, Audit: e.log, PII: e.pii, Now: e.clk.now, Location: shanghai}))
		local := cases.Applicant{Type: "person", Name: "李梅", IDNumber: idNumber("37160219850315004"), Phone: "13805431234"}
		c, _ := ids.CreditCodeCheck("11371600MB2850001")
		issuer := "11371600MB2850001" + string(c)
		csv := "type,number,holder_name,holder_id,issuer_code,issuer_name,issued_on\n" +
			"居民身份证,SFZ-0001," + local.Name + "," + local.IDNumber + "," + issuer + ",滨州市公安局,2020-01-02\n"
		if _, err := lib.Import(ctx, audit.System, "csv", []byte(csv)); err != nil {
			t.Fatal(err)
		}
		form := []byte(`{"student": "否", "employee_insured": "否"}`)

		// Online, every rule holds: approved by the system in the submission, its result sent
		// electronically (sysdelivery.go).
		citizen := audit.Actor{Username: "applicant:1", Role: "applicant"}
		online, _, err := e.svc.Create(ctx, citizen, cases.CreateInput{Item: code, Channel: "online", Applicant: local, Form: form,
			Materials: []cases.MaterialRef{{MaterialID: "m2", FileID: e.uploadAs(t, citizen)}}}, "")
		if err != nil {
			t.Fatalf("online: %v", err)
		}
		if online.Status != cases.Delivered || online.Decision != "approved" || online.DeliveryMethod != "electronic" {
			t.Fatalf("online 秒批: %s %s %q, want approved and sent electronically", online.Status, online.Decision, online.DeliveryMethod)
		}
		var rulesText string
		by := map[string]string{}
		for _, ev := range online.Timeline {
			by[ev.Action] = ev.Actor
			if ev.Action == "rules" {
				rulesText = ev.Text
			}
		}
		if by["accept"] != "rules" || by["decide"] != "rules" || by["rules"] != "rules" {
			t.Errorf("online: accepted, checked and decided by the rules: %v", by)
		}
		if !strings.HasPrefix(rulesText, "秒批通过，符合规则：「年满16周岁」、「非在校学生」、「未参加职工基本养老保险」、「本市户籍或持有居住证」、「居民身份证有效」") {
			t.Errorf("online: the timeline explains the approval: %q", rulesText)
		}
		var n int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_id = ? AND actor = 'rules' AND action IN ('case.accept', 'case.rules', 'case.decide')`, online.Number).Scan(&n)
		if n != 3 {
			t.Errorf("online: %d audit entries by 秒批, want accept, rules, decide", n)
		}

		// Her one text says what happened: 已办结, no day promised ahead.
		if got := textsOf(t, db, online.Number); len(got) != 1 || !strings.Contains(got[0], "已办结") || strings.Contains(got[0], "前办结") {
			t.Errorf("online: the applicant's texts %q, want one, 已办结 with no day promised", got)
		}

		// The rules read her 居民身份证 (has_cert): on her data-access list, by 系统（秒批规则）.
		reads, err := lib.Accesses(ctx, local.IDNumber, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(reads, func(a certs.Access) bool {
			return a.ActorName == "系统（秒批规则）" && a.Case == online.Number && a.ObjectType == "certificate" && strings.Contains(a.ObjectName, "居民身份证") && a.Purpose != ""
		}) {
			t.Errorf("the rules' read of the certificate is not on the applicant's list: %+v", reads)
		}

		// The window: registered, then accepted by the clerk; the rules fail, a person decides.
		outsider := cases.Applicant{Type: "person", Name: "王五", IDNumber: idNumber("11010519800101003"), Phone: "13805431235"}
		w, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Channel: "window", Applicant: outsider, Form: form,
			Materials: []cases.MaterialRef{{MaterialID: "m1", FileID: e.upload(t)}, {MaterialID: "m2", FileID: e.upload(t)}}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if w.Status != cases.Submitted {
			t.Fatalf("window registration: %s", w.Status)
		}
		w = mustAct(t, e, clerk, w.Number, cases.AcceptInput{})
		if w.Status != cases.Accepted {
			t.Fatalf("window: %s, want 办理中 for a person", w.Status)
		}
		o, ok, err := e.svc.RulesOutcomeOf(ctx, w.Number)
		if err != nil || !ok || !o.HandedOver() {
			t.Fatalf("window outcome: %+v %v %v", o, ok, err)
		}
		if o.Text() != "转人工：「本市户籍或持有居住证」户籍不在本市，且没有有效的居住证；「居民身份证有效」电子证照库中没有申请人有效的居民身份证，须人工核验证件" {
			t.Errorf("window: %s", o.Text())
		}
		sbzx := audit.Actor{Username: "approver_sb", Role: "approver", Department: w.Department.Code}
		if _, err := e.svc.Decide(ctx, sbzx, w.Number, cases.DecisionInput{Decision: "approved"}); err != nil {
			t.Errorf("the approver decides what the rules handed over: %v", err)
		}

		// The kiosk, a 15-year-old: accepted by the system, handed over.
		young := cases.Applicant{Type: "person", Name: "李小梅", IDNumber: idNumber("37160220101127002"), Phone: "13805431237"}
		kid := audit.Actor{Username: "applicant:2", Role: "applicant"}
		k, _, err := e.svc.Create(ctx, kid, cases.CreateInput{Item: code, Channel: "kiosk", Applicant: young, Form: []byte(`{"student": false, "employee_insured": false}`),
			Materials: []cases.MaterialRef{{MaterialID: "m1", FileID: e.uploadAs(t, kid)}, {MaterialID: "m2", FileID: e.uploadAs(t, kid)}}}, "")
		if err != nil {
			t.Fatal(err)
		}
		outs, err := e.svc.RulesOutcomes(ctx, k.Number, online.Number, "none")
		if err != nil || len(outs) != 2 || outs[online.Number].HandedOver() || outs[k.Number].Failed[0].Name != "年满16周岁" {
			t.Fatalf("outcomes: %+v %v", outs, err)
		}
		if got := textsOf(t, db, k.Number); len(got) != 1 || !strings.Contains(got[0], "已受理，承诺") {
			t.Errorf("kiosk, handed over: the applicant's texts %q, want the acceptance with its promised day", got)
		}
		if k.Status != cases.Accepted {
			t.Errorf("kiosk: %s", k.Status)
		}

		f, err := e.svc.RulesStats(ctx, mustDate("2026-11-01"), mustDate("2026-11-30"), "")
		if err != nil || f.Evaluated != 3 || f.Approved != 1 || f.RateText() != "33.3%（1/3）" {
			t.Errorf("秒批率: %+v %s %v", f, f.RateText(), err)
		}
	})
}

func idNumber(first17 string) string {
	c, _ := ids.IDNumberCheck(first17)
	return first17 + string(c)
}

// textsOf are the texts written to the applicant of case number, oldest first: of the event
// given (case.decide, …), else all.
func textsOf(t *testing.T, db *store.DB, number string, event ...string) []string {
	t.Helper()
	q, args := `SELECT body FROM notifications WHERE recipient = ?`, []any{"case:" + number}
	for _, e := range event {
		q, args = q+` AND event = ?`, append(args, e)
	}
	rows, err := db.QueryContext(context.Background(), q+` ORDER BY id`, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var texts []string
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, body)
	}
	return texts
}

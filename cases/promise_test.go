package cases_test

import (
	"context"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/certs"
	"banhao/errs"
	"banhao/store"
	"banhao/wiring"
)

// TestCommitmentRule: a 告知承诺 item needs the box ticked, and online the applicant's own name
// typed; at the window the clerk's record of a signature on paper stands for the applicant;
// another item takes no commitment.
var org = cases.Applicant{Type: "organization", Name: "滨州示例商贸有限公司", IDNumber: "91350100M000100Y43", Phone: "13805431234"}

func TestCommitmentRule(t *testing.T) {
	t.Parallel()
	item := catalog.Item{HandlingMode: catalog.ModeCommitment, Commitment: "本人承诺……", PostCheckDays: 20}
	for _, tc := range []struct {
		name, channel string
		in            *cases.CommitmentInput
		field         string
		via, signer   string
	}{
		{"online, signed", "online", &cases.CommitmentInput{Agreed: true, Signer: " 滨州示例商贸有限公司 "}, "", cases.SignedOnline, "滨州示例商贸有限公司"},
		{"online, not ticked", "online", &cases.CommitmentInput{Signer: "滨州示例商贸有限公司"}, "commitment", "", ""},
		{"online, nothing", "online", nil, "commitment", "", ""},
		{"online, no name", "online", &cases.CommitmentInput{Agreed: true}, "commitment.signer", "", ""},
		{"online, another name", "kiosk", &cases.CommitmentInput{Agreed: true, Signer: "李四"}, "commitment.signer", "", ""},
		{"window, on paper", "window", &cases.CommitmentInput{Agreed: true}, "", cases.SignedWindow, "滨州示例商贸有限公司"},
		{"window, not recorded", "window", nil, "commitment", "", ""},
	} {
		got, err := cases.CommitmentRule(item, tc.channel, "滨州示例商贸有限公司", tc.in)
		if tc.field == "" {
			if err != nil || got.Via != tc.via || got.Signer != tc.signer {
				t.Errorf("%s: %+v %v", tc.name, got, err)
			}
			continue
		}
		e, ok := errs.As(err)
		if !ok || len(e.Fields) == 0 || e.Fields[0].Field != tc.field || !strings.Contains(e.Message, "承诺") {
			t.Errorf("%s: %v, want an error on %s", tc.name, err, tc.field)
		}
	}
	if _, err := cases.CommitmentRule(catalog.Item{HandlingMode: catalog.ModeApproval}, "online", "滨州示例商贸有限公司", nil); err != nil {
		t.Errorf("审批 item without a commitment: %v", err)
	}
	if _, err := cases.CommitmentRule(catalog.Item{HandlingMode: catalog.ModeApproval}, "online", "滨州示例商贸有限公司", &cases.CommitmentInput{Agreed: true, Signer: "滨州示例商贸有限公司"}); err == nil {
		t.Error("a commitment for a 审批 item was taken")
	}
}

// TestPostCheckDeadlineAndState: the post-check is due the item's working days after the
// approval on the official calendar (the National Day holiday skipped); 按期 until its day, 逾期
// after; done on or before its day 按期, after 逾期; only an open check is recorded, 不实 with a reason.
func TestPostCheckDeadlineAndState(t *testing.T) {
	t.Parallel()
	d := calendar.MustDate
	cal := calendar.New(calendar.Official())
	due, err := cases.PostCheckDue(cal, d("2026-09-30"), 3) // across the National Day holiday
	if n, _ := cal.WorkingDaysBetween(d("2026-09-30"), due); err != nil || n != 3 || !cal.IsWorkingDay(due) || due < d("2026-10-09") {
		t.Fatalf("due %s (%d working days), %v", due, n, err)
	}
	if due, _ := cases.PostCheckDue(cal, d("2026-11-26"), 20); due != d("2026-12-24") {
		t.Errorf("20 working days from 2026-11-26: %s, want 2026-12-24", due)
	}
	if _, err := cases.PostCheckDue(cal, d("2026-11-26"), 0); err == nil {
		t.Error("a post-check of 0 days")
	}
	day := d("2026-12-10")
	before, after := d("2026-12-09"), d("2026-12-11")
	for _, tc := range []struct {
		status  string
		today   calendar.Date
		checked *calendar.Date
		onTime  bool
		label   string
	}{
		{cases.PostCheckOpen, before, nil, true, "按期"},
		{cases.PostCheckOpen, day, nil, true, "按期"},
		{cases.PostCheckOpen, after, nil, false, "逾期未核查"},
		{cases.PostCheckTrue, after, &day, true, "按期核查"},
		{cases.PostCheckFalse, after, &after, false, "逾期核查"},
	} {
		onTime, label := cases.PostCheckState(tc.status, day, tc.checked, tc.today)
		if onTime != tc.onTime || !strings.Contains(label, tc.label) {
			t.Errorf("%s on %s: %v %s, want %v %s", tc.status, tc.today, onTime, label, tc.onTime, tc.label)
		}
	}
	if s, err := cases.PostCheckNext(cases.PostCheckOpen, "true", ""); err != nil || s != cases.PostCheckTrue {
		t.Errorf("属实: %s %v", s, err)
	}
	if _, err := cases.PostCheckNext(cases.PostCheckOpen, "false", " "); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "不实") {
		t.Errorf("不实 without a reason: %v", err)
	}
	if _, err := cases.PostCheckNext(cases.PostCheckOpen, "maybe", ""); !errs.Is(err, errs.CodeInvalid) {
		t.Errorf("an unknown finding: %v", err)
	}
	if _, err := cases.PostCheckNext(cases.PostCheckTrue, "false", "场所与承诺不符"); !errs.Is(err, errs.CodeConflict) {
		t.Errorf("a second check: %v", err)
	}
	if cases.Final(cases.Revoked) != true || cases.StatusNames[cases.Revoked] != "已撤销许可" {
		t.Error("撤销许可 is not a final status")
	}
}

// TestCommitmentApprovedAtOnceThenFoundFalse: an online application of 食品经营许可 (告知承诺)
// without a signature is refused, nothing written; signed, it is approved in the submission's
// transaction — the commitment kept as signed, the certificate issued, a post-check due in 20
// working days on the department's list. The department's approver finds the commitment false:
// the decision and the certificate are revoked, the applicant gets a credit record, which staff
// see on the applicant's next application; everything is in the audit log.
func TestCommitmentApprovedAtOnceThenFoundFalse(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-11-26", 10)
		code := e.itemCode(t, "食品经营许可")
		item, err := e.cat.Item(ctx, code)
		if err != nil || item.HandlingMode != catalog.ModeCommitment || item.Commitment == "" {
			t.Fatalf("demo 食品经营许可: %s %v", item.HandlingMode, err)
		}
		citizen := audit.Actor{Username: "applicant:1", Role: "applicant"}
		file := e.uploadAs(t, citizen)
		var refs []cases.MaterialRef
		for _, m := range item.Materials {
			if m.Required {
				refs = append(refs, cases.MaterialRef{MaterialID: m.ID, FileID: file})
			}
		}
		in := cases.CreateInput{Item: code, Channel: "online", Applicant: org, Materials: refs}
		count := func(table string) int {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		// Not signed, or signed in another's name: refused, nothing written.
		if _, _, err := e.svc.Create(ctx, citizen, in, ""); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "本人已阅读并承诺") {
			t.Fatalf("unsigned: %v", err)
		}
		in.Commitment = &cases.CommitmentInput{Agreed: true, Signer: "李四"}
		if _, _, err := e.svc.Create(ctx, citizen, in, ""); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "滨州示例商贸有限公司") {
			t.Fatalf("signed by another: %v", err)
		}
		if count("cases") != 0 || count("case_commitments") != 0 {
			t.Fatal("a refused application left rows")
		}

		in.Commitment = &cases.CommitmentInput{Agreed: true, Signer: "滨州示例商贸有限公司"}
		c, _, err := e.svc.Create(ctx, citizen, in, "")
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != cases.Decided || c.Decision != "approved" || c.DecidedOn == nil || *c.DecidedOn != calendar.MustDate("2026-11-26") {
			t.Fatalf("not approved at once: %s %s %v", c.Status, c.Decision, c.DecidedOn)
		}
		var actions []string
		for _, ev := range c.Timeline {
			actions = append(actions, ev.ActionName)
		}
		if got := strings.Join(actions, " "); !strings.Contains(got, "签署承诺书 受理 作出决定 承诺制审批通过") {
			t.Errorf("timeline: %s", got)
		}
		if c.ResultCertificate == "" {
			t.Fatal("no certificate issued on the approval")
		}
		signed, err := e.svc.CommitmentOf(ctx, c.Number)
		if err != nil || signed == nil || signed.Text != item.Commitment || signed.Signer != "滨州示例商贸有限公司" || signed.SignedVia != cases.SignedOnline {
			t.Fatalf("kept commitment: %+v %v", signed, err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE case_commitments SET signer = 'x'`); err == nil {
			t.Error("a signed commitment was changed")
		}

		// The department's list: due in 20 working days, 按期.
		xzsp := audit.Actor{Username: "approver", Role: "approver", Department: item.Department.Code}
		list, err := e.svc.PostChecks(ctx, xzsp, cases.PostCheckQuery{Status: "open"})
		if err != nil || len(list) != 1 || list[0].CaseNumber != c.Number || list[0].Due != calendar.MustDate("2026-12-24") || !list[0].OnTime {
			t.Fatalf("post-checks: %+v %v", list, err)
		}
		if l, _ := e.svc.PostChecks(ctx, other, cases.PostCheckQuery{}); len(l) != 0 {
			t.Errorf("another department sees %d post-checks", len(l))
		}
		if _, err := e.svc.PostChecks(ctx, clerk, cases.PostCheckQuery{}); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("a clerk lists post-checks: %v", err)
		}
		if _, err := e.svc.RecordPostCheck(ctx, other, c.Number, cases.PostCheckInput{Finding: "true"}); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("another department's approver checks: %v", err)
		}
		if _, err := e.svc.RecordPostCheck(ctx, xzsp, c.Number, cases.PostCheckInput{Finding: "false"}); !errs.Is(err, errs.CodeInvalid) {
			t.Errorf("不实 without a reason: %v", err)
		}

		// Found false 10 days later (on time).
		e.clk.set("2026-12-08", 15)
		p, err := e.svc.RecordPostCheck(ctx, xzsp, c.Number, cases.PostCheckInput{Finding: "false", Reason: "现场核查发现经营场所不具备冷藏设施，与承诺不符"})
		if err != nil || p.Status != cases.PostCheckFalse || !p.OnTime {
			t.Fatalf("recording 不实: %+v %v", p, err)
		}
		got, err := e.svc.Get(ctx, xzsp, c.Number)
		if err != nil || got.Status != cases.Revoked || got.StatusName != "已撤销许可" {
			t.Fatalf("after 不实: %s %v", got.Status, err)
		}
		last := got.Timeline[len(got.Timeline)-1]
		if last.ActionName != "撤销许可" || !strings.Contains(last.Text, "冷藏设施") {
			t.Errorf("last timeline entry: %+v", last)
		}
		lib := wiring.Must(certs.New(certs.Config{DB: db, Audit: e.log, PII: e.pii, Now: e.clk.now, Location: shanghai}))
		v, err := lib.Verify(ctx, c.ResultCertificate)
		if err != nil || v.Status != certs.Revoked {
			t.Errorf("certificate after 不实: %+v %v", v, err)
		}
		// The applicant is told: 许可已撤销, with the reason and the certificate.
		var told string
		if err := db.QueryRowContext(ctx, `SELECT body FROM notifications WHERE recipient = ? AND event = 'case.revoke'`, "case:"+c.Number).Scan(&told); err != nil {
			t.Fatalf("the applicant was not told of the revocation: %v", err)
		}
		if !strings.Contains(told, "许可已撤销") || !strings.Contains(told, "冷藏设施") || !strings.Contains(told, c.ResultCertificate) {
			t.Errorf("revocation text: %s", told)
		}
		if _, err := e.svc.RecordPostCheck(ctx, xzsp, c.Number, cases.PostCheckInput{Finding: "true"}); !errs.Is(err, errs.CodeConflict) {
			t.Errorf("checked twice: %v", err)
		}
		due, onTime, err := e.svc.PostCheckFigures(ctx, calendar.MustDate("2026-12-01"), calendar.MustDate("2026-12-31"))
		if err != nil || due != 1 || onTime != 1 {
			t.Errorf("figures: %d/%d %v", onTime, due, err)
		}

		// The credit record: on the applicant, shown to staff on the next application.
		recs, err := e.svc.CreditRecords(ctx, clerk, org.IDNumber)
		if err != nil || len(recs) != 1 || recs[0].CaseNumber != c.Number || recs[0].RecordedOn != calendar.MustDate("2026-12-08") ||
			!strings.Contains(cases.CreditWarning(recs), "该申请人有失信记录") {
			t.Fatalf("credit records: %+v %v", recs, err)
		}
		if _, err := e.svc.CreditRecords(ctx, citizen, org.IDNumber); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("an applicant reads credit records by ID: %v", err)
		}
		// Until the credit is repaired, 告知承诺 does not apply: the next signed application is
		// kept (with its signature) for the department's ordinary review, not approved at once.
		checksBefore := count("post_checks")
		next, _, err := e.svc.Create(ctx, citizen, in, "")
		if err != nil {
			t.Fatal(err)
		}
		if next.Status != cases.Submitted || next.Decision != "" || count("post_checks") != checksBefore {
			t.Errorf("an applicant with a false commitment on record was decided on the commitment: %s %s", next.Status, next.Decision)
		}
		var withheld bool
		for _, ev := range next.Timeline {
			withheld = withheld || strings.Contains(ev.Text, "信用修复前不适用告知承诺制")
		}
		if !withheld {
			t.Errorf("the timeline does not say why the commitment was not applied: %+v", next.Timeline)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM credit_records`); err == nil {
			t.Error("a credit record was deleted")
		}
		var entries int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action IN ('case.commitment_sign', 'case.commitment_approve', 'case.post_check', 'case.revoke', 'credit.record', 'certificate.revoke')`).Scan(&entries)
		if entries != 7 { // and the next application's signature
			t.Errorf("%d audit entries for the commitment's life, want 7", entries)
		}
		// At the window the same: accepted for the department's review, and told its promised day.
		atWindow := in
		atWindow.Channel, atWindow.Accept = "window", &cases.AcceptInput{}
		clerkFile := e.upload(t)
		atWindow.Materials = nil
		for _, m := range in.Materials {
			atWindow.Materials = append(atWindow.Materials, cases.MaterialRef{MaterialID: m.MaterialID, FileID: clerkFile})
		}
		w, _, err := e.svc.Create(ctx, clerk, atWindow, "")
		if err != nil || w.Status != cases.Accepted {
			t.Fatalf("withheld at the window: %v %+v", err, w.Status)
		}
		if got := textsOf(t, db, w.Number); len(got) != 1 || !strings.Contains(got[0], "已受理，承诺") {
			t.Errorf("withheld at the window: the applicant's texts %q, want the acceptance with its promised day", got)
		}
	})
}

// TestCommitmentAtTheWindow: the clerk registers and accepts with the applicant's paper
// signature recorded: approved in the same transaction; without it, refused; a 属实 check
// closes the task and leaves the approval standing; a check after its day is 逾期.
func TestCommitmentAtTheWindow(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-11-26", 10)
		code := e.itemCode(t, "食品经营许可")
		item, _ := e.cat.Item(ctx, code)
		file := e.upload(t)
		var refs []cases.MaterialRef
		for _, m := range item.Materials {
			if m.Required {
				refs = append(refs, cases.MaterialRef{MaterialID: m.ID, FileID: file})
			}
		}
		in := cases.CreateInput{Item: code, Channel: "window", Applicant: org, Materials: refs, Accept: &cases.AcceptInput{}}
		if _, _, err := e.svc.Create(ctx, clerk, in, ""); !errs.Is(err, errs.CodeInvalid) {
			t.Fatalf("window without the signature: %v", err)
		}
		in.Commitment = &cases.CommitmentInput{Agreed: true}
		c, _, err := e.svc.Create(ctx, clerk, in, "")
		if err != nil || c.Status != cases.Decided {
			t.Fatalf("window: %v %s", err, c.Status)
		}
		// accepted and decided at once: one text, 已办结, no day promised ahead of it
		if got := textsOf(t, db, c.Number); len(got) != 1 || !strings.Contains(got[0], "已办结") || strings.Contains(got[0], "前办结") {
			t.Errorf("window: the applicant's texts %q, want one, 已办结 with no day promised", got)
		}
		signed, _ := e.svc.CommitmentOf(ctx, c.Number)
		if signed == nil || signed.SignedVia != cases.SignedWindow || signed.RecordedBy != "clerk" || signed.Signer != org.Name {
			t.Fatalf("kept: %+v", signed)
		}
		xzsp := audit.Actor{Username: "approver", Role: "approver", Department: item.Department.Code}
		e.clk.set("2027-01-05", 9) // past the 20 working days
		list, _ := e.svc.PostChecks(ctx, xzsp, cases.PostCheckQuery{})
		if len(list) != 1 || list[0].OnTime || list[0].State != "逾期未核查" {
			t.Fatalf("overdue list: %+v", list)
		}
		p, err := e.svc.RecordPostCheck(ctx, xzsp, c.Number, cases.PostCheckInput{Finding: "true"})
		if err != nil || p.Status != cases.PostCheckTrue || p.OnTime || p.State != "逾期核查" {
			t.Fatalf("属实, late: %+v %v", p, err)
		}
		got, _ := e.svc.Get(ctx, xzsp, c.Number)
		if got.Status != cases.Decided || got.Decision != "approved" {
			t.Errorf("属实 changed the case: %s", got.Status)
		}
		if recs, _ := e.svc.CreditRecords(ctx, clerk, org.IDNumber); len(recs) != 0 {
			t.Errorf("属实 wrote a credit record: %+v", recs)
		}
	})
}

// TestCreditLookupAtTheWindowIsLogged: the window's look-up of an applicant's credit records as
// their ID number is typed (before a 告知承诺 application is registered) is on the applicant's
// list of who read their data — the reader, 信用记录查询, the item — once per reader, item and
// day however often the page asks; an item of another mode or a half-typed number reads nothing.
func TestCreditLookupAtTheWindowIsLogged(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-11-26", 10)
		item, _ := e.cat.Item(ctx, e.itemCode(t, "食品经营许可"))
		other, _ := e.cat.Item(ctx, e.itemCode(t, "住房公积金提取（购买住房）"))
		lib := wiring.Must(certs.New(certs.Config{DB: db, Audit: e.log, PII: e.pii, Now: e.clk.now, Location: shanghai}))
		for range 3 {
			if _, err := e.svc.CreditBeforeCommitment(ctx, clerk, item, org.IDNumber); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.CreditBeforeCommitment(ctx, clerk, other, org.IDNumber); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreditBeforeCommitment(ctx, clerk, item, org.IDNumber[:10]); err != nil {
			t.Fatal(err)
		}
		list, err := lib.Accesses(ctx, org.IDNumber, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 {
			t.Fatalf("the applicant's list has %d entries, want the one look-up: %+v", len(list), list)
		}
		a := list[0]
		if a.Actor != clerk.Username || a.Purpose != "信用记录查询" || !strings.Contains(a.ObjectName, "食品经营许可") || a.Case != "" {
			t.Errorf("the applicant reads %+v", a)
		}
		e.clk.set("2026-11-27", 10)
		if _, err := e.svc.CreditBeforeCommitment(ctx, clerk, item, org.IDNumber); err != nil {
			t.Fatal(err)
		}
		if list, _ := lib.Accesses(ctx, org.IDNumber, 0); len(list) != 2 {
			t.Errorf("the next day's look-up: %d entries, want 2", len(list))
		}
	})
}

// TestPostCheckDueInAnUncoveredYear: a 告知承诺 case approved on 2026-12-28 has its post-check
// due in 2027, whose holiday schedule is not imported: the post-check says its day is counted
// Monday to Friday only (uncovered_year 2027), as does the timeline's entry — never a silent
// count; one approved in November, due in 2026, says nothing of it.
func TestPostCheckDueInAnUncoveredYear(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sqliteWithCatalog(t))
	code := e.itemCode(t, "食品经营许可")
	item, err := e.cat.Item(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	citizen := audit.Actor{Username: "applicant:1", Role: "applicant"}
	apply := func(day string) (cases.Case, *cases.PostCheck) {
		t.Helper()
		e.clk.set(day, 10)
		var refs []cases.MaterialRef
		for _, m := range item.Materials {
			if m.Required {
				refs = append(refs, cases.MaterialRef{MaterialID: m.ID, FileID: e.uploadAs(t, citizen)})
			}
		}
		c, _, err := e.svc.Create(ctx, citizen, cases.CreateInput{Item: code, Channel: "online", Applicant: org, Materials: refs,
			Commitment: &cases.CommitmentInput{Agreed: true, Signer: org.Name}}, "")
		if err != nil {
			t.Fatal(err)
		}
		pc, err := e.svc.PostCheckOf(ctx, c.Number)
		if err != nil || pc == nil {
			t.Fatalf("post-check of %s: %v %v", day, pc, err)
		}
		return c, pc
	}
	approval := func(c cases.Case) string {
		for _, ev := range c.Timeline {
			if ev.Action == "commitment_approve" {
				return ev.Text
			}
		}
		return ""
	}
	c, pc := apply("2026-11-26")
	if pc.UncoveredYear != 0 || strings.Contains(approval(c), "尚未导入") {
		t.Errorf("due %s in a covered year: uncovered %d, %q", pc.Due, pc.UncoveredYear, approval(c))
	}
	c, pc = apply("2026-12-28")
	if pc.Due.String() < "2027-01-01" {
		t.Fatalf("due %s: the test wants a day in 2027", pc.Due)
	}
	if pc.UncoveredYear != 2027 {
		t.Errorf("due %s: uncovered year %d, want 2027", pc.Due, pc.UncoveredYear)
	}
	if text := approval(c); !strings.Contains(text, "2027 年节假日安排尚未导入，此日期暂按周一至周五计算") {
		t.Errorf("the approval's entry: %q, want the day said to be provisional", text)
	}
	list, err := e.svc.PostChecks(ctx, audit.Actor{Username: "supervisor", Role: "supervisor"}, cases.PostCheckQuery{Status: "open"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("the open post-checks: %d, want 2", len(list))
	}
	for _, p := range list {
		if want := map[bool]int{true: 2027}[p.Due.String() >= "2027-01-01"]; p.UncoveredYear != want {
			t.Errorf("the post-check list: %s due %s uncovered %d, want %d", p.CaseNumber, p.Due, p.UncoveredYear, want)
		}
	}
}

package cases_test

import (
	"context"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/jobs"
	"banhao/notify"
)

type gateway struct{ phone, text []string }

func (g *gateway) SendSMS(_ context.Context, _, phone, text string) error {
	g.phone, g.text = append(g.phone, phone), append(g.text, text)
	return nil
}

// TestApplicantIsTextedOnAcceptCorrectionAndDecision: what /track promises ("受理、补正和办结时
// 会短信通知您") is written to the outbox with the action — one message each, addressed to the
// case so the phone is found at sending time, never stored in the outbox — and nothing for the
// center's own work (claim) or for the applicant's own supply.
func TestApplicantIsTextedOnAcceptCorrectionAndDecision(t *testing.T) {
	ctx := context.Background()
	db := sqliteWithCatalog(t)
	e := newEnv(t, db)
	gw := &gateway{}
	sms := &notify.SMSChannel{Gateway: gw, Resolve: func(ctx context.Context, r string) (string, error) { return cases.Phone(ctx, db, e.pii, r) }}
	outbox := e.outbox(map[string]notify.Channel{"sms": sms}, jobs.Discard{})
	svc := e.service(t, outbox, jobs.Discard{}, "滨州市政务服务中心")

	type row struct {
		id                     int64
		recipient, event, body string
	}
	seen := 0
	sent := func(what string) []row {
		t.Helper()
		rows, err := db.QueryContext(ctx, `SELECT id, recipient, event, body FROM notifications ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var all []row
		for rows.Next() {
			var r row
			_ = rows.Scan(&r.id, &r.recipient, &r.event, &r.body)
			all = append(all, r)
		}
		got := all[seen:]
		seen = len(all)
		return got
	}

	code := e.itemCode(t, "企业设立登记")
	file := e.upload(t)
	var refs []cases.MaterialRef
	for _, id := range []string{"m1", "m2", "m3", "m4"} {
		refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
	}
	c, _, err := svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs}, "")
	if err != nil {
		t.Fatal(err)
	}
	head := "【滨州市政务服务中心】您的办件 " + c.Number + " "
	steps := []struct {
		name  string
		run   func() error
		wants []string // one message containing all of these, or none when empty
	}{
		{"correction", func() error {
			_, err := svc.AskCorrection(ctx, clerk, c.Number, cases.CorrectionInput{Missing: []string{"m5"}})
			return err
		}, []string{head + "需要补正材料：住所使用相关文件。"}},
		{"supply", func() error {
			_, err := svc.Supply(ctx, clerk, c.Number, cases.SupplyInput{Materials: []cases.MaterialRef{{MaterialID: "m5", FileID: file}}})
			return err
		}, nil},
		{"accept", func() error { _, err := svc.Accept(ctx, clerk, c.Number, cases.AcceptInput{}); return err },
			[]string{head + "已受理，承诺 2026年10月8日前办结。"}},
		{"claim", func() error { _, err := svc.Claim(ctx, approver, c.Number, true); return err }, nil},
		{"decide", func() error {
			_, err := svc.Decide(ctx, approver, c.Number, cases.DecisionInput{Decision: "approved"})
			return err
		}, []string{head + "已办结，准予办理。请领取营业执照"}},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got := sent(s.name)
		if len(s.wants) == 0 {
			if len(got) != 0 {
				t.Errorf("%s texted the applicant: %+v", s.name, got)
			}
			continue
		}
		if len(got) != 1 {
			t.Fatalf("%s wrote %d messages, want 1: %+v", s.name, len(got), got)
		}
		if got[0].recipient != "case:"+c.Number || strings.Contains(got[0].body, "13805431234") {
			t.Errorf("%s addressed to %q", s.name, got[0].recipient)
		}
		for _, w := range s.wants {
			if !strings.Contains(got[0].body, w) {
				t.Errorf("%s says %q, want %q", s.name, got[0].body, w)
			}
		}
		// Sent: the phone is found through the case at this moment.
		if err := outbox.Send(ctx, got[0].id); err != nil {
			t.Fatal(err)
		}
		if last := len(gw.phone) - 1; gw.phone[last] != person.Phone || gw.text[last] != got[0].body {
			t.Errorf("%s: gateway got %q %q", s.name, gw.phone[last], gw.text[last])
		}
	}
	var stored int
	_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE body LIKE '%13805431234%' OR recipient LIKE '%1380543%' OR payload LIKE '%1380543%'`).Scan(&stored)
	if stored != 0 {
		t.Errorf("%d outbox rows hold the phone number", stored)
	}

	// A refusal says so, with the reason and the remedies.
	c2, _, _ := svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: append(refs, cases.MaterialRef{MaterialID: "m5", FileID: file})}, "")
	svc.Accept(ctx, clerk, c2.Number, cases.AcceptInput{})
	sent("accept")
	if _, err := svc.Decide(ctx, approver, c2.Number, cases.DecisionInput{Decision: "denied", Reason: "住所不符合登记要求"}); err != nil {
		t.Fatal(err)
	}
	got := sent("refusal")
	if len(got) != 1 || !strings.Contains(got[0].body, "不予许可（不予办理）决定，理由：住所不符合登记要求。") || !strings.Contains(got[0].body, "行政复议") {
		t.Fatalf("refusal: %+v", got)
	}
	// Without a phone number nothing is written.
	nophone := person
	nophone.Phone = ""
	c3, _, _ := svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: nophone, Materials: append(refs, cases.MaterialRef{MaterialID: "m5", FileID: file})}, "")
	svc.Accept(ctx, clerk, c3.Number, cases.AcceptInput{})
	if got := sent("no phone"); len(got) != 0 {
		t.Fatalf("a case without a phone texted: %+v", got)
	}
}

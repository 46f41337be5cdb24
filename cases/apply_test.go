package cases_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/catalog"
	"banhao/errs"
	"banhao/identity"
	"banhao/jobs"
	"banhao/notify"
	"banhao/store"
	"banhao/wiring"
)

// scan is a small PNG, as an applicant's phone uploads it.
func scan() *cases.Upload {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 2)))
	return &cases.Upload{Name: "scan.png", Body: &buf}
}

// TestApplyOnline: an online application refused for a missing material names it and keeps what
// was given in a draft; the draft continued with the rest registers the case (online, the
// account's principal) and goes; a draft is saved on request; a file that is not a scan is
// refused next to its material and nothing is registered; an agent outside the mandate is
// refused before anything is stored; another's file is never taken.
func TestApplyOnline(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		people := wiring.Must(identity.NewApplicants(identity.ApplicantsConfig{DB: db, Audit: e.log, PII: e.pii, Now: e.clk.now, Location: shanghai,
			Outbox: e.outbox(map[string]notify.Channel{"log": notify.LogChannel{Logger: quiet}}, jobs.Discard{})}))
		p, err := people.Register(ctx, clerk, identity.NewApplicant{Kind: "person", Name: person.Name, IDNumber: person.IDNumber, Phone: person.Phone})
		if err != nil {
			t.Fatal(err)
		}
		sess := identity.ApplicantSession{Applicant: p, Channel: identity.ChannelOnline}
		it, err := e.cat.Item(ctx, e.itemCode(t, "企业设立登记"))
		if err != nil {
			t.Fatal(err)
		}
		var required []catalog.Material
		for _, m := range it.Materials {
			if m.Required && m.Source != catalog.SourceShared {
				required = append(required, m)
			}
		}
		if len(required) < 2 {
			t.Fatalf("企业设立登记 asks for %d uploads; the test needs two", len(required))
		}
		first, last := required[0], required[len(required)-1]
		var only []cases.ApplyMaterial // every required upload but the last
		for _, m := range required[:len(required)-1] {
			only = append(only, cases.ApplyMaterial{MaterialID: m.ID, Upload: scan()})
		}
		in := cases.ApplyRequest{Session: sess, Item: it, Materials: only, Values: map[string]string{"note": "请尽快"}, Token: "t1"}
		a, err := e.svc.ApplyOnline(ctx, in)
		if !errs.Is(err, errs.CodeInvalid) || !a.Refused || !strings.Contains(errText(err), last.Name) {
			t.Fatalf("missing %s: %v (refused %v)", last.Name, err, a.Refused)
		}
		kept, err := e.svc.DraftFor(ctx, sess, a.Draft.ID, it.Code)
		if err != nil || kept.Values["note"] != "请尽快" || len(kept.Materials) != len(only) {
			t.Fatalf("the refused application's draft: %+v %v", kept, err)
		}
		// Continued: the files kept, the last one added.
		var rest []cases.ApplyMaterial
		for _, r := range kept.Materials {
			rest = append(rest, cases.ApplyMaterial{MaterialID: r.MaterialID, Kept: r.FileID})
		}
		rest = append(rest, cases.ApplyMaterial{MaterialID: last.ID, Upload: scan()})
		in.Materials, in.Draft, in.Token = rest, kept.ID, "t2"
		a, err = e.svc.ApplyOnline(ctx, in)
		if err != nil || a.Case.Number == "" || a.Case.Channel != "online" || a.Case.Applicant.Name != person.Name || a.Case.Timeline[0].Actor != p.Actor().Username {
			t.Fatalf("the continued application: %+v %v", a.Case, err)
		}
		if _, err := e.svc.DraftFor(ctx, sess, kept.ID, it.Code); !errs.Is(err, errs.CodeNotFound) {
			t.Fatalf("the submitted draft is still there: %v", err)
		}
		// Saved on request: nothing registered.
		n := countCases(t, db)
		a, err = e.svc.ApplyOnline(ctx, cases.ApplyRequest{Session: sess, Item: it, SaveOnly: true, Materials: []cases.ApplyMaterial{{MaterialID: first.ID, Upload: scan()}}})
		if err != nil || a.Draft.ID == 0 || len(a.Draft.Materials) != 1 || countCases(t, db) != n {
			t.Fatalf("a draft saved: %+v %v", a.Draft, err)
		}
		// Not a scan: refused next to its material; nothing registered, nothing saved.
		a, err = e.svc.ApplyOnline(ctx, cases.ApplyRequest{Session: sess, Item: it, Token: "t3",
			Materials: []cases.ApplyMaterial{{MaterialID: first.ID, Upload: &cases.Upload{Name: "x.exe", Body: strings.NewReader("MZ not a scan")}}}})
		if err != nil || len(a.Uploads) != 1 || a.Uploads[0].Material.ID != first.ID || a.Draft.ID != 0 || countCases(t, db) != n {
			t.Fatalf("a refused upload: %+v %v", a, err)
		}
		// Another's file is not taken: the application misses that material.
		theirs := e.uploadAs(t, clerk)
		var withTheirs []cases.ApplyMaterial
		for _, m := range required {
			withTheirs = append(withTheirs, cases.ApplyMaterial{MaterialID: m.ID, Kept: theirs})
		}
		if _, err := e.svc.ApplyOnline(ctx, cases.ApplyRequest{Session: sess, Item: it, Materials: withTheirs, Token: "t4"}); !errs.Is(err, errs.CodeInvalid) || !strings.Contains(errText(err), first.Name) {
			t.Fatalf("another's file: %v", err)
		}
		// An agent outside the mandate: refused before any upload is stored.
		org := p
		org.ID, org.Kind = p.ID+1000, identity.OrgApplicant
		var files int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM files`).Scan(&files)
		agent := identity.ApplicantSession{Applicant: p, ActingFor: &org, Channel: identity.ChannelOnline}
		if _, err := e.svc.ApplyOnline(ctx, cases.ApplyRequest{Session: agent, Item: it, Materials: only[:1], Token: "t5"}); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("an agent without a mandate: %v", err)
		}
		var after int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM files`).Scan(&after)
		if after != files {
			t.Fatalf("%d files stored for a refused agent", after-files)
		}
		if _, _, err := e.svc.SubmitOnline(ctx, agent, cases.CreateInput{Item: it.Code}, ""); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("the API for an agent without a mandate: %v", err)
		}
	})
}

// TestApplyBundleOnline: the merged form refused for missing materials says so and registers
// nothing; complete, it registers the bundle and its cases online; a file that is not a scan is
// refused next to its item's material; an agent whose mandate does not cover the bundle is refused.
func TestApplyBundleOnline(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		people := wiring.Must(identity.NewApplicants(identity.ApplicantsConfig{DB: db, Audit: e.log, PII: e.pii, Now: e.clk.now, Location: shanghai,
			Outbox: e.outbox(map[string]notify.Channel{"log": notify.LogChannel{Logger: quiet}}, jobs.Discard{})}))
		p, err := people.Register(ctx, clerk, identity.NewApplicant{Kind: "person", Name: person.Name, IDNumber: person.IDNumber, Phone: person.Phone})
		if err != nil {
			t.Fatal(err)
		}
		sess := identity.ApplicantSession{Applicant: p, Channel: identity.ChannelOnline}
		b, err := e.cat.Bundle(ctx, "KBQY")
		if err != nil {
			t.Fatal(err)
		}
		var answers map[string]any
		_ = json.Unmarshal(companyForm, &answers)
		in := cases.BundleApplyRequest{Session: sess, Bundle: b, Answers: map[string]string{}, Token: "b1"}
		for k, v := range answers {
			in.Answers[k] = fmt.Sprint(v)
		}
		n := countCases(t, db)
		if a, err := e.svc.ApplyBundleOnline(ctx, in); !errs.Is(err, errs.CodeInvalid) || !a.Refused || !strings.Contains(errText(err), "必需材料") || countCases(t, db) != n {
			t.Fatalf("no materials: %v (refused %v)", err, a.Refused)
		}
		var all []cases.ApplyMaterial
		for _, code := range b.Stages[0].Items {
			it, _ := e.cat.Item(ctx, code)
			for _, m := range it.Materials {
				if m.Required && m.Source != catalog.SourceShared {
					all = append(all, cases.ApplyMaterial{Item: code, MaterialID: m.ID, Upload: scan()})
				}
			}
		}
		bad := append([]cases.ApplyMaterial{}, all...)
		bad[0].Upload = &cases.Upload{Name: "x.exe", Body: strings.NewReader("MZ not a scan")}
		in.Materials, in.Token = bad, "b2"
		if a, err := e.svc.ApplyBundleOnline(ctx, in); err != nil || len(a.Uploads) != 1 || a.Uploads[0].Item != bad[0].Item || a.Uploads[0].Material.ID != bad[0].MaterialID || countCases(t, db) != n {
			t.Fatalf("a refused upload: %+v %v", a.Uploads, err)
		}
		for i := range all {
			all[i].Upload = scan()
		}
		in.Materials, in.Token = all, "b3"
		a, err := e.svc.ApplyBundleOnline(ctx, in)
		if err != nil || len(a.Case.Children) != len(b.Stages[0].Items) || a.Case.Channel != "online" {
			t.Fatalf("the bundle online: %d children, channel %q, %v", len(a.Case.Children), a.Case.Channel, err)
		}
		org := p
		org.ID, org.Kind = p.ID+1000, identity.OrgApplicant
		in.Session, in.Token = identity.ApplicantSession{Applicant: p, ActingFor: &org, Channel: identity.ChannelOnline}, "b4"
		if _, err := e.svc.ApplyBundleOnline(ctx, in); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("an agent without a mandate: %v", err)
		}
	})
}

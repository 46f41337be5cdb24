package cases_test

import (
	"context"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/errs"
	"banhao/store"
)

// TestSelfServiceApplicationMustBeComplete: online, a required material that is neither given
// nor deferred under 容缺 refuses the application and is named; the window still registers an
// incomplete application (it then sends one 补正 notice).
func TestSelfServiceApplicationMustBeComplete(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		code := e.itemCode(t, "企业设立登记") // m1–m4 required, m5 required and deferrable, m6 shared data
		citizen := audit.Actor{Username: "applicant:1", Role: "applicant"}
		file := e.uploadAs(t, citizen)
		refs := func(ids ...string) []cases.MaterialRef {
			var out []cases.MaterialRef
			for _, id := range ids {
				out = append(out, cases.MaterialRef{MaterialID: id, FileID: file})
			}
			return out
		}
		count := func() int {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		_, _, err := e.svc.Create(ctx, citizen, cases.CreateInput{Item: code, Channel: "online", Applicant: person, Materials: refs("m1", "m3")}, "")
		ee, ok := errs.As(err)
		if !ok || ee.Code != errs.CodeInvalid {
			t.Fatalf("an incomplete online application: %v, want invalid", err)
		}
		var fields []string
		for _, f := range ee.Fields {
			fields = append(fields, f.Field)
		}
		item, err := e.cat.Item(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, m := range item.Materials {
			if m.ID == "m2" || m.ID == "m4" || m.ID == "m5" {
				want = append(want, m.Name)
			}
		}
		if got := strings.Join(fields, " "); got != strings.Join(want, " ") || !strings.Contains(ee.Message, strings.Join(want, "、")) {
			t.Fatalf("missing materials named %q (%s), want %q", got, ee.Message, want)
		}
		if count() != 0 {
			t.Fatal("a refused application left a case")
		}

		// 容缺 only where the item allows it.
		_, _, err = e.svc.Create(ctx, citizen, cases.CreateInput{Item: code, Channel: "kiosk", Applicant: person, Materials: refs("m2", "m3", "m4", "m5"),
			Later: []cases.Later{{MaterialID: "m1"}}}, "")
		if ee, ok := errs.As(err); !ok || ee.Code != errs.CodeInvalid || !strings.Contains(err.Error(), "不可容缺") {
			t.Fatalf("deferring a material that may not be deferred: %v", err)
		}
		c, _, err := e.svc.Create(ctx, citizen, cases.CreateInput{Item: code, Channel: "online", Applicant: person, Materials: refs("m1", "m2", "m3", "m4"),
			Later: []cases.Later{{MaterialID: "m5"}}}, "")
		if err != nil || c.Status != cases.Submitted {
			t.Fatalf("complete but for a deferrable material: %v", err)
		}
		if !strings.Contains(c.Timeline[0].Detail, `"deferred":["m5"]`) {
			t.Errorf("the submission does not record the 容缺 choice: %s", c.Timeline[0].Detail)
		}

		// The window registers what the applicant brought, complete or not.
		if _, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Channel: "window", Applicant: person, Materials: []cases.MaterialRef{{MaterialID: "m1", FileID: e.upload(t)}}}, ""); err != nil {
			t.Fatalf("window registration of an incomplete application: %v", err)
		}
	})
}

// TestCommitmentItemOffersNoDeferral: a 告知承诺 item is approved on the applicant's word at
// once, so its online form offers no 容缺; a missing material that the guide calls deferrable is
// not answered with "或选择容缺后补" (a control the applicant cannot find).
func TestCommitmentItemOffersNoDeferral(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		code := e.itemCode(t, "食品经营许可")
		it, err := e.cat.Item(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		deferrable := ""
		for _, m := range it.Materials {
			if m.Required && m.Deferrable {
				deferrable = m.Name
			}
		}
		if deferrable == "" {
			t.Skip("the demo's 食品经营许可 has no deferrable material") // the check below needs one
		}
		citizen := audit.Actor{Username: "applicant:1", Role: "applicant"}
		_, _, err = e.svc.Create(ctx, citizen, cases.CreateInput{Item: code, Channel: "online", Applicant: person}, "")
		e2, ok := errs.As(err)
		if !ok || e2.Code != errs.CodeInvalid {
			t.Fatalf("an empty application: %v", err)
		}
		found := false
		for _, f := range e2.Fields {
			if f.Field == deferrable {
				found = true
				if strings.Contains(f.Message, "容缺") {
					t.Errorf("%s: %q offers 容缺 the form does not have", f.Field, f.Message)
				}
			}
		}
		if !found {
			t.Fatalf("the missing %s is not named: %v", deferrable, err)
		}
	})
}

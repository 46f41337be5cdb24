package cases_test

import (
	"context"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/certs"
	"banhao/ids"
	"banhao/store"
	"banhao/wiring"
)

// TestHouseholdRegisterServesTheIDCardApplication: a 居民户口簿 is a person's certificate, so
// one can be imported for a citizen, and the window then accepts 居民身份证申领 with it in
// place of the paper register (免提交), as the guide promises.
func TestHouseholdRegisterServesTheIDCardApplication(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		lib := wiring.Must(certs.New(certs.Config{DB: db, Audit: e.log, PII: e.pii, Now: e.clk.now, Location: shanghai}))
		c, _ := ids.CreditCodeCheck("11371600MB2850001")
		issuer := "11371600MB2850001" + string(c)
		csv := "type,number,holder_name,holder_id,issuer_code,issuer_name,issued_on\n" +
			"居民户口簿,HK-0001," + person.Name + "," + person.IDNumber + "," + issuer + ",滨州市公安局,2020-01-02\n"
		if _, err := lib.Import(ctx, audit.System, "csv", []byte(csv)); err != nil {
			t.Fatalf("import a citizen's 居民户口簿: %v", err)
		}
		types, err := lib.Types(ctx)
		if err != nil {
			t.Fatal(err)
		}
		kind := map[string]string{}
		for _, ty := range types {
			kind[ty.Name] = ty.HolderKind
		}
		for _, name := range []string{"居民户口簿", "结婚证", "出生医学证明", "医师执业证书", "医师资格证书", "公证书", "居民身份证"} {
			if kind[name] != certs.Person {
				t.Errorf("certificate type %s: holder %q, want a person (自然人)", name, kind[name])
			}
		}
		cs, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: e.itemCode(t, "居民身份证申领"), Applicant: person}, "")
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		cs = mustAct(t, e, clerk, cs.Number, cases.AcceptInput{})
		if cs.Status != cases.Accepted {
			t.Fatalf("accepted: %s", cs.Status)
		}
	})
}

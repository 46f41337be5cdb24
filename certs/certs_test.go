package certs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/certs"
	"banhao/errs"
	"banhao/identity"
	"banhao/ids"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

// creditCode completes 17 characters with their GB 32100 check character.
func creditCode(first17 string) string {
	c, _ := ids.CreditCodeCheck(first17)
	return first17 + string(c)
}

// idNumber completes 17 digits with their GB 11643 check character.
func idNumber(first17 string) string {
	c, _ := ids.IDNumberCheck(first17)
	return first17 + string(c)
}

func TestIdentifier(t *testing.T) {
	issuer := creditCode("11371600MB285000X")
	id := certs.Identifier("YYZZ", issuer, 42, 1)
	if !strings.HasPrefix(id, certs.Root+".YYZZ."+issuer+".00000042.1.") {
		t.Fatalf("identifier %s", id)
	}
	typ, iss, serial, version, ok := certs.ParseIdentifier(id)
	if !ok || typ != "YYZZ" || iss != issuer || serial != 42 || version != 1 {
		t.Fatalf("parse %s: %v %v %v %v %v", id, typ, iss, serial, version, ok)
	}
	// Every one-character change in the serial is caught by the check character.
	for d := '0'; d <= '9'; d++ {
		bad := strings.Replace(id, ".00000042.", ".0000004"+string(d)+".", 1)
		if d != '2' {
			if _, _, _, _, ok := certs.ParseIdentifier(bad); ok {
				t.Errorf("%s passes the check", bad)
			}
		}
	}
	for _, bad := range []string{"", "1.2.156.3005.2", strings.ToLower(id), strings.Replace(id, certs.Root, "1.2.156.3005.3", 1), id + "0"} {
		if _, _, _, _, ok := certs.ParseIdentifier(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestStatusAndExpiry(t *testing.T) {
	d := calendar.MustDate
	exp := d("2026-12-31")
	for _, c := range []struct {
		row   string
		exp   *calendar.Date
		today string
		want  string
	}{
		{certs.Valid, &exp, "2026-12-31", certs.Valid},
		{certs.Valid, &exp, "2027-01-01", certs.Expired},
		{certs.Revoked, &exp, "2026-01-01", certs.Revoked},
		{certs.Valid, nil, "2099-01-01", certs.Valid},
	} {
		if got := certs.StatusOn(c.row, c.exp, d(c.today)); got != c.want {
			t.Errorf("%s expiring %v on %s: %s, want %s", c.row, c.exp, c.today, got, c.want)
		}
	}
	if e := certs.ExpiryFor(d("2026-11-26"), 5); e == nil || *e != d("2031-11-25") {
		t.Errorf("5 years from 2026-11-26: %v", e)
	}
	if e := certs.ExpiryFor(d("2024-02-29"), 1); e == nil || *e != d("2025-02-28") {
		t.Errorf("1 year from 2024-02-29: %v", e)
	}
	if certs.ExpiryFor(d("2026-11-26"), 0) != nil {
		t.Error("0 years is no expiry")
	}
}

type fixture struct {
	s      *certs.Service
	db     *store.DB
	issuer string
	holder string
	person string
}

func newFixture(t *testing.T, db *store.DB) fixture {
	now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
	pii, err := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index-key-index-key-index-key-12"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := certs.New(certs.Config{DB: db, Audit: wiring.Must(audit.New([]byte("certs-test-key-certs-test-key-00"), now)), PII: pii, Now: now, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, ty := range []certs.Type{{Code: "YYZZ", Name: "营业执照", HolderKind: certs.Org}, {Code: "ZYYS", Name: "执业药师注册证", HolderKind: certs.Person, ValidYears: 5}} {
		if err := s.SaveType(ctx, audit.System, ty); err != nil {
			t.Fatal(err)
		}
	}
	return fixture{s: s, db: db, issuer: creditCode("11371600MB285000X"), holder: creditCode("91371600MA3C00001"), person: idNumber("37160219800101001")}
}

func TestLibrary(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		lic, err := f.s.Issue(ctx, audit.System, certs.Input{Type: "营业执照", HolderName: "滨州市示例科技有限公司", HolderID: f.holder,
			IssuerCode: f.issuer, IssuerName: "滨州市行政审批服务局", Data: map[string]any{"legal_rep": "张三"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, _, ok := certs.ParseIdentifier(lic.ID); !ok || lic.Status != certs.Valid || lic.ExpiresOn != nil || lic.Number == "" {
			t.Fatalf("issued %+v", lic)
		}
		reg, err := f.s.Issue(ctx, audit.System, certs.Input{Type: "ZYYS", HolderName: "李四", HolderID: f.person, IssuerCode: f.issuer, IssuerName: "滨州市市场监督管理局"})
		if err != nil {
			t.Fatal(err)
		}
		if reg.ExpiresOn == nil || reg.ExpiresOn.String() != "2031-11-25" {
			t.Errorf("a 5-year type issued 2026-11-26 expires %v", reg.ExpiresOn)
		}
		// The second certificate of the same type and issuer takes the next serial.
		lic2, err := f.s.Issue(ctx, audit.System, certs.Input{Type: "YYZZ", HolderName: "另一家公司", HolderID: creditCode("91371600MA3C00002"),
			IssuerCode: f.issuer, IssuerName: "滨州市行政审批服务局"})
		if err != nil {
			t.Fatal(err)
		}
		_, _, s1, _, _ := certs.ParseIdentifier(lic.ID)
		_, _, s2, _, _ := certs.ParseIdentifier(lic2.ID)
		if s2 != s1+1 {
			t.Errorf("serials %d then %d", s1, s2)
		}

		// The holder sees their own; lower-case input finds the same holder.
		held, err := f.s.Held(ctx, strings.ToLower(f.holder))
		if err != nil || len(held) != 1 || held[0].ID != lic.ID || held[0].HolderID != f.holder || held[0].Data["legal_rep"] != "张三" {
			t.Fatalf("held %+v %v", held, err)
		}
		if u, err := f.s.Usable(ctx, f.holder, "营业执照"); err != nil || u.ID != lic.ID {
			t.Errorf("usable %v %v", u.ID, err)
		}

		// Verification: masked person, valid; then revoked at once.
		pub, err := f.s.Verify(ctx, reg.ID)
		if err != nil || !pub.Valid || pub.Holder != identity.MaskName("李四") || pub.Kind != "执业药师注册证" {
			t.Fatalf("verify %+v %v", pub, err)
		}
		if _, err := f.s.Revoke(ctx, audit.System, reg.ID, ""); !errs.Is(err, errs.CodeInvalid) {
			t.Errorf("revoke without reason: %v", err)
		}
		if _, err := f.s.Revoke(ctx, audit.System, reg.ID, "持证人申请注销"); err != nil {
			t.Fatal(err)
		}
		pub, err = f.s.Verify(ctx, reg.ID)
		if err != nil || pub.Valid || pub.Status != certs.Revoked || pub.RevokedAt == nil {
			t.Errorf("after revocation %+v %v", pub, err)
		}
		if _, err := f.s.Revoke(ctx, audit.System, reg.ID, "again"); !errs.Is(err, errs.CodeConflict) {
			t.Errorf("second revocation: %v", err)
		}
		if _, err := f.s.Verify(ctx, reg.ID[:len(reg.ID)-1]+"Z"); !errs.Is(err, errs.CodeNotFound) && reg.ID[len(reg.ID)-1] != 'Z' {
			t.Errorf("wrong check character: %v", err)
		}

		// Reuse checks: type, holder, status.
		err = db.Tx(ctx, func(tx *store.Tx) error {
			for _, c := range []struct {
				id, typ, holder string
				ok              bool
			}{
				{lic.ID, "营业执照", f.holder, true},
				{lic.ID, "执业药师注册证", f.holder, false},
				{lic.ID, "营业执照", creditCode("91371600MA3C00002"), false},
				{reg.ID, "执业药师注册证", f.person, false}, // revoked
				{"1.2.156.3005.2.X", "营业执照", f.holder, false},
			} {
				if err := f.s.CheckUse(ctx, tx, c.id, c.typ, c.holder); (err == nil) != c.ok {
					t.Errorf("use %s as %s by %s: %v", c.id, c.typ, c.holder, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		// A read needs a case and a purpose that exist.
		for _, c := range []struct{ caseNo, purpose, field string }{{"", "审查", "case"}, {"X-1", "", "purpose"}, {"NO-SUCH-CASE", "审查", "case"}} {
			_, err := f.s.Read(ctx, audit.Actor{Username: "clerk", Role: "clerk"}, lic.ID, certs.CaseUse{Number: c.caseNo, ApplicantID: f.holder, Types: []string{"营业执照"}}, c.purpose)
			if e, ok := errs.As(err); !ok || e.Code != errs.CodeInvalid || e.Fields[0].Field != c.field {
				t.Errorf("read for case %q purpose %q: %v", c.caseNo, c.purpose, err)
			}
		}
		if acc, err := f.s.Accesses(ctx, f.holder, 0); err != nil || len(acc) != 0 {
			t.Errorf("refused reads left records: %v %v", acc, err)
		}
	})
}

func TestImport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		good := fmt.Sprintf("\ufeff证照类型,证照编号,持证主体,持证主体代码,发证机关代码,发证机关,发证日期,有效期至\n"+
			"营业执照,LIC-1,甲公司,%s,%s,滨州市行政审批服务局,2020-05-01,\n"+
			"执业药师注册证,ZY-1,王五,%s,%s,滨州市市场监督管理局,2023-01-10,2028-01-09\n", f.holder, f.issuer, f.person, f.issuer)
		// One bad row (future issue date, bad holder code) and nothing is written.
		bad := good + fmt.Sprintf("营业执照,LIC-2,乙公司,91371600MA3C0000X1,%s,局,2030-01-01,\n", f.issuer)
		_, err := f.s.Import(ctx, audit.System, "csv", []byte(bad))
		e, ok := errs.As(err)
		if !ok || len(e.Fields) != 2 || e.Fields[0].Field != "rows[3].holder_id" || e.Fields[1].Field != "rows[3].issued_on" {
			t.Fatalf("bad import: %v", err)
		}
		if held, _ := f.s.Held(ctx, f.holder); len(held) != 0 {
			t.Fatal("a refused import wrote certificates")
		}
		if n, err := f.s.Import(ctx, audit.System, "csv", []byte(good)); err != nil || n != 2 {
			t.Fatalf("import: %d %v", n, err)
		}
		held, _ := f.s.Held(ctx, f.person)
		if len(held) != 1 || held[0].Number != "ZY-1" || held[0].ExpiresOn.String() != "2028-01-09" || held[0].Source != "import" {
			t.Fatalf("imported %+v", held)
		}
		// The same number of the same type again is refused, naming the row.
		_, err = f.s.Import(ctx, audit.System, "json", []byte(fmt.Sprintf(`[{"type":"营业执照","number":"LIC-1","holder_name":"甲公司","holder_id":%q,"issuer_code":%q,"issuer_name":"局"}]`, f.holder, f.issuer)))
		if e, ok := errs.As(err); !ok || e.Fields[0].Field != "rows[1].number" {
			t.Errorf("duplicate number: %v", err)
		}
		for _, c := range []struct{ format, data string }{{"csv", ""}, {"csv", "a,b\n1,2\n"}, {"json", "{"}, {"json", `{"certificates":[]}`}, {"xml", "<x/>"}} {
			if _, err := f.s.Import(ctx, audit.System, c.format, []byte(c.data)); !errs.Is(err, errs.CodeInvalid) {
				t.Errorf("%s %q: %v", c.format, c.data, err)
			}
		}
	})
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("type,number,holder_name,holder_id,issuer_code,issuer_name,issued_on\n营业执照,1,甲,x,y,z,2020-01-01\n"))
	f.Add([]byte("证照类型,持证主体\n\"a\nb\",c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ins, err := certs.ParseCSV(data)
		if err != nil {
			if _, ok := errs.As(err); !ok {
				t.Fatalf("error %v is not a domain error", err)
			}
			return
		}
		for _, in := range ins {
			if in.IssuedOn != nil && in.IssuedOn.String() == "" {
				t.Fatal("empty date")
			}
		}
	})
}

// TestNewRefusesMissingDependencies: the library without its time zone is refused, by name (no
// silent UTC: a certificate's validity is counted in the center's days).
func TestNewRefusesMissingDependencies(t *testing.T) {
	pii, err := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index-key-index-key-index-key-12"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = certs.New(certs.Config{DB: &store.DB{}, Audit: wiring.Must(audit.New([]byte("certs-test-key-certs-test-key-00"), time.Now)), PII: pii, Now: time.Now})
	if names, ok := wiring.Missing(err); !ok || len(names) != 1 || names[0] != "Location" {
		t.Fatalf("err = %v", err)
	}
}

package demo_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"banhao/audit"
	"banhao/catalog"
	"banhao/certs"
	"banhao/demo"
	"banhao/identity"
	"banhao/jobs"
	"banhao/notify"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"

	"golang.org/x/crypto/bcrypt"
)

func TestDemoCenterLoadsIntoEmptyDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
		log := wiring.Must(audit.New([]byte("demo-test-key-demo-test-key-0001"), now))
		cat := wiring.Must(catalog.NewService(db, log, now))
		users := wiring.Must(identity.NewService(db, log, now, identity.WithPasswordCost(bcrypt.MinCost)))
		accounts, err := demo.Load(ctx, db, demo.Services{Catalog: cat, Users: users})
		if err != nil {
			t.Fatal(err)
		}
		roles := map[string]bool{}
		for _, a := range accounts {
			roles[a.Role] = true
		}
		for _, r := range identity.Roles {
			if !roles[string(r)] {
				t.Errorf("no demo account with role %s", r)
			}
		}
		secs, _ := cat.Sections(ctx)
		depts, _ := cat.Departments(ctx)
		if len(secs) != 10 || len(depts) != 53+36 {
			t.Fatalf("demo has %d sections and %d departments, want 10 and 53 + 36 of the counties", len(secs), len(depts))
		}
		// 收受分离's walk: 失业保险金申领 accepted at 沾化区's center is decided by 沾化区's own
		// 社会保险事业中心 under 沾化区's implementing item and its 3 working days, not the city's 5.
		r, _ := cat.Search(ctx, catalog.Query{Q: "失业保险金申领"})
		if len(r.Items) == 0 || r.Items[0].Name != "失业保险金申领" {
			t.Fatalf("search 失业保险金申领: %+v", r.Items)
		}
		local, found, err := cat.ImplementingItem(ctx, r.Items[0].Code, "371603000000")
		if err != nil || !found || local.Department.Name != "沾化区社会保险事业中心" || local.PromisedLimit.String() != "3个工作日" {
			t.Fatalf("沾化区's 失业保险金申领: found %v, %s, %s, %v; want 沾化区社会保险事业中心, 3个工作日", found, local.Department.Name, local.PromisedLimit, err)
		}
		if other, found, _ := cat.ImplementingItem(ctx, r.Items[0].Code, "371621000000"); found {
			t.Fatalf("惠民县, without a 社保中心, has its own 失业保险金申领 (%s): the city's decides there", other.Department.Name)
		}
		all, err := cat.Search(ctx, catalog.Query{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		admin := 0
		for _, ty := range catalog.Types {
			r, _ := cat.Search(ctx, catalog.Query{Type: ty, Limit: 1})
			if catalog.IsAdministrativePower(ty) {
				admin += r.Total
			}
		}
		if all.Total < 339 || admin < 294 || all.Total-admin < 45 {
			t.Fatalf("demo has %d published items (%d administrative-power, %d other), want ≥339 (≥294, ≥45)", all.Total, admin, all.Total-admin)
		}
		for _, q := range []string{"企业设立登记", "公章刻制", "发票领用", "不动产转移登记", "住房公积金提取", "企业投资项目备案",
			"建设工程规划许可证", "建筑工程施工许可证", "居民身份证", "户口迁移", "机动车驾驶证", "社会保险登记", "医疗保险参保登记"} {
			r, _ := cat.Search(ctx, catalog.Query{Q: q})
			if r.Total == 0 {
				t.Errorf("demo catalog has no item matching %q", q)
				continue
			}
			full := false
			for _, sum := range r.Items {
				it, err := cat.Item(ctx, sum.Code)
				if err != nil {
					t.Fatal(err)
				}
				full = full || fullySpecified(it)
			}
			if !full {
				t.Errorf("no fully specified guide among the items matching %q", q)
			}
		}
		every, _ := cat.Search(ctx, catalog.Query{Limit: catalog.MaxPage})
		nFull := 0
		for _, sum := range every.Items {
			it, _ := cat.Item(ctx, sum.Code)
			if fullySpecified(it) {
				nFull++
			}
		}
		if nFull < 40 {
			t.Fatalf("%d fully specified items, want at least 40", nFull)
		}
		if _, err := demo.Load(ctx, db, demo.Services{Catalog: cat, Users: users}); err == nil {
			t.Fatal("loading the demo twice succeeded; it must refuse a database that holds data")
		}
		if n, err := log.Verify(ctx, db); err != nil || n < 400 {
			t.Fatalf("audit after demo: %d entries, %v", n, err)
		}
	})
}

// fullySpecified is what a citizen needs from a guide: basis, limits, materials and steps.
func fullySpecified(it catalog.Item) bool {
	return it.LegalBasis != "" && it.PromisedLimit.IsSet() && it.LegalLimit.IsSet() && len(it.Materials) >= 2 && len(it.Steps) >= 2 && it.Where != ""
}

// Every certificate a demo material asks for or a demo item issues is a known type, and the demo
// citizen and company hold the certificates the walkthrough uses.
func TestDemoCertificates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
		log := wiring.Must(audit.New([]byte("demo-test-key-demo-test-key-0001"), now))
		cat := wiring.Must(catalog.NewService(db, log, now))
		pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
		lib, err := certs.New(certs.Config{DB: db, Audit: log, PII: pii, Now: now, Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		quiet := slog.New(slog.DiscardHandler)
		outbox := wiring.Must(notify.NewOutbox(notify.Config{DB: db, Now: now, Channels: map[string]notify.Channel{"log": notify.LogChannel{Logger: quiet}}, Jobs: jobs.Discard{}, Logger: quiet}))
		people, err := identity.NewApplicants(identity.ApplicantsConfig{DB: db, Audit: log, PII: pii, Outbox: outbox, Now: now, Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Load(ctx, db, demo.Services{Catalog: cat, Users: wiring.Must(identity.NewService(db, log, now, identity.WithPasswordCost(bcrypt.MinCost))), Certs: lib, Applicants: people}); err != nil {
			t.Fatal(err)
		}
		types, _ := lib.Types(ctx)
		known := map[string]bool{}
		for _, ty := range types {
			known[ty.Name] = true
		}
		res, _ := cat.Search(ctx, catalog.Query{Limit: 1000})
		issuing := 0
		for _, hit := range res.Items {
			it, err := cat.Item(ctx, hit.Code)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range it.Materials {
				if m.Source == catalog.SourceCertificate && !known[m.CertificateType] {
					t.Errorf("%s: material %s asks for unknown certificate type %s", it.Name, m.Name, m.CertificateType)
				}
			}
			if it.ResultCertificate != "" {
				issuing++
				if !known[it.ResultCertificate] {
					t.Errorf("%s issues unknown type %s", it.Name, it.ResultCertificate)
				}
			}
		}
		if issuing < 5 {
			t.Errorf("only %d demo items issue a certificate", issuing)
		}
		if lic, err := lib.Usable(ctx, demo.CompanyCode, "营业执照"); err != nil || lic.HolderName != demo.CompanyName {
			t.Errorf("the demo company's licence: %+v %v", lic, err)
		}
		if held, _ := lib.Held(ctx, demo.CitizenID); len(held) != 2 {
			t.Errorf("the demo citizen holds %d certificates, want 2", len(held))
		}
		if _, err := people.ByIDNumber(ctx, demo.CitizenID); err != nil {
			t.Error(err)
		}
	})
}

// The demo catalog reads as Binzhou's: no guide text speaks of Sichuan or of a county, every
// department has published items, and no two published items are near-duplicates.
func TestDemoCatalogReadsAsBinzhou(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
		log := wiring.Must(audit.New([]byte("demo-test-key-demo-test-key-0001"), now))
		cat := wiring.Must(catalog.NewService(db, log, now))
		if _, err := demo.Load(ctx, db, demo.Services{Catalog: cat, Users: wiring.Must(identity.NewService(db, log, now, identity.WithPasswordCost(bcrypt.MinCost)))}); err != nil {
			t.Fatal(err)
		}
		res, err := cat.Search(ctx, catalog.Query{Limit: catalog.MaxPage})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != len(res.Items) {
			t.Fatalf("one page holds %d of %d published items", len(res.Items), res.Total)
		}
		perDept := map[string]int{}
		var names []string
		for _, sum := range res.Items {
			it, err := cat.Item(ctx, sum.Code)
			if err != nil {
				t.Fatal(err)
			}
			guide, _ := json.Marshal(it)
			if w := demo.SichuanText(string(guide)); w != "" {
				t.Errorf("%s (%s): its guide says %q", it.Name, it.Code, w)
			}
			perDept[it.Department.Code]++
			names = append(names, it.Name)
		}
		depts, _ := cat.Departments(ctx)
		for _, d := range depts {
			if w := demo.SichuanText(d.Name); w != "" {
				t.Errorf("department %s says %q", d.Name, w)
			}
			if perDept[d.Code] == 0 && d.Kind == d.Code { // a county's department decides its city kind's county items
				t.Errorf("department %s has no published item", d.Name)
			}
			if d.Kind != d.Code && perDept[d.Kind] == 0 {
				t.Errorf("county department %s: the city has no %s with items", d.Name, d.Kind)
			}
		}
		pairs := 0
		for i, a := range names {
			for _, b := range names[i+1:] {
				pairs++
				if demo.NearDuplicate(a, b) {
					t.Errorf("near-duplicate published items: %s — %s", a, b)
				}
			}
		}
		least, most := len(names), 0
		for _, n := range perDept {
			least, most = min(least, n), max(most, n)
		}
		t.Logf("%d published items in %d departments (%d to %d each), %d pairs of names compared", len(names), len(depts), least, most, pairs)
	})
}

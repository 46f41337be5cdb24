package cases_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"testing"

	"banhao/audit"
	"banhao/calendar/calstore"
	"banhao/cases"
	"banhao/catalog"
	"banhao/certs"
	"banhao/demo"
	"banhao/files"
	"banhao/identity"
	"banhao/ids"
	"banhao/jobs"
	"banhao/network"
	"banhao/notify"
	"banhao/store/storetest"
	"banhao/wiring"
)

// BenchmarkRulesAtIntake is what 秒批 adds to an online application on SQLite: the same
// application of 城乡居民基本养老保险参保登记 submitted as a 审批 item (registered, waiting for the
// window) and as a 秒批 item (registered, accepted by the system, its rules evaluated with the
// applicant's certificates read, the outcome and timeline written, approved and, the applicant
// having chosen no 出件地, delivered electronically — one transaction).
func BenchmarkRulesAtIntake(b *testing.B) {
	ctx := context.Background()
	db := storetest.SQLite(b)
	clk := &clock{}
	clk.set("2026-11-26", 10)
	log := wiring.Must(audit.New([]byte("cases-test-key-cases-test-key-cas"), clk.now))
	cat := wiring.Must(catalog.NewService(db, log, clk.now))
	f, err := demo.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := cat.Import(ctx, audit.System, f); err != nil {
		b.Fatal(err)
	}
	pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("idx"))
	fs := wiring.Must(files.New(db, log, b.TempDir(), clk.now))
	lib := wiring.Must(certs.New(certs.Config{DB: db, Audit: log, PII: pii, Now: clk.now, Location: shanghai}))
	for _, ty := range demo.CertificateTypes() {
		if err := lib.SaveType(ctx, audit.System, ty); err != nil {
			b.Fatal(err)
		}
	}
	svc := wiring.Must(cases.New(cases.Config{DB: db, Audit: log, Catalog: cat, Calendar: wiring.Must(calstore.New(db, log, clk.now)), PII: pii, Files: fs,
		Now: clk.now, Location: shanghai, Jobs: jobs.Discard{}, Logger: quiet, Certs: lib, Limits: wiring.Must(identity.NewLimiter(db, clk.now)),
		Network: wiring.Must(network.New(db, log, clk.now, network.NoQueues{})),
		Outbox:  wiring.Must(notify.NewOutbox(notify.Config{DB: db, Now: clk.now, Channels: map[string]notify.Channel{"log": notify.LogChannel{Logger: quiet}}, Jobs: jobs.Discard{}, Logger: quiet}))}))
	res, _ := cat.Search(ctx, catalog.Query{Q: "城乡居民基本养老保险参保登记"})
	code := res.Items[0].Code
	rules, err := cat.LatestItem(ctx, code)
	if err != nil {
		b.Fatal(err)
	}
	approval := rules
	approval.HandlingMode, approval.Rules = catalog.ModeApproval, nil
	citizen := audit.Actor{Username: "applicant:1", Role: "applicant"}
	local := idNumber("37160219850315004")
	cc, _ := ids.CreditCodeCheck("11371600MB2850001")
	if _, err := lib.Import(ctx, audit.System, "csv", []byte("type,number,holder_name,holder_id,issuer_code,issuer_name,issued_on\n"+
		"居民身份证,SFZ-0001,李梅,"+local+",11371600MB2850001"+string(cc)+",滨州市公安局,2020-01-02\n")); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 2)))
	for _, mode := range []struct {
		name string
		it   catalog.Item
		want cases.Status
	}{{"审批", approval, cases.Submitted}, {"秒批", rules, cases.Delivered}} { // 秒批 online: approved and sent electronically (sysdelivery.go)
		if _, err := cat.PutItem(ctx, audit.System, mode.it, catalog.StatusPublished); err != nil {
			b.Fatal(err)
		}
		b.Run(mode.name, func(b *testing.B) {
			ids := make([]string, b.N)
			for i := range ids {
				file, err := fs.Save(ctx, citizen, "scan.png", bytes.NewReader(buf.Bytes()))
				if err != nil {
					b.Fatal(err)
				}
				ids[i] = file.ID
			}
			b.ResetTimer()
			for i := range b.N {
				app := cases.Applicant{Type: "person", Name: "李梅", IDNumber: local}
				c, _, err := svc.Create(ctx, citizen, cases.CreateInput{Item: code, Channel: "online", Applicant: app, Form: []byte(`{"student": "否", "employee_insured": "否"}`),
					Materials: []cases.MaterialRef{{MaterialID: "m1", FileID: ids[i]}, {MaterialID: "m2", FileID: ids[i]}}}, "")
				if err != nil {
					b.Fatal(err)
				}
				if c.Status != mode.want {
					b.Fatalf("%s: %s", mode.name, c.Status)
				}
			}
		})
	}
}

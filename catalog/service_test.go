package catalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"banhao/audit"
	"banhao/catalog"
	"banhao/demo"
	"banhao/errs"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

var admin = audit.Actor{Username: "admin", Role: "admin"}

func newService(t *testing.T, db *store.DB) (*catalog.Service, *audit.Log) {
	return newServiceTB(t, db)
}

func newServiceTB(t testing.TB, db *store.DB) (*catalog.Service, *audit.Log) {
	t.Helper()
	now := func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
	log := wiring.Must(audit.New([]byte("catalog-test-key-catalog-test-key"), now))
	return wiring.Must(catalog.NewService(db, log, now)), log
}

func seedOrgs(t *testing.T, svc *catalog.Service) {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.PutDepartment(ctx, admin, catalog.Department{Code: "XZSP", Name: "滨州市行政审批服务局"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutSection(ctx, admin, catalog.Section{Code: "S01", Name: "商事服务", Sort: 10}); err != nil {
		t.Fatal(err)
	}
}

// orgService is a catalog service on db with the test department and section (seedOrgs).
func orgService(t *testing.T, db *store.DB) *catalog.Service {
	t.Helper()
	svc, _ := newService(t, db)
	seedOrgs(t, svc)
	return svc
}

// eachFormat exports src's catalog and hands it to check written in CSV, Excel and JSON in turn.
func eachFormat(t *testing.T, src *catalog.Service, check func(format string, written []byte)) {
	t.Helper()
	exported, err := src.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"csv", "xlsx", "json"} {
		var buf bytes.Buffer
		if err := catalog.Write(format, &buf, exported, time.Now()); err != nil {
			t.Fatal(err)
		}
		check(format, buf.Bytes())
	}
}

// importCopy imports a catalog written in format into a fresh database on db's engine holding
// the test department and section, and returns that copy's service.
func importCopy(t *testing.T, db *store.DB, format string, written []byte) *catalog.Service {
	t.Helper()
	dst := orgService(t, freshLike(t, db))
	f, err := catalog.Parse(format, bytes.NewReader(written))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Import(context.Background(), admin, f); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return dst
}

// wantFirstField checks the answer to a case of a validation table named what: no error when field
// is "", else an error whose first field error is on field and, unless word is "", says word.
func wantFirstField(t *testing.T, what string, err error, field, word string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
		return
	}
	if got, msg := firstField(err); got != field || !strings.Contains(msg, word) {
		t.Errorf("%s: %v, want an error on %s", what, err, field)
	}
}

// firstField is the field and message of err's first field error; "" when it has none.
func firstField(err error) (field, msg string) {
	if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
		return e.Fields[0].Field, e.Fields[0].Message
	}
	return "", ""
}

func item(code, name string) catalog.Item {
	return catalog.Item{Code: code, Name: name, Type: "行政许可", Department: catalog.Ref{Code: "XZSP"}, Section: catalog.Ref{Code: "S01"},
		LegalLimit: catalog.Limit{Value: 20, Unit: catalog.WorkingDay}, PromisedLimit: catalog.Limit{Value: 5, Unit: catalog.WorkingDay},
		OnlineDepth: 4, Materials: []catalog.Material{{ID: "m1", Name: "申请书", Required: true}}}
}

func TestVersionsAndVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, log := newService(t, db)
		seedOrgs(t, svc)

		// A draft is invisible to the public.
		if _, err := svc.PutItem(ctx, admin, item("T-1", "测试事项"), catalog.StatusDraft); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Item(ctx, "T-1"); !errs.Is(err, errs.CodeNotFound) {
			t.Fatalf("public read of a draft = %v, want not found", err)
		}
		if r, _ := svc.Search(ctx, catalog.Query{Q: "测试"}); r.Total != 0 {
			t.Fatalf("draft shows in public search")
		}
		// Publishing makes a new version the public sees.
		pub, err := svc.Publish(ctx, admin, "T-1")
		if err != nil || pub.Version != 2 {
			t.Fatalf("publish: version %d, %v; want version 2", pub.Version, err)
		}
		// A new draft leaves the published version public.
		changed := item("T-1", "测试事项（修订）")
		if _, err := svc.PutItem(ctx, admin, changed, catalog.StatusDraft); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Item(ctx, "T-1")
		if err != nil || got.Name != "测试事项" || got.Version != 2 {
			t.Fatalf("public sees %q v%d (%v), want the published 测试事项 v2", got.Name, got.Version, err)
		}
		// An unchanged save makes no version.
		if again, _ := svc.PutItem(ctx, admin, changed, catalog.StatusDraft); again.Version != 3 {
			t.Fatalf("unchanged save made version %d, want 3", again.Version)
		}
		// Old versions stay readable for the cases made under them.
		v2, err := svc.ItemVersion(ctx, "T-1", 2)
		if err != nil || v2.Name != "测试事项" {
			t.Fatalf("version 2 = %q, %v", v2.Name, err)
		}
		// Retiring hides it.
		if _, err := svc.Retire(ctx, admin, "T-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Item(ctx, "T-1"); !errs.Is(err, errs.CodeNotFound) {
			t.Fatalf("retired item still public: %v", err)
		}
		vs, _ := svc.Versions(ctx, "T-1")
		if len(vs) != 4 {
			t.Fatalf("%d versions, want 4 (draft, published, draft, retired)", len(vs))
		}
		if _, err := log.Verify(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPutItemRejectsUnknownReferences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := newService(t, db)
		seedOrgs(t, svc)
		it := item("T-2", "x")
		it.Department, it.Section = catalog.Ref{Code: "NOPE"}, catalog.Ref{Code: "S99"}
		_, err := svc.PutItem(context.Background(), admin, it, catalog.StatusPublished)
		e, ok := errs.As(err)
		if !ok || len(e.Fields) != 2 {
			t.Fatalf("want errors naming department and section, got %v", err)
		}
	})
}

func TestAnotherNodeSeesChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := newService(t, db)
		b, _ := newService(t, db) // a second node on the same database
		b.SetStaleness(0)
		seedOrgs(t, a)
		if r, _ := b.Search(ctx, catalog.Query{}); r.Total != 0 {
			t.Fatal("fresh catalog not empty")
		}
		if _, err := a.PutItem(ctx, admin, item("T-3", "跨节点事项"), catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		if r, _ := b.Search(ctx, catalog.Query{Q: "跨节点"}); r.Total != 1 {
			t.Fatalf("node b sees %d items after node a published one, want 1", r.Total)
		}
	})
}

func realDistrict(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../demo/real-district-items.csv")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRealDistrictFileImportsAsDrafts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		f, err := catalog.ParseCSV(realDistrict(t))
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Import(ctx, admin, f)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 1135 || res.DepartmentsCreated != 34 {
			t.Fatalf("imported %+v, want 1135 items in 34 new departments", res)
		}
		if r, _ := svc.Search(ctx, catalog.Query{}); r.Total != 0 {
			t.Fatalf("%d imported drafts are public, want 0", r.Total)
		}
		items, total, _ := svc.StaffItems(ctx, catalog.StaffQuery{Q: "适龄儿童", Status: catalog.StatusDraft})
		if total != 1 || items[0].Type != "行政许可" {
			t.Fatalf("staff search for the imported item: %d hits %+v", total, items)
		}
		it, err := svc.LatestItem(ctx, items[0].Code)
		if err != nil || it.Department.Name != "区教科体局" || it.RegionCode != "511602000000" {
			t.Fatalf("imported item: dept %q region %q err %v", it.Department.Name, it.RegionCode, err)
		}
		// Importing the same file again changes nothing.
		f2, _ := catalog.ParseCSV(realDistrict(t))
		res2, err := svc.Import(ctx, admin, f2)
		if err != nil || res2.Unchanged != 1135 || res2.Created+res2.Updated != 0 {
			t.Fatalf("re-import: %+v %v, want all unchanged", res2, err)
		}
	})
}

func loadDemo(t *testing.T, svc *catalog.Service) {
	t.Helper()
	f, err := demo.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(context.Background(), admin, f); err != nil {
		t.Fatal(err)
	}
}

// canonical is the export as JSON without the moment of export: what "the same catalog" means.
func canonical(t *testing.T, svc *catalog.Service) string {
	t.Helper()
	f, err := svc.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := catalog.WriteJSON(&buf, f, time.Time{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestRoundTripEveryFormat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		src, _ := newService(t, db)
		loadDemo(t, src)
		// Text a spreadsheet would run as a formula travels as text and comes back unchanged.
		first, err := src.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		risky := first.Items[0]
		risky.LegalBasis, risky.Conditions = `=HYPERLINK("//e.x","点此核验")`, "+86 电话咨询"
		risky.Fee.Standard, risky.Hours, risky.Where = "-10元", "@工作日", "'=原样保留的引号"
		if _, err := src.PutItem(ctx, admin, risky, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		want := canonical(t, src)
		exported, err := src.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"xlsx", "json", "csv"} {
			t.Run(format, func(t *testing.T) {
				var buf bytes.Buffer
				if err := catalog.Write(format, &buf, exported, time.Now()); err != nil {
					t.Fatal(err)
				}
				dst, _ := newService(t, freshLike(t, db))
				f, err := catalog.Parse(format, &buf)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := dst.Import(ctx, admin, f); err != nil {
					t.Fatal(err)
				}
				got := canonical(t, dst)
				if format == "csv" { // CSV carries no section descriptions or department details, but every item's words
					back, _ := dst.Export(ctx)
					words := 0
					for i, it := range exported.Items {
						b := back.Items[i]
						if it.Code != b.Code || !slices.Equal(it.Keywords, b.Keywords) || !slices.Equal(it.Themes, b.Themes) {
							t.Fatalf("csv round trip: %s keywords %v themes %v came back as %s %v %v", it.Code, it.Keywords, it.Themes, b.Code, b.Keywords, b.Themes)
						}
						if it.Name != b.Name || it.LegalBasis != b.LegalBasis || it.Conditions != b.Conditions || it.Fee != b.Fee || it.Hours != b.Hours || it.Where != b.Where {
							t.Fatalf("csv round trip: %s came back as\n%q %q %q %+v %q %q\nwant\n%q %q %q %+v %q %q", it.Code,
								b.Name, b.LegalBasis, b.Conditions, b.Fee, b.Hours, b.Where, it.Name, it.LegalBasis, it.Conditions, it.Fee, it.Hours, it.Where)
						}
						words += len(it.Keywords)
					}
					if words < 100 {
						t.Fatalf("the demo catalog carries only %d keywords", words)
					}
					return
				}
				if got != want {
					t.Fatalf("%s round trip changed the catalog:\n%s", format, firstDiff(want, got))
				}
			})
		}
	})
}

// freshLike opens another empty database on the same engine as db.
func freshLike(t *testing.T, db *store.DB) *store.DB {
	if db.Dialect == store.Postgres {
		return storetest.Postgres(t)
	}
	return storetest.SQLite(t)
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + itoa(i+1) + ":\n want " + al[i] + "\n  got " + bl[i]
		}
	}
	return "lengths differ"
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestBadRowsChangeNothingAndAreAllNamed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		seedOrgs(t, svc)
		before := canonical(t, svc)
		csv := "code,name,type,status,department,section,legal_limit_value,legal_limit_unit,promised_limit_value,promised_limit_unit,visits,online_depth,materials\n" +
			`OK-1,好的事项,行政许可,published,XZSP,S01,20,working_day,5,working_day,0,4,"[{""id"":""m1"",""name"":""申请书"",""required"":true}]"` + "\n" +
			`BAD-2,超时事项,行政许可,published,XZSP,S01,5,working_day,10,working_day,0,4,` + "\n" +
			`BAD-3,,行政许可,draft,XZSP,S01,,,,,0,3,` + "\n" +
			`BAD-4,次数,行政许可,draft,XZSP,S01,,,,,abc,3,` + "\n" +
			`OK-1,重复,行政许可,draft,XZSP,S01,,,,,0,3,` + "\n"
		f, err := catalog.ParseCSV([]byte(csv))
		if err == nil {
			_, err = svc.Import(ctx, admin, f)
		}
		ie, ok := err.(*catalog.ImportError)
		if !ok {
			t.Fatalf("want *ImportError, got %v", err)
		}
		rows := map[int]string{}
		for _, r := range ie.Rows {
			rows[r.Row] += r.Column + ";"
		}
		// Parsing stops at the unreadable number before rules run; fix it and see every rule.
		if !strings.Contains(rows[5], "visits") {
			t.Fatalf("row 5 (visits=abc) not named: %+v", ie.Rows)
		}
		f, err = catalog.ParseCSV([]byte(strings.Replace(csv, ",abc,", ",0,", 1)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Import(ctx, admin, f)
		ie, ok = err.(*catalog.ImportError)
		if !ok {
			t.Fatalf("want *ImportError, got %v", err)
		}
		rows = map[int]string{}
		for _, r := range ie.Rows {
			rows[r.Row] += r.Column + ";"
		}
		for row, col := range map[int]string{3: "promised_limit", 4: "name", 6: "code"} {
			if !strings.Contains(rows[row], col) {
				t.Errorf("row %d: errors name columns %q, want %s (all: %+v)", row, rows[row], col, ie.Rows)
			}
		}
		if _, bad := rows[2]; bad {
			t.Errorf("the good row 2 was reported: %+v", ie.Rows)
		}
		if after := canonical(t, svc); after != before {
			t.Fatal("a failed import changed the catalog")
		}
	})
}

func TestExcelErrorsNameSheetRowAndColumn(t *testing.T) {
	t.Parallel()
	f, err := demo.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	f.Items = f.Items[:3]
	f.Items[1].Materials[0].Name = "" // materials sheet, the first material of the second item
	var buf bytes.Buffer
	if err := catalog.WriteXLSX(&buf, f); err != nil {
		t.Fatal(err)
	}
	parsed, err := catalog.ParseXLSX(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.SQLite(t)
	svc, _ := newService(t, db)
	_, err = svc.Import(context.Background(), admin, parsed)
	ie, ok := err.(*catalog.ImportError)
	if !ok || len(ie.Rows) != 1 {
		t.Fatalf("want one row error, got %v", err)
	}
	r := ie.Rows[0]
	firstRow := 2 + len(f.Items[0].Materials) // header, then the first item's materials
	if r.Sheet != "材料" || r.Row != firstRow || r.Column != "name" {
		t.Fatalf("error at %s row %d column %s, want 材料 row %d column name", r.Sheet, r.Row, r.Column, firstRow)
	}
}

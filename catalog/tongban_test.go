package catalog_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/errs"
	"banhao/store"
	"banhao/store/storetest"
)

func TestTongbanAndLevelRules(t *testing.T) {
	t.Parallel()
	it := item("T-1", "测试事项")
	it.RegionCode = "371602000000"
	it.Normalize()
	for _, tc := range []struct {
		tongban, level string
		field          string
	}{
		{"", "", ""}, {"city", "", ""}, {"province", "县", ""}, {"national", "乡", ""},
		{"everywhere", "", "tongban"},
		{"city", "市", "level"}, // a county's item is not exercised at the city's level
		{"", "区", "level"},
	} {
		it.Tongban, it.Level = tc.tongban, tc.level
		wantFirstField(t, fmt.Sprintf("tongban %q level %q", tc.tongban, tc.level), catalog.Validate(&it, catalog.StatusPublished), tc.field, "")
	}
	if (&catalog.Item{Tongban: "city"}).TongbanName() != "全市通办" || (&catalog.Item{}).TongbanName() != "" {
		t.Error("tongban in words")
	}
}

// TestOldCitywideReadsAsTongban: a guide written before 通办范围 (JSON "citywide": true, or the
// spreadsheet's 全市通办 column) reads as 全市通办.
func TestOldCitywideReadsAsTongban(t *testing.T) {
	t.Parallel()
	var it catalog.Item
	err := json.Unmarshal([]byte(`{"code":"X","citywide":true}`), &it)
	if it.Normalize(); err != nil || it.Tongban != "city" || it.Citywide {
		t.Errorf("citywide JSON: %q %v", it.Tongban, err)
	}
	it = catalog.Item{}
	err = json.Unmarshal([]byte(`{"code":"X","citywide":true,"tongban":"national"}`), &it)
	if it.Normalize(); err != nil || it.Tongban != "national" {
		t.Errorf("tongban beside citywide: %q %v", it.Tongban, err)
	}
	b, _ := json.Marshal(catalog.Item{Code: "X"})
	if !strings.Contains(string(b), `"tongban":""`) || strings.Contains(string(b), "citywide") {
		t.Errorf("item JSON: %s", b)
	}
	csv := "code,name,type,department,tongban,citywide（全市通办）\nA,甲,公共服务,XZSP,全省通办,\nB,乙,公共服务,XZSP,,是\nC,丙,公共服务,XZSP,,false\n"
	// A file has either column; the old one alone:
	old := "code,name,type,department,citywide（全市通办）\nB,乙,公共服务,XZSP,是\nC,丙,公共服务,XZSP,false\n"
	f, err := catalog.ParseCSV([]byte(old))
	if err != nil || len(f.Items) != 2 || f.Items[0].Tongban != "city" || f.Items[1].Tongban != "" {
		t.Fatalf("old column: %+v %v", f, err)
	}
	f, err = catalog.ParseCSV([]byte(csv))
	if err != nil || f.Items[0].Tongban != "province" {
		t.Fatalf("new column: %+v %v", f, err)
	}
	if _, err := catalog.ParseCSV([]byte("code,name,type,department,tongban\nA,甲,公共服务,XZSP,到处通办\n")); err == nil {
		t.Error("an unknown 通办范围 was read")
	}
}

// TestTongbanTravelsInEveryFormat: 通办范围 and 行使层级 leave in a CSV, Excel or JSON export and
// come back in an import.
func TestTongbanTravelsInEveryFormat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		src := orgService(t, db)
		for _, x := range []struct{ code, tongban, level string }{{"T-CITY", "city", ""}, {"T-PROV", "province", "县"}, {"T-NONE", "", "乡"}} {
			it := item(x.code, "事项"+x.code)
			it.RegionCode, it.Tongban, it.Level = "371600000000", x.tongban, x.level
			if _, err := src.PutItem(ctx, admin, it, catalog.StatusPublished); err != nil {
				t.Fatal(err)
			}
		}
		eachFormat(t, src, func(format string, written []byte) {
			dst := importCopy(t, db, format, written)
			for code, want := range map[string]string{"T-CITY": "city/", "T-PROV": "province/县", "T-NONE": "/乡"} {
				got, err := dst.Item(ctx, code)
				if err != nil || got.Tongban+"/"+got.Level != want {
					t.Errorf("%s: %s came back as %q/%q (%v), want %s", format, code, got.Tongban, got.Level, err, want)
				}
			}
		})
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE tongban = 'province' AND level = '县'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("the item's head does not carry tongban and level: %d %v", n, err)
		}
	})
}

// TestDepartmentKindPerRegion: a county has its own department of a kind the city has (its
// 公安局 under a code of its own), once per region; a department without a kind keeps its code
// as its kind, so today's codes stay valid.
func TestDepartmentKindPerRegion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		put := func(d catalog.Department) error { _, err := svc.PutDepartment(ctx, admin, d); return err }
		if err := put(catalog.Department{Code: "GAJ", Name: "滨州市公安局", RegionCode: "371600000000"}); err != nil {
			t.Fatal(err)
		}
		if err := put(catalog.Department{Code: "GAJ-371603", Name: "滨州市公安局沾化分局", RegionCode: "371603000000", Kind: "GAJ"}); err != nil {
			t.Fatalf("the county's 公安局: %v", err)
		}
		if err := put(catalog.Department{Code: "GAJ-371621", Name: "惠民县公安局", RegionCode: "371621000000", Kind: "GAJ"}); err != nil {
			t.Fatalf("another county's: %v", err)
		}
		err := put(catalog.Department{Code: "GAJ2-371603", Name: "沾化区第二公安局", RegionCode: "371603000000", Kind: "GAJ"})
		if e, ok := errs.As(err); !ok || e.Code != errs.CodeConflict || e.Fields[0].Field != "kind" {
			t.Errorf("a second 公安局 in one county: %v, want a conflict on kind", err)
		}
		if err := put(catalog.Department{Code: "X", Name: "某局", RegionCode: "3716"}); !errs.Is(err, errs.CodeInvalid) {
			t.Errorf("a bad region code: %v", err)
		}
		d, err := svc.Department(ctx, "GAJ")
		if err != nil || d.Kind != "GAJ" || d.RegionCode != "371600000000" {
			t.Errorf("city 公安局: %+v %v", d, err)
		}
		// Renaming without saying the kind (the admin page's form) keeps it.
		if err := put(catalog.Department{Code: "GAJ-371603", Name: "滨州市公安局沾化分局（新址）", RegionCode: "371603000000"}); err != nil {
			t.Errorf("rename: %v", err)
		}
		if d, err := svc.Department(ctx, "GAJ-371603"); err != nil || d.Kind != "GAJ" {
			t.Errorf("renamed county 公安局: kind %q %v, want GAJ", d.Kind, err)
		}
	})
}

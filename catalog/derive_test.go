package catalog_test

import (
	"banhao/audit"
	"banhao/autodecide"
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"banhao/catalog"
	"banhao/errs"
	"banhao/network"
	"banhao/store"
	"banhao/store/storetest"
)

const (
	cityCode   = "371600000000"
	zhanhua    = "371603000000"
	huimin     = "371621000000"
	stdItemKey = "T-STD"
)

// standard is the city's standard item of these tests: 10 working days promised, one visit,
// two required materials.
func standard() catalog.Item {
	it := item(stdItemKey, "标准测试事项")
	it.RegionCode = cityCode
	it.PromisedLimit = catalog.Limit{Value: 10, Unit: catalog.WorkingDay}
	it.Visits, it.VisitsReason, it.OnlineDepth = 1, "核验原件", 3
	it.Materials = []catalog.Material{{ID: "m1", Name: "申请书", Required: true}, {ID: "m2", Name: "身份证明", Required: true, Originals: 1}}
	it.Normalize()
	return it
}

func derivedOf(std catalog.Item) catalog.Item {
	local := std
	local.Code, local.RegionCode, local.Department = "T-STD-371603", zhanhua, catalog.Ref{Code: "XZSP-371603"}
	local.Where, local.Hours = "沾化区政务服务中心", "周一至周五"
	d := catalog.Rebase(std, local)
	d.Normalize()
	return d
}

// wantField asserts err names field with a message containing want.
func wantField(t *testing.T, what string, err error, field, want string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok {
		t.Errorf("%s: %v, want an error on %s", what, err, field)
		return
	}
	for _, f := range e.Fields {
		if f.Field == field && strings.Contains(f.Message, want) {
			return
		}
	}
	t.Errorf("%s: %+v, want %s: %q", what, e.Fields, field, want)
}

// TestCheckDerived: a region sets only what is local, and only stricter; each refusal names the
// field and what the standard says.
func TestCheckDerived(t *testing.T) {
	t.Parallel()
	std := standard()
	ok := derivedOf(std)
	if err := catalog.CheckDerived(std, ok); err != nil {
		t.Fatalf("a derived copy: %v", err)
	}
	stricter := ok
	stricter.PromisedLimit, stricter.Visits, stricter.OnlineDepth = catalog.Limit{Value: 3, Unit: catalog.WorkingDay}, 0, 4
	if err := catalog.CheckDerived(std, stricter); err != nil {
		t.Errorf("stricter limit, fewer visits, deeper online: %v", err)
	}
	immediate := ok
	immediate.PromisedLimit = catalog.Limit{Unit: catalog.Immediate}
	if err := catalog.CheckDerived(std, immediate); err != nil {
		t.Errorf("即办 is shorter than any day count: %v", err)
	}

	for _, tc := range []struct {
		what, field, want string
		change            func(*catalog.Item)
	}{
		{"longer promised limit", "promised_limit", "承诺时限不得长于标准（标准 10 个工作日）", func(d *catalog.Item) { d.PromisedLimit.Value = 15 }},
		{"natural days for working days", "promised_limit", "承诺时限不得长于标准", func(d *catalog.Item) { d.PromisedLimit.Unit = catalog.NaturalDay }},
		{"no promised limit", "promised_limit", "承诺时限不得长于标准", func(d *catalog.Item) { d.PromisedLimit = catalog.Limit{} }},
		{"more visits", "visits", "到现场次数不得多于标准（标准 1 次）", func(d *catalog.Item) { d.Visits = 2 }},
		{"a material dropped", "materials", "不得删减标准材料「身份证明」", func(d *catalog.Item) { d.Materials = d.Materials[:1] }},
		{"a material made optional", "materials[0].required", "不得放宽标准材料「申请书」：标准为必需材料", func(d *catalog.Item) { d.Materials[0].Required = false }},
		{"a material made deferrable", "materials[1].deferrable", "不得放宽标准材料「身份证明」：标准不允许容缺后补", func(d *catalog.Item) { d.Materials[1].Deferrable = true }},
		{"fewer originals", "materials[1].copies", "标准材料「身份证明」的形式和份数须与标准一致", func(d *catalog.Item) { d.Materials[1].Originals = 0 }},
		{"a material added", "materials[2]", "不得增加标准以外的材料「户口簿」", func(d *catalog.Item) {
			d.Materials = append(d.Materials, catalog.Material{ID: "m3", Name: "户口簿", Required: true, Source: catalog.SourceApplicant})
		}},
		{"renamed", "name", "事项名称须与标准一致（标准为「标准测试事项」）", func(d *catalog.Item) { d.Name = "本地事项" }},
		{"other conditions", "conditions", "受理条件须与标准一致", func(d *catalog.Item) { d.Conditions = "无条件" }},
		{"a longer legal limit", "legal_limit", "法定时限须与标准一致（标准 20 个工作日）", func(d *catalog.Item) { d.LegalLimit.Value = 30 }},
		{"a fee", "fee", "不得收取标准以外的费用", func(d *catalog.Item) { d.Fee = catalog.Fee{Charged: true, Basis: "某文件"} }},
		{"shallower online", "online_depth", "网办深度不得低于标准（标准 3 级）", func(d *catalog.Item) { d.OnlineDepth = 2 }},
		{"extension", "extension_allowed", "不得允许延期", func(d *catalog.Item) { d.ExtensionAllowed = true }},
		{"the standard's own region", "region_code", "不能与标准事项同一区划", func(d *catalog.Item) { d.RegionCode = cityCode }},
		{"another city's region", "region_code", "不在标准事项的区划", func(d *catalog.Item) { d.RegionCode = "370100000000" }},
		{"its own commitment", "commitment", "承诺书须与标准一致", func(d *catalog.Item) { d.Commitment = "本地承诺书" }},
		{"a longer post-check", "post_check_days", "事后核查时限不得长于标准（标准 0 个工作日）", func(d *catalog.Item) { d.PostCheckDays = 30 }},
		{"its own 秒批 rules", "rules", "秒批规则须与标准一致", func(d *catalog.Item) {
			d.Rules = &autodecide.Set{Rules: []autodecide.Rule{{Name: "任何人", Expr: "true", Message: "无"}}}
		}},
		{"its own payment", "payment", "支付指令须与标准一致", func(d *catalog.Item) {
			d.Payment = &catalog.Payment{Kind: "公积金提取", AmountField: "a", AccountField: "b", NameField: "c"}
		}},
		{"another standard", "standard_code", "实施事项须依据标准事项 T-STD", func(d *catalog.Item) { d.StandardCode = "OTHER" }},
	} {
		d := derivedOf(std)
		d.Materials = append([]catalog.Material(nil), d.Materials...)
		tc.change(&d)
		wantField(t, tc.what, catalog.CheckDerived(std, d), tc.field, tc.want)
	}

	// Every broken rule at once.
	d := derivedOf(std)
	d.PromisedLimit.Value, d.Visits, d.Materials = 30, 3, nil
	e, _ := errs.As(catalog.CheckDerived(std, d))
	if e == nil || len(e.Fields) < 4 {
		t.Errorf("every rule at once: %v", e)
	}
	// A derived item is no standard.
	wantField(t, "derived as standard", catalog.CheckDerived(ok, ok), "standard_code", "本身是实施事项")
}

// TestRebaseKeepsLocalAndClampsToStandard: a new standard version keeps the region's local
// fields and its stricter limit while the standard's is no shorter, else takes the standard's.
func TestRebaseKeepsLocalAndClampsToStandard(t *testing.T) {
	t.Parallel()
	std := standard()
	d := derivedOf(std)
	d.PromisedLimit = catalog.Limit{Value: 5, Unit: catalog.WorkingDay}
	std2 := std
	std2.Materials = append(append([]catalog.Material(nil), std.Materials...), catalog.Material{ID: "m3", Name: "户口簿", Required: true, Source: catalog.SourceApplicant})
	std2.PromisedLimit.Value = 4
	r := catalog.Rebase(std2, d)
	if r.PromisedLimit.Value != 4 || len(r.Materials) != 3 || r.Where != "沾化区政务服务中心" || r.Department.Code != "XZSP-371603" || r.StandardCode != stdItemKey {
		t.Errorf("rebased: %+v", r)
	}
	std2.PromisedLimit.Value = 8
	if r := catalog.Rebase(std2, d); r.PromisedLimit.Value != 5 {
		t.Errorf("the region's stricter 5 days became %v", r.PromisedLimit)
	}
	if err := catalog.CheckDerived(std2, catalog.Rebase(std2, d)); err != nil {
		t.Errorf("a rebased item breaks the rules: %v", err)
	}
	if got := catalog.DerivedCode("11370000-371600000000-000-11371600MB2856432A-1-00", zhanhua, "11371603MB0000000X"); got != "11370000-371603000000-000-11371603MB0000000X-1-00" {
		t.Errorf("derived code %s", got)
	}
}

// seedNetwork writes the city and two counties with a center each (the city's the main one) and the counties' departments.
func seedNetwork(t *testing.T, db *store.DB, svc *catalog.Service) {
	t.Helper()
	ctx := context.Background()
	regions := []network.Region{{Code: cityCode, Name: "滨州市"}, {Code: zhanhua, Name: "沾化区", Parent: cityCode}, {Code: huimin, Name: "惠民县", Parent: cityCode}}
	centers := []network.Center{{Code: "ZWFW", Name: "滨州市政务服务中心", RegionCode: cityCode, Address: "黄河五路 391 号", Hours: "周一至周五 9:00–17:00"},
		{Code: "ZWFW-371603", Name: "沾化区政务服务中心", RegionCode: zhanhua, Address: "富源四路 188 号", Hours: "周一至周五 9:00–17:00"},
		{Code: "ZWFW-371621", Name: "惠民县政务服务中心", RegionCode: huimin, Address: "乐安大街 377 号", Hours: "周一至周五 9:00–17:00"}}
	if err := network.Seed(ctx, db, regions, centers, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	seedOrgs(t, svc)
	for _, d := range []catalog.Department{{Code: "XZSP", Name: "滨州市行政审批服务局", RegionCode: cityCode},
		{Code: "XZSP-371603", Name: "沾化区行政审批服务局", RegionCode: zhanhua, Kind: "XZSP", Phone: "0543-7321234"},
		{Code: "XZSP-371621", Name: "惠民县行政审批服务局", RegionCode: huimin, Kind: "XZSP"}} {
		if _, err := svc.PutDepartment(ctx, admin, d); err != nil {
			t.Fatal(err)
		}
	}
}

func countVersions(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM item_versions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCountyCannotLoosenStandard: a county derives its implementing item; it cannot make it
// looser through the service, a whole-item write (the API's PUT) without or with another
// standard_code, or an import of any format — and nothing is written when refused.
func TestCountyCannotLoosenStandard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		seedNetwork(t, db, svc)
		if _, err := svc.PutItem(ctx, admin, standard(), catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		five := catalog.Limit{Value: 5, Unit: catalog.WorkingDay}
		fifteen := catalog.Limit{Value: 15, Unit: catalog.WorkingDay}
		two := 2

		before := countVersions(t, db)
		_, err := svc.Derive(ctx, admin, stdItemKey, catalog.Local{Department: "XZSP-371603", PromisedLimit: &fifteen})
		wantField(t, "derive with 15 days", err, "promised_limit", "承诺时限不得长于标准（标准 10 个工作日）")
		_, err = svc.Derive(ctx, admin, stdItemKey, catalog.Local{Department: "XZSP-371603", Visits: &two})
		wantField(t, "derive with two visits", err, "visits", "到现场次数不得多于标准（标准 1 次）")
		_, err = svc.Derive(ctx, admin, stdItemKey, catalog.Local{Department: "XZSP-371621", RegionCode: zhanhua})
		wantField(t, "another county's department", err, "department", "不属于区划")
		if _, err := svc.Derive(ctx, clerkActor, stdItemKey, catalog.Local{Department: "XZSP-371603"}); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("a clerk derives: %v", err)
		}
		if n := countVersions(t, db); n != before {
			t.Fatalf("refused derivations wrote %d versions", n-before)
		}

		d, err := svc.Derive(ctx, admin, stdItemKey, catalog.Local{Department: "XZSP-371603", PromisedLimit: &five, Status: catalog.StatusPublished})
		if err != nil {
			t.Fatal(err)
		}
		if d.StandardCode != stdItemKey || d.RegionCode != zhanhua || d.PromisedLimit != five || d.ConsultPhone != "0543-7321234" ||
			!strings.Contains(d.Where, "沾化区政务服务中心") || d.Status != catalog.StatusPublished {
			t.Errorf("derived: %+v", d)
		}
		if _, err := svc.Derive(ctx, admin, stdItemKey, catalog.Local{Department: "XZSP-371603"}); !errs.Is(err, errs.CodeConflict) {
			t.Errorf("a second implementing item in one county: %v", err)
		}
		if _, err := svc.Derive(ctx, admin, d.Code, catalog.Local{Department: "XZSP-371621"}); !errs.Is(err, errs.CodeInvalid) {
			t.Errorf("derived from a derived item: %v", err)
		}

		// The API's PUT: the whole item, standard_code left out or changed.
		before = countVersions(t, db)
		loose := d
		loose.StandardCode = ""
		loose.Materials = d.Materials[:1:1]
		_, err = svc.PutItem(ctx, admin, loose, catalog.StatusPublished)
		wantField(t, "PUT without a material", err, "materials", "不得删减标准材料「身份证明」")
		loose = d
		loose.StandardCode, loose.PromisedLimit = "", fifteen
		_, err = svc.PutItem(ctx, admin, loose, catalog.StatusDraft)
		wantField(t, "a draft with 15 days", err, "promised_limit", "承诺时限不得长于标准")
		loose.StandardCode = "OTHER"
		_, err = svc.PutItem(ctx, admin, loose, catalog.StatusPublished)
		wantField(t, "another standard", err, "standard_code", "不能更改")
		free := d
		free.Code, free.StandardCode = "T-FREE", ""
		if _, err := svc.PutItem(ctx, admin, free, catalog.StatusPublished); err != nil {
			t.Fatalf("a stand-alone county item: %v", err)
		}
		free.StandardCode = stdItemKey
		_, err = svc.PutItem(ctx, admin, free, catalog.StatusPublished)
		wantField(t, "an existing item made derived", err, "standard_code", "已有事项不能改为实施事项")
		before++ // T-FREE

		// Imports: JSON with the field, CSV and Excel without it.
		loose = d
		loose.Materials = append([]catalog.Material(nil), d.Materials...)
		loose.Materials[0].Required = false
		var buf bytes.Buffer
		if err := catalog.Write("json", &buf, &catalog.File{Items: []catalog.Item{loose}}, time.Now()); err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"json", "csv", "xlsx"} {
			src := &catalog.File{Items: []catalog.Item{loose}}
			src.Items[0].StandardCode = ""
			if format == "json" {
				src.Items[0].StandardCode = stdItemKey
			}
			var buf bytes.Buffer
			if err := catalog.Write(format, &buf, src, time.Now()); err != nil {
				t.Fatal(err)
			}
			f, err := catalog.Parse(format, &buf)
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.Import(ctx, admin, f)
			var ie *catalog.ImportError
			if !errorsAs(err, &ie) || !strings.Contains(ie.Error(), "不得放宽标准材料「申请书」") {
				t.Errorf("%s import of a looser material: %v", format, err)
			}
		}
		if n := countVersions(t, db); n != before {
			t.Errorf("refused writes made %d versions", n-before)
		}
		got, err := svc.Item(ctx, d.Code)
		if err != nil || len(got.Materials) != 2 || !got.Materials[0].Required || got.PromisedLimit != five {
			t.Errorf("the published implementing item changed: %+v %v", got, err)
		}
		// A retirement is always allowed; local changes are.
		local := d
		local.StandardCode, local.Hours = "", "周一至周六 8:30–17:30"
		if _, err := svc.PutItem(ctx, admin, local, catalog.StatusPublished); err != nil {
			t.Errorf("a local change: %v", err)
		}
	})
}

// TestStandardChangeReachesDerivedAsDrafts: publishing a new standard version makes a draft of
// every implementing item (the published one stays until the county publishes the draft), with
// the standard's new materials and limit and the county's local fields.
func TestStandardChangeReachesDerivedAsDrafts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		seedNetwork(t, db, svc)
		std := standard()
		if _, err := svc.PutItem(ctx, admin, std, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		five := catalog.Limit{Value: 5, Unit: catalog.WorkingDay}
		zh, err := svc.Derive(ctx, admin, stdItemKey, catalog.Local{Department: "XZSP-371603", PromisedLimit: &five, Status: catalog.StatusPublished})
		if err != nil {
			t.Fatal(err)
		}
		hm, err := svc.Derive(ctx, admin, stdItemKey, catalog.Local{Department: "XZSP-371621", Status: catalog.StatusPublished})
		if err != nil {
			t.Fatal(err)
		}
		// A draft of the standard reaches no one.
		std.Conditions = "新的受理条件"
		if _, err := svc.PutItem(ctx, admin, std, catalog.StatusDraft); err != nil {
			t.Fatal(err)
		}
		if vs, _ := svc.Versions(ctx, zh.Code); len(vs) != 1 {
			t.Errorf("a standard draft made %d versions of the county's item", len(vs))
		}
		// Published: a new material, 4 days.
		std.Materials = append(std.Materials, catalog.Material{ID: "m3", Name: "户口簿", Required: true})
		std.PromisedLimit.Value = 4
		if _, err := svc.PutItem(ctx, admin, std, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		for _, d := range []catalog.Item{zh, hm} {
			latest, err := svc.LatestItem(ctx, d.Code)
			if err != nil {
				t.Fatal(err)
			}
			if latest.Version != 2 || latest.Status != catalog.StatusDraft || len(latest.Materials) != 3 || latest.PromisedLimit.Value != 4 ||
				latest.Conditions != "新的受理条件" || latest.Department.Code != d.Department.Code || latest.Where != d.Where {
				t.Errorf("%s after the standard changed: v%d %s %d materials %v %q", d.Code, latest.Version, latest.Status, len(latest.Materials), latest.PromisedLimit, latest.Where)
			}
			pub, err := svc.Item(ctx, d.Code)
			if err != nil || pub.Version != 1 || len(pub.Materials) != 2 {
				t.Errorf("%s: the published version moved before the county published: v%d %v", d.Code, pub.Version, err)
			}
		}
		if _, err := svc.Publish(ctx, admin, zh.Code); err != nil {
			t.Fatalf("the county publishes the draft: %v", err)
		}
		if pub, _ := svc.Item(ctx, zh.Code); pub.Version != 3 || len(pub.Materials) != 3 {
			t.Errorf("published draft: v%d", pub.Version)
		}
		// The county's stricter limit survives a standard that does not go below it.
		std.PromisedLimit.Value = 8
		if _, err := svc.PutItem(ctx, admin, std, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		if l, _ := svc.LatestItem(ctx, zh.Code); l.PromisedLimit.Value != 4 || l.Version != 4 {
			t.Errorf("the county's 4 days became %v", l.PromisedLimit)
		}
		if l, _ := svc.LatestItem(ctx, hm.Code); l.PromisedLimit.Value != 8 || l.Version != 3 {
			t.Errorf("惠民 follows the standard: v%d %v", l.Version, l.PromisedLimit)
		}
		ds, err := svc.Derived(ctx, stdItemKey)
		if err != nil || len(ds) != 2 || ds[0].RegionCode != zhanhua {
			t.Errorf("derived list: %+v %v", ds, err)
		}

		// Search shows the standard once; the county's list has its item.
		res, err := svc.Search(ctx, catalog.Query{Q: "标准测试事项"})
		if err != nil || res.Total != 1 || res.Items[0].Code != stdItemKey {
			t.Errorf("search: %+v %v", res.Items, err)
		}
		l, err := svc.RegionList(ctx, zhanhua, catalog.ListAll)
		if err != nil || l.Count != 1 || l.Items[0].Code != zh.Code || l.Items[0].Department.Name != "沾化区行政审批服务局" || l.Date.IsZero() {
			t.Fatalf("沾化区's list: %+v %v", l, err)
		}
		two := item("T-TWO", "两次到现场的事项")
		two.RegionCode, two.Visits, two.VisitsReason, two.OnlineDepth = cityCode, 2, "现场勘验", 2
		if _, err := svc.PutItem(ctx, admin, two, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		once, _ := svc.RegionList(ctx, zhanhua, catalog.ListOnce)
		city, _ := svc.RegionList(ctx, cityCode, catalog.ListAll)
		cityOnce, _ := svc.RegionList(ctx, cityCode, catalog.ListOnce)
		if once.Count != 1 || city.Count != 2 || cityOnce.Count != 1 || cityOnce.Items[0].Code != stdItemKey {
			t.Errorf("once %d, city %d, city once %d", once.Count, city.Count, cityOnce.Count)
		}

		// A catalog file carries the derivation: exported, imported elsewhere (the derived items
		// before their standard in the file), the county's item is still derived and checked.
		exported, err := svc.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"xlsx", "csv"} {
			var out bytes.Buffer
			reversed := *exported
			reversed.Items = append([]catalog.Item(nil), exported.Items...)
			slices.Reverse(reversed.Items)
			if err := catalog.Write(format, &out, &reversed, time.Now()); err != nil {
				t.Fatal(err)
			}
			fresh := freshLike(t, db)
			dst, _ := newService(t, fresh)
			seedNetwork(t, fresh, dst)
			f, err := catalog.Parse(format, &out)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := dst.Import(ctx, admin, f); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			got, err := dst.LatestItem(ctx, zh.Code)
			if err != nil || got.StandardCode != stdItemKey {
				t.Errorf("%s: %s came back with standard %q (%v)", format, zh.Code, got.StandardCode, err)
			}
		}

		// The list as a workbook, read back.
		data, err := catalog.ListExcel(l, catalog.ListTitle("滨州市沾化区", catalog.ListAll), catalog.ListDate(l.Date, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		wb, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := wb.GetRows("清单")
		if len(rows) != 4 || rows[0][0] != "滨州市沾化区政务服务事项实施清单" || rows[1][0] != "共 1 项　公布日期：2026年11月25日" ||
			rows[2][1] != "事项名称" || rows[3][1] != "标准测试事项" || rows[3][3] != "沾化区行政审批服务局" || rows[3][4] != "4个工作日" {
			t.Errorf("workbook: %q", rows)
		}
	})
}

var clerkActor = audit.Actor{Username: "clerk", Role: "clerk"}

func errorsAs(err error, target **catalog.ImportError) bool { return errors.As(err, target) }

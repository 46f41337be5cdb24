package network_test

import (
	"math"
	"strings"
	"testing"

	"banhao/errs"
	"banhao/network"
)

func TestValidCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code  string
		ok    bool
		level string
	}{
		{"370000000000", true, network.Province},
		{"371600000000", true, network.City},
		{"371602000000", true, network.County},
		{"371681000000", true, network.County},
		{"371602001000", true, network.Township},
		{"371602001001", true, network.Village},
		{"110101000000", true, network.County},
		{"37160200000", false, ""},   // 11 digits
		{"3716020000000", false, ""}, // 13
		{"37160200000a", false, ""},
		{"991600000000", false, ""}, // no such province
		{"001600000000", false, ""},
		{"", false, ""},
	} {
		err := network.ValidCode(tc.code)
		if (err == nil) != tc.ok {
			t.Errorf("ValidCode(%q) = %v, want ok=%v", tc.code, err, tc.ok)
			continue
		}
		if err != nil && !errs.Is(err, errs.CodeInvalid) {
			t.Errorf("ValidCode(%q): %v is not an invalid-input error", tc.code, err)
		}
		if tc.ok && network.LevelOf(tc.code) != tc.level {
			t.Errorf("LevelOf(%s) = %s, want %s", tc.code, network.LevelOf(tc.code), tc.level)
		}
	}
}

func TestWithin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code, ancestor string
		want           bool
	}{
		{"371602001000", "371602000000", true},
		{"371602001000", "371600000000", true},
		{"371602001000", "370000000000", true},
		{"371602000000", "371602000000", true},
		{"371603000000", "371602000000", false},
		{"371602000000", "371602001000", false}, // a parent is not within its child
		{"372602000000", "371600000000", false},
		{"371602001001", "371602001000", true},
		{"371602002001", "371602001000", false},
	} {
		if got := network.Within(tc.code, tc.ancestor); got != tc.want {
			t.Errorf("Within(%s, %s) = %v, want %v", tc.code, tc.ancestor, got, tc.want)
		}
	}
}

func fields(err error) map[string]bool {
	out := map[string]bool{}
	if e, ok := errs.As(err); ok {
		for _, f := range e.Fields {
			out[f.Field] = true
		}
	}
	return out
}

func TestValidateRegion(t *testing.T) {
	t.Parallel()
	city := &network.Region{Code: "371600000000", Name: "滨州市", Level: "市"}
	county := &network.Region{Code: "371602000000", Name: "滨城区", Level: "县", Parent: city.Code}
	for _, tc := range []struct {
		name   string
		r      network.Region
		parent *network.Region
		field  string // "" when valid
	}{
		{"root city", *city, nil, ""},
		{"county under city", *county, city, ""},
		{"township under county", network.Region{Code: "371602001000", Name: "市中街道", Level: "乡", Parent: county.Code}, county, ""},
		{"township straight under the city (skips a level)", network.Region{Code: "371602001000", Name: "市中街道", Level: "乡", Parent: city.Code}, city, "parent_code"},
		{"village under a county", network.Region{Code: "371602001001", Name: "一村", Level: "村", Parent: county.Code}, county, "parent_code"},
		{"a bidi override in the name", network.Region{Code: "371602000000", Name: "滨城\u202e区", Level: "县", Parent: city.Code}, city, "name"},
		{"markup in the name", network.Region{Code: "371602000000", Name: "<b>滨城区</b>", Level: "县", Parent: city.Code}, city, "name"},
		{"a control character in the name", network.Region{Code: "371602000000", Name: "滨城\x00区", Level: "县", Parent: city.Code}, city, "name"},
		{"level not the code's", network.Region{Code: "371602000000", Name: "滨城区", Level: "市", Parent: city.Code}, city, "level"},
		{"unknown level", network.Region{Code: "371602000000", Name: "滨城区", Level: "区", Parent: city.Code}, city, "level"},
		{"no name", network.Region{Code: "371602000000", Level: "县", Parent: city.Code}, city, "name"},
		{"bad code", network.Region{Code: "3716020", Name: "x", Level: "县", Parent: city.Code}, city, "code"},
		{"bad code, the level derived from it (the admin form)", network.Region{Code: "3716ab", Name: "x", Parent: county.Code}, county, "code"},
		{"another city's county", network.Region{Code: "371502000000", Name: "东昌府区", Level: "县", Parent: city.Code}, city, "code"},
		{"parent missing", network.Region{Code: "371602000000", Name: "滨城区", Level: "县", Parent: city.Code}, nil, "parent_code"},
		{"parent not above", network.Region{Code: "371602001000", Name: "市中街道", Level: "乡", Parent: "371602002000"},
			&network.Region{Code: "371602002000", Name: "彭李街道", Level: "乡"}, "parent_code"},
	} {
		err := network.ValidateRegion(tc.r, tc.parent)
		if e, ok := errs.As(err); ok {
			for _, f := range e.Fields {
				if strings.Contains(f.Message, "，的") || strings.HasSuffix(f.Message, "须为") {
					t.Errorf("%s: a message with a name left out: %q", tc.name, f.Message)
				}
			}
		}
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.field != "" && !fields(err)[tc.field]:
			t.Errorf("%s: error %v does not name %s", tc.name, err, tc.field)
		}
	}
}

func TestLevelOrder(t *testing.T) {
	t.Parallel()
	prev := -1
	for _, l := range []string{"省", "市", "县", "乡", "村"} {
		if network.Rank(l) <= prev {
			t.Fatalf("%s does not come below the level before it", l)
		}
		prev = network.Rank(l)
	}
	if network.Rank("区") != -1 || network.ValidLevel("") {
		t.Fatal("an unknown level has a rank")
	}
	if err := network.ValidItemLevel("县", "371600000000"); err != nil {
		t.Errorf("a city's standard item exercised by its counties: %v", err)
	}
	if err := network.ValidItemLevel("市", "371602000000"); err == nil {
		t.Error("a county's item exercised at the city's level was accepted")
	}
	if err := network.ValidItemLevel("区", ""); err == nil {
		t.Error("an unknown 行使层级 was accepted")
	}
}

func TestDistance(t *testing.T) {
	t.Parallel()
	// Beijing Tiananmen to Shanghai People's Square: about 1068 km.
	d := network.Distance(network.Point{Lat: 39.9087, Lng: 116.3975}, network.Point{Lat: 31.2304, Lng: 121.4737})
	if math.Abs(d-1068) > 5 {
		t.Errorf("Beijing–Shanghai = %.1f km, want about 1068", d)
	}
	// One degree of latitude is about 111.2 km anywhere.
	if d := network.Distance(network.Point{Lat: 37, Lng: 118}, network.Point{Lat: 38, Lng: 118}); math.Abs(d-111.2) > 0.2 {
		t.Errorf("one degree of latitude = %.2f km", d)
	}
	p := network.Point{Lat: 37.38, Lng: 118.01}
	if network.Distance(p, p) != 0 {
		t.Error("a place is not 0 km from itself")
	}
	a, b := network.Point{Lat: 37.38, Lng: 118.01}, network.Point{Lat: 37.70, Lng: 118.13}
	if network.Distance(a, b) != network.Distance(b, a) {
		t.Error("distance is not symmetric")
	}
}

func TestParseTongban(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "", "city": "city", "全市通办": "city", "全省通办": "province", "跨省通办": "national",
		"national": "national", "不通办": "", "是": "city", "否": ""} {
		got, ok := network.ParseTongban(in)
		if !ok || got != want {
			t.Errorf("ParseTongban(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := network.ParseTongban("everywhere"); ok {
		t.Error("an unknown scope was read")
	}
}

var (
	cityCenter = network.Center{Code: "BZ", Name: "滨州市政务服务中心", RegionCode: "371600000000", Level: "市", Location: &network.Point{Lat: 37.3835, Lng: 117.9707}}
	binCheng   = network.Center{Code: "BC", Name: "滨城区政务服务中心", RegionCode: "371602000000", Level: "县", Location: &network.Point{Lat: 37.4321, Lng: 118.0204}}
	zhanHua    = network.Center{Code: "ZH", Name: "沾化区政务服务中心", RegionCode: "371603000000", Level: "县", Location: &network.Point{Lat: 37.6988, Lng: 118.1322}}
	pengLi     = network.Center{Code: "PL", Name: "彭李街道便民服务中心", RegionCode: "371602002000", Level: "乡", Location: &network.Point{Lat: 37.3883, Lng: 118.0166}}
	noPlace    = network.Center{Code: "NP", Name: "无棣县政务服务中心", RegionCode: "371623000000", Level: "县"}
	dezhou     = network.Center{Code: "DZ", Name: "德州市政务服务中心", RegionCode: "371400000000", Level: "市"}
	jinan      = network.Center{Code: "JN", Name: "北京某中心", RegionCode: "110101000000", Level: "县"}
	all        = []network.Center{cityCenter, binCheng, zhanHua, pengLi, noPlace, dezhou, jinan}
)

func codes(ps []network.Place) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func TestAccepts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		scope network.Scope
		want  []string // sorted by level and code (no location given)
	}{
		{"a city item without 通办: every center of the city, townships' too, not another city's", network.Scope{Region: "371600000000"}, []string{"BZ", "BC", "NP", "ZH", "PL"}},
		{"a county item without 通办: that county's center, not another county's", network.Scope{Region: "371603000000"}, []string{"ZH"}},
		{"a county item without 通办: that county's townships' centers too", network.Scope{Region: "371602000000"}, []string{"BC", "PL"}},
		{"the city's standard item exercised by counties: every county's center and below, not the city's", network.Scope{Region: "371600000000", Level: "县"}, []string{"BC", "NP", "ZH", "PL"}},
		{"the city's standard item exercised by townships: the townships' centers only", network.Scope{Region: "371600000000", Level: "乡"}, []string{"PL"}},
		{"全市通办: every center of the city, townships too", network.Scope{Region: "371603000000", Tongban: "city"}, []string{"BZ", "BC", "NP", "ZH", "PL"}},
		{"全省通办 adds the province's other cities", network.Scope{Region: "371600000000", Tongban: "province"}, []string{"BZ", "DZ", "BC", "NP", "ZH", "PL"}},
		{"跨省通办: everywhere", network.Scope{Region: "371600000000", Tongban: "national"}, []string{"BZ", "DZ", "BC", "JN", "NP", "ZH", "PL"}},
		{"no regions: a one-center installation accepts everything", network.Scope{}, []string{"BZ", "DZ", "BC", "JN", "NP", "ZH", "PL"}},
	} {
		if got := codes(network.Nearest(all, tc.scope, nil)); !equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNearestFirst(t *testing.T) {
	t.Parallel()
	// From 彭李街道: itself, then 滨城区 (5 km), the city center (4 km west)… those without a location last.
	from := pengLi.Location
	got := network.Nearest(all, network.Scope{Region: "371600000000", Tongban: "city"}, from)
	want := []string{"PL", "BZ", "BC", "ZH", "NP"}
	if !equal(codes(got), want) {
		t.Fatalf("nearest from 彭李街道: %v, want %v", codes(got), want)
	}
	if got[0].DistanceKM == nil || *got[0].DistanceKM != 0 || got[len(got)-1].DistanceKM != nil {
		t.Errorf("distances: first %v, last %v", got[0].DistanceKM, got[len(got)-1].DistanceKM)
	}
	for i := 1; i < len(got)-1; i++ {
		if *got[i].DistanceKM < *got[i-1].DistanceKM {
			t.Errorf("%s (%.1f km) after %s (%.1f km)", got[i].Code, *got[i].DistanceKM, got[i-1].Code, *got[i-1].DistanceKM)
		}
	}
}

func TestPointOfAndMain(t *testing.T) {
	t.Parallel()
	if p := network.PointOf(all, "371602002000"); p == nil || *p != *pengLi.Location {
		t.Errorf("a township with a center is at its center: %v", p)
	}
	// 市中街道 has no center here: the county's center stands for it.
	if p := network.PointOf(all, "371602001000"); p == nil || *p != *binCheng.Location {
		t.Errorf("a township without a center is at its county's: %v", p)
	}
	if p := network.PointOf(all, "371623000000"); p == nil || *p != *cityCenter.Location {
		t.Errorf("a county whose center has no location is at its city's: %v", p)
	}
	m, ok := network.MainCenter(all)
	if !ok || m.Code != "BZ" {
		t.Errorf("main center = %s, want the city's (BZ before DZ by code)", m.Code)
	}
	if _, ok := network.MainCenter(nil); ok {
		t.Error("a main center out of none")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestValidateCenter(t *testing.T) {
	t.Parallel()
	city := &network.Region{Code: "371600000000", Name: "滨州市", Level: "市"}
	ok := network.Center{Code: "BZ", Name: "滨州市政务服务中心", RegionCode: city.Code, Level: "市", Phone: "0543-3161234"}
	if err := network.ValidateCenter(ok, city); err != nil {
		t.Fatalf("a good center: %v", err)
	}
	for name, tc := range map[string]struct {
		edit  func(*network.Center)
		field string
	}{
		"a 5,000-digit phone":  {func(c *network.Center) { c.Phone = strings.Repeat("1", 5000) }, "phone"},
		"markup as the phone":  {func(c *network.Center) { c.Phone = "<script>1</script>" }, "phone"},
		"markup in the name":   {func(c *network.Center) { c.Name = "<img src=x>中心" }, "name"},
		"a bidi override":      {func(c *network.Center) { c.Name = "中心\u202eLTD" }, "name"},
		"a NUL in the address": {func(c *network.Center) { c.Address = "黄河\x00路" }, "address"},
		"a line break in name": {func(c *network.Center) { c.Name = "中心\n二" }, "name"},
	} {
		c := ok
		tc.edit(&c)
		if err := network.ValidateCenter(c, city); !fields(err)[tc.field] {
			t.Errorf("%s: %v does not name %s", name, err, tc.field)
		}
	}
}

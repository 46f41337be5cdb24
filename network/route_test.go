package network_test

import (
	"strings"
	"testing"

	"banhao/errs"
	"banhao/network"
)

const (
	city     = "371600000000"
	bincheng = "371602000000"
	zhanhua  = "371603000000"
	pengli   = "371602005000"
)

var (
	cityCtr      = network.Center{Code: "C", Name: "滨州市政务服务中心", RegionCode: city, Level: network.City}
	pengliCenter = network.Center{Code: "P", Name: "彭李街道便民服务中心", RegionCode: pengli, Level: network.Township}
	zhanCenter   = network.Center{Code: "Z", Name: "沾化区政务服务中心", RegionCode: zhanhua, Level: network.County}
)

func TestDecidingRegion(t *testing.T) {
	t.Parallel()
	countyTongban := network.Scope{Region: city, Level: network.County, Tongban: network.TongbanCity}
	countyOnly := network.Scope{Region: city, Level: network.County}
	cityLevel := network.Scope{Region: city, Level: network.City, Tongban: network.TongbanCity}
	for _, tc := range []struct {
		name   string
		scope  network.Scope
		at     network.Center
		chosen string
		want   string // "" with bad: refused
		bad    bool
	}{
		{"通办, the applicant's county chosen at a township of another county", countyTongban, pengliCenter, zhanhua, zhanhua, false},
		{"通办, default: the township center's county", countyTongban, pengliCenter, "", bincheng, false},
		{"通办, a township chosen: its county decides", countyTongban, zhanCenter, pengli, bincheng, false},
		{"通办, the city itself (市本级)", countyTongban, pengliCenter, city, city, false},
		{"通办, default at the city center: the city", countyTongban, cityCtr, "", city, false},
		{"通办, a region outside the item's", countyTongban, pengliCenter, "371702000000", "", true},
		{"通办, not a code", countyTongban, pengliCenter, "沾化区", "", true},
		{"city-level item decides at the city", cityLevel, pengliCenter, "", city, false},
		{"city-level item: another region refused", cityLevel, pengliCenter, zhanhua, "", true},
		{"city-level item: the city may be named", cityLevel, pengliCenter, city, city, false},
		{"not 通办: the accepting county decides", countyOnly, zhanCenter, "", zhanhua, false},
		{"not 通办: another county refused", countyOnly, zhanCenter, bincheng, "", true},
		{"no regions", network.Scope{}, network.Center{Code: "X"}, "", "", false},
	} {
		got, err := network.DecidingRegion(tc.scope, tc.at, tc.chosen)
		if tc.bad {
			if !errs.Is(err, errs.CodeInvalid) {
				t.Errorf("%s: got %q, %v; want an invalid-input error", tc.name, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestCompetent(t *testing.T) {
	t.Parallel()
	own := network.Dept{Code: "GAJ", Name: "滨州市公安局", Region: city, Kind: "GAJ"}
	depts := []network.Dept{own,
		{Code: "GAJ-371603", Name: "沾化区公安局", Region: zhanhua, Kind: "GAJ"},
		{Code: "RSJ-371603", Name: "沾化区人社局", Region: zhanhua, Kind: "RSJ"},
		{Code: "RSJ", Name: "滨州市人社局", Region: city, Kind: "RSJ"},
	}
	for _, tc := range []struct {
		region   string
		own      network.Dept
		want     string
		fallback bool
	}{
		{zhanhua, own, "GAJ-371603", false},
		{bincheng, own, "GAJ", true}, // 滨城区 has no 公安局 of its own here: the city's decides
		{pengli, own, "GAJ", true},   // nor has a township
		{city, own, "GAJ", false},    // 市本级
		{zhanhua, depts[3], "RSJ-371603", false},
		{zhanhua, network.Dept{Code: "SWJ", Region: city, Kind: "SWJ"}, "SWJ", true},
	} {
		d, fb := network.Competent(depts, tc.own, tc.region)
		if d.Code != tc.want || fb != tc.fallback {
			t.Errorf("Competent(%s, %s) = %s, %v; want %s, %v", tc.own.Code, tc.region, d.Code, fb, tc.want, tc.fallback)
		}
	}
}

func TestChoicesAndAncestor(t *testing.T) {
	t.Parallel()
	regions := []network.Region{{Code: city, Level: network.City}, {Code: zhanhua, Level: network.County}, {Code: bincheng, Level: network.County},
		{Code: pengli, Level: network.Township}, {Code: "371702000000", Level: network.County}}
	got := network.Choices(regions, network.Scope{Region: city, Level: network.County, Tongban: network.TongbanCity})
	var codes []string
	for _, r := range got {
		codes = append(codes, r.Code)
	}
	if strings.Join(codes, ",") != city+","+bincheng+","+zhanhua {
		t.Errorf("Choices = %v, want the city and its two counties by code", codes)
	}
	if c := network.Choices(regions, network.Scope{Region: city, Level: network.City}); len(c) != 0 {
		t.Errorf("a city-level item offers no choice, got %v", c)
	}
	if a, ok := network.AncestorAt(pengli, network.County); !ok || a != bincheng {
		t.Errorf("AncestorAt(彭李街道, 县) = %s, %v", a, ok)
	}
	if _, ok := network.AncestorAt(city, network.County); ok {
		t.Error("a city has no county above it")
	}
}

func TestRefusalNamesNearestFirst(t *testing.T) {
	t.Parallel()
	here := network.Point{Lat: 37.3952, Lng: 118.0442} // 彭李街道
	centers := []network.Center{
		{Code: "F", Name: "富源街道便民服务中心", RegionCode: "371603001000", Level: network.Township, Location: &network.Point{Lat: 37.7600, Lng: 118.1400}},
		{Code: "Z", Name: "沾化区政务服务中心", RegionCode: zhanhua, Level: network.County, Location: &network.Point{Lat: 37.6990, Lng: 118.1318}},
		{Code: "B", Name: "滨城区政务服务中心", RegionCode: bincheng, Level: network.County, Location: &network.Point{Lat: 37.4045, Lng: 118.0215}},
		pengliCenter,
	}
	scope := network.Scope{Region: zhanhua} // 沾化区's own item, not 通办
	at := pengliCenter
	at.Location = &here
	if network.Accepts(at, scope) {
		t.Fatal("a 滨城区 township center accepts a 沾化区 item without 通办")
	}
	msg := network.Refusal(at, network.Nearest(centers, scope, &here))
	z, f := strings.Index(msg, "沾化区政务服务中心"), strings.Index(msg, "富源街道便民服务中心")
	if z < 0 || f < 0 || z > f || strings.Contains(msg, "滨城区政务服务中心") || !strings.Contains(msg, "彭李街道便民服务中心") || !strings.Contains(msg, "公里") {
		t.Errorf("refusal %q: want 沾化区's centers only, the nearer (沾化区政务服务中心) first, with distances", msg)
	}
	if msg := network.Refusal(at, nil); !strings.Contains(msg, "没有其他中心") {
		t.Errorf("refusal without centers: %q", msg)
	}
}

func TestHomeRegion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ kind, number, want string }{
		{"person", "371602198503150047", bincheng},
		{"person", " 37160319850315004x ", zhanhua},
		{"organization", "91371603MA3C0000X1", zhanhua}, // credit code: the 3rd to 8th characters
		{"person", "371600198503150047", ""},            // a city's code, not a county's
		{"person", "990000198503150047", ""},            // no such province
		{"person", "3716021985", ""},                    // too short
		{"organization", "", ""},
	} {
		if got := network.HomeRegion(tc.kind, tc.number); got != tc.want {
			t.Errorf("HomeRegion(%s, %q) = %q, want %q", tc.kind, tc.number, got, tc.want)
		}
	}
}

func TestDefaultRegionAndAccepting(t *testing.T) {
	t.Parallel()
	countyTongban := network.Scope{Region: city, Level: network.County, Tongban: network.TongbanCity}
	countyOnly := network.Scope{Region: city, Level: network.County}
	zhanOnly := network.Scope{Region: zhanhua} // 沾化区's own item, not 通办
	cityLevel := network.Scope{Region: city, Level: network.City, Tongban: network.TongbanCity}
	for _, tc := range []struct {
		name  string
		scope network.Scope
		at    network.Center
		home  string
		want  string
	}{
		{"online (the city center): the applicant's county", countyTongban, cityCtr, bincheng, bincheng},
		{"online, no home: the item's region", countyTongban, cityCtr, "", city},
		{"window at a township of 滨城区, a 沾化区 resident: 沾化区", countyTongban, pengliCenter, zhanhua, zhanhua},
		{"window, a resident of elsewhere: the clerk's county", countyTongban, pengliCenter, "", bincheng},
		{"home outside the item's region: the center's default", countyTongban, pengliCenter, "370102000000", bincheng},
		{"not 通办, another county's resident: the accepting county", countyOnly, zhanCenter, bincheng, zhanhua},
		{"a city-level item: the city whoever applies", cityLevel, pengliCenter, zhanhua, city},
	} {
		if got := network.DefaultRegion(tc.scope, tc.at, tc.home); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	main := cityCtr
	main.Main = true
	centers := []network.Center{main, pengliCenter, zhanCenter}
	for _, tc := range []struct {
		name, channel, here string
		scope               network.Scope
		want                string
	}{
		{"window: the clerk's center", "window", "P", countyOnly, "P"},
		{"window of no center: the main", "window", "", countyTongban, "C"},
		{"kiosk at a township: its center for a 通办 item", "kiosk", "P", countyTongban, "P"},
		{"kiosk at a township: its center for its county's item (on its level or below)", "kiosk", "P", countyOnly, "P"},
		{"kiosk whose center does not accept the item: online, the main center", "kiosk", "P", zhanOnly, "C"},
		{"kiosk of no center", "kiosk", "", countyTongban, "C"},
		{"online: the main center, whatever the account says", "online", "P", countyTongban, "C"},
		{"agent: the main center", "agent", "Z", countyTongban, "C"},
	} {
		if got := network.Accepting(centers, tc.channel, tc.here, tc.scope); got.Code != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got.Code, tc.want)
		}
	}
}

package web_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/web"
)

type regionNode struct {
	Code, Name, Level string
	Children          []regionNode
}

type centerJSON struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	RegionCode string   `json:"region_code"`
	Level      string   `json:"level"`
	Address    string   `json:"address"`
	Hours      string   `json:"hours"`
	DistanceKM *float64 `json:"distance_km"`
}

// TestRegionsAndCentersAPI: the demo's 滨州市 tree and its ten centers, as API.md names them,
// to anyone (every guide says where an item can be done).
func TestRegionsAndCentersAPI(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		tree := decode[struct{ Regions []regionNode }](t, h.do(t, "GET", "/api/v1/regions", web.API, nil, nil, ""))
		if len(tree.Regions) != 1 || tree.Regions[0].Code != "371600000000" || tree.Regions[0].Name != "滨州市" || tree.Regions[0].Level != "市" {
			t.Fatalf("root: %+v", tree.Regions)
		}
		counties := map[string]string{}
		for _, c := range tree.Regions[0].Children {
			counties[c.Code] = c.Name
			if c.Level != "县" {
				t.Errorf("%s is a %s, want 县", c.Name, c.Level)
			}
			if c.Code == "371602000000" && (len(c.Children) != 2 || c.Children[0].Name != "市中街道" || c.Children[1].Name != "彭李街道" || c.Children[1].Level != "乡") {
				t.Errorf("滨城区's townships: %+v", c.Children)
			}
		}
		for code, name := range map[string]string{"371602000000": "滨城区", "371603000000": "沾化区", "371621000000": "惠民县", "371622000000": "阳信县",
			"371623000000": "无棣县", "371625000000": "博兴县", "371681000000": "邹平市"} {
			if counties[code] != name {
				t.Errorf("county %s = %q, want %s", code, counties[code], name)
			}
		}
		if len(counties) != 7 {
			t.Errorf("%d county-level units, want 7", len(counties))
		}

		list := decode[struct{ Centers []centerJSON }](t, h.do(t, "GET", "/api/v1/centers", web.API, nil, nil, ""))
		if len(list.Centers) != 10 {
			t.Fatalf("%d centers, want 10 (city, 7 counties, 2 townships)", len(list.Centers))
		}
		levels := map[string]int{}
		for _, c := range list.Centers {
			levels[c.Level]++
			if c.Code == "" || c.Name == "" || c.RegionCode == "" || c.Address == "" || c.Hours == "" {
				t.Errorf("center without code, name, region, address or hours: %+v", c)
			}
		}
		if levels["市"] != 1 || levels["县"] != 7 || levels["乡"] != 2 {
			t.Errorf("levels: %v", levels)
		}
	})
}

// TestNetworkOnOneCenterInstallation: an installation without the demo has no regions and no
// centers, and says so with empty lists.
func TestNetworkOnOneCenterInstallation(t *testing.T) {
	h := wire(t, storetest.SQLite(t), t.TempDir())
	body := func(path string) string {
		resp := h.do(t, "GET", path, web.API, nil, nil, "")
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return strings.TrimSpace(string(b))
	}
	if got := body("/api/v1/regions"); got != `{"regions":[]}` {
		t.Errorf("regions: %s", got)
	}
	if got := body("/api/v1/centers"); got != `{"centers":[]}` {
		t.Errorf("centers: %s", got)
	}
}

// TestTongbanOnItemsCasesAndGuide: items carry 通办范围; the centers that accept an item come
// nearest first from a chosen district; a case says where it was accepted, who decides and
// where it is handed out; the guide puts it in words.
func TestTongbanOnItemsCasesAndGuide(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		idCard := h.itemNamed(t, "居民身份证申领")
		guide := decode[map[string]any](t, h.do(t, "GET", "/api/v1/items/"+url.PathEscape(idCard), web.API, nil, nil, ""))
		if guide["tongban"] != "city" {
			t.Errorf("居民身份证申领 tongban = %v, want city", guide["tongban"])
		}
		if plain := decode[map[string]any](t, h.do(t, "GET", "/api/v1/items/"+url.PathEscape(h.itemNamed(t, "食品经营许可")), web.API, nil, nil, "")); plain["tongban"] != "" {
			t.Errorf("食品经营许可 tongban = %v, want \"\"", plain["tongban"])
		}
		city := 0
		for _, it := range mustExport(t, h).Items {
			if it.Tongban == "city" {
				city++
			}
		}
		if city < 20 {
			t.Errorf("%d demo items 全市通办, want at least 20", city)
		}

		// Where: from 彭李街道 its own center comes first; every center of the city takes a 全市通办 item.
		where := decode[struct {
			Tongban string
			Centers []centerJSON
		}](t, h.do(t, "GET", "/api/v1/items/"+url.PathEscape(idCard)+"/centers?from=371602005000", web.API, nil, nil, ""))
		if len(where.Centers) != 10 || where.Centers[0].Code != demo.PengliCenter || where.Centers[0].DistanceKM == nil {
			t.Fatalf("centers for 居民身份证申领 from 彭李街道: %+v", where.Centers)
		}
		for i := 1; i < len(where.Centers); i++ {
			if *where.Centers[i].DistanceKM < *where.Centers[i-1].DistanceKM {
				t.Errorf("%s after %s but nearer", where.Centers[i].Name, where.Centers[i-1].Name)
			}
		}
		// A city item without 通办 is done at every center of the city (the city decides); a
		// county's own item without 通办 at that county's centers only.
		food := decode[struct{ Centers []centerJSON }](t, h.do(t, "GET", "/api/v1/items/"+url.PathEscape(h.itemNamed(t, "食品经营许可"))+"/centers", web.API, nil, nil, ""))
		if len(food.Centers) != 10 || food.Centers[0].Code != demo.CenterCode {
			t.Errorf("食品经营许可 is done at %+v, want every center of the city, its own first", food.Centers)
		}
		land := decode[struct{ Centers []centerJSON }](t, h.do(t, "GET", "/api/v1/items/"+url.PathEscape(h.zhanhuaLand(t))+"/centers", web.API, nil, nil, ""))
		if len(land.Centers) != 1 || land.Centers[0].Code != "ZWFW-371603" {
			t.Errorf("沾化区's 首次登记 is done at %+v, want 沾化区's center only", land.Centers)
		}
		if resp := h.do(t, "GET", "/api/v1/items/"+url.PathEscape(idCard)+"/centers?from=abc", web.API, nil, nil, ""); resp.StatusCode != 400 {
			t.Errorf("from=abc: %d, want 400", resp.StatusCode)
		}

		// A case: accepted at the main center, decided in its item's region, handed out there.
		clerk := h.sessions[identity.Clerk]
		resp := h.do(t, "POST", "/api/v1/cases", web.API, &clerk,
			strings.NewReader(`{"item":"`+idCard+`","applicant":{"type":"person","name":"王五","id_number":"11010519491231002X"},"channel":"window"}`), "application/json")
		c := decode[map[string]any](t, resp)
		if resp.StatusCode != 201 || c["accepted_center"] != demo.CenterCode || c["deciding_region"] != demo.RegionCode || c["delivery_center"] != demo.CenterCode {
			t.Fatalf("case: %d accepted_center %v deciding_region %v delivery_center %v", resp.StatusCode, c["accepted_center"], c["deciding_region"], c["delivery_center"])
		}
		got := decode[map[string]any](t, h.do(t, "GET", "/api/v1/cases/"+c["number"].(string), web.API, &clerk, nil, ""))
		if got["accepted_center"] != demo.CenterCode || got["deciding_region"] != demo.RegionCode || got["delivery_center"] != demo.CenterCode {
			t.Errorf("case read back: %v %v %v", got["accepted_center"], got["deciding_region"], got["delivery_center"])
		}

		// The guide: 全市通办 in words, and the centers nearest first from the chosen district.
		page := h.do(t, "GET", "/items/"+url.PathEscape(idCard)+"?from=371602005000", web.Page, nil, nil, "")
		b, _ := io.ReadAll(page.Body)
		html := string(b)
		pengli, cityCenter, zouping := strings.Index(html, "彭李街道便民服务中心"), strings.Index(html, "滨州市政务服务中心</strong>"), strings.Index(html, "邹平市政务服务中心")
		if page.StatusCode != 200 || !strings.Contains(html, "全市通办") || !strings.Contains(html, "在哪里办") || pengli < 0 || cityCenter < 0 || zouping < 0 ||
			!(pengli < cityCenter && cityCenter < zouping) || !strings.Contains(html, "渤海九路 515 号") {
			t.Errorf("guide from 彭李街道: %d, 全市通办 %v, 彭李 %d < 市中心 %d < 邹平 %d", page.StatusCode, strings.Contains(html, "全市通办"), pengli, cityCenter, zouping)
		}
	})
}

func mustExport(t *testing.T, h *harness) *catalog.File {
	t.Helper()
	f, err := h.cat.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestPutRegionsAndCenters: the admin adds a township and its center; the tree's rules answer
// 400 with the field; other roles get 403.
func TestPutRegionsAndCenters(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin, clerk := h.sessions[identity.Admin], h.sessions[identity.Clerk]
	put := func(sess *identity.Session, path, body string) (int, problem) {
		resp := h.do(t, "PUT", path, web.API, sess, strings.NewReader(body), "application/json")
		var p problem
		if resp.StatusCode >= 400 {
			p = decode[problem](t, resp)
		}
		return resp.StatusCode, p
	}
	if st, p := put(&admin, "/api/v1/regions/371603001000", `{"name":"富源街道","parent_code":"371603000000"}`); st != 200 {
		t.Fatalf("new township: %d %+v", st, p)
	}
	if st, p := put(&admin, "/api/v1/regions/371503001000", `{"name":"别处","parent_code":"371603000000"}`); st != 400 || p.Errors[0].Field != "code" {
		t.Errorf("a township outside its county: %d %+v", st, p)
	}
	if st, p := put(&admin, "/api/v1/centers/BMFW-371603001", `{"name":"富源街道便民服务中心","region_code":"371603001000","address":"沾化区富源街道","hours":"周一至周五","location":{"lat":37.70,"lng":118.13}}`); st != 200 {
		t.Fatalf("new center: %d %+v", st, p)
	}
	if st, p := put(&admin, "/api/v1/centers/X", `{"code":"Y","name":"x","region_code":"371603001000"}`); st != 400 || p.Errors[0].Field != "code" {
		t.Errorf("body names another center: %d %+v", st, p)
	}
	if st, _ := put(&clerk, "/api/v1/centers/BMFW-371603001", `{"name":"x","region_code":"371603001000"}`); st != 403 {
		t.Errorf("a clerk changed a center: %d", st)
	}
	list := decode[struct{ Centers []centerJSON }](t, h.do(t, "GET", "/api/v1/centers", web.API, nil, nil, ""))
	found := false
	for _, c := range list.Centers {
		found = found || c.Code == "BMFW-371603001" && c.Level == "乡"
	}
	if !found || len(list.Centers) != 11 {
		t.Errorf("the new center is not listed as a 乡 center: %+v", list.Centers)
	}

	// The admin page lists both.
	page := h.do(t, "GET", "/admin/network", web.Page, &admin, nil, "")
	b, _ := io.ReadAll(page.Body)
	if page.StatusCode != 200 || !strings.Contains(string(b), "富源街道便民服务中心") || !strings.Contains(string(b), "371602005000") {
		t.Errorf("/admin/network: %d", page.StatusCode)
	}
}

package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// TestPublishedListsPerRegion: the city and each of the seven counties publish an implementing
// list and a 一次办好 list; each workbook, read back, has its title, its count and 公布日期 and
// as many rows as it says, the same count as the page and the API; a county's list has its own
// departments; the PDF is a PDF.
func TestPublishedListsPerRegion(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		regions := []string{demo.RegionCode}
		for _, r := range demo.Regions() {
			if r.Parent == demo.RegionCode {
				regions = append(regions, r.Code)
			}
		}
		if len(regions) != 8 {
			t.Fatalf("%d regions, want the city and seven counties", len(regions))
		}
		counts := map[string]int{}
		for _, code := range regions {
			for _, kind := range []string{catalog.ListAll, catalog.ListOnce} {
				where := code + " " + kind
				api := decode[struct {
					Count int
					Date  string
					Title string
					Items []struct {
						Code       string
						Name       string
						Visits     int
						Department struct{ Code, Name string }
					}
				}](t, h.do(t, "GET", "/api/v1/lists/"+code+"?kind="+kind, web.API, nil, nil, ""))
				if api.Count == 0 || api.Count != len(api.Items) || !strings.Contains(api.Date, "年") {
					t.Errorf("%s: API count %d, %d items, date %q", where, api.Count, len(api.Items), api.Date)
				}
				counts[code+kind] = api.Count
				for _, it := range api.Items {
					if kind == catalog.ListOnce && it.Visits > 1 {
						t.Errorf("%s: “%s” takes %d visits, on the 一次办好 list", where, it.Name, it.Visits)
					}
				}
				if code != demo.RegionCode {
					for _, it := range api.Items {
						if !strings.HasSuffix(it.Department.Code, "-"+code[:6]) {
							t.Errorf("%s: %s is the department %s, not the county's", where, it.Code, it.Department.Code)
						}
					}
				}
				resp := h.do(t, "GET", "/lists/"+code+"/list.xlsx?kind="+kind, web.Page, nil, nil, "")
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != 200 {
					t.Fatalf("%s: workbook %d", where, resp.StatusCode)
				}
				wb, err := excelize.OpenReader(bytes.NewReader(body))
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				rows, err := wb.GetRows("清单")
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) != api.Count+3 || rows[0][0] != api.Title || rows[1][0] != fmt.Sprintf("共 %d 项　公布日期：%s", api.Count, api.Date) ||
					rows[2][1] != "事项名称" || rows[3][0] != "1" || rows[len(rows)-1][10] != api.Items[len(api.Items)-1].Code {
					t.Errorf("%s: workbook %d rows, head %q %q, want %d items of %q", where, len(rows), rows[0], rows[1], api.Count, api.Title)
				}
				resp = h.do(t, "GET", "/lists/"+code+"?kind="+kind, web.Page, nil, nil, "")
				page, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != 200 || !strings.Contains(string(page), fmt.Sprintf(`<strong id="count">%d</strong>`, api.Count)) {
					t.Errorf("%s: page %d without the count %d", where, resp.StatusCode, api.Count)
				}
			}
		}
		resp := h.do(t, "GET", "/lists/371603000000/list.pdf?kind=once", web.Page, nil, nil, "")
		pdf, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Errorf("PDF: %d", resp.StatusCode)
		}
		// Some items truly take two visits (首次登记: the certificate signed for in person), so
		// the 一次办好 lists are shorter than the full ones.
		for _, code := range regions {
			if counts[code+catalog.ListOnce] >= counts[code+catalog.ListAll] {
				t.Errorf("%s: the 一次办好 list has %d items, the full list %d: every item needs at most one visit", code, counts[code+catalog.ListOnce], counts[code+catalog.ListAll])
			}
		}
		if counts[demo.RegionCode+catalog.ListAll] != 339 {
			t.Errorf("the city's list has %d items, want the demo's 339", counts[demo.RegionCode+catalog.ListAll])
		}
		if resp := h.do(t, "GET", "/lists/371603001000", web.Page, nil, nil, ""); resp.StatusCode != 404 {
			t.Errorf("a township's list: %d, want 404 (lists are the city's and the counties')", resp.StatusCode)
		}
		if resp := h.do(t, "GET", "/lists/371603000000?region=371621000000&kind=once", web.Page, nil, nil, ""); resp.StatusCode != 303 ||
			resp.Header.Get("Location") != "/lists/371621000000?kind=once" {
			t.Errorf("the picker: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// TestDeriveAPICannotLoosen: through the API an admin derives a county's implementing item; a
// looser limit or a dropped material is refused naming the field, on derive and on PUT.
func TestDeriveAPICannotLoosen(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	std, err := h.cat.Item(t.Context(), h.itemCode)
	if err != nil {
		t.Fatal(err)
	}
	longer := fmt.Sprintf(`{"region_code":"371603000000","department":"RSJ-371603","promised_limit":{"value":%d,"unit":%q}}`, std.PromisedLimit.Value+1, std.PromisedLimit.Unit)
	if std.PromisedLimit.Unit == catalog.Immediate {
		longer = `{"region_code":"371603000000","department":"RSJ-371603","promised_limit":{"value":1,"unit":"working_day"}}`
	}
	path := "/api/v1/items/" + url.PathEscape(h.itemCode)
	resp := h.do(t, "POST", path+"/derive", web.API, &admin, strings.NewReader(longer), "application/json")
	if p := decode[problem](t, resp); resp.StatusCode != 400 || len(p.Errors) == 0 || p.Errors[0].Field != "promised_limit" ||
		!strings.Contains(p.Errors[0].Message, "承诺时限不得长于标准") {
		t.Fatalf("a longer limit: %d %+v", resp.StatusCode, p)
	}
	clerk := h.sessions[identity.Clerk]
	if resp := h.do(t, "POST", path+"/derive", web.API, &clerk, strings.NewReader(`{"department":"RSJ-371603"}`), "application/json"); resp.StatusCode != 403 {
		t.Errorf("a clerk derives: %d", resp.StatusCode)
	}
	resp = h.do(t, "POST", path+"/derive", web.API, &admin, strings.NewReader(`{"department":"RSJ-371603","hours":"周一至周五","status":"published"}`), "application/json")
	d := decode[catalog.Item](t, resp)
	if resp.StatusCode != 201 || d.StandardCode != h.itemCode || d.RegionCode != "371603000000" || d.Hours != "周一至周五" {
		t.Fatalf("derive: %d %+v", resp.StatusCode, d)
	}
	list := decode[struct{ Items []catalog.DerivedItem }](t, h.do(t, "GET", path+"/derived", web.API, &admin, nil, ""))
	if len(list.Items) != 1 || list.Items[0].Code != d.Code {
		t.Errorf("derived list: %+v", list)
	}
	// The API's PUT with the standard_code left out and a material dropped.
	d.StandardCode = ""
	dropped := d.Materials[0].Name
	d.Materials = d.Materials[1:]
	body, _ := json.Marshal(d)
	resp = h.do(t, "PUT", "/api/v1/items/"+url.PathEscape(d.Code), web.API, &admin, bytes.NewReader(body), "application/json")
	if p := decode[problem](t, resp); resp.StatusCode != 400 || !strings.Contains(fmt.Sprint(p.Errors), "不得删减标准材料「"+dropped+"」") {
		t.Errorf("PUT without a material: %d %+v", resp.StatusCode, p)
	}
}

// TestBrowserListPage: a county's list on a 390 px phone — no sideways scrolling, every target
// big enough to touch, axe finds nothing; the picker goes to another county's list.
func TestBrowserListPage(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	for _, path := range []string{"/lists", "/lists/371603000000?kind=once"} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(h.ts.URL+path), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		axeCheck(t, ctx, path)
		m, err := chromedp.Run(ctx, chromedp.Evaluate[pageMeasure](measureJS))
		if err != nil {
			t.Fatal(err)
		}
		if m.ScrollW > m.InnerW || len(m.Small) > 0 {
			t.Errorf("%s at 390 px: scroll width %d in %d, small targets %v", path, m.ScrollW, m.InnerW, m.Small)
		}
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#region`), "371621000000"), chromedp.Click(chromedp.CSS(`.list-picker button`)),
		chromedp.WaitVisible(chromedp.CSS(`h1[data-region="371621000000"]`))); err != nil {
		t.Fatal(err)
	}
	count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#count`)))
	if err != nil {
		t.Fatal(err)
	}
	if count == "" || count == "0" {
		t.Errorf("惠民县's list counts %q", count)
	}
}

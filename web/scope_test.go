package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"banhao/catalog"
	"banhao/identity"
	"banhao/web"
)

// zhanhuaItem is 沾化区's implementing item of a standard item.
func (h *harness) zhanhuaItem(t *testing.T, standard string) catalog.DerivedItem {
	t.Helper()
	d, err := h.cat.Derived(context.Background(), standard)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range d {
		if x.RegionCode == "371603000000" {
			return x
		}
	}
	t.Fatalf("no implementing item of %s in 沾化区", standard)
	return catalog.DerivedItem{}
}

// TestCountyAdminChangesOnlyItsRegion: 沾化区's admin may not change the city's standard item
// (API PUT, publish, 废止: 403 naming the item's region, nothing written) and the admin list
// shows the controls on 沾化区's implementing item only; they may publish their own.
func TestCountyAdminChangesOnlyItsRegion(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	zh := h.staffSession(t, "admin_zhanhua")
	code := h.itemNamed(t, "城乡居民基本医疗保险参保登记")
	std, err := h.cat.LatestItem(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	own := h.zhanhuaItem(t, code)

	body, _ := json.Marshal(std)
	refusals := map[string]*struct{ method, path string }{
		"PUT":     {"PUT", "/api/v1/items/" + url.PathEscape(code)},
		"publish": {"POST", "/api/v1/items/" + url.PathEscape(code) + "/publish"},
		"retire":  {"POST", "/api/v1/items/" + url.PathEscape(code) + "/retire"},
	}
	for name, c := range refusals {
		resp := h.do(t, c.method, c.path, web.API, &zh, strings.NewReader(string(body)), "application/json")
		p := decode[problem](t, resp)
		if resp.StatusCode != 403 || !strings.Contains(p.Detail, "该事项属于滨州市，沾化区的管理员只能修改沾化区及其下辖区划的事项") {
			t.Errorf("%s of the city's item by 沾化区's admin: %d %q, want 403 naming the regions", name, resp.StatusCode, p.Detail)
		}
	}
	resp, _ := h.postPage(t, zh, "/admin/items/"+url.PathEscape(code)+"/publish", url.Values{}, nil)
	if resp.StatusCode != 403 {
		t.Errorf("publish on the page: %d, want 403", resp.StatusCode)
	}
	if after, _ := h.cat.LatestItem(ctx, code); after.Version != std.Version || after.Status != std.Status {
		t.Fatalf("the city's item changed: v%d %s → v%d %s", std.Version, std.Status, after.Version, after.Status)
	}

	status, page := h.pageOf(t, zh, "/admin/items?q="+url.QueryEscape("城乡居民基本医疗保险参保登记"))
	if status != 200 || !strings.Contains(page, own.Code) || !strings.Contains(page, code) {
		t.Fatalf("the list (%d) lacks the items", status)
	}
	if strings.Contains(page, "/admin/items/"+code+"/publish") || strings.Contains(page, "/admin/items/"+code+"/edit") ||
		strings.Contains(page, "/admin/items/"+code+"/retire") {
		t.Error("the list offers 沾化区's admin to change the city's item")
	}
	if !strings.Contains(page, "/admin/items/"+own.Code+"/publish") || !strings.Contains(page, "/admin/items/"+own.Code+"/edit") {
		t.Error("the list offers 沾化区's admin no controls on 沾化区's own item")
	}
	status, page = h.pageOf(t, zh, "/admin/items/"+url.PathEscape(code)+"/edit")
	if status != 200 || strings.Contains(page, `name="action" value="publish"`) || !strings.Contains(page, `id="not-mine"`) || !strings.Contains(page, `id="derive-link"`) {
		t.Errorf("the city's item's editor for 沾化区's admin (%d): want it to be read and derived from, without the saves", status)
	}
	status, page = h.pageOf(t, zh, "/admin/items/"+url.PathEscape(own.Code)+"/edit")
	if status != 200 || !strings.Contains(page, `name="action" value="publish"`) {
		t.Errorf("沾化区's item's editor for 沾化区's admin (%d) has no saves", status)
	}
	_, cityPage := h.pageOf(t, h.sessions[identity.Admin], "/admin/items?q="+url.QueryEscape("城乡居民基本医疗保险参保登记"))
	if !strings.Contains(cityPage, "/admin/items/"+code+"/publish") || !strings.Contains(cityPage, "/admin/items/"+own.Code+"/publish") {
		t.Error("the city's admin is not offered every item's controls")
	}
	if resp := h.do(t, "POST", "/api/v1/items/"+url.PathEscape(own.Code)+"/publish", web.API, &zh, nil, ""); resp.StatusCode != 200 {
		t.Errorf("沾化区's admin publishing 沾化区's item: %d", resp.StatusCode)
	}
}

var (
	formInput    = regexp.MustCompile(`<input\b[^>]*>`)
	formSelect   = regexp.MustCompile(`(?s)<select\b[^>]*\bname="([^"]+)"[^>]*>(.*?)</select>`)
	formOption   = regexp.MustCompile(`(?s)<option\b([^>]*?)( selected)?>(.*?)</option>`)
	formTextarea = regexp.MustCompile(`(?s)<textarea\b[^>]*\bname="([^"]+)"[^>]*>(.*?)</textarea>`)
	formAttr     = regexp.MustCompile(`\b(name|value|type)="([^"]*)"`)
)

// editorValues is what a browser posts of the item editor's form as shown.
func editorValues(t *testing.T, page string) url.Values {
	t.Helper()
	start := strings.Index(page, `action="/admin/items"`)
	if start < 0 {
		t.Fatal("no item editor form on the page")
	}
	page = page[start:]
	page = page[:strings.Index(page, "</form>")]
	v := url.Values{}
	for _, in := range formInput.FindAllString(page, -1) {
		a := map[string]string{}
		for _, m := range formAttr.FindAllStringSubmatch(in, -1) {
			a[m[1]] = html.UnescapeString(m[2])
		}
		if a["name"] == "" || a["name"] == "csrf" || (a["type"] == "checkbox" || a["type"] == "radio") && !strings.Contains(in, " checked") {
			continue
		}
		v.Add(a["name"], a["value"])
	}
	for _, m := range formSelect.FindAllStringSubmatch(page, -1) {
		var chosen []string
		first := ""
		for i, o := range formOption.FindAllStringSubmatch(m[2], -1) {
			val := o[3] // an option without a value posts its text
			if vm := formAttr.FindStringSubmatch(o[1]); vm != nil && vm[1] == "value" {
				val = vm[2]
			}
			if i == 0 {
				first = val
			}
			if strings.Contains(o[1], " selected") || o[2] != "" {
				chosen = append(chosen, val)
			}
		}
		if len(chosen) == 0 {
			chosen = []string{first}
		}
		for _, c := range chosen {
			v.Add(m[1], html.UnescapeString(c))
		}
	}
	for _, m := range formTextarea.FindAllStringSubmatch(page, -1) {
		v.Add(m[1], strings.TrimPrefix(html.UnescapeString(m[2]), "\n"))
	}
	return v
}

// TestItemEditorRoundTrip: the editor of an implementing item and of a standard item, posted
// back unchanged, saves with nothing lost (the materials' 形式 and 说明 among what it does not
// show); a real loosening of the implementing item is still refused.
func TestItemEditorRoundTrip(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	code := h.itemNamed(t, "城乡居民基本医疗保险参保登记")
	own := h.zhanhuaItem(t, code).Code
	doc := func(code string) string {
		it, err := h.cat.LatestItem(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		it.Version, it.Status, it.UpdatedAt = 0, "", time.Time{}
		b, _ := json.Marshal(it)
		return string(b)
	}
	std, _ := h.cat.LatestItem(ctx, code)
	notes := 0
	for _, m := range std.Materials {
		if m.Note != "" || m.Form != "" {
			notes++
		}
	}
	if notes == 0 {
		t.Fatal("the standard's materials have no form nor note: nothing to lose")
	}
	for _, c := range []struct {
		code string
		sess identity.Session
	}{{own, h.staffSession(t, "admin_zhanhua")}, {own, h.sessions[identity.Admin]}, {code, h.sessions[identity.Admin]}} {
		before := doc(c.code)
		status, page := h.pageOf(t, c.sess, "/admin/items/"+url.PathEscape(c.code)+"/edit")
		if status != 200 {
			t.Fatalf("the editor of %s: %d", c.code, status)
		}
		form := editorValues(t, page)
		form.Set("action", "publish")
		resp, page := h.postPage(t, c.sess, "/admin/items", form, nil)
		if resp.StatusCode != 303 {
			t.Fatalf("%s saved unchanged by %s: %d\n%s", c.code, c.sess.User.Username, resp.StatusCode, summary(page))
		}
		if after := doc(c.code); after != before {
			t.Errorf("%s saved unchanged changed:\n%s\n%s", c.code, before, after)
		}
	}

	status, page := h.pageOf(t, h.sessions[identity.Admin], "/admin/items/"+url.PathEscape(own)+"/edit")
	if status != 200 {
		t.Fatal(status)
	}
	form := editorValues(t, page)
	form.Set("action", "publish")
	form.Set("m0_copies", "7")
	resp, page := h.postPage(t, h.sessions[identity.Admin], "/admin/items", form, nil)
	if resp.StatusCode != 400 || !strings.Contains(page, "的形式和份数须与标准一致") {
		t.Errorf("a changed copy count of a standard material: %d, want it refused", resp.StatusCode)
	}
}

package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"banhao/identity"
	"banhao/web"
)

// TestNetworkAdminForms: 沾化区's admin creates a township of 沾化区 and a center in it with the
// forms of /admin/network (bad entries named at their field by its label; nothing written), edits
// its county's center, and is refused a 滨城区 region or center (the form offers none; a post
// names the rule); every save is audited; a post without the form's token is refused; a
// supervisor sees the page without the forms.
func TestNetworkAdminForms(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	admin := h.staffSession(t, "admin_zhanhua")
	status, page := h.pageOf(t, admin, "/admin/network")
	if status != 200 || !strings.Contains(page, `id="new-center"`) || !strings.Contains(page, `id="edit-center-ZWFW-371603"`) || strings.Contains(page, `id="edit-center-ZWFW-371602"`) {
		t.Fatalf("沾化区's admin's network page (%d):\n%s", status, page)
	}
	_, page = h.pageOf(t, admin, "/admin/network/regions/new")
	if !strings.Contains(page, `<option value="371603000000"`) || strings.Contains(page, `<option value="371602000000"`) {
		t.Fatalf("the region form offers parents beyond 沾化区:\n%s", page)
	}
	resp, page := h.postPage(t, admin, "/admin/network/regions", url.Values{"code": {"371603001000"}, "name": {"富源<街道>"}, "parent_code": {"371603000000"}}, nil)
	if resp.StatusCode != 400 || !strings.Contains(page, `id="name-error"`) || !strings.Contains(page, "区划名称") {
		t.Fatalf("a name with markup: %d\n%s", resp.StatusCode, page)
	}
	resp, _ = h.postPage(t, admin, "/admin/network/regions", url.Values{"code": {"371603001000"}, "name": {"富源街道"}, "parent_code": {"371603000000"}}, nil)
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/network?done=region") {
		t.Fatalf("a township of 沾化区: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page = h.pageOf(t, admin, "/admin/network?done=region"); !strings.Contains(page, "区划已保存") || !strings.Contains(page, "富源街道") {
		t.Fatalf("the page after the save:\n%s", page)
	}
	resp, page = h.postPage(t, admin, "/admin/network/regions", url.Values{"code": {"371602009000"}, "name": {"某街道"}, "parent_code": {"371602000000"}}, nil)
	if resp.StatusCode != 403 || !strings.Contains(page, "您只能修改沾化区及其下级的区划和中心") {
		t.Fatalf("a township of 滨城区 by 沾化区's admin: %d\n%s", resp.StatusCode, page)
	}

	_, page = h.pageOf(t, admin, "/admin/network/centers/new")
	if !strings.Contains(page, `<option value="371603001000"`) || strings.Contains(page, `<option value="371602000000"`) {
		t.Fatalf("the center form offers regions beyond 沾化区:\n%s", page)
	}
	center := url.Values{"code": {"BMFW-371603001"}, "name": {"富源街道便民服务中心"}, "region_code": {"371603001000"}, "address": {"滨州市沾化区富源街道政务路 1 号"},
		"hours": {"周一至周五 9:00–17:00"}, "phone": {"abc"}, "lat": {"37.7"}, "lng": {"东经"}}
	resp, page = h.postPage(t, admin, "/admin/network/centers", center, nil)
	if resp.StatusCode != 400 || !strings.Contains(page, `id="lat-error"`) || !strings.Contains(page, "位置（纬度、经度）") {
		t.Fatalf("a location in words: %d\n%s", resp.StatusCode, page)
	}
	center.Set("lng", "118.1")
	resp, page = h.postPage(t, admin, "/admin/network/centers", center, nil)
	if resp.StatusCode != 400 || !strings.Contains(page, `id="phone-error"`) || !strings.Contains(page, `href="#phone"`) || !strings.Contains(page, "富源街道便民服务中心") {
		t.Fatalf("a phone in letters: %d, want it named at 电话 and the form kept\n%s", resp.StatusCode, page)
	}
	center.Set("phone", "0543-7321234")
	if resp, _ = h.postPage(t, admin, "/admin/network/centers", center, nil); resp.StatusCode != 303 {
		t.Fatalf("the new center: %d", resp.StatusCode)
	}
	c, err := h.app.Network.Center(ctx, "BMFW-371603001")
	if err != nil || c.RegionCode != "371603001000" || c.Level != "乡" || c.Phone != "0543-7321234" || c.Location == nil || c.Location.Lng != 118.1 {
		t.Fatalf("the center saved: %+v %v", c, err)
	}
	if resp, page = h.postPage(t, admin, "/admin/network/centers", center, nil); resp.StatusCode != 400 || !strings.Contains(page, "已被富源街道便民服务中心使用") {
		t.Fatalf("a new center with a code in use: %d", resp.StatusCode)
	}

	_, page = h.pageOf(t, admin, "/admin/network/centers/ZWFW-371603/edit")
	if !strings.Contains(page, `value="ZWFW-371603" readonly`) || !strings.Contains(page, `name="hours"`) {
		t.Fatalf("the edit form:\n%s", page)
	}
	edit := url.Values{"editing": {"1"}, "code": {"ZWFW-371603"}, "name": {"沾化区政务服务中心"}, "region_code": {"371603000000"}, "address": {"滨州市沾化区富源四路 188 号"},
		"hours": {"周一至周六 8:30–17:30"}, "phone": {"0543-7320000"}}
	if resp, _ = h.postPage(t, admin, "/admin/network/centers", edit, nil); resp.StatusCode != 303 {
		t.Fatalf("editing 沾化区's center: %d", resp.StatusCode)
	}
	if c, _ := h.app.Network.Center(ctx, "ZWFW-371603"); c.Hours != "周一至周六 8:30–17:30" {
		t.Fatalf("hours not saved: %q", c.Hours)
	}
	edit.Set("code", "ZWFW-371602")
	edit.Set("region_code", "371602000000")
	if resp, page = h.postPage(t, admin, "/admin/network/centers", edit, nil); resp.StatusCode != 403 || !strings.Contains(page, "您只能修改沾化区及其下级的区划和中心") {
		t.Fatalf("editing 滨城区's center by 沾化区's admin: %d", resp.StatusCode)
	}
	for _, path := range []string{"/admin/network/centers/ZWFW-371602/edit", "/admin/network/regions/371600000000/edit"} {
		if status, page := h.pageOf(t, admin, path); status != 403 || !strings.Contains(page, "您只能修改沾化区及其下级的区划和中心") {
			t.Errorf("%s for 沾化区's admin: %d, want 403 naming the scope", path, status)
		}
	}
	if status, _ := h.pageOf(t, admin, "/admin/network/centers/ZWFW-371603/edit"); status != 200 {
		t.Errorf("沾化区's own center's edit page for its admin: %d", status)
	}
	var n int
	if err := h.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE actor = 'admin_zhanhua' AND action IN ('center.put', 'region.put')`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d audit entries of the saves (want 3): %v", n, err)
	}
	center.Del("csrf") // postPage put the token in
	noToken := h.do(t, "POST", "/admin/network/centers", web.Page, &admin, strings.NewReader(center.Encode()), "application/x-www-form-urlencoded")
	noToken.Body.Close()
	if noToken.StatusCode != 403 {
		t.Fatalf("a post without the form's token: %d", noToken.StatusCode)
	}
	sup := h.sessions[identity.Supervisor]
	if status, page := h.pageOf(t, sup, "/admin/network"); status != 200 || strings.Contains(page, `id="new-center"`) {
		t.Fatalf("the supervisor's network page: %d, forms offered", status)
	}
	if status, _ := h.pageOf(t, sup, "/admin/network/centers/new"); status != 403 {
		t.Fatalf("the supervisor opens the center form: %d", status)
	}
}

// TestBrowserNetworkAdminForms: the network page and the center form at 390 px and 1920 px:
// nothing scrolls sideways, no serious accessibility fault. Screenshots under $BANHAO_SCREENSHOTS.
func TestBrowserNetworkAdminForms(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	admin := h.staffSession(t, "admin")
	signIn := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "banhao_session", Value: admin.Token, URL: h.ts.URL + "/"})
		return chromedp.Void{}, err
	}
	if err := chromedp.Do(ctx, signIn); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ path, ready, name string }{
		{"/admin/network", "#centers", "admin-network"},
		{"/admin/network/centers/ZWFW-371603/edit", "#center-form", "admin-network-center"},
		{"/admin/network/regions/new", "#region-form", "admin-network-region"},
	} {
		for _, size := range [][2]int64{{390, 900}, {1920, 1080}} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(h.ts.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready))); err != nil {
				t.Fatal(err)
			}
			screenshotAt(t, ctx, size[0], size[1], p.name)
			if fits, w, _, vw, _ := pageFits(t, ctx); w > vw {
				t.Errorf("%s at %d px scrolls sideways: %d > %d (%v)", p.path, size[0], w, vw, fits)
			}
		}
		axeCheck(t, ctx, p.path)
	}
}

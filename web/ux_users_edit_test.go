package web_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/demo"
	"banhao/identity"
	"banhao/web"
)

// TestAdminEditsAccount: /admin/users leads to each account's edit form; the admin changes the
// name, role, department and center there, a bad answer comes back next to its field as typed,
// 停用 ends the person's sessions at once, and an admin cannot stop themselves. Clerks get 403,
// and so does a county's admin for an account of the city's center.
func TestAdminEditsAccount(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	admin := h.sessions[identity.Admin]
	post := func(sess identity.Session, username string, form url.Values) (int, string, string) {
		t.Helper()
		resp := h.do(t, "POST", "/admin/users/"+username, web.Page, &sess, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header.Get("Location")
	}
	list := h.seen(t, "/admin/users", admin)
	resp := h.do(t, "GET", "/admin/users", web.Page, &admin, nil, "")
	raw, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(raw), `href="/admin/users/clerk_pengli/edit"`) || !strings.Contains(list, "编辑") {
		t.Fatalf("/admin/users has no 编辑 link per account: %s", list)
	}
	page := h.seen(t, "/admin/users/clerk_pengli/edit", admin)
	for _, w := range []string{"编辑账号 韩雪", "clerk_pengli", "所属中心", "停用账号", "重置密码"} {
		if !strings.Contains(page, w) {
			t.Errorf("the edit page does not show %q: %s", w, page)
		}
	}

	// A clerk is refused, the page and the post; a post without the form's token is refused.
	clerk := h.sessions[identity.Clerk]
	if resp := h.do(t, "GET", "/admin/users/clerk_pengli/edit", web.Page, &clerk, nil, ""); resp.StatusCode != 403 {
		t.Errorf("a clerk opens the edit form: %d, want 403", resp.StatusCode)
	}
	good := url.Values{"csrf": {admin.CSRF}, "display_name": {"韩雪梅"}, "role": {"clerk"}, "department": {""}, "center": {demo.PengliCenter}}
	forClerk := url.Values{"csrf": {clerk.CSRF}, "display_name": {"冒名"}, "role": {"admin"}, "center": {demo.PengliCenter}}
	if st, _, _ := post(clerk, "clerk_pengli", forClerk); st != 403 {
		t.Errorf("a clerk posts the edit form: %d, want 403", st)
	}
	noToken := url.Values{"display_name": {"冒名"}, "role": {"admin"}, "center": {demo.PengliCenter}}
	if st, _, _ := post(admin, "clerk_pengli", noToken); st != 403 {
		t.Errorf("a post without the CSRF token: %d, want 403", st)
	}

	// Bad input: an approver needs a department, and a 沾化区 department does not fit 彭李.
	bad := url.Values{"csrf": {admin.CSRF}, "display_name": {"韩雪（改）"}, "role": {"approver"}, "department": {""}, "center": {demo.PengliCenter}, "password": {"short"}}
	st, body, _ := post(admin, "clerk_pengli", bad)
	if st != 400 || !strings.Contains(body, `id="department-error"`) || !strings.Contains(body, `id="password-error"`) || !strings.Contains(body, `value="韩雪（改）"`) ||
		strings.Contains(body, `value="short"`) {
		t.Errorf("bad input: %d, want 400 with 部门 and 重置密码 named, the name kept, the password not sent back: %s", st, visible(body))
	}
	bad.Set("department", "GAJ-371603")
	bad.Del("password")
	if st, body, _ := post(admin, "clerk_pengli", bad); st != 400 || !strings.Contains(visible(body), "部门") || !strings.Contains(body, `id="department-error"`) {
		t.Errorf("a 沾化区 department at 彭李: %d, want 400 next to 部门: %s", st, visible(body))
	}
	if u, _ := h.ids.User(ctx, "clerk_pengli"); u.DisplayName != "韩雪" || u.Role != identity.Clerk {
		t.Fatalf("refused edits changed the account: %+v", u)
	}

	// A good edit saves and goes back to the list with its message.
	st, body, loc := post(admin, "clerk_pengli", good)
	if st != 303 || loc != "/admin/users?done=saved" {
		t.Fatalf("good edit: %d → %q: %s", st, loc, visible(body))
	}
	if u, _ := h.ids.User(ctx, "clerk_pengli"); u.DisplayName != "韩雪梅" {
		t.Errorf("saved: %+v", u)
	}
	if l := h.seen(t, loc, admin); !strings.Contains(l, "账号已保存") || !strings.Contains(l, "韩雪梅") {
		t.Errorf("the list after saving: %s", l)
	}

	// 停用 ends the person's session at once; 启用 lets them sign in again.
	sess, err := h.ids.Login(ctx, "clerk_pengli", demo.DemoPassword, "127.0.0.1", identity.KindWeb)
	if err != nil {
		t.Fatal(err)
	}
	if resp := h.do(t, "GET", "/window", web.Page, &sess, nil, ""); resp.StatusCode != 200 {
		t.Fatalf("the clerk's session before: %d", resp.StatusCode)
	}
	stop := url.Values{"csrf": {admin.CSRF}, "display_name": {"韩雪梅"}, "role": {"clerk"}, "center": {demo.PengliCenter}, "disabled": {"1"}}
	if st, body, loc := post(admin, "clerk_pengli", stop); st != 303 || loc != "/admin/users?done=disabled" {
		t.Fatalf("停用: %d → %q: %s", st, loc, visible(body))
	}
	if resp := h.do(t, "GET", "/window", web.Page, &sess, nil, ""); resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("the stopped clerk's session: %d → %q, want sent to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := h.ids.Login(ctx, "clerk_pengli", demo.DemoPassword, "127.0.0.1", identity.KindWeb); err == nil {
		t.Errorf("a stopped account signs in")
	}
	if l := h.seen(t, "/admin/users", admin); !strings.Contains(l, "已停用") {
		t.Errorf("the list does not say the account is stopped: %s", l)
	}

	// An admin cannot stop themselves or drop their own admin role.
	me := url.Values{"csrf": {admin.CSRF}, "display_name": {admin.User.DisplayName}, "role": {"clerk"}, "center": {admin.User.Center}, "disabled": {"1"}}
	if st, body, _ := post(admin, "admin", me); st != 400 || !strings.Contains(visible(body), "不能停用自己的账号") || !strings.Contains(visible(body), "不能取消自己的中心管理员角色") {
		t.Errorf("an admin stopping themselves: %d: %s", st, visible(body))
	}

	// A county's admin edits the county's accounts, not the city's.
	if _, err := h.ids.AddUser(ctx, audit.System, identity.NewUser{Username: "admin_zhanhua_test", DisplayName: "沾化管理员", Password: "correct-horse-9",
		Role: identity.Admin, Center: "ZWFW-371603"}); err != nil {
		t.Fatal(err)
	}
	county, err := h.ids.Login(ctx, "admin_zhanhua_test", "correct-horse-9", "127.0.0.1", identity.KindWeb)
	if err != nil {
		t.Fatal(err)
	}
	if resp := h.do(t, "GET", "/admin/users/approver/edit", web.Page, &county, nil, ""); resp.StatusCode != 403 {
		t.Errorf("沾化's admin opens a city account: %d, want 403", resp.StatusCode)
	}
	city := url.Values{"csrf": {county.CSRF}, "display_name": {"李强"}, "role": {"admin"}, "department": {"XZSP"}, "center": {"ZWFW-371603"}}
	if st, _, _ := post(county, "approver", city); st != 403 {
		t.Errorf("沾化's admin edits a city account: %d, want 403", st)
	}
	if u, _ := h.ids.User(ctx, "approver"); u.Role != identity.Approver {
		t.Errorf("the city account changed: %+v", u)
	}
	if page := h.seen(t, "/admin/users/clerk_zhanhua/edit", county); !strings.Contains(page, "邢军") {
		t.Errorf("沾化's admin opens a 沾化 account: %s", page)
	}
	own := url.Values{"csrf": {county.CSRF}, "display_name": {"邢军"}, "role": {"clerk"}, "center": {demo.CenterCode}}
	if st, body, _ := post(county, "clerk_zhanhua", own); st != 400 || !strings.Contains(visible(body), "您只能管理沾化区") {
		t.Errorf("沾化's admin moves an account to the city: %d: %s", st, visible(body))
	}

	// The audit log names each change.
	if l := h.seen(t, "/admin/audit", admin); !strings.Contains(l, "修改工作人员账号") || !strings.Contains(l, "停用工作人员账号") || !strings.Contains(l, "姓名：韩雪 → 韩雪梅") {
		t.Errorf("the audit log does not name the edits: %s", l)
	}
}

// TestAPIPutUser: PUT /api/v1/users/{username} edits an account as the form does.
func TestAPIPutUser(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	put := func(body string) int {
		resp := h.do(t, "PUT", "/api/v1/users/clerk_zhanhua", web.API, &admin, strings.NewReader(body), "application/json")
		return resp.StatusCode
	}
	if st := put(`{"display_name":"邢军","role":"approver","center":"ZWFW-371603"}`); st != 400 {
		t.Errorf("an approver without a department: %d, want 400", st)
	}
	if st := put(`{"display_name":"邢军","role":"approver","department":"RSJ-371603","center":"ZWFW-371603"}`); st != 200 {
		t.Fatalf("good edit: %d", st)
	}
	if u, _ := h.ids.User(context.Background(), "clerk_zhanhua"); u.Role != identity.Approver || u.Department != "RSJ-371603" {
		t.Errorf("saved: %+v", u)
	}
}

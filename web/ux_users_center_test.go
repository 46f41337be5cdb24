package web_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/identity"
	"banhao/web"
)

// TestAdminUsersChooseCenter: /admin/users offers 所属中心, the centers by name; an account made
// there works at the center chosen, and a center that does not exist is refused next to the field.
func TestAdminUsersChooseCenter(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	post := func(center string) (int, string) {
		form := url.Values{"csrf": {admin.CSRF}, "username": {"clerk_pl_" + strings.ToLower(center[len(center)-2:])}, "display_name": {"彭李窗口"},
			"password": {"correct-horse-9"}, "role": {"clerk"}, "center": {center}}
		resp := h.do(t, "POST", "/admin/users", web.Page, &admin, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	page := h.seen(t, "/admin/users", admin)
	if !strings.Contains(page, "所属中心") || !strings.Contains(page, "彭李街道便民服务中心") {
		t.Fatalf("/admin/users offers no 所属中心 select: %q", page)
	}
	if status, body := post("NO-SUCH"); status != 400 || !strings.Contains(body, `id="center-error"`) {
		t.Errorf("an unknown center: %d, want 400 with the error next to 所属中心: %s", status, visible(body))
	}
	if status, body := post(demo.PengliCenter); status != 200 {
		t.Fatalf("create at 彭李: %d %s", status, visible(body))
	}
	users, err := h.ids.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, u := range users {
		if strings.HasPrefix(u.Username, "clerk_pl_") && u.Center == demo.PengliCenter {
			found = true
		}
	}
	if !found {
		t.Errorf("the new account does not work at 彭李: %+v", users)
	}
}

package identity_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/errs"
	"banhao/identity"
	"banhao/network"
	"banhao/store"
	"banhao/store/storetest"
)

const (
	cityRegion     = "371600000000"
	zhanhuaRegion  = "371603000000"
	binchengRegion = "371602000000"
	pengliRegion   = "371602005000"
)

var testCenters = []network.Center{
	{Code: "CITY", Name: "市政务服务中心", RegionCode: cityRegion, Level: network.City, Main: true},
	{Code: "ZH", Name: "沾化区政务服务中心", RegionCode: zhanhuaRegion, Level: network.County},
	{Code: "BC", Name: "滨城区政务服务中心", RegionCode: binchengRegion, Level: network.County},
	{Code: "PL", Name: "彭李街道便民服务中心", RegionCode: pengliRegion, Level: network.Township},
}

func TestDepartmentFits(t *testing.T) {
	for _, tc := range []struct {
		dept, center string
		want         bool
	}{
		{zhanhuaRegion, zhanhuaRegion, true},   // the county's 公安局 at the county's center
		{binchengRegion, pengliRegion, true},   // …or at a township center below it
		{cityRegion, zhanhuaRegion, true},      // a city department staffing a county hall
		{zhanhuaRegion, cityRegion, false},     // a county department at the city's center
		{zhanhuaRegion, binchengRegion, false}, // another county's
		{pengliRegion, binchengRegion, false},  // a township's department at the county's center
		{"", zhanhuaRegion, true},              // an installation without a network
		{zhanhuaRegion, "", true},
	} {
		if got := identity.DepartmentFits(tc.dept, tc.center); got != tc.want {
			t.Errorf("DepartmentFits(%s, %s) = %v, want %v", tc.dept, tc.center, got, tc.want)
		}
	}
}

func TestMayManage(t *testing.T) {
	county := audit.Actor{Username: "zh_admin", Role: "admin", Center: "ZH"}
	bincheng := audit.Actor{Username: "bc_admin", Role: "admin", Center: "BC"}
	city := audit.Actor{Username: "admin", Role: "admin", Center: "CITY"}
	for _, tc := range []struct {
		by     audit.Actor
		center string
		want   bool
	}{
		{city, "ZH", true}, {city, "CITY", true}, {audit.System, "BC", true},
		{county, "ZH", true}, {county, "BC", false}, {county, "CITY", false}, {county, "", false}, // "" is the main center
		{bincheng, "PL", true}, {county, "PL", false}, {county, "NOPE", false},
	} {
		if got := identity.MayManage(testCenters, tc.by, tc.center); got != tc.want {
			t.Errorf("MayManage(%s at %s, %q) = %v, want %v", tc.by.Username, tc.by.Center, tc.center, got, tc.want)
		}
	}
}

func TestCheckSelfEdit(t *testing.T) {
	me := identity.User{Username: "admin", Role: identity.Admin}
	by := audit.Actor{Username: "admin", Role: "admin"}
	if e, ok := errs.As(identity.CheckSelfEdit(by, me, identity.Clerk, false)); !ok || e.Fields[0].Field != "role" || !strings.Contains(e.Fields[0].Message, "不能取消自己") {
		t.Errorf("an admin dropping their own admin role: %v", e)
	}
	if e, ok := errs.As(identity.CheckSelfEdit(by, me, identity.Admin, true)); !ok || e.Fields[0].Field != "disabled" || !strings.Contains(e.Fields[0].Message, "不能停用自己") {
		t.Errorf("an admin stopping themselves: %v", e)
	}
	if err := identity.CheckSelfEdit(by, me, identity.Admin, false); err != nil {
		t.Errorf("an admin renaming themselves: %v", err)
	}
	other := identity.User{Username: "admin2", Role: identity.Admin}
	if err := identity.CheckSelfEdit(by, other, identity.Clerk, true); err != nil {
		t.Errorf("an admin changing another admin: %v", err)
	}
}

func TestChanges(t *testing.T) {
	names := identity.Names{Departments: map[string]string{"GAJ-ZH": "沾化区公安局"}, Centers: map[string]string{"ZH": "沾化区政务服务中心", "CITY": "市政务服务中心"}}
	before := identity.User{Username: "li", DisplayName: "李强", Role: identity.Clerk, Center: "CITY"}
	after := identity.User{Username: "li", DisplayName: "李强", Role: identity.Approver, Department: "GAJ-ZH", Center: "ZH", Disabled: true}
	got := strings.Join(identity.Changes(before, after, names), "；")
	want := "角色：综合窗口 → 后台审批；部门：（无） → 沾化区公安局；所属中心：市政务服务中心 → 沾化区政务服务中心"
	if got != want {
		t.Errorf("Changes = %q, want %q", got, want)
	}
	if c := identity.Changes(before, before, names); len(c) != 0 {
		t.Errorf("no change: %q", c)
	}
}

// setupNetwork adds the regions, centers and departments of testCenters.
func setupNetwork(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	for _, r := range [][3]string{{cityRegion, "滨州市", "市"}, {zhanhuaRegion, "沾化区", "县"}, {binchengRegion, "滨城区", "县"}, {pengliRegion, "彭李街道", "乡"}} {
		if _, err := db.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent_code, updated_at) VALUES (?, ?, ?, '', CURRENT_TIMESTAMP)`, r[0], r[1], r[2]); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range testCenters {
		main := 0
		if c.Main {
			main = 1
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO centers (code, name, region_code, level, is_main) VALUES (?, ?, ?, ?, ?)`, c.Code, c.Name, c.RegionCode, c.Level, main); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range [][3]string{{"GAJ-ZH", "沾化区公安局", zhanhuaRegion}, {"GAJ-BC", "滨城区公安局", binchengRegion}} {
		if _, err := db.ExecContext(ctx, `INSERT INTO departments (code, name, region_code, updated_at) VALUES (?, ?, ?, CURRENT_TIMESTAMP)`, d[0], d[1], d[2]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `UPDATE departments SET region_code = ? WHERE code = 'XZSP'`, cityRegion); err != nil {
		t.Fatal(err)
	}
}

func fieldOf(err error) string {
	if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

func TestUpdateUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := setup(t, db)
		setupNetwork(t, db)
		if _, err := svc.AddUser(ctx, audit.System, identity.NewUser{Username: "li.qiang", DisplayName: "李强", Password: "old-password", Role: identity.Approver,
			Department: "GAJ-ZH", Center: "ZH"}); err != nil {
			t.Fatal(err)
		}
		// Creation and editing check where an account works by the same rule.
		if _, err := svc.AddUser(ctx, audit.System, identity.NewUser{Username: "wrong", Password: "old-password", Role: identity.Approver,
			Department: "GAJ-ZH", Center: "BC"}); fieldOf(err) != "department" {
			t.Errorf("creating a 沾化 approver at 滨城: %v, want a refusal of 部门", err)
		}
		edit := identity.UserEdit{DisplayName: "李强", Role: identity.Approver, Department: "GAJ-ZH", Center: "ZH"}
		for _, tc := range []struct {
			change func(*identity.UserEdit)
			field  string
		}{
			{func(e *identity.UserEdit) { e.Center = "BC" }, "department"},
			{func(e *identity.UserEdit) { e.Center = "NOPE" }, "center"},
			{func(e *identity.UserEdit) { e.Department = "NOPE" }, "department"},
			{func(e *identity.UserEdit) { e.Department = "" }, "department"},
			{func(e *identity.UserEdit) { e.Role = "boss" }, "role"},
			{func(e *identity.UserEdit) { e.Password = "short" }, "password"},
			{func(e *identity.UserEdit) { e.DisplayName = strings.Repeat("名", 51) }, "display_name"},
		} {
			in := edit
			in.DisplayName = "改了名"
			tc.change(&in)
			if _, err := svc.UpdateUser(ctx, audit.System, "li.qiang", in); fieldOf(err) != tc.field {
				t.Errorf("UpdateUser(%+v) = %v, want a refusal of %s", in, err, tc.field)
			}
		}
		if u, err := svc.User(ctx, "li.qiang"); err != nil || u.DisplayName != "李强" || u.Center != "ZH" {
			t.Fatalf("after refused edits: %+v %v, want nothing changed", u, err)
		}
		if _, err := svc.UpdateUser(ctx, audit.System, "nobody", edit); !errs.Is(err, errs.CodeNotFound) {
			t.Errorf("an unknown account: %v, want not found", err)
		}
		in := edit
		in.DisplayName, in.Department, in.Center = "李 强", "GAJ-BC", "PL" // a 滨城 department staffing 彭李
		u, err := svc.UpdateUser(ctx, audit.System, "li.qiang", in)
		if err != nil || u.Center != "PL" || u.Department != "GAJ-BC" || u.DisplayName != "李 强" {
			t.Fatalf("move to 彭李: %+v %v", u, err)
		}
		if got, _ := svc.User(ctx, "li.qiang"); got != u {
			t.Errorf("stored %+v, want %+v", got, u)
		}
		var after string
		if err := db.QueryRowContext(ctx, `SELECT after FROM audit_log WHERE action = 'user.update' AND object_id = 'li.qiang'`).Scan(&after); err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"姓名：李强 → 李 强", "部门：沾化区公安局 → 滨城区公安局", "所属中心：沾化区政务服务中心 → 彭李街道便民服务中心"} {
			if !strings.Contains(after, w) {
				t.Errorf("the audit entry %s does not say %q", after, w)
			}
		}
	})
}

func TestUpdateUserStopsSessionsAndPasswords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := setup(t, db)
		setupNetwork(t, db)
		if _, err := svc.AddUser(ctx, audit.System, identity.NewUser{Username: "wang", DisplayName: "王敏", Password: "old-password", Role: identity.Clerk, Center: "ZH"}); err != nil {
			t.Fatal(err)
		}
		sess, err := svc.Login(ctx, "wang", "old-password", "198.51.100.1", identity.KindWeb)
		if err != nil {
			t.Fatal(err)
		}
		edit := identity.UserEdit{DisplayName: "王敏", Role: identity.Clerk, Center: "ZH", Disabled: true}
		if _, err := svc.UpdateUser(ctx, audit.System, "wang", edit); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, sess.Token); !errs.Is(err, errs.CodeUnauthorized) {
			t.Errorf("a stopped account's session: %v, want it ended", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'wang'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("sessions left of a stopped account: %d %v", n, err)
		}
		if _, err := svc.Login(ctx, "wang", "old-password", "198.51.100.1", identity.KindWeb); !errs.Is(err, errs.CodeUnauthorized) {
			t.Errorf("a stopped account signs in: %v", err)
		}
		edit.Disabled = false
		if _, err := svc.UpdateUser(ctx, audit.System, "wang", edit); err != nil {
			t.Fatal(err)
		}
		if sess, err = svc.Login(ctx, "wang", "old-password", "198.51.100.1", identity.KindWeb); err != nil {
			t.Fatalf("after 启用: %v", err)
		}
		// Another admin sets a new password: the old one stops working, the sessions end.
		edit.Password = "new-password-1"
		if _, err := svc.UpdateUser(ctx, audit.Actor{Username: "admin", Role: "admin"}, "wang", edit); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, sess.Token); !errs.Is(err, errs.CodeUnauthorized) {
			t.Errorf("a session after a password reset: %v, want it ended", err)
		}
		if _, err := svc.Login(ctx, "wang", "old-password", "198.51.100.2", identity.KindWeb); !errs.Is(err, errs.CodeUnauthorized) {
			t.Errorf("the old password after a reset: %v", err)
		}
		if _, err := svc.Login(ctx, "wang", "new-password-1", "198.51.100.2", identity.KindWeb); err != nil {
			t.Errorf("the new password: %v", err)
		}
		for _, action := range []string{"user.disable", "user.enable", "user.reset_password"} {
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND object_id = 'wang'`, action).Scan(&n); err != nil || n != 1 {
				t.Errorf("audit entries %s: %d %v, want 1", action, n, err)
			}
		}
		var hash string
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_id = 'wang' AND (after LIKE '%new-password%' OR after LIKE '%$2a$%')`).Scan(&n); err != nil || n != 0 {
			t.Errorf("the password or its hash in the audit log: %d %v %s", n, err, hash)
		}
	})
}

func TestUpdateUserSelfAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := setup(t, db)
		setupNetwork(t, db)
		for _, nu := range []identity.NewUser{
			{Username: "zh_admin", Password: "old-password", Role: identity.Admin, Center: "ZH"},
			{Username: "zh_clerk", Password: "old-password", Role: identity.Clerk, Center: "ZH"},
			{Username: "bc_clerk", Password: "old-password", Role: identity.Clerk, Center: "BC"},
			{Username: "city_clerk", Password: "old-password", Role: identity.Clerk},
		} {
			if _, err := svc.AddUser(ctx, audit.System, nu); err != nil {
				t.Fatal(err)
			}
		}
		county, err := svc.User(ctx, "zh_admin")
		if err != nil {
			t.Fatal(err)
		}
		by := county.Actor()
		self := identity.UserEdit{DisplayName: "沾化管理员", Role: identity.Clerk, Center: "ZH"}
		if _, err := svc.UpdateUser(ctx, by, "zh_admin", self); fieldOf(err) != "role" {
			t.Errorf("dropping one's own admin role: %v", err)
		}
		self.Role, self.Disabled = identity.Admin, true
		if _, err := svc.UpdateUser(ctx, by, "zh_admin", self); fieldOf(err) != "disabled" {
			t.Errorf("stopping oneself: %v", err)
		}
		self.Disabled = false
		if _, err := svc.UpdateUser(ctx, by, "zh_admin", self); err != nil {
			t.Errorf("renaming oneself: %v", err)
		}
		clerk := identity.UserEdit{DisplayName: "窗口", Role: identity.Clerk, Center: "ZH"}
		for _, name := range []string{"bc_clerk", "city_clerk"} {
			if _, err := svc.UpdateUser(ctx, by, name, clerk); !errs.Is(err, errs.CodeForbidden) || !strings.Contains(err.Error(), "沾化区") {
				t.Errorf("沾化's admin editing %s: %v, want 403 naming 沾化区", name, err)
			}
			if err := svc.MayEdit(ctx, by, identity.User{Username: name, Center: map[string]string{"bc_clerk": "BC", "city_clerk": "CITY"}[name]}); !errs.Is(err, errs.CodeForbidden) {
				t.Errorf("MayEdit %s: %v", name, err)
			}
		}
		clerk.Center = "CITY"
		if _, err := svc.UpdateUser(ctx, by, "zh_clerk", clerk); fieldOf(err) != "center" {
			t.Errorf("沾化's admin moving an account to the city: %v, want a refusal of 所属中心", err)
		}
		if _, err := svc.AddUser(ctx, by, identity.NewUser{Username: "zh_new", Password: "old-password", Role: identity.Admin}); fieldOf(err) != "center" {
			t.Errorf("沾化's admin creating a city admin: %v, want a refusal of 所属中心", err)
		}
		clerk.Center = "ZH"
		if _, err := svc.UpdateUser(ctx, by, "zh_clerk", clerk); err != nil {
			t.Errorf("沾化's admin editing a 沾化 account: %v", err)
		}
	})
}

// TestRegionName: a refusal names a region by its name, by its code when the tree lacks it; a
// failed read is an error, not a code in a message.
func TestRegionName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setupNetwork(t, db)
		gone, cancel := context.WithCancel(ctx)
		cancel()
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if name, err := identity.RegionName(ctx, tx, zhanhuaRegion); err != nil || name != "沾化区" {
				t.Errorf("沾化区: %q %v", name, err)
			}
			if name, err := identity.RegionName(ctx, tx, "371699000000"); err != nil || name != "371699000000" {
				t.Errorf("a region not in the tree: %q %v", name, err)
			}
			if _, err := identity.RegionName(gone, tx, zhanhuaRegion); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), zhanhuaRegion) {
				t.Errorf("a failed read: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

package cases_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/errs"
	"banhao/network"
	"banhao/store"
)

// TestGrantReach: a department authorises the clerks of the centers of its region and below —
// the city's any clerk in the city, 滨城区's a 彭李街道 clerk, 沾化区's not a 滨城区 one (the
// message names the rule and where the clerk works); an installation without regions reaches all.
func TestGrantReach(t *testing.T) {
	t.Parallel()
	cityGJJ := catalog.Department{Code: "GJJ", Name: "住房公积金管理中心", RegionCode: "371600000000"}
	binGAJ := catalog.Department{Code: "GAJ-371602", Name: "滨城区公安局", RegionCode: "371602000000"}
	zhanGAJ := catalog.Department{Code: "GAJ-371603", Name: "沾化区公安局", RegionCode: "371603000000"}
	cityCenter := network.Center{Code: "BZ", Name: "市政务服务中心", RegionCode: "371600000000"}
	pengli := network.Center{Code: "PL", Name: "彭李街道便民服务中心", RegionCode: "371602005000"}
	zhanCenter := network.Center{Code: "ZH", Name: "沾化区政务服务中心", RegionCode: "371603000000"}
	for _, tc := range []struct {
		dept catalog.Department
		at   network.Center
		ok   bool
	}{
		{cityGJJ, cityCenter, true}, {cityGJJ, pengli, true}, {cityGJJ, zhanCenter, true},
		{binGAJ, pengli, true}, {binGAJ, zhanCenter, false}, {binGAJ, cityCenter, false},
		{zhanGAJ, zhanCenter, true}, {zhanGAJ, pengli, false},
		{catalog.Department{Code: "X", Name: "某局"}, pengli, true},
		{zhanGAJ, network.Center{Code: "ONE", Name: "中心"}, true},
	} {
		err := cases.GrantReach(tc.dept, "", "韩雪", tc.at)
		if (err == nil) != tc.ok {
			t.Errorf("%s authorises a clerk of %s: %v, want allowed %v", tc.dept.Name, tc.at.Name, err, tc.ok)
		}
		if err != nil && (!errs.Is(err, errs.CodeForbidden) || !strings.Contains(err.Error(), "及其下辖区划各中心的窗口人员") || !strings.Contains(err.Error(), "韩雪是"+tc.at.Name)) {
			t.Errorf("the refusal does not name the rule and the clerk's center: %v", err)
		}
	}
}

// TestGrantItemRule: a department authorises one by one the items it decides: its own; a city
// standard item exercised by the counties (行使层级 县) of its kind, in its county; not the city's
// item decided by the city, not another kind's, not a county without that kind (the city decides).
func TestGrantItemRule(t *testing.T) {
	t.Parallel()
	depts := []network.Dept{
		{Code: "GJJ", Name: "住房公积金管理中心", Region: "371600000000", Kind: "GJJ"},
		{Code: "GAJ", Name: "市公安局", Region: "371600000000", Kind: "GAJ"},
		{Code: "GJJ-371603", Name: "沾化区管理部", Region: "371603000000", Kind: "GJJ"},
		{Code: "GAJ-371603", Name: "沾化区公安局", Region: "371603000000", Kind: "GAJ"},
		{Code: "GAJ-371621", Name: "惠民县公安局", Region: "371621000000", Kind: "GAJ"},
	}
	by := func(code string) network.Dept {
		for _, d := range depts {
			if d.Code == code {
				return d
			}
		}
		t.Fatalf("no %s", code)
		return network.Dept{}
	}
	standard := catalog.Item{Code: "C-1", Name: "住房公积金提取", Department: catalog.Ref{Code: "GJJ"}, RegionCode: "371600000000", Level: network.County, Tongban: network.TongbanCity}
	cityOnly := standard
	cityOnly.Code, cityOnly.Name, cityOnly.Level = "C-2", "住房公积金贷款", network.City
	county := catalog.Item{Code: "C-3", Name: "沾化区某事项", Department: catalog.Ref{Code: "GAJ-371603"}, RegionCode: "371603000000"}
	for _, tc := range []struct {
		it   catalog.Item
		dept string
		ok   bool
	}{
		{standard, "GJJ", true},
		{standard, "GJJ-371603", true},
		{standard, "GAJ-371603", false},
		{cityOnly, "GJJ-371603", false},
		{cityOnly, "GJJ", true},
		{county, "GAJ-371603", true},
		{county, "GAJ-371621", false},
	} {
		err := cases.GrantItemRule(tc.it, by(tc.dept), depts)
		if (err == nil) != tc.ok {
			t.Errorf("%s authorises “%s”: %v, want allowed %v", tc.dept, tc.it.Name, err, tc.ok)
		}
		if err != nil && (!errs.Is(err, errs.CodeInvalid) || !strings.Contains(err.Error(), "不属于"+by(tc.dept).Name+"审批的事项")) {
			t.Errorf("the refusal does not name the rule: %v", err)
		}
	}
}

// TestCountyDepartmentGrants: 沾化区's 公积金管理部 authorises a 沾化区 clerk for the city's
// standard 住房公积金提取 it decides (the form offers it, and the 沾化区 clerks only, each with
// their center); a 彭李街道 clerk is refused, naming the rule, nothing written; the city's
// 公积金中心 reaches the 彭李街道 clerk.
func TestCountyDepartmentGrants(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, svc := networkedEnv(t, db)
		e.addCountyGJJ(t)
		e.addAccounts(t, account{name: "clerk", display: "王敏", role: "clerk"}, account{name: "clerk_zhanhua", display: "邢军", role: "clerk", center: "ZWFW-371603"},
			account{name: "clerk_pengli", display: "韩雪", role: "clerk", center: demo.PengliCenter})
		code, _ := e.republish(t, "住房公积金提取（购买住房）", countyImmediate)
		zhGJJ := audit.Actor{Username: "approver_gjj_zhanhua", Role: "approver", Department: "GJJ-371603", Center: "ZWFW-371603"}
		ch, err := svc.GrantChoices(ctx, zhGJJ)
		if err != nil {
			t.Fatal(err)
		}
		var clerks, items []string
		for _, c := range ch.Clerks {
			clerks = append(clerks, c.Label())
		}
		for _, it := range ch.Items {
			items = append(items, it.Code)
		}
		if strings.Join(clerks, ",") != "邢军（沾化区政务服务中心）" {
			t.Errorf("沾化区's department is offered the clerks %v, want 邢军（沾化区政务服务中心）only", clerks)
		}
		if !slices.Contains(items, code) {
			t.Errorf("沾化区's department is offered the items %v, not 住房公积金提取 it decides", items)
		}
		for _, it := range ch.Items {
			if it.Department.Code != "GJJ" || it.Level != network.County || it.HandlingMode != catalog.ModeImmediate {
				t.Errorf("沾化区's 公积金管理部 is offered “%s” of %s (行使层级 %s, %s), which it does not decide at the window", it.Name, it.Department.Code, it.Level, it.HandlingMode)
			}
		}
		if ch.Labels["clerk_pengli"] != "韩雪（彭李街道便民服务中心）" {
			t.Errorf("the list names the 彭李街道 clerk %q", ch.Labels["clerk_pengli"])
		}

		today := calendar.DateOf(e.clk.now(), shanghai)
		in := cases.GrantInput{Username: "clerk_zhanhua", Department: "GJJ-371603", Item: code, Kind: cases.GrantWindow, StartsOn: today, EndsOn: today.AddDays(30)}
		if g, err := svc.GrantWindow(ctx, zhGJJ, in); err != nil || g.Item != code {
			t.Fatalf("沾化区 authorises its clerk for the standard item it decides: %+v %v", g, err)
		}
		in.Username = "clerk_pengli"
		_, err = svc.GrantWindow(ctx, zhGJJ, in)
		if fe, ok := errs.As(err); !ok || len(fe.Fields) != 1 || fe.Fields[0].Field != "username" ||
			!strings.Contains(fe.Fields[0].Message, "沾化区管理部只能授权沾化区及其下辖区划各中心的窗口人员，韩雪是彭李街道便民服务中心的窗口人员") {
			t.Errorf("沾化区 authorises a 彭李街道 clerk: %v", err)
		}
		var n int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM window_grants WHERE username = 'clerk_pengli'`).Scan(&n)
		if n != 0 {
			t.Errorf("%d authorisations written for the refused clerk", n)
		}
		in.Department = "GJJ"
		if _, err := svc.GrantWindow(ctx, gjjApprover, in); err != nil {
			t.Errorf("the city's 公积金中心 authorises a 彭李街道 clerk: %v", err)
		}
	})
}

// TestCountyAdminGrants: 沾化区's admin authorises, as 沾化区's departments do, only the clerks of
// 沾化区's centers and only for departments of 沾化区 — a 彭李街道 clerk and the city's 公积金中心
// are refused naming the rule, nothing written; the form offers it 沾化区's clerks and
// departments only; the city's admin reaches every one.
func TestCountyAdminGrants(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		svc := e.networked(t)
		if _, err := e.cat.PutDepartment(ctx, audit.System, catalog.Department{Code: "GJJ-371603", Name: "沾化区管理部", RegionCode: zhanhua, Kind: "GJJ"}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []struct{ name, display, center string }{{"clerk_zhanhua", "邢军", "ZWFW-371603"}, {"clerk_pengli", "韩雪", demo.PengliCenter}} {
			if _, err := db.ExecContext(ctx, `INSERT INTO users (username, display_name, password_hash, role, department_code, center_code, created_at) VALUES (?, ?, 'x', 'clerk', NULL, ?, ?)`,
				u.name, u.display, u.center, e.clk.now()); err != nil {
				t.Fatal(err)
			}
		}
		adminZH := audit.Actor{Username: "admin_zhanhua", Role: "admin", Center: "ZWFW-371603"}
		cityAdmin := audit.Actor{Username: "admin", Role: "admin"}
		today := calendar.DateOf(e.clk.now(), shanghai)
		in := cases.GrantInput{Username: "clerk_pengli", Department: "GJJ-371603", Kind: cases.GrantWindow, StartsOn: today, EndsOn: today.AddDays(30)}
		_, err := svc.GrantWindow(ctx, adminZH, in)
		if fe, ok := errs.As(err); !ok || len(fe.Fields) != 1 || fe.Fields[0].Field != "username" ||
			!strings.Contains(fe.Fields[0].Message, "沾化区的管理员只能授权沾化区及其下辖区划各中心的窗口人员，韩雪是彭李街道便民服务中心的窗口人员") {
			t.Errorf("沾化区's admin authorises a 彭李街道 clerk: %v", err)
		}
		in.Username, in.Department = "clerk_zhanhua", "GJJ"
		_, err = svc.GrantWindow(ctx, adminZH, in)
		if fe, ok := errs.As(err); !ok || len(fe.Fields) != 1 || fe.Fields[0].Field != "department" ||
			!strings.Contains(fe.Fields[0].Message, "沾化区的管理员只能为沾化区及其下辖区划的部门授权") {
			t.Errorf("沾化区's admin authorises for the city's 公积金中心: %v", err)
		}
		// out of scope is forbidden, and said with every other error at once: the 彭李街道 clerk with
		// no department chosen yet, the city's department with the 彭李街道 clerk
		noDept := cases.GrantInput{Username: "clerk_pengli", Kind: cases.GrantWindow, StartsOn: today}
		_, err = svc.GrantWindow(ctx, adminZH, noDept)
		if fe, ok := errs.As(err); !ok || fe.Code != errs.CodeForbidden || !hasFields(fe, "username", "department", "ends_on") {
			t.Errorf("沾化区's admin, a 彭李街道 clerk and no department: %v", err)
		}
		both := cases.GrantInput{Username: "clerk_pengli", Department: "GJJ", Kind: cases.GrantWindow, StartsOn: today, EndsOn: today.AddDays(30)}
		_, err = svc.GrantWindow(ctx, adminZH, both)
		if fe, ok := errs.As(err); !ok || fe.Code != errs.CodeForbidden || !hasFields(fe, "username", "department") || len(fe.Fields) != 2 {
			t.Errorf("沾化区's admin, a 彭李街道 clerk for the city's 公积金中心: %v", err)
		}
		var n int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM window_grants`).Scan(&n)
		if n != 0 {
			t.Errorf("%d authorisations written for refused grants", n)
		}
		in.Department = "GJJ-371603"
		g, err := svc.GrantWindow(ctx, adminZH, in)
		if err != nil {
			t.Fatalf("沾化区's admin authorises a 沾化区 clerk for 沾化区's department: %v", err)
		}
		ch, err := svc.GrantChoices(ctx, adminZH)
		if err != nil {
			t.Fatal(err)
		}
		var clerks []string
		for _, c := range ch.Clerks {
			clerks = append(clerks, c.Label())
		}
		if strings.Join(clerks, ",") != "邢军（沾化区政务服务中心）" {
			t.Errorf("沾化区's admin is offered the clerks %v, want 邢军（沾化区政务服务中心）only", clerks)
		}
		for _, d := range ch.Departments {
			if !network.Within(d.RegionCode, zhanhua) {
				t.Errorf("沾化区's admin is offered %s of %s", d.Name, d.RegionCode)
			}
		}
		in.Username, in.Department = "clerk_pengli", "GJJ"
		if _, err := svc.GrantWindow(ctx, cityAdmin, in); err != nil {
			t.Errorf("the city's admin authorises a 彭李街道 clerk for the city's 公积金中心: %v", err)
		}
		if ch, err := svc.GrantChoices(ctx, cityAdmin); err != nil || len(ch.Clerks) != 2 {
			t.Errorf("the city's admin is offered %d clerks: %v", len(ch.Clerks), err)
		}
		if _, err := svc.RevokeWindowGrant(ctx, adminZH, g.ID); err != nil {
			t.Errorf("沾化区's admin revokes its own region's grant: %v", err)
		}
	})
}

// TestAdminGrantReach: the admin's rule alone — its region's clerks and departments; the city's
// admin (region "") every one.
func TestAdminGrantReach(t *testing.T) {
	t.Parallel()
	zhanGAJ := catalog.Department{Code: "GAJ-371603", Name: "沾化区公安局", RegionCode: "371603000000"}
	cityGAJ := catalog.Department{Code: "GAJ", Name: "市公安局", RegionCode: "371600000000"}
	pengli := network.Center{Code: "PL", Name: "彭李街道便民服务中心", RegionCode: "371602005000"}
	zhanCenter := network.Center{Code: "ZH", Name: "沾化区政务服务中心", RegionCode: "371603000000"}
	for _, tc := range []struct {
		region string
		dept   catalog.Department
		at     network.Center
		ok     bool
	}{
		{"371603000000", zhanGAJ, zhanCenter, true}, {"371603000000", zhanGAJ, pengli, false}, {"371603000000", cityGAJ, zhanCenter, false},
		{"", cityGAJ, pengli, true}, {"", zhanGAJ, pengli, true},
	} {
		if err := cases.AdminGrantReach(tc.region, "沾化区", tc.dept, "韩雪", tc.at); (err == nil) != tc.ok {
			t.Errorf("admin of %q: %s for a clerk of %s: %v, want allowed %v", tc.region, tc.dept.Name, tc.at.Name, err, tc.ok)
		}
	}
}

// hasFields says whether e names each of the fields.
func hasFields(e *errs.Error, fields ...string) bool {
	for _, f := range fields {
		if !slices.ContainsFunc(e.Fields, func(x errs.FieldError) bool { return x.Field == f }) {
			return false
		}
	}
	return true
}

// TestRevokeRule: who may revoke an authorisation — the rule the page's 撤销 and the revocation
// itself share: the department's approver; an admin of 沾化区 only 沾化区's departments'; the
// city's admin any; a clerk none.
func TestRevokeRule(t *testing.T) {
	admin := audit.Actor{Username: "admin_zhanhua", Role: "admin"}
	for _, tc := range []struct {
		name                            string
		by                              audit.Actor
		dept, deptRegion, region, rName string
		ok                              bool
	}{
		{"the department's approver", audit.Actor{Role: "approver", Department: "GJJ-371603"}, "GJJ-371603", "371603000000", "", "", true},
		{"another department's approver", audit.Actor{Role: "approver", Department: "GAJ-371603"}, "GJJ-371603", "371603000000", "", "", false},
		{"沾化区's admin, 沾化区's department", admin, "GJJ-371603", "371603000000", "371603000000", "沾化区", true},
		{"沾化区's admin, the city's department", admin, "GJJ", "371600000000", "371603000000", "沾化区", false},
		{"the city's admin", audit.Actor{Role: "admin"}, "GJJ", "371600000000", "", "", true},
		{"a clerk", audit.Actor{Role: "clerk"}, "GJJ", "371600000000", "", "", false},
	} {
		err := cases.RevokeRule(tc.by, tc.dept, tc.deptRegion, tc.region, tc.rName)
		if (err == nil) != tc.ok || err != nil && !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("%s: %v, want allowed %v (or 403)", tc.name, err, tc.ok)
		}
	}
}

package cases_test

import (
	"context"
	"testing"

	"banhao/audit"
	"banhao/calendar/calstore"
	"banhao/cases"
	"banhao/catalog"
	"banhao/store"
	"banhao/wiring"
)

// The set-ups the routing, hand-off and authorisation tests share.

// networkedEnv is a test's env on the demo network (滨州市, its counties, two township centers)
// and its case service there.
func networkedEnv(t *testing.T, db *store.DB) (*env, *cases.Service) {
	t.Helper()
	e := newEnv(t, db)
	return e, e.networked(t)
}

// account is a staff account a test writes straight into users: the display name is the
// username unless given; no department or center when empty.
type account struct{ name, display, role, dept, center string }

// addAccounts writes the accounts into users.
func (e *env) addAccounts(t *testing.T, accounts ...account) {
	t.Helper()
	for _, a := range accounts {
		var dept any
		if a.dept != "" {
			dept = a.dept
		}
		display := a.display
		if display == "" {
			display = a.name
		}
		if _, err := e.db.ExecContext(context.Background(), `INSERT INTO users (username, display_name, password_hash, role, department_code, center_code, created_at) VALUES (?, ?, 'x', ?, ?, ?, ?)`,
			a.name, display, a.role, dept, a.center, e.clk.now()); err != nil {
			t.Fatal(err)
		}
	}
}

// addCountyGJJ adds 沾化区's 公积金管理部 (GJJ-371603), of the city's 公积金中心's kind.
func (e *env) addCountyGJJ(t *testing.T) {
	t.Helper()
	if _, err := e.cat.PutDepartment(context.Background(), audit.System, catalog.Department{Code: "GJJ-371603", Name: "沾化区管理部", RegionCode: zhanhua, Kind: "GJJ"}); err != nil {
		t.Fatal(err)
	}
}

// republish publishes a new version of the item named name changed by change, and returns its
// code and that version.
func (e *env) republish(t *testing.T, name string, change func(*catalog.Item)) (string, catalog.Item) {
	t.Helper()
	ctx := context.Background()
	code := e.itemCode(t, name)
	it, err := e.cat.LatestItem(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	change(&it)
	if _, err := e.cat.PutItem(ctx, audit.System, it, catalog.StatusPublished); err != nil {
		t.Fatal(err)
	}
	return code, it
}

// countyImmediate makes an item 即办, 全市通办 and exercised by the counties (行使层级 县): the city's
// 住房公积金提取 as 沾化区's 公积金管理部 decides it for 沾化区.
func countyImmediate(it *catalog.Item) {
	it.HandlingMode, it.Tongban, it.Level = catalog.ModeImmediate, "city", "县"
}

// countItemCases counts the cases of an item.
func countItemCases(t *testing.T, db *store.DB, item string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM cases WHERE item_code = ?`, item).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// dueBy fails the test unless c is due limit's working days after its acceptance (whose limit
// it is, in words).
func (e *env) dueBy(t *testing.T, c cases.Case, limit catalog.Limit, whose string) {
	t.Helper()
	cal, err := wiring.Must(calstore.New(e.db, e.log, e.clk.now)).Calendar(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := cases.Due(cal, *c.AcceptedOn, limit, 0, 0)
	if c.Due == nil || *c.Due != want {
		t.Fatalf("due %v, want %s %v", c.Due, whose, want)
	}
}

// routeOf is the route's entry on c's timeline (受理地 → 审批地 → 出件地), "" when none.
func routeOf(c cases.Case) string {
	route := ""
	for _, ev := range c.Timeline {
		if ev.Action == "route" {
			route = ev.Text
		}
	}
	return route
}

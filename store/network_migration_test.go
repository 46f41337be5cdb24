package store_test

import (
	"context"
	"testing"

	"banhao/store"
	"banhao/store/storetest"
)

// TestNetworkMigrationFillsExistingRows: a one-center installation's rows, written before
// 00025, come out of it as the main center's: accounts and cases at the main center (the
// city's, though a township center's code sorts first), cases decided in their item's region
// (the main center's when the case has none), departments in the main center's region with
// their code as their kind, and items marked "citywide" as 全市通办.
func TestNetworkMigrationFillsExistingRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec, up, now := backTo(t, db, 24)
		exec(`INSERT INTO centers (code, name, region_code, level) VALUES ('A-TOWN', '某街道便民服务中心', '371602001000', '乡'), ('BZ', '滨州市政务服务中心', '371600000000', '市')`)
		exec(`INSERT INTO departments (code, name, updated_at) VALUES ('GAJ', '市公安局', ?), ('RSJ', '市人社局', ?)`, now, now)
		for _, it := range []struct{ code, doc string }{{"I-CITY", `{"code":"I-CITY","citywide":true}`}, {"I-HERE", `{"code":"I-HERE","citywide":false}`}} {
			exec(`INSERT INTO items (code, name, type, department_code, status, latest_version, published_version, updated_at) VALUES (?, 'x', '公共服务', 'GAJ', 'published', 1, 1, ?)`, it.code, now)
			exec(`INSERT INTO item_versions (code, version, status, doc, created_at, created_by) VALUES (?, 1, 'published', ?, ?, 't')`, it.code, it.doc, now)
		}
		for _, c := range []struct{ number, region string }{{"C-1", "371602000000"}, {"C-2", ""}} {
			exec(`INSERT INTO cases (number, item_code, item_version, item_name, department_code, region_code, status, channel, applicant_type, applicant_name,
				applicant_id_enc, applicant_id_idx, applicant_phone_enc, applicant_phone_idx, limit_value, limit_unit, created_by, submitted_at, updated_at)
				VALUES (?, 'I-CITY', 1, 'x', 'GAJ', ?, 'submitted', 'window', 'person', 'x', 'x', 'x', 'x', 'x', 5, 'working_day', 't', ?, ?)`, c.number, c.region, now, now)
		}
		exec(`INSERT INTO users (username, password_hash, role, created_at) VALUES ('clerk1', 'x', 'clerk', ?)`, now)

		up(25)
		one := func(q string, args ...any) string {
			t.Helper()
			var s string
			if err := db.QueryRowContext(ctx, q, args...).Scan(&s); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return s
		}
		if got := one(`SELECT center_code FROM users WHERE username = 'clerk1'`); got != "BZ" {
			t.Errorf("account's center = %q, want the city's BZ", got)
		}
		for number, want := range map[string][3]string{"C-1": {"BZ", "371602000000", "BZ"}, "C-2": {"BZ", "371600000000", "BZ"}} {
			got := [3]string{one(`SELECT accepted_center FROM cases WHERE number = ?`, number), one(`SELECT deciding_region FROM cases WHERE number = ?`, number),
				one(`SELECT delivery_center FROM cases WHERE number = ?`, number)}
			if got != want {
				t.Errorf("case %s: accepted, deciding, delivery = %v, want %v", number, got, want)
			}
		}
		if got := one(`SELECT region_code || '/' || kind FROM departments WHERE code = 'RSJ'`); got != "371600000000/RSJ" {
			t.Errorf("department RSJ: %s", got)
		}
		if got := one(`SELECT tongban FROM items WHERE code = 'I-CITY'`) + "|" + one(`SELECT tongban FROM items WHERE code = 'I-HERE'`); got != "city|" {
			t.Errorf("tongban of I-CITY|I-HERE = %q, want city|", got)
		}
	})
}

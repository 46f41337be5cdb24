package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"banhao/store"
	"banhao/store/storetest"
)

// TestImmediateMigrationFillsAcceptedCases: 00037 notes the cases of 即办 items accepted before
// it (by the handling mode of the item version each case was made under), none other.
func TestImmediateMigrationFillsAcceptedCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec, up, now := backTo(t, db, 36)
		addItemNow(exec, now, 2)
		for v, mode := range map[int]string{1: "approval", 2: "immediate"} {
			exec(`INSERT INTO item_versions (code, version, status, doc, created_at, created_by) VALUES ('I-NOW', ?, 'published', ?, ?, 't')`, v, `{"code":"I-NOW","handling_mode":"`+mode+`"}`, now)
		}
		for _, c := range []struct {
			number   string
			version  int
			accepted any
		}{{"C-NOW", 2, "2026-11-26"}, {"C-OLD", 1, "2026-11-26"}, {"C-WAIT", 2, nil}} {
			addCaseNow(exec, now, c.number, c.version, c.accepted)
		}
		up(37)
		var n int
		var number, day string
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), MIN(case_number), MIN(accepted_on) FROM immediate_cases`).Scan(&n, &number, &day); err != nil {
			t.Fatal(err)
		}
		if n != 1 || number != "C-NOW" || day != "2026-11-26" {
			t.Errorf("immediate_cases: %d rows, %s accepted %s; want C-NOW only", n, number, day)
		}
	})
}

// TestImmediateCasesWithoutRowidKeepsRows: 00043 keeps every row of immediate_cases (on SQLite
// the table becomes WITHOUT ROWID; on PostgreSQL nothing changes), and the key still refuses a
// case twice.
func TestImmediateCasesWithoutRowidKeepsRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec, up, now := backTo(t, db, 42)
		addItemNow(exec, now, 1)
		addCaseNow(exec, now, "C-NOW", 1, "2026-11-26")
		exec(`INSERT INTO immediate_cases (case_number, department_code, item_code, accepted_on) VALUES ('C-NOW', 'GJJ', 'I-NOW', '2026-11-26')`)
		up(43)
		var n int
		var number, dept, item, day string
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), MIN(case_number), MIN(department_code), MIN(item_code), MIN(accepted_on) FROM immediate_cases WHERE accepted_on >= '2026-11-26'`).Scan(&n, &number, &dept, &item, &day); err != nil {
			t.Fatal(err)
		}
		if n != 1 || number != "C-NOW" || dept != "GJJ" || item != "I-NOW" || day != "2026-11-26" {
			t.Errorf("immediate_cases after 00043: %d rows, %s %s %s %s; want C-NOW GJJ I-NOW 2026-11-26", n, number, dept, item, day)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO immediate_cases (case_number, department_code, item_code, accepted_on) VALUES ('C-NOW', 'GJJ', 'I-NOW', '2026-11-27')`); err == nil {
			t.Error("a case noted twice")
		}
		if db.Dialect == store.SQLite {
			var ddl string
			if err := db.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'immediate_cases'`).Scan(&ddl); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(ddl, "WITHOUT ROWID") {
				t.Errorf("immediate_cases on SQLite: %s; want WITHOUT ROWID", ddl)
			}
		}
	})
}

// addItemNow adds the department GJJ and its item I-NOW at version latest (published).
func addItemNow(exec func(string, ...any), now time.Time, latest int) {
	exec(`INSERT INTO departments (code, name, updated_at) VALUES ('GJJ', '市公积金中心', ?)`, now)
	exec(`INSERT INTO items (code, name, type, department_code, status, latest_version, published_version, updated_at) VALUES ('I-NOW', 'x', '公共服务', 'GJJ', 'published', ?, ?, ?)`, latest, latest, now)
}

// addCaseNow adds a case of I-NOW made under version, accepted on the day accepted (nil: not yet).
func addCaseNow(exec func(string, ...any), now time.Time, number string, version int, accepted any) {
	exec(`INSERT INTO cases (number, item_code, item_version, item_name, department_code, region_code, status, channel, applicant_type, applicant_name,
		applicant_id_enc, applicant_id_idx, applicant_phone_enc, applicant_phone_idx, limit_value, limit_unit, created_by, submitted_at, updated_at, accepted_on)
		VALUES (?, 'I-NOW', ?, 'x', 'GJJ', '', 'accepted', 'window', 'person', 'x', 'x', 'x', 'x', 'x', 0, 'immediate', 't', ?, ?, ?)`, number, version, now, now, accepted)
}

package store_test

import (
	"context"
	"testing"

	"banhao/store"
	"banhao/store/storetest"
)

// TestImmediateMigrationFillsAcceptedCases: 00037 notes the cases of 即办 items accepted before
// it (by the handling mode of the item version each case was made under), none other.
func TestImmediateMigrationFillsAcceptedCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec, up, now := backTo(t, db, 36)
		exec(`INSERT INTO departments (code, name, updated_at) VALUES ('GJJ', '市公积金中心', ?)`, now)
		exec(`INSERT INTO items (code, name, type, department_code, status, latest_version, published_version, updated_at) VALUES ('I-NOW', 'x', '公共服务', 'GJJ', 'published', 2, 2, ?)`, now)
		for v, mode := range map[int]string{1: "approval", 2: "immediate"} {
			exec(`INSERT INTO item_versions (code, version, status, doc, created_at, created_by) VALUES ('I-NOW', ?, 'published', ?, ?, 't')`, v, `{"code":"I-NOW","handling_mode":"`+mode+`"}`, now)
		}
		for _, c := range []struct {
			number   string
			version  int
			accepted any
		}{{"C-NOW", 2, "2026-11-26"}, {"C-OLD", 1, "2026-11-26"}, {"C-WAIT", 2, nil}} {
			exec(`INSERT INTO cases (number, item_code, item_version, item_name, department_code, region_code, status, channel, applicant_type, applicant_name,
				applicant_id_enc, applicant_id_idx, applicant_phone_enc, applicant_phone_idx, limit_value, limit_unit, created_by, submitted_at, updated_at, accepted_on)
				VALUES (?, 'I-NOW', ?, 'x', 'GJJ', '', 'accepted', 'window', 'person', 'x', 'x', 'x', 'x', 'x', 0, 'immediate', 't', ?, ?, ?)`, c.number, c.version, now, now, c.accepted)
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

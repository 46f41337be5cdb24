package ratings_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/demo"
	"banhao/errs"
	"banhao/identity"
	"banhao/network"
	"banhao/ratings"
	"banhao/store"
	"banhao/store/storetest"
)

// TestCountySupervisorSeesItsRegionsRatings: the 差评 list and the figures of a 沾化区 center's
// supervisor hold 沾化区's departments' ratings only, and another region's 差评 cannot be followed
// up from there; the city's supervisor sees all (区域分级监督, as the cases' figures).
func TestCountySupervisorSeesItsRegionsRatings(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		at := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
		now := func() time.Time { return at }
		if err := network.Seed(ctx, db, demo.Regions(), demo.Centers(), at); err != nil {
			t.Fatal(err)
		}
		pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
		s := newService(t, db, pii, now, shanghai)
		id := "110101195001010017"
		applicant := ratings.Rater{Actor: audit.Actor{Username: "citizen", Role: "citizen"}, Applicant: id}
		depts := map[string]string{"RSJ": "371600000000", "RSJ-371603": "371603000000", "RSJ-371602": "371602000000"}
		ids := map[string]int64{}
		for i, dept := range []string{"RSJ", "RSJ-371603", "RSJ-371602"} {
			if _, err := db.ExecContext(ctx, `INSERT INTO departments (code, name, region_code, kind, updated_at) VALUES (?, ?, ?, 'RSJ', ?)`,
				dept, dept+"人社局", depts[dept], at); err != nil {
				t.Fatal(err)
			}
			number := fmt.Sprintf("C-%d", i)
			if _, err := db.ExecContext(ctx, `INSERT INTO cases (number, item_code, item_version, item_name, department_code, region_code, status, channel,
				applicant_type, applicant_name, applicant_id_enc, applicant_id_idx, applicant_phone_enc, applicant_phone_idx, limit_value, limit_unit,
				created_by, submitted_at, updated_at) VALUES (?, 'X', 1, 'x', ?, ?, 'decided', 'window', 'person', 'x', 'x', ?, 'x', 'x', 1, 'working_day', 't', ?, ?)`,
				number, dept, depts[dept], pii.Index(id), at, at); err != nil {
				t.Fatal(err)
			}
			r, err := s.Rate(ctx, applicant, ratings.Input{Case: number, Level: 1})
			if err != nil {
				t.Fatal(err)
			}
			ids[dept] = r.ID
		}
		county := audit.Actor{Username: "supervisor_zhanhua", Role: "supervisor", Center: "ZWFW-371603"}
		city := audit.Actor{Username: "supervisor", Role: "supervisor", Center: demo.CenterCode}
		list, err := s.BadRatingsFor(ctx, county, false, 100)
		if err != nil || len(list) != 1 || list[0].Department != "RSJ-371603" {
			t.Fatalf("沾化区's 差评: %+v %v", list, err)
		}
		if list, err := s.BadRatingsFor(ctx, city, false, 100); err != nil || len(list) != 3 {
			t.Fatalf("the city's 差评: %d %v", len(list), err)
		}
		day := calendar.DateOf(at, shanghai)
		rows, err := s.SummaryFor(ctx, county, day, day)
		if err != nil || len(rows) != 1 || rows[0].Department != "RSJ-371603" || rows[0].Bad != 1 {
			t.Fatalf("沾化区's figures: %+v %v", rows, err)
		}
		if rows, err := s.SummaryFor(ctx, city, day, day); err != nil || len(rows) != 3 {
			t.Fatalf("the city's figures: %+v %v", rows, err)
		}
		if err := s.FollowUp(ctx, county, ids["RSJ-371602"], "已回访"); !errs.Is(err, errs.CodeNotFound) {
			t.Fatalf("沾化区 following up 滨城区's 差评: %v", err)
		}
		if err := s.FollowUp(ctx, county, ids["RSJ-371603"], "已回访，已整改"); err != nil {
			t.Fatalf("沾化区 following up its own: %v", err)
		}
	})
}

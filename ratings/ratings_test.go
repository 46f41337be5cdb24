package ratings_test

import (
	"context"
	"testing"
	"time"

	"banhao/audit"
	"banhao/errs"
	"banhao/ratings"
	"banhao/store"
	"banhao/store/storetest"
)

func TestRateChecksInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
		s := ratings.New(db, audit.New([]byte("ratings-test-key-ratings-test-key"), now), now)
		ctx := context.Background()
		for _, c := range []struct {
			in    ratings.Input
			field string
		}{
			{ratings.Input{Level: 5}, "case"},
			{ratings.Input{Case: "x", Ticket: "y", Level: 5}, "case"},
			{ratings.Input{Ticket: "y", Level: 0}, "level"},
			{ratings.Input{Ticket: "y", Level: 6}, "level"},
			{ratings.Input{Ticket: "y", Level: 3, Channel: "fax"}, "channel"},
			{ratings.Input{Ticket: "no-such-ticket", Level: 3}, "ticket"},
			{ratings.Input{Case: "no-such-case", Level: 3}, "case"},
		} {
			_, err := s.Rate(ctx, audit.System, c.in)
			e, ok := errs.As(err)
			if !ok || e.Code != errs.CodeInvalid || len(e.Fields) == 0 || e.Fields[0].Field != c.field {
				t.Errorf("%+v: %v, want a fault in %s", c.in, err, c.field)
			}
		}
		if !ratings.Bad(2) || ratings.Bad(3) || ratings.LevelNames[5] != "非常满意" {
			t.Error("levels")
		}
	})
}

// TestSummary: ratings of a period per department — counts, 好评率, mean level and how many 差评
// were followed up; ratings outside the period are left out.
func TestSummary(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		day := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
		now := func() time.Time { return day }
		s := ratings.New(db, audit.New([]byte("ratings-test-key-ratings-test-key"), now), now)
		for _, r := range []struct {
			dept     string
			level    int
			at       time.Time
			followed bool
		}{
			{"XZSP", 5, day, false}, {"XZSP", 4, day, false}, {"XZSP", 1, day, true}, {"XZSP", 2, day, false},
			{"BDC", 5, day, false},
			{"XZSP", 1, day.AddDate(0, 0, -40), false}, // last month: not in the period
		} {
			var followedAt any
			if r.followed {
				followedAt = r.at
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO ratings (level, channel, department_code, created_at, followed_at) VALUES (?, 'counter', ?, ?, ?)`,
				r.level, r.dept, r.at, followedAt); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := s.Summary(ctx, day.AddDate(0, 0, -25), day.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Department != "XZSP" {
			t.Fatalf("rows %+v, want XZSP then BDC", rows)
		}
		x := rows[0]
		if x.Ratings != 4 || x.Good != 2 || x.Bad != 2 || x.FollowedUp != 1 || x.GoodPercent() != "50.0%" || x.Average != 3 {
			t.Fatalf("XZSP %+v", x)
		}
		if b := rows[1]; b.Ratings != 1 || b.GoodRate != 1 || b.Average != 5 {
			t.Fatalf("BDC %+v", b)
		}
	})
}

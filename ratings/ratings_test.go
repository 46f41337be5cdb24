package ratings_test

import (
	"context"
	"testing"
	"time"

	"banhao/audit"
	"banhao/errs"
	"banhao/identity"
	"banhao/ratings"
	"banhao/store"
	"banhao/store/storetest"
)

func TestRateChecksInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
		pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
		s := ratings.New(db, audit.New([]byte("ratings-test-key-ratings-test-key"), now), pii, now)
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
		} {
			_, err := s.Rate(ctx, ratings.Rater{Actor: audit.System}, c.in)
			e, ok := errs.As(err)
			if !ok || e.Code != errs.CodeInvalid || len(e.Fields) == 0 || e.Fields[0].Field != c.field {
				t.Errorf("%+v: %v, want a fault in %s", c.in, err, c.field)
			}
		}
		// Without the applicant's session or the pad's grant: refused, whatever the number.
		for _, c := range []struct {
			by   ratings.Rater
			in   ratings.Input
			want errs.Code
		}{
			{ratings.Rater{Actor: audit.System}, ratings.Input{Ticket: "no-such-ticket", Level: 3}, errs.CodeForbidden},
			{ratings.Rater{Actor: audit.System}, ratings.Input{Ticket: "no-such-ticket", Level: 3, Token: "00"}, errs.CodeForbidden},
			{ratings.Rater{Actor: audit.System}, ratings.Input{Case: "no-such-case", Level: 3}, errs.CodeForbidden},
			{ratings.Rater{Actor: audit.System, Staff: true}, ratings.Input{Case: "no-such-case", Level: 3}, errs.CodeForbidden},
			{ratings.Rater{Actor: audit.System, Applicant: "110101195001010017"}, ratings.Input{Case: "no-such-case", Level: 3}, errs.CodeNotFound},
		} {
			if _, err := s.Rate(ctx, c.by, c.in); !errs.Is(err, c.want) {
				t.Errorf("%+v %+v: %v, want %s", c.by, c.in, err, c.want)
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
		pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
		s := ratings.New(db, audit.New([]byte("ratings-test-key-ratings-test-key"), now), pii, now)
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

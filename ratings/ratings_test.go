package ratings_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/errs"
	"banhao/identity"
	"banhao/network"
	"banhao/ratings"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

func TestRateChecksInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
		pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
		s := newService(t, db, pii, now, time.UTC)
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
		s := newService(t, db, pii, now, time.UTC)
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
		// Ratings written around the service, as before this installation kept figures: the
		// migration's backfill counts them.
		if err := ratings.RebuildStats(ctx, db); err != nil {
			t.Fatal(err)
		}
		rows, err := s.Summary(ctx, calendar.MustDate("2026-11-01"), calendar.MustDate("2026-11-27"))
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

// TestSummaryKeptAsRated: ratings given through the service, around midnight in the center's
// zone, and follow-ups recorded days later, give for every period the same figures as a count
// over the ratings themselves.
func TestSummaryKeptAsRated(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		at := time.Date(2026, 11, 1, 15, 30, 0, 0, time.UTC) // 23:30 in Shanghai
		now := func() time.Time { return at }
		pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
		s := newService(t, db, pii, now, shanghai)
		id := "110101195001010017"
		applicant := ratings.Rater{Actor: audit.Actor{Username: "citizen", Role: "citizen"}, Applicant: id}
		var bad []int64
		for i := range 40 {
			number := fmt.Sprintf("R-%03d", i)
			dept := []string{"XZSP", "BDC", "SCJG"}[i%3]
			if _, err := db.ExecContext(ctx, `INSERT INTO cases (number, item_code, item_version, item_name, department_code, region_code, status, channel,
				applicant_type, applicant_name, applicant_id_enc, applicant_id_idx, applicant_phone_enc, applicant_phone_idx, limit_value, limit_unit,
				created_by, submitted_at, updated_at) VALUES (?, 'X', 1, 'x', ?, '371600000000', 'decided', 'window', 'person', 'x', 'x', ?, 'x', 'x', 1, 'working_day', 't', ?, ?)`,
				number, dept, pii.Index(id), at, at); err != nil {
				t.Fatal(err)
			}
			r, err := s.Rate(ctx, applicant, ratings.Input{Case: number, Level: 1 + i*7%5})
			if err != nil {
				t.Fatal(err)
			}
			if r.Bad {
				bad = append(bad, r.ID)
			}
			at = at.Add(time.Duration(7+i%5) * time.Hour) // across midnights in Shanghai
		}
		for _, id := range bad[:len(bad)/2] {
			if err := s.FollowUp(ctx, audit.Actor{Username: "sup", Role: "supervisor"}, id, "已回访"); err != nil {
				t.Fatal(err)
			}
		}
		first := calendar.MustDate("2026-11-01")
		for from := first; from < first+14; from += 3 {
			for _, to := range []calendar.Date{from, from + 2, from + 13} {
				got, err := s.Summary(ctx, from, to)
				if err != nil {
					t.Fatal(err)
				}
				want := map[string][5]int{}
				rows, err := db.QueryContext(ctx, `SELECT department_code, COUNT(*), SUM(CASE WHEN level >= 4 THEN 1 ELSE 0 END),
					SUM(CASE WHEN level <= 2 THEN 1 ELSE 0 END), SUM(CASE WHEN level <= 2 AND followed_at IS NOT NULL THEN 1 ELSE 0 END), SUM(level)
					FROM ratings WHERE created_at >= ? AND created_at < ? GROUP BY department_code`, from.Time(shanghai).UTC(), to.AddDays(1).Time(shanghai).UTC())
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var d string
					var n [5]int
					if err := rows.Scan(&d, &n[0], &n[1], &n[2], &n[3], &n[4]); err != nil {
						t.Fatal(err)
					}
					want[d] = n
				}
				rows.Close()
				if len(got) != len(want) {
					t.Fatalf("%s–%s: %d departments, a count over the ratings finds %d", from, to, len(got), len(want))
				}
				for _, r := range got {
					if n := want[r.Department]; n != [5]int{r.Ratings, r.Good, r.Bad, r.FollowedUp, int(r.Average*float64(r.Ratings) + .5)} {
						t.Errorf("%s–%s %s: %+v, a count over the ratings gives %v", from, to, r.Department, r, n)
					}
				}
			}
		}
	})
}

// TestSummaryExactUnderConcurrentRatings: ratings of one department and day given at once, and
// follow-ups, while the fold job runs, give the same figures as a count over the ratings, before
// and after the last fold; a rating updates no line of rating_stats in place (it appends a row
// the fold adds), so concurrent ratings share no row.
func TestSummaryExactUnderConcurrentRatings(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		at := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
		now := func() time.Time { return at }
		pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
		s := newService(t, db, pii, now, shanghai)
		id := "110101195001010017"
		applicant := ratings.Rater{Actor: audit.Actor{Username: "citizen", Role: "citizen"}, Applicant: id}
		const n = 48
		for i := range n {
			if _, err := db.ExecContext(ctx, `INSERT INTO cases (number, item_code, item_version, item_name, department_code, region_code, status, channel,
				applicant_type, applicant_name, applicant_id_enc, applicant_id_idx, applicant_phone_enc, applicant_phone_idx, limit_value, limit_unit,
				created_by, submitted_at, updated_at) VALUES (?, 'X', 1, 'x', ?, '371600000000', 'decided', 'window', 'person', 'x', 'x', ?, 'x', 'x', 1, 'working_day', 't', ?, ?)`,
				fmt.Sprintf("C-%03d", i), []string{"XZSP", "XZSP", "XZSP", "BDC"}[i%4], pii.Index(id), at, at); err != nil {
				t.Fatal(err)
			}
		}
		lines := func() (stats, deltas int) {
			t.Helper()
			if err := db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM rating_stats), (SELECT COUNT(*) FROM rating_stats_delta)`).Scan(&stats, &deltas); err != nil {
				t.Fatal(err)
			}
			return stats, deltas
		}
		if _, err := s.Rate(ctx, applicant, ratings.Input{Case: "C-000", Level: 1}); err != nil {
			t.Fatal(err)
		}
		if stats, deltas := lines(); stats != 0 || deltas != 1 {
			t.Fatalf("one rating: %d lines of rating_stats written in place, %d rows appended; want 0 and 1", stats, deltas)
		}
		check := func(when string) {
			t.Helper()
			day := calendar.DateOf(at, shanghai)
			got, err := s.Summary(ctx, day, day)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][5]int{}
			rows, err := db.QueryContext(ctx, `SELECT department_code, COUNT(*), SUM(CASE WHEN level >= 4 THEN 1 ELSE 0 END),
				SUM(CASE WHEN level <= 2 THEN 1 ELSE 0 END), SUM(CASE WHEN level <= 2 AND followed_at IS NOT NULL THEN 1 ELSE 0 END), SUM(level)
				FROM ratings GROUP BY department_code`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var d string
				var c [5]int
				if err := rows.Scan(&d, &c[0], &c[1], &c[2], &c[3], &c[4]); err != nil {
					t.Fatal(err)
				}
				want[d] = c
			}
			rows.Close()
			if len(got) != len(want) {
				t.Fatalf("%s: %d departments, a count over the ratings finds %d", when, len(got), len(want))
			}
			for _, r := range got {
				if c := want[r.Department]; c != [5]int{r.Ratings, r.Good, r.Bad, r.FollowedUp, int(r.Average*float64(r.Ratings) + .5)} {
					t.Errorf("%s %s: %+v, a count over the ratings gives %v", when, r.Department, r, c)
				}
			}
		}

		// The rest at once, with the fold running meanwhile.
		var wg sync.WaitGroup
		done := make(chan struct{})
		folded := make(chan error, 1)
		go func() {
			var err error
			for err == nil {
				select {
				case <-done:
					folded <- nil
					return
				default:
				}
				_, err = ratings.FoldStats(ctx, db)
			}
			folded <- err
		}()
		ids := make(chan int64, n)
		for i := 1; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.Rate(ctx, applicant, ratings.Input{Case: fmt.Sprintf("C-%03d", i), Level: 1 + i%5})
				if err != nil {
					t.Error(err)
					return
				}
				if r.Bad {
					ids <- r.ID
				}
			}()
		}
		wg.Wait()
		close(ids)
		i := 0
		for id := range ids {
			if i++; i%2 == 0 {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.FollowUp(ctx, audit.Actor{Username: "sup", Role: "supervisor"}, id, "已回访"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		close(done)
		if err := <-folded; err != nil {
			t.Fatal(err)
		}
		check("before the last fold")
		if _, err := ratings.FoldStats(ctx, db); err != nil {
			t.Fatal(err)
		}
		if _, deltas := lines(); deltas != 0 {
			t.Errorf("%d rows left after the fold", deltas)
		}
		check("after the last fold")
	})
}

// newService is the rating service on db with a network of db (no halls).
func newService(t *testing.T, db *store.DB, pii *identity.PII, now func() time.Time, loc *time.Location) *ratings.Service {
	t.Helper()
	log := wiring.Must(audit.New([]byte("ratings-test-key-ratings-test-key"), now))
	net, err := network.New(db, log, now, network.NoQueues{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ratings.New(db, log, pii, now, loc, net)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNewRefusesMissingDependencies: a rating service without its network is refused, by name.
func TestNewRefusesMissingDependencies(t *testing.T) {
	now := time.Now
	pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
	_, err := ratings.New(&store.DB{}, wiring.Must(audit.New([]byte("ratings-test-key-ratings-test-key"), now)), pii, now, time.UTC, nil)
	if names, ok := wiring.Missing(err); !ok || len(names) != 1 || names[0] != "net" {
		t.Fatalf("err = %v", err)
	}
}

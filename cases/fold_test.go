package cases_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"banhao/calendar"
	"banhao/cases"
	"banhao/store"
)

// deltaRows counts the changes not yet folded into the lines (the cases' and the centers').
func deltaRows(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT (SELECT COUNT(*) FROM case_stats_delta) + (SELECT COUNT(*) FROM center_stats_delta)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// submittedIn is the total submitted in a period, as the statistics give it.
func submittedIn(ctx context.Context, e *env, from, to calendar.Date) (int, error) {
	rows, err := e.svc.Stats(ctx, "item", from, to)
	return cases.Total(rows).Submitted, err
}

// TestFoldKeepsFiguresExact: intakes from concurrent clients (created, accepted in one step or
// later, some decided) while the fold job runs again and again, and supervisors read at the same
// time. Every read counts each case exactly once, whether its change was still a row of
// case_stats_delta or already folded into the lines: never fewer than the intakes finished
// before the read began, never more than those begun before it ended. Afterwards the figures
// equal a count over the cases, with changes left unfolded and again after folding them (the
// same figures, nothing left to fold), and RebuildStats leaves nothing to fold either.
func TestFoldKeepsFiguresExact(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		items := statsItems(t, e)
		first, last := calendar.MustDate("2026-09-29"), calendar.MustDate("2026-09-30")
		e.clk.set(first.String(), 23)
		var started, finished atomic.Int64
		intake := func(w, i int) error {
			it := items[(w+i)%len(items)]
			in := cases.CreateInput{Item: it.code, Applicant: person, Materials: it.refs}
			if i%2 == 0 {
				in.Accept = &cases.AcceptInput{}
			}
			started.Add(1)
			c, _, err := e.svc.Create(ctx, clerk, in, "")
			finished.Add(1)
			if err != nil {
				return fmt.Errorf("create %s: %w", it.code, err)
			}
			switch i % 4 {
			case 1:
				_, err = e.svc.Accept(ctx, clerk, c.Number, cases.AcceptInput{})
			case 2: // decided (a denial: an approval of some of these items issues a certificate to an organisation, and the test's applicant is a person)
				_, err = e.svc.Decide(ctx, approverOf(it.dept), c.Number, cases.DecisionInput{Decision: "denied", Reason: "材料不符合要求"})
			}
			return err
		}
		const clients, each = 6, 12
		for round, day := range []calendar.Date{first, last} {
			if round == 1 {
				e.clk.set(day.String(), 10)
			}
			var writers, others sync.WaitGroup
			stop := make(chan struct{})
			errc := make(chan error, clients+2)
			for w := range clients {
				writers.Go(func() {
					for i := range each {
						if err := intake(w, i); err != nil {
							errc <- err
							return
						}
					}
				})
			}
			var folds, folded, reads atomic.Int64
			others.Go(func() { // the job, as fast as it can go
				for {
					select {
					case <-stop:
						return
					default:
					}
					n, err := cases.FoldStats(ctx, db)
					if err != nil {
						errc <- err
						return
					}
					folds.Add(1)
					folded.Add(int64(n))
				}
			})
			others.Go(func() { // a supervisor
				for {
					select {
					case <-stop:
						return
					default:
					}
					lo := finished.Load()
					got, err := submittedIn(ctx, e, first, last)
					hi := started.Load()
					if err != nil {
						errc <- err
						return
					}
					if int64(got) < lo || int64(got) > hi {
						errc <- fmt.Errorf("a read counted %d cases submitted: %d intakes had finished before it, %d begun by its end", got, lo, hi)
						return
					}
					reads.Add(1)
				}
			})
			writers.Wait()
			close(stop)
			others.Wait()
			close(errc)
			for err := range errc {
				t.Fatal(err)
			}
			t.Logf("day %s: %d intakes, %d folds (%d rows folded), %d reads meanwhile", day, finished.Load(), folds.Load(), folded.Load(), reads.Load())
			if folded.Load() == 0 || reads.Load() == 0 {
				t.Fatalf("the test should fold and read while intakes run: %d rows folded, %d reads", folded.Load(), reads.Load())
			}
		}
		// A few more changes, left unfolded.
		for i := range 5 {
			if err := intake(clients, i); err != nil {
				t.Fatal(err)
			}
		}
		left := deltaRows(t, db)
		if left == 0 {
			t.Fatal("no change left to fold")
		}
		before := sameStats(t, e, first, last)
		if before != clients*each*2+5 {
			t.Fatalf("%d cases submitted, want %d", before, clients*each*2+5)
		}
		dailyBefore, err := e.svc.Daily(ctx, first, last)
		if err != nil {
			t.Fatal(err)
		}
		n, err := cases.FoldStats(ctx, db)
		if err != nil || n != left {
			t.Fatalf("fold: %d rows, %v; want %d", n, err, left)
		}
		if left := deltaRows(t, db); left != 0 {
			t.Fatalf("%d rows left after folding", left)
		}
		if after := sameStats(t, e, first, last); after != before {
			t.Fatalf("%d cases submitted after folding, %d before", after, before)
		}
		dailyAfter, err := e.svc.Daily(ctx, first, last)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(dailyAfter) != fmt.Sprint(dailyBefore) || dailyAfter[0].Submitted+dailyAfter[1].Submitted != before {
			t.Fatalf("per day before folding %v, after %v, want %d in all", dailyBefore, dailyAfter, before)
		}
		// Rebuilding from the cases drops what was not yet folded (the cases hold it).
		if err := intake(clients, 0); err != nil {
			t.Fatal(err)
		}
		if err := cases.RebuildStats(ctx, db); err != nil {
			t.Fatal(err)
		}
		if left := deltaRows(t, db); left != 0 {
			t.Fatalf("%d rows left after rebuilding", left)
		}
		if got := sameStats(t, e, first, last); got != before+1 {
			t.Fatalf("%d cases submitted after rebuilding, want %d", got, before+1)
		}
	})
}

package cases_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"banhao/cases"
	"banhao/jobs"
	"banhao/notify"
	"banhao/notify/notifytest"
	"banhao/store"
)

// startNode starts a process's worth of job workers on db, as `serve` does.
func startNode(t *testing.T, e *env, svc *cases.Service, outbox *notify.Outbox) *jobs.Runner {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, &cases.WarnWorker{Service: svc})
	river.AddWorker(workers, &cases.SweepWorker{Service: svc})
	river.AddWorker(workers, &notify.SendWorker{Outbox: outbox})
	sweep := river.NewPeriodicJob(river.PeriodicInterval(200*time.Millisecond),
		func() (river.JobArgs, *river.InsertOpts) { return cases.SweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})
	r, err := jobs.New(e.db, jobs.Config{Workers: workers, Periodic: []*river.PeriodicJob{sweep}, Poll: 50 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

func stopNode(t *testing.T, r *jobs.Runner) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// completed counts the jobs of a kind that have finished.
func completed(t *testing.T, db *store.DB, kind string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM river_job WHERE kind = ? AND state = 'completed'`, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// sweeps waits until n more warning sweeps than before have finished: whatever they would raise
// is then written (in their own transactions), so a check that something was not raised is
// sound.
func sweeps(t *testing.T, db *store.DB, before, n int) {
	t.Helper()
	waitFor(t, "the warning sweep", func() bool { return completed(t, db, "case.warning_sweep") >= before+n })
}

// raised counts the notifications of an event written to the outbox, sent or not.
func raised(t *testing.T, db *store.DB, event string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM notifications WHERE event = ?`, event).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWarningsSurviveRestarts(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		hook := &notifytest.Inbox{}
		srv := httptest.NewServer(hook)
		defer srv.Close()
		// Every process inserts jobs; a node works them while it runs. The case and its jobs are
		// written in one transaction.
		ins, err := jobs.NewInserter(db)
		if err != nil {
			t.Fatal(err)
		}
		outbox := e.outbox(map[string]notify.Channel{"webhook": notify.WebhookChannel{URL: srv.URL}}, ins)
		svc := e.service(t, outbox, ins, "")

		e.clk.set("2026-09-30", 10)
		code := e.itemCode(t, "建筑工程施工许可证核发") // 3 working days: due 10-10, yellow from 10-09, red from 10-12
		file := e.upload(t)
		var refs []cases.MaterialRef
		for _, id := range []string{"m1", "m2", "m3", "m4", "m5"} {
			refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
		}
		c, _, err := svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Accept(ctx, clerk, c.Number, cases.AcceptInput{}); err != nil {
			t.Fatal(err)
		}
		var scheduled int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'case.warning'`).Scan(&scheduled)
		if scheduled != 1 {
			t.Fatalf("%d warning jobs scheduled with the acceptance, want 1", scheduled)
		}

		// A node runs on the day of acceptance: nothing to raise.
		before := completed(t, db, "case.warning_sweep")
		node := startNode(t, e, svc, outbox)
		sweeps(t, db, before, 1)
		stopNode(t, node)
		if n := raised(t, db, "case.warning.yellow"); n != 0 {
			t.Fatalf("%d yellow warnings on the day of acceptance", n)
		}

		// While no node runs, the clock reaches 10-09 (one working day left). A restarted node
		// raises yellow, for the department and the supervisors.
		e.clk.set("2026-10-09", 8)
		node = startNode(t, e, svc, outbox)
		waitFor(t, "the yellow warning", func() bool { return hook.Count("case.warning.yellow", "") == 2 })
		stopNode(t, node)

		e.clk.set("2026-10-12", 8) // past the make-up Saturday 10-10: overdue
		node = startNode(t, e, svc, outbox)
		waitFor(t, "the red warning", func() bool { return hook.Count("case.warning.red", "") == 2 })
		sweeps(t, db, completed(t, db, "case.warning_sweep"), 2) // more sweeps: nothing is raised twice
		stopNode(t, node)
		if y, r := raised(t, db, "case.warning.yellow"), raised(t, db, "case.warning.red"); y != 2 || r != 2 {
			t.Fatalf("after more sweeps: %d yellow and %d red warnings written, want 2 each", y, r)
		}

		got, err := svc.Get(ctx, super, c.Number)
		if err != nil {
			t.Fatal(err)
		}
		var levels []string
		for _, ev := range got.Timeline {
			if ev.Action == "warning" {
				var d struct{ Level string }
				_ = json.Unmarshal([]byte(ev.Detail), &d)
				levels = append(levels, d.Level)
			}
		}
		if len(levels) != 2 || levels[0] != "yellow" || levels[1] != "red" || got.Warning != "red" {
			t.Fatalf("warning events %v (case shows %s), want exactly yellow then red", levels, got.Warning)
		}
		if hook.Count("case.warning.yellow", "") != 2 || hook.Count("case.warning.red", "") != 2 {
			t.Fatalf("duplicate notifications: %d yellow, %d red", hook.Count("case.warning.yellow", ""), hook.Count("case.warning.red", ""))
		}
		var unsent int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE sent_at IS NULL`).Scan(&unsent)
		if unsent != 0 {
			t.Fatalf("%d notifications left unsent", unsent)
		}
	})
}

// TestMissedCommitmentEndsTheCaseWhereTheItemSaysSo: 建筑工程施工许可证核发 declares that a missed
// 容缺 commitment terminates the case.
func TestMissedCommitmentEndsTheCaseWhereTheItemSaysSo(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clk.set("2026-09-30", 10)
		file := e.upload(t)
		var refs []cases.MaterialRef
		for _, id := range []string{"m1", "m2", "m3", "m5"} {
			refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
		}
		c, _, _ := e.svc.Create(ctx, clerk, cases.CreateInput{Item: e.itemCode(t, "建筑工程施工许可证核发"), Applicant: person, Materials: refs}, "")
		c = mustAct(t, e, clerk, c.Number, cases.AcceptInput{Deferred: []cases.DeferInput{{MaterialID: "m4", Due: mustDate("2026-10-08")}}})
		e.clk.set("2026-10-08", 9)
		if _, err := e.svc.SweepWarnings(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Get(ctx, super, c.Number); got.Status != cases.Accepted {
			t.Fatalf("on the commitment day the case is %s", got.Status)
		}
		e.clk.set("2026-10-09", 9)
		if _, err := e.svc.SweepWarnings(ctx); err != nil {
			t.Fatal(err)
		}
		got, _ := e.svc.Get(ctx, super, c.Number)
		if got.Status != cases.Terminated || !hasAction(got, "commitment_missed") {
			t.Fatalf("after the missed commitment: %s, timeline %v", got.Status, got.Timeline)
		}
	})
}

func hasAction(c cases.Case, a string) bool {
	for _, e := range c.Timeline {
		if e.Action == a {
			return true
		}
	}
	return false
}

// TestSweepGoesOnPastABadCase: a case the sweep cannot handle (here a deadline that is not a
// date) is skipped and reported; the cases after it still get their warnings.
func TestSweepGoesOnPastABadCase(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		code := e.itemCode(t, "建筑工程施工许可证核发") // 3 working days: yellow from 10-09
		file := e.upload(t)
		var refs []cases.MaterialRef
		for _, id := range []string{"m1", "m2", "m3", "m4", "m5"} {
			refs = append(refs, cases.MaterialRef{MaterialID: id, FileID: file})
		}
		var numbers []string
		for range 3 {
			c, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: code, Applicant: person, Materials: refs}, "")
			if err != nil {
				t.Fatal(err)
			}
			mustAct(t, e, clerk, c.Number, cases.AcceptInput{})
			numbers = append(numbers, c.Number)
		}
		// The first case the sweep reads has a deadline that is not a date.
		if _, err := db.ExecContext(ctx, `UPDATE cases SET yellow_from = '2000-99-98', red_from = '2000-99-99' WHERE number = ?`, numbers[0]); err != nil {
			t.Fatal(err)
		}
		e.clk.set("2026-10-09", 9)
		n, err := e.svc.SweepWarnings(ctx)
		if err == nil || !strings.Contains(err.Error(), numbers[0]) {
			t.Fatalf("sweep error = %v, want one naming %s", err, numbers[0])
		}
		if n != 2 {
			t.Errorf("sweep handled %d cases, want 2", n)
		}
		for _, number := range numbers[1:] {
			if got, _ := e.svc.Get(ctx, super, number); got.Warning != cases.WarnYellow {
				t.Errorf("%s after a sweep that met a bad case: warning %q, want yellow", number, got.Warning)
			}
		}
	})
}

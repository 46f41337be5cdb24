package queuesim_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/calendar/calstore"
	"banhao/identity"
	"banhao/jobs"
	"banhao/notify"
	"banhao/queue"
	"banhao/queue/queuesim"
	"banhao/store/storetest"
	"banhao/wiring"
)

// TestReplaySmallDay replays 400 tickets over 6 counters: everyone is called once, the waits
// and estimates are counted, and the service's own statistics agree with the replay.
func TestReplaySmallDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	clk := &queuesim.Clock{}
	log := wiring.Must(audit.New([]byte("sim-test-key-sim-test-key-sim-tes"), clk.Now))
	pii, _ := identity.NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index"))
	quiet := slog.New(slog.DiscardHandler)
	outbox := wiring.Must(notify.NewOutbox(notify.Config{DB: db, Now: clk.Now, Channels: map[string]notify.Channel{"log": notify.LogChannel{Logger: quiet}}, Jobs: jobs.Discard{}, Logger: quiet}))
	q, err := queue.New(queue.Config{DB: db, Audit: log, PII: pii, Calendar: wiring.Must(calstore.New(db, log, clk.Now)), Outbox: outbox, Now: clk.Now, Location: loc, Logger: quiet,
		Hub: wiring.Must(queue.NewHub(db))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO centers (code, name, region_code, level, address, phone) VALUES ('C', 'c', '371600', '市', '', '')`); err != nil {
		t.Fatal(err)
	}
	cfg := queuesim.Config{Day: calendar.MustDate("2026-12-01"), Tickets: 400, Counters: 6, Seed: 7, Services: slices.Clone(queuesim.DefaultServices[:3]), Location: loc}
	cfg.Services[0].Share, cfg.Services[1].Share, cfg.Services[2].Share = .5, .2, .3
	if err := queuesim.Setup(ctx, q, "C", cfg); err != nil {
		t.Fatal(err)
	}
	arrivals := queuesim.Generate(cfg)
	if len(arrivals) != 400 || !arrivals[0].At.Before(arrivals[399].At) {
		t.Fatalf("arrivals: %d", len(arrivals))
	}
	res, err := queuesim.Run(ctx, q, clk, arrivals)
	if err != nil {
		t.Fatal(err)
	}
	if res.Tickets != 400 || res.Called != 400 {
		t.Fatalf("tickets %d, called %d", res.Tickets, res.Called)
	}
	if res.MAE <= 0 || res.MeanWait <= 0 {
		t.Errorf("result %+v", res)
	}
	rows, err := q.Stats(ctx, queue.StatsQuery{Hall: "sim", From: cfg.Day, To: cfg.Day})
	if err != nil {
		t.Fatal(err)
	}
	served := 0
	for _, r := range rows {
		served += r.Served
	}
	if served != 400 {
		t.Errorf("statistics count %d served, want 400", served)
	}
}

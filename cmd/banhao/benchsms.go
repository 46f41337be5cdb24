package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// smsGateway is a fake SMS gateway on 127.0.0.1: it answers 503 while down, then delivers each
// Idempotency-Key once (as real gateways do) and notes when, and how often a key came again.
type smsGateway struct {
	mu        sync.Mutex
	down      bool
	requests  int
	refused   int
	delivered map[string]time.Time // key → first delivery
	again     map[string]int       // key → posts after it was delivered
}

func (g *smsGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests++
	if g.down {
		g.refused++
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if _, ok := g.delivered[key]; ok {
		g.again[key]++
		return
	}
	g.delivered[key] = time.Now()
}

func (g *smsGateway) setDown(down bool) { g.mu.Lock(); g.down = down; g.mu.Unlock() }

// smsOutage runs the server with its SMS gateway down for down: a case accepted (texted 受理,
// never stale) and a hall call (stale after 10 minutes) every few seconds, the server killed with
// SIGKILL and restarted half-way, then the gateway back. It waits until every text message is sent
// or expired (at most wait) and checks: every lasting message delivered, once; no message
// delivered after its expiry; every expired one never delivered.
func (fb *faultBench) smsOutage(ctx context.Context, down, wait time.Duration, stdout io.Writer) (bool, error) {
	closeInheritedOnExec()
	item, file, dialect, err := fb.prepare(ctx)
	if err != nil {
		return false, err
	}
	gw := &smsGateway{down: true, delivered: map[string]time.Time{}, again: map[string]int{}}
	gln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return false, err
	}
	gs := &http.Server{Handler: gw}
	go gs.Serve(gln)
	defer gs.Close()
	fb.env = append(fb.env, "BANHAO_SMS_URL=http://"+gln.Addr().String()+"/sms")

	addr, err := freeLoopback()
	if err != nil {
		return false, err
	}
	fb.base = "http://" + addr
	dir, err := os.MkdirTemp("", "banhao-faults-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	fb.childLog = filepath.Join(dir, "serve.log")
	if err := fb.start(addr); err != nil {
		return false, err
	}
	defer fb.stop()
	if fb.token, err = benchToken(fb.base, "clerk"); err != nil {
		return false, err
	}
	var before int64 // the run's messages are those after it
	if err := fb.withDB(ctx, func(db *sql.DB) error {
		return db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM notifications`).Scan(&before)
	}); err != nil {
		return false, err
	}
	stamp := time.Now().UnixNano()
	caseBody, _ := json.Marshal(map[string]any{"item": item, "channel": "window", "accept": map[string]any{},
		"applicant": map[string]string{"type": "person", "name": "短信压测申请人", "id_number": "11010519491231002X", "phone": "13805431234"},
		"materials": []map[string]string{{"material_id": "m1", "file_id": file}, {"material_id": "m2", "file_id": file}, {"material_id": "m3", "file_id": file}}})
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(path, key string, body []byte) error {
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
			req, _ := http.NewRequest("POST", fb.base+path, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+fb.token)
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			resp, err := client.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					return nil
				}
				err = fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
			}
			if time.Now().After(deadline) {
				return err
			}
		}
	}
	start := time.Now()
	killed := false
	for i := 0; time.Since(start) < down; i++ {
		if !killed && time.Since(start) > down/2 {
			if err := fb.kill(); err != nil {
				return false, err
			}
			if err := fb.start(addr); err != nil {
				return false, err
			}
			killed = true
		}
		if err := post("/api/v1/cases", fmt.Sprintf("sms-%d-%d", stamp, i), caseBody); err != nil {
			return false, err
		}
		if err := post("/api/v1/tickets", "", []byte(fmt.Sprintf(`{"service":"Q-S05","phone":"139%08d"}`, i))); err != nil {
			return false, err
		}
		if err := post("/api/v1/counters/9/call", "", nil); err != nil {
			return false, err
		}
		time.Sleep(5 * time.Second)
	}
	gw.setDown(false)
	back := time.Now()
	fmt.Fprintf(stdout, "%s: SMS gateway down for %v (the server killed with SIGKILL and restarted half-way), then back\n", dialect, down.Round(time.Second))

	type msg struct {
		id                  int64
		event, recipient    string
		expires, sent, gone sql.NullTime
	}
	var msgs []msg
	unreachable := map[string]int{} // event → messages to a department or a role: no phone behind them
	read := func() (pending int, err error) {
		msgs = msgs[:0]
		clear(unreachable)
		err = fb.withDB(ctx, func(db *sql.DB) error {
			rows, err := db.QueryContext(ctx, `SELECT id, event, recipient, expires_at, sent_at, expired_at FROM notifications
				WHERE channel = 'sms' AND id > `+fb.param(1), before)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var m msg
				if err := rows.Scan(&m.id, &m.event, &m.recipient, &m.expires, &m.sent, &m.gone); err != nil {
					return err
				}
				if noPhone(m.recipient) {
					unreachable[m.event]++
					continue
				}
				msgs = append(msgs, m)
			}
			return rows.Err()
		})
		for _, m := range msgs {
			if !m.sent.Valid && !m.gone.Valid {
				pending++
			}
		}
		return pending, err
	}
	var pending int
	for deadline := time.Now().Add(wait); ; time.Sleep(5 * time.Second) {
		if pending, err = read(); err != nil {
			return false, err
		}
		if pending == 0 || time.Now().After(deadline) {
			break
		}
	}
	gw.mu.Lock()
	defer gw.mu.Unlock()
	counts := map[string][3]int{} // event → sent, expired, pending
	var lastDelivery time.Time
	var stale, expiredButDelivered, sentNotDelivered, again int
	for _, m := range msgs {
		key := "banhao-notification-" + strconv.FormatInt(m.id, 10)
		at, delivered := gw.delivered[key]
		c := counts[m.event]
		switch {
		case m.sent.Valid:
			c[0]++
			if !delivered {
				sentNotDelivered++
			}
		case m.gone.Valid:
			c[1]++
			if delivered {
				expiredButDelivered++
			}
		default:
			c[2]++
		}
		counts[m.event] = c
		if delivered && m.expires.Valid && at.After(m.expires.Time) {
			stale++
		}
		if delivered && at.After(lastDelivery) {
			lastDelivery = at
		}
		again += gw.again[key]
	}
	for ev, c := range counts {
		fmt.Fprintf(stdout, "  %-16s sent %4d  expired %4d  pending %d\n", ev, c[0], c[1], c[2])
	}
	for ev, n := range unreachable {
		fmt.Fprintf(stdout, "  %-16s %d messages to a department or role on the SMS channel: no phone to resolve, retried without end (not counted)\n", ev, n)
	}
	fmt.Fprintf(stdout, "  gateway: %d requests, %d refused while down, %d delivered, %d repeated posts of a delivered key; last delivery %v after it came back\n",
		gw.requests, gw.refused, len(gw.delivered), again, lastDelivery.Sub(back).Round(time.Second))
	fmt.Fprintf(stdout, "  lost (pending after %v, or marked sent but never delivered): %d; delivered after expiry: %d; expired but delivered: %d\n",
		wait, pending+sentNotDelivered, stale, expiredButDelivered)
	// A repeated post of a delivered key (a job run again after the kill) is not a second text:
	// the gateway delivers once per key. It is reported, not failed.
	return pending == 0 && sentNotDelivered == 0 && stale == 0 && expiredButDelivered == 0 && len(msgs) > 0, nil
}

// noPhone reports whether an outbox recipient has no phone number behind it (staff groups).
func noPhone(recipient string) bool {
	return strings.HasPrefix(recipient, "department:") || strings.HasPrefix(recipient, "role:")
}

// withDB opens the bench database read-only for a look while the server runs.
func (fb *faultBench) withDB(ctx context.Context, f func(*sql.DB) error) error {
	driver, dsn := "pgx", fb.dsn
	if p, ok := strings.CutPrefix(fb.dsn, "sqlite:"); ok {
		driver, dsn = "sqlite", "file:"+p+"?mode=ro&_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return f(db)
}

func (fb *faultBench) param(n int) string {
	if strings.HasPrefix(fb.dsn, "sqlite:") {
		return "?"
	}
	return "$" + strconv.Itoa(n)
}

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"banhao/audit"
	"banhao/catalog"
	"banhao/store"
)

// cmdBenchFaults is proof under faults: intake over HTTP against a real `banhao serve` child
// process on 127.0.0.1 while the process is killed with SIGKILL and started again (--kills), or
// while PostgreSQL restarts (--pg-restart). Clients retry each application with its
// Idempotency-Key until it is acknowledged. Afterwards it checks that every acknowledged case
// exists under its key, that no number was given twice, that no key made two cases and that the
// audit chain is intact, and it reports what clients saw.
func cmdBenchFaults(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench faults", flag.ContinueOnError)
	dsn := fs.String("db", "", "database (default: a fresh SQLite file); on PostgreSQL a database of the bench's own")
	clients := fs.Int("clients", 8, "concurrent clients")
	kills := fs.Int("kills", 3, "kill -9 the server this many times under load (0: none)")
	every := fs.Duration("every", 3*time.Second, "load between faults, and after the last")
	pgRestart := fs.String("pg-restart", "", "restart PostgreSQL under load with this command, e.g. \"pg_ctlcluster 15 main restart\"")
	smsDown := fs.Duration("sms-down", 0, "instead: the SMS gateway down this long (e.g. 10m), then back")
	smsWait := fs.Duration("sms-wait", 20*time.Minute, "with --sms-down: how long to wait afterwards for every message to be sent or expired")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *pgRestart != "" && !strings.HasPrefix(*dsn, "postgres") {
		return usageError{"--pg-restart needs --db postgres://…"}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cleanup, err := benchDatabase(dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	fb := &faultBench{dsn: *dsn, command: []string{exe}, clients: *clients, out: stdout}
	if *smsDown > 0 {
		ok, err := fb.smsOutage(ctx, *smsDown, *smsWait, stdout)
		if err == nil && !ok {
			err = errors.New("bench faults: a text message was lost, delivered stale or left unsent")
		}
		return err
	}
	res, err := fb.run(ctx, *kills, *every, strings.Fields(*pgRestart))
	if err != nil {
		return err
	}
	res.print(stdout)
	if !res.ok() {
		return errors.New("bench faults: an acknowledged case was lost or doubled, the audit chain is broken, or the service did not come back")
	}
	return nil
}

// faultBench drives one run. command is the program that answers `serve` (this binary, or the
// test binary standing in for it).
type faultBench struct {
	dsn     string
	command []string
	env     []string
	clients int
	out     io.Writer

	base, token string
	child       *exec.Cmd
	childLog    string
	exited      chan struct{}
}

// faultResult is what a run saw and found.
type faultResult struct {
	engine      store.Dialect
	clients     int
	wall        time.Duration
	acked       int            // applications acknowledged (201, or 200 for a retry the server had already committed)
	replayed    int            // of which acknowledged by 200: committed before the fault, its answer lost
	failures    map[string]int // what clients saw instead of an answer, by kind
	faults      []faultTiming
	lost        []string // acknowledged numbers missing or under another key
	repeated    []string // numbers acknowledged for two keys
	extra       int      // cases under the run's keys beyond the acknowledged ones (a key that made two)
	auditN      int64
	auditBroken string
}

// faultTiming is one fault: how long until the server (or database) was back, then until the
// first acknowledgement, and the longest time without any acknowledgement around it (the
// outage as clients saw it).
type faultTiming struct {
	what        string
	back        time.Duration // from the fault's start to the server ready (or the database answering again)
	firstAnswer time.Duration // from back to the first acknowledgement; -1 when none came
	gap         time.Duration // longest time between two acknowledgements around the fault
}

type ack struct {
	key, number string
	status      int
	at          time.Time
}

func (fb *faultBench) run(ctx context.Context, kills int, every time.Duration, pgRestart []string) (*faultResult, error) {
	closeInheritedOnExec()
	item, file, dialect, err := fb.prepare(ctx)
	if err != nil {
		return nil, err
	}
	addr, err := freeLoopback()
	if err != nil {
		return nil, err
	}
	fb.base = "http://" + addr
	dir, err := os.MkdirTemp("", "banhao-faults-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	fb.childLog = filepath.Join(dir, "serve.log")
	if err := fb.start(addr); err != nil {
		return nil, err
	}
	defer fb.stop()
	if fb.token, err = benchToken(fb.base, "clerk"); err != nil {
		return nil, err
	}

	res := &faultResult{engine: dialect, clients: fb.clients, failures: map[string]int{}}
	stamp := time.Now().UnixNano()
	body, _ := json.Marshal(map[string]any{"item": item, "channel": "window",
		"applicant": map[string]string{"type": "person", "name": "故障压测申请人", "id_number": "11010519491231002X", "phone": "13805431234"},
		"materials": []map[string]string{{"material_id": "m1", "file_id": file}, {"material_id": "m2", "file_id": file}, {"material_id": "m3", "file_id": file}}})
	var mu sync.Mutex
	var acks []ack
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: fb.clients}}
	start := time.Now()
	for c := range fb.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("fault-%d-%d-%d", stamp, c, seq)
				// Retry the same application until it is answered: at most a minute.
				for deadline := time.Now().Add(time.Minute); ; {
					status, number, failure := fb.post(client, key, body)
					if failure == "" {
						mu.Lock()
						acks = append(acks, ack{key, number, status, time.Now()})
						mu.Unlock()
						break
					}
					mu.Lock()
					res.failures[failure]++
					mu.Unlock()
					if time.Now().After(deadline) {
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	type fault struct {
		what     string
		at, back time.Time
	}
	var faults []fault
	var runErr error
	time.Sleep(every)
	for range kills {
		t0 := time.Now()
		if err := fb.kill(); err != nil {
			runErr = err
			break
		}
		if err := fb.start(addr); err != nil {
			runErr = err
			break
		}
		faults = append(faults, fault{"kill -9, restart", t0, time.Now()})
		time.Sleep(every)
	}
	if runErr == nil && len(pgRestart) > 0 {
		t0 := time.Now()
		done := make(chan struct{})
		up := watchDatabase(fb.dsn, done)
		out, err := exec.CommandContext(ctx, pgRestart[0], pgRestart[1:]...).CombinedOutput()
		close(done)
		if err != nil {
			runErr = fmt.Errorf("%s: %v %s", strings.Join(pgRestart, " "), err, out)
		} else {
			faults = append(faults, fault{"PostgreSQL restart", t0, <-up})
			time.Sleep(every)
		}
	}
	close(stop)
	wg.Wait()
	res.wall = time.Since(start)
	if runErr != nil {
		return nil, runErr
	}
	if err := fb.stop(); err != nil {
		return nil, err
	}
	res.acked = len(acks)
	slices.SortFunc(acks, func(a, b ack) int { return a.at.Compare(b.at) })
	for _, a := range acks {
		if a.status == http.StatusOK {
			res.replayed++
		}
	}
	for _, f := range faults {
		ft := faultTiming{what: f.what, back: f.back.Sub(f.at), firstAnswer: -1}
		first := slices.IndexFunc(acks, func(a ack) bool { return !a.at.Before(f.back) })
		if first >= 0 {
			ft.firstAnswer = acks[first].at.Sub(f.back)
			// the longest pause between two acknowledgements from the fault to the first answer
			for i := first; i > 0 && acks[i].at.After(f.at); i-- {
				ft.gap = max(ft.gap, acks[i].at.Sub(acks[i-1].at))
			}
		}
		res.faults = append(res.faults, ft)
	}
	return res, fb.check(ctx, stamp, acks, res)
}

// prepare loads the demo center into an empty database and stores one scanned material; it
// returns the item applied for, the material's file and the engine.
func (fb *faultBench) prepare(ctx context.Context) (string, string, store.Dialect, error) {
	a, err := openDemoApp(ctx, fb.dsn)
	if err != nil {
		return "", "", "", err
	}
	defer a.DB.Close()
	res, err := a.Catalog.Search(ctx, catalog.Query{Q: "个体工商户设立登记"})
	if err != nil || res.Total == 0 {
		return "", "", "", fmt.Errorf("bench: demo item missing")
	}
	f, err := a.Files.Save(ctx, audit.Actor{Username: "clerk", Role: "clerk"}, "scan.png", bytes.NewReader(tinyPNG()))
	if err != nil {
		return "", "", "", err
	}
	return res.Items[0].Code, f.ID, a.DB.Dialect, nil
}

// post sends one application; it returns the status and number of an acknowledgement, or what
// the client saw instead.
func (fb *faultBench) post(client *http.Client, key string, body []byte) (int, string, string) {
	req, _ := http.NewRequest("POST", fb.base+"/api/v1/cases", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+fb.token)
	req.Header.Set("Idempotency-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return 0, "", "connection refused (server down)"
		case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return 0, "", "connection cut (request in flight)"
		default:
			return 0, "", "transport: " + err.Error()
		}
	}
	defer resp.Body.Close()
	var c struct{ Number string }
	err = json.NewDecoder(resp.Body).Decode(&c)
	if (resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK) && err == nil && c.Number != "" {
		return resp.StatusCode, c.Number, ""
	}
	return 0, "", fmt.Sprintf("HTTP %d", resp.StatusCode)
}

// check reads the database after the run: every acknowledged number under its key, no number
// twice, no key twice, the audit chain whole.
func (fb *faultBench) check(ctx context.Context, stamp int64, acks []ack, res *faultResult) error {
	a, err := openApp(ctx, fb.dsn, false, newLogger(io.Discard), readSettings(true))
	if err != nil {
		return err
	}
	defer a.DB.Close()
	byKey := map[string]string{}
	rows, err := a.DB.QueryContext(ctx, `SELECT idempotency_key, number FROM cases WHERE idempotency_key LIKE ?`, fmt.Sprintf("clerk/fault-%d-%%", stamp))
	if err != nil {
		return err
	}
	for rows.Next() {
		var k, n string
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return err
		}
		byKey[strings.TrimPrefix(k, "clerk/")] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	keyOf := map[string]string{}
	for _, k := range acks {
		if byKey[k.key] != k.number {
			res.lost = append(res.lost, k.number)
		}
		if prev, ok := keyOf[k.number]; ok && prev != k.key {
			res.repeated = append(res.repeated, k.number)
		}
		keyOf[k.number] = k.key
	}
	res.extra = len(byKey) - len(acks)
	n, err := a.Audit.Verify(ctx, a.DB)
	res.auditN = n
	if audit.IsBroken(err) {
		res.auditBroken = err.Error()
	} else if err != nil {
		return err
	}
	return nil
}

func (r *faultResult) ok() bool {
	for _, f := range r.faults {
		if f.firstAnswer < 0 { // nothing acknowledged within a minute of the fault
			return false
		}
	}
	return len(r.lost) == 0 && len(r.repeated) == 0 && r.extra <= 0 && r.auditBroken == ""
}

func (r *faultResult) print(w io.Writer) {
	fmt.Fprintf(w, "%s, %d clients, %v: %d applications acknowledged (%.0f/s), %d of them by 200 on a retry (committed before the fault, answer lost)\n",
		r.engine, r.clients, r.wall.Round(100*time.Millisecond), r.acked, float64(r.acked)/r.wall.Seconds(), r.replayed)
	for _, f := range r.faults {
		fmt.Fprintf(w, "  %s: back %v after the fault began, first acknowledgement %v after that; clients went %v without one\n",
			f.what, f.back.Round(10*time.Millisecond), f.firstAnswer.Round(10*time.Millisecond), f.gap.Round(10*time.Millisecond))
	}
	kinds := make([]string, 0, len(r.failures))
	for k := range r.failures {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "  clients saw %q %d times (and retried)\n", k, r.failures[k])
	}
	if len(kinds) == 0 {
		fmt.Fprintln(w, "  clients saw no error")
	}
	fmt.Fprintf(w, "  acknowledged and missing: %d; numbers given twice: %d; keys with a second case: %d; audit chain: ", len(r.lost), len(r.repeated), max(r.extra, 0))
	if r.auditBroken != "" {
		fmt.Fprintln(w, "BROKEN —", r.auditBroken)
	} else {
		fmt.Fprintf(w, "intact (%d entries)\n", r.auditN)
	}
}

// watchDatabase opens a new connection every 10 ms; it sends the time the database answered
// again after it was found away, or the first answer after restarted is closed.
func watchDatabase(dsn string, restarted <-chan struct{}) <-chan time.Time {
	up := make(chan time.Time, 1)
	go func() {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			<-restarted
			up <- time.Now()
			return
		}
		defer db.Close()
		db.SetMaxIdleConns(0) // every ping is a new connection, as after a restart
		away := false
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err := db.PingContext(ctx)
			cancel()
			if err != nil {
				away = true
				continue
			}
			select {
			case <-restarted:
				away = true
			default:
			}
			if away {
				up <- time.Now()
				return
			}
		}
		<-restarted
		up <- time.Now() // never seen answering: the run's check will say what was lost
	}()
	return up
}

// start runs `serve` on addr and waits until /readyz answers 200.
func (fb *faultBench) start(addr string) error {
	logf, err := os.OpenFile(fb.childLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(fb.command[0], append(fb.command[1:], "serve", "--db", fb.dsn, "--addr", addr)...)
	cmd.Env = append(append(os.Environ(), "BANHAO_LOG_LEVEL=warn"), fb.env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return err
	}
	fb.child, fb.exited = cmd, make(chan struct{})
	go func(done chan struct{}) { cmd.Wait(); close(done) }(fb.exited)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-fb.exited:
			return fmt.Errorf("serve exited at start: %s", tail(fb.childLog))
		default:
		}
		if resp, err := http.Get(fb.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("serve not ready within a minute: %s", tail(fb.childLog))
}

// kill ends the server with SIGKILL: no shutdown, no flush, nothing finished.
func (fb *faultBench) kill() error {
	if err := fb.child.Process.Kill(); err != nil {
		return err
	}
	<-fb.exited
	fb.child = nil
	return nil
}

// stop ends the server as an operator does (SIGTERM) and waits for it.
func (fb *faultBench) stop() error {
	if fb.child == nil {
		return nil
	}
	defer func() { fb.child = nil }()
	if err := fb.child.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-fb.exited:
		return nil
	case <-time.After(30 * time.Second):
		fb.child.Process.Kill()
		return fmt.Errorf("serve did not stop within 30 s of SIGTERM")
	}
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// closeInheritedOnExec marks the files this process inherited (beyond stdin, stdout and stderr)
// close-on-exec, so no child keeps one open: run under `flock LOCKFILE`, the restarted
// PostgreSQL server would otherwise hold the lock for as long as it runs.
func closeInheritedOnExec() {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return // not Linux: nothing known to close
	}
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}

// freeLoopback finds a free port on 127.0.0.1, the only address the bench uses.
func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

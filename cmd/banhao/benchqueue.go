package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"banhao/app"
	"banhao/calendar"
	"banhao/demo"
	"banhao/payments"
	"banhao/queue/queuesim"
	"banhao/secret"
)

// cmdBenchQueue measures the hall:
//
//	replay: a simulated day (20,000 tickets, 150 counters) through the queue service on an
//	        injected clock: wall time and the wait estimates' mean absolute error;
//	load:   tickets and calls over HTTP at a fixed rate (open loop): latency per operation;
//	sse:    one call fanned out to many connected hall screens: delivery latency.
func cmdBenchQueue(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench queue", flag.ContinueOnError)
	dsn := fs.String("db", "", "database (default: a fresh SQLite file)")
	mode := fs.String("mode", "replay", "replay, load or sse")
	tickets := fs.Int("tickets", 20000, "replay: tickets in the day")
	counters := fs.Int("counters", 150, "replay: counters")
	seed := fs.Uint64("seed", 1, "replay: random seed of the day")
	busy := fs.Float64("busy", 1, "replay: scale of handling times (1.15: long queues at the peaks)")
	rate := fs.Int("rate", 200, "load: operations per second (half tickets, half calls)")
	seconds := fs.Int("seconds", 30, "load: duration")
	clients := fs.Int("clients", 2000, "sse: connected screens")
	calls := fs.Int("calls", 20, "sse: calls to fan out")
	profile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *mode != "replay" && *mode != "load" && *mode != "sse" {
		return usageError{"--mode must be replay, load or sse"}
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cleanup, err := benchDatabase(dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	a, err := openDemoApp(ctx, *dsn)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	switch *mode {
	case "replay":
		return benchReplay(ctx, a, stdout, *tickets, *counters, *seed, *busy)
	case "load":
		return benchQueueLoad(ctx, a, stdout, *rate, *seconds)
	default:
		return benchSSE(ctx, a, stdout, *clients, *calls)
	}
}

func benchReplay(ctx context.Context, a *app.App, stdout io.Writer, tickets, counters int, seed uint64, busy float64) error {
	// The same application on the simulated day's clock.
	clk := &queuesim.Clock{}
	sim, err := app.New(ctx, app.Config{DB: a.DB, Secret: secret.New([]byte("bench-replay-key-bench-replay-key")), Now: clk.Now,
		Location: a.Location, Logger: a.Logger, Settings: a.Settings, Files: a.Files.Place(), Bank: payments.NoBank{}})
	if err != nil {
		return err
	}
	q := sim.Queue
	cfg := queuesim.Config{Day: calendar.DateOf(time.Now(), a.Location).AddDays(1), Tickets: tickets, Counters: counters, Seed: seed,
		Services: slices.Clone(queuesim.DefaultServices), Location: a.Location, Busy: busy}
	if err := queuesim.Setup(ctx, q, demo.CenterCode, cfg); err != nil {
		return err
	}
	arrivals := queuesim.Generate(cfg)
	res, err := queuesim.Run(ctx, q, clk, arrivals)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "replayed %d tickets over %d counters on %s in %v (%d transactions, %d/s)\n", res.Tickets, counters, a.DB.Dialect,
		res.Wall.Round(time.Millisecond), res.Transactions, int(float64(res.Transactions)/res.Wall.Seconds()))
	fmt.Fprintf(stdout, "waits: mean %.1f min, max %.1f min, %.0f%% called within 15 min; last visit ended %s\n",
		res.MeanWait, res.MaxWait, res.Within15*100, res.LastEnded.In(a.Location).Format("15:04"))
	fmt.Fprintf(stdout, "estimate printed on the ticket vs the wait that followed: mean absolute error %.1f min, bias %+.1f min\n", res.MAE, res.Bias)
	return nil
}

// benchServerAsClerk serves the app on a loopback port, as serve does, and signs the demo clerk
// in: it returns the base URL, the clerk's token and the function that stops the server.
func benchServerAsClerk(a *app.App) (string, string, func(), error) {
	base, stop, err := benchServer(a)
	if err != nil {
		return "", "", nil, err
	}
	token, err := benchToken(base, "clerk")
	if err != nil {
		stop()
		return "", "", nil, err
	}
	return base, token, stop, nil
}

func benchServer(a *app.App) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	if err := a.Start(context.Background()); err != nil { // hall events, as serve hears them
		ln.Close()
		return "", nil, err
	}
	hs := &http.Server{Handler: a.Web.Handler()}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String(), func() { a.Web.Shutdown(); hs.Close(); _ = a.Stop(context.Background()) }, nil
}

func benchToken(base, user string) (string, error) {
	resp, err := http.Post(base+"/api/v1/login", "application/json", strings.NewReader(`{"username":"`+user+`","password":"`+demo.DemoPassword+`"}`))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		return "", fmt.Errorf("login %s: %d %v", user, resp.StatusCode, err)
	}
	return out.Token, nil
}

func benchQueueLoad(ctx context.Context, a *app.App, stdout io.Writer, rate, seconds int) error {
	base, token, stop, err := benchServerAsClerk(a)
	if err != nil {
		return err
	}
	defer stop()
	counters, err := a.Queue.Counters(ctx, demo.HallID)
	if err != nil {
		return err
	}
	svcs, err := a.Queue.Services(ctx, demo.HallID)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 10 * time.Second}
	post := func(path, body, token string) (int, error) {
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	// Warm up: a queue to call from.
	for i := range 200 {
		if _, err := post("/api/v1/tickets", `{"service":"`+svcs[i%len(svcs)].Code+`"}`, token); err != nil {
			return err
		}
	}
	var mu sync.Mutex
	var issueLat, callLat []time.Duration
	var failures int
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(rate)
	// The first five seconds at the same rate warm the connections and caches; they are not
	// counted.
	warm := rate * 5
	total := rate*seconds + warm
	rng := rand.New(rand.NewPCG(3, 4))
	start := time.Now()
	var measured time.Time
	for i := range total {
		if i == warm {
			measured = time.Now()
		}
		record := i >= warm
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		path, body, tok := "/api/v1/tickets", `{"service":"`+svcs[rng.IntN(len(svcs))].Code+`","phone":"138`+fmt.Sprintf("%08d", i)+`"}`, token
		isCall := i%2 == 1
		if isCall {
			path, body, tok = "/api/v1/counters/"+counters[(i/2)%len(counters)].ID+"/call", "", token
		}
		wg.Go(func() {
			t := time.Now()
			code, err := post(path, body, tok)
			d := time.Since(t)
			mu.Lock()
			defer mu.Unlock()
			if !record {
				return
			}
			if err != nil || (code != 201 && code != 200 && code != 204) {
				failures++
				return
			}
			if isCall {
				callLat = append(callLat, d)
			} else {
				issueLat = append(issueLat, d)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(measured)
	p := func(l []time.Duration, q float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		slices.Sort(l)
		return l[int(float64(len(l)-1)*q)].Round(10 * time.Microsecond)
	}
	fmt.Fprintf(stdout, "%s, %d operations at %d/s over HTTP in %v after 5 s of warm-up (%d failed):\n", a.DB.Dialect, total-warm, rate,
		elapsed.Round(time.Millisecond), failures)
	fmt.Fprintf(stdout, "  ticket issue: p50 %v  p99 %v  max %v\n", p(issueLat, .5), p(issueLat, .99), p(issueLat, 1))
	fmt.Fprintf(stdout, "  counter call: p50 %v  p99 %v  max %v\n", p(callLat, .5), p(callLat, .99), p(callLat, 1))
	return nil
}

func benchSSE(ctx context.Context, a *app.App, stdout io.Writer, clients, calls int) error {
	base, token, stop, err := benchServerAsClerk(a)
	if err != nil {
		return err
	}
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	transport := &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: clients, DisableCompression: true}
	var sent sync.Map // number → when the call was sent
	var mu sync.Mutex
	var lat []time.Duration
	var connected sync.WaitGroup
	connected.Add(clients)
	for range clients {
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/halls/"+demo.HallID+"/events", nil)
			resp, err := transport.RoundTrip(req)
			if err != nil {
				connected.Done()
				return
			}
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			first, call := true, false
			for sc.Scan() {
				line := sc.Text()
				if first {
					connected.Done()
					first = false
				}
				if line == "event: call" {
					call = true
					continue
				}
				if call && strings.HasPrefix(line, "data: ") {
					at := time.Now()
					var d struct{ Number string }
					_ = json.Unmarshal([]byte(line[6:]), &d)
					if t0, ok := sent.Load(d.Number); ok {
						mu.Lock()
						lat = append(lat, at.Sub(t0.(time.Time)))
						mu.Unlock()
					}
					call = false
				}
			}
		}()
	}
	connected.Wait()
	for a.Queue.Hub.Broker.Subscribers(demo.HallID) < clients {
		time.Sleep(10 * time.Millisecond)
	}
	for i := range calls {
		req, _ := http.NewRequest("POST", base+"/api/v1/tickets", strings.NewReader(`{"service":"Q-S05"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token) // staff: the anonymous budget would stop the run
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		var tk struct{ Number string }
		json.NewDecoder(resp.Body).Decode(&tk)
		resp.Body.Close()
		req, _ = http.NewRequest("POST", base+"/api/v1/counters/9/call", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		sent.Store(tk.Number, time.Now())
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		_ = i
		time.Sleep(300 * time.Millisecond)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(lat)
		mu.Unlock()
		if n >= clients*calls || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lat)
	p := func(q float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(float64(len(lat)-1)*q)].Round(10 * time.Microsecond)
	}
	fmt.Fprintf(stdout, "%s, %d connected screens, %d calls: %d of %d deliveries; from sending the call to the event on each screen: p50 %v  p99 %v  max %v\n",
		a.DB.Dialect, clients, calls, len(lat), clients*calls, p(.5), p(.99), p(1))
	return nil
}

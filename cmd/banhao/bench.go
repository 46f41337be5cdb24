package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"banhao/app"
	"banhao/audit"
	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/store"
)

// benchQueries are what citizens type: parts of names, a department word, a code fragment.
var benchQueries = []string{"营业执照", "公积金", "不动产", "许可", "登记", "驾驶", "社会保险", "医疗", "食品", "3716", "施工", "户口", "备案", "证明", "补贴", ""}

// cmdBenchSearch measures in-process catalog search over a catalog of --items items on a fresh
// SQLite database, and prints the latency distribution.
func cmdBenchSearch(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench search", flag.ContinueOnError)
	items := fs.Int("items", 5000, "catalog size")
	n := fs.Int("n", 20000, "searches to run")
	keep := fs.String("db", "", "keep the catalog in this (empty) database, e.g. to load-test a server on it")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	dsn := *keep
	if dsn == "" {
		dir, err := os.MkdirTemp("", "banhao-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dsn = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	a, err := openApp(ctx, dsn, false, newLogger(io.Discard), readSettings(false))
	if err != nil {
		return err
	}
	defer a.DB.Close()
	f, err := demo.SyntheticCatalog(*items)
	if err != nil {
		return err
	}
	start := time.Now()
	if _, err := a.Catalog.Import(ctx, audit.System, f); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d items in %v\n", len(f.Items), time.Since(start).Round(time.Millisecond))
	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]time.Duration, *n)
	total := 0
	for i := range lat {
		q := catalog.Query{Q: benchQueries[rng.IntN(len(benchQueries))], Limit: 20}
		t := time.Now()
		res, err := a.Catalog.Search(ctx, q)
		lat[i] = time.Since(t)
		if err != nil {
			return err
		}
		total += res.Total
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }
	fmt.Fprintf(stdout, "search over %d items, %d queries: p50 %v  p90 %v  p99 %v  max %v  (mean hits %d)\n",
		len(f.Items), *n, pct(.5), pct(.9), pct(.99), lat[len(lat)-1], total/len(lat))
	return nil
}

// cmdBenchIntake measures intake — create and accept, each with its audit entries, timeline and
// warning jobs — from concurrent clients, and a plain insert of the same case rows in the same
// run as the baseline.
func cmdBenchIntake(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench intake", flag.ContinueOnError)
	dsn := fs.String("db", "", "database (default: a fresh SQLite file)")
	n := fs.Int("n", 4000, "cases")
	clients := fs.Int("clients", 8, "concurrent clients")
	bundle := fs.String("bundle", "", "apply for this bundle (e.g. KBQY) instead of one item")
	oneStep := fs.Bool("one-step", false, "register and accept in one request (the window's one step)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the intake phase to this file")
	memProfile := fs.String("memprofile", "", "write an allocation profile of the whole run to this file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	gcDefaults() // as serve runs; GOGC=100 measures Go's default
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
	res, err := a.Catalog.Search(ctx, catalog.Query{Q: "个体工商户设立登记"})
	if err != nil || res.Total == 0 {
		return fmt.Errorf("bench: demo item missing")
	}
	item := res.Items[0].Code
	png := tinyPNG()
	clerk := audit.Actor{Username: "clerk", Role: "clerk"}
	f, err := a.Files.Save(ctx, clerk, "scan.png", bytes.NewReader(png))
	if err != nil {
		return err
	}
	refs := []cases.MaterialRef{{MaterialID: "m1", FileID: f.ID}, {MaterialID: "m2", FileID: f.ID}, {MaterialID: "m3", FileID: f.ID}}
	applicant := cases.Applicant{Type: "person", Name: "压测申请人", IDNumber: "11010519491231002X", Phone: "13805431234"}

	run := func(work func(i int) error) (time.Duration, error) {
		start := time.Now()
		var next atomic.Int64
		errc := make(chan error, *clients)
		for range *clients {
			go func() {
				for {
					i := int(next.Add(1))
					if i > *n {
						errc <- nil
						return
					}
					if err := work(i); err != nil {
						errc <- err
						return
					}
				}
			}()
		}
		for range *clients {
			if err := <-errc; err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}

	// Baseline: the same case row and one timeline row, one transaction each, nothing else.
	stamp := time.Now().UnixNano()
	plain, err := run(func(i int) error {
		return a.DB.Tx(ctx, func(tx *store.Tx) error {
			number := fmt.Sprintf("BASE-%d-%07d", stamp, i)
			now := time.Now().UTC()
			if _, err := tx.ExecContext(ctx, `INSERT INTO cases (number, item_code, item_version, item_name, department_code, region_code, status, channel,
				applicant_type, applicant_name, applicant_id_enc, applicant_id_idx, applicant_phone_enc, applicant_phone_idx, limit_value, limit_unit,
				created_by, submitted_at, updated_at) VALUES (?, ?, 1, 'x', 'XZSP', '371600000000', 'accepted', 'window', 'person', 'x', 'x', 'x', 'x', 'x', 0, 'immediate', 'bench', ?, ?)`,
				number, item, now, now); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_number, at, action, actor, role, status) VALUES (?, ?, 'accept', 'bench', 'clerk', 'accepted')`, number, now)
			return err
		})
	})
	if err != nil {
		return err
	}
	in := cases.CreateInput{Item: item, Applicant: applicant, Materials: refs}
	if *bundle != "" {
		if in, err = benchBundleInput(ctx, a, *bundle, f.ID); err != nil {
			return err
		}
	}
	if *oneStep {
		in.Accept = &cases.AcceptInput{}
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
	}
	// The fold job of the supervision figures runs meanwhile, as under serve.
	stopFold, folded := make(chan struct{}), make(chan [2]int)
	go func() {
		var folds, rows int
		tick := time.NewTicker(cases.FoldEvery)
		defer tick.Stop()
		for {
			select {
			case <-stopFold:
				folded <- [2]int{folds, rows}
				return
			case <-tick.C:
				if n, err := cases.FoldStats(ctx, a.DB); err == nil {
					folds, rows = folds+1, rows+n
				}
			}
		}
	}()
	full, err := run(func(i int) error {
		c, _, err := a.Cases.Create(ctx, clerk, in, "")
		if err != nil || *oneStep {
			return err
		}
		_, err = a.Cases.Accept(ctx, clerk, c.Number, cases.AcceptInput{})
		return err
	})
	close(stopFold)
	fold := <-folded
	if *memProfile != "" {
		if err := writeHeapProfile(*memProfile); err != nil {
			return err
		}
	}
	if *profile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	rate := func(d time.Duration) float64 { return float64(*n) / d.Seconds() }
	if *bundle != "" {
		fmt.Fprintf(stdout, "%s, %d clients, %d applications for bundle %s (parent and children; one-step %v): %.0f bundles/s\n",
			a.DB.Dialect, *clients, *n, *bundle, *oneStep, rate(full))
		return nil
	}
	how := "create, then accept"
	if *oneStep {
		how = "create and accept in one step"
	}
	fmt.Fprintf(stdout, "%s, %d clients, %d cases:\n  plain insert (case row + one event): %.0f cases/s\n  intake (%s, audit, timeline, jobs): %.0f cases/s = %.2f × the plain insert\n",
		a.DB.Dialect, *clients, *n, rate(plain), how, rate(full), rate(full)/rate(plain))
	fmt.Fprintf(stdout, "  figures folded meanwhile: %d times, %d changes\n", fold[0], fold[1])
	return nil
}

// writeHeapProfile writes the allocations so far (go tool pprof -sample_index=alloc_space).
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("allocs").WriteTo(f, 0)
}

func tinyPNG() []byte {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	return buf.Bytes()
}

// cmdBenchCases fills a database with --cases cases (generated in bulk by SQL, two timeline
// entries each, spread over 10 departments and all statuses) and measures a case lookup
// (GET /api/v1/cases/{number} without HTTP) and a department's work queue (its first page).
func cmdBenchCases(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench cases", flag.ContinueOnError)
	dsn := fs.String("db", "", "database to fill (kept, so a second run measures only)")
	total := fs.Int("cases", 1_000_000, "cases in the database")
	n := fs.Int("n", 2000, "lookups and queue reads to time")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *dsn == "" {
		return usageError{"bench cases needs --db (the generated database is kept for reuse)"}
	}
	a, err := openDemoApp(ctx, *dsn)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	var have int
	if err := a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE number LIKE 'B-%'`).Scan(&have); err != nil {
		return err
	}
	if have < *total {
		start := time.Now()
		if err := bulkCases(ctx, a, have, *total); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "generated %d cases in %v\n", *total-have, time.Since(start).Round(time.Second))
	}
	rng := rand.New(rand.NewPCG(7, 7))
	approver := audit.Actor{Username: "bench", Role: "supervisor"}
	lookup := make([]time.Duration, *n)
	for i := range lookup {
		number := fmt.Sprintf("B-%07d", rng.IntN(*total))
		t := time.Now()
		if _, err := a.Cases.Get(ctx, approver, number); err != nil {
			return fmt.Errorf("lookup %s: %w", number, err)
		}
		lookup[i] = time.Since(t)
	}
	depts := []string{"XZSP", "SCJG", "SWJ", "GAJ", "JJZD", "RSJ", "YBJ", "GJJ", "BDC", "ZJJ"}
	queue := make([]time.Duration, *n)
	var rows int
	for i := range queue {
		officer := audit.Actor{Username: "bench", Role: "approver", Department: depts[rng.IntN(len(depts))]}
		t := time.Now()
		list, count, err := a.Cases.List(ctx, officer, cases.Query{Status: "accepted", Limit: 50})
		if err != nil {
			return err
		}
		queue[i] = time.Since(t)
		rows, _ = len(list), count
	}
	slices.Sort(lookup)
	slices.Sort(queue)
	p := func(l []time.Duration, q float64) time.Duration { return l[int(float64(len(l)-1)*q)] }
	fmt.Fprintf(stdout, "%s with %d cases:\n  case lookup (case, materials, 容缺, timeline): p50 %v  p99 %v\n  department work queue (accepted, soonest due, 50 of its cases, with total): p50 %v  p99 %v  (%d rows a page)\n",
		a.DB.Dialect, *total, p(lookup, .5), p(lookup, .99), p(queue, .5), p(queue, .99), rows)
	return nil
}

// bulkCases inserts cases B-<from>…B-<to-1> with set-based SQL: 10 departments, statuses in
// realistic shares (most cases finished), dues spread over two years.
func bulkCases(ctx context.Context, a *app.App, from, to int) error {
	res, err := a.Catalog.Search(ctx, catalog.Query{Q: "个体工商户设立登记"})
	if err != nil || res.Total == 0 {
		return fmt.Errorf("bench: demo item missing")
	}
	item := res.Items[0].Code
	const chunk = 100_000
	for lo := from; lo < to; lo += chunk {
		hi := min(lo+chunk, to)
		series := fmt.Sprintf(`WITH RECURSIVE s(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM s WHERE i < %d) `, lo, hi-1)
		if a.DB.Dialect == store.Postgres {
			series = fmt.Sprintf(`WITH s(i) AS (SELECT generate_series(%d, %d)) `, lo, hi-1)
		}
		caseSQL := series + `INSERT INTO cases (number, item_code, item_version, item_name, department_code, region_code, status, channel,
			applicant_type, applicant_name, applicant_id_enc, applicant_id_idx, applicant_phone_enc, applicant_phone_idx,
			limit_value, limit_unit, accepted_on, due, yellow_from, red_from, created_by, submitted_at, updated_at)
			SELECT 'B-' || substr('0000000' || i, -7), ?, 1, '个体工商户设立登记',
			CASE i % 10 WHEN 0 THEN 'XZSP' WHEN 1 THEN 'SCJG' WHEN 2 THEN 'SWJ' WHEN 3 THEN 'GAJ' WHEN 4 THEN 'JJZD' WHEN 5 THEN 'RSJ'
				WHEN 6 THEN 'YBJ' WHEN 7 THEN 'GJJ' WHEN 8 THEN 'BDC' ELSE 'ZJJ' END, '371600000000',
			CASE WHEN i % 100 < 70 THEN 'delivered' WHEN i % 100 < 85 THEN 'accepted' WHEN i % 100 < 92 THEN 'decided' ELSE 'submitted' END,
			'window', 'person', '批量申请人', ?, 'x', ?, 'x', 5, 'working_day', '2026-01-05', ?, ?, ?, 'bench', ?, ?
			FROM s`
		if a.DB.Dialect == store.Postgres {
			caseSQL = strings.Replace(caseSQL, "substr('0000000' || i, -7)", "lpad(i::text, 7, '0')", 1)
		}
		// One sealed ID and phone stand for all: a lookup still decrypts them as a real one does.
		idEnc, phoneEnc := a.PII.Seal("11010519491231002X"), a.PII.Seal("13805431234")
		now := time.Now().UTC()
		err := a.DB.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, caseSQL, item, idEnc, phoneEnc, "2026-12-31", "2026-12-30", "2027-01-01", now, now); err != nil {
				return err
			}
			evSQL := series + `INSERT INTO case_events (case_number, at, action, actor, role, status)
				SELECT 'B-' || substr('0000000' || i, -7), ?, 'submit', 'bench', 'clerk', 'submitted' FROM s
				UNION ALL SELECT 'B-' || substr('0000000' || i, -7), ?, 'accept', 'bench', 'clerk', 'accepted' FROM s`
			if a.DB.Dialect == store.Postgres {
				evSQL = strings.ReplaceAll(evSQL, "substr('0000000' || i, -7)", "lpad(i::text, 7, '0')")
				evSQL = strings.ReplaceAll(evSQL, "?, '", "?::timestamptz, '") // a bare parameter in a UNION is text
			}
			_, err := tx.ExecContext(ctx, evSQL, now, now)
			return err
		})
		if err != nil {
			return fmt.Errorf("bulk %d–%d: %w", lo, hi, err)
		}
	}
	// After a bulk load PostgreSQL's visibility map is empty until autovacuum runs; set it now,
	// as an operator does after an import, so counts are index-only as in steady state.
	maintenance := `ANALYZE`
	if a.DB.Dialect == store.Postgres {
		maintenance = `VACUUM ANALYZE cases`
	}
	_, err = a.DB.ExecContext(ctx, maintenance)
	return err
}

// benchBundleInput is a complete application for a demo bundle: the merged form and every
// required material of its first stage.
func benchBundleInput(ctx context.Context, a *app.App, code, file string) (cases.CreateInput, error) {
	b, err := a.Catalog.Bundle(ctx, code)
	if err != nil {
		return cases.CreateInput{}, err
	}
	samples := map[string]string{"text": "滨州示例科技有限公司", "number": "100", "date": "2026-11-26", "id_number": "11010519491231002X",
		"credit_code": "91350100M000100Y43", "phone": "13805431234", "address": "滨州市黄河五路391号"}
	form := map[string]string{}
	for _, f := range b.Form.Fields {
		if f.Type == "choice" {
			form[f.Key] = f.Options[0]
		} else {
			form[f.Key] = samples[f.Type]
		}
	}
	raw, _ := json.Marshal(form)
	in := cases.CreateInput{Bundle: code, Form: raw, Applicant: cases.Applicant{Type: "organization", Name: "滨州示例科技有限公司",
		IDNumber: "91350100M000100Y43", Phone: "13805431234"}}
	for _, ic := range b.Stages[0].Items {
		it, err := a.Catalog.Item(ctx, ic)
		if err != nil {
			return in, err
		}
		for _, m := range it.Materials {
			if m.Required && m.Source != catalog.SourceShared {
				in.Materials = append(in.Materials, cases.MaterialRef{Item: ic, MaterialID: m.ID, FileID: file})
			}
		}
	}
	return in, nil
}

// benchDatabase points an empty --db at a fresh SQLite file in a temporary folder, removed by
// the returned function.
func benchDatabase(dsn *string) (func(), error) {
	if *dsn != "" {
		return func() {}, nil
	}
	dir, err := os.MkdirTemp("", "banhao-bench-")
	if err != nil {
		return nil, err
	}
	*dsn = "sqlite:" + filepath.Join(dir, "bench.db")
	return func() { os.RemoveAll(dir) }, nil
}

// openDemoApp opens a benchmark database, loading the demo center into it when it is empty.
func openDemoApp(ctx context.Context, dsn string) (*app.App, error) {
	a, err := openApp(ctx, dsn, false, newLogger(io.Discard), readSettings(true))
	if err != nil {
		return nil, err
	}
	if empty, _ := demo.Empty(ctx, a.DB); empty {
		if _, err := demo.Load(ctx, a.DB, demo.Services{Catalog: a.Catalog, Users: a.Identity, Hall: a.Queue, Certs: a.Certs, Applicants: a.Applicants, Cases: a.Cases}); err != nil {
			a.DB.Close()
			return nil, err
		}
	}
	return a, nil
}

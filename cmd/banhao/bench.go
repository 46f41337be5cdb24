package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"banhao/audit"
	"banhao/catalog"
	"banhao/demo"
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
	a, err := openApp(ctx, dsn, false, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer a.db.Close()
	f, err := demo.SyntheticCatalog(*items)
	if err != nil {
		return err
	}
	start := time.Now()
	if _, err := a.catalog.Import(ctx, audit.System, f); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d items in %v\n", len(f.Items), time.Since(start).Round(time.Millisecond))
	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]time.Duration, *n)
	total := 0
	for i := range lat {
		q := catalog.Query{Q: benchQueries[rng.IntN(len(benchQueries))], Limit: 20}
		t := time.Now()
		res, err := a.catalog.Search(ctx, q)
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

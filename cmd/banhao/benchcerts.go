package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"banhao/app"
	"banhao/audit"
	"banhao/calendar"
	"banhao/certs"
	"banhao/store"
)

// cmdBenchCerts fills the certificate library with --certs certificates held by --certs/2.5
// holders (real identifiers, real keyed-hash holder indexes, sealed holder IDs) and times a
// holder's lookup as the account page, the kiosk and the reuse check make it: every
// certificate of the holder, decrypted, newest first.
func cmdBenchCerts(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench certs", flag.ContinueOnError)
	dsn := fs.String("db", "", "database to fill (kept, so a second run measures only)")
	total := fs.Int("certs", 5_000_000, "certificates in the library")
	n := fs.Int("n", 20_000, "lookups to time")
	clients := fs.Int("clients", 8, "concurrent clients for the second round")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *dsn == "" {
		return usageError{"bench certs needs --db (the generated database is kept for reuse)"}
	}
	a, err := openApp(ctx, *dsn, false, newLogger(io.Discard), readSettings(false))
	if err != nil {
		return err
	}
	defer a.DB.Close()
	if err := a.Certs.SaveType(ctx, audit.System, certs.Type{Code: "BENCH", Name: "压测证照", HolderKind: certs.Person}); err != nil {
		return err
	}
	holders := max(1, *total*2/5)
	holderID := func(h int) string { return fmt.Sprintf("B%017d", h) }
	var have int
	if err := a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM certificates WHERE type_code = 'BENCH'`).Scan(&have); err != nil {
		return err
	}
	if have < *total {
		start := time.Now()
		if err := bulkCertificates(ctx, a, have, *total, holders, holderID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "generated %d certificates for %d holders in %v\n", *total-have, holders, time.Since(start).Round(time.Second))
	}
	rng := rand.New(rand.NewPCG(11, 11))
	lookup := func(count int) ([]time.Duration, int, error) {
		out := make([]time.Duration, count)
		found := 0
		for i := range out {
			id := holderID(rng.IntN(holders))
			t := time.Now()
			cs, err := a.Certs.Held(ctx, id)
			if err != nil {
				return nil, 0, err
			}
			out[i] = time.Since(t)
			found += len(cs)
		}
		return out, found, nil
	}
	one, found, err := lookup(*n)
	if err != nil {
		return err
	}
	// The same lookups from several clients at once.
	var mu sync.Mutex
	var many []time.Duration
	var wg sync.WaitGroup
	var firstErr error
	start := time.Now()
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, seed))
			local := make([]time.Duration, 0, *n / *clients)
			for i := 0; i < *n / *clients; i++ {
				t := time.Now()
				if _, err := a.Certs.Held(ctx, holderID(r.IntN(holders))); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				local = append(local, time.Since(t))
			}
			mu.Lock()
			many = append(many, local...)
			mu.Unlock()
		}(uint64(c + 100))
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return firstErr
	}
	slices.Sort(one)
	slices.Sort(many)
	p := func(l []time.Duration, q float64) time.Duration { return l[int(float64(len(l)-1)*q)] }
	fmt.Fprintf(stdout, "%s, %d certificates, %d holders (%.1f certificates a lookup):\n", a.DB.Dialect, *total, holders, float64(found)/float64(*n))
	fmt.Fprintf(stdout, "  lookup by holder, 1 client:  p50 %v  p99 %v  max %v\n", p(one, .5), p(one, .99), one[len(one)-1])
	fmt.Fprintf(stdout, "  lookup by holder, %d clients: p50 %v  p99 %v  (%.0f lookups/s)\n", *clients, p(many, .5), p(many, .99), float64(len(many))/elapsed.Seconds())
	return nil
}

// bulkCertificates inserts certificates from..to-1 in multi-row statements, 2,000 rows each,
// 50,000 a transaction. Certificate i belongs to holder i mod holders.
func bulkCertificates(ctx context.Context, a *app.App, from, to, holders int, holderID func(int) string) error {
	const rowsPerStmt, rowsPerTx = 2000, 50_000
	issuer := "11371600042600004Q"
	// One sealed holder ID stands for all (a lookup still decrypts it per certificate, as a
	// real one does); the index is each holder's own.
	enc := a.PII.Seal("B00000000000000000")
	head := `INSERT INTO certificates (id, type_code, number, holder_kind, holder_name, holder_id_enc, holder_id_idx, issuer_code, issuer_name,
		issued_on, expires_on, data, status, source, created_at) VALUES `
	row := `(?, 'BENCH', ?, 'person', '批量持证人', '` + enc + `', ?, '` + issuer + `', '滨州市行政审批服务局', ?, NULL, '{}', 'valid', 'import', ?)`
	base := calendar.MustDate("2015-01-01")
	now := time.Now().UTC()
	for lo := from; lo < to; lo += rowsPerTx {
		hi := min(lo+rowsPerTx, to)
		err := a.DB.Tx(ctx, func(tx *store.Tx) error {
			for s := lo; s < hi; s += rowsPerStmt {
				e := min(s+rowsPerStmt, hi)
				var sb strings.Builder
				sb.WriteString(head)
				args := make([]any, 0, (e-s)*5)
				for i := s; i < e; i++ {
					if i > s {
						sb.WriteByte(',')
					}
					sb.WriteString(row)
					args = append(args, certs.Identifier("BENCH", issuer, int64(i+1), 1), fmt.Sprintf("BENCH%09d", i),
						a.Certs.HolderIndex(holderID(i%holders)), base.AddDays(i%4000), now)
				}
				if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("bench certificates %d–%d: %w", lo, hi, err)
		}
	}
	_, err := a.DB.ExecContext(ctx, `ANALYZE`)
	return err
}

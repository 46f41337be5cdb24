package files_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"banhao/audit"
	"banhao/files"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

// BenchmarkFile20MiB uploads and reads a 20 MiB file (the upload limit) through each place on
// each engine, reporting besides the time the heap the operation took at its peak above what was
// live before it (sampled every millisecond) and the bytes it allocated in all:
//
//	BANHAO_TEST_POSTGRES=… go test ./files -run - -bench File20MiB -benchtime 5x
func BenchmarkFile20MiB(b *testing.B) {
	engines := map[string]func(testing.TB) *store.DB{"sqlite": storetest.SQLite}
	if storetest.PostgresDSN() != "" {
		engines["postgres"] = storetest.Postgres
	}
	for engine, open := range engines {
		for place, p := range map[string]func(string) files.Place{
			"db":  func(string) files.Place { return files.Place{} },
			"dir": func(d string) files.Place { return files.Place{Dir: d} },
		} {
			db := open(b)
			s := wiring.Must(files.NewIn(db, wiring.Must(audit.New([]byte("k"), time.Now)), p(b.TempDir()), time.Now))
			data := pdfOf(b, files.MaxSize)
			ctx := context.Background()
			var saved []files.File
			b.Run(engine+"/"+place+"/upload", func(b *testing.B) {
				var m memory
				for i := 0; b.Loop(); i++ {
					binary.BigEndian.PutUint64(data[16:], uint64(time.Now().UnixNano())) // new bytes each time: none stored already
					var f files.File
					measure(b, &m, func() {
						var err error
						if f, err = s.Save(ctx, audit.System, "big.pdf", bytes.NewReader(data)); err != nil {
							b.Fatal(err)
						}
					})
					saved = append(saved, f)
				}
				m.report(b)
			})
			// read-gc1 reads with the collector at GOGC=1, so that garbage hardly outlives its
			// chunk: its peak is the read's working set, where read's is what the default pacing
			// lets pile up beside the 20 MiB this benchmark keeps live.
			for _, gc := range []int{100, 1} {
				name := map[int]string{100: "/read", 1: "/read-gc1"}[gc]
				b.Run(engine+"/"+place+name, func(b *testing.B) {
					if len(saved) == 0 {
						b.Skip("reads what the upload benchmark saved: run it too")
					}
					defer debug.SetGCPercent(debug.SetGCPercent(gc))
					var m memory
					for i := 0; b.Loop(); i++ {
						f := saved[i%len(saved)]
						measure(b, &m, func() {
							r, err := s.Open(f)
							if err != nil {
								b.Fatal(err)
							}
							if n, err := io.Copy(io.Discard, r); err != nil || n != files.MaxSize {
								b.Fatalf("read %d bytes: %v", n, err)
							}
							r.Close()
						})
					}
					m.report(b)
				})
			}
		}
	}
}

// memory is what the operations of a benchmark took: the highest peak, and the bytes allocated.
type memory struct {
	peak, alloc uint64
	n           int
}

func (m *memory) report(b *testing.B) {
	b.ReportMetric(float64(m.peak)/(1<<20), "peak-MiB")
	b.ReportMetric(float64(m.alloc)/float64(m.n)/(1<<20), "alloc-MiB/op")
}

// measure runs op, the timer running for op alone, and adds to m its peak heap above the live
// heap before it and what it allocated.
func measure(b *testing.B, m *memory, op func()) {
	b.StopTimer()
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(sample)
	base, allocs := sample[0].Value.Uint64(), sample[1].Value.Uint64()
	peak := base
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	b.StartTimer()
	op()
	b.StopTimer()
	close(done)
	wg.Wait()
	metrics.Read(sample)
	m.peak = max(m.peak, peak-base)
	m.alloc += sample[1].Value.Uint64() - allocs
	m.n++
	b.StartTimer()
}

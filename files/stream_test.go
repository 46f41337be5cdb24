package files_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"banhao/audit"
	"banhao/errs"
	"banhao/files"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

// upload is a PDF-looking upload of n bytes generated as it is read (seed picks the bytes), so
// that the test itself holds none of it in memory.
func upload(seed uint64, n int64) io.Reader {
	var key [32]byte
	key[0] = byte(seed)
	return io.MultiReader(bytes.NewReader([]byte("%PDF-1.4\n")), io.LimitReader(rand.NewChaCha8(key), n-9))
}

// onlyReader hides every method of r but Read (a request body that cannot seek).
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// sameBytes reports whether want and got read the same bytes, comparing a buffer at a time.
func sameBytes(t *testing.T, want, got io.Reader) {
	t.Helper()
	a, b := make([]byte, 64<<10), make([]byte, 64<<10)
	var off int64
	for {
		n, errA := io.ReadFull(want, a)
		m, errB := io.ReadFull(got, b[:n])
		if m != n || !bytes.Equal(a[:n], b[:m]) {
			t.Fatalf("the bytes read back differ at or after byte %d", off)
		}
		off += int64(n)
		if errA != nil {
			if k, _ := got.Read(b[:1]); k != 0 {
				t.Fatalf("the bytes read back are longer than the %d uploaded", off)
			}
			return
		}
		if errB != nil {
			t.Fatalf("reading back at byte %d: %v", off, errB)
		}
	}
}

// peakHeap runs op and returns roughly the most heap (runtime.MemStats.HeapAlloc) it held above
// what was live before it, sampled every few milliseconds.
func peakHeap(op func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	op()
	close(done)
	wg.Wait()
	return peak - base
}

// TestLargeUploadStreams: a 15 MiB upload is saved and read back byte for byte equal, into the
// database (in chunks) and into a directory, on each engine, from a body that can seek (a
// multipart file) and from one that cannot (copied to a temporary file first); its size and hash
// are right. An upload of MaxSize+1 bytes is refused on the field file with 文件超过 20 MiB.
// The heap each save took at its peak is logged (go test -v), not asserted.
func TestLargeUploadStreams(t *testing.T) {
	const size = 15 << 20
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for place, p := range map[string]files.Place{"db": {}, "dir": {Dir: t.TempDir()}} {
			s := wiring.Must(files.NewIn(db, wiring.Must(audit.New([]byte("k"), time.Now)), p, time.Now))
			for i, body := range map[string]func(seed uint64) io.Reader{
				"seekable": func(seed uint64) io.Reader {
					b, _ := io.ReadAll(upload(seed, size))
					return bytes.NewReader(b)
				},
				"stream": func(seed uint64) io.Reader { return onlyReader{upload(seed, size)} },
			} {
				seed := uint64(len(place)*10 + len(i))
				r := body(seed)
				var f files.File
				var err error
				peak := peakHeap(func() { f, err = s.Save(ctx, audit.System, "big.pdf", r) })
				if err != nil {
					t.Fatalf("%s, %s body: %v", place, i, err)
				}
				t.Logf("%s, %s body: saving 15 MiB took a heap of about %.1f MiB at its peak", place, i, float64(peak)/(1<<20))
				if f.Size != size || f.ContentType != "application/pdf" || len(f.SHA256) != 64 {
					t.Errorf("%s, %s body: saved %+v", place, i, f)
				}
				back, err := s.Open(f)
				if err != nil {
					t.Fatal(err)
				}
				sameBytes(t, upload(seed, size), back)
				back.Close()
			}
			// Shorter than the 512 bytes the type is sniffed from.
			small := []byte("%PDF-1.4\n%%EOF\n")
			f, err := s.Save(ctx, audit.System, "small.pdf", bytes.NewReader(small))
			if err != nil {
				t.Fatalf("%s: a %d-byte upload: %v", place, len(small), err)
			}
			if back, err := s.Open(f); err != nil {
				t.Fatal(err)
			} else {
				sameBytes(t, bytes.NewReader(small), back)
				back.Close()
			}
			_, err = s.Save(ctx, audit.System, "huge.pdf", onlyReader{upload(9, files.MaxSize+1)})
			e, ok := errs.As(err)
			if !ok || e.Code != errs.CodeTooLarge || e.Message != "文件超过 20 MiB" || len(e.Fields) == 0 || e.Fields[0].Field != "file" {
				t.Errorf("%s: an upload of MaxSize+1 bytes: %#v, want too large on the field file", place, err)
			}
		}
	})
}

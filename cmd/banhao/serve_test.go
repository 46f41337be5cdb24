package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a buffer the server goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestServeDemoAndStopCleanly starts `serve --demo` on a free port, uses it, then stops it the
// way SIGTERM does (the signal context is cancelled) and expects a clean exit.
func TestServeDemoAndStopCleanly(t *testing.T) {
	t.Setenv("BANHAO_LOG_LEVEL", "warn")
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", "sqlite:" + filepath.Join(dir, "b.db")}, strings.NewReader(""), &out, &errOut)
	}()
	addr := regexp.MustCompile(`listening on (http://[0-9.:]+)`)
	var base string
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) { // slow under -race on 2 cores
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		t.Fatalf("server did not start: %s %s", out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "admin") || !strings.Contains(out.String(), "banhao-demo-2026") {
		t.Fatalf("demo accounts not printed: %s", out.String())
	}
	resp, err := http.Get(base + "/api/v1/items?q=%E5%85%AC%E7%A7%AF%E9%87%91")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "公积金") {
		t.Fatalf("search on the demo server: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(25 * time.Second):
		t.Fatal("serve did not stop")
	}
}

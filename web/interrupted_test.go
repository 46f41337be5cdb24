package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"banhao/identity"
)

// TestInterruptedUploadIsTheClients: a body that ends before its declared length (the client
// went away mid-upload, io.ErrUnexpectedEOF — the same error value a dropped database
// connection ends in) is the client's: 400 上传中断, not 503 数据库不可用 — a file's multipart
// form and an API's JSON alike.
func TestInterruptedUploadIsTheClients(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	for _, tc := range []struct{ path, ct, part string }{
		{"/api/v1/files", "multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n"},
		{"/api/v1/cases", "application/json", `{"item":"`},
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(h.ts.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		// Content-Length promises more than is sent; the client then stops sending.
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
			tc.path, clerk.Token, tc.ct, len(tc.part)+4096, tc.part)
		_ = conn.(*net.TCPConn).CloseWrite()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		conn.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), "上传中断") {
			t.Errorf("%s interrupted: %d %s, want 400 上传中断", tc.path, resp.StatusCode, body)
		}
	}
}

// TestSlowUploadIsGivenTime: behind a server that reads every request within a second, a
// signed-in clerk's upload that pauses longer still arrives (an upload is given the time its
// largest body takes on a slow link); a JSON body that stops arriving is told 408 上传超时, not
// 上传中断 nor a database error.
func TestSlowUploadIsGivenTime(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	srv := httptest.NewUnstartedServer(h.srv.Handler())
	srv.Config.ReadTimeout = time.Second
	srv.Start()
	defer srv.Close()
	send := func(path, ct string, parts ...string) (*http.Response, string) {
		t.Helper()
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		n := 0
		for _, p := range parts {
			n += len(p)
		}
		if strings.HasPrefix(ct, "application/json") {
			n += 4096 // promised, never sent
		}
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", path, clerk.Token, ct, n)
		for i, p := range parts {
			if i > 0 {
				time.Sleep(1500 * time.Millisecond) // longer than the server's read timeout
			}
			if _, err := io.WriteString(conn, p); err != nil {
				t.Fatalf("%s: writing part %d: %v", path, i, err)
			}
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(body)
	}
	head := "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
	if resp, body := send("/api/v1/files", "multipart/form-data; boundary=XyZ", head, onePDF+"\r\n--XyZ--\r\n"); resp.StatusCode != 201 {
		t.Errorf("a slow upload: %d %s, want 201", resp.StatusCode, body)
	}
	if resp, body := send("/api/v1/cases", "application/json", `{"item":"`); resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(body, "上传超时") {
		t.Errorf("a JSON body that stops: %d %s, want 408 上传超时", resp.StatusCode, body)
	}
}

package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

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

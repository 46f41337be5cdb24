package web_test

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// TestSecurityTextIsCleanUTF8: a page form with invalid UTF-8 or a NUL (caller_name=%FF%FE%00)
// is refused with 400 before anything is stored, as is a JSON body with invalid UTF-8 or an
// escaped control character in a text field; tabs and line breaks pass.
func TestSecurityTextIsCleanUTF8(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		op := h.sessions[identity.Hotline]
		count := func() int {
			var n int
			if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM hotline_tickets`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		for _, name := range []string{"%FF%FE%00", "%E6%9D%8E%00", "a%1Bb"} {
			body := "csrf=" + op.CSRF + "&caller_name=" + name + "&caller_phone=13805439999&category=%E6%8A%95%E8%AF%89&content=%E7%AA%97%E5%8F%A3%E7%AD%89%E4%BA%86%E4%B8%A4%E4%B8%AA%E5%B0%8F%E6%97%B6"
			resp := h.do(t, "POST", "/hotline/tickets", web.Page, &op, strings.NewReader(body), "application/x-www-form-urlencoded")
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 400 || !strings.Contains(string(b), "控制字符") {
				t.Errorf("caller_name=%s: %d, want 400 saying why", name, resp.StatusCode)
			}
		}
		for _, body := range []string{
			`{"caller":{"name":"李\u0000","phone":"13805439999"},"category":"投诉","content":"窗口等了两个小时"}`,
			"{\"caller\":{\"name\":\"李\xff\",\"phone\":\"13805439999\"},\"category\":\"投诉\",\"content\":\"窗口等了两个小时\"}",
		} {
			resp := h.do(t, "POST", "/api/v1/hotline/tickets", web.API, &op, strings.NewReader(body), "application/json")
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 400 || !strings.Contains(string(b), "控制字符") {
				t.Errorf("JSON %q: %d %s, want 400", body, resp.StatusCode, b)
			}
		}
		if n := count(); n != before {
			t.Fatalf("%d tickets stored from refused text", n-before)
		}
		resp := h.do(t, "POST", "/api/v1/hotline/tickets", web.API, &op, strings.NewReader(
			`{"caller":{"name":"李先生","phone":"13805439999"},"category":"投诉","content":"第一行\r\n第二行\t完"}`), "application/json")
		if resp.StatusCode != 201 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("line breaks and a tab: %d %s", resp.StatusCode, b)
		}
	})
}

// TestSecurityNotFoundEchoesLittle: a not-found answer repeats at most the first characters of
// the key a client sent, however long (a 100 kB code in the path or the query).
func TestSecurityNotFoundEchoesLittle(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		long := strings.Repeat("A", 100_000)
		for _, path := range []string{"/api/v1/verify/" + long, "/api/v1/items/" + long, "/api/v1/track?phone4=1234&number=" + long} {
			for _, accept := range []string{"application/json", "text/html"} {
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Accept", accept)
				rec := httptest.NewRecorder()
				h.srv.Handler().ServeHTTP(rec, req)
				if rec.Code != 404 || rec.Body.Len() > 20_000 || strings.Contains(rec.Body.String(), strings.Repeat("A", 41)) {
					t.Errorf("%.30s… (%s): %d, %d bytes", path, accept, rec.Code, rec.Body.Len())
				}
			}
		}
	})
}

// TestSecurityHeadReadsNothing: HEAD on a case page or a material (page or API) records no read
// on the applicant's data-access list and no audit entry; GET does.
func TestSecurityHeadReadsNothing(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		clerk := h.sessions[identity.Clerk]
		file := h.uploadAs(t, &clerk, "营业执照扫描件.pdf", "%PDF-1.4\n%%EOF\n")
		number, _ := h.windowCase(t, file)
		sup := h.sessions[identity.Supervisor] // sees full personal data: the case page records a read
		reads := func() int {
			acc, err := h.certs.Accesses(ctx, demo.CitizenID, 0)
			if err != nil {
				t.Fatal(err)
			}
			return len(acc)
		}
		before := reads()
		for _, c := range []struct {
			path string
			kind web.Kind
		}{{"/cases/" + number, web.Page}, {"/cases/" + number + "/files/" + file, web.Page}, {"/api/v1/cases/" + number + "/files/" + file, web.API}} {
			resp := h.do(t, "HEAD", c.path, c.kind, &sup, nil, "")
			if resp.StatusCode == 200 {
				t.Errorf("HEAD %s: 200", c.path)
			}
		}
		if n := reads(); n != before {
			t.Fatalf("HEAD recorded %d reads", n-before)
		}
		if resp := h.do(t, "GET", "/cases/"+number+"/files/"+file, web.Page, &sup, nil, ""); resp.StatusCode != 200 || reads() != before+1 {
			t.Fatalf("GET: %d, reads %d → %d", resp.StatusCode, before, reads())
		}
		if resp := h.do(t, "HEAD", "/track", web.Page, nil, nil, ""); resp.StatusCode != 200 {
			t.Errorf("HEAD on a public page: %d", resp.StatusCode)
		}
	})
}

// TestAnonymousAPITicketIsPhone: POST /api/v1/tickets without a device key is a "phone" ticket,
// whatever source its body claims.
func TestAnonymousAPITicketIsPhone(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		for _, body := range []string{`{"service":"Q-S05"}`, `{"service":"Q-S05","source":"kiosk"}`, `{"service":"Q-S05","source":"window"}`} {
			resp := h.do(t, "POST", "/api/v1/tickets", web.API, nil, strings.NewReader(body), "application/json")
			tk := decode[struct{ Source string }](t, resp)
			if resp.StatusCode != 201 || tk.Source != "phone" {
				t.Errorf("%s: %d source %q, want 201 phone", body, resp.StatusCode, tk.Source)
			}
		}
	})
}

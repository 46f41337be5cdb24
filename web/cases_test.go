package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"

	"banhao/catalog"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

func (h *harness) uploadPDF(t *testing.T, sess *identity.Session) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "lease.pdf")
	fw.Write([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
	mw.Close()
	resp := h.do(t, "POST", "/api/v1/files", web.API, sess, &body, mw.FormDataContentType())
	f := decode[struct {
		FileID      string `json:"file_id"`
		ContentType string `json:"content_type"`
	}](t, resp)
	if resp.StatusCode != 201 || f.ContentType != "application/pdf" {
		t.Fatalf("upload: %d %+v", resp.StatusCode, f)
	}
	return f.FileID
}

func TestCaseAPI(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		clerk, approver, super := h.sessions[identity.Clerk], h.sessions[identity.Approver], h.sessions[identity.Supervisor]
		res, _ := h.cat.Search(context.Background(), catalog.Query{Q: "个体工商户设立登记"}) // XZSP, 即办, materials m1..m3
		code := res.Items[0].Code
		file := h.uploadPDF(t, &clerk)

		// A text file renamed .pdf is refused by its content.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "fake.pdf")
		fw.Write([]byte("just text, not a PDF"))
		mw.Close()
		if resp := h.do(t, "POST", "/api/v1/files", web.API, &clerk, &body, mw.FormDataContentType()); resp.StatusCode != 415 {
			t.Fatalf("text named .pdf: %d, want 415", resp.StatusCode)
		}

		payload := fmt.Sprintf(`{"item":%q,"applicant":{"type":"person","name":"王五","id_number":"11010519491231002X","phone":"13912345678"},
			"channel":"window","materials":[{"material_id":"m1","file_id":%q},{"material_id":"m2","file_id":%q},{"material_id":"m3","file_id":%q}]}`, code, file, file, file)
		// 50 clients send the same submission with one key at once.
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses, numbers := map[int]int{}, map[string]bool{}
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", h.ts.URL+"/api/v1/cases", strings.NewReader(payload))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+clerk.Token)
				req.Header.Set("Idempotency-Key", "window-7-0001")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				c := decode[struct{ Number string }](t, resp)
				mu.Lock()
				statuses[resp.StatusCode]++
				numbers[c.Number] = true
				mu.Unlock()
			}()
		}
		wg.Wait()
		if statuses[201] != 1 || statuses[200] != 49 || len(numbers) != 1 {
			t.Fatalf("50 submissions with one key: statuses %v, %d case numbers; want one 201, 49 × 200, one case", statuses, len(numbers))
		}
		var number string
		for n := range numbers {
			number = n
		}

		type caseView struct {
			Status, Due, Warning string
			Applicant            struct {
				IDNumber string `json:"id_number"`
			}
		}
		resp := h.do(t, "POST", "/api/v1/cases/"+number+"/decide", web.API, &approver, strings.NewReader(`{"decision":"approved"}`), "application/json")
		if p := decode[problem](t, resp); resp.StatusCode != 409 || !strings.Contains(p.Detail, "已提交") {
			t.Fatalf("decide before acceptance: %d %+v, want 409 stating the rule", resp.StatusCode, p)
		}
		resp = h.do(t, "POST", "/api/v1/cases/"+number+"/accept", web.API, &clerk, nil, "")
		c := decode[caseView](t, resp)
		if resp.StatusCode != 200 || c.Status != "accepted" || c.Due == "" {
			t.Fatalf("accept: %d %+v", resp.StatusCode, c)
		}
		if resp := h.do(t, "POST", "/api/v1/cases/"+number+"/decide", web.API, &approver, strings.NewReader(`{"decision":"maybe"}`), "application/json"); resp.StatusCode != 400 {
			t.Fatalf("bad decision: %d", resp.StatusCode)
		}
		resp = h.do(t, "POST", "/api/v1/cases/"+number+"/decide", web.API, &approver, strings.NewReader(`{"decision":"approved"}`), "application/json")
		if c := decode[caseView](t, resp); c.Status != "decided" {
			t.Fatalf("decide: %+v", c)
		}
		v := decode[caseView](t, h.do(t, "GET", "/api/v1/cases/"+number, web.API, &super, nil, ""))
		if v.Applicant.IDNumber != "1101**********002X" {
			t.Fatalf("supervisor sees %q, want it masked", v.Applicant.IDNumber)
		}
		list := decode[struct{ Total int }](t, h.do(t, "GET", "/api/v1/cases?status=decided", web.API, &approver, nil, ""))
		if list.Total != 1 {
			t.Fatalf("approver's decided list: %d", list.Total)
		}
		track := decode[caseView](t, h.do(t, "GET", "/api/v1/track?number="+number+"&phone4=5678", web.API, nil, nil, ""))
		if track.Status != "decided" {
			t.Fatalf("public tracking: %+v", track)
		}
		// Four digits are 10,000 guesses: ten wrong ones on a number, and even the right digits
		// wait (a right answer spends nothing).
		for i := range 10 {
			if resp := h.do(t, "GET", fmt.Sprintf("/api/v1/track?number=%s&phone4=%04d", number, i), web.API, nil, nil, ""); resp.StatusCode != 404 {
				t.Fatalf("wrong guess %d: %d, want 404", i, resp.StatusCode)
			}
		}
		if resp := h.do(t, "GET", "/api/v1/track?number="+number+"&phone4=5678", web.API, nil, nil, ""); resp.StatusCode != 429 {
			t.Fatalf("after ten wrong guesses: %d, want 429", resp.StatusCode)
		}
		page := h.do(t, "GET", "/track?number="+number+"&phone4=5678", web.Page, nil, nil, "")
		if body, _ := io.ReadAll(page.Body); !strings.Contains(string(body), "查询失败次数过多") {
			t.Fatal("the tracking page does not say why it refuses")
		}
	})
}

// TestSupplyPageWithoutFiles: a supply form posted without files gets a message, not a crash.
func TestSupplyPageWithoutFiles(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	res, _ := h.cat.Search(context.Background(), catalog.Query{Q: "企业设立登记"})
	c := decode[struct{ Number string }](t, h.do(t, "POST", "/api/v1/cases", web.API, &clerk,
		strings.NewReader(`{"item":"`+res.Items[0].Code+`","applicant":{"name":"王五","id_number":"11010519491231002X"}}`), "application/json"))
	resp := h.do(t, "POST", "/cases/"+c.Number+"/supply", web.Page, &clerk, nil, "")
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 400 || !strings.Contains(string(b), "请选择要补交的材料文件") {
		t.Fatalf("supply without files: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestActionBodiesAreTheirOwn: each action's body has its own fields (API.md "Actions"); a field
// of another action is refused, 400 naming it, and nothing is done.
func TestActionBodiesAreTheirOwn(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk, approver := h.sessions[identity.Clerk], h.sessions[identity.Approver]
	res, _ := h.cat.Search(context.Background(), catalog.Query{Q: "个体工商户设立登记"}) // XZSP, materials m1..m3
	file := h.uploadPDF(t, &clerk)
	payload := fmt.Sprintf(`{"item":%q,"applicant":{"type":"person","name":"王五","id_number":"11010519491231002X","phone":"13912345678"},
		"channel":"window","materials":[{"material_id":"m1","file_id":%q},{"material_id":"m2","file_id":%q},{"material_id":"m3","file_id":%q}]}`,
		res.Items[0].Code, file, file, file)
	c := decode[struct{ Number, Status string }](t, h.do(t, "POST", "/api/v1/cases", web.API, &clerk, strings.NewReader(payload), "application/json"))
	for _, try := range []struct {
		who          *identity.Session
		action, body string
		field        string
	}{
		{&clerk, "accept", `{"decision":"approved"}`, "decision"},
		{&clerk, "reject", `{"reason":"不属于受理范围","basis":"《条例》","note":"x"}`, "note"},
		{&clerk, "correction", `{"missing":["m1"],"materials":[]}`, "materials"},
		{&approver, "resume", `{"reason":"恢复"}`, "reason"},
	} {
		resp := h.do(t, "POST", "/api/v1/cases/"+c.Number+"/"+try.action, web.API, try.who, strings.NewReader(try.body), "application/json")
		p := decode[problem](t, resp)
		if resp.StatusCode != 400 || len(p.Errors) != 1 || p.Errors[0].Field != try.field || !strings.Contains(p.Detail, "未知字段") {
			t.Errorf("%s %s: %d %+v, want 400 naming %s as unknown", try.action, try.body, resp.StatusCode, p, try.field)
		}
	}
	if got := decode[struct{ Status string }](t, h.do(t, "GET", "/api/v1/cases/"+c.Number, web.API, &clerk, nil, "")); got.Status != "submitted" {
		t.Fatalf("after refused bodies: %s, want submitted", got.Status)
	}
	resp := h.do(t, "POST", "/api/v1/cases/"+c.Number+"/accept", web.API, &clerk, strings.NewReader(`{"deferred":[]}`), "application/json")
	if got := decode[struct{ Status string }](t, resp); resp.StatusCode != 200 || got.Status != "accepted" {
		t.Fatalf("accept with its own body: %d %s", resp.StatusCode, got.Status)
	}
}

package web_test

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"banhao/store"
	"banhao/web"
)

// TestWrappedMethodsAnswerWithTheDomainMessage: capability methods wrap their internal errors
// with the operation (errs.Wrap); the domain errors they return still reach the API answer and
// the error page with their Chinese message alone.
func TestWrappedMethodsAnswerWithTheDomainMessage(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		resp := h.do(t, "POST", "/api/v1/tickets", web.API, nil, strings.NewReader(`{"service":"Q-S05","phone":"123"}`), "application/json") // queue.Issue
		var p struct {
			Detail string
			Errors []struct{ Field, Message string }
		}
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != 400 || len(p.Errors) == 0 {
			t.Fatalf("ticket with a bad phone: %d %+v %v", resp.StatusCode, p, err)
		}
		if strings.Contains(p.Detail, "queue") || strings.Contains(p.Detail, ": ") || strings.ContainsAny(p.Detail, "abcdefghijklmnopqrstuvwxyz") {
			t.Errorf("detail %q is not the message alone", p.Detail)
		}
		page := h.do(t, "GET", "/items/NO-SUCH-ITEM", web.Page, nil, nil, "") // catalog.Item
		b, _ := io.ReadAll(page.Body)
		if page.StatusCode != 404 || !strings.Contains(string(b), "未找到该事项，请核对后重试。") || strings.Contains(string(b), "catalog.") {
			t.Fatalf("unknown item page: %d %s", page.StatusCode, b)
		}
	})
}

package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestRulesAnswersCheckedOnline: a 秒批 application whose answers cannot be read (是/否 answered
// "maybe", a field left empty) is refused naming each field by its label; it
// is not handed to a person for a typing slip.
func TestRulesAnswersCheckedOnline(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	me, apply, page := h.applyForm(t, "城乡居民基本养老保险参保登记")
	resp, body := h.citizenMultipart(t, me, apply, url.Values{"action": {"submit"}, "token": {"r1"},
		"rf_student": {""}, "rf_employee_insured": {"maybe"}}, pdfFor(requiredFiles(page)))
	if resp.StatusCode != 400 {
		t.Fatalf("answers that cannot be read: %d, want 400", resp.StatusCode)
	}
	text := visible(body)
	for _, want := range []string{"请选择“是”或“否”", "请填写"} {
		if !strings.Contains(text, want) {
			t.Errorf("the refusal does not say %q: %s", want, text)
		}
	}
	if strings.Contains(text, "employee_insured") && !strings.Contains(body, `name="rf_employee_insured"`) {
		t.Errorf("an internal key reaches the page: %s", text)
	}
}

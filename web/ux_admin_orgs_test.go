package web_test

import (
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/identity"
	"banhao/web"
)

// TestAdminOrgFormsCheckWhatIsTyped: a department's credit code passes its GB 32100 check digit
// and its phone is digits joined by hyphens; a section's sort is a number. Each error names the
// field as the form shows it, next to it, with what was typed kept; a good department saves.
func TestAdminOrgFormsCheckWhatIsTyped(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	post := func(path string, values url.Values) (int, string) {
		values.Set("csrf", admin.CSRF)
		resp := h.do(t, "POST", path, web.Page, &admin, strings.NewReader(values.Encode()), "application/x-www-form-urlencoded")
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, page := post("/admin/departments", url.Values{"code": {"TESTJ"}, "name": {"测试局"}, "credit_code": {"123"}, "phone": {"abc"}})
	msgs := shown(page)
	if status != 400 || !strings.Contains(msgs, "统一社会信用代码") || !strings.Contains(msgs, "GB 32100") || !strings.Contains(msgs, "电话须为数字") {
		t.Errorf("credit code 123 and phone abc: %d %s", status, msgs)
	}
	for _, want := range []string{`id="credit_code-error"`, `id="phone-error"`, `value="123"`, `value="abc"`, `value="测试局"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the department form lacks %s", want)
		}
	}
	// A check digit one off is refused too: 91371600MA3C8HDT02 is good, …03 is not.
	if status, page := post("/admin/departments", url.Values{"code": {"TESTJ"}, "name": {"测试局"}, "credit_code": {"91371600MA3C8HDT03"}}); status != 400 ||
		!strings.Contains(shown(page), "校验码") {
		t.Errorf("a wrong check digit: %d %s", status, shown(page))
	}
	if status, _ := post("/admin/departments", url.Values{"code": {"TESTJ"}, "name": {"测试局"}, "credit_code": {"91371600ma3c8hdt02"},
		"phone": {"0543-3161234"}}); status != 303 {
		t.Errorf("a good department: %d", status)
	}

	status, page = post("/admin/sections", url.Values{"code": {"S99"}, "name": {"测试版块"}, "sort": {"abc"}})
	if status != 400 || !strings.Contains(page, `id="sort-error"`) || !strings.Contains(shown(page), "排序须为 0–99999 的整数") || !strings.Contains(page, `value="测试版块"`) {
		t.Errorf("sort abc: %d %s", status, shown(page))
	}
	if status, page := post("/admin/sections", url.Values{"code": {"S99"}, "name": {"测试版块"}, "sort": {"-5"}}); status != 400 || !strings.Contains(shown(page), "排序") {
		t.Errorf("sort -5: %d %s", status, shown(page))
	}
}

package web_test

import (
	"io"
	"regexp"
	"testing"

	"banhao/catalog"
	"banhao/identity"
	"banhao/web"
)

// TestDepartmentSelectsInNameOrder: where a person picks a department from a list (the account
// form's 部门), the departments are in the pinyin order of their names, not by code.
func TestDepartmentSelectsInNameOrder(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	resp := h.do(t, "GET", "/admin/users", web.Page, &admin, nil, "")
	b, _ := io.ReadAll(resp.Body)
	sel := regexp.MustCompile(`(?s)<select id="department".*?</select>`).FindString(string(b))
	var names []string
	for _, m := range regexp.MustCompile(`<option value="[^"]+"[^>]*>([^<]+)</option>`).FindAllStringSubmatch(sel, -1) {
		names = append(names, m[1])
	}
	if len(names) < 50 {
		t.Fatalf("the 部门 select has %d departments, want the demo's 53", len(names))
	}
	for i := 1; i < len(names); i++ {
		if catalog.CompareNames(names[i-1], names[i]) > 0 {
			t.Fatalf("the 部门 select lists %s before %s: not in pinyin order (%v)", names[i-1], names[i], names)
		}
	}
}

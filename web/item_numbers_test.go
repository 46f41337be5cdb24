package web_test

import (
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/identity"
	"banhao/web"
)

// TestItemEditorDayCounts: a time limit left empty says 不能为空 (not a range nobody typed), one
// that is not a number says 须为整数, each under the field's label; what was typed stays in the
// field; a 即办 limit needs no days.
func TestItemEditorDayCounts(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	admin := h.sessions[identity.Admin]
	post := func(value, unit string) (int, string) {
		t.Helper()
		form := url.Values{"csrf": {admin.CSRF}, "code": {"DAYS-1"}, "name": {"时限测试事项"}, "type": {"行政确认"}, "department": {"XZSP"},
			"legal_limit_value": {"5"}, "legal_limit_unit": {"working_day"}, "promised_limit_value": {value}, "promised_limit_unit": {unit},
			"visits": {"1"}, "visits_reason": {"核验原件"}, "online_depth": {"3"}, "action": {"publish"}}
		resp := h.do(t, "POST", "/admin/items", web.Page, &admin, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct{ value, want, kept string }{
		{"", "承诺时限</a>：不能为空", `name="promised_limit_value" value=""`},
		{"三天", "承诺时限</a>：须为整数", `name="promised_limit_value" value="三天"`},
		{"0", "承诺时限</a>：时限天数须为 1–3650", `name="promised_limit_value" value="0"`},
	} {
		st, body := post(tc.value, "working_day")
		if st != 400 || !strings.Contains(body, tc.want) || !strings.Contains(body, tc.kept) || strings.Contains(body, "promised_limit_value</a>") {
			t.Errorf("承诺时限 %q: %d, want %q and the value kept", tc.value, st, tc.want)
		}
	}
	if st, body := post("", "immediate"); st != 303 {
		t.Errorf("即办 without days: %d %.300s", st, body)
	}
}

package web_test

import (
	"io"
	"strings"
	"testing"

	"banhao/identity"
	"banhao/web"
)

// TestSupervisePeriodErrorsOnTheForm: a period /supervise (or its Excel download) cannot count
// shows the period form again as typed with the error next to its field (not the error page); a year is at most 366
// days with both ends, on the page and in the API; the 合计 row is labelled on a phone.
func TestSupervisePeriodErrorsOnTheForm(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	sup := h.sessions[identity.Supervisor]
	get := func(path string) (int, string) {
		resp := h.do(t, "GET", path, web.Page, &sup, nil, "")
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct {
		query, field, message string
		keep                  []string
	}{
		{"from=2026-03-10&to=2026-03-01", "to", "截止日期不能早于起始日期", []string{`value="2026-03-10"`, `value="2026-03-01"`}},
		{"from=2026-02-30&to=2026-03-01", "from", "起始日期须为有效的日期", []string{`value="2026-02-30"`}},
		{"from=2025-01-01&to=2026-01-02", "to", "含起止两日不超过 366 天，现为 367 天", nil},
		{"by=section&from=2026-03-01&to=2026-03-02", "by", "统计维度须为按部门或按事项", nil},
	} {
		for _, path := range []string{"/supervise?", "/supervise.xlsx?"} {
			c := c
			c.query = path + c.query
			status, page := get(c.query)
			if status != 400 {
				t.Errorf("%s: %d, want 400", c.query, status)
			}
			if strings.Contains(page, "<h1>出错了") || !strings.Contains(page, `id="period"`) {
				t.Errorf("%s: not the period form:\n%s", c.query, visible(page))
			}
			if !strings.Contains(page, `id="`+c.field+`-error"`) || !strings.Contains(shown(page), c.message) {
				t.Errorf("%s: want %q next to %s, got %s", c.query, c.message, c.field, shown(page))
			}
			for _, k := range c.keep {
				if !strings.Contains(page, k) {
					t.Errorf("%s: what was typed (%s) is not kept", c.query, k)
				}
			}
			if strings.Contains(page, `id="case-stats"`) {
				t.Errorf("%s: figures shown for a period that was refused", c.query)
			}
		}
	}
	if status, page := get("/supervise?from=2024-01-01&to=2024-12-31"); status != 200 || !strings.Contains(page, `id="case-stats"`) {
		t.Errorf("a leap year (366 days): %d", status)
	} else if !strings.Contains(page, `<tr class="total"><th scope="row">合计</th><td data-label="提交">`) {
		t.Errorf("the 合计 row's cells carry no labels for a phone")
	}
	for _, api := range []string{"/api/v1/stats/cases", "/api/v1/stats/ratings"} {
		resp := h.do(t, "GET", api+"?from=2025-01-01&to=2026-01-02", web.API, &sup, nil, "")
		if resp.StatusCode != 400 {
			t.Errorf("%s with 367 days: %d, want 400", api, resp.StatusCode)
		}
		p := decode[problem](t, resp)
		if len(p.Errors) != 1 || p.Errors[0].Field != "to" || !strings.Contains(p.Errors[0].Message, "366") {
			t.Errorf("%s with 367 days: %+v", api, p)
		}
		if resp := h.do(t, "GET", api+"?from=2025-01-01&to=2026-01-01", web.API, &sup, nil, ""); resp.StatusCode != 200 {
			t.Errorf("%s with 366 days: %d", api, resp.StatusCode)
		}
	}
}

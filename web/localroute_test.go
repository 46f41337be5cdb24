package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/catalog"
)

// TestWindowFindsTheChosenRegionsImplementingItem: 沾化区 published its own 失业保险金申领 (its
// 人社局, 3 working days; the city's 社保中心 promises 5). At 彭李街道 (滨城区, which has none) the
// window's search finds the city's standard by default, and 沾化区's item when the clerk says the
// applicant is of 沾化区; the standard's intake form names 沾化区's department and limit in its
// 审批地 choice.
func TestWindowFindsTheChosenRegionsImplementingItem(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	benefit := h.itemNamed(t, "失业保险金申领")
	local, err := h.cat.Derive(ctx, audit.System, benefit, catalog.Local{RegionCode: "371603000000", Department: "RSJ-371603",
		PromisedLimit: &catalog.Limit{Value: 3, Unit: catalog.WorkingDay}, Status: catalog.StatusPublished})
	if err != nil {
		t.Fatal(err)
	}
	clerk := h.staffSession(t, "clerk_pengli")
	link := func(code string) string { return `class="button intake-link" href="/window/new?item=` + code + `"` }
	_, page := h.pageOf(t, clerk, "/window?q="+url.QueryEscape("失业保险金申领"))
	if !strings.Contains(page, link(benefit)) || strings.Contains(page, link(local.Code)) || !strings.Contains(page, `<select id="region" name="region">`) {
		t.Fatalf("彭李街道's default (滨城区, no item of its own) is not the standard:\n%s", page)
	}
	_, page = h.pageOf(t, clerk, "/window?region=371603000000&q="+url.QueryEscape("失业保险金申领"))
	if !strings.Contains(page, link(local.Code)) || strings.Contains(page, link(benefit)) ||
		!strings.Contains(page, "沾化区人力资源和社会保障局") || !strings.Contains(page, "3个工作日") || !strings.Contains(page, `<option value="371603000000" selected>`) {
		t.Fatalf("a 沾化区 applicant: want 沾化区's item, its department and limit:\n%s", page)
	}
	_, page = h.pageOf(t, clerk, "/window/new?item="+url.QueryEscape(benefit))
	if !strings.Contains(page, "沾化区（沾化区人力资源和社会保障局审批，承诺时限3个工作日）") {
		t.Fatalf("the standard's intake does not say who decides for 沾化区:\n%s", page)
	}
}

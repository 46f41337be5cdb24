package web_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/identity"
	"banhao/queue"
	"banhao/web"
)

// TestHallManageAddsToAnyHall: the 新增窗口 and 新增排队业务 forms let the manager choose the
// hall (a township hall too), and every line and counter on the page names its hall.
func TestHallManageAddsToAnyHall(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	mgr := h.sessions[identity.HallManager]
	page := h.seen(t, "/hall/manage", mgr)
	for _, want := range []string{"所属大厅", "彭李街道便民服务中心大厅", "彭李街道1号窗口 · 彭李街道便民服务中心大厅 · 窗口编号 pengli-1"} {
		if !strings.Contains(page, want) {
			t.Errorf("/hall/manage lacks %q", want)
		}
	}
	values := url.Values{"csrf": {mgr.CSRF}, "what": {"counter"}, "hall": {"pengli"}, "id": {"pengli-9"}, "name": {"彭李街道9号窗口"},
		"rule": {string(queue.LongestWait)}, "profile": {"A:1"}}
	resp := h.do(t, "POST", "/hall/manage", web.Page, &mgr, strings.NewReader(values.Encode()), "application/x-www-form-urlencoded")
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		t.Fatalf("new counter at 彭李: %d %s", resp.StatusCode, shown(string(b)))
	}
	cs, err := h.queue.Counters(context.Background(), "pengli")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range cs {
		found = found || c.ID == "pengli-9"
	}
	if !found {
		t.Errorf("the new counter is not in 彭李's hall: %+v", cs)
	}

	// A hall's form with an emptied number: the summary names the hall.
	hv := url.Values{"csrf": {mgr.CSRF}, "what": {"hall"}, "existing": {"1"}, "id": {"pengli"}, "center": {demo.PengliCenter}, "name": {"彭李街道便民服务中心大厅"},
		"remind_ahead": {"3"}, "recalls_before_no_show": {"2"}, "checkin_before_minutes": {"30"}, "checkin_after_minutes": {"15"}, "booking_days": {""}}
	resp = h.do(t, "POST", "/hall/manage", web.Page, &mgr, strings.NewReader(hv.Encode()), "application/x-www-form-urlencoded")
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(shown(string(b)), "彭李街道便民服务中心大厅 · 可预约天数") {
		t.Errorf("a hall's error does not say which hall: %d %s", resp.StatusCode, shown(string(b)))
	}
}

// TestHallManageOneSectionPerHall: each hall's settings, lines and counters stand together
// under its name — a township's counters in its own section, none of the main hall's there.
func TestHallManageOneSectionPerHall(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	mgr := h.sessions[identity.HallManager]
	resp := h.do(t, "GET", "/hall/manage", web.Page, &mgr, nil, "")
	raw, _ := io.ReadAll(resp.Body)
	page := string(raw)
	sections := map[string]string{}
	for _, part := range strings.Split(page, `<section class="hall-section stack" id="hall-`)[1:] {
		id, rest, _ := strings.Cut(part, `"`)
		body, _, _ := strings.Cut(rest, "</section>")
		sections[id] = visible(body)
	}
	main, pengli := sections[demo.HallID], sections["pengli"]
	if main == "" || pengli == "" {
		t.Fatalf("sections: %d, want the main hall's and 彭李's", len(sections))
	}
	if !strings.Contains(pengli, "大厅：彭李街道便民服务中心大厅") || !strings.Contains(pengli, "窗口编号 pengli-1") ||
		!strings.Contains(pengli, "排队业务") || strings.Contains(pengli, "窗口编号 "+demoCounterOf(t, h, demo.HallID)) {
		t.Errorf("彭李's section does not hold just its own lines and counters")
	}
	if strings.Contains(main, "pengli-") || !strings.Contains(main, "窗口编号 "+demoCounterOf(t, h, demo.HallID)) {
		t.Errorf("the main hall's section holds another hall's counters, or not its own")
	}
}

// demoCounterOf is the id of a counter of the hall.
func demoCounterOf(t *testing.T, h *harness, hall string) string {
	t.Helper()
	cs, err := h.queue.Counters(context.Background(), hall)
	if err != nil || len(cs) == 0 {
		t.Fatalf("counters of %s: %v", hall, err)
	}
	return cs[0].ID
}

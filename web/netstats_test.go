package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"banhao/audit"
	"banhao/demo"
	"banhao/identity"
	"banhao/queue"
	"banhao/store"
	"banhao/web"
)

// queueAtPengli puts n people in the 彭李街道 hall's line today.
func queueAtPengli(t *testing.T, h *harness, n int) {
	t.Helper()
	clerk := h.staffSession(t, "clerk_pengli")
	for range n {
		if _, err := h.queue.Issue(context.Background(), queue.Requester{Actor: clerk.User.Actor(), Staff: true},
			queue.IssueInput{Service: "Q-pengli", Source: "window"}); err != nil {
			t.Fatal(err)
		}
	}
}

// centerRows reads GET /api/v1/stats/centers as sess.
func centerRows(t *testing.T, h *harness, sess *identity.Session, query string) (int, map[string]map[string]any, string) {
	t.Helper()
	resp := h.do(t, "GET", "/api/v1/stats/centers"+query, web.API, sess, nil, "")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil, string(b)
	}
	var out struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	rows := map[string]map[string]any{}
	for _, r := range out.Rows {
		rows[r["code"].(string)] = r
	}
	return resp.StatusCode, rows, string(b)
}

// TestCenterStatsForTheCountySupervisor: the city's supervisor reads every center's figures and
// the people waiting in each hall now; a supervisor of 沾化区's center reads 沾化区 only, and is
// refused 滨城区 with a message naming both; /supervise shows the centers' block.
func TestCenterStatsForTheCountySupervisor(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		queueAtPengli(t, h, 2)
		city := h.sessions[identity.Supervisor]
		st, rows, body := centerRows(t, h, &city, "")
		if st != http.StatusOK {
			t.Fatalf("city supervisor: %d %s", st, body)
		}
		if p := rows[demo.PengliCenter]; p == nil || p["waiting"] != float64(2) || p["kind"] != "center" {
			t.Errorf("彭李街道's row: %v", p)
		}
		if r := rows["371602000000"]; r == nil || r["waiting"] != float64(2) || r["kind"] != "region" {
			t.Errorf("滨城区's row adds its townships' halls: %v", r)
		}
		if rows["ZWFW-371603"] == nil || rows["371600000000"] == nil {
			t.Errorf("the city supervisor misses 沾化区 or the city: %s", body)
		}
		if _, err := h.ids.AddUser(ctx, audit.System, identity.NewUser{Username: "supervisor_zhanhua", DisplayName: "沾化区监察",
			Password: demo.DemoPassword, Role: identity.Supervisor, Center: "ZWFW-371603"}); err != nil {
			t.Fatal(err)
		}
		zh := h.staffSession(t, "supervisor_zhanhua")
		st, rows, body = centerRows(t, h, &zh, "")
		if st != http.StatusOK || rows["ZWFW-371603"] == nil || rows["371603000000"] == nil {
			t.Fatalf("沾化区 supervisor: %d %s", st, body)
		}
		for _, not := range []string{demo.PengliCenter, "371602000000", "371600000000", demo.CenterCode} {
			if rows[not] != nil {
				t.Errorf("沾化区 supervisor sees %s", not)
			}
		}
		if st, _, body := centerRows(t, h, &zh, "?region=371602000000"); st != http.StatusForbidden || !strings.Contains(body, "您只能查看沾化区及其下级中心的统计，滨城区不在其内") {
			t.Errorf("沾化区 supervisor asking for 滨城区: %d %s", st, body)
		}
		page := h.seen(t, "/supervise", city)
		for _, want := range []string{"各中心（市县乡）", "彭李街道便民服务中心", "滨城区（合计）"} {
			if !strings.Contains(page, want) {
				t.Errorf("/supervise lacks %q", want)
			}
		}
		resp := h.do(t, "GET", "/supervise.xlsx", web.Page, &zh, nil, "")
		x, err := excelize.OpenReader(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		sheet, err := x.GetRows("各中心")
		if err != nil || len(sheet) != 3 || sheet[0][0] != "中心 / 区划" || sheet[1][0] != "沾化区（合计）" || !strings.HasSuffix(sheet[2][0], "沾化区政务服务中心") {
			t.Errorf("沾化区 supervisor's workbook, sheet 各中心: %q %v", sheet, err)
		}
		if page := h.seen(t, "/supervise", zh); !strings.Contains(page, "沾化区政务服务中心") || strings.Contains(page, "彭李街道便民服务中心") {
			t.Errorf("沾化区 supervisor's /supervise shows other counties' centers or not its own")
		}
	})
}

// TestBrowserWhereShowsTheQueue: on a phone (390 px), 在哪里办 of a 全市通办 guide from 彭李街道
// lists 彭李街道's center first with its address, hours and the three people waiting in its hall
// now; a center whose hall is empty says so; nothing scrolls sideways.
func TestBrowserWhereShowsTheQueue(t *testing.T) {
	ctx := browserContext(t)
	h := newHarness(t, demoSQLite(t))
	queueAtPengli(t, h, 3)
	item := h.itemNamed(t, "社会保障卡申领")
	err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(h.ts.URL+"/items/"+item+"?from=371602005000#where-title"),
		chromedp.WaitVisible(chromedp.CSS(`#places li.place`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	first, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#places li.place:first-child`)))
	if err != nil {
		t.Fatal(err)
	}
	places, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#places`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"彭李街道便民服务中心", "现在排队 3 人", "渤海九路 515 号", "办公时间"} {
		if !strings.Contains(first, want) {
			t.Errorf("the nearest center lacks %q: %q", want, first)
		}
	}
	if !strings.Contains(places, "现在无人排队") {
		t.Errorf("no center with an empty hall says so: %q", places)
	}
	bincheng, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#places li.place')].map(e => e.innerText).find(t => t.includes('滨城区政务服务中心')) || ''`))
	if err != nil || !strings.Contains(bincheng, "暂无排队信息") || strings.Contains(bincheng, "现在") {
		t.Errorf("a center with no hall in the system does not say its queue is unknown: %q %v", bincheng, err)
	}
	if fits, w, _, vw, _ := pageFits(t, ctx); !fits && w > vw {
		t.Errorf("the guide scrolls sideways at 390 px: %d > %d", w, vw)
	}
}

// TestCountySupervisorSeesItsTownships: 滨城区's demo supervisor (supervisor_bincheng) sees
// 滨城区's own center, its two township centers and 滨城区's total — with the case 彭李街道
// accepted for 沾化区 counted at 彭李街道 as accepted for others and the people waiting in
// 彭李街道's hall — and no other county's center nor the city's.
func TestCountySupervisorSeesItsTownships(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		queueAtPengli(t, h, 2)
		number := h.unemploymentAt(t, h.staffSession(t, "clerk_pengli"), "stats-1")
		approver := h.staffSession(t, "approver_sbzx_zhanhua")
		if resp := h.do(t, "POST", "/api/v1/cases/"+number+"/decide", web.API, &approver, strings.NewReader(`{"decision":"approved"}`), "application/json"); resp.StatusCode != 200 {
			t.Fatalf("decide: %d", resp.StatusCode)
		}
		bc := h.staffSession(t, "supervisor_bincheng")
		st, rows, body := centerRows(t, h, &bc, "")
		if st != http.StatusOK {
			t.Fatalf("滨城区 supervisor: %d %s", st, body)
		}
		for _, want := range []string{"371602000000", "ZWFW-371602", demo.ShizhongCenter, demo.PengliCenter} {
			if rows[want] == nil {
				t.Errorf("滨城区 supervisor misses %s: %s", want, body)
			}
		}
		for _, not := range []string{"ZWFW-371603", "371603000000", "371600000000", demo.CenterCode} {
			if rows[not] != nil {
				t.Errorf("滨城区 supervisor sees %s", not)
			}
		}
		if p := rows[demo.PengliCenter]; p == nil || p["accepted_for_others"] != float64(1) || p["waiting"] != float64(2) {
			t.Errorf("彭李街道's row: %v", p)
		}
		if r := rows["371602000000"]; r == nil || r["accepted_for_others"] != float64(1) || r["waiting"] != float64(2) {
			t.Errorf("滨城区's total: %v", r)
		}
		if page := h.seen(t, "/supervise", bc); !strings.Contains(page, "彭李街道便民服务中心") || !strings.Contains(page, "市中街道便民服务中心") || strings.Contains(page, "沾化区政务服务中心") {
			t.Errorf("滨城区 supervisor's /supervise: townships missing or another county shown")
		}
	})
}

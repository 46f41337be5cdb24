package web_test

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"banhao/cases"
	"banhao/identity"
	"banhao/ratings"
	"banhao/store"
	"banhao/web"
)

// TestHotlineAPI: API.md's POST /api/v1/hotline/tickets answers {"number"}; the ticket is
// dispatched, answered by the department, and a dissatisfied caller's ticket waits for a
// supervisor's follow-up.
func TestHotlineAPI(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		op := h.sessions[identity.Hotline]
		resp := h.do(t, "POST", "/api/v1/hotline/tickets", web.API, &op, strings.NewReader(
			`{"caller":{"name":"李先生","phone":"13805439999"},"category":"投诉","content":"窗口办理营业执照等了两个小时"}`), "application/json")
		var tk struct {
			Number string `json:"number"`
			Status string `json:"status"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&tk); err != nil || resp.StatusCode != 201 || !strings.HasPrefix(tk.Number, "12345-") {
			t.Fatalf("create: %d %+v %v", resp.StatusCode, tk, err)
		}
		clerk := h.sessions[identity.Clerk]
		if resp := h.do(t, "POST", "/api/v1/hotline/tickets", web.API, &clerk, strings.NewReader(`{}`), "application/json"); resp.StatusCode != 403 {
			t.Errorf("a clerk took a hotline call: %d", resp.StatusCode)
		}
		if resp := h.do(t, "POST", "/api/v1/hotline/tickets", web.API, &op, strings.NewReader(`{"caller":{"name":"x","phone":"1"},"category":"投诉","content":"x"}`), "application/json"); resp.StatusCode != 400 {
			t.Errorf("bad phone: %d", resp.StatusCode)
		}
		act := func(sess identity.Session, action, body string, want int) {
			t.Helper()
			if resp := h.do(t, "POST", "/api/v1/hotline/tickets/"+tk.Number+"/"+action, web.API, &sess, strings.NewReader(body), "application/json"); resp.StatusCode != want {
				t.Fatalf("%s as %s: %d, want %d", action, sess.User.Role, resp.StatusCode, want)
			}
		}
		act(op, "close", `{"satisfaction":5}`, 409) // nothing answered yet
		act(op, "dispatch", `{"department":"XZSP"}`, 200)
		approver := h.sessions[identity.Approver] // 行政审批服务局
		act(approver, "reply", `{"text":"已核实，增开两个综合窗口，并向来电人致歉"}`, 200)
		act(op, "close", `{"satisfaction":1}`, 200)
		sup := h.sessions[identity.Supervisor]
		resp = h.do(t, "GET", "/api/v1/hotline/tickets?status=follow_up", web.API, &sup, nil, "")
		var list struct {
			Tickets []struct{ Number string } `json:"tickets"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || len(list.Tickets) != 1 || list.Tickets[0].Number != tk.Number {
			t.Fatalf("the supervisor's follow-up list: %+v %v", list, err)
		}
		act(op, "follow", `{"text":"x"}`, 403)
		act(sup, "follow", `{"text":"回访：窗口已增开，来电人认可"}`, 200)
		for _, sess := range []identity.Session{op, approver, sup} {
			resp := h.do(t, "GET", "/hotline/"+tk.Number, web.Page, &sess, nil, "")
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !strings.Contains(string(body), "回访：窗口已增开") {
				t.Errorf("ticket page for %s: %d", sess.User.Role, resp.StatusCode)
			}
		}
		if resp := h.do(t, "GET", "/hotline", web.Page, &op, nil, ""); resp.StatusCode != 200 {
			t.Errorf("hotline page: %d", resp.StatusCode)
		}
	})
}

// TestBadRatingFollowUp: a 差评 waits on the supervisors' list until its follow-up is recorded;
// a good rating needs none; a follow-up is recorded once.
func TestBadRatingFollowUp(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		clerk := h.sessions[identity.Clerk]
		var numbers []string
		for i := 0; i < 2; i++ {
			c, _, err := h.cases.Create(ctx, clerk.User.Actor(), casesInput(h.itemNamed(t, "单位社会保险登记"), "某公司", "91350100M000100Y43", "13805431234"), "")
			if err != nil {
				t.Fatal(err)
			}
			numbers = append(numbers, c.Number)
		}
		for i, level := range []int{1, 5} {
			if _, err := db.ExecContext(ctx, `INSERT INTO ratings (case_number, level, comment, channel, department_code, created_at) VALUES (?, ?, ?, 'online', 'SBZX', ?)`,
				numbers[i], level, "评价", h.srv.Now().UTC()); err != nil {
				t.Fatal(err)
			}
		}
		// Written around the service, as in an installation from before the kept figures: the
		// migration's backfill counts them.
		if err := ratings.RebuildStats(ctx, db); err != nil {
			t.Fatal(err)
		}
		sup := h.sessions[identity.Supervisor]
		list := func(open string) []struct {
			ID       int64  `json:"id"`
			Case     string `json:"case"`
			FollowUp string `json:"follow_up"`
		} {
			resp := h.do(t, "GET", "/api/v1/ratings?open="+open, web.API, &sup, nil, "")
			var out struct {
				Ratings []struct {
					ID       int64  `json:"id"`
					Case     string `json:"case"`
					FollowUp string `json:"follow_up"`
				} `json:"ratings"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
				t.Fatalf("list: %d %v", resp.StatusCode, err)
			}
			return out.Ratings
		}
		open := list("1")
		if len(open) != 1 || open[0].Case != numbers[0] {
			t.Fatalf("open bad ratings %+v", open)
		}
		path := "/api/v1/ratings/" + strconv.FormatInt(open[0].ID, 10) + "/follow-up"
		if resp := h.do(t, "POST", path, web.API, &sup, strings.NewReader(`{"text":""}`), "application/json"); resp.StatusCode != 400 {
			t.Errorf("empty follow-up: %d", resp.StatusCode)
		}
		if resp := h.do(t, "POST", path, web.API, &clerk, strings.NewReader(`{"text":"x"}`), "application/json"); resp.StatusCode != 403 {
			t.Errorf("a clerk recorded a follow-up: %d", resp.StatusCode)
		}
		if resp := h.do(t, "POST", path, web.API, &sup, strings.NewReader(`{"text":"已电话回访，致歉并说明补办流程"}`), "application/json"); resp.StatusCode != 204 {
			t.Fatalf("follow-up: %d", resp.StatusCode)
		}
		if resp := h.do(t, "POST", path, web.API, &sup, strings.NewReader(`{"text":"again"}`), "application/json"); resp.StatusCode != 409 {
			t.Errorf("second follow-up: %d", resp.StatusCode)
		}
		if len(list("1")) != 0 {
			t.Error("a followed-up rating is still open")
		}
		if all := list("0"); len(all) != 1 || all[0].FollowUp == "" {
			t.Errorf("all bad ratings %+v", all)
		}
		resp := h.do(t, "GET", "/ratings", web.Page, &sup, nil, "")
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(body), "已电话回访") {
			t.Errorf("ratings page: %d", resp.StatusCode)
		}
		// The period's ratings per department: one good, one bad and followed up.
		today := h.srv.Now().In(shanghai).Format("2006-01-02")
		resp = h.do(t, "GET", "/api/v1/stats/ratings?from="+today+"&to="+today, web.API, &sup, nil, "")
		var stats struct {
			Rows []struct {
				Department string  `json:"department"`
				Name       string  `json:"name"`
				Ratings    int     `json:"ratings"`
				Bad        int     `json:"bad"`
				FollowedUp int     `json:"followed_up"`
				GoodRate   float64 `json:"good_rate"`
			} `json:"rows"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil || resp.StatusCode != 200 || len(stats.Rows) != 1 {
			t.Fatalf("rating stats: %d %v %+v", resp.StatusCode, err, stats)
		}
		if r := stats.Rows[0]; r.Department != "SBZX" || !strings.Contains(r.Name, "社会保险") || r.Ratings != 2 || r.Bad != 1 || r.FollowedUp != 1 || r.GoodRate != 0.5 {
			t.Errorf("SBZX ratings %+v", r)
		}
		if resp := h.do(t, "GET", "/api/v1/stats/ratings?from=2026-12-01&to=2026-01-01", web.API, &sup, nil, ""); resp.StatusCode != 400 {
			t.Errorf("reversed period: %d", resp.StatusCode)
		}
		if resp := h.do(t, "GET", "/api/v1/stats/ratings", web.API, &clerk, nil, ""); resp.StatusCode != 403 {
			t.Errorf("a clerk read the rating statistics: %d", resp.StatusCode)
		}
		page := h.do(t, "GET", "/supervise?from="+today+"&to="+today, web.Page, &sup, nil, "")
		body, _ = io.ReadAll(page.Body)
		if !strings.Contains(string(body), `id="rating-stats"`) || !strings.Contains(string(body), "50.0%") {
			t.Errorf("the supervise page lacks the rating table")
		}
		x := h.do(t, "GET", "/supervise.xlsx?from="+today+"&to="+today, web.Page, &sup, nil, "")
		wb, err := excelize.OpenReader(x.Body)
		if err != nil {
			t.Fatal(err)
		}
		if rows, err := wb.GetRows("好差评"); err != nil || len(rows) != 2 || rows[0][0] != "部门" || rows[1][0] != "滨州市社会保险事业中心" || rows[1][7] != "SBZX" || rows[1][5] != "50.0%" {
			t.Errorf("the workbook's rating sheet: %v %v", rows, err)
		}
	})
}

// TestCaseStatistics: the supervisors' counts per department and per item for a period, by
// where the cases stand; a bundle counts its children, not its parent.
func TestCaseStatistics(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		clerk := h.sessions[identity.Clerk]
		item := h.itemNamed(t, "单位社会保险登记") // 社会保险事业中心 (SBZX)
		var numbers []string
		for i := 0; i < 3; i++ {
			c, _, err := h.cases.Create(ctx, clerk.User.Actor(), casesInput(item, "某公司", "91350100M000100Y43", "13805431234"), "")
			if err != nil {
				t.Fatal(err)
			}
			numbers = append(numbers, c.Number)
		}
		if _, err := h.cases.Reject(ctx, clerk.User.Actor(), numbers[0], casesInputReject()); err != nil {
			t.Fatal(err)
		}
		sup := h.sessions[identity.Supervisor]
		today := h.srv.Now().In(shanghai).Format("2006-01-02")
		resp := h.do(t, "GET", "/api/v1/stats/cases?by=department&from="+today+"&to="+today, web.API, &sup, nil, "")
		var out struct {
			Rows []struct {
				Key        string   `json:"key"`
				Name       string   `json:"name"`
				Submitted  int      `json:"submitted"`
				InProgress int      `json:"in_progress"`
				Rejected   int      `json:"rejected"`
				OnTimeRate *float64 `json:"on_time_rate"`
			} `json:"rows"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("stats: %d %v", resp.StatusCode, err)
		}
		found := false
		for _, r := range out.Rows {
			if r.Key == "SBZX" {
				found = true
				if r.Submitted != 3 || r.InProgress != 2 || r.Rejected != 1 || !strings.Contains(r.Name, "社会保险") || r.OnTimeRate != nil {
					t.Errorf("SBZX row %+v", r)
				}
			}
		}
		if !found {
			t.Fatalf("no SBZX row in %+v", out.Rows)
		}
		if resp := h.do(t, "GET", "/api/v1/stats/cases?by=department&from=2026-01-01&to=2025-01-01", web.API, &sup, nil, ""); resp.StatusCode != 400 {
			t.Errorf("reversed period: %d", resp.StatusCode)
		}
		if resp := h.do(t, "GET", "/api/v1/stats/cases?by=item&from="+today+"&to="+today, web.API, &clerk, nil, ""); resp.StatusCode != 403 {
			t.Errorf("a clerk read the statistics: %d", resp.StatusCode)
		}
		x := h.do(t, "GET", "/supervise.xlsx?by=department&from="+today+"&to="+today, web.Page, &sup, nil, "")
		wb, err := excelize.OpenReader(x.Body)
		if err != nil || x.StatusCode != 200 {
			t.Fatalf("excel: %d %v", x.StatusCode, err)
		}
		xrows, _ := wb.GetRows("办件统计")
		foundX := false
		for _, r := range xrows {
			if len(r) == 11 && r[0] == "滨州市社会保险事业中心" && r[10] == "SBZX" && r[1] == "3" && r[2] == "2" && r[4] == "1" && r[9] == "—" { // nothing decided yet: no rate
				foundX = true
			}
		}
		if !foundX || xrows[len(xrows)-1][0] != "合计" || xrows[1][0] != "部门" || xrows[1][10] != "部门代码" {
			t.Errorf("the workbook lacks the SBZX row or the total: %v", xrows)
		}
		page := h.do(t, "GET", "/supervise?by=item", web.Page, &sup, nil, "")
		body, _ := io.ReadAll(page.Body)
		if page.StatusCode != 200 || !strings.Contains(string(body), "单位社会保险登记") || !strings.Contains(string(body), "按时办结率") {
			t.Errorf("supervise page: %d", page.StatusCode)
		}
		// The chart of cases per day names itself and the period's figures, with a bar for today.
		for _, want := range []string{`id="chart-days"`, `role="img"`, `<title id="chart-days-title">每日提交的办件</title>`, "提交 3 件", today + "：3 件"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("the supervise page lacks %s", want)
			}
		}
	})
}

func casesInputReject() cases.RejectInput {
	return cases.RejectInput{Reason: "不属于受理范围", Basis: "《某某条例》第三条"}
}

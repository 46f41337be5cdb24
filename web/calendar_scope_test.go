package web_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"banhao/calendar"
	"banhao/cases"
	"banhao/errs"
	"banhao/hotline"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

func body(t *testing.T, resp interface{ Read([]byte) (int, error) }) string {
	t.Helper()
	b, _ := io.ReadAll(resp)
	return string(b)
}

// TestCalendarIsTheCitys: the calendar is one for the whole city, so a county's admin
// (admin_zhanhua) may not change it — 403 with a clear message on the API and the page, the day
// unchanged, the page shown read-only — nor recompute deadlines; the city's admin may.
func TestCalendarIsTheCitys(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		zh, city := h.staffSession(t, "admin_zhanhua"), h.staffSession(t, "admin")
		dayKind := func() string {
			cal, _ := h.app.Calendar.Calendar(ctx)
			o, _ := cal.Day(calendar.MustDate("2026-12-01"))
			return string(o.Kind)
		}
		resp := h.do(t, "PUT", "/api/v1/calendar/days/2026-12-01", web.API, &zh, strings.NewReader(`{"kind":"holiday","name":"临时休息"}`), "application/json")
		if b := body(t, resp.Body); resp.StatusCode != 403 || !strings.Contains(b, "只有市级（主中心）管理员可以修改") {
			t.Errorf("county admin PUT: %d %s, want 403 saying who may", resp.StatusCode, b)
		}
		resp, page := h.postPage(t, zh, "/admin/calendar", url.Values{"date": {"2026-12-01"}, "kind": {"holiday"}, "name": {"临时休息"}}, nil)
		if resp.StatusCode != 403 || !strings.Contains(visible(page), "区县管理员只能查看") {
			t.Errorf("county admin page POST: %d %s", resp.StatusCode, visible(page))
		}
		if k := dayKind(); k == "holiday" {
			t.Fatalf("the county admin's change was saved")
		}
		_, page = h.pageOf(t, zh, "/admin/calendar")
		if strings.Contains(page, `action="/admin/calendar"`) || strings.Contains(page, `action="/admin/calendar/import"`) || !strings.Contains(page, `id="calendar-readonly"`) {
			t.Errorf("the county admin's calendar page is not read-only: %s", visible(page))
		}
		if _, err := h.cases.RecomputeDeadlines(ctx, zh.User.Actor(), []calendar.Date{calendar.MustDate("2026-12-01")}); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("county admin recompute: %v, want forbidden", err)
		}
		_, page = h.pageOf(t, city, "/admin/calendar")
		if !strings.Contains(page, `action="/admin/calendar"`) || strings.Contains(page, `id="calendar-readonly"`) {
			t.Errorf("the city admin's calendar page has no form")
		}
		resp = h.do(t, "PUT", "/api/v1/calendar/days/2026-12-01", web.API, &city, strings.NewReader(`{"kind":"holiday","name":"临时休息"}`), "application/json")
		if resp.StatusCode != 200 || dayKind() != "holiday" {
			t.Errorf("city admin PUT: %d, day %s", resp.StatusCode, dayKind())
		}
	})
}

// TestCalendarInputMessages: a name over 20 characters is refused naming 名称; a date of the
// right shape that does not exist says so; an empty file says it is empty; an import that moves
// no case says so.
func TestCalendarInputMessages(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		admin := h.staffSession(t, "admin")
		put := func(date, js string) (int, string) {
			resp := h.do(t, "PUT", "/api/v1/calendar/days/"+date, web.API, &admin, strings.NewReader(js), "application/json")
			return resp.StatusCode, body(t, resp.Body)
		}
		if st, b := put("2026-12-01", `{"kind":"holiday","name":"`+strings.Repeat("休", 21)+`"}`); st != 400 || !strings.Contains(b, `"name"`) || !strings.Contains(b, "名称不能超过 20 个字") {
			t.Errorf("21-character name: %d %s", st, b)
		}
		if st, b := put("2026-12-01", `{"kind":"holiday","name":"`+strings.Repeat("休", 20)+`"}`); st != 200 {
			t.Errorf("20-character name: %d %s", st, b)
		}
		if st, b := put("2026-02-30", `{"kind":"holiday"}`); st != 400 || !strings.Contains(b, "日期 2026-02-30 不存在") || strings.Contains(b, "格式") {
			t.Errorf("2026-02-30: %d %s", st, b)
		}
		if st, b := put("2026-2-3", `{"kind":"holiday"}`); st != 400 || !strings.Contains(b, "YYYY-MM-DD") {
			t.Errorf("2026-2-3: %d %s", st, b)
		}
		resp := h.do(t, "POST", "/api/v1/calendar/import", web.API, &admin, strings.NewReader(""), "text/csv")
		if b := body(t, resp.Body); resp.StatusCode != 400 || !strings.Contains(b, "日历文件是空的") || strings.Contains(b, "第 1 行") {
			t.Errorf("empty import: %d %s", resp.StatusCode, b)
		}
		resp = h.do(t, "POST", "/api/v1/calendar/import", web.API, &admin, strings.NewReader("date,kind,name\n2027-01-01,holiday,"+strings.Repeat("元", 21)+"\n"), "text/csv")
		if b := body(t, resp.Body); resp.StatusCode != 400 || !strings.Contains(b, "第 2 行，列 name：名称不能超过 20 个字") {
			t.Errorf("long name in a file: %d %s", resp.StatusCode, b)
		}
		resp, page := h.postPage(t, admin, "/admin/calendar/import", url.Values{}, map[string]string{"file": "date,kind,name\n2027-10-01,holiday,国庆节\n"})
		if resp.StatusCode == 303 {
			_, page = h.pageOf(t, admin, resp.Header.Get("Location"))
		}
		if !strings.Contains(visible(page), "已保存 1 天；没有在办件的期限需要调整") {
			t.Errorf("a 2027 import moving no case: %d %s", resp.StatusCode, visible(page))
		}
	})
}

// TestCalendarRecomputeRetried: when counting the deadlines again fails after the days are
// saved, the API says the days are saved and the recompute will be retried; the change's
// transaction scheduled the retry (a second pass, a few seconds later), and the job, run once
// the database is well again, does the work.
func TestCalendarRecomputeRetried(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		admin := h.staffSession(t, "admin")
		if _, err := db.ExecContext(ctx, `ALTER TABLE post_checks RENAME TO post_checks_away`); err != nil {
			t.Fatal(err)
		}
		resp := h.do(t, "PUT", "/api/v1/calendar/days/2026-12-01", web.API, &admin, strings.NewReader(`{"kind":"holiday","name":"临时休息"}`), "application/json")
		out := decode[struct {
			WorkingDay bool   `json:"working_day"`
			Pending    bool   `json:"recompute_pending"`
			Note       string `json:"note"`
		}](t, resp)
		if resp.StatusCode != 200 || out.WorkingDay || !out.Pending || !strings.Contains(out.Note, "日历已保存") || !strings.Contains(out.Note, "自动重试") {
			t.Errorf("a failed recompute: %d %+v, want the day saved and a retry said", resp.StatusCode, out)
		}
		if _, err := db.ExecContext(ctx, `ALTER TABLE post_checks_away RENAME TO post_checks`); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = ? AND CAST(args AS TEXT) LIKE ?`, cases.RecomputeArgs{}.Kind(), `%2026-12-01%`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("the retry job: %d %v, want 1", n, err)
		}
		w := &cases.RecomputeWorker{Service: h.cases}
		if err := w.Work(ctx, &river.Job[cases.RecomputeArgs]{Args: cases.RecomputeArgs{Days: []string{"2026-12-01"}}}); err != nil {
			t.Errorf("the retry: %v", err)
		}
	})
}

// TestCalendarChangeMovesHotlineDue: a 12345 ticket dispatched on Thursday 2026-11-26 is due
// in 5 working days, 2026-12-03; when the admin makes 2026-12-01 a holiday its due day moves to
// 2026-12-04, with an entry in its history, and the API counts it.
func TestCalendarChangeMovesHotlineDue(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		op, admin := h.sessions[identity.Hotline], h.staffSession(t, "admin")
		tk, err := h.srv.Hotline.Create(ctx, op.User.Actor(), hotline.Input{Caller: hotline.Caller{Name: "王五", Phone: "13805439999"},
			Category: "投诉", Content: "窗口排队太久"})
		if err != nil {
			t.Fatal(err)
		}
		var dept string
		if err := db.QueryRowContext(ctx, `SELECT code FROM departments ORDER BY code LIMIT 1`).Scan(&dept); err != nil {
			t.Fatal(err)
		}
		tk, err = h.srv.Hotline.Act(ctx, op.User.Actor(), tk.Number, hotline.Dispatch, hotline.ActInput{Department: dept})
		if err != nil || tk.Due == nil || tk.Due.String() != "2026-12-03" {
			t.Fatalf("dispatched: due %v, %v; want 2026-12-03", tk.Due, err)
		}
		resp := h.do(t, "PUT", "/api/v1/calendar/days/2026-12-01", web.API, &admin, strings.NewReader(`{"kind":"holiday","name":"临时休息"}`), "application/json")
		out := decode[struct {
			Tickets int `json:"recomputed_hotline"`
		}](t, resp)
		if resp.StatusCode != 200 || out.Tickets != 1 {
			t.Errorf("the calendar change: %d %+v, want one ticket moved", resp.StatusCode, out)
		}
		got, err := h.srv.Hotline.Get(ctx, op.User.Actor(), tk.Number)
		if err != nil || got.Due == nil || got.Due.String() != "2026-12-04" {
			t.Fatalf("after the holiday: due %v, %v; want 2026-12-04", got.Due, err)
		}
		found := false
		for _, e := range got.Events {
			found = found || e.Action == "due_recompute" && e.ActionName == "重新计算答复期限" && strings.Contains(e.Detail, "2026-12-04")
		}
		if !found {
			t.Errorf("no recompute entry in the ticket's history: %+v", got.Events)
		}
		// Again: nothing moves.
		resp = h.do(t, "PUT", "/api/v1/calendar/days/2026-12-01", web.API, &admin, strings.NewReader(`{"kind":"holiday","name":"临时休息"}`), "application/json")
		if out := decode[struct {
			Tickets int `json:"recomputed_hotline"`
		}](t, resp); out.Tickets != 0 {
			t.Errorf("the same change again moved %d tickets", out.Tickets)
		}
	})
}

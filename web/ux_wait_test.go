package web_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/identity"
	"banhao/queue"
	"banhao/store"
	"banhao/web"
)

// TestWaitUnderAMinuteReadsTheSameEverywhere: a ticket with nobody ahead waits "不足 1 分钟" on
// its page, on the kiosk's ticket and in the API's text field, never "约 0 分钟"; the board's
// text field says what the board shows.
func TestWaitUnderAMinuteReadsTheSameEverywhere(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		clerk := h.sessions[identity.Clerk]
		tk, err := h.queue.Issue(context.Background(), queue.Requester{Actor: clerk.User.Actor(), Staff: true},
			queue.IssueInput{Service: demo.ServiceCode("A"), Source: "window"})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Ahead != 0 || tk.EstimatedWaitMinutes != 0 {
			t.Fatalf("the first ticket has %d ahead, %d minutes", tk.Ahead, tk.EstimatedWaitMinutes)
		}
		if tk.EstimatedWaitText != "不足 1 分钟" {
			t.Errorf("the issued ticket's text is %q", tk.EstimatedWaitText)
		}
		resp := h.do(t, "GET", "/tickets/"+tk.ID, web.Page, nil, nil, "")
		b, _ := io.ReadAll(resp.Body)
		page := visible(string(b))
		if !strings.Contains(page, "预计等候 不足 1 分钟") || strings.Contains(page, "约 0") {
			t.Errorf("the ticket page reads %q", page)
		}
		got := decode[queue.Ticket](t, h.do(t, "GET", "/api/v1/tickets/"+tk.ID, web.API, nil, nil, ""))
		if got.EstimatedWaitText != "不足 1 分钟" {
			t.Errorf("the API's estimated_wait_text is %q", got.EstimatedWaitText)
		}
		board := decode[queue.Board](t, h.do(t, "GET", "/api/v1/halls/main/board", web.API, nil, nil, ""))
		for _, s := range board.Services {
			if want := queue.LineWaitText(s.Waiting, s.EstimatedWaitMinutes); s.EstimatedWaitText != want || strings.Contains(want, "约 0") {
				t.Errorf("line %s: text %q, want %q", s.Code, s.EstimatedWaitText, want)
			}
		}
		for _, path := range []string{"/hall/main/take", "/hall/main/display", "/kiosk/take"} {
			resp := h.do(t, "GET", path, web.Page, nil, nil, "")
			b, _ := io.ReadAll(resp.Body)
			if strings.Contains(visible(string(b)), "约 0 分钟") {
				t.Errorf("%s shows 约 0 分钟", path)
			}
		}
	})
}

// TestNobodyAheadReadsAsNext: a waiting ticket with nobody in front reads "下一位就是您" on its
// page, on the kiosk's ticket and in the API's text, never "前面还有 0 人"; one ahead reads
// "前面还有 1 人".
func TestNobodyAheadReadsAsNext(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	clerk := h.sessions[identity.Clerk]
	var tks []queue.Ticket
	for range 2 {
		tk, err := h.queue.Issue(context.Background(), queue.Requester{Actor: clerk.User.Actor(), Staff: true},
			queue.IssueInput{Service: demo.ServiceCode("A"), Source: "window"})
		if err != nil {
			t.Fatal(err)
		}
		tks = append(tks, tk)
	}
	for i, want := range []string{"下一位就是您", "前面还有 1 人"} {
		for _, path := range []string{"/tickets/" + tks[i].ID, "/kiosk/tickets/" + tks[i].ID} {
			resp := h.do(t, "GET", path, web.Page, nil, nil, "")
			b, _ := io.ReadAll(resp.Body)
			page := strings.ReplaceAll(visible(string(b)), " ", "")
			if resp.StatusCode != 200 || !strings.Contains(page, strings.ReplaceAll(want, " ", "")) || strings.Contains(page, "前面还有0") || strings.Contains(page, "前面没有人") {
				t.Errorf("%s (%d ahead) reads %q, want %q", path, i, page, want)
			}
		}
		got := decode[queue.Ticket](t, h.do(t, "GET", "/api/v1/tickets/"+tks[i].ID, web.API, nil, nil, ""))
		if got.AheadText != want {
			t.Errorf("the API's ahead_text is %q, want %q", got.AheadText, want)
		}
	}
}

package web_test

import (
	"context"
	"strings"
	"testing"

	"banhao/hotline"
	"banhao/identity"
)

// TestHotlineFollowUpLevelsInWords: the operator's 回访 offers the five levels by their words with
// the number, and the closed ticket shows the caller's answer in words.
func TestHotlineFollowUpLevelsInWords(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	op := h.sessions[identity.Hotline]
	tk, err := h.srv.Hotline.Create(ctx, op.User.Actor(), hotline.Input{Caller: hotline.Caller{Name: "王五", Phone: "13805439999"},
		Category: "咨询", Content: "营业时间"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.srv.Hotline.Act(ctx, op.User.Actor(), tk.Number, hotline.Reply, hotline.ActInput{Text: "工作日 9:00–17:00"}); err != nil {
		t.Fatal(err)
	}
	page := h.seen(t, "/hotline/"+tk.Number, op)
	if !strings.Contains(page, "非常满意（5） 满意（4） 基本满意（3） 不满意（2） 非常不满意（1）") {
		t.Errorf("the 回访 levels are not in words: %q", page)
	}
	if _, err := h.srv.Hotline.Act(ctx, op.User.Actor(), tk.Number, hotline.Close, hotline.ActInput{Satisfaction: 4}); err != nil {
		t.Fatal(err)
	}
	if page := h.seen(t, "/hotline/"+tk.Number, op); !strings.Contains(page, "来电人满意度 满意（4 / 5）") {
		t.Errorf("the closed ticket does not show the answer in words: %q", page)
	}
}

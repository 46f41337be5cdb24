package web_test

import (
	"context"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/demo"
	"banhao/identity"
)

// TestCountersOfOwnCenterFirst: /counter lists the counters of the clerk's own center's halls
// first, each with its hall, so a township clerk finds their window at the top.
func TestCountersOfOwnCenterFirst(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	if _, err := h.ids.AddUser(ctx, audit.System, identity.NewUser{Username: "clerk_pengli_2", DisplayName: "彭李窗口", Password: "correct-horse-9",
		Role: identity.Clerk, Center: demo.PengliCenter}); err != nil {
		t.Fatal(err)
	}
	sess, err := h.ids.Login(ctx, "clerk_pengli_2", "correct-horse-9", "127.0.0.1", identity.KindWeb)
	if err != nil {
		t.Fatal(err)
	}
	page := h.seen(t, "/counter", sess)
	rows := strings.SplitN(page, "进入", 2)
	if !strings.Contains(rows[0], "彭李街道1号窗口") || !strings.Contains(rows[0], "彭李街道便民服务中心大厅") {
		t.Errorf("the first counter on a 彭李 clerk's /counter is not 彭李's, with its hall: %q", rows[0])
	}
	city := h.seen(t, "/counter", h.sessions[identity.Clerk])
	if first := strings.SplitN(city, "进入", 2)[0]; strings.Contains(first, "街道") {
		t.Errorf("the city clerk's first counter is a township's: %q", first)
	}
}

package web_test

import (
	"context"
	"strings"
	"testing"

	"banhao/demo"
	"banhao/identity"
	"banhao/queue"
	"banhao/store"
)

// TestAuditLogNamesTicketsAndFiles: the audit log shows a ticket by its number, day and line and
// a file by its name and the case it belongs to, never by their internal ids.
func TestAuditLogNamesTicketsAndFiles(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		clerk := h.sessions[identity.Clerk]
		fileID := h.uploadAs(t, &clerk, "营业执照副本.pdf", "%PDF-1.4\n%%EOF\n")
		number, _ := h.windowCase(t, fileID)
		tk, err := h.queue.Issue(context.Background(), queue.Requester{Actor: clerk.User.Actor(), Staff: true},
			queue.IssueInput{Service: demo.ServiceCode("A"), Source: "window"})
		if err != nil {
			t.Fatal(err)
		}
		log := h.seen(t, "/admin/audit", h.sessions[identity.Auditor])
		for _, want := range []string{"排队号 " + tk.Number + "（" + tk.Day + " 商事登记）", "文件 营业执照副本.pdf（办件 " + number + "）"} {
			if !strings.Contains(log, want) {
				t.Errorf("the audit log lacks %q", want)
			}
		}
		for _, id := range []string{tk.ID, fileID} {
			if strings.Contains(log, id) {
				t.Errorf("the audit log shows the internal id %q", id)
			}
		}
	})
}

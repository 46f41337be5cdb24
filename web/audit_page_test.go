package web_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"banhao/audit"
	"banhao/identity"
	"banhao/store"
	"banhao/web"
)

// TestAuditPageShowsTheLastVerification: the audit page shows the last run of the verification
// job and does not walk the chain itself — an entry edited by hand shows only once the job has
// run again, and then by its number.
func TestAuditPageShowsTheLastVerification(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := newHarness(t, db)
		auditor := h.sessions[identity.Auditor]
		page := func() string {
			t.Helper()
			resp := h.do(t, "GET", "/admin/audit", web.Page, &auditor, nil, "")
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("GET /admin/audit: %d", resp.StatusCode)
			}
			return string(b)
		}
		job := &audit.VerifyWorker{Log: h.log, DB: db, Logger: slog.New(slog.DiscardHandler)}
		run := func() {
			t.Helper()
			if err := job.Work(ctx, &river.Job[audit.VerifyArgs]{}); err != nil {
				t.Fatal(err)
			}
		}

		if p := page(); !strings.Contains(p, "尚未进行链式校验") {
			t.Fatalf("before the first run the page should say the chain was not verified yet:\n%s", p)
		}
		run()
		if p := page(); !strings.Contains(p, "链式校验（") || !strings.Contains(p, "通过") {
			t.Fatalf("after an intact run the page should say it passed:\n%s", p)
		}

		// Someone with database access drops the guards and edits entry 3.
		stmts := []string{`DROP TRIGGER audit_log_no_update`}
		if db.Dialect == store.Postgres {
			stmts = []string{`DROP TRIGGER audit_log_no_change ON audit_log`}
		}
		stmts = append(stmts, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`)
		for _, s := range stmts {
			if _, err := db.ExecContext(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		if p := page(); !strings.Contains(p, "通过") || strings.Contains(p, "失败") {
			t.Fatalf("the page walked the chain itself (it should show the last job's result until the job runs again):\n%s", p)
		}
		run()
		p := page()
		if !strings.Contains(p, `role="alert" id="audit-verification"`) || !strings.Contains(p, "自第 3 条记录起链条断裂") || !strings.Contains(p, "被修改") {
			t.Fatalf("after the job ran on the edited log the page should name entry 3:\n%s", p)
		}
	})
}

package cases_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"banhao/errs"
)

// TestClaimDatabaseError: when the database fails, Claim answers with that failure, wrapped with
// the case it was about — not "办件不存在", which would send the officer looking for a case that
// is there. A cancelled request and a failing read, on real SQLite.
func TestClaimDatabaseError(t *testing.T) {
	db := sqliteWithCatalog(t)
	ctx := context.Background()
	e := newEnv(t, db)
	c := e.submitted(t, "企业设立登记", "m1", "m2", "m3", "m4", "m5")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err := e.svc.Claim(cancelled, approver, c.Number, true)
	if !errors.Is(err, context.Canceled) || errs.Is(err, errs.CodeNotFound) {
		t.Fatalf("claim on a cancelled request: %v, want the cancellation, not 不存在", err)
	}

	// The read of the case fails (its column gone): the cause is kept, with the case named.
	if _, err := db.ExecContext(ctx, `ALTER TABLE cases RENAME COLUMN assignee TO assignee_gone`); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Claim(ctx, approver, c.Number, true)
	if err == nil || errs.Is(err, errs.CodeNotFound) || errors.Unwrap(err) == nil || !strings.Contains(err.Error(), "claim case "+c.Number) ||
		!strings.Contains(err.Error(), "assignee") {
		t.Fatalf("claim when the read fails: %v, want the database's error wrapped with the case", err)
	}
	if _, ok := errs.As(err); ok {
		t.Fatalf("claim when the read fails: %v is told as the user's mistake, want an internal error", err)
	}
}

package errs_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"banhao/errs"
)

func take(cause error) (_ int, err error) {
	defer errs.Wrap(&err, "queue.Take")
	return 0, cause
}

func next(cause error) (err error) {
	defer errs.Wrap(&err, "queue.Next")
	_, err = take(cause)
	return err
}

func create(cause error) (err error) {
	defer errs.Wrap(&err, "cases.Create")
	return next(cause)
}

func TestWrapNamesWhereAnInternalErrorCameFromOncePerPackage(t *testing.T) {
	if _, err := take(nil); err != nil {
		t.Fatalf("nil wrapped into %v", err)
	}
	_, err := take(sql.ErrNoRows)
	if got, want := err.Error(), "queue.Take: "+sql.ErrNoRows.Error(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		t.Fatal("errors.Is does not reach the cause")
	}
	// Same package twice: the innermost operation, once. Another package: its name in front.
	err = create(fmt.Errorf("scan: %w", context.Canceled))
	if got, want := err.Error(), "cases.Create: queue.Take: scan: context canceled"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if !errors.Is(err, context.Canceled) || errs.Op(err) != "cases.Create" {
		t.Fatalf("cause or op lost: %v, op %q", err, errs.Op(err))
	}
	// A cause that names its package already names it once.
	if _, err := take(fmt.Errorf("queue: no hall %q: %w", "h1", sql.ErrNoRows)); err.Error() != `queue.Take: no hall "h1": `+sql.ErrNoRows.Error() {
		t.Fatalf("got %q", err)
	}
	// A cause that names the operation itself (a constructor's refusal of a missing dependency).
	if _, err := take(errors.New("queue.Take: missing dependency Hub")); err.Error() != "queue.Take: missing dependency Hub" {
		t.Fatalf("got %q", err)
	}
}

func TestWrapLeavesDomainErrorsAsTheyAre(t *testing.T) {
	domain := errs.Conflict("该号已叫过，请勿重复叫号")
	err := create(domain)
	if err != domain { // the same value: a sentinel compared with == still matches
		t.Fatalf("domain error changed into %v", err)
	}
	e, ok := errs.As(err)
	if !ok || e.Message != "该号已叫过，请勿重复叫号" {
		t.Fatalf("errs.As = %v, %v", e, ok)
	}
	// A domain error someone wrapped with fmt.Errorf stays the way it came as well.
	inner := fmt.Errorf("check: %w", errs.Invalid("hall", "请选择大厅"))
	if err := create(inner); err != inner || !errs.Is(err, errs.CodeInvalid) {
		t.Fatalf("got %v", err)
	}
}

// importError is an error for people in its own type (like catalog.ImportError).
type importError struct{}

func (importError) Error() string { return "第 3 行：缺少事项编码" }
func (importError) AsDomain() *errs.Error {
	return &errs.Error{Code: errs.CodeInvalid, Message: "第 3 行：缺少事项编码"}
}

func TestWrapLeavesErrorsForPeopleInTheirOwnType(t *testing.T) {
	if err := create(importError{}); err != (importError{}) {
		t.Fatalf("got %v", err)
	}
}

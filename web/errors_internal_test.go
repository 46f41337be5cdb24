package web

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"banhao/errs"
)

// TestErrorStatusNeverZero: every error gets a real HTTP status. A domain error whose code the
// web layer does not know (one added to errs later, or a bare errs.Error) is an internal error —
// 500, with the cause kept for the log — not status 0, which would make WriteHeader panic.
func TestErrorStatusNeverZero(t *testing.T) {
	for _, err := range []error{
		&errs.Error{Code: "some_new_code", Message: "x"},
		&errs.Error{Message: "no code"},
		fmt.Errorf("load case: %w", &errs.Error{Code: "internal"}),
		errors.New("disk full"),
	} {
		e, status := statusWithRetryAfter(httptest.NewRecorder(), err)
		if status != 500 || e.Code != "internal" {
			t.Errorf("%v: status %d code %q, want 500 internal", err, status, e.Code)
		}
	}
	if _, status := statusWithRetryAfter(httptest.NewRecorder(), fmt.Errorf("wrapped: %w", errs.Invalid("phone", "格式错误"))); status != 400 {
		t.Errorf("a wrapped invalid-input error: status %d, want 400", status)
	}
}

// TestDecodeEmptyBody: an empty JSON body is named as such, not as a parse failure.
func TestDecodeEmptyBody(t *testing.T) {
	r := httptest.NewRequest("POST", "/api/v1/cases", strings.NewReader(""))
	var v struct{ A string }
	err := decodeJSON(httptest.NewRecorder(), r, &v)
	if e, ok := errs.As(err); !ok || len(e.Fields) == 0 || e.Fields[0].Message != "请求体为空" {
		t.Fatalf("empty body: %v, want 请求体为空", err)
	}
}

// TestServerErrorStatusLogsWhatIsNotTold: the method Server.errorStatus gives the same status
// as statusWithRetryAfter and logs an internal error with its cause; an error the person is told
// (a refused input) is not logged.
func TestServerErrorStatusLogsWhatIsNotTold(t *testing.T) {
	var log bytes.Buffer
	s := &Server{Config: Config{Logger: slog.New(slog.NewTextHandler(&log, nil))}}
	r := httptest.NewRequest("POST", "/api/v1/cases", nil)
	if _, status := s.errorStatus(httptest.NewRecorder(), r, errs.Invalid("phone", "格式错误")); status != 400 || log.Len() != 0 {
		t.Errorf("a refused input: status %d, logged %q; want 400 and nothing logged", status, log.String())
	}
	if _, status := s.errorStatus(httptest.NewRecorder(), r, fmt.Errorf("cases: load C1: %w", errors.New("disk full"))); status != 500 ||
		!strings.Contains(log.String(), "cases: load C1: disk full") {
		t.Errorf("an internal error: status %d, logged %q; want 500 and the cause in the log", status, log.String())
	}
}

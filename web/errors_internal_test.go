package web

import (
	"errors"
	"fmt"
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
		e, status := errorStatus(httptest.NewRecorder(), err)
		if status != 500 || e.Code != "internal" {
			t.Errorf("%v: status %d code %q, want 500 internal", err, status, e.Code)
		}
	}
	if _, status := errorStatus(httptest.NewRecorder(), fmt.Errorf("wrapped: %w", errs.Invalid("phone", "格式错误"))); status != 400 {
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

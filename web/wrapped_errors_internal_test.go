package web

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"banhao/errs"
)

// take stands for an exported capability method: it wraps what leaves it (errs.Wrap), and an
// inner step may already have wrapped a domain error with fmt.Errorf.
func take(cause error) (err error) {
	defer errs.Wrap(&err, "queue.Take")
	return fmt.Errorf("next ticket: %w", cause)
}

// TestWrappedErrorsReachPeopleWithTheirMessageAlone: a domain error returned through a wrapped
// method answers with its Chinese message alone — no operation name, no Go text — and errors.As
// finds it; an internal one answers 500 with the generic message, and the log names where it
// came from.
func TestWrappedErrorsReachPeopleWithTheirMessageAlone(t *testing.T) {
	var log bytes.Buffer
	s := &Server{Config: Config{Logger: slog.New(slog.NewTextHandler(&log, nil))}}

	domain := take(errs.Invalid("phone", "手机号须为 11 位数字"))
	var de *errs.Error
	if !errors.As(domain, &de) || de.Message != "手机号须为 11 位数字" {
		t.Fatalf("errors.As lost the domain error: %v", domain)
	}
	rec := httptest.NewRecorder()
	s.writeError(rec, httptest.NewRequest("POST", "/api/v1/tickets", nil), API, domain)
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 400 || p.Detail != "手机号须为 11 位数字" || p.Code != errs.CodeInvalid ||
		len(p.Errors) != 1 || p.Errors[0].Message != "手机号须为 11 位数字" {
		t.Fatalf("answer %d %+v", rec.Code, p)
	}
	if strings.Contains(rec.Body.String(), "queue") || strings.Contains(rec.Body.String(), "next ticket") {
		t.Errorf("the answer shows where the error came from: %s", rec.Body)
	}

	internal := take(sql.ErrConnDone)
	rec = httptest.NewRecorder()
	s.writeError(rec, httptest.NewRequest("POST", "/api/v1/tickets", nil), API, internal)
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 500 || p.Detail != "服务器内部错误，请稍后再试" || strings.Contains(rec.Body.String(), "queue") {
		t.Fatalf("internal error answered %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(log.String(), "queue.Take: next ticket: "+sql.ErrConnDone.Error()) {
		t.Errorf("the log does not say where the 500 came from: %s", log.String())
	}
}

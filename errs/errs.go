// Package errs holds the one domain error type; the web layer maps its code to an HTTP status.
package errs

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code is a stable, machine-readable error class (API.md "Errors").
type Code string

// The codes of API.md.
const (
	CodeInvalid         Code = "invalid"
	CodeNotFound        Code = "not_found"
	CodeConflict        Code = "conflict"
	CodeForbidden       Code = "forbidden"
	CodeUnauthorized    Code = "unauthorized"
	CodeTooManyRequests Code = "too_many_requests"
	CodeTooLarge        Code = "too_large"
	CodeUnsupported     Code = "unsupported_media_type"
	// CodeUnavailable: the database cannot be reached for now (503 with Retry-After); nothing
	// was done, and the same request may be sent again.
	CodeUnavailable Code = "unavailable"
)

// FieldError names one field at fault and the rule it broke.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a domain error: a code, a message for people (Chinese) and the fields at fault.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// RetryAfter is when a rate-limited caller may try again (the Retry-After header).
	RetryAfter time.Duration
	// What is the kind of object a NotFound is about: pages say "未找到该事项" without echoing
	// the key, which came from the address a link may have forged.
	What string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return string(e.Code) + ": " + e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return string(e.Code) + ": " + e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Invalid reports bad input in one field.
func Invalid(field, msg string) error {
	return &Error{Code: CodeInvalid, Message: msg, Fields: []FieldError{{Field: field, Message: msg}}}
}

// NotFound reports a missing object, e.g. NotFound("事项", code).
func NotFound(what, key string) error {
	return &Error{Code: CodeNotFound, Message: fmt.Sprintf("%s %q 不存在", what, Short(key)), What: what}
}

// ShortLen is how many characters of a key from a request an answer repeats.
const ShortLen = 40

// Short is a key from a request as an answer may repeat it: its first ShortLen characters, then
// "…". A key is whatever a client sent (a megabyte in a path or a query); the answer to it
// stays small.
func Short(key string) string {
	n := 0
	for i := range key {
		if n == ShortLen {
			return key[:i] + "…"
		}
		n++
	}
	return key
}

// Conflict reports an illegal state change or a duplicate.
func Conflict(msg string) error { return &Error{Code: CodeConflict, Message: msg} }

// Forbidden reports a role that may not do this.
func Forbidden(msg string) error { return &Error{Code: CodeForbidden, Message: msg} }

// Unauthorized reports missing or bad credentials.
func Unauthorized(msg string) error { return &Error{Code: CodeUnauthorized, Message: msg} }

// TooManyRequests reports a rate limit.
func TooManyRequests(msg string) error { return &Error{Code: CodeTooManyRequests, Message: msg} }

// TooManyRequestsAfter reports a rate limit and when to try again.
func TooManyRequestsAfter(msg string, after time.Duration) error {
	return &Error{Code: CodeTooManyRequests, Message: msg, RetryAfter: after}
}

// Validation collects field errors so that a user sees every problem at once.
type Validation struct{ fields []FieldError }

// Add records that field broke a rule.
func (v *Validation) Add(field, msg string) { v.fields = append(v.fields, FieldError{field, msg}) }

// Check adds the error when cond is false.
func (v *Validation) Check(cond bool, field, msg string) {
	if !cond {
		v.Add(field, msg)
	}
}

// Fields returns what was collected.
func (v *Validation) Fields() []FieldError { return v.fields }

// Err returns nil when nothing was added.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	msg := v.fields[0].Message // for people: the field's key stays in Fields, for programs
	if len(v.fields) > 1 {
		msg = fmt.Sprintf("%s（另有 %d 处错误）", msg, len(v.fields)-1)
	}
	return &Error{Code: CodeInvalid, Message: msg, Fields: v.fields}
}

// Forbidden is Err for a request outside the caller's scope (403): every field named at once.
func (v *Validation) Forbidden() error {
	err := v.Err()
	if e, ok := err.(*Error); ok {
		e.Code = CodeForbidden
	}
	return err
}

// As returns the domain error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err carries code.
func Is(err error, code Code) bool {
	e, ok := As(err)
	return ok && e.Code == code
}

// Wrap gives an internal error the operation it came from as it leaves a package. Deferred at the
// top of an exported method with a named error result,
//
//	defer errs.Wrap(&err, "queue.Take")
//
// turns a database, file or encoding error into "queue.Take: <cause>"; errors.Is and errors.As
// still reach the cause (sql.ErrNoRows, a driver's code, context.Canceled). Two kinds are left
// as they are:
//   - a domain error (*Error, anywhere in the chain, or an error with an AsDomain method): its
//     message is for people, and web shows that message alone, so it needs no place;
//   - an error that already names an operation of the same package (an exported method that
//     called another): the chain names each package once, the innermost operation, so a log
//     line reads "cases.Create: queue.Take: <cause>", never "queue.A: queue.B: …".
func Wrap(errp *error, op string) {
	err := *errp
	if err == nil {
		return
	}
	if _, ok := As(err); ok {
		return
	}
	var told interface{ AsDomain() *Error } // an error for people in its own type (catalog.ImportError)
	if errors.As(err, &told) {
		return
	}
	var at *opError
	if errors.As(err, &at) && pkgOf(at.op) == pkgOf(op) {
		return
	}
	*errp = &opError{op: op, err: err}
}

// Op returns the operation an internal error was wrapped with by Wrap (the outermost), or "".
func Op(err error) string {
	var at *opError
	if errors.As(err, &at) {
		return at.op
	}
	return ""
}

// opError is an internal error and where it came from.
type opError struct {
	op  string
	err error
}

// Error is "op: cause". A cause that already starts with the package's name ("store: open …",
// written before the operation was known) says it once: "store.Open: open …"; one that starts
// with the operation itself ("jobs.New: missing dependency Logger") is said as it is.
func (e *opError) Error() string {
	cause := e.err.Error()
	if strings.HasPrefix(cause, e.op+": ") { // the cause names the operation itself (wiring's refusals)
		return cause
	}
	return e.op + ": " + strings.TrimPrefix(cause, pkgOf(e.op)+": ")
}
func (e *opError) Unwrap() error { return e.err }

// pkgOf is the package part of an operation name: "queue" of "queue.Take".
func pkgOf(op string) string {
	if i := strings.IndexByte(op, '.'); i >= 0 {
		return op[:i]
	}
	return op
}

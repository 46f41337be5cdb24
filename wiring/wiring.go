// Package wiring checks what a constructor is given: every dependency of a capability is
// required (app.New is the one place that wires them; where one is not wanted the caller passes a
// stand-in such as jobs.Discard or payments.NoBank, never nil). A missing one is a programmer's
// error, refused at construction with its name rather than found as a nil dereference later.
package wiring

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Deps are a constructor's dependencies: the value given under its field's name.
type Deps map[string]any

// Require returns an error naming (in order) every dependency in deps that is nil (a nil interface, or a
// nil pointer, func, map, channel or slice inside one); who names the constructor.
func Require(who string, deps Deps) error {
	var missing []string
	for name, v := range deps {
		if isNil(v) {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return &MissingError{Who: who, Names: missing}
}

// MissingError is a construction refused for missing dependencies.
type MissingError struct {
	Who   string
	Names []string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("%s: missing dependency %s (every dependency is required; pass a stand-in where one is not wanted)",
		e.Who, strings.Join(e.Names, ", "))
}

// Missing reports whether err is a construction refused for missing dependencies, and which.
func Missing(err error) ([]string, bool) {
	var m *MissingError
	if errors.As(err, &m) {
		return m.Names, true
	}
	return nil, false
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch r := reflect.ValueOf(v); r.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Chan, reflect.Slice, reflect.Interface:
		return r.IsNil()
	}
	return false
}

// Must is v of a constructor that was given every dependency, as in tests and tools:
// wiring.Must(audit.New(key, now)). An error there is the caller's own mistake: it panics.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

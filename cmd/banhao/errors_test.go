package main

import (
	"strings"
	"testing"
)

// TestCLIErrorSaysWhere: a failing command names itself, and the capability's error its
// operation, each once: an operator reading the line knows where to look.
func TestCLIErrorSaysWhere(t *testing.T) {
	code, _, errOut := cli(t, "", "audit", "verify", "--db", "sqlite:"+t.TempDir()) // a directory, not a database
	if code != 1 || !strings.HasPrefix(errOut, "banhao audit verify: store.Open: open ") || strings.Count(errOut, "store") != 1 {
		t.Fatalf("got %d %q", code, errOut)
	}
}

package errs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wrapped are the capability packages whose exported operations wrap what they pass on
// (issue 14). cases and web are to join.
var wrapped = []string{"queue", "catalog", "identity", "store", "hotline", "network", "certs", "ratings",
	"backup", "files", "notify", "audit", "pdfdoc", "jobs", "demo", "payments", "autodecide", "app", "cases"}

// unwrapped are exported functions that may pass an error on without an operation: pure checks
// and parsers whose errors are messages for people, encoding methods, and store's primitives
// and callback runners (their callers wrap; a callback's error is the caller's own).
func unwrapped(pkg, recv, name string) bool {
	for _, p := range []string{"Parse", "Validate", "Valid", "Check"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	switch name {
	case "UnmarshalJSON", "MarshalJSON", "Scan", "SnoozeUntil":
		return true
	}
	if strings.HasSuffix(name, "Error") && recv == "" { // makes the error it returns (cases.IncompleteError)
		return true
	}
	if pkg == "store" {
		switch name {
		case "Tx", "ReadTogether", "ReadConsistent", "ReadLater", "ExecLater", "QueryContext", "ExecContext", "Run":
			return true
		}
	}
	return false
}

// TestExportedOperationsWrapTheirErrors: every exported function of the packages above that can
// pass on an error it did not make (not nil, not a domain error, not a sentinel) defers
// errs.Wrap, so a 500 in the log says where it came from.
func TestExportedOperationsWrapTheirErrors(t *testing.T) {
	for _, pkg := range wrapped {
		files, _ := filepath.Glob(filepath.Join("..", pkg, "*.go"))
		for _, fn := range files {
			if strings.HasSuffix(fn, "_test.go") {
				continue
			}
			src, err := os.ReadFile(fn)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, fn, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil || !fd.Name.IsExported() || !returnsError(fd) {
					continue
				}
				recv := ""
				if fd.Recv != nil {
					t := fd.Recv.List[0].Type
					if s, ok := t.(*ast.StarExpr); ok {
						t = s.X
					}
					if ix, ok := t.(*ast.IndexExpr); ok {
						t = ix.X
					}
					recv = t.(*ast.Ident).Name
					if !ast.IsExported(recv) {
						continue
					}
				}
				if unwrapped(pkg, recv, fd.Name.Name) || !passesOn(fd.Body) {
					continue
				}
				body := string(src[fset.Position(fd.Body.Lbrace).Offset:fset.Position(fd.Body.Rbrace).Offset])
				if !strings.Contains(body, "errs.Wrap(&") {
					t.Errorf("%s: %s.%s passes errors on without errs.Wrap", fset.Position(fd.Pos()), pkg, fd.Name.Name)
				}
			}
		}
	}
}

func returnsError(fd *ast.FuncDecl) bool {
	r := fd.Type.Results
	if r == nil || len(r.List) == 0 {
		return false
	}
	id, ok := r.List[len(r.List)-1].Type.(*ast.Ident)
	return ok && id.Name == "error"
}

// passesOn: some return (outside function literals) gives back an error the function did not
// make itself.
func passesOn(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) == 0 {
				found = true
				return false
			}
			switch x := n.Results[len(n.Results)-1].(type) {
			case *ast.Ident:
				if x.Name == "nil" || strings.HasPrefix(x.Name, "Err") {
					return false
				}
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "errs" {
						return false
					}
				}
			case *ast.UnaryExpr:
				if cl, ok := x.X.(*ast.CompositeLit); ok {
					if sel, ok := cl.Type.(*ast.SelectorExpr); ok {
						if id, ok := sel.X.(*ast.Ident); ok && id.Name == "errs" {
							return false
						}
					}
				}
			}
			found = true
		}
		return true
	})
	return found
}

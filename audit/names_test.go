package audit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"banhao/audit"
)

// forwarders are the functions that pass an action on to Log.Record: their own calls name the
// action (argument arg, with prefix in front).
var forwarders = map[string]struct {
	arg, object int // the object type's argument, or -1: the forwarder names it itself
	prefix      string
}{
	"web.audited":   {1, 2, ""},
	"cases.event":   {4, -1, "case."},
	"hotline.event": {4, -1, "hotline."},
}

// written finds every action and object type the code hands to the audit log, by reading the
// source: each call of Log.Record and of a forwarder, with the action as a literal, a variable
// given literals in the same function, or a conversion of the package's Action constants.
func written(t *testing.T) (actions, objects map[string]string) {
	t.Helper()
	actions, objects = map[string]string{}, map[string]string{}
	fset := token.NewFileSet()
	pkgs := map[string][]*ast.File{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkgs[f.Name.Name] = append(pkgs[f.Name.Name], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs["cases"]) == 0 || len(pkgs["web"]) == 0 {
		t.Fatalf("found no source of cases or web from %s", "..")
	}
	for pkg, files := range pkgs {
		consts := actionConsts(files)
		for _, f := range files {
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					sel, ok := call.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					where := fset.Position(call.Pos()).String()
					arg, object, prefix := -1, -1, ""
					if fw, ok := forwarders[pkg+"."+sel.Sel.Name]; ok && len(call.Args) > fw.arg {
						arg, object, prefix = fw.arg, fw.object, fw.prefix
					} else if sel.Sel.Name == "Record" && len(call.Args) == 8 {
						arg, object = 3, 4
					}
					if arg < 0 {
						return true
					}
					_, forwarding := forwarders[pkg+"."+fn.Name.Name]
					for _, a := range []int{arg, object} {
						if a >= 0 && mentionsParam(fn, call.Args[a]) && !forwarding {
							t.Errorf("%s: %s.%s passes a parameter on to the audit log; add it to forwarders", where, pkg, fn.Name.Name)
						}
					}
					for _, v := range values(t, fn, call.Args[arg], consts, where) {
						actions[prefix+v] = where
					}
					if object >= 0 {
						for _, v := range values(t, fn, call.Args[object], consts, where) {
							objects[v] = where
						}
					}
					return true
				})
			}
		}
	}
	return actions, objects
}

// values are the strings expr can take, or the test fails naming where it could not tell.
func values(t *testing.T, fn *ast.FuncDecl, expr ast.Expr, consts []string, where string) []string {
	switch e := expr.(type) {
	case *ast.BasicLit:
		if s, err := strconv.Unquote(e.Value); err == nil {
			return []string{s}
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			var out []string
			for _, l := range values(t, fn, e.X, consts, where) {
				for _, r := range values(t, fn, e.Y, consts, where) {
					out = append(out, l+r)
				}
			}
			return out
		}
	case *ast.CallExpr: // string(a), a of the package's Action type
		if id, ok := e.Fun.(*ast.Ident); ok && id.Name == "string" && len(consts) > 0 {
			return consts
		}
	case *ast.Ident:
		if isParam(fn, e) {
			return nil // a forwarder's parameter: its callers are checked
		}
		if lits := assigned(fn, e.Name); len(lits) > 0 {
			return lits
		}
	}
	t.Errorf("%s: cannot tell which audit action or object type %T is; write it as a literal", where, expr)
	return nil
}

// isParam reports whether expr is one of fn's parameters.
func isParam(fn *ast.FuncDecl, expr ast.Expr) bool {
	id, ok := expr.(*ast.Ident)
	if !ok {
		return false
	}
	for _, f := range fn.Type.Params.List {
		for _, n := range f.Names {
			if n.Name == id.Name {
				return true
			}
		}
	}
	return false
}

// mentionsParam reports whether expr uses one of fn's parameters other than in string(a) (a
// value of the package's Action constants).
func mentionsParam(fn *ast.FuncDecl, expr ast.Expr) bool {
	found := false
	ast.Inspect(expr, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "string" {
				return false
			}
		}
		if id, ok := n.(*ast.Ident); ok && isParam(fn, id) {
			found = true
		}
		return !found
	})
	return found
}

// assigned collects the string literals assigned to the variable name in fn.
func assigned(fn *ast.FuncDecl, name string) []string {
	var out []string
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for i, l := range as.Lhs {
			if id, ok := l.(*ast.Ident); ok && id.Name == name {
				if lit, ok := as.Rhs[i].(*ast.BasicLit); ok {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						out = append(out, s)
					}
				}
			}
		}
		return true
	})
	return out
}

// actionConsts are the values of the constants of type Action in a package's files.
func actionConsts(files []*ast.File) []string {
	var out []string
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Action" {
					continue
				}
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok {
						s, _ := strconv.Unquote(lit.Value)
						out = append(out, s)
					}
				}
			}
		}
	}
	return out
}

// TestEveryActionHasAName: every action and object type written anywhere in the code has a
// Chinese name, so the audit log and the timelines never show a person an internal key.
func TestEveryActionHasAName(t *testing.T) {
	actions, objects := written(t)
	if len(actions) < 40 {
		t.Fatalf("found only %d actions in the source; the scan is broken", len(actions))
	}
	var missing []string
	for a, where := range actions {
		if _, ok := audit.ActionNames[a]; !ok {
			missing = append(missing, a+" ("+where+")")
		}
	}
	for o, where := range objects {
		if _, ok := audit.ObjectNames[o]; !ok {
			missing = append(missing, "object "+o+" ("+where+")")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("the audit log would show these keys to a person; name them in audit.ActionNames / audit.ObjectNames:\n%s", strings.Join(missing, "\n"))
	}
	for a, name := range audit.ActionNames {
		if name == "" || name == a || strings.ContainsAny(name, "._") {
			t.Errorf("action %s is named %q, not a name a person reads", a, name)
		}
		if got := audit.ActionName(a); got != name {
			t.Errorf("ActionName(%s) = %q, want %q", a, got, name)
		}
	}
}

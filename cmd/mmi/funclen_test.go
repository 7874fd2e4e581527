package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines is the longest a function of the command may be, from its
// signature to its closing brace: each command reads as parse → request
// → check → run → report, with the steps in functions named for them.
const maxFuncLines = 60

// TestFunctionLength: no function of the command (test files aside) is
// longer than maxFuncLines lines.
func TestFunctionLength(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	longest, where := 0, ""
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			n := fset.Position(fd.Body.End()).Line - fset.Position(fd.Pos()).Line + 1
			if n > maxFuncLines {
				t.Errorf("%s: %s is %d lines long, more than %d: split it into steps named for what they do", f, fd.Name.Name, n, maxFuncLines)
			}
			if n > longest {
				longest, where = n, f+": "+fd.Name.Name
			}
		}
	}
	t.Logf("longest function: %s, %d lines", where, longest)
}

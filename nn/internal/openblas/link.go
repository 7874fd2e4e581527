//go:build openblas

// Package openblas adds -lopenblas to the link of any binary that imports
// it. gonum's netlib bindings name no library in their cgo directives, so
// without it `go build -tags openblas` would need CGO_LDFLAGS. It is a
// package of its own because a package using cgo may not contain Go
// assembly, and nn does.
package openblas

/*
#cgo LDFLAGS: -lopenblas
*/
import "C"

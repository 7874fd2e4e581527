// Package cblas loads a CBLAS shared library (OpenBLAS) at run time and calls
// the matrix products of the network engine through it, without cgo: a
// plain `go build`, `go install` or `go run`, even with CGO_ENABLED=0, gets
// the fast path on any machine where the library is installed, and a
// binary built anywhere still starts where it is not.
//
// Loading goes through github.com/ebitengine/purego (dlopen without cgo);
// the hot calls go through a small assembly trampoline of this package and
// runtime.cgocall rather than purego's reflective RegisterFunc, so that a
// call costs tens of nanoseconds and allocates nothing (the engine's
// training step allocates nothing and is tested for it).
package cblas

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// Lib is an opened CBLAS library. Its methods take row-major operands
// and perform no argument checks: callers check dimensions and lengths
// first, as a wrong length here is a write out of bounds.
type Lib struct {
	path   string
	handle uintptr
	config string // openblas_get_config(), or "" when the library is not OpenBLAS

	sgemm, dgemm, sgemv, dgemv, sger, dger uintptr

	// OpenBLAS's own functions, called rarely, through purego; nil when
	// the library lacks them.
	getThreads func() int32
	setThreads func(int32)
}

// Path is the file (or the name given to dlopen) the library was opened from.
func (l *Lib) Path() string { return l.path }

// Name describes the library: OpenBLAS's own configuration string (version,
// target, threading) when it has one, otherwise the file's base name.
func (l *Lib) Name() string {
	if l.config != "" {
		return l.config
	}
	return filepath.Base(l.path)
}

// Threads is the number of threads the library uses for a product, or 0
// when it does not say (a CBLAS other than OpenBLAS).
func (l *Lib) Threads() int {
	if l.getThreads == nil {
		return 0
	}
	return int(l.getThreads())
}

// SetThreads sets the library's thread count; it reports false when the
// library has no openblas_set_num_threads.
func (l *Lib) SetThreads(n int) bool {
	if l.setThreads == nil || n < 1 {
		return false
	}
	l.setThreads(int32(n))
	return true
}

// The symbols a library must export to be used.
var required = []string{"cblas_sgemm", "cblas_dgemm", "cblas_sgemv", "cblas_dgemv", "cblas_sger", "cblas_dger"}

// ErrUnsupported is returned by Open on platforms where this package has no
// call trampoline, and in builds with the purego tag; the caller then keeps
// its pure-Go BLAS.
var ErrUnsupported = errors.New(unsupported)

// Open loads the library at path (a file, or a bare name that the dynamic
// loader searches for) and looks up its CBLAS routines. A file that does
// not load, or loads but lacks one of them (libc, say), is an error naming
// the file and what was missing.
func Open(path string) (*Lib, error) {
	if !supported {
		return nil, ErrUnsupported
	}
	h, err := dlopen(path)
	if err != nil {
		// dlerror's message usually starts with the path already.
		msg := strings.TrimPrefix(err.Error(), path+": ")
		return nil, fmt.Errorf("cannot load %s: %s", path, msg)
	}
	l := &Lib{path: path, handle: h}
	sym := map[string]*uintptr{
		"cblas_sgemm": &l.sgemm, "cblas_dgemm": &l.dgemm,
		"cblas_sgemv": &l.sgemv, "cblas_dgemv": &l.dgemv,
		"cblas_sger": &l.sger, "cblas_dger": &l.dger,
	}
	for _, name := range required {
		p := dlsym(h, name)
		if p == 0 {
			dlclose(h)
			return nil, fmt.Errorf("%s: not a CBLAS library (no %s)", path, name)
		}
		*sym[name] = p
	}
	if p := dlsym(h, "openblas_get_num_threads"); p != 0 {
		bind(&l.getThreads, p)
	}
	if p := dlsym(h, "openblas_set_num_threads"); p != 0 {
		bind(&l.setThreads, p)
	}
	if p := dlsym(h, "openblas_get_config"); p != 0 {
		var config func() string
		bind(&config, p)
		l.config = strings.TrimSpace(config())
		if l.config != "" && !strings.HasPrefix(l.config, "OpenBLAS") {
			l.config = "OpenBLAS " + l.config
		}
	}
	return l, nil
}

// Find opens the first of names that loads as a CBLAS library. When none
// does, the error is one line listing the names tried, with the reason for
// each that exists but did not load.
func Find(names []string) (*Lib, error) {
	if !supported {
		return nil, ErrUnsupported
	}
	var reasons []string
	for _, n := range names {
		l, err := Open(n)
		if err == nil {
			return l, nil
		}
		if !strings.Contains(err.Error(), "No such file") && !strings.Contains(err.Error(), "image not found") {
			reasons = append(reasons, err.Error())
		}
	}
	if len(names) == 0 {
		return nil, errors.New("no OpenBLAS found: no library names to try")
	}
	msg := "no OpenBLAS found (tried " + strings.Join(names, ", ") + ")"
	if len(reasons) > 0 {
		msg += ": " + strings.Join(reasons, "; ")
	}
	return nil, errors.New(msg)
}

// Candidates are the names Find tries by default: first the usual sonames,
// which the dynamic loader looks up in its cache and LD_LIBRARY_PATH (this
// finds Debian's and Ubuntu's libopenblas0 through the alternatives
// system, and Fedora's openblas), then the directories Debian installs each
// threading variant into, in case no alternative points at one, and
// OpenBLAS's own `make install` prefix.
func Candidates() []string {
	if runtime.GOOS == "darwin" {
		// Untested: Homebrew's OpenBLAS, then Apple's Accelerate, whose
		// CBLAS has the same entry points.
		return []string{
			"libopenblas.dylib",
			"/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
			"/usr/local/opt/openblas/lib/libopenblas.dylib",
			"/System/Library/Frameworks/Accelerate.framework/Accelerate",
		}
	}
	return []string{
		"libopenblas.so.0",
		"libopenblas.so",
		"libopenblasp.so.0",
		"/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
		"/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
		"/usr/lib/x86_64-linux-gnu/openblas-serial/libopenblas.so.0",
		"/usr/local/lib/libopenblas.so.0",
		"/opt/OpenBLAS/lib/libopenblas.so.0",
	}
}

package nn

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/mmi-go/mmi/nn/internal/cblas"
)

// Run-time BLAS selection. The engine looks for OpenBLAS and, when it is
// installed, sends its matrix products there (`mmi train` runs about 4×
// faster than on gonum's pure Go on two cores, docs/results.md);
// otherwise gonum's pure Go does them. No cgo and no build tag are involved: the library is
// opened with dlopen at run time (package internal/cblas), so one binary
// is fast where OpenBLAS is installed and still runs where it is not.
//
// Importing the package changes nothing: gonum's BLAS is the program's
// choice. A program makes it with UseEnvBLAS (the mmi command does so when
// it starts) or SelectBLAS; if it makes none, the network's first use
// (NewWorkspace) or the first call of BLAS makes the UseEnvBLAS choice.
// The environment variable MMI_BLAS overrides the search:
//
//	MMI_BLAS=go                     gonum's pure Go
//	MMI_BLAS=openblas               OpenBLAS, and an error if it is not found
//	MMI_BLAS=/path/to/libfoo.so     that CBLAS library, and an error if it is not one
//
// A request that cannot be met leaves the engine on pure Go and is
// reported by UseEnvBLAS and BLAS (the mmi command exits with status 2 on
// it), never silently replaced.

// BLASInfo describes the BLAS that does the engine's matrix products.
type BLASInfo struct {
	// Name is "gonum" for the pure-Go BLAS, or the library's own
	// description (OpenBLAS: version, CPU target, threading).
	Name string
	// Path is the library opened: a file, or the name the dynamic loader
	// found; empty for pure Go.
	Path string
	// File is the file the library was loaded from, when it can be told
	// (Linux): Path with the loader's search and links resolved.
	File string
	// Threads is the library's thread count; for pure Go, the
	// GOMAXPROCS that bounds gonum's parallel Gemm.
	Threads int
	// Request is the MMI_BLAS value (or SelectBLAS argument) that chose
	// it; empty means automatic.
	Request string
	// Missing says why automatic selection fell back to pure Go (no
	// OpenBLAS installed, or an unsupported platform); empty otherwise.
	Missing string
}

// Native reports whether a native library (not gonum's pure Go) is in use.
func (b BLASInfo) Native() bool { return b.Path != "" }

// String is a one-line description, e.g. "OpenBLAS 0.3.21 … (libopenblas.so.0, 2 threads)".
func (b BLASInfo) String() string {
	if !b.Native() {
		return fmt.Sprintf("gonum pure-Go BLAS (%d goroutines)", b.Threads)
	}
	return fmt.Sprintf("%s (%s, %d thread(s))", b.Name, b.Path, b.Threads)
}

// The choice in use. blasOnce guards the MMI_BLAS choice, made at most
// once and never after SelectBLAS; blasEnv is its error when the request
// could not be met. Until a choice is made gonum's own default stands.
var (
	blasMu   sync.Mutex
	blasCur  = BLASInfo{Name: "gonum", Threads: runtime.GOMAXPROCS(0)}
	blasEnv  error
	blasOnce sync.Once
	// blasLib is the native library in use, nil for pure Go.
	blasLib *cblas.Lib
)

// UseEnvBLAS chooses the BLAS from the environment variable MMI_BLAS (see
// above: automatic when unset) for every later matrix product of the
// process, and returns it. A request that cannot be met is an error and
// leaves gonum's pure Go in use. The choice is made once per process:
// later calls, the network's first use and BLAS return the first
// result, and after SelectBLAS it is not made at all.
func UseEnvBLAS() (BLASInfo, error) {
	blasOnce.Do(useEnv)
	return BLAS()
}

// useEnv is the UseEnvBLAS choice.
func useEnv() {
	req := os.Getenv("MMI_BLAS")
	if _, err := selectBLAS(req, cblas.Candidates()); err != nil {
		blasEnv = fmt.Errorf("MMI_BLAS=%s: %w", req, err)
		_, _ = selectBLAS("go", nil)
	}
}

// BLAS returns the BLAS in use and, when the MMI_BLAS request could not be
// met, the error (the engine then runs on pure Go). When the program has
// chosen none yet, it makes the UseEnvBLAS choice first. A program should
// check the error first thing, so that a user who asked for a library
// learns that it is not being used.
func BLAS() (BLASInfo, error) {
	blasOnce.Do(useEnv)
	blasMu.Lock()
	defer blasMu.Unlock()
	return blasCur, blasEnv
}

// SelectBLAS chooses the BLAS of every later matrix product of the process
// (the engine's and any other user of gonum's blas32/blas64): request is
// "go", "openblas", a library path, or "" / "auto" to use OpenBLAS when
// it is installed and pure Go otherwise. On error the current choice
// stays. It is meant for start-up (in place of UseEnvBLAS) and for tests;
// products running meanwhile in other goroutines may use either library.
//
// OpenBLAS's thread count is left to OPENBLAS_NUM_THREADS (or
// OMP_NUM_THREADS for the OpenMP build) when set, and is otherwise set to
// defaultThreads().
func SelectBLAS(request string) (BLASInfo, error) {
	blasOnce.Do(func() {}) // the program has chosen: MMI_BLAS is not read
	return selectBLAS(request, cblas.Candidates())
}

// selectBLAS is SelectBLAS searching the library names in candidates.
func selectBLAS(request string, candidates []string) (BLASInfo, error) {
	info := BLASInfo{Request: request, Name: "gonum", Threads: runtime.GOMAXPROCS(0)}
	var lib *cblas.Lib
	var err error
	switch strings.ToLower(strings.TrimSpace(request)) {
	case "go", "gonum":
	case "", "auto":
		if lib, err = cblas.Find(candidates); err != nil {
			info.Missing, lib, err = err.Error(), nil, nil
		}
	case "openblas":
		lib, err = cblas.Find(candidates)
	default:
		lib, err = cblas.Open(request)
		if err != nil && !strings.ContainsAny(request, "/.") {
			err = fmt.Errorf("want go, openblas or a library path (%w)", err)
		}
	}
	if err != nil {
		return info, err
	}
	if lib != nil {
		if os.Getenv("OPENBLAS_NUM_THREADS") == "" && os.Getenv("OMP_NUM_THREADS") == "" {
			lib.SetThreads(defaultThreads())
		}
		info.Name, info.Path, info.File, info.Threads = lib.Name(), lib.Path(), lib.File(), lib.Threads()
		blas32.Use(cblasImpl{lib: lib})
		blas64.Use(cblasImpl{lib: lib})
	} else {
		blas32.Use(gonum.Implementation{})
		blas64.Use(gonum.Implementation{})
	}
	blasMu.Lock()
	blasCur, blasLib = info, lib
	blasMu.Unlock()
	return info, nil
}

// SetBLASThreads sets the thread count of the native BLAS in use and
// returns the previous one; with gonum's pure Go it does nothing and
// returns 0. One thread suits networks whose elementwise passes between
// products take much of a step (the U-Net, see ConvScratch): OpenBLAS's
// idle threads spin after each product and steal the cores those passes
// need, and the convolutions then split their images across the cores
// themselves. Products running meanwhile in other goroutines may use
// either count.
func SetBLASThreads(n int) int {
	blasOnce.Do(useEnv)
	blasMu.Lock()
	defer blasMu.Unlock()
	if blasLib == nil || n < 1 {
		return 0
	}
	prev := blasCur.Threads
	if blasLib.SetThreads(n) {
		blasCur.Threads = blasLib.Threads()
	}
	return prev
}

// singleThreadBLAS reports whether the BLAS in use is a native library on
// one thread (the convolutions then split their work across the cores).
func singleThreadBLAS() bool {
	blasMu.Lock()
	defer blasMu.Unlock()
	return blasLib != nil && blasCur.Threads == 1
}

// defaultThreads is OpenBLAS's thread count when the environment does not
// set one: GOMAXPROCS, the cores the engine's own goroutines may use.
// Measured against one thread with `mmi train` on two shared cores, seven
// interleaved pairs: two threads won four, one thread three, within the
// noise of the shared machine. On large products two threads pay when
// the cores are free: 1024² sgemm reached 169 GFLOP/s on two threads on
// the idle machine, against 93 at best on one.
func defaultThreads() int { return runtime.GOMAXPROCS(0) }

// level2Go is the size (rows × columns) up to which Gemv and Ger stay
// in gonum's Go (see cblasImpl).
const level2Go = 512 * 512

// cblasImpl is gonum's pure-Go BLAS with the routines the engine uses
// (Gemm, Gemv, Ger, in both precisions) sent to a native library. Every
// call is checked as gonum checks it, since the library itself would
// write out of bounds on a wrong dimension.
//
// Matrix–vector products (Gemv, Ger) up to level2Go elements stay in Go.
// A call costs 50 ns either way, but OpenBLAS hands a Gemv of 128×128 or
// more to all its threads, and waking them costs more than the product:
// measured for Dgemv with a transposed 128², 256², 512², 1024² matrix on
// two shared cores, gonum 2.1, 8.8, 38, 152 µs; OpenBLAS with 2 threads
// 4.9, 9.9, 49–60, 116–149 µs (with 1 thread 1.4, 5.6, 29, 120 µs). These
// are the batch-of-one passes inside the ODE solvers.
type cblasImpl struct {
	gonum.Implementation
	lib *cblas.Lib
}

func trans(t blas.Transpose) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans:
		return true
	}
	panic("blas: illegal transpose")
}

// checkGemm panics, as gonum does, on dimensions that do not fit the
// slices; it reports whether there is anything to compute.
func checkGemm(tA, tB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) bool {
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	switch {
	case m < 0 || n < 0 || k < 0:
		panic("blas: negative dimension")
	case lda < max(1, ac) || ldb < max(1, bc) || ldc < max(1, n):
		panic("blas: bad leading dimension")
	case m == 0 || n == 0:
		return false
	case (ar > 0 && la < (ar-1)*lda+ac) || (br > 0 && lb < (br-1)*ldb+bc) || lc < (m-1)*ldc+n:
		panic("blas: slice too short")
	}
	return true
}

// checkGemv is checkGemm for y = op(a)·x with a m×n.
func checkGemv(tA bool, m, n, la, lda, lx, incX, ly, incY int) bool {
	lenX, lenY := n, m
	if tA {
		lenX, lenY = m, n
	}
	switch {
	case m < 0 || n < 0:
		panic("blas: negative dimension")
	case lda < max(1, n):
		panic("blas: bad leading dimension")
	case incX <= 0 || incY <= 0:
		panic("blas: non-positive increment") // the engine uses 1; gonum handles the rest
	case m == 0 || n == 0:
		return false
	case la < (m-1)*lda+n || lx <= (lenX-1)*incX || ly <= (lenY-1)*incY:
		panic("blas: slice too short")
	}
	return true
}

// checkGer is checkGemm for a += x·yᵀ with a m×n.
func checkGer(m, n, lx, incX, ly, incY, la, lda int) bool {
	switch {
	case m < 0 || n < 0:
		panic("blas: negative dimension")
	case lda < max(1, n):
		panic("blas: bad leading dimension")
	case incX <= 0 || incY <= 0:
		panic("blas: non-positive increment")
	case m == 0 || n == 0:
		return false
	case la < (m-1)*lda+n || lx <= (m-1)*incX || ly <= (n-1)*incY:
		panic("blas: slice too short")
	}
	return true
}

func (c cblasImpl) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	ta, tb := trans(tA), trans(tB)
	if checkGemm(ta, tb, m, n, k, len(a), lda, len(b), ldb, len(cc), ldc) {
		c.lib.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
	}
}

func (c cblasImpl) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, cc []float64, ldc int) {
	ta, tb := trans(tA), trans(tB)
	if checkGemm(ta, tb, m, n, k, len(a), lda, len(b), ldb, len(cc), ldc) {
		c.lib.Dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
	}
}

func (c cblasImpl) Sgemv(tA blas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	if incX <= 0 || incY <= 0 || m*n <= level2Go {
		c.Implementation.Sgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	ta := trans(tA)
	if checkGemv(ta, m, n, len(a), lda, len(x), incX, len(y), incY) {
		c.lib.Sgemv(ta, m, n, alpha, a, lda, x, incX, beta, y, incY)
	}
}

func (c cblasImpl) Dgemv(tA blas.Transpose, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	if incX <= 0 || incY <= 0 || m*n <= level2Go {
		c.Implementation.Dgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	ta := trans(tA)
	if checkGemv(ta, m, n, len(a), lda, len(x), incX, len(y), incY) {
		c.lib.Dgemv(ta, m, n, alpha, a, lda, x, incX, beta, y, incY)
	}
}

func (c cblasImpl) Sger(m, n int, alpha float32, x []float32, incX int, y []float32, incY int, a []float32, lda int) {
	if incX <= 0 || incY <= 0 || m*n <= level2Go {
		c.Implementation.Sger(m, n, alpha, x, incX, y, incY, a, lda)
		return
	}
	if checkGer(m, n, len(x), incX, len(y), incY, len(a), lda) {
		c.lib.Sger(m, n, alpha, x, incX, y, incY, a, lda)
	}
}

func (c cblasImpl) Dger(m, n int, alpha float64, x []float64, incX int, y []float64, incY int, a []float64, lda int) {
	if incX <= 0 || incY <= 0 || m*n <= level2Go {
		c.Implementation.Dger(m, n, alpha, x, incX, y, incY, a, lda)
		return
	}
	if checkGer(m, n, len(x), incX, len(y), incY, len(a), lda) {
		c.lib.Dger(m, n, alpha, x, incX, y, incY, a, lda)
	}
}

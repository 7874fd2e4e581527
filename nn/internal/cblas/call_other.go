//go:build !((linux || darwin) && amd64) || purego

package cblas

import "runtime"

// Without a call trampoline for this platform, or with the purego build
// tag (no assembly, no dynamic loader: CGO_ENABLED=0 -tags purego gives a
// fully static binary), Open and Find return ErrUnsupported and the engine
// keeps gonum's pure-Go BLAS.

const supported = false

var unsupported = func() string {
	if runtime.GOARCH == "amd64" && (runtime.GOOS == "linux" || runtime.GOOS == "darwin") {
		return "run-time BLAS loading is not supported in builds with the purego tag"
	}
	return "run-time BLAS loading is not supported on " + runtime.GOOS + "/" + runtime.GOARCH
}()

func dlopen(string) (uintptr, error) { return 0, ErrUnsupported }
func dlsym(uintptr, string) uintptr  { return 0 }
func dlclose(uintptr)                {}
func bind(any, uintptr)              {}

func (l *Lib) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	panic(ErrUnsupported)
}

func (l *Lib) Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	panic(ErrUnsupported)
}

func (l *Lib) Sgemv(tA bool, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	panic(ErrUnsupported)
}

func (l *Lib) Dgemv(tA bool, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	panic(ErrUnsupported)
}

func (l *Lib) Sger(m, n int, alpha float32, x []float32, incX int, y []float32, incY int, a []float32, lda int) {
	panic(ErrUnsupported)
}

func (l *Lib) Dger(m, n int, alpha float64, x []float64, incX int, y []float64, incY int, a []float64, lda int) {
	panic(ErrUnsupported)
}

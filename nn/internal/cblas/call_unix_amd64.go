//go:build (linux || darwin) && !purego

package cblas

import (
	"math"
	"runtime"
	"unsafe"

	"github.com/ebitengine/purego"
)

const (
	supported   = true
	unsupported = ""
)

// frame is what the trampoline callC loads into registers and onto the
// stack before it calls fn with the System V AMD64 calling convention:
// integer and pointer arguments in i (rdi, rsi, rdx, rcx, r8, r9), the
// floating-point ones in f (xmm0, xmm1), the integer arguments past the
// sixth in s (the stack, in order). ret receives rax.
type frame struct {
	fn  uintptr
	i   [6]uintptr
	f   [2]uint64
	s   [6]uintptr
	ret uintptr
}

// callCABI0 is the address of the trampoline (call_amd64.s).
var callCABI0 uintptr

// runtime.cgocall switches to the system stack, tells the scheduler the
// goroutine is in C, and calls fn(arg) with the C calling convention;
// purego links to it the same way (the runtime keeps it linkable for
// purego). The goroutine's stack does not move during the call, so
// frame may live on it.
//
//go:linkname runtime_cgocall runtime.cgocall
//go:noescape
func runtime_cgocall(fn uintptr, arg unsafe.Pointer) int32

// call calls fn with the arguments in f and returns its integer result.
func call(fn uintptr, f *frame) uintptr {
	f.fn = fn
	runtime_cgocall(callCABI0, unsafe.Pointer(f))
	return f.ret
}

func dlopen(path string) (uintptr, error) {
	return purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
}

func dlsym(h uintptr, name string) uintptr {
	p, err := purego.Dlsym(h, name)
	if err != nil {
		return 0
	}
	return p
}

func dlclose(h uintptr) { _ = purego.Dlclose(h) }

func bind(fptr any, sym uintptr) { purego.RegisterFunc(fptr, sym) }

// CBLAS enumerations.
const (
	rowMajor = 101
	noTrans  = 111
	trans    = 112
)

func tr(t bool) uintptr {
	if t {
		return trans
	}
	return noTrans
}

// ptr is the address of x's first element (0 for an empty slice). The
// caller keeps x alive across the call with runtime.KeepAlive.
func ptr[T float32 | float64](x []T) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(x))) }

func f32(x float32) uint64 { return uint64(math.Float32bits(x)) }

// Sgemm is cblas_sgemm in row-major order: c = alpha·op(a)·op(b) + beta·c.
func (l *Lib) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	call(l.sgemm, &frame{
		i: [6]uintptr{rowMajor, tr(tA), tr(tB), uintptr(m), uintptr(n), uintptr(k)},
		f: [2]uint64{f32(alpha), f32(beta)},
		s: [6]uintptr{ptr(a), uintptr(lda), ptr(b), uintptr(ldb), ptr(c), uintptr(ldc)},
	})
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.KeepAlive(c)
}

// Dgemm is cblas_dgemm in row-major order.
func (l *Lib) Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	call(l.dgemm, &frame{
		i: [6]uintptr{rowMajor, tr(tA), tr(tB), uintptr(m), uintptr(n), uintptr(k)},
		f: [2]uint64{math.Float64bits(alpha), math.Float64bits(beta)},
		s: [6]uintptr{ptr(a), uintptr(lda), ptr(b), uintptr(ldb), ptr(c), uintptr(ldc)},
	})
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.KeepAlive(c)
}

// Sgemv is cblas_sgemv in row-major order: y = alpha·op(a)·x + beta·y for
// the m×n matrix a.
func (l *Lib) Sgemv(tA bool, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	call(l.sgemv, &frame{
		i: [6]uintptr{rowMajor, tr(tA), uintptr(m), uintptr(n), ptr(a), uintptr(lda)},
		f: [2]uint64{f32(alpha), f32(beta)},
		s: [6]uintptr{ptr(x), uintptr(incX), ptr(y), uintptr(incY)},
	})
	runtime.KeepAlive(a)
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
}

// Dgemv is cblas_dgemv in row-major order.
func (l *Lib) Dgemv(tA bool, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	call(l.dgemv, &frame{
		i: [6]uintptr{rowMajor, tr(tA), uintptr(m), uintptr(n), ptr(a), uintptr(lda)},
		f: [2]uint64{math.Float64bits(alpha), math.Float64bits(beta)},
		s: [6]uintptr{ptr(x), uintptr(incX), ptr(y), uintptr(incY)},
	})
	runtime.KeepAlive(a)
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
}

// Sger is cblas_sger in row-major order: a += alpha·x·yᵀ for the m×n a.
func (l *Lib) Sger(m, n int, alpha float32, x []float32, incX int, y []float32, incY int, a []float32, lda int) {
	call(l.sger, &frame{
		i: [6]uintptr{rowMajor, uintptr(m), uintptr(n), ptr(x), uintptr(incX), ptr(y)},
		f: [2]uint64{f32(alpha)},
		s: [6]uintptr{uintptr(incY), ptr(a), uintptr(lda)},
	})
	runtime.KeepAlive(a)
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
}

// Dger is cblas_dger in row-major order.
func (l *Lib) Dger(m, n int, alpha float64, x []float64, incX int, y []float64, incY int, a []float64, lda int) {
	call(l.dger, &frame{
		i: [6]uintptr{rowMajor, uintptr(m), uintptr(n), ptr(x), uintptr(incX), ptr(y)},
		f: [2]uint64{math.Float64bits(alpha)},
		s: [6]uintptr{uintptr(incY), ptr(a), uintptr(lda)},
	})
	runtime.KeepAlive(a)
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
}

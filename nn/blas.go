package nn

import (
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// The BLAS boundary. The engine is generic over T, but BLAS is not: a T with
// a 4-byte representation is float32 (or a type defined on it), otherwise
// float64. The slices are reinterpreted in place with unsafe, so crossing
// the boundary costs neither a copy nor an allocation (an interface
// conversion of a slice header would allocate).

func is32[T Float]() bool { return unsafe.Sizeof(T(0)) == 4 }

func as32[T Float](x []T) []float32 {
	if len(x) == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&x[0])), len(x))
}

func as64[T Float](x []T) []float64 {
	if len(x) == 0 {
		return nil
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(&x[0])), len(x))
}

// gemm computes c = alpha·op(a)·op(b) + beta·c for row-major matrices with
// op(a) m×k, op(b) k×n and c m×n, through whichever implementation
// blas32.Use / blas64.Use installed (gonum's pure Go by default, OpenBLAS
// with the openblas build tag).
func gemm[T Float](tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if is32[T]() {
		blas32.Implementation().Sgemm(tA, tB, m, n, k, float32(alpha), as32(a), lda, as32(b), ldb, float32(beta), as32(c), ldc)
		return
	}
	blas64.Implementation().Dgemm(tA, tB, m, n, k, float64(alpha), as64(a), lda, as64(b), ldb, float64(beta), as64(c), ldc)
}

// colSumAdd adds the column sums of the m×n row-major matrix a to y:
// y += aᵀ·1, one Gemv against the vector of ones.
func colSumAdd[T Float](m, n int, a, ones, y []T) {
	if m == 0 || n == 0 {
		return
	}
	if is32[T]() {
		blas32.Implementation().Sgemv(blas.Trans, m, n, 1, as32(a), n, as32(ones), 1, 1, as32(y), 1)
		return
	}
	blas64.Implementation().Dgemv(blas.Trans, m, n, 1, as64(a), n, as64(ones), 1, 1, as64(y), 1)
}

package nn

import (
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
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

// chosen makes the UseEnvBLAS choice if the program has made none: every
// product below, and nativeBLAS, calls it first, so that the network's
// first product runs on the BLAS MMI_BLAS asks for. After the first call
// it costs one atomic load.
func chosen() { blasOnce.Do(useEnv) }

// gemm computes c = alpha·op(a)·op(b) + beta·c for row-major matrices with
// op(a) m×k, op(b) k×n and c m×n, through whichever implementation
// blas32.Use / blas64.Use installed (see UseEnvBLAS and SelectBLAS).
func gemm[T Float](tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	chosen()
	if m == 0 || n == 0 {
		return
	}
	switch {
	case m == 1 && tA == blas.NoTrans:
		// One row (a batch of one sample): c = op(b)ᵀ·a is a
		// matrix–vector product, which BLAS does without the packing
		// and threading overhead of Gemm.
		t := blas.Trans
		rows, cols := k, n
		if tB == blas.Trans {
			t, rows, cols = blas.NoTrans, n, k
		}
		gemv(t, rows, cols, alpha, b, ldb, a, beta, c)
		return
	case k == 1 && beta == 1 && tA == blas.Trans && tB == blas.NoTrans:
		// c += alpha·a·b with a column and a row: a rank-one update.
		ger(m, n, alpha, a[:m], b[:n], c, ldc)
		return
	}
	if is32[T]() {
		blas32.Implementation().Sgemm(tA, tB, m, n, k, float32(alpha), as32(a), lda, as32(b), ldb, float32(beta), as32(c), ldc)
		return
	}
	blas64.Implementation().Dgemm(tA, tB, m, n, k, float64(alpha), as64(a), lda, as64(b), ldb, float64(beta), as64(c), ldc)
}

// gemv computes y = alpha·op(a)·x + beta·y for the rows×cols row-major a.
func gemv[T Float](tA blas.Transpose, rows, cols int, alpha T, a []T, lda int, x []T, beta T, y []T) {
	chosen()
	if is32[T]() {
		blas32.Implementation().Sgemv(tA, rows, cols, float32(alpha), as32(a), lda, as32(x), 1, float32(beta), as32(y), 1)
		return
	}
	blas64.Implementation().Dgemv(tA, rows, cols, float64(alpha), as64(a), lda, as64(x), 1, float64(beta), as64(y), 1)
}

// ger computes a += alpha·x·yᵀ for the len(x)×len(y) row-major a.
func ger[T Float](m, n int, alpha T, x, y, a []T, lda int) {
	chosen()
	if is32[T]() {
		blas32.Implementation().Sger(m, n, float32(alpha), as32(x), 1, as32(y), 1, as32(a), lda)
		return
	}
	blas64.Implementation().Dger(m, n, float64(alpha), as64(x), 1, as64(y), 1, as64(a), lda)
}

// nativeBLAS reports whether gonum's pure-Go BLAS does T's products. Its
// Gemm with a transposed first operand runs 3–4× slower than without
// (it streams rank-one updates through C), so the weight gradient aᵀ·δ
// transposes a first when it does.
func nativeBLAS[T Float]() bool {
	chosen()
	if is32[T]() {
		_, ok := blas32.Implementation().(gonum.Implementation)
		return ok
	}
	_, ok := blas64.Implementation().(gonum.Implementation)
	return ok
}

// transpose writes the transpose of the rows×cols row-major a into the
// cols×rows row-major t, in 32×32 tiles so that both sides stay in cache.
func transpose[T Float](t, a []T, rows, cols int) {
	const tile = 32
	for i0 := 0; i0 < rows; i0 += tile {
		i1 := min(i0+tile, rows)
		for j0 := 0; j0 < cols; j0 += tile {
			j1 := min(j0+tile, cols)
			for i := i0; i < i1; i++ {
				row := a[i*cols : i*cols+cols]
				for j := j0; j < j1; j++ {
					t[j*rows+i] = row[j]
				}
			}
		}
	}
}

package metrics

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemmMinDim is the dimension from which squared distances are computed
// through the Gram matrix |x|² + |y|² − 2 x·y with a BLAS matrix product
// instead of a direct loop over coordinates. Below it the direct loop is
// faster and exact.
const gemmMinDim = 16

// blockRows is the number of rows of a whose distances are computed at once
// on the Gram-matrix path: a block×m scratch matrix.
const blockRows = 128

// rows returns len(x)/d, panicking when len(x) is not a multiple of d.
func rows(x []float64, d int, name string) int {
	if d <= 0 {
		panic(fmt.Sprintf("metrics: dimension %d", d))
	}
	if len(x)%d != 0 {
		panic(fmt.Sprintf("metrics: %s has %d numbers, not a multiple of d = %d", name, len(x), d))
	}
	return len(x) / d
}

// forEachSqDist calls fn(i, start, row) for every row a_i of a, where
// row[k] = |a_i − b_{start+k}|² for start+k < m. With self set, b must be a
// and start = i+1 (each unordered pair once, no diagonal); otherwise start = 0.
// row is reused between calls.
func forEachSqDist(a, b []float64, d int, self bool, fn func(i, start int, row []float64)) {
	n, m := len(a)/d, len(b)/d
	if d < gemmMinDim {
		row := make([]float64, m)
		for i := 0; i < n; i++ {
			x := a[i*d : (i+1)*d]
			start := 0
			if self {
				start = i + 1
			}
			r := row[:m-start]
			for k := range r {
				y := b[(start+k)*d : (start+k+1)*d]
				s := 0.0
				for c, xc := range x {
					t := xc - y[c]
					s += t * t
				}
				r[k] = s
			}
			fn(i, start, r)
		}
		return
	}

	// Gram-matrix path. Centre both sets on the mean of a so that the
	// cancellation in |x|² + |y|² − 2x·y loses as little as possible.
	ca, cb := centred(a, b, d, self)
	na, nb := sqNorms(ca, d), sqNorms(cb, d)
	scratch := make([]float64, blockRows*m)
	for i0 := 0; i0 < n; i0 += blockRows {
		i1 := min(i0+blockRows, n)
		j0 := 0
		if self {
			j0 = i0 + 1 // rows i ≥ i0 need columns j > i ≥ i0+1 only
		}
		if j0 >= m {
			break
		}
		cols := m - j0
		g := blas64.General{Rows: i1 - i0, Cols: cols, Stride: cols, Data: scratch[:(i1-i0)*cols]}
		blas64.Gemm(blas.NoTrans, blas.Trans, 1,
			blas64.General{Rows: i1 - i0, Cols: d, Stride: d, Data: ca[i0*d : i1*d]},
			blas64.General{Rows: cols, Cols: d, Stride: d, Data: cb[j0*d:]},
			0, g)
		for i := i0; i < i1; i++ {
			start := j0
			if self {
				start = i + 1
			}
			r := g.Data[(i-i0)*cols+(start-j0) : (i-i0+1)*cols]
			for k := range r {
				s := na[i] + nb[start+k] - 2*r[k]
				if s < 0 {
					s = 0
				}
				r[k] = s
			}
			fn(i, start, r)
		}
	}
}

// centred returns copies of a and b minus the mean row of a; with self the
// second result is the first.
func centred(a, b []float64, d int, self bool) (ca, cb []float64) {
	n := len(a) / d
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for c := 0; c < d; c++ {
			mean[c] += a[i*d+c]
		}
	}
	for c := range mean {
		mean[c] /= float64(n)
	}
	sub := func(x []float64) []float64 {
		y := make([]float64, len(x))
		for i := range y {
			y[i] = x[i] - mean[i%d]
		}
		return y
	}
	ca = sub(a)
	if self {
		return ca, ca
	}
	return ca, sub(b)
}

// sqNorms returns |x_i|² for every row of x.
func sqNorms(x []float64, d int) []float64 {
	out := make([]float64, len(x)/d)
	for i := range out {
		s := 0.0
		for _, v := range x[i*d : (i+1)*d] {
			s += v * v
		}
		out[i] = s
	}
	return out
}

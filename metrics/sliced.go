package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// DefaultProjections is the number of random directions Compare uses for
// the sliced Wasserstein distance.
const DefaultProjections = 256

// projChunk is the number of directions projected at once by one matrix
// product; it bounds the scratch memory to projChunk·(n+m) numbers.
const projChunk = 64

// SlicedW2 returns the sliced Wasserstein-2 distance between the empirical
// distributions of the rows of a (n×d) and b (m×d),
//
//	SW2(P, Q) = ( E_θ W2²(θ·P, θ·Q) )^{1/2} ,  θ uniform on the unit sphere,
//
// estimated with `projections` directions drawn from r. For each direction
// the 1-D W2² between the projected empirical measures is exact:
// ∫_0^1 (F⁻¹(u) − G⁻¹(u))² du with the step quantile functions of the sorted
// projections, which for n ≠ m splits [0, 1] at every i/n and j/m (no
// resampling). Since projection is 1-Lipschitz, SW2 ≤ W2; for a pure mean
// shift Δ between the two sets, SW2² = mean (θ·Δ)² → |Δ|²/d.
//
// It panics if n or m is 0, a length is not a multiple of d, or projections
// is not positive.
func SlicedW2(a, b []float64, d int, projections int, r *rand.Rand) float64 {
	n, m := rows(a, d, "a"), rows(b, d, "b")
	if n == 0 || m == 0 {
		panic("metrics: sliced W2 of an empty set")
	}
	if projections <= 0 {
		panic(fmt.Sprintf("metrics: %d projections", projections))
	}
	theta := make([]float64, d*projChunk) // d×chunk, column l is direction l
	pa := make([]float64, n*projChunk)
	pb := make([]float64, m*projChunk)
	colA := make([]float64, n)
	colB := make([]float64, m)
	total := 0.0
	for l0 := 0; l0 < projections; l0 += projChunk {
		L := min(projChunk, projections-l0)
		for l := 0; l < L; l++ {
			randomDirection(theta, l, L, d, r)
		}
		th := blas64.General{Rows: d, Cols: L, Stride: L, Data: theta[:d*L]}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas64.General{Rows: n, Cols: d, Stride: d, Data: a}, th,
			0, blas64.General{Rows: n, Cols: L, Stride: L, Data: pa[:n*L]})
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas64.General{Rows: m, Cols: d, Stride: d, Data: b}, th,
			0, blas64.General{Rows: m, Cols: L, Stride: L, Data: pb[:m*L]})
		for l := 0; l < L; l++ {
			for i := range colA {
				colA[i] = pa[i*L+l]
			}
			for j := range colB {
				colB[j] = pb[j*L+l]
			}
			slices.Sort(colA)
			slices.Sort(colB)
			total += W2Squared1D(colA, colB)
		}
	}
	return math.Sqrt(total / float64(projections))
}

// randomDirection writes a uniform unit vector of R^d into column l of the
// d×L row-major matrix theta (a normalized standard Gaussian vector).
func randomDirection(theta []float64, l, L, d int, r *rand.Rand) {
	for {
		s := 0.0
		for c := 0; c < d; c++ {
			z := r.NormFloat64()
			theta[c*L+l] = z
			s += z * z
		}
		if s > 0 {
			inv := 1 / math.Sqrt(s)
			for c := 0; c < d; c++ {
				theta[c*L+l] *= inv
			}
			return
		}
	}
}

// W2Squared1D returns the squared Wasserstein-2 distance between the
// uniform empirical measures on the sorted samples x and y (ascending):
//
//	W2² = ∫_0^1 (F⁻¹(u) − G⁻¹(u))² du ,
//
// where F⁻¹ takes the value x_i on (i/n, (i+1)/n] and G⁻¹ the value y_j on
// (j/m, (j+1)/m]. It walks the merged breakpoints, O(n+m). For n = m it is
// the mean of (x_i − y_i)². It panics if either is empty; unsorted input
// gives a meaningless result.
func W2Squared1D(x, y []float64) float64 {
	n, m := len(x), len(y)
	if n == 0 || m == 0 {
		panic("metrics: W2 of an empty sample")
	}
	if n == m {
		s := 0.0
		for i, v := range x {
			t := v - y[i]
			s += t * t
		}
		return s / float64(n)
	}
	// Work in units of 1/(n·m): breakpoint i/n is i·m, j/m is j·n, exact in
	// integers, so no interval is lost or double counted to rounding.
	total := 0.0
	i, j := 0, 0
	u := 0 // current position, in units of 1/(n·m)
	for i < n && j < m {
		endX := (i + 1) * m
		endY := (j + 1) * n
		end := min(endX, endY)
		t := x[i] - y[j]
		total += t * t * float64(end-u)
		u = end
		if endX == end {
			i++
		}
		if endY == end {
			j++
		}
	}
	return total / (float64(n) * float64(m))
}

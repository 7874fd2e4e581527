package metrics

import (
	"errors"
	"fmt"
	"math"
)

// MaxExactPoints is the largest set W2Exact accepts: its O(n³) assignment
// takes about 11 s at this size and n² numbers of memory (32 MB).
const MaxExactPoints = 2000

// W2Exact returns the Wasserstein-2 distance between the uniform empirical
// measures on the rows of a and b, two sets of the same size n:
//
//	W2 = ( min_σ (1/n) Σ_i |a_i − b_σ(i)|² )^{1/2} ,
//
// the minimum over permutations σ (for equal uniform weights an optimal
// plan is a permutation, by Birkhoff's theorem), found by Assignment on the
// squared-distance matrix. Its values are the ground truth SlicedW2 bounds
// from below.
//
// It returns an error if the sizes differ, a set is empty or larger than
// MaxExactPoints, or a number is NaN or infinite; it panics if a length is
// not a multiple of d.
func W2Exact(a, b []float64, d int) (float64, error) {
	n, m := rows(a, d, "a"), rows(b, d, "b")
	switch {
	case n != m:
		return 0, fmt.Errorf("metrics: exact W2 needs sets of equal size, have %d and %d", n, m)
	case n == 0:
		return 0, errors.New("metrics: exact W2 of empty sets")
	case n > MaxExactPoints:
		return 0, fmt.Errorf("metrics: exact W2 of %d points, more than %d (use SlicedW2)", n, MaxExactPoints)
	}
	if !allFinite(a) || !allFinite(b) {
		return 0, errors.New("metrics: exact W2 of samples with NaN or infinite values")
	}
	cost := make([]float64, 0, n*n)
	forEachSqDist(a, b, d, false, func(_, _ int, row []float64) {
		cost = append(cost, row...)
	})
	_, total := Assignment(cost, n)
	return math.Sqrt(max(total, 0) / float64(n)), nil
}

func allFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

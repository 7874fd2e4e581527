package metrics

import (
	"fmt"
	"math"
)

// Energy returns the energy distance between the distributions of the rows
// of a (n×d) and b (m×d):
//
//	D²(P, Q) = 2 E|X − Y| − E|X − X'| − E|Y − Y'| ,  X, X' ~ P, Y, Y' ~ Q,
//
// with |·| the Euclidean norm. D² ≥ 0 with equality only for P = Q
// (Székely & Rizzo), so it is a metric-like two-sample statistic that needs
// no bandwidth.
//
// The estimate is unbiased: the cross term averages all n·m pairs and the
// within-set terms are U-statistics over the n(n−1)/2 and m(m−1)/2 pairs of
// distinct points. So for samples of one distribution it scatters around 0
// and can be slightly negative; the plug-in (V-statistic) version, which
// also averages the zero diagonal, would be biased upward by exactly
// E|X − X'|/n + E|Y − Y'|/m.
//
// The cost is O((n+m)²·d) time and O(m) memory (O(128·m) for d ≥ 16, where a
// BLAS product computes the distances): for n = m = 2000 about 0.1 s in
// 2-D and 2.5 s in 784-D (MNIST) on this project's 2-core machines.
// In one and two dimensions, beyond 10⁸ pairs, it sorts projections
// instead (EnergyProjected with 256 directions: exact in 1-D, within about
// 10⁻⁸ of the pair sums in 2-D), so large sets cost O((n+m)·log(n+m)) per
// direction; in more dimensions subsample sets much larger than 10,000
// points beforehand.
// It panics if n < 2 or m < 2 or a length is not a multiple of d.
func Energy(a, b []float64, d int) float64 {
	n, m := energyRows(a, b, d)
	if d <= 2 && float64(n)*float64(m) > energyPairsLimit {
		return EnergyProjected(a, b, d, energyDirs)
	}
	return energyPairs(a, b, d)
}

// energyRows returns the rows of a and b, and panics unless each set has
// at least two (the within-set U-statistics need a pair).
func energyRows(a, b []float64, d int) (n, m int) {
	n, m = rows(a, d, "a"), rows(b, d, "b")
	if n < 2 || m < 2 {
		panic(fmt.Sprintf("metrics: energy distance needs at least 2 rows per set, have %d and %d", n, m))
	}
	return n, m
}

// energyPairsLimit is the number of pairs beyond which Energy sorts
// projections in one and two dimensions, and energyDirs the directions it
// then uses in two (TestEnergyProjectedMatchesPairs: at 256 the
// difference from the pair sums is about 10⁻⁸, falling as dirs⁻²).
const (
	energyPairsLimit = 1e8
	energyDirs       = 256
)

// energyPairs is Energy by visiting every pair.
func energyPairs(a, b []float64, d int) float64 {
	xy := meanDist(a, b, d, false)
	xx := meanDist(a, a, d, true)
	yy := meanDist(b, b, d, true)
	return 2*xy - xx - yy
}

// meanDist returns the mean of |a_i − b_j| over all pairs (i, j), or over
// the pairs i < j when self is set (b is a).
func meanDist(a, b []float64, d int, self bool) float64 {
	total := 0.0
	forEachSqDist(a, b, d, self, func(_, _ int, row []float64) {
		s := 0.0
		for _, v := range row {
			s += math.Sqrt(v)
		}
		total += s
	})
	n, m := len(a)/d, len(b)/d
	if self {
		return total / (float64(n) * float64(n-1) / 2)
	}
	return total / (float64(n) * float64(m))
}

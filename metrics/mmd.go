package metrics

import (
	"fmt"
	"math"
	"slices"
)

// DefaultBandwidthScales are the multiples of the median pairwise distance
// that MMD uses as RBF bandwidths when it is given none: a mixture from a
// quarter to four times the typical distance is sensitive both to fine
// structure (modes, thin manifolds) and to global shifts.
var DefaultBandwidthScales = []float64{0.25, 0.5, 1, 2, 4}

// medianSubsample is the number of pooled points (taken with a fixed stride,
// so the result is deterministic) from which MedianDistance is computed.
const medianSubsample = 1000

// MMD returns the squared maximum mean discrepancy between the distributions
// of the rows of a (n×d) and b (m×d),
//
//	MMD²(P, Q) = E k(X, X') + E k(Y, Y') − 2 E k(X, Y) ,
//
// for the kernel k(x, y) = (1/L) Σ_l exp(−|x − y|² / (2 σ_l²)), the mean of L
// Gaussian (RBF) kernels with bandwidths σ_l. The mixture is characteristic,
// so MMD² = 0 only for P = Q; k(x, x) = 1, so values lie in [0, 2].
//
// The estimate is the unbiased U-statistic (Gretton et al. 2012, eq. 3): the
// within-set means run over pairs of distinct points. For samples of one
// distribution it scatters around 0 and can be slightly negative.
//
// With nil (or empty) bandwidths, σ_l = s·M for s in DefaultBandwidthScales
// and M = MedianDistance(a, b, d), the usual median heuristic. The cost is
// that of Energy times L exponentials per pair. It panics if n < 2 or m < 2,
// a length is not a multiple of d, or a bandwidth is not positive.
func MMD(a, b []float64, d int, bandwidths []float64) float64 {
	n, m := rows(a, d, "a"), rows(b, d, "b")
	if n < 2 || m < 2 {
		panic(fmt.Sprintf("metrics: MMD needs at least 2 rows per set, have %d and %d", n, m))
	}
	if len(bandwidths) == 0 {
		bandwidths = DefaultBandwidths(a, b, d)
	}
	coef := kernelCoefs(bandwidths)
	kxy := meanKernel(a, b, d, false, coef)
	kxx := meanKernel(a, a, d, true, coef)
	kyy := meanKernel(b, b, d, true, coef)
	return kxx + kyy - 2*kxy
}

// kernelCoefs returns −1/(2σ_l²) for every bandwidth, panicking on a
// bandwidth that is not positive and finite.
func kernelCoefs(bandwidths []float64) []float64 {
	coef := make([]float64, len(bandwidths))
	for l, s := range bandwidths {
		if !(s > 0) || math.IsInf(s, 1) {
			panic(fmt.Sprintf("metrics: MMD bandwidth %v", s))
		}
		coef[l] = -1 / (2 * s * s)
	}
	return coef
}

// DefaultBandwidths returns the bandwidths MMD uses when given none:
// DefaultBandwidthScales times MedianDistance(a, b, d), or times 1 when
// that median is 0 (all points equal).
func DefaultBandwidths(a, b []float64, d int) []float64 {
	med := MedianDistance(a, b, d)
	if !(med > 0) || math.IsInf(med, 0) {
		med = 1
	}
	bw := make([]float64, len(DefaultBandwidthScales))
	for l, s := range DefaultBandwidthScales {
		bw[l] = s * med
	}
	return bw
}

// MedianDistance returns the median Euclidean distance between distinct
// points of the pooled set a ∪ b. When the pool has more than 1000 points
// it uses 1000 of them, taken with a fixed stride, so the result is
// deterministic. It returns 0 for fewer than two points.
func MedianDistance(a, b []float64, d int) float64 {
	n, m := rows(a, d, "a"), rows(b, d, "b")
	total := n + m
	k := min(total, medianSubsample)
	if k < 2 {
		return 0
	}
	pool := make([]float64, 0, k*d)
	for t := 0; t < k; t++ {
		i := int(int64(t) * int64(total) / int64(k))
		if i < n {
			pool = append(pool, a[i*d:(i+1)*d]...)
		} else {
			pool = append(pool, b[(i-n)*d:(i-n+1)*d]...)
		}
	}
	dist := make([]float64, 0, k*(k-1)/2)
	forEachSqDist(pool, pool, d, true, func(_, _ int, row []float64) {
		dist = append(dist, row...)
	})
	slices.Sort(dist)
	h := len(dist) / 2
	if len(dist)%2 == 0 {
		return (math.Sqrt(dist[h-1]) + math.Sqrt(dist[h])) / 2
	}
	return math.Sqrt(dist[h])
}

// meanKernel returns the mean of k(a_i, b_j) over all pairs, or over the
// pairs i < j when self is set (b is a), with k the mean of
// exp(coef_l · |x − y|²).
func meanKernel(a, b []float64, d int, self bool, coef []float64) float64 {
	total := 0.0
	forEachSqDist(a, b, d, self, func(_, _ int, row []float64) {
		s := 0.0
		for _, v := range row {
			for _, c := range coef {
				s += math.Exp(c * v)
			}
		}
		total += s
	})
	n, m := len(a)/d, len(b)/d
	pairs := float64(n) * float64(m)
	if self {
		pairs = float64(n) * float64(n-1) / 2
	}
	return total / (pairs * float64(len(coef)))
}

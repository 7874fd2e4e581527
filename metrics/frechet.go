package metrics

import (
	"errors"
	"fmt"
)

// Frechet returns the Fréchet distance between the sample sets a and b
// (rows of d numbers): the squared W2 distance between the Gaussians fitted
// to them by their means and unbiased covariances (MeanCov),
//
//	FD = |μ_a − μ_b|² + tr(Σ_a + Σ_b − 2 (Σ_b^{1/2} Σ_a Σ_b^{1/2})^{1/2}) ,
//
// that is GaussianW2(μ_a, Σ_a, μ_b, Σ_b)². On a classifier's features of
// images it is the Fréchet Inception Distance's statistic (Heusel et al.,
// 2017) with another network. It is biased upward for finite sets, the
// more so the larger d is against n: compare values at the same set
// sizes, and against the distance between two real sets of those sizes.
//
// It returns an error if a set has fewer than two rows or a value that is
// NaN or infinite; it panics if a length is not a multiple of d.
func Frechet(a, b []float64, d int) (float64, error) {
	na, nb := rows(a, d, "a"), rows(b, d, "b")
	if na < 2 || nb < 2 {
		return 0, fmt.Errorf("metrics: Fréchet distance of sets of %d and %d rows; each needs at least 2", na, nb)
	}
	if !allFinite(a) || !allFinite(b) {
		return 0, errors.New("metrics: Fréchet distance of samples with NaN or infinite values")
	}
	ma, ca := MeanCov(a, d)
	mb, cb := MeanCov(b, d)
	w := GaussianW2(ma, ca, mb, cb)
	return w * w, nil
}

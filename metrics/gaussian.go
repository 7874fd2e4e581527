package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/mmi-go/mmi/internal/symmat"
)

// MeanCov returns the sample mean and the unbiased (divide by n−1) sample
// covariance of the rows of a (n×d). With GaussianW2 it gives the W2
// distance between moment-matched Gaussians (the Fréchet distance), a cheap
// summary for high-dimensional sets. It panics if n < 2 or len(a) is not a
// multiple of d.
func MeanCov(a []float64, d int) (mean []float64, cov *mat.SymDense) {
	n := rows(a, d, "a")
	if n < 2 {
		panic(fmt.Sprintf("metrics: covariance of %d rows", n))
	}
	x := mat.NewDense(n, d, a)
	mean = make([]float64, d)
	for c := 0; c < d; c++ {
		mean[c] = stat.Mean(mat.Col(nil, c, x), nil)
	}
	cov = mat.NewSymDense(d, nil)
	stat.CovarianceMatrix(cov, x, nil)
	return mean, cov
}

// GaussianW2 returns the Wasserstein-2 distance between N(mu1, cov1) and
// N(mu2, cov2), in closed form (Dowson & Landau 1982; Olkin & Pukelsheim):
//
//	W2² = |μ1 − μ2|² + tr(Σ1 + Σ2 − 2 (Σ2^{1/2} Σ1 Σ2^{1/2})^{1/2}) .
//
// Covariances need only be positive semi-definite: matrix square roots are
// taken by symmetric eigendecomposition with negative rounding-error
// eigenvalues set to 0. It panics on mismatched sizes and if an
// eigendecomposition fails.
func GaussianW2(mu1 []float64, cov1 mat.Symmetric, mu2 []float64, cov2 mat.Symmetric) float64 {
	d := len(mu1)
	if len(mu2) != d || cov1.SymmetricDim() != d || cov2.SymmetricDim() != d {
		panic(fmt.Sprintf("metrics: Gaussian sizes %d, %d, %d×%[3]d, %d×%[4]d",
			d, len(mu2), cov1.SymmetricDim(), cov2.SymmetricDim()))
	}
	s2 := symmat.Pow(cov2, 0.5)
	var m mat.Dense
	m.Mul(s2, cov1)
	m.Mul(&m, s2)
	inner := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			inner.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2) // symmetric up to rounding
		}
	}
	cross := mat.Trace(symmat.Pow(inner, 0.5))
	w2 := floats.Distance(mu1, mu2, 2)
	w2 *= w2
	w2 += mat.Trace(cov1) + mat.Trace(cov2) - 2*cross
	return math.Sqrt(max(w2, 0))
}

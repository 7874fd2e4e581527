package marginals

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Gaussian is the normal distribution N(Mean, Cov) on R^d, with density
//
//	ρ(x) = (2π)^{−d/2} det(Cov)^{−1/2} exp(−½ (x−Mean)ᵀ Cov⁻¹ (x−Mean)) .
//
// Build it with NewGaussian or StandardGaussian, which check the mean and
// the covariance; its fields are unexported so that no unchecked or
// changed Gaussian exists (the factorisation is computed once). Mean and
// Cov return copies. Its methods are safe for concurrent use.
type Gaussian struct {
	mean []float64
	cov  *mat.SymDense
	chol mat.Cholesky

	// lower is L with Cov = L Lᵀ, as a BLAS triangle for batched
	// products and solves.
	lower blas64.Triangular
	// sd holds √Cov_jj when Cov is diagonal, nil otherwise: the base
	// N(0, I_d) then samples and evaluates in O(d) instead of O(d²),
	// which matters at MNIST size (d = 784).
	sd []float64
	// logNorm is −(d/2) log 2π − ½ log det Cov.
	logNorm float64
}

var _ Marginal = (*Gaussian)(nil)

// NewGaussian returns N(mean, cov). cov must be d×d symmetric positive
// definite with d = len(mean).
func NewGaussian(mean []float64, cov *mat.SymDense) (*Gaussian, error) {
	d := len(mean)
	if d == 0 {
		return nil, errors.New("marginals: zero-dimensional Gaussian")
	}
	if cov.SymmetricDim() != d {
		return nil, fmt.Errorf("marginals: covariance is %d×%d, mean has %d entries", cov.SymmetricDim(), cov.SymmetricDim(), d)
	}
	for j, m := range mean {
		if math.IsNaN(m) || math.IsInf(m, 0) {
			return nil, fmt.Errorf("marginals: mean entry %d is %v", j, m)
		}
	}
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			if v := cov.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("marginals: covariance entry (%d, %d) is %v", i, j, v)
			}
		}
	}
	g := &Gaussian{mean: append([]float64(nil), mean...), cov: mat.NewSymDense(d, nil)}
	g.cov.CopySym(cov)
	if !g.chol.Factorize(g.cov) {
		return nil, errors.New("marginals: covariance is not positive definite")
	}
	var l mat.TriDense
	g.chol.LTo(&l)
	g.lower = l.RawTriangular()
	g.logNorm = -0.5 * (float64(d)*math.Log(2*math.Pi) + g.chol.LogDet())
	if isDiagonal(g.cov) {
		g.sd = make([]float64, d)
		for j := range g.sd {
			g.sd[j] = math.Sqrt(g.cov.At(j, j))
		}
	}
	return g, nil
}

func isDiagonal(s *mat.SymDense) bool {
	d := s.SymmetricDim()
	for i := 0; i < d; i++ {
		for j := i + 1; j < d; j++ {
			if s.At(i, j) != 0 {
				return false
			}
		}
	}
	return true
}

// StandardGaussian returns N(0, I_d), the base marginal ρ_0.
func StandardGaussian(d int) *Gaussian {
	cov := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		cov.SetSym(i, i, 1)
	}
	g, err := NewGaussian(make([]float64, d), cov)
	if err != nil {
		panic(err) // d ≤ 0 is a programmer error
	}
	return g
}

// Dim returns d; 0 for a Gaussian not made by NewGaussian.
func (g *Gaussian) Dim() int { return len(g.mean) }

// Mean returns a copy of the mean.
func (g *Gaussian) Mean() []float64 { return append([]float64(nil), g.mean...) }

// Cov returns a copy of the covariance.
func (g *Gaussian) Cov() *mat.SymDense {
	c := mat.NewSymDense(len(g.mean), nil)
	c.CopySym(g.cov)
	return c
}

// Sample fills dst with len(dst)/d draws x = Mean + L z, z ~ N(0, I_d),
// where Cov = L Lᵀ is the Cholesky factorisation. The whole batch of z is
// drawn first, row by row, then transformed in one triangular product
// (X = Z Lᵀ), so it allocates nothing. It panics if len(dst) is not a
// multiple of d.
func (g *Gaussian) Sample(dst []float64, r *rand.Rand) {
	d := len(g.mean)
	if len(dst)%d != 0 {
		panic(fmt.Sprintf("marginals: batch of %d numbers is not a multiple of dimension %d", len(dst), d))
	}
	for i := range dst {
		dst[i] = r.NormFloat64()
	}
	n := len(dst) / d
	if n == 0 {
		return
	}
	if g.sd != nil {
		for i := 0; i < n; i++ {
			row := dst[i*d : (i+1)*d]
			for j := range row {
				row[j] = g.mean[j] + g.sd[j]*row[j]
			}
		}
		return
	}
	blas64.Trmm(blas.Right, blas.Trans, 1, g.lower, blas64.General{Rows: n, Cols: d, Stride: d, Data: dst})
	for i := 0; i < n; i++ {
		row := dst[i*d : (i+1)*d]
		for j := range row {
			row[j] += g.mean[j]
		}
	}
}

// LogProb returns log ρ(x) = logNorm − ½ |L⁻¹(x − Mean)|², with
// logNorm = −(d/2) log 2π − ½ log det Cov. It panics if len(x) != d.
func (g *Gaussian) LogProb(x []float64) float64 {
	d := len(g.mean)
	if len(x) != d {
		panic(fmt.Sprintf("marginals: point of dimension %d, Gaussian of dimension %d", len(x), d))
	}
	y := make([]float64, d)
	return g.logProbRows(y, x, 1)[0]
}

// LogProbBatch writes log ρ(x_i) into dst[i] for the n = len(dst) rows of x
// (n·d numbers, row-major). It panics if len(x) != len(dst)·d.
func (g *Gaussian) LogProbBatch(dst, x []float64) {
	d := len(g.mean)
	if len(x) != len(dst)*d {
		panic(fmt.Sprintf("marginals: %d numbers for %d points of dimension %d", len(x), len(dst), d))
	}
	if len(dst) == 0 {
		return
	}
	y := make([]float64, len(x))
	copy(dst, g.logProbRows(y, x, len(dst)))
}

// logProbRows computes the log densities of the n rows of x into the first
// n entries of scratch (which holds n·d numbers) and returns them.
func (g *Gaussian) logProbRows(scratch, x []float64, n int) []float64 {
	d := len(g.mean)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			scratch[i*d+j] = x[i*d+j] - g.mean[j]
		}
	}
	if g.sd != nil {
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				scratch[i*d+j] /= g.sd[j]
			}
		}
	} else {
		// Rows y_i with L y_i = x_i − Mean: solve Y Lᵀ = X − Mean.
		blas64.Trsm(blas.Right, blas.Trans, 1, g.lower, blas64.General{Rows: n, Cols: d, Stride: d, Data: scratch})
	}
	for i := 0; i < n; i++ {
		q := 0.0
		for _, v := range scratch[i*d : (i+1)*d] {
			q += v * v
		}
		// Row i's numbers are consumed; slot i ≤ i·d is free to reuse.
		scratch[i] = g.logNorm - 0.5*q
	}
	return scratch[:n]
}

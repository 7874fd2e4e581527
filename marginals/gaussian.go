package marginals

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Gaussian is the normal distribution N(Mean, Cov) on R^d.
type Gaussian struct {
	Mean []float64
	Cov  *mat.SymDense
	chol mat.Cholesky
}

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
	g := &Gaussian{Mean: append([]float64(nil), mean...), Cov: mat.NewSymDense(d, nil)}
	g.Cov.CopySym(cov)
	if !g.chol.Factorize(g.Cov) {
		return nil, errors.New("marginals: covariance is not positive definite")
	}
	return g, nil
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

// Dim returns d.
func (g *Gaussian) Dim() int { return len(g.Mean) }

// Mixture is the Gaussian mixture Σ_c Weights[c] N(Components[c]).
type Mixture struct {
	Weights    []float64
	Components []*Gaussian
}

package simplex

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Dirichlet is the Dirichlet distribution on Δ^K with concentrations
// Beta (len K+1, all > 0), density ∝ Π_k α_k^{β_k−1}. Its moments are
// E[α_k] = β_k/β_0 and Var[α_k] = β_k(β_0−β_k)/(β_0²(β_0+1)), β_0 = Σ β_k.
// β ≡ 1 is uniform on the simplex; small β pushes mass towards the faces,
// edges and vertices, large β towards the centre.
//
// A sample is α_k = G_k / Σ_j G_j with independent G_k ~ Gamma(β_k, 1).
type Dirichlet struct {
	Beta []float64
}

var _ Sampler = (*Dirichlet)(nil)

// NewDirichlet returns Dirichlet(beta). beta needs at least two entries,
// each finite and > 0.
func NewDirichlet(beta []float64) (*Dirichlet, error) {
	if len(beta) < 2 {
		return nil, fmt.Errorf("simplex: Dirichlet needs at least 2 concentrations, got %d", len(beta))
	}
	for k, b := range beta {
		if !(b > 0) || math.IsInf(b, 0) {
			return nil, fmt.Errorf("simplex: Dirichlet concentration %d is %v, must be positive and finite", k, b)
		}
	}
	return &Dirichlet{Beta: append([]float64(nil), beta...)}, nil
}

// NewSymmetricDirichlet returns Dirichlet(c, …, c) on Δ^{n-1}.
func NewSymmetricDirichlet(n int, c float64) (*Dirichlet, error) {
	if n < 2 {
		return nil, errors.New("simplex: Dirichlet needs at least 2 coordinates")
	}
	beta := make([]float64, n)
	for k := range beta {
		beta[k] = c
	}
	return NewDirichlet(beta)
}

// Sample writes one Dirichlet draw into dst. It panics if
// len(dst) != len(d.Beta). It allocates nothing.
func (d *Dirichlet) Sample(dst []float64, r *rand.Rand) {
	if len(dst) != len(d.Beta) {
		panic(fmt.Sprintf("simplex: Dirichlet has %d coordinates, dst %d", len(d.Beta), len(dst)))
	}
	// Normalise in log space: α_k = exp(l_k − m) / Σ_j exp(l_j − m).
	m := math.Inf(-1)
	for k, b := range d.Beta {
		dst[k] = logGamma(b, r)
		m = math.Max(m, dst[k])
	}
	normalizeExp(dst, m)
}

// normalizeExp replaces l by exp(l − m)/Σ exp(l − m), m = max l.
func normalizeExp(l []float64, m float64) {
	sum := 0.0
	for k, v := range l {
		l[k] = math.Exp(v - m)
		sum += l[k]
	}
	for k := range l {
		l[k] /= sum
	}
}

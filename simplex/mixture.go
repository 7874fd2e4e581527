package simplex

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Mixture draws from Samplers[c] with probability Weights[c]/Σ Weights.
// Training uses it to cover the interior, the faces, the edges and the
// vertices at once, for example
//
//	Dirichlet(1) with weight 0.5, Edges with 0.3, Vertices with 0.2.
type Mixture struct {
	Samplers []Sampler
	Weights  []float64
}

var _ Sampler = (*Mixture)(nil)

// NewMixture returns the mixture of samplers with the given weights, which
// must be finite, ≥ 0 and have a positive sum; they are normalised to sum
// to one.
func NewMixture(samplers []Sampler, weights []float64) (*Mixture, error) {
	if len(samplers) == 0 {
		return nil, errors.New("simplex: mixture of no samplers")
	}
	if len(weights) != len(samplers) {
		return nil, fmt.Errorf("simplex: mixture has %d samplers and %d weights", len(samplers), len(weights))
	}
	sum := 0.0
	for c, w := range weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("simplex: mixture weight %d is %v, must be finite and ≥ 0", c, w)
		}
		if samplers[c] == nil {
			return nil, fmt.Errorf("simplex: mixture sampler %d is nil", c)
		}
		sum += w
	}
	if !(sum > 0) {
		return nil, errors.New("simplex: mixture weights sum to zero")
	}
	m := &Mixture{Samplers: append([]Sampler(nil), samplers...), Weights: make([]float64, len(weights))}
	for c, w := range weights {
		m.Weights[c] = w / sum
	}
	return m, nil
}

// Sample chooses a component with probability proportional to its weight
// and writes its draw into dst.
func (m *Mixture) Sample(dst []float64, r *rand.Rand) {
	sum := 0.0
	for _, w := range m.Weights {
		sum += w
	}
	u := r.Float64() * sum
	last := 0
	for c, w := range m.Weights {
		if w <= 0 {
			continue
		}
		last = c
		if u < w {
			break
		}
		u -= w
	}
	// If rounding carried u past the end, last is the last positive weight.
	m.Samplers[last].Sample(dst, r)
}

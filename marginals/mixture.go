package marginals

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Mixture is the Gaussian mixture Σ_c w_c N(μ_c, Σ_c) of its Weights and
// Components, with density ρ(x) = Σ_c w_c N(x; μ_c, Σ_c), mean
// m = Σ_c w_c μ_c and covariance Σ_c w_c (Σ_c + μ_c μ_cᵀ) − m mᵀ. Its exact
// density and the exact conditional expectations built from it make
// everything downstream of training testable. Build it with NewMixture,
// the one place where mixture weights are checked: its fields are
// unexported, so every Mixture in the program has passed that check and
// users of one (the exact oracle, specification files) need not check
// again. Its methods are safe for concurrent use.
type Mixture struct {
	weights    []float64
	components []*Gaussian
}

var _ Marginal = (*Mixture)(nil)

// NewMixture returns the mixture of comps with the given weights. The
// weights must be finite and ≥ 0 with a positive sum (a zero weight is a
// component that never occurs); NewMixture divides them by their sum, so
// Weights always sums to one ([1, 3] means [0.25, 0.75]), also for
// weights whose sum overflows float64. comps must have been made by
// NewGaussian and be of one dimension. Both slices are copied; the
// Gaussians are shared (they are immutable).
func NewMixture(weights []float64, comps []*Gaussian) (*Mixture, error) {
	if len(comps) == 0 {
		return nil, errors.New("marginals: mixture of no components")
	}
	if len(weights) != len(comps) {
		return nil, fmt.Errorf("marginals: mixture has %d weights and %d components", len(weights), len(comps))
	}
	sum, top := 0.0, 0.0
	for c, w := range weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("marginals: weight of component %d is %v, must be finite and ≥ 0", c, w)
		}
		if comps[c] == nil || comps[c].Dim() == 0 {
			return nil, fmt.Errorf("marginals: mixture component %d is missing (nil, or not made by NewGaussian)", c)
		}
		if comps[c].Dim() != comps[0].Dim() {
			return nil, fmt.Errorf("marginals: mixture component %d has dimension %d, component 0 has %d", c, comps[c].Dim(), comps[0].Dim())
		}
		sum += w
		top = math.Max(top, w)
	}
	if top == 0 {
		return nil, errors.New("marginals: mixture weights sum to zero")
	}
	m := &Mixture{weights: append([]float64(nil), weights...), components: append([]*Gaussian(nil), comps...)}
	if math.IsInf(sum, 1) {
		// Finite weights can overflow their sum (1e308 + 1e308), and w/Inf
		// would make every weight 0: divide by the largest first, after
		// which the sum is at most len(weights).
		sum = 0
		for c := range m.weights {
			m.weights[c] /= top
			sum += m.weights[c]
		}
	}
	for c := range m.weights {
		m.weights[c] /= sum
	}
	return m, nil
}

// Dim returns d.
func (m *Mixture) Dim() int { return m.components[0].Dim() }

// Len returns the number of components.
func (m *Mixture) Len() int { return len(m.components) }

// Weights returns a copy of the normalized weights w_c.
func (m *Mixture) Weights() []float64 { return append([]float64(nil), m.weights...) }

// Components returns a copy of the list of components (the Gaussians
// themselves are immutable and shared).
func (m *Mixture) Components() []*Gaussian { return append([]*Gaussian(nil), m.components...) }

// Sample fills dst with len(dst)/d draws: for each row, a component c with
// probability w_c, then a draw of N(μ_c, Σ_c). It panics if len(dst) is not

// Mean returns the mixture's mean Σ_c w_c μ_c.
func (m *Mixture) Mean() []float64 {
	mean := make([]float64, m.Dim())
	for c, g := range m.components {
		for j, v := range g.mean {
			mean[j] += m.weights[c] * v
		}
	}
	return mean
}

// Cov returns the mixture's covariance Σ_c w_c (Σ_c + (μ_c − m)(μ_c − m)ᵀ),
// m its mean (the law of total covariance, without the cancellation of
// the uncentred form).
func (m *Mixture) Cov() *mat.SymDense {
	d := m.Dim()
	mean := m.Mean()
	cov := mat.NewSymDense(d, nil)
	for c, g := range m.components {
		w := m.weights[c]
		for i := 0; i < d; i++ {
			for j := i; j < d; j++ {
				cov.SetSym(i, j, cov.At(i, j)+w*(g.cov.At(i, j)+(g.mean[i]-mean[i])*(g.mean[j]-mean[j])))
			}
		}
	}
	return cov
}

// a multiple of d.
func (m *Mixture) Sample(dst []float64, r *rand.Rand) {
	d := m.Dim()
	if len(dst)%d != 0 {
		panic(fmt.Sprintf("marginals: batch of %d numbers is not a multiple of dimension %d", len(dst), d))
	}
	for i := 0; i < len(dst)/d; i++ {
		m.components[m.component(r.Float64())].Sample(dst[i*d:(i+1)*d], r)
	}
}

// component returns the c with Σ_{c'<c} w_c' ≤ u < Σ_{c'≤c} w_c', skipping
// zero weights; rounding past the end gives the last positive weight.
func (m *Mixture) component(u float64) int {
	last := 0
	for c, w := range m.weights {
		if w <= 0 {
			continue
		}
		last = c
		if u < w {
			break
		}
		u -= w
	}
	return last
}

// LogProb returns log ρ(x) = log Σ_c exp(log w_c + log N(x; μ_c, Σ_c)),
// summed with the largest term factored out (log-sum-exp) so that points
// far from every component still get a finite value. It panics if
// len(x) != d.
func (m *Mixture) LogProb(x []float64) float64 {
	if len(x) != m.Dim() {
		panic(fmt.Sprintf("marginals: point of dimension %d, mixture of dimension %d", len(x), m.Dim()))
	}
	var dst [1]float64
	m.LogProbBatch(dst[:], x)
	return dst[0]
}

// LogProbBatch writes log ρ(x_i) into dst[i] for the n = len(dst) rows of x
// (n·d numbers, row-major). It panics if len(x) != len(dst)·d.
func (m *Mixture) LogProbBatch(dst, x []float64) {
	d := m.Dim()
	if len(x) != len(dst)*d {
		panic(fmt.Sprintf("marginals: %d numbers for %d points of dimension %d", len(x), len(dst), d))
	}
	n := len(dst)
	if n == 0 {
		return
	}
	// Streaming log-sum-exp: dst holds the running maximum M_i, acc the
	// running Σ exp(v − M_i).
	acc := make([]float64, n)
	lp := make([]float64, n)
	for i := range dst {
		dst[i] = math.Inf(-1)
	}
	for c, comp := range m.components {
		w := m.weights[c]
		if w <= 0 {
			continue
		}
		comp.LogProbBatch(lp, x)
		lw := math.Log(w)
		for i, v := range lp {
			v += lw
			if v > dst[i] {
				acc[i] = acc[i]*math.Exp(dst[i]-v) + 1
				dst[i] = v
			} else {
				acc[i] += math.Exp(v - dst[i])
			}
		}
	}
	for i := range dst {
		dst[i] += math.Log(acc[i])
	}
}

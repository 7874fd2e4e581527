package suite

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/marginals"
)

// Kind is the shape family of one data marginal of a problem.
type Kind string

// The kinds of marginal a problem draws from. Each is built in a base
// frame of spread about 1 (modes within a radius of about 2), then
// scaled by the marginal's Scale and moved to its location.
const (
	// Single is one Gaussian with a random rotation and axis standard
	// deviations in [0.3, 1.5] (up to 5:1).
	Single Kind = "single"
	// Tight is 4–8 isotropic modes of standard deviation 0.06–0.15 at
	// random points of the ball of radius 2, at least 0.6 apart.
	Tight Kind = "tight"
	// Elongated is 2–3 thin modes: long axis 0.8–1.5, short axes
	// 0.05–0.15 (axis ratios 5–30), each in its own random direction.
	Elongated Kind = "elongated"
	// Mixed is 2–4 modes of random rotation and axis standard
	// deviations 0.15–0.8.
	Mixed Kind = "mixed"
)

// Kinds lists every kind, in the order the generator draws from.
var Kinds = []Kind{Single, Tight, Elongated, Mixed}

// Options bound the problems a suite draws. A zero field means the
// documented default.
type Options struct {
	// MinDim, MaxDim bound the dimension d (defaults 2 and 10).
	MinDim, MaxDim int
	// MinK, MaxK bound the number of data marginals K (defaults 2 and 5).
	MinK, MaxK int
	// MaxScaleRatio bounds the ratio of the largest to the smallest
	// marginal scale in a problem (default 6; 1 gives equal scales).
	MaxScaleRatio float64
}

func (o Options) withDefaults() Options {
	if o.MinDim == 0 {
		o.MinDim = 2
	}
	if o.MaxDim == 0 {
		o.MaxDim = 10
	}
	if o.MinK == 0 {
		o.MinK = 2
	}
	if o.MaxK == 0 {
		o.MaxK = 5
	}
	if o.MaxScaleRatio == 0 {
		o.MaxScaleRatio = 6
	}
	return o
}

func (o Options) validate() error {
	switch {
	case o.MinDim < 1 || o.MaxDim < o.MinDim:
		return fmt.Errorf("suite: dimension range [%d, %d]", o.MinDim, o.MaxDim)
	case o.MinK < 2 || o.MaxK < o.MinK:
		return fmt.Errorf("suite: K range [%d, %d], need 2 ≤ min ≤ max", o.MinK, o.MaxK)
	case !(o.MaxScaleRatio >= 1) || math.IsInf(o.MaxScaleRatio, 0):
		return fmt.Errorf("suite: scale ratio %v, need finite and ≥ 1", o.MaxScaleRatio)
	}
	return nil
}

// Problem is one test problem: K Gaussian-mixture data marginals of one
// dimension (the Gaussian ρ_0 is implied, as in a specification).
type Problem struct {
	// Name is "pNN-dD-kK", NN the index in the suite.
	Name string
	// Index is the problem's index; Dim and K its sizes.
	Index, Dim, K int
	// Kinds[k] and Scales[k] describe data marginal k+1.
	Kinds  []Kind
	Scales []float64
	// Marginals are ρ_1 … ρ_K.
	Marginals []*marginals.Mixture
}

// Describe is a one-line summary: "d=3 K=4: tight×1.2, single×0.4, …".
func (p Problem) Describe() string {
	parts := make([]string, p.K)
	for k := range parts {
		parts[k] = fmt.Sprintf("%s×%.2g", p.Kinds[k], p.Scales[k])
	}
	return fmt.Sprintf("d=%d K=%d: %s", p.Dim, p.K, strings.Join(parts, ", "))
}

// Generate returns problems 0 … n−1 of the suite of seed (see New).
func Generate(seed uint64, n int, o Options) ([]Problem, error) {
	if n < 1 {
		return nil, fmt.Errorf("suite: %d problems", n)
	}
	out := make([]Problem, n)
	for i := range out {
		p, err := New(seed, i, o)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// New returns problem i of the suite of seed: a pure function of (seed,
// i, o), drawn from its own stream rand.NewPCG(seed, i). d and K are
// uniform in their ranges; each marginal's kind is uniform over Kinds,
// except that problem i's first marginal is Kinds[i mod 4], so that every
// four consecutive problems hold every kind. Marginal scales are
// log-uniform within o.MaxScaleRatio of each other; locations are uniform
// in [−2, 2]^d times the scale of the largest marginal.
func New(seed uint64, i int, o Options) (Problem, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return Problem{}, err
	}
	if i < 0 {
		return Problem{}, errors.New("suite: negative problem index")
	}
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	d := o.MinDim + r.IntN(o.MaxDim-o.MinDim+1)
	K := o.MinK + r.IntN(o.MaxK-o.MinK+1)
	p := Problem{Name: fmt.Sprintf("p%02d-d%d-k%d", i, d, K), Index: i, Dim: d, K: K,
		Kinds: make([]Kind, K), Scales: make([]float64, K), Marginals: make([]*marginals.Mixture, K)}
	logRatio := math.Log(o.MaxScaleRatio)
	lo := -logRatio / 2
	maxScale := 0.0
	for k := 0; k < K; k++ {
		if k == 0 {
			p.Kinds[k] = Kinds[i%len(Kinds)]
		} else {
			p.Kinds[k] = Kinds[r.IntN(len(Kinds))]
		}
		p.Scales[k] = math.Exp(lo + logRatio*r.Float64())
		maxScale = math.Max(maxScale, p.Scales[k])
	}
	for k := 0; k < K; k++ {
		loc := make([]float64, d)
		for j := range loc {
			loc[j] = maxScale * (4*r.Float64() - 2)
		}
		m, err := mixture(r, p.Kinds[k], d, p.Scales[k], loc)
		if err != nil {
			return Problem{}, fmt.Errorf("suite: problem %d, marginal %d: %w", i, k+1, err)
		}
		p.Marginals[k] = m
	}
	return p, nil
}

// mixture draws a mixture of kind in the base frame, scaled by s and
// centred at loc.
func mixture(r *rand.Rand, kind Kind, d int, s float64, loc []float64) (*marginals.Mixture, error) {
	type mode struct {
		mean []float64
		sd   []float64 // axis standard deviations
	}
	var modes []mode
	uniform := func(a, b float64) float64 { return a + (b-a)*r.Float64() }
	switch kind {
	case Single:
		sd := make([]float64, d)
		for j := range sd {
			sd[j] = uniform(0.3, 1.5)
		}
		modes = []mode{{make([]float64, d), sd}}
	case Tight:
		n := 4 + r.IntN(5)
		sd := uniform(0.06, 0.15)
		for _, c := range spreadPoints(r, n, d, 2, 0.6) {
			modes = append(modes, mode{c, constant(d, sd)})
		}
	case Elongated:
		n := 2 + r.IntN(2)
		for _, c := range spreadPoints(r, n, d, 1.5, 1) {
			sd := constant(d, uniform(0.05, 0.15))
			sd[0] = uniform(0.8, 1.5)
			modes = append(modes, mode{c, sd})
		}
	case Mixed:
		n := 2 + r.IntN(3)
		for _, c := range spreadPoints(r, n, d, 2, 0.8) {
			sd := make([]float64, d)
			for j := range sd {
				sd[j] = uniform(0.15, 0.8)
			}
			modes = append(modes, mode{c, sd})
		}
	default:
		return nil, fmt.Errorf("unknown kind %q", kind)
	}
	weights := make([]float64, len(modes))
	comps := make([]*marginals.Gaussian, len(modes))
	for c, md := range modes {
		weights[c] = uniform(0.5, 1.5)
		mean := make([]float64, d)
		for j := range mean {
			mean[j] = loc[j] + s*md.mean[j]
		}
		q := rotation(r, d)
		// Σ = s² Q diag(sd²) Qᵀ.
		cov := mat.NewSymDense(d, nil)
		for a := 0; a < d; a++ {
			for b := a; b < d; b++ {
				v := 0.0
				for j := 0; j < d; j++ {
					v += q.At(a, j) * md.sd[j] * md.sd[j] * q.At(b, j)
				}
				cov.SetSym(a, b, s*s*v)
			}
		}
		g, err := marginals.NewGaussian(mean, cov)
		if err != nil {
			return nil, err
		}
		comps[c] = g
	}
	return marginals.NewMixture(weights, comps)
}

func constant(d int, v float64) []float64 {
	out := make([]float64, d)
	for j := range out {
		out[j] = v
	}
	return out
}

// spreadPoints draws n points uniform in the ball of radius rad in R^d,
// each at least minDist from those before it (by rejection; after many
// failures the distance is relaxed, so it always ends). n = 1 gives the
// origin.
func spreadPoints(r *rand.Rand, n, d int, rad, minDist float64) [][]float64 {
	var pts [][]float64
	for len(pts) < n {
		var p []float64
		for tries := 0; ; tries++ {
			p = ballPoint(r, d, rad)
			ok := true
			for _, q := range pts {
				if dist(p, q) < minDist {
					ok = false
					break
				}
			}
			if ok {
				break
			}
			if tries%100 == 99 {
				minDist *= 0.9
			}
		}
		pts = append(pts, p)
	}
	return pts
}

func ballPoint(r *rand.Rand, d int, rad float64) []float64 {
	p := make([]float64, d)
	norm := 0.0
	for j := range p {
		p[j] = r.NormFloat64()
		norm += p[j] * p[j]
	}
	scale := rad * math.Pow(r.Float64(), 1/float64(d)) / math.Sqrt(norm)
	for j := range p {
		p[j] *= scale
	}
	return p
}

func dist(a, b []float64) float64 {
	s := 0.0
	for j := range a {
		s += (a[j] - b[j]) * (a[j] - b[j])
	}
	return math.Sqrt(s)
}

// rotation draws a uniformly random orthogonal d×d matrix: the Q of the
// QR factorization of a matrix of N(0, 1) entries, with the signs fixed
// by R's diagonal (Mezzadri 2007).
func rotation(r *rand.Rand, d int) *mat.Dense {
	a := mat.NewDense(d, d, nil)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			a.Set(i, j, r.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q, rr mat.Dense
	qr.QTo(&q)
	qr.RTo(&rr)
	for j := 0; j < d; j++ {
		if rr.At(j, j) < 0 {
			for i := 0; i < d; i++ {
				q.Set(i, j, -q.At(i, j))
			}
		}
	}
	return &q
}

package path

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/simplex"
)

// LikelihoodOptions are the settings of LogLikelihood and
// MarginalLogLikelihood; nil means the defaults.
type LikelihoodOptions struct {
	Options
	// ExactMaxDim: the divergence ∇·b is computed exactly, with d
	// vector–Jacobian products per NFE (the diagonal of the Jacobian, one
	// basis vector at a time), when d ≤ ExactMaxDim, and with Hutchinson's
	// estimator otherwise. 0 means 32; a negative value always uses
	// Hutchinson.
	ExactMaxDim int
	// Probes is the number of Rademacher probe vectors per sample of
	// Hutchinson's estimator; 0 means 1.
	Probes int
}

func (o *LikelihoodOptions) options() *Options {
	if o == nil {
		return nil
	}
	return &o.Options
}

// LogLikelihood integrates the flow of v together with the log density
// along it,
//
//	dX/dt = b(t, X) ,  dℓ/dt = −∇·b(t, X) ,
//
// from X(0) = x (rows ~ ρ(α(0))) and ℓ(0) = logp0, and returns
// ℓ(1) = log ρ(α(1), X(1)) per sample; x holds X(1) on return. If logp0 is
// nil the path must start at the Gaussian vertex e_0, and ℓ(0) is the
// standard normal log density of each row.
//
// v.g must implement cond.VJPer. With the exact trace (d ≤ ExactMaxDim) the
// result is exact up to the solver's error. With Hutchinson's estimator
// ∇·b ≈ uᵀ(∂b/∂x)u with Rademacher probes u drawn once per sample from r
// and held fixed along the whole path (as in FFJORD), so that the ODE stays
// smooth for adaptive solvers: each ℓ(1) is then an unbiased estimate whose
// spread shrinks like 1/√Probes. r may be nil with the exact trace.
func LogLikelihood(ctx context.Context, v *Velocity, x, logp0 []float64, s Solver, r *rand.Rand, opts *LikelihoodOptions) ([]float64, Stats, error) {
	if err := v.check(); err != nil {
		return nil, Stats{}, err
	}
	_, d := v.g.Sizes()
	if err := checkBatch(x, d); err != nil {
		return nil, Stats{}, err
	}
	n := len(x) / d
	if logp0 != nil && len(logp0) != n {
		return nil, Stats{}, fmt.Errorf("path: %d starting log densities for %d samples", len(logp0), n)
	}
	if logp0 == nil {
		a := make([]float64, v.p.Len())
		v.p.Alpha(a, 0)
		if a[0] < 1-Tol {
			return nil, Stats{}, fmt.Errorf("path: the path starts at %v, not at the Gaussian vertex e_0: give the starting log densities", a)
		}
		logp0 = make([]float64, n)
		for i := range logp0 {
			logp0[i] = StdNormalLogDensity(x[i*d : (i+1)*d])
		}
	}
	delta, st, err := logDensityChange(ctx, v, x, s, r, opts)
	if err != nil {
		return nil, st, err
	}
	for i := range delta {
		delta[i] += logp0[i]
	}
	return delta, st, nil
}

// MarginalLogLikelihood returns log ρ_k(y_i) for each row y_i of y under
// the model g: the exact log density for the oracle, the model's for a
// trained network. It integrates from e_k back to the Gaussian vertex e_0
// along the straight line,
//
//	log ρ_k(y) = log N(X(1); 0, I) + ∫_0^1 ∇·b(t, X(t)) dt ,
//
// (LogLikelihood along e_k → e_0 solved for its start). y is not modified.
// k = 0 gives the Gaussian's own density through the trivial path.
func MarginalLogLikelihood(ctx context.Context, g cond.Conditional, y []float64, k int, s Solver, r *rand.Rand, opts *LikelihoodOptions) ([]float64, Stats, error) {
	k1, d := g.Sizes()
	if k < 0 || k >= k1 {
		return nil, Stats{}, fmt.Errorf("path: marginal %d out of range [0, %d)", k, k1)
	}
	if err := checkBatch(y, d); err != nil {
		return nil, Stats{}, err
	}
	x := clone(y)
	n := len(y) / d
	if k == 0 {
		out := make([]float64, n)
		for i := range out {
			out[i] = StdNormalLogDensity(y[i*d : (i+1)*d])
		}
		return out, Stats{}, nil
	}
	p, err := Segment(simplex.Vertex(k1, k), simplex.Vertex(k1, 0))
	if err != nil {
		return nil, Stats{}, err
	}
	v, err := NewVelocity(g, p)
	if err != nil {
		return nil, Stats{}, err
	}
	delta, st, err := logDensityChange(ctx, v, x, s, r, opts)
	if err != nil {
		return nil, st, err
	}
	for i := range delta {
		delta[i] = StdNormalLogDensity(x[i*d:(i+1)*d]) - delta[i]
	}
	return delta, st, nil
}

// logDensityChange integrates X and ℓ with ℓ(0) = 0, leaving X(1) in x and
// returning ℓ(1) = −∫ ∇·b dt.
func logDensityChange(ctx context.Context, v *Velocity, x []float64, s Solver, r *rand.Rand, opts *LikelihoodOptions) ([]float64, Stats, error) {
	vjp, ok := v.g.(cond.VJPer)
	if !ok {
		return nil, Stats{}, fmt.Errorf("path: the likelihood needs the model's input gradients, and %T has no VJP method", v.g)
	}
	_, d := v.g.Sizes()
	n := len(x) / d
	exactMax, probes := 32, 1
	var o *Options
	if opts != nil {
		if opts.ExactMaxDim != 0 {
			exactMax = opts.ExactMaxDim
		}
		if opts.Probes < 0 {
			return nil, Stats{}, fmt.Errorf("path: %d Hutchinson probes", opts.Probes)
		}
		if opts.Probes > 0 {
			probes = opts.Probes
		}
		o = opts.options()
	}
	rec, err := newRecorder(o.trajectory(), n, d)
	if err != nil {
		return nil, Stats{}, err
	}
	if n == 0 {
		return []float64{}, Stats{}, nil
	}
	e := newEvaluator(v, n, o.workers())
	defer e.close()
	e.vjp = vjp
	if d > exactMax {
		if r == nil {
			return nil, Stats{}, errors.New("path: Hutchinson's estimator needs a random source")
		}
		e.probes = make([][]float64, probes)
		for m := range e.probes {
			e.probes[m] = rademacher(len(x), r)
		}
	}
	// The state is y = [X (n·d numbers); ℓ (n numbers)].
	y := make([]float64, len(x)+n)
	copy(y, x)
	nd := len(x)
	pr := &Problem{
		f: func(dst []float64, t float64, y []float64, left bool) {
			e.setTime(t, left)
			e.eval(dst[:nd], y[:nd], dst[nd:])
		},
		breaks: breaksOf(v.p),
		rec:    rec,
	}
	st, err := s.Solve(ctx, pr, y)
	st.NFE, st.VJP = e.nfe, e.nvjp
	copy(x, y[:nd])
	if err != nil {
		return nil, st, err
	}
	return y[nd:], st, nil
}

// rademacher returns n independent signs ±1 from r, 64 per random word.
func rademacher(n int, r *rand.Rand) []float64 {
	u := make([]float64, n)
	var bits uint64
	for i := range u {
		if i%64 == 0 {
			bits = r.Uint64()
		}
		u[i] = float64(int(bits&1)*2 - 1)
		bits >>= 1
	}
	return u
}

// StdNormalLogDensity returns log N(x; 0, I) = −|x|²/2 − (d/2)·log 2π.
func StdNormalLogDensity(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return -0.5*s - 0.5*float64(len(x))*math.Log(2*math.Pi)
}

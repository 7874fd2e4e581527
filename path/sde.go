package path

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// Diffusion is the noise level ε(t) ≥ 0 of the stochastic generator
//
//	dX = [b(t, X) + ε(t)·s(t, X)] dt + √(2ε(t)) dW ,
//	s(t, x) = ∇ log ρ(α(t), x) = −g_0(α(t), x) / α_0(t) ,
//
// which has the same marginals ρ(α(t), ·) as the probability flow for any
// ε ≥ 0 (the extra drift ε·s and the noise cancel in the Fokker–Planck
// equation). The score is only defined where α_0 > 0 and grows like 1/α_0
// as α_0 → 0, so ε must vanish where α_0 does, at least as fast as α_0:
// then ε·s stays bounded. EpsAlpha0 is the natural choice.
type Diffusion interface {
	// Eps returns ε(t); alpha is α(t), given so that the schedule can
	// follow the path without recomputing it.
	Eps(t float64, alpha []float64) float64
}

// EpsAlpha0 is the schedule ε(t) = E·α_0(t) with E the value of the
// EpsAlpha0: the noise is strongest at the Gaussian vertex and vanishes
// where α_0 does, and the score drift ε·s = −E·g_0 is bounded everywhere.
// Along e_0 → e_k it is ε(t) = E·(1−t).
type EpsAlpha0 float64

// Eps implements Diffusion.
func (e EpsAlpha0) Eps(_ float64, alpha []float64) float64 {
	return float64(e) * math.Max(alpha[0], 0)
}

// EpsFunc is a schedule given as a function of t. IntegrateSDE refuses it
// unless it is zero wherever α_0(t) = 0.
type EpsFunc func(t float64) float64

// Eps implements Diffusion.
func (f EpsFunc) Eps(t float64, _ []float64) float64 { return f(t) }

// SDESolver integrates the stochastic generator: EulerMaruyama,
// StochasticHeun, or one written outside this package.
type SDESolver interface {
	// SolveSDE integrates s from x = X(0) at t = 0 to t = 1 in place,
	// through s.Drift and s.Noise only, with the same duties as
	// Solver.Solve: land on s.Breaks, call s.Record, stop when ctx is done,
	// return the steps in Stats.
	SolveSDE(ctx context.Context, s *SDEProblem, x []float64) (Stats, error)
}

var (
	_ SDESolver = EulerMaruyama{}
	_ SDESolver = StochasticHeun{}
)

// EulerMaruyama takes Steps equal steps
//
//	X ← X + h·f(t, X) + σ(t)·ΔW ,  f = b + ε·s, σ = √(2ε), ΔW ~ N(0, h·I):
//
// strong order 1/2, weak order 1, one NFE per step.
type EulerMaruyama struct{ Steps int }

// StochasticHeun takes Steps equal steps of the stochastic Heun method for
// additive noise,
//
//	X̃ = X + h·f(t, X) + σ(t)·ΔW ,
//	X ← X + h/2·[f(t, X) + f(t+h, X̃)] + (σ(t)+σ(t+h))/2·ΔW ,
//
// with the same ΔW in both lines: weak order 2 for additive noise, and
// exactly Heun's method where ε = 0. Two NFE per step.
type StochasticHeun struct{ Steps int }

// epsGrid is the number of intervals of the grid on which IntegrateSDE checks
// that ε vanishes where α_0 does.
const epsGrid = 1000

// CheckDiffusion reports whether eps is a valid noise schedule along p: ε(t)
// finite and ≥ 0, and ε(t) = 0 wherever α_0(t) = 0 (there the score does
// not exist). It checks t = i/1000, both ends and both sides of every break.
func CheckDiffusion(p Path, eps Diffusion) error {
	if eps == nil {
		return fmt.Errorf("path: nil diffusion schedule")
	}
	times := make([]float64, 0, epsGrid+1+2*len(breaksOf(p)))
	for i := 0; i <= epsGrid; i++ {
		times = append(times, float64(i)/epsGrid)
	}
	for _, b := range breaksOf(p) {
		times = append(times, math.Nextafter(b, 0), b, math.Nextafter(b, 1))
	}
	a := make([]float64, p.Len())
	for _, t := range times {
		p.Alpha(a, t)
		e := eps.Eps(t, a)
		if math.IsNaN(e) || math.IsInf(e, 0) || e < 0 {
			return fmt.Errorf("path: diffusion ε(%g) = %g; it must be finite and ≥ 0", t, e)
		}
		if a[0] <= 0 && e != 0 {
			return fmt.Errorf("path: diffusion ε(%g) = %g but α_0(%g) = %g: the score −g_0/α_0 does not exist where α_0 = 0, so ε must vanish there (use EpsAlpha0, ε = E·α_0)", t, e, t, a[0])
		}
	}
	return nil
}

// SDEProblem is the stochastic generator on one batch, as IntegrateSDE
// hands it to an SDESolver: dX = f(t, X) dt + σ(t) dW.
type SDEProblem struct {
	e     *evaluator
	eps   Diffusion
	r     *rand.Rand
	rec   *recorder
	brk   []float64
	noise []float64
	hold  *Hold
}

// drift writes f(t, x) = b(t, x) + ε(t)·s(t, x) into dst and returns
// σ(t) = √(2ε(t)). With s = −g_0/α_0, f = Σ_k w_k g_k with w = α̇ − (ε/α_0)·e_0:
// one evaluation of the model.
func (s *SDEProblem) drift(dst []float64, t float64, x []float64, left bool) (float64, error) {
	e := s.e
	e.setTime(t, left)
	a0dot := e.w[0]
	eps := s.eps.Eps(t, e.alpha)
	if eps != 0 {
		if !(e.alpha[0] > 0) || math.IsNaN(eps) || eps < 0 {
			return 0, fmt.Errorf("path: diffusion ε(%g) = %g with α_0 = %g: the score is undefined", t, eps, e.alpha[0])
		}
		e.w[0] -= eps / e.alpha[0]
	}
	e.eval(dst, x, nil)
	s.hold.rate(dst, a0dot)
	return math.Sqrt(2 * eps), nil
}

// Drift writes f(t, x) = b(t, x) + ε(t)·s(t, x) into dst and returns the
// noise scale σ(t) = √(2ε(t)); one NFE. left is as for Problem.F. The
// error reports a schedule that is not zero where the score does not exist.
func (s *SDEProblem) Drift(dst []float64, t float64, x []float64, left bool) (sigma float64, err error) {
	return s.drift(dst, t, x, left)
}

// Noise draws the Brownian increments ΔW ~ N(0, h·I) of one step of size
// h, n·d numbers row after row from the random source of IntegrateSDE, and
// returns them in a buffer that the next call overwrites.
func (s *SDEProblem) Noise(h float64) []float64 {
	s.draw(h)
	return s.noise
}

// Breaks returns the times in (0, 1) where the drift may jump; a solver
// must end a step on each. The slice must not be modified.
func (s *SDEProblem) Breaks() []float64 { return s.brk }

// Grid returns the times i/steps, i = 0 … steps, merged with the breaks.
func (s *SDEProblem) Grid(steps int) []float64 { return grid(steps, s.brk) }

// Record stores the state x at time t in the trajectory of Options, if
// one was asked for: call it at t = 0 and after every step.
func (s *SDEProblem) Record(t float64, x []float64) { s.rec.record(t, x) }

// draw fills s.noise with ΔW ~ N(0, h·I), row after row, from s.r.
func (s *SDEProblem) draw(h float64) {
	sh := math.Sqrt(h)
	for i := range s.noise {
		s.noise[i] = sh * s.r.NormFloat64()
	}
	s.hold.still(s.noise)
}

// IntegrateSDE pushes the batch x (n rows of d numbers) in place from t = 0
// to t = 1 along the stochastic generator with noise schedule eps (see
// Diffusion): if X(0) ~ ρ(α(0)) then X(1) ~ ρ(α(1)), like the probability
// flow, but the noise corrects errors of the model instead of compounding
// them. eps is checked first with CheckDiffusion. The noise comes from r,
// n·d normal numbers per step in row order, so a seed reproduces the run
// whatever opts.Workers is.
func IntegrateSDE(ctx context.Context, v *Velocity, x []float64, eps Diffusion, s SDESolver, r *rand.Rand, opts *Options) (Stats, error) {
	if err := v.check(); err != nil {
		return Stats{}, err
	}
	if err := CheckDiffusion(v.p, eps); err != nil {
		return Stats{}, err
	}
	if r == nil {
		return Stats{}, fmt.Errorf("path: IntegrateSDE needs a random source")
	}
	n, rec, hold, err := v.batch(x, opts)
	if err != nil || n == 0 {
		return Stats{}, err
	}
	e := newEvaluator(v, n, opts.workers())
	defer e.close()
	pr := &SDEProblem{e: e, eps: eps, r: r, rec: rec, brk: breaksOf(v.p), noise: make([]float64, len(x)), hold: hold}
	holdAt(hold, v.p, x, 0)
	st, err := s.SolveSDE(ctx, pr, x)
	st.NFE = e.nfe
	if err == nil {
		holdAt(hold, v.p, x, 1)
	}
	return st, err
}

func (m EulerMaruyama) SolveSDE(ctx context.Context, s *SDEProblem, x []float64) (Stats, error) {
	if m.Steps < 1 {
		return Stats{}, fmt.Errorf("path: EulerMaruyama needs Steps ≥ 1, have %d", m.Steps)
	}
	ts := grid(m.Steps, s.brk)
	f := make([]float64, len(x))
	var st Stats
	s.rec.record(0, x)
	for i := 0; i+1 < len(ts); i++ {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		h := ts[i+1] - ts[i]
		sigma, err := s.drift(f, ts[i], x, false)
		if err != nil {
			return st, err
		}
		s.draw(h)
		for j := range x {
			x[j] += h*f[j] + sigma*s.noise[j]
		}
		st.Accepted++
		s.rec.record(ts[i+1], x)
	}
	return st, nil
}

func (m StochasticHeun) SolveSDE(ctx context.Context, s *SDEProblem, x []float64) (Stats, error) {
	if m.Steps < 1 {
		return Stats{}, fmt.Errorf("path: StochasticHeun needs Steps ≥ 1, have %d", m.Steps)
	}
	ts := grid(m.Steps, s.brk)
	f0, f1, xt := make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x))
	var st Stats
	s.rec.record(0, x)
	for i := 0; i+1 < len(ts); i++ {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		t0, t1 := ts[i], ts[i+1]
		h := t1 - t0
		sigma0, err := s.drift(f0, t0, x, false)
		if err != nil {
			return st, err
		}
		s.draw(h)
		for j := range x {
			xt[j] = x[j] + h*f0[j] + sigma0*s.noise[j]
		}
		sigma1, err := s.drift(f1, t1, xt, true)
		if err != nil {
			return st, err
		}
		sig := (sigma0 + sigma1) / 2
		for j := range x {
			x[j] += h/2*(f0[j]+f1[j]) + sig*s.noise[j]
		}
		st.Accepted++
		s.rec.record(t1, x)
	}
	return st, nil
}

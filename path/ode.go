package path

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
)

// Solver integrates dX/dt = b(t, X) over t ∈ [0, 1]: Euler, Heun, RK4,
// Dopri5, or one written outside this package (the Solver example writes
// the midpoint method in a few lines).
type Solver interface {
	// Solve integrates pr from y = y(0) at t = 0 to t = 1 in place,
	// evaluating the right-hand side only through pr.F. It lands on every
	// time of pr.Breaks, calls pr.Record at t = 0 and after every accepted
	// step, stops with ctx.Err() when ctx is done (leaving y at the last
	// completed step), and returns the accepted and rejected steps in Stats
	// (the caller fills in NFE). Invalid settings are an error.
	Solve(ctx context.Context, pr *Problem, y []float64) (Stats, error)
}

var (
	_ Solver = Euler{}
	_ Solver = Heun{}
	_ Solver = RK4{}
	_ Solver = Dopri5{}
)

// Stats reports the work of one integration.
type Stats struct {
	// NFE is the number of batch evaluations of the velocity field (see
	// Velocity); for Dopri5 it includes the evaluations of rejected steps
	// and the one that picks the initial step.
	NFE int
	// VJP is the number of batch vector–Jacobian products (likelihood
	// only): d per NFE with the exact trace, Probes per NFE with
	// Hutchinson's estimator.
	VJP int
	// Accepted is the number of steps taken (all steps of a fixed-step
	// solver); Rejected the steps Dopri5 retried with a smaller size.
	Accepted, Rejected int
}

// Add returns the sum of two Stats: the work of two integrations done one
// after the other on the same rows.
func (s Stats) Add(o Stats) Stats {
	return Stats{s.NFE + o.NFE, s.VJP + o.VJP, s.Accepted + o.Accepted, s.Rejected + o.Rejected}
}

// Max returns the element-wise larger of two Stats: the work each row saw
// when two batches of different rows were integrated independently (the
// chunks of a run). Summing them instead would report a fixed-step
// solver's 8 steps as 16 for a run of two chunks.
func (s Stats) Max(o Stats) Stats {
	return Stats{max(s.NFE, o.NFE), max(s.VJP, o.VJP), max(s.Accepted, o.Accepted), max(s.Rejected, o.Rejected)}
}

// Options are the settings shared by the integrators; a nil *Options means
// the defaults.
type Options struct {
	// Workers is the number of goroutines that share each evaluation of a
	// batch (contiguous chunks of whole blocks of 512 rows); 0 means
	// runtime.GOMAXPROCS(0). Results do not depend on it.
	Workers int
	// Trajectory, when not nil, records a few rows of the batch at t = 0 and
	// after every step.
	Trajectory *Trajectory
	// Hold, when not nil, pins coordinates of every row to a known course
	// (Integrate and IntegrateSDE; see Hold).
	Hold *Hold
}

func (o *Options) workers() int {
	if o == nil || o.Workers <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return o.Workers
}

func (o *Options) trajectory() *Trajectory {
	if o == nil {
		return nil
	}
	return o.Trajectory
}

// Trajectory records the paths of chosen samples through an integration,
// for plots. Set Rows; the integrator appends to T and X.
type Trajectory struct {
	// Rows are the indices of the samples to record.
	Rows []int
	// T holds the times recorded: 0 and the end of every accepted step.
	T []float64
	// X[s] holds the recorded rows at time T[s], len(Rows)·d numbers,
	// in the order of Rows.
	X [][]float64
}

// recorder appends rows of the state to a Trajectory.
type recorder struct {
	tr *Trajectory
	d  int
}

func newRecorder(tr *Trajectory, n, d int) (*recorder, error) {
	if tr == nil {
		return nil, nil
	}
	for _, r := range tr.Rows {
		if r < 0 || r >= n {
			return nil, fmt.Errorf("path: trajectory row %d outside the batch of %d samples", r, n)
		}
	}
	return &recorder{tr: tr, d: d}, nil
}

func (rc *recorder) record(t float64, y []float64) {
	if rc == nil {
		return
	}
	row := make([]float64, 0, len(rc.tr.Rows)*rc.d)
	for _, r := range rc.tr.Rows {
		row = append(row, y[r*rc.d:(r+1)*rc.d]...)
	}
	rc.tr.T = append(rc.tr.T, t)
	rc.tr.X = append(rc.tr.X, row)
}

// batch checks a run of v (checked already) from x with opts and returns
// the number n of rows of x, the recorder of the trajectory and the held
// values; n = 0 is a run with nothing to integrate.
func (v *Velocity) batch(x []float64, opts *Options) (n int, rec *recorder, hold *Hold, err error) {
	_, d := v.g.Sizes()
	if err := checkBatch(x, d); err != nil {
		return 0, nil, nil, err
	}
	n = len(x) / d
	if rec, err = newRecorder(opts.trajectory(), n, d); err != nil || n == 0 {
		return 0, nil, nil, err
	}
	hold = opts.hold()
	if err := hold.check(n, d); err != nil {
		return 0, nil, nil, err
	}
	return n, rec, hold, nil
}

// checkBatch returns an error unless x holds whole rows of dimension d.
func checkBatch(x []float64, d int) error {
	if len(x)%d != 0 {
		return fmt.Errorf("path: batch of %d numbers is not a whole number of rows of dimension %d", len(x), d)
	}
	return nil
}

// Problem is the ODE dy/dt = f(t, y) on [0, 1] that Integrate and
// LogLikelihood hand to a Solver. Its right-hand side may jump at the
// breaks of a Piecewise path; a solver reaches it only through the
// methods below.
type Problem struct {
	f      func(dst []float64, t float64, y []float64, left bool)
	breaks []float64
	rec    *recorder
}

// F writes f(t, y) into dst (len(dst) = len(y)); each call is one NFE of
// the whole batch. left selects the side of a break: a stage at the end of
// a step (t = the step's end) passes true, so that where the step ends on
// a break it sees the same piece of the path as the rest of the step;
// every other stage passes false.
func (pr *Problem) F(dst []float64, t float64, y []float64, left bool) { pr.f(dst, t, y, left) }

// Breaks returns the times in (0, 1), increasing, where f may jump; a
// solver must end a step on each. The slice must not be modified.
func (pr *Problem) Breaks() []float64 { return pr.breaks }

// Grid returns the times i/steps, i = 0 … steps, merged with the breaks:
// the step ends of a fixed-step solver.
func (pr *Problem) Grid(steps int) []float64 { return grid(steps, pr.breaks) }

// Record stores the state y at time t in the trajectory of Options, if
// one was asked for: call it at t = 0 and after every accepted step.
func (pr *Problem) Record(t float64, y []float64) { pr.rec.record(t, y) }

// Integrate pushes the batch x (n rows of d numbers, row-major) along the
// flow of v from t = 0 to t = 1 in place: on return x holds X(1). If
// X(0) ~ ρ(α(0)) then X(1) ~ ρ(α(1)) up to the solver's error and the
// model's. Each evaluation of the batch is split across opts.Workers
// goroutines; the result does not depend on the split.
//
// Steps land exactly on the breaks of a Piecewise path (in addition to the
// solver's own grid or step control), so a polyline is integrated at the
// solver's full order. On an error (a cancelled ctx, Dopri5 running out of
// steps) x holds the state at the last completed step.
func Integrate(ctx context.Context, v *Velocity, x []float64, s Solver, opts *Options) (Stats, error) {
	if err := v.check(); err != nil {
		return Stats{}, err
	}
	n, rec, hold, err := v.batch(x, opts)
	if err != nil || n == 0 {
		return Stats{}, err
	}
	e := newEvaluator(v, n, opts.workers())
	defer e.close()
	pr := &Problem{
		f: func(dst []float64, t float64, y []float64, left bool) {
			e.setTime(t, left)
			e.eval(dst, y, nil)
			hold.rate(dst, e.w[0])
		},
		breaks: breaksOf(v.p),
		rec:    rec,
	}
	holdAt(hold, v.p, x, 0)
	st, err := s.Solve(ctx, pr, x)
	st.NFE = e.nfe
	if err == nil {
		holdAt(hold, v.p, x, 1)
	}
	return st, err
}

// Euler is the explicit Euler method with Steps equal steps,
// X ← X + h·b(t, X): first order, one NFE per step.
type Euler struct{ Steps int }

// Heun is Heun's method (explicit trapezoid) with Steps equal steps:
// second order, two NFE per step.
type Heun struct{ Steps int }

// RK4 is the classical fourth-order Runge–Kutta method with Steps equal
// steps: four NFE per step.
type RK4 struct{ Steps int }

func (s Euler) Solve(ctx context.Context, pr *Problem, y []float64) (Stats, error) {
	return fixedSolve(ctx, pr, y, "Euler", s.Steps, 1)
}

func (s Heun) Solve(ctx context.Context, pr *Problem, y []float64) (Stats, error) {
	return fixedSolve(ctx, pr, y, "Heun", s.Steps, 2)
}

func (s RK4) Solve(ctx context.Context, pr *Problem, y []float64) (Stats, error) {
	return fixedSolve(ctx, pr, y, "RK4", s.Steps, 4)
}

// grid returns the times i/steps, i = 0 … steps, merged with the breaks. A
// grid time within 1e-12 of a break is replaced by the break, so that no
// step is vanishingly short.
func grid(steps int, breaks []float64) []float64 {
	ts := make([]float64, 0, steps+1+len(breaks))
	for i := 0; i <= steps; i++ {
		ts = append(ts, float64(i)/float64(steps))
	}
	for _, b := range breaks {
		i := sort.SearchFloat64s(ts, b)
		switch {
		case i < len(ts) && ts[i]-b <= 1e-12:
			ts[i] = b
		case i > 0 && b-ts[i-1] <= 1e-12:
			ts[i-1] = b
		default:
			ts = append(ts, 0)
			copy(ts[i+1:], ts[i:])
			ts[i] = b
		}
	}
	ts[0], ts[len(ts)-1] = 0, 1
	return ts
}

// fixedSolve takes the explicit Runge–Kutta steps of the given order
// (1 Euler, 2 Heun, 4 RK4) on the grid of Steps steps and the breaks.
// Stages at the end of a step evaluate from the left, so a step never sees
// the far side of a break.
func fixedSolve(ctx context.Context, pr *Problem, y []float64, name string, steps, order int) (Stats, error) {
	if steps < 1 {
		return Stats{}, fmt.Errorf("path: %s needs Steps ≥ 1, have %d", name, steps)
	}
	ts := grid(steps, pr.breaks)
	n := len(y)
	k := make([][]float64, order)
	for i := range k {
		k[i] = make([]float64, n)
	}
	tmp := make([]float64, n)
	var st Stats
	pr.rec.record(0, y)
	for i := 0; i+1 < len(ts); i++ {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		t0, t1 := ts[i], ts[i+1]
		h := t1 - t0
		switch order {
		case 1:
			pr.f(k[0], t0, y, false)
			axpy(y, h, k[0])
		case 2:
			pr.f(k[0], t0, y, false)
			lin(tmp, y, h, k[0])
			pr.f(k[1], t1, tmp, true)
			for j := range y {
				y[j] += h / 2 * (k[0][j] + k[1][j])
			}
		case 4:
			tm := t0 + h/2
			pr.f(k[0], t0, y, false)
			lin(tmp, y, h/2, k[0])
			pr.f(k[1], tm, tmp, false)
			lin(tmp, y, h/2, k[1])
			pr.f(k[2], tm, tmp, false)
			lin(tmp, y, h, k[2])
			pr.f(k[3], t1, tmp, true)
			for j := range y {
				y[j] += h / 6 * (k[0][j] + 2*k[1][j] + 2*k[2][j] + k[3][j])
			}
		}
		st.Accepted++
		pr.rec.record(t1, y)
	}
	return st, nil
}

// Dopri5 is the adaptive Dormand–Prince 5(4) method (Dormand & Prince 1980;
// Hairer, Nørsett & Wanner, Solving ODEs I, §II.5) with the
// first-same-as-last property: an accepted step costs six NFE, a rejected
// one six as well, plus one NFE for the initial step size.
//
// The local error estimate e (difference of the embedded 5th- and
// 4th-order solutions) is measured over the whole batch, as in torchdiffeq:
//
//	err = sqrt( mean_i ( e_i / (Atol + Rtol·max(|y_i|, |y_i'|)) )² )
//
// over all n·d numbers i, and a step is accepted when err ≤ 1. So the
// tolerances hold for the batch's root-mean-square error, and every sample
// takes the same steps (results do not depend on how the batch is split).
// The next step is h·min(facmax, max(0.2, 0.9·err^(−1/5))) with facmax = 10,
// or 1 right after a rejection.
type Dopri5 struct {
	// Atol and Rtol are the absolute and relative tolerances; 0 means 1e-5.
	Atol, Rtol float64
	// MaxSteps bounds accepted plus rejected steps; 0 means 10000.
	MaxSteps int
	// InitialStep is the first step size; 0 picks it automatically
	// (Hairer's algorithm, one NFE).
	InitialStep float64
}

// Dormand–Prince 5(4) tableau.
const (
	dpC2, dpC3, dpC4, dpC5 = 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9

	dpA21 = 1.0 / 5

	dpA31, dpA32 = 3.0 / 40, 9.0 / 40

	dpA41, dpA42, dpA43 = 44.0 / 45, -56.0 / 15, 32.0 / 9

	dpA51, dpA52, dpA53, dpA54 = 19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729

	dpA61, dpA62, dpA63, dpA64, dpA65 = 9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656

	// 5th-order weights (also the stage-7 row: FSAL).
	dpB1, dpB3, dpB4, dpB5, dpB6 = 35.0 / 384, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84

	// Error weights b − b̂ (5th minus embedded 4th order).
	dpE1, dpE3, dpE4, dpE5, dpE6, dpE7 = 71.0 / 57600, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40
)

func (s Dopri5) Solve(ctx context.Context, pr *Problem, y []float64) (Stats, error) {
	atol, rtol, maxSteps, err := s.settings()
	if err != nil {
		return Stats{}, err
	}
	n := len(y)
	var k [7][]float64
	for i := range k {
		k[i] = make([]float64, n)
	}
	tmp, ynew := make([]float64, n), make([]float64, n)
	ends := append(append([]float64(nil), pr.breaks...), 1)

	var st Stats
	t := 0.0
	pr.rec.record(0, y)
	pr.f(k[0], t, y, false)
	h := s.InitialStep
	if h == 0 {
		h = initialStep(pr, y, k[0], tmp, ynew, ends[0], atol, rtol)
	}
	facmax := 10.0
	for _, end := range ends {
		for t < end {
			if err := ctx.Err(); err != nil {
				return st, err
			}
			if st.Accepted+st.Rejected >= maxSteps {
				return st, fmt.Errorf("path: Dopri5 took MaxSteps = %d steps and reached only t = %g", maxSteps, t)
			}
			last := t+1.01*h >= end
			tn := t + h
			if last {
				h, tn = end-t, end
			}
			if h <= 1e-14 {
				return st, fmt.Errorf("path: Dopri5 step size underflow (%g) at t = %g", h, t)
			}
			errNorm := dopriStep(pr, &k, y, tmp, ynew, t, h, tn, atol, rtol)
			if math.IsNaN(errNorm) {
				return st, fmt.Errorf("path: Dopri5 met a non-finite velocity at t = %g", t)
			}
			fac := facmax // the error vanished: grow as much as allowed
			if errNorm > 0 {
				fac = math.Max(0.2, 0.9*math.Pow(errNorm, -0.2))
			}
			if errNorm <= 1 {
				st.Accepted++
				copy(y, ynew)
				t = tn
				k[0], k[6] = k[6], k[0] // first same as last
				if last && end < 1 {
					// The last stage saw α̇ from the left of the break;
					// the next step starts on its right.
					pr.f(k[0], t, y, false)
				}
				pr.rec.record(t, y)
				h *= math.Min(facmax, fac)
				facmax = 10
			} else {
				st.Rejected++
				h *= math.Min(1, fac)
				facmax = 1
			}
		}
	}
	return st, nil
}

// MinRtol is the smallest relative tolerance Dopri5 accepts: 100 rounding
// units of float64. Below it the rounding of a step is larger than the
// error allowed, so the step size shrinks until it underflows (and
// tolerances near 1e-160 overflowed the error norms into NaN).
const MinRtol = 100 * 0x1p-52

// settings returns the tolerances and the step limit with their defaults
// filled in, or an error for values no run can use.
func (s Dopri5) settings() (atol, rtol float64, maxSteps int, err error) {
	atol, rtol, maxSteps = s.Atol, s.Rtol, s.MaxSteps
	if atol == 0 {
		atol = 1e-5
	}
	if rtol == 0 {
		rtol = 1e-5
	}
	if maxSteps == 0 {
		maxSteps = 10000
	}
	if !(atol > 0) || !(rtol > 0) || maxSteps < 0 || !(s.InitialStep >= 0) {
		return 0, 0, 0, fmt.Errorf("path: Dopri5 needs positive tolerances and step limits, have Atol %g, Rtol %g, MaxSteps %d, InitialStep %g", s.Atol, s.Rtol, s.MaxSteps, s.InitialStep)
	}
	if rtol < MinRtol {
		return 0, 0, 0, fmt.Errorf("path: Dopri5 Rtol %g is below %g (100 float64 rounding units): no step can meet it", rtol, MinRtol)
	}
	return atol, rtol, maxSteps, nil
}

// dopriStep tries one Dormand–Prince step of size h from (t, y) to tn,
// with k[0] = f(t, y) given: it leaves the 5th-order solution in ynew,
// the stages in k[1…6] (k[6] = f(tn, ynew), the next step's k[0]) and
// returns the scaled RMS error estimate (accept when ≤ 1). The stages at
// tn evaluate from the left of a break.
func dopriStep(pr *Problem, k *[7][]float64, y, tmp, ynew []float64, t, h, tn, atol, rtol float64) float64 {
	for j := range y {
		tmp[j] = y[j] + h*dpA21*k[0][j]
	}
	pr.f(k[1], t+dpC2*h, tmp, false)
	for j := range y {
		tmp[j] = y[j] + h*(dpA31*k[0][j]+dpA32*k[1][j])
	}
	pr.f(k[2], t+dpC3*h, tmp, false)
	for j := range y {
		tmp[j] = y[j] + h*(dpA41*k[0][j]+dpA42*k[1][j]+dpA43*k[2][j])
	}
	pr.f(k[3], t+dpC4*h, tmp, false)
	for j := range y {
		tmp[j] = y[j] + h*(dpA51*k[0][j]+dpA52*k[1][j]+dpA53*k[2][j]+dpA54*k[3][j])
	}
	pr.f(k[4], t+dpC5*h, tmp, false)
	for j := range y {
		tmp[j] = y[j] + h*(dpA61*k[0][j]+dpA62*k[1][j]+dpA63*k[2][j]+dpA64*k[3][j]+dpA65*k[4][j])
	}
	pr.f(k[5], tn, tmp, true)
	for j := range y {
		ynew[j] = y[j] + h*(dpB1*k[0][j]+dpB3*k[2][j]+dpB4*k[3][j]+dpB5*k[4][j]+dpB6*k[5][j])
	}
	pr.f(k[6], tn, ynew, true)
	sum := 0.0
	for j := range y {
		e := h * (dpE1*k[0][j] + dpE3*k[2][j] + dpE4*k[3][j] + dpE5*k[4][j] + dpE6*k[5][j] + dpE7*k[6][j])
		sc := atol + rtol*math.Max(math.Abs(y[j]), math.Abs(ynew[j]))
		sum += (e / sc) * (e / sc)
	}
	return math.Sqrt(sum / float64(len(y)))
}

// initialStep is Hairer's starting step size (Solving ODEs I, §II.4): an
// explicit Euler step of size h0 = 0.01·|y|/|f| probes the second
// derivative, and h = min(100·h0, (0.01/max(|f|, |f'|))^(1/5)). f0 holds
// f(0, y); tmp and f1 are scratch. The result is at most end, the first
// break.
func initialStep(pr *Problem, y, f0, tmp, f1 []float64, end, atol, rtol float64) float64 {
	var d0, d1 float64
	for j := range y {
		sc := atol + rtol*math.Abs(y[j])
		d0 += (y[j] / sc) * (y[j] / sc)
		d1 += (f0[j] / sc) * (f0[j] / sc)
	}
	n := float64(len(y))
	d0, d1 = math.Sqrt(d0/n), math.Sqrt(d1/n)
	h0 := 1e-6
	if d0 >= 1e-5 && d1 >= 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	if !(h0 > 0) || math.IsInf(h0, 0) {
		h0 = 1e-6 // norms overflowed by a tiny atol: start small
	}
	h0 = math.Min(h0, end)
	lin(tmp, y, h0, f0)
	pr.f(f1, h0, tmp, h0 == end)
	d2 := 0.0
	for j := range y {
		sc := atol + rtol*math.Abs(y[j])
		d2 += ((f1[j] - f0[j]) / sc) * ((f1[j] - f0[j]) / sc)
	}
	d2 = math.Sqrt(d2/n) / h0
	var h1 float64
	if m := math.Max(d1, d2); m <= 1e-15 {
		h1 = math.Max(1e-6, h0*1e-3)
	} else {
		h1 = math.Pow(0.01/m, 0.2)
	}
	if !(h1 > 0) {
		h1 = h0 // d2 overflowed (NaN or +Inf): no better guess
	}
	return math.Min(math.Min(100*h0, h1), end)
}

// axpy sets y += a·x.
func axpy(y []float64, a float64, x []float64) {
	for i := range y {
		y[i] += a * x[i]
	}
}

// lin sets dst = y + a·x.
func lin(dst, y []float64, a float64, x []float64) {
	for i := range dst {
		dst[i] = y[i] + a*x[i]
	}
}

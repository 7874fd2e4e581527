package pathopt

import (
	"context"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/optimize"

	"github.com/mmi-go/mmi/path"
)

// Progress is one report of an optimization run.
type Progress struct {
	// Iter is the major iteration (0 for the straight path).
	Iter int
	// Cost is the estimate at the current point, in data units, and
	// StdErr its standard error.
	Cost, StdErr float64
	// GradNorm is the Euclidean norm of the gradient with respect to the
	// parameters.
	GradNorm float64
}

// Recorder receives progress reports; the library never prints. A command
// line prints them to stderr.
type Recorder interface {
	Record(Progress)
}

// RecorderFunc adapts a function to Recorder.
type RecorderFunc func(Progress)

// Record calls f(p).
func (f RecorderFunc) Record(p Progress) { f(p) }

// Settings configures Optimize. A zero field means the documented default;
// a nil *Settings means all defaults.
type Settings struct {
	// Iters is the maximum number of major iterations of L-BFGS; 0 means
	// 100. The run also stops after 3·Iters + 10 evaluations of the cost
	// and its gradient (line searches included).
	Iters int
	// GradTol stops when the largest gradient entry falls below it, in
	// data units; 0 means 1e-7 times the straight path's cost.
	GradTol float64
	// FuncTol stops when five iterations in a row lower the cost by less
	// than it each, in data units; 0 means 5 % of the straight path's
	// standard error: gains far below the Monte Carlo error of the
	// estimate are not worth the time, as they do not carry over to
	// other draws.
	FuncTol float64
	// Recorder receives a report at every major iteration; nil means none.
	Recorder Recorder
}

// Result is the outcome of Optimize.
type Result struct {
	// Path is the best path found (a *Sine on the simplex, a *BallSine on
	// a ball) and Theta its parameters.
	Path  path.Path
	Theta []float64
	// Straight is the estimate at θ = 0 (the polyline through the
	// points), Optimized at Theta, on the same draws.
	Straight, Optimized Estimate
	// Iters counts major iterations, Evals cost-and-gradient evaluations.
	Iters, Evals int
	// Seconds is the wall-clock time.
	Seconds float64
	// Status is gonum's termination status ("GradientThreshold",
	// "IterationLimit", …) or "Canceled".
	Status string
}

// Optimize minimizes the estimated transport cost over the family f with
// L-BFGS (gonum/optimize), from θ = 0, the polyline through f.Points.
// The objective is e's estimate on its fixed draws: deterministic,
// continuous, and smooth except where the path's set of non-zero
// coordinates changes, so a quasi-Newton method with a line search
// applies; its gradient is CostGrad. A line search that fails (at such a
// change, or where the estimate is flat to rounding) restarts L-BFGS from
// the best point while that gains, at most maxRestarts times.
//
// On a ball the objective adds a penalty that keeps the search inside
// f.Domain (ballPenalty), and only paths inside it (path.CheckIn, within
// simplex.Tol) can become the best path, so the result always is a path
// the model may run.
//
// It returns the best point evaluated, never worse than the straight path.
// When ctx is canceled it stops at the next evaluation and returns the
// best path so far together with ctx's error; other failures of the line
// search end the run the same way with Status naming them and a nil error.
func Optimize(ctx context.Context, e *Estimator, f *Family, s *Settings) (*Result, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	eval := func(x, grad []float64) (Estimate, error) { return e.CostGrad(f, x, grad) }
	var feasible func(x []float64) bool
	if f.onBall() {
		st, err := e.CostGrad(f, make([]float64, f.Dim()), make([]float64, f.Dim()))
		if err != nil {
			return nil, err
		}
		eval = func(x, grad []float64) (Estimate, error) { return e.ballCostGrad(f, x, grad, st.Cost) }
		feasible = func(x []float64) bool {
			p, err := f.Path(x)
			return err == nil && path.CheckIn(p, f.Domain) == nil
		}
	}
	res, err := minimize(ctx, f.Dim(), eval, feasible, s)
	if res == nil {
		return nil, err
	}
	res.Path, _ = f.Path(res.Theta)
	return res, err
}

// minimize runs the L-BFGS of Optimize on any objective eval (cost and
// gradient at θ) of dim parameters from θ = 0. When feasible is not nil
// only points it accepts can become the best point. It fills every field
// of Result but Path.
func minimize(ctx context.Context, dim int, eval func(x, grad []float64) (Estimate, error), feasible func(x []float64) bool, s *Settings) (*Result, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	if set.Iters == 0 {
		set.Iters = 100
	}
	if set.Iters < 0 {
		return nil, fmt.Errorf("pathopt: %d iterations", set.Iters)
	}
	start := time.Now()
	theta0 := make([]float64, dim)
	grad0 := make([]float64, dim)
	straight, err := eval(theta0, grad0)
	if err != nil {
		return nil, err
	}
	res := &Result{Theta: theta0, Straight: straight, Optimized: straight, Evals: 1}
	if set.GradTol == 0 {
		set.GradTol = 1e-7 * math.Max(straight.Cost, 1e-300)
	}
	if set.FuncTol == 0 {
		set.FuncTol = 0.05 * straight.StdErr
	}

	// gonum calls Func and Grad separately at the same point; one
	// evaluation serves both.
	var (
		lastX    []float64
		lastEst  Estimate
		lastGrad = make([]float64, dim)
		evalErr  error
	)
	evaluate := func(x []float64) {
		if lastX != nil && equal(lastX, x) {
			return
		}
		if ctx.Err() != nil {
			evalErr = ctx.Err()
			lastX, lastEst = append(lastX[:0], x...), Estimate{Cost: math.NaN()}
			return
		}
		est, err := eval(x, lastGrad)
		res.Evals++
		if err != nil {
			evalErr = err
			est.Cost = math.NaN()
		}
		lastX, lastEst = append(lastX[:0], x...), est
		if est.Cost < res.Optimized.Cost && (feasible == nil || feasible(x)) {
			res.Optimized = est
			res.Theta = append([]float64(nil), x...)
		}
	}
	prob := optimize.Problem{
		Func: func(x []float64) float64 { evaluate(x); return lastEst.Cost },
		Grad: func(g, x []float64) { evaluate(x); copy(g, lastGrad) },
		Status: func() (optimize.Status, error) {
			if evalErr != nil {
				return optimize.Failure, evalErr
			}
			return optimize.NotTerminated, nil
		},
	}
	rec := &gonumRecorder{r: set.Recorder, est: &lastEst}
	for restart := 0; ; restart++ {
		rec.skip = restart > 0 // the start point was reported already
		settings := &optimize.Settings{
			MajorIterations:   set.Iters - res.Iters + 1, // gonum counts the start point
			FuncEvaluations:   max(1, 3*set.Iters+10-res.Evals),
			GradientThreshold: set.GradTol,
			Converger:         &optimize.FunctionConverge{Absolute: set.FuncTol, Relative: 1e-9, Iterations: 5},
			Recorder:          rec,
		}
		before := res.Optimized.Cost
		var r *optimize.Result
		r, err = optimize.Minimize(prob, append([]float64(nil), res.Theta...), settings, &optimize.LBFGS{})
		res.Iters = rec.iters
		if r != nil {
			res.Status = r.Status.String()
		}
		if ctx.Err() != nil || evalErr != nil || err == nil {
			break
		}
		// The line search failed: where the estimate is flat to rounding,
		// or where the quasi-Newton memory is poor after the path's
		// active set changed. Restart from the best point with a fresh
		// memory while that still gains.
		res.Status = err.Error()
		err = nil
		if restart == maxRestarts || res.Iters >= set.Iters || res.Evals >= 3*set.Iters+10 || !(res.Optimized.Cost < before*(1-1e-9)) {
			break
		}
	}
	if ctx.Err() != nil {
		res.Status = "Canceled"
		err = ctx.Err()
	}
	res.Seconds = time.Since(start).Seconds()
	return res, err
}

// maxRestarts bounds the restarts of L-BFGS after failed line searches.
const maxRestarts = 5

// gonumRecorder forwards gonum's major iterations to a Recorder.
type gonumRecorder struct {
	r     Recorder
	est   *Estimate
	iters int  // major iterations after the start point
	first bool // the next major iteration is a run's start point
	skip  bool // do not report the start point (a restart)
}

func (g *gonumRecorder) Init() error { g.first = true; return nil }

func (g *gonumRecorder) Record(loc *optimize.Location, op optimize.Operation, _ *optimize.Stats) error {
	if op != optimize.MajorIteration {
		return nil
	}
	// gonum reports the start point as the first major iteration of
	// every run; it is iteration 0 of the first run and not reported
	// again after a restart.
	if g.first {
		g.first = false
		if g.skip {
			return nil
		}
	} else {
		g.iters++
	}
	if g.r != nil {
		g.r.Record(Progress{Iter: g.iters, Cost: loc.F, StdErr: g.est.StdErr, GradNorm: norm(loc.Gradient)})
	}
	return nil
}

func norm(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

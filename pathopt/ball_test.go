package pathopt

import (
	"context"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/optimize"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// diagGauss describes independent axis-aligned Gaussian marginals
// ρ_k = N(mu[k], diag(v[k])), k = 0 … K (mu[0] = 0, v[0] = 1: the noise).
// For them the transport cost of any path has a closed form: x(α) is
// Gaussian with mean m = Σ α_k μ_k and per-axis variance
// V_a = Σ_k α_k² v_{k,a}, the velocity field is linear, and
//
//	C[α] = ∫ |ṁ|² dt + Σ_a ∫ (d/dt √V_a)² dt,
//	d√V_a/dt = Σ_k α_k α̇_k v_{k,a} / √V_a .
type diagGauss struct {
	mu, v [][]float64
}

func (g diagGauss) mixtures(t *testing.T) []*marginals.Mixture {
	var out []*marginals.Mixture
	for k := 1; k < len(g.mu); k++ {
		d := len(g.mu[k])
		cov := make([]float64, d*d)
		for a := 0; a < d; a++ {
			cov[a*d+a] = g.v[k][a]
		}
		out = append(out, single(gauss(t, g.mu[k], cov...)))
	}
	return out
}

// rate returns the integrand of C at α, α̇.
func (g diagGauss) rate(a, da []float64) float64 {
	d := len(g.mu[0])
	c := 0.0
	for ax := 0; ax < d; ax++ {
		m, v, dv := 0.0, 0.0, 0.0
		for k := range a {
			m += da[k] * g.mu[k][ax]
			v += a[k] * a[k] * g.v[k][ax]
			dv += a[k] * da[k] * g.v[k][ax]
		}
		c += m*m + dv*dv/v
	}
	return c
}

// cost integrates the closed form along p: composite Gauss–Legendre, 64
// panels of 8 nodes (p smooth; exact to ~1e-10 for the paths here).
func (g diagGauss) cost(p path.Path) float64 {
	n := p.Len()
	a, da := make([]float64, n), make([]float64, n)
	const panels = 64
	x, w := make([]float64, 8), make([]float64, 8)
	quad.Legendre{}.FixedLocations(x, w, 0, 1)
	c := 0.0
	for j := 0; j < panels; j++ {
		for q := range x {
			t := (float64(j) + x[q]) / panels
			p.Alpha(a, t)
			p.AlphaDot(da, t)
			c += w[q] / panels * g.rate(a, da)
		}
	}
	return c
}

// w2 returns W2² between the noise and marginal k, or between i and j:
// |Δμ|² + Σ_a (√v_i − √v_j)² for axis-aligned Gaussians.
func (g diagGauss) w2(i, j int) float64 {
	c := 0.0
	for a := range g.mu[0] {
		dm := g.mu[i][a] - g.mu[j][a]
		ds := math.Sqrt(g.v[i][a]) - math.Sqrt(g.v[j][a])
		c += dm*dm + ds*ds
	}
	return c
}

// bestSchedule solves the variational problem min C over two-coordinate
// paths (α_i, α_j) from e_i to e_j independently of pathopt: the values at
// the interior nodes of a uniform grid of m intervals are the unknowns,
// the cost is the closed form discretized with forward differences,
//
//	C_m = Σ_j [ |m_{j+1} − m_j|² + Σ_a (s_{a,j+1} − s_{a,j})² ] / Δt,  s_a = √V_a,
//
// and gonum's L-BFGS minimizes it with its exact gradient. By
// Cauchy–Schwarz C_m of a path's node values is at most its C, so the
// minimum of C_m approaches the infimum of C from below as m grows. With
// onSimplex the path is held to α_i + α_j = 1 (one unknown per node): the
// best time reparameterization of the straight edge.
func (g diagGauss) bestSchedule(t *testing.T, i, j, m int, onSimplex bool) float64 {
	t.Helper()
	d, dt := len(g.mu[0]), 1/float64(m)
	n := m - 1
	unpack := func(x []float64, ai, aj []float64) {
		ai[0], aj[0], ai[m], aj[m] = 1, 0, 0, 1
		for q := 1; q < m; q++ {
			if onSimplex {
				ai[q], aj[q] = 1-x[q-1], x[q-1]
			} else {
				ai[q], aj[q] = x[q-1], x[n+q-1]
			}
		}
	}
	ai, aj := make([]float64, m+1), make([]float64, m+1)
	s := make([]float64, m+1)
	mean := make([]float64, m+1)
	fg := func(x, grad []float64) float64 {
		unpack(x, ai, aj)
		gi, gj := make([]float64, m+1), make([]float64, m+1)
		c := 0.0
		for ax := 0; ax < d; ax++ {
			for q := 0; q <= m; q++ {
				mean[q] = ai[q]*g.mu[i][ax] + aj[q]*g.mu[j][ax]
				s[q] = math.Sqrt(ai[q]*ai[q]*g.v[i][ax] + aj[q]*aj[q]*g.v[j][ax])
			}
			for q := 0; q < m; q++ {
				dm, ds := mean[q+1]-mean[q], s[q+1]-s[q]
				c += (dm*dm + ds*ds) / dt
				for _, e := range []struct {
					r    int
					sign float64
				}{{q + 1, 1}, {q, -1}} {
					r := e.r
					f := 2 * e.sign / dt
					gi[r] += f * (dm*g.mu[i][ax] + ds*ai[r]*g.v[i][ax]/s[r])
					gj[r] += f * (dm*g.mu[j][ax] + ds*aj[r]*g.v[j][ax]/s[r])
				}
			}
		}
		if grad != nil {
			for q := 1; q < m; q++ {
				if onSimplex {
					grad[q-1] = gj[q] - gi[q]
				} else {
					grad[q-1], grad[n+q-1] = gi[q], gj[q]
				}
			}
		}
		return c
	}
	dim := 2 * n
	if onSimplex {
		dim = n
	}
	x0 := make([]float64, dim)
	for q := 1; q < m; q++ {
		tq := float64(q) * dt
		if onSimplex {
			x0[q-1] = tq
		} else {
			x0[q-1], x0[n+q-1] = 1-tq, tq
		}
	}
	prob := optimize.Problem{
		Func: func(x []float64) float64 { return fg(x, nil) },
		Grad: func(grad, x []float64) { fg(x, grad) },
	}
	res, err := optimize.Minimize(prob, x0, &optimize.Settings{GradientThreshold: 1e-10, MajorIterations: 20000, FuncEvaluations: 100000}, &optimize.LBFGS{})
	if err != nil {
		t.Fatalf("variational problem: %v", err)
	}
	return res.F
}

// payoff is a 2-D Gaussian target with a mean and an anisotropic
// covariance, N((1.5, 0), diag(0.09, 0.5)), reached from N(0, I). Solved
// with 400 intervals: W2² = 2.7521; the best schedule off the simplex is
// 1.8 % above it, the best path on the simplex (a time reparameterization
// of the straight edge) 14.3 % above.
var payoff = diagGauss{
	mu: [][]float64{{0, 0}, {1.5, 0}},
	v:  [][]float64{{1, 1}, {0.09, 0.5}},
}

// crossed are two centred 2-D Gaussians crossed along different axes,
// diag(2.25, 0.25) and diag(0.25, 2.25) (marginals 1 and 2; the noise is
// marginal 0). Along the path (α_1, α_2) on which each standard deviation
// moves linearly from 1.5 to 0.5 or back (it exists: two unknowns, two
// equations) the cost is exactly W2² = 2.
var crossed = diagGauss{
	mu: [][]float64{{0, 0}, {0, 0}, {0, 0}},
	v:  [][]float64{{1, 1}, {2.25, 0.25}, {0.25, 2.25}},
}

// TestBallVariational checks the independent solver against the payoff
// the schedule issue states: the best schedule off the simplex within a
// few per cent of W2², the best simplex path about 15 % above; and for
// data → data the best ball path at W2² itself (within the discretization,
// 0.1 %) while the best simplex path is well above.
func TestBallVariational(t *testing.T) {
	w2 := payoff.w2(0, 1)
	ball := payoff.bestSchedule(t, 0, 1, 400, false)
	simp := payoff.bestSchedule(t, 0, 1, 400, true)
	t.Logf("noise → N(μ, Σ): W2² %.5f, best ball schedule %.5f (%+.2f %%), best simplex path %.5f (%+.2f %%)", w2, ball, 100*(ball/w2-1), simp, 100*(simp/w2-1))
	if !(ball > w2 && ball < 1.03*w2) {
		t.Errorf("best ball schedule %.5f, want within 3 %% above W2² = %.5f", ball, w2)
	}
	if !(simp > 1.12*w2 && simp < 1.18*w2) {
		t.Errorf("best simplex path %.5f, want 12–18 %% above W2² = %.5f", simp, w2)
	}
	w2 = crossed.w2(1, 2)
	ball = crossed.bestSchedule(t, 1, 2, 400, false)
	simp = crossed.bestSchedule(t, 1, 2, 400, true)
	t.Logf("1 → 2 crossed: W2² %.5f, best ball path %.5f (%+.2f %%), best simplex path %.5f (%+.2f %%)", w2, ball, 100*(ball/w2-1), simp, 100*(simp/w2-1))
	if math.Abs(ball/w2-1) > 1e-3 {
		t.Errorf("best ball path %.5f, want W2² = %.5f within 0.1 %%", ball, w2)
	}
	if !(simp > 1.1*w2) {
		t.Errorf("best simplex path %.5f, want well above W2² = %.5f", simp, w2)
	}
}

// TestOptimizeBallOracle runs Optimize with a ball family on the exact
// oracle with its Monte Carlo estimate and measures the result with the
// closed form: it must come within 1 % of the independent variational
// optimum, for noise
// → the payoff target and for data → data between the crossed Gaussians.
// (The estimate's noise moves the optimizer's end point, but the cost is
// flat to second order at the optimum: with N = 256 draws and a standard
// error of 5 % the closed-form cost of the result is within 0.1 % of the
// family's best.) The family's own best, found on the closed form
// directly, is 0.60 % above the optimum with 16 modes for the payoff
// target; for the crossed pair it is 3.3 % with 8 modes, 0.90 % with 32:
// the crossed optimum's ends go like √t (each standard deviation moving
// linearly), which a sine series resolves slowly, so that case uses 48
// modes (0.63–0.67 % for seeds 3, 4, 5; 9–17 s on the shared machine,
// skipped with -short).
// MMI_LONG=1 adds the 8-mode case against the family's best;
// MMI_SEED sets the seed of the draws.
func TestOptimizeBallOracle(t *testing.T) {
	long := os.Getenv("MMI_LONG") != ""
	seed := uint64(3)
	if s := os.Getenv("MMI_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	for _, tc := range []struct {
		name          string
		g             diagGauss
		i, j          int
		modes, nodes  int
		n             int
		againstFamily bool
		long          bool
	}{
		{"noise→target", payoff, 0, 1, 16, 32, 1024, false, false},
		{"1→2 crossed, 48 modes", crossed, 1, 2, 48, 96, 256, false, false},
		{"1→2 crossed, 8 modes", crossed, 1, 2, 8, 24, 1024, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.long && !long {
				t.Skip("MMI_LONG=1 runs it")
			}
			if tc.modes > 16 && testing.Short() {
				t.Skip("seconds: skipped with -short")
			}
			o, c := oracleSetup(t, tc.g.mixtures(t))
			e := estimator(t, o, c, seed, &EstimatorSettings{N: tc.n, Nodes: tc.nodes})
			k1 := len(tc.g.mu)
			f := &Family{Points: [][]float64{simplex.Vertex(k1, tc.i), simplex.Vertex(k1, tc.j)}, Modes: tc.modes, Domain: cond.DomainOf(o)}
			res, err := Optimize(context.Background(), e, f, &Settings{Iters: 300, FuncTol: 1e-7})
			if err != nil {
				t.Fatal(err)
			}
			best := tc.g.bestSchedule(t, tc.i, tc.j, 400, false)
			what := "the variational optimum"
			if tc.againstFamily {
				best = tc.g.bestInFamily(t, f)
				what = "the family's best (closed form)"
			}
			got := tc.g.cost(res.Path)
			straight, _ := path.Segment(f.Points[0], f.Points[1])
			t.Logf("straight %.5f (closed form %.5f); optimized estimate %.5f ± %.3f, closed form %.5f; %s %.5f (%+.2f %%); %d iterations, %s",
				res.Straight.Cost, tc.g.cost(straight), res.Optimized.Cost, res.Optimized.StdErr, got, what, best, 100*(got/best-1), res.Iters, res.Status)
			if math.Abs(got/best-1) > 0.01 {
				t.Errorf("optimized path costs %.5f, want within 1 %% of %s %.5f", got, what, best)
			}
			if err := path.CheckIn(res.Path, f.Domain); err != nil {
				t.Error(err)
			}
		})
	}
}

// bestInFamily minimizes the closed-form cost over f's paths (L-BFGS,
// finite-difference gradient): what the optimizer could at best reach in
// the family, with no Monte Carlo error.
func (g diagGauss) bestInFamily(t *testing.T, f *Family) float64 {
	fn := func(x []float64) float64 {
		p, err := f.Path(x)
		if err != nil {
			t.Fatal(err)
		}
		return g.cost(p)
	}
	prob := optimize.Problem{Func: fn, Grad: func(gr, x []float64) { fd.Gradient(gr, fn, x, nil) }}
	// A line search that fails near the minimum (finite-difference
	// gradients are noisy at the 1e-8 level) still leaves its best point.
	r, err := optimize.Minimize(prob, make([]float64, f.Dim()), nil, &optimize.LBFGS{})
	if r == nil {
		t.Fatal(err)
	}
	return r.F
}

// TestTrigOracle checks the trigonometric path e_0 → e_1 against the
// closed form: its Monte Carlo cost on the exact oracle within 3 standard
// errors of ∫ (|μ|² α̇_1² + Σ_a (d√V_a/dt)²) dt, and the samples it
// generates (RK4, 100 steps) with the target's mean and variances within
// 4 standard errors (4000 points). A path evaluated on the wrong side of
// the domain check, or a velocity that assumed Σα = 1, fails both.
func TestTrigOracle(t *testing.T) {
	o, c := oracleSetup(t, payoff.mixtures(t))
	p, err := path.Trig(2, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := payoff.cost(p)
	e := estimator(t, o, c, 5, &EstimatorSettings{N: 4096, Nodes: 24})
	got, err := e.Cost(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trig cost: estimate %.5f ± %.5f, closed form %.5f", got.Cost, got.StdErr, want)
	if math.Abs(got.Cost-want) > 3*got.StdErr {
		t.Errorf("trig cost %.5f ± %.5f, closed form %.5f", got.Cost, got.StdErr, want)
	}
	// Generation from noise lands on N((1.5, 0), diag(0.09, 0.5)).
	v, err := path.NewVelocity(o, p)
	if err != nil {
		t.Fatal(err)
	}
	const n = 4000
	x := make([]float64, 2*n)
	r := newRand(7)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	z := append([]float64(nil), x...)
	if _, err := path.Integrate(context.Background(), v, x, path.RK4{Steps: 100}, nil); err != nil {
		t.Fatal(err)
	}
	checkMoments(t, "ODE", x)
	// The SDE with ε = α_0 (α_0 > 0 until t = 1) lands there too.
	xs := append([]float64(nil), z...)
	if _, err := path.IntegrateSDE(context.Background(), v, xs, path.EpsAlpha0(1), path.EulerMaruyama{Steps: 400}, newRand(8), nil); err != nil {
		t.Fatal(err)
	}
	checkMoments(t, "SDE", xs)
	// The likelihood along the trig path: log ρ_1 of the end points,
	// exact trace, against the oracle's closed-form density, 200 points.
	zl := z[:400]
	logp0 := make([]float64, 200)
	for i := range logp0 {
		logp0[i] = path.StdNormalLogDensity(zl[2*i : 2*i+2])
	}
	xl := append([]float64(nil), zl...)
	ll, _, err := path.LogLikelihood(context.Background(), v, xl, logp0, path.RK4{Steps: 200}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i, l := range ll {
		worst = math.Max(worst, math.Abs(l-o.LogDensity([]float64{0, 1}, xl[2*i:2*i+2])))
	}
	// RK4 with 200 steps integrates the divergence to ~1e-6; a sign
	// error or a missing term is O(1).
	if worst > 1e-4 {
		t.Errorf("trig log-likelihood: largest error %.2g against the exact density", worst)
	}
}

// checkMoments compares the mean and variances of 2-D samples with the
// payoff target N((1.5, 0), diag(0.09, 0.5)) within 4 standard errors.
func checkMoments(t *testing.T, what string, x []float64) {
	t.Helper()
	n := len(x) / 2
	for a := 0; a < 2; a++ {
		m, s2 := 0.0, 0.0
		for i := 0; i < n; i++ {
			m += x[2*i+a]
		}
		m /= float64(n)
		for i := 0; i < n; i++ {
			s2 += (x[2*i+a] - m) * (x[2*i+a] - m)
		}
		s2 /= float64(n - 1)
		vt := payoff.v[1][a]
		// Standard errors: of the mean √(v/n), of the variance v√(2/n).
		if math.Abs(m-payoff.mu[1][a]) > 4*math.Sqrt(vt/float64(n)) || math.Abs(s2-vt) > 4*vt*math.Sqrt(2/float64(n)) {
			t.Errorf("%s, axis %d: generated mean %.4f variance %.4f, target %.4f and %.4f", what, a, m, s2, payoff.mu[1][a], vt)
		}
	}
}

// ballCostGrad's gradient is the gradient of its estimate plus penalty:
// central finite differences at a point where coordinates dip below 0 and
// |α| leaves a ball of radius 1, so both penalty terms are active. Then
// Optimize on a target that wants |α| > 1 (variance 4 along one axis)
// inside that ball returns a path that stays in it.
func TestBallCostGradFD(t *testing.T) {
	wide := diagGauss{mu: [][]float64{{0, 0}, {0.5, 0}}, v: [][]float64{{1, 1}, {4, 0.25}}}
	o, c := oracleSetup(t, wide.mixtures(t))
	e := estimator(t, o, c, 9, &EstimatorSettings{N: 256, Nodes: 12})
	f := &Family{Points: [][]float64{simplex.Vertex(2, 0), simplex.Vertex(2, 1)}, Modes: 3, Domain: simplex.Ball(1)}
	theta := []float64{0.5, -0.4, 0.3, 0.2, -0.25, 0.1}
	p, err := f.Path(theta)
	if err != nil {
		t.Fatal(err)
	}
	a := make([]float64, 2)
	neg, out := false, false
	for i := 0; i <= 100; i++ {
		p.Alpha(a, float64(i)/100)
		neg = neg || a[0] < 0 || a[1] < 0
		out = out || math.Hypot(a[0], a[1]) > 1
	}
	if !neg || !out {
		t.Fatalf("test point does not activate both penalties (negative %v, outside %v)", neg, out)
	}
	const straight = 2.0
	grad := make([]float64, f.Dim())
	if _, err := e.ballCostGrad(f, theta, grad, straight); err != nil {
		t.Fatal(err)
	}
	cost := func(x []float64) float64 {
		est, err := e.ballCostGrad(f, x, make([]float64, f.Dim()), straight)
		if err != nil {
			t.Fatal(err)
		}
		return est.Cost
	}
	fdg := make([]float64, f.Dim())
	fd.Gradient(fdg, cost, theta, &fd.Settings{Formula: fd.Central, Step: 1e-6})
	for i := range grad {
		if math.Abs(grad[i]-fdg[i]) > 1e-5*(1+math.Abs(fdg[i])) {
			t.Errorf("∂/∂θ_%d = %.8g, finite difference %.8g", i, grad[i], fdg[i])
		}
	}
	res, err := Optimize(context.Background(), e, &Family{Points: f.Points, Modes: 4, Domain: simplex.Ball(1)}, &Settings{Iters: 40})
	if err != nil {
		t.Fatal(err)
	}
	if err := path.CheckIn(res.Path, simplex.Ball(1)); err != nil {
		t.Errorf("optimized path leaves the ball: %v", err)
	}
	if !(res.Optimized.Cost < res.Straight.Cost) {
		t.Errorf("no gain inside the ball: %.4f from %.4f", res.Optimized.Cost, res.Straight.Cost)
	}
	t.Logf("inside ball(1): straight %.4f, optimized %.4f (%s)", res.Straight.Cost, res.Optimized.Cost, res.Status)
}

// TestBallFamilyRefused: a family on a ball runs straight from one point
// of the ball to another; waypoints, Reparam, a point off the ball, equal
// end points and a radius that does not contain the simplex are refused
// with an error naming the cause, by Validate and by Optimize alike.
func TestBallFamilyRefused(t *testing.T) {
	e0, e1, e2 := simplex.Vertex(3, 0), simplex.Vertex(3, 1), simplex.Vertex(3, 2)
	ball := simplex.Ball(1)
	for _, tc := range []struct {
		f    Family
		want string
	}{
		{Family{Points: [][]float64{e0, e1, e2}, Modes: 2, Domain: ball}, "no waypoints"},
		{Family{Points: [][]float64{e0, e2}, Modes: 2, Reparam: true, Domain: ball}, "no Reparam"},
		{Family{Points: [][]float64{e0, {0, 2, 0}}, Modes: 2, Domain: ball}, "off the model's"},
		{Family{Points: [][]float64{e1, e1}, Modes: 2, Domain: ball}, "coincide"},
		{Family{Points: [][]float64{e0, e1}, Modes: 2, Domain: simplex.Domain{Kind: simplex.KindBall, Radius: 0.5}}, "radius"},
		{Family{Points: [][]float64{e0, e1}, Modes: 0, Domain: ball}, "sine modes"},
	} {
		err := tc.f.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: Validate = %v, want an error with %q", tc.f, err, tc.want)
		}
		if _, err2 := Optimize(context.Background(), nil, &tc.f, nil); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("%+v: Optimize = %v, want %v", tc.f, err2, err)
		}
	}
	ok := Family{Points: [][]float64{e0, {0, 1.2, 0}}, Modes: 3, Domain: simplex.Ball(math.Sqrt2)}
	if err := ok.Validate(); err != nil || ok.Dim() != 6 {
		t.Errorf("a schedule to a point of the ball of radius √2: Validate %v, Dim %d (want nil, 3 modes × 2 moving coordinates)", err, ok.Dim())
	}
}

package path

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
)

// The SDE generator has the same marginals as the flow: from noise to data
// marginals, and between data marginals through a waypoint where α_0 > 0
// (the only place the noise acts on that path). E = 3 makes the score term
// dominate the drift, so a wrong score (sign, factor 1/α_0) shows.
func TestSDEMatchesTargets(t *testing.T) {
	ctx := context.Background()
	m2, m5 := mix2(), mix5()
	o2, o5 := oracle(t, m2), oracle(t, m5)
	w := []float64{0.5, 0.25, 0.25, 0}
	for i, c := range []struct {
		name     string
		o        interface{ Sizes() (int, int) }
		from, to int
		p        Path
		eps      Diffusion
		s        SDESolver
	}{
		{"2-D e0→e1 Heun E=1", o2, 0, 1, mustPath(Segment(vertex(4, 0), vertex(4, 1))), EpsAlpha0(1), StochasticHeun{100}},
		{"2-D e0→e2 Heun E=3", o2, 0, 2, mustPath(Segment(vertex(4, 0), vertex(4, 2))), EpsAlpha0(3), StochasticHeun{100}},
		{"2-D e0→e2 Euler–Maruyama E=1", o2, 0, 2, mustPath(Segment(vertex(4, 0), vertex(4, 2))), EpsAlpha0(1), EulerMaruyama{400}},
		{"2-D e1→w→e2 Heun E=3", o2, 1, 2, mustPath(Polyline(vertex(4, 1), w, vertex(4, 2))), EpsAlpha0(3), StochasticHeun{100}},
		{"5-D e0→e2 Heun E=1", o5, 0, 2, mustPath(Segment(vertex(3, 0), vertex(3, 2))), EpsAlpha0(1), StochasticHeun{100}},
	} {
		data := m2
		g := o2
		if c.o == o5 {
			data, g = m5, o5
		}
		x := sampleOf(data, c.from, 1500, 70+uint64(i))
		st, err := IntegrateSDE(ctx, mustVelocity(g, c.p), x, c.eps, c.s, newRand(80+uint64(i)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := c.s; (want == StochasticHeun{100} && st.NFE != 200) || (want == EulerMaruyama{400} && st.NFE != 400) {
			t.Errorf("%s: NFE %d", c.name, st.NFE)
		}
		checkED(t, c.name, x, data, c.to, 90+uint64(i))
	}
}

// The SDE drift must be b + ε·∇log ρ: compared with the oracle's own score
// −Σ_c π_c S_c⁻¹(x − m_c), computed without g_0, at times along a segment
// and a polyline through the interior. A wrong sign or a missing 1/α_0
// misses by O(1).
func TestSDEDrift(t *testing.T) {
	data := mix2()
	o := oracle(t, data)
	n, d := 50, 2
	x := sampleOf(data, 2, n, 75)
	for _, p := range []Path{
		mustPath(Segment(vertex(4, 0), vertex(4, 2))),
		mustPath(Polyline(vertex(4, 1), []float64{0.5, 0.25, 0.25, 0}, vertex(4, 3))),
	} {
		v := mustVelocity(o, p)
		e := newEvaluator(v, n, 1)
		s := &SDEProblem{e: e, eps: EpsAlpha0(2.5)}
		drift, b, score := make([]float64, n*d), make([]float64, n*d), make([]float64, n*d)
		alpha := make([]float64, 4)
		for _, tt := range []float64{0, 0.1, 0.5, 0.77, 0.99} {
			sigma, err := s.drift(drift, tt, x, false)
			if err != nil {
				t.Fatal(err)
			}
			v.Eval(b, tt, x)
			p.Alpha(alpha, tt)
			o.Score(score, alpha, x)
			eps := 2.5 * alpha[0]
			if math.Abs(sigma-math.Sqrt(2*eps)) > 1e-15 {
				t.Errorf("t = %g: σ = %g, want √(2ε) = %g", tt, sigma, math.Sqrt(2*eps))
			}
			for i := range drift {
				want := b[i] + eps*score[i]
				// Both sides come from the same posterior weights; the
				// difference is rounding in g_0/α_0 (≲ 1e-13·|x|/α_0 here).
				if math.Abs(drift[i]-want) > 1e-9*(1+math.Abs(want)) {
					t.Fatalf("t = %g, i = %d: drift %g, b + ε·score = %g", tt, i, drift[i], want)
				}
			}
		}
		e.close()
	}
}

func TestSDEDiffusionChecks(t *testing.T) {
	g := gauss3()
	ctx := context.Background()
	x := normals(20, newRand(1))
	seg := mustPath(Segment(vertex(3, 0), vertex(3, 1)))
	edge := mustPath(Segment(vertex(3, 1), vertex(3, 2)))
	for _, c := range []struct {
		name string
		p    Path
		eps  Diffusion
		want string
	}{
		{"constant ε at the data end", seg, EpsFunc(func(float64) float64 { return 0.5 }), "α_0(1) = 0"},
		{"constant ε on an edge without the Gaussian", edge, EpsFunc(func(float64) float64 { return 0.5 }), "α_0(0) = 0"},
		{"negative ε", seg, EpsFunc(func(t float64) float64 { return t - 0.5 }), "≥ 0"},
		{"NaN ε", seg, EpsFunc(func(t float64) float64 { return 0 / (t - t) }), "finite"},
		{"nil", seg, nil, "nil"},
	} {
		_, err := IntegrateSDE(ctx, mustVelocity(g, c.p), slices.Clone(x), c.eps, EulerMaruyama{10}, newRand(2), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
	// Allowed: ε vanishing with α_0, a constant ε where α_0 > 0 throughout,
	// and ε = 0 on an edge.
	inner := mustPath(Segment(vertex(3, 0), []float64{0.5, 0.5, 0}))
	for _, c := range []struct {
		p   Path
		eps Diffusion
	}{{seg, EpsAlpha0(2)}, {seg, EpsFunc(func(t float64) float64 { return 1 - t })}, {inner, EpsFunc(func(float64) float64 { return 0.5 })}, {edge, EpsAlpha0(5)}} {
		if _, err := IntegrateSDE(ctx, mustVelocity(g, c.p), slices.Clone(x), c.eps, EulerMaruyama{10}, newRand(2), nil); err != nil {
			t.Errorf("valid schedule refused: %v", err)
		}
	}
	if _, err := IntegrateSDE(ctx, mustVelocity(g, seg), x, EpsAlpha0(1), EulerMaruyama{10}, nil, nil); err == nil {
		t.Error("nil random source accepted")
	}
}

// Same seed, same samples, whatever the number of workers; with ε = 0 the
// stochastic Heun method is Heun's method exactly.
func TestSDEReproducible(t *testing.T) {
	g := gauss3()
	p := mustPath(Polyline(vertex(3, 0), []float64{0.3, 0.3, 0.4}, vertex(3, 1)))
	x0 := normals(3000*2, newRand(3))
	run := func(eps Diffusion, s SDESolver, workers int) []float64 {
		x := slices.Clone(x0)
		if _, err := IntegrateSDE(context.Background(), mustVelocity(g, p), x, eps, s, newRand(4), &Options{Workers: workers}); err != nil {
			t.Fatal(err)
		}
		return x
	}
	a, b := run(EpsAlpha0(1), StochasticHeun{20}, 1), run(EpsAlpha0(1), StochasticHeun{20}, 3)
	if !slices.Equal(a, b) {
		t.Error("SDE result depends on the number of workers")
	}
	if c := run(EpsAlpha0(1), StochasticHeun{20}, 2); !slices.Equal(a, c) {
		t.Error("SDE result not reproducible from the seed")
	}
	if d := run(EpsAlpha0(1), EulerMaruyama{20}, 1); slices.Equal(a, d) {
		t.Error("Euler–Maruyama and stochastic Heun agree exactly")
	}
	ode := slices.Clone(x0)
	if _, err := Integrate(context.Background(), mustVelocity(g, p), ode, Heun{20}, nil); err != nil {
		t.Fatal(err)
	}
	if sdeZero := run(EpsAlpha0(0), StochasticHeun{20}, 1); !slices.Equal(ode, sdeZero) {
		t.Errorf("stochastic Heun with ε = 0 differs from Heun by %g", maxAbsDiff(ode, sdeZero))
	}
}

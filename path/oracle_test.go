package path

import (
	"context"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/metrics"
)

func gaussian(mean []float64, cov ...float64) *marginals.Gaussian {
	g, err := marginals.NewGaussian(mean, mat.NewSymDense(len(mean), cov))
	if err != nil {
		panic(err)
	}
	return g
}

func mixture(w []float64, comps ...*marginals.Gaussian) *marginals.Mixture {
	m, err := marginals.NewMixture(w, comps)
	if err != nil {
		panic(err)
	}
	return m
}

// mix2 is three data marginals on R²: two and three well-separated
// components with correlated covariances, and one strongly correlated
// Gaussian.
func mix2() []*marginals.Mixture {
	return []*marginals.Mixture{
		mixture([]float64{0.5, 0.5},
			gaussian([]float64{-2, 0}, 0.3, 0.1, 0.1, 0.2),
			gaussian([]float64{2, 0.5}, 0.2, 0, 0, 0.4)),
		mixture([]float64{0.2, 0.3, 0.5},
			gaussian([]float64{0, 3}, 0.25, 0, 0, 0.25),
			gaussian([]float64{-2, -2}, 0.5, -0.2, -0.2, 0.3),
			gaussian([]float64{2.5, -2}, 0.15, 0, 0, 0.15)),
		mixture([]float64{1}, gaussian([]float64{1, 1}, 1, 0.8, 0.8, 1)),
	}
}

// mix5 is two data marginals on R⁵ with two components each.
func mix5() []*marginals.Mixture {
	diag := func(v ...float64) []float64 {
		c := make([]float64, 25)
		for i, x := range v {
			c[i*6] = x
		}
		return c
	}
	return []*marginals.Mixture{
		mixture([]float64{0.4, 0.6},
			gaussian([]float64{1.5, 1.5, 0, 0, 0}, diag(0.3, 0.3, 0.5, 0.5, 0.5)...),
			gaussian([]float64{-1.5, -1.5, 0, 0, 1}, diag(0.4, 0.2, 0.3, 0.6, 0.3)...)),
		mixture([]float64{0.5, 0.5},
			gaussian([]float64{0, 0, 2, -2, 0}, diag(0.5, 0.5, 0.2, 0.2, 0.5)...),
			gaussian([]float64{0, 1, -2, 2, -1}, 0.6, 0.2, 0, 0, 0, 0.2, 0.4, 0.1, 0, 0, 0, 0.1, 0.3, 0, 0, 0, 0, 0, 0.5, 0.2, 0, 0, 0, 0.2, 0.4)),
	}
}

func oracle(t testing.TB, data []*marginals.Mixture) *gk.Oracle {
	o, err := gk.NewOracle(data)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// sampleOf draws n exact samples of marginal k (0 the standard Gaussian).
func sampleOf(data []*marginals.Mixture, k, n int, seed uint64) []float64 {
	d := data[0].Dim()
	x := make([]float64, n*d)
	if k == 0 {
		return normals(n*d, newRand(seed))
	}
	data[k-1].Sample(x, newRand(seed))
	return x
}

// edCheck returns the energy distance between got and an exact sample
// set E of marginal k with as many rows, and the reference level: the root
// mean square of the energy distances between E and 4 further independent
// exact sets of the same size. Sharing E in both makes the comparison
// immune to an atypical E (one draw of a 1500-row set moved every distance
// to it by +5e-3, against a typical spread of 1e-3). The estimator is
// unbiased, so for a correct sampler (solver error ≪ sampling error) the
// statistic is of the size of the reference.
func edCheck(got []float64, data []*marginals.Mixture, k int, seed uint64) (ed, ref float64) {
	d := data[0].Dim()
	n := len(got) / d
	exact := sampleOf(data, k, n, seed)
	for i := range uint64(4) {
		e := metrics.Energy(sampleOf(data, k, n, seed+1000+i), exact, d)
		ref += e * e
	}
	return metrics.Energy(got, exact, d), math.Sqrt(ref / 4)
}

// edFactor multiplies the reference level. The energy distance of two
// samples of one law is a degenerate U-statistic (a weighted sum of centred
// χ²₁ variables divided by n), right-skewed: its 99.9% quantile is below
// about 5 standard deviations even when one χ² term dominates, and the
// level itself is estimated from 4 sets. 6 × keeps false alarms out;
// TestEnergyPower checks that samplers with first-order errors land above it.
const edFactor = 6

func checkED(t *testing.T, name string, got []float64, data []*marginals.Mixture, k int, seed uint64) {
	t.Helper()
	ed, ref := edCheck(got, data, k, seed)
	t.Logf("%s: energy distance %.2e, reference %.2e (ratio %.2f)", name, ed, ref, ed/ref)
	if ed > edFactor*ref {
		t.Errorf("%s: energy distance %.3g > %d × %.3g (exact sample sets)", name, ed, edFactor, ref)
	}
}

// Noise → every marginal at once (SampleAll), in 2-D and 5-D.
func TestNoiseToMarginals(t *testing.T) {
	for _, c := range []struct {
		name string
		data []*marginals.Mixture
		n    int
	}{{"2-D", mix2(), 2000}, {"5-D", mix5(), 1500}} {
		o := oracle(t, c.data)
		_, d := o.Sizes()
		noise := normals(c.n*d, newRand(10))
		out, st, err := SampleAll(context.Background(), o, noise, Dopri5{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(noise, normals(c.n*d, newRand(10))) || !slices.Equal(out[0], noise) {
			t.Error("SampleAll modified the noise or did not return it as out[0]")
		}
		t.Logf("%s: %d marginals, %+v", c.name, len(out)-1, st)
		for k := 1; k < len(out); k++ {
			checkED(t, c.name+" e0→e"+string(rune('0'+k)), out[k], c.data, k, 20+uint64(k))
		}
	}
}

// Marginal → marginal: straight and through waypoints inside the simplex
// (the Gaussian included), with Polyline and Concat.
func TestMarginalToMarginal(t *testing.T) {
	ctx := context.Background()
	m2, m5 := mix2(), mix5()
	for _, c := range []struct {
		name   string
		data   []*marginals.Mixture
		from   int
		to     int
		p      Path
		solver Solver
	}{
		{"2-D e1→e2", m2, 1, 2, mustPath(Segment(vertex(4, 1), vertex(4, 2))), Dopri5{}},
		{"2-D e2→w→e3", m2, 2, 3, mustPath(Polyline(vertex(4, 2), []float64{1.0 / 3, 0, 1.0 / 3, 1.0 / 3}, vertex(4, 3))), RK4{30}},
		{"2-D e3→w→e1 smoothstep", m2, 3, 1, mustPath(Reparam(mustPath(Polyline(vertex(4, 3), []float64{0.2, 0.4, 0, 0.4}, vertex(4, 1))), Smoothstep{})), Dopri5{}},
		{"5-D e2→w→e1", m5, 2, 1, mustPath(Concat(mustPath(Segment(vertex(3, 2), []float64{0.5, 0.25, 0.25})), mustPath(Segment([]float64{0.5, 0.25, 0.25}, vertex(3, 1))))), Dopri5{}},
	} {
		o := oracle(t, c.data)
		_, d := o.Sizes()
		n := 1500
		x := sampleOf(c.data, c.from, n, 30)
		st, err := Integrate(ctx, mustVelocity(o, c.p), x, c.solver, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %+v", c.name, st)
		checkED(t, c.name, x, c.data, c.to, 40)
		_ = d
	}
}

// Wrong samplers must fail the energy criterion: a few Euler steps from
// noise (first-order errors of size ~1/steps).
func TestEnergyPower(t *testing.T) {
	data := mix2()
	o := oracle(t, data)
	n := 2000
	for _, steps := range []int{3, 8} {
		x := normals(n*2, newRand(10))
		if _, err := Integrate(context.Background(), mustVelocity(o, mustPath(Segment(vertex(4, 0), vertex(4, 2)))), x, Euler{steps}, nil); err != nil {
			t.Fatal(err)
		}
		ed, ref := edCheck(x, data, 2, 22)
		t.Logf("Euler{%d} e0→e2: energy distance %.2e = %.1f × reference", steps, ed, ed/ref)
		if ed < edFactor*ref {
			t.Errorf("Euler{%d} passes the criterion (%.1f × the reference): it has no power", steps, ed/ref)
		}
	}
}

// With Gaussian marginals of full covariance the flow is affine, so a batch
// whose sample mean and covariance are exactly those of the start law ends
// with exactly the target's sample moments, up to the solver's error (no
// Monte Carlo error at all).
func TestGaussianMoments(t *testing.T) {
	mu1, cov1 := []float64{1, -2, 0.5}, []float64{2, 0.5, 0.3, 0.5, 1, -0.4, 0.3, -0.4, 0.8}
	mu2, cov2 := []float64{-1, 0, 3}, []float64{0.3, 0.1, 0, 0.1, 0.5, 0.2, 0, 0.2, 1.5}
	data := []*marginals.Mixture{mixture([]float64{1}, gaussian(mu1, cov1...)), mixture([]float64{1}, gaussian(mu2, cov2...))}
	o := oracle(t, data)
	n, d := 500, 3
	ctx := context.Background()
	for _, c := range []struct {
		name          string
		from, to      int
		muFrom, cFrom []float64
		muTo, covTo   []float64
		viaWaypoint   bool
	}{
		{"e0→e1", 0, 1, []float64{0, 0, 0}, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}, mu1, cov1, false},
		{"e1→w→e2", 1, 2, mu1, cov1, mu2, cov2, true},
	} {
		x := withMoments(normals(n*d, newRand(50)), d, c.muFrom, c.cFrom)
		var p Path = mustPath(Segment(vertex(3, c.from), vertex(3, c.to)))
		if c.viaWaypoint {
			p = mustPath(Polyline(vertex(3, c.from), []float64{0.3, 0.3, 0.4}, vertex(3, c.to)))
		}
		if _, err := Integrate(ctx, mustVelocity(o, p), x, RK4{40}, nil); err != nil {
			t.Fatal(err)
		}
		mean, cov := metrics.MeanCov(x, d)
		e := 0.0
		for i := 0; i < d; i++ {
			e = math.Max(e, math.Abs(mean[i]-c.muTo[i]))
			for j := 0; j < d; j++ {
				// MeanCov divides by n−1; withMoments set the n−1 version.
				e = math.Max(e, math.Abs(cov.At(i, j)-c.covTo[i*d+j]))
			}
		}
		t.Logf("%s: largest moment error %.2e", c.name, e)
		// RK4 with 40 steps: the flow error on this problem is ~1e-6
		// (TestFixedStepOrder measured 2e-8 at 48 steps on a milder
		// problem); a wrong velocity (a missing factor α_k, or S instead
		// of S⁻¹) misses the covariance by O(1).
		if e > 1e-4 {
			t.Errorf("%s: end moments off by %.3g", c.name, e)
		}
	}
}

// withMoments maps the rows of z affinely so that their sample mean is mu
// and their sample covariance (divided by n−1) is cov exactly.
func withMoments(z []float64, d int, mu, cov []float64) []float64 {
	n := len(z) / d
	m, c := metrics.MeanCov(z, d)
	var lz, lt mat.Cholesky
	if !lz.Factorize(c) || !lt.Factorize(mat.NewSymDense(d, cov)) {
		panic("withMoments: not positive definite")
	}
	var lzL, ltL mat.TriDense
	lz.LTo(&lzL)
	lt.LTo(&ltL)
	out := make([]float64, len(z))
	w := mat.NewVecDense(d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			w.SetVec(j, z[i*d+j]-m[j])
		}
		if err := w.SolveVec(&lzL, w); err != nil {
			panic(err)
		}
		w.MulVec(&ltL, w)
		for j := 0; j < d; j++ {
			out[i*d+j] = mu[j] + w.AtVec(j)
		}
	}
	return out
}

// e_i → e_j → e_i returns every point (deterministic flow), with
// Concat/Polyline and with Reverse.
func TestRoundTripMixtures(t *testing.T) {
	data := mix2()
	o := oracle(t, data)
	ctx := context.Background()
	x0 := sampleOf(data, 1, 300, 60)
	s := Dopri5{Atol: 1e-8, Rtol: 1e-8}
	there := mustPath(Polyline(vertex(4, 1), []float64{0.1, 0.3, 0.6, 0}, vertex(4, 2)))
	x := slices.Clone(x0)
	if _, err := Integrate(ctx, mustVelocity(o, there), x, s, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Integrate(ctx, mustVelocity(o, Reverse(there)), x, s, nil); err != nil {
		t.Fatal(err)
	}
	// Two solves at tolerance 1e-8 with |x| ≲ 5 (TestDopri5 measured
	// global errors ≤ 16·tol·(1+|x|)).
	if e := maxAbsDiff(x, x0); e > 1e-5 {
		t.Errorf("e1 → e2 then back moved points by %.3g", e)
	}
	loop := mustPath(Concat(mustPath(Segment(vertex(4, 3), vertex(4, 1))), mustPath(Segment(vertex(4, 1), vertex(4, 3)))))
	y0 := sampleOf(data, 3, 300, 61)
	y := slices.Clone(y0)
	if _, err := Integrate(ctx, mustVelocity(o, loop), y, RK4{200}, nil); err != nil {
		t.Fatal(err)
	}
	// RK4 with 100 steps per leg: error ~ C·h⁴ with C ≲ 10 here.
	if e := maxAbsDiff(y, y0); e > 1e-4 {
		t.Errorf("e3 → e1 → e3 moved points by %.3g", e)
	}
}

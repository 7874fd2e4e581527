package generate_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/path"
)

// guidedLaw integrates, independently of package generate, the mean and
// covariance of the guided flow from N(0, I) along e_0 → e_j on Gaussian
// marginals (means mu, covariances cov). There every data head is affine,
// D_k(t, x) = μ_k + tΣ_k S_k⁻¹(x − tμ_k), S_k = t²Σ_k + (1 − t)²I, so the
// guided velocity (D(t, x) − x)/(1 − t), D = D_j + w(D_j − (1/K)Σ_k D_k)
// inside [from, to] (D_j outside), is A(t)x + b(t), and the law stays
// Gaussian: m' = Am + b, C' = AC + CAᵀ, integrated by RK4 on a grid on
// which from and to lie.
func guidedLaw(mu [][]float64, cov []*mat.SymDense, j int, gd generate.Guidance, steps int) ([]float64, *mat.Dense) {
	d := len(mu[0])
	// affine returns A and b of D_k at t.
	affine := func(k int, t float64) (*mat.Dense, []float64) {
		var s mat.Dense
		s.Scale(t*t, cov[k])
		for a := 0; a < d; a++ {
			s.Set(a, a, s.At(a, a)+(1-t)*(1-t))
		}
		var si, a mat.Dense
		if err := si.Inverse(&s); err != nil {
			panic(err)
		}
		a.Mul(cov[k], &si)
		a.Scale(t, &a)
		b := make([]float64, d)
		for r := 0; r < d; r++ {
			b[r] = mu[k][r]
			for c := 0; c < d; c++ {
				b[r] -= a.At(r, c) * t * mu[k][c]
			}
		}
		return &a, b
	}
	field := func(t float64) (*mat.Dense, []float64) {
		a, b := affine(j, t)
		if t >= gd.From && t <= gd.To {
			a.Scale(1+gd.W, a)
			for r := range b {
				b[r] *= 1 + gd.W
			}
			for k := range mu {
				ak, bk := affine(k, t)
				ak.Scale(gd.W/float64(len(mu)), ak)
				a.Sub(a, ak)
				for r := range b {
					b[r] -= gd.W / float64(len(mu)) * bk[r]
				}
			}
		}
		for r := 0; r < d; r++ {
			a.Set(r, r, a.At(r, r)-1)
		}
		a.Scale(1/(1-t), a)
		for r := range b {
			b[r] /= 1 - t
		}
		return a, b
	}
	type state struct {
		m []float64
		c *mat.Dense
	}
	deriv := func(t float64, x state) state {
		a, b := field(t)
		dm := make([]float64, d)
		for r := 0; r < d; r++ {
			dm[r] = b[r]
			for s := 0; s < d; s++ {
				dm[r] += a.At(r, s) * x.m[s]
			}
		}
		var ac mat.Dense
		ac.Mul(a, x.c)
		dc := mat.NewDense(d, d, nil)
		dc.Add(&ac, ac.T())
		return state{dm, dc}
	}
	// axpy returns x + s·Σ_i w_i y_i.
	axpy := func(x state, s float64, w []float64, ys ...state) state {
		m := append([]float64(nil), x.m...)
		c := mat.DenseCopyOf(x.c)
		for i, y := range ys {
			for r := range m {
				m[r] += s * w[i] * y.m[r]
			}
			var sc mat.Dense
			sc.Scale(s*w[i], y.c)
			c.Add(c, &sc)
		}
		return state{m, c}
	}
	x := state{make([]float64, d), mat.NewDense(d, d, nil)}
	for a := 0; a < d; a++ {
		x.c.Set(a, a, 1)
	}
	h := 1 / float64(steps)
	one := []float64{1}
	// The last step stops short of t = 1, where 1/(1 − t) is singular
	// (the velocity itself is not: D_j − x vanishes like 1 − t). The
	// interval's ends are grid points: each step's end stages are taken
	// just inside it.
	for i := 0; i < steps; i++ {
		t0 := float64(i) * h
		t1 := min(t0+h, 1-1e-9)
		hh := t1 - t0
		k1 := deriv(t0+1e-12, x)
		k2 := deriv(t0+hh/2, axpy(x, hh/2, one, k1))
		k3 := deriv(t0+hh/2, axpy(x, hh/2, one, k2))
		k4 := deriv(t1-1e-12, axpy(x, hh, one, k3))
		x = axpy(x, hh/6, []float64{1, 2, 2, 1}, k1, k2, k3, k4)
	}
	return x.m, x.c
}

// Guidance on the exact oracle of three 2-D Gaussians: the rows of
// noise → 2 with guidance must have the guided flow's law (guidedLaw),
// mean and covariance within 5 standard errors (4000 rows: a mean entry
// has standard error √(C_aa/n), a covariance entry about √(2/n) times
// the variance scale). The guided law is many standard errors away from
// ρ_2 (checked below), so a guidance that does nothing, pushes the wrong
// way, averages other heads or leaves the Gaussian head unconstrained
// (the velocity uses both ends of the edge) fails.
func TestGuidanceGaussian(t *testing.T) {
	mu := [][]float64{{2, -1}, {-1, 1}, {0.5, 2}}
	cov := []*mat.SymDense{
		mat.NewSymDense(2, []float64{0.5, 0.2, 0.2, 0.4}),
		mat.NewSymDense(2, []float64{1.2, -0.5, -0.5, 0.8}),
		mat.NewSymDense(2, []float64{0.3, 0, 0, 0.6}),
	}
	var mix []*marginals.Mixture
	for k := range mu {
		g, err := marginals.NewGaussian(mu[k], cov[k])
		if err != nil {
			t.Fatal(err)
		}
		m, err := marginals.NewMixture([]float64{1}, []*marginals.Gaussian{g})
		if err != nil {
			t.Fatal(err)
		}
		mix = append(mix, m)
	}
	o, err := gk.NewOracle(mix)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := generate.FromOracle(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n, j = 4000, 2
	gd := generate.Guidance{W: 1, From: 0.2, To: 0.6}
	want, wantCov := guidedLaw(mu, cov, j-1, gd, 2000)
	// RK4 steps of 0.005 put the interval's ends on steps.
	r := rand.New(rand.NewPCG(5, 1))
	x, _ := gen.Draw(0, n, r)
	p, _ := generate.Polyline(4, 0, j)
	if _, err := gen.Transport(context.Background(), x, p, r, &generate.Options{Solver: path.RK4{Steps: 200}, Guidance: gd}); err != nil {
		t.Fatal(err)
	}
	mean, got := metrics.MeanCov(x, 2)
	far := 0.0
	for a := 0; a < 2; a++ {
		se := math.Sqrt(wantCov.At(a, a) / n)
		if e := math.Abs(mean[a] - want[a]); e > 5*se {
			t.Errorf("mean[%d] = %.4f, want %.4f (ρ_%d: %.4f)", a, mean[a], want[a], j, mu[j-1][a])
		}
		far = max(far, math.Abs(want[a]-mu[j-1][a])/se)
		for b := 0; b < 2; b++ {
			if e := math.Abs(got.At(a, b) - wantCov.At(a, b)); e > 5*math.Sqrt(2.0/n) {
				t.Errorf("cov[%d][%d] = %.4f, want %.4f (ρ_%d: %.4f)", a, b, got.At(a, b), wantCov.At(a, b), j, cov[j-1].At(a, b))
			}
			far = max(far, math.Abs(wantCov.At(a, b)-cov[j-1].At(a, b))/math.Sqrt(2.0/n))
		}
	}
	if far < 15 {
		t.Fatalf("the guided law is only %.1f standard errors from ρ_%d: the test could not tell guidance from none", far, j)
	}
}

// Guidance is refused where it has no meaning: off the edge from noise,
// for a likelihood, with one data marginal, with bad settings.
func TestGuidanceRefused(t *testing.T) {
	gen := gaussianGen(t, 2)
	ctx := context.Background()
	gd := generate.Guidance{W: 1, From: 0, To: 1}
	z := make([]float64, 20)
	for _, c := range []struct {
		name  string
		stops []int
	}{{"data → data", []int{1, 2}}, {"to the Gaussian", []int{2, 0}}, {"through a vertex", []int{0, 1, 2}}} {
		p, _ := generate.Polyline(3, c.stops...)
		if _, err := gen.Transport(ctx, z, p, nil, &generate.Options{Guidance: gd}); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	to2, _ := generate.Polyline(3, 0, 2)
	if _, _, err := gen.TransportLogLikelihood(ctx, z, to2, nil, &generate.Options{Guidance: gd}); err == nil {
		t.Error("guidance with a likelihood: no error")
	}
	for _, bad := range []generate.Guidance{{W: -1, From: 0, To: 1}, {W: math.NaN(), To: 1}, {W: 1, From: 0.5, To: 0.5}, {W: 1, From: 0, To: 1.5}} {
		if _, err := gen.Transport(ctx, z, to2, nil, &generate.Options{Guidance: bad}); err == nil {
			t.Errorf("guidance %+v: no error", bad)
		}
	}
	one := gaussianGen(t, 1)
	to1, _ := generate.Polyline(2, 0, 1)
	if _, err := one.Transport(ctx, z, to1, nil, &generate.Options{Guidance: gd}); err == nil {
		t.Error("guidance with one data marginal: no error")
	}
	for _, s := range []string{"x", "1:2", "-1", "1:0.6:0.2", "1:0:2"} {
		if _, err := generate.ParseGuidance(s); err == nil {
			t.Errorf("ParseGuidance(%q): no error", s)
		}
	}
	for s, want := range map[string]generate.Guidance{"0": {}, "2": {W: 2, To: 1}, "1:0.2:0.5": {W: 1, From: 0.2, To: 0.5}} {
		if got, err := generate.ParseGuidance(s); err != nil || got != want {
			t.Errorf("ParseGuidance(%q) = %+v, %v; want %+v", s, got, err, want)
		}
	}
}

// gaussianGen is the generator of the exact oracle of k standard 2-D
// Gaussians at different means.
func gaussianGen(t *testing.T, k int) *generate.Generator {
	t.Helper()
	var mix []*marginals.Mixture
	for i := 0; i < k; i++ {
		g, err := marginals.NewGaussian([]float64{float64(i), 1}, mat.NewSymDense(2, []float64{1, 0, 0, 1}))
		if err != nil {
			t.Fatal(err)
		}
		m, _ := marginals.NewMixture([]float64{1}, []*marginals.Gaussian{g})
		mix = append(mix, m)
	}
	o, err := gk.NewOracle(mix)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := generate.FromOracle(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	return gen
}

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
	"github.com/mmi-go/mmi/path"
)

// Guidance on the exact oracle of three 2-D Gaussians: each row of noise
// → 2 with guidance must be the row that RK4 (the same 200 steps) gives
// on the guided velocity written here from its definition (Guidance):
// the oracle's heads on the edge of every data marginal at the same t,
// posterior weights π_k ∝ exp(−|ẑ_k|²/2) from their noise heads, D = D_j
// + W(D_j − Σ_k π_k D_k) inside [From, To], g_0 from the constraint, the
// velocity D − g_0. From and To lie off the stage times, so both sides
// switch at the same stage. Agreement to 1e-6 (floating-point order
// alone differs). The guided rows are far from the unguided ones (checked
// below), so a guidance that does nothing, pushes the wrong way, weighs
// the marginals otherwise or leaves the Gaussian head unconstrained fails.
func TestGuidanceGaussian(t *testing.T) {
	mu := [][]float64{{2, -1}, {-1, 1}, {0.5, 2}}
	cov := []*mat.SymDense{
		mat.NewSymDense(2, []float64{0.5, 0.2, 0.2, 0.4}),
		mat.NewSymDense(2, []float64{1.2, -0.5, -0.5, 0.8}),
		mat.NewSymDense(2, []float64{0.3, 0, 0, 0.6}),
	}
	o, gen := gaussianOracle(t, mu, cov)
	const n, j, steps = 200, 2, 200
	gd := generate.Guidance{W: 1.5, From: 0.2013, To: 0.6013}
	r := rand.New(rand.NewPCG(5, 1))
	x, _ := gen.Draw(0, n, r)
	start := append([]float64(nil), x...)
	p, _ := generate.Polyline(4, 0, j)
	if _, err := gen.Transport(context.Background(), x, p, r, &generate.Options{Solver: path.RK4{Steps: steps}, Guidance: gd}); err != nil {
		t.Fatal(err)
	}
	heads := func(tt float64, k int, y []float64) [][]float64 {
		g := [][]float64{make([]float64, 2), make([]float64, 2), make([]float64, 2), make([]float64, 2)}
		a := make([]float64, 4)
		a[0], a[k] = 1-tt, tt
		o.Eval(g, a, y)
		return g
	}
	vel := func(tt float64, y []float64) []float64 {
		g := heads(tt, j, y)
		if tt < gd.From || tt > gd.To {
			return []float64{g[j][0] - g[0][0], g[j][1] - g[0][1]}
		}
		var pk [4]float64
		var d [4][]float64
		sum := 0.0
		for k := 1; k <= 3; k++ {
			gk := heads(tt, k, y)
			d[k] = gk[k]
			pk[k] = math.Exp(-(gk[0][0]*gk[0][0] + gk[0][1]*gk[0][1]) / 2)
			sum += pk[k]
		}
		v := make([]float64, 2)
		for a := range v {
			m := 0.0
			for k := 1; k <= 3; k++ {
				m += pk[k] / sum * d[k][a]
			}
			dd := d[j][a] + gd.W*(d[j][a]-m)
			v[a] = dd - (y[a]-tt*dd)/(1-tt)
		}
		return v
	}
	worst, moved := 0.0, 0.0
	for i := 0; i < n; i++ {
		y := append([]float64(nil), start[2*i:2*i+2]...)
		h := 1.0 / steps
		for s := 0; s < steps; s++ {
			t0 := float64(s) * h
			step := func(c float64, k []float64) []float64 { return []float64{y[0] + c*k[0], y[1] + c*k[1]} }
			k1 := vel(t0, y)
			k2 := vel(t0+h/2, step(h/2, k1))
			k3 := vel(t0+h/2, step(h/2, k2))
			k4 := vel(t0+h, step(h, k3))
			for a := range y {
				y[a] += h / 6 * (k1[a] + 2*k2[a] + 2*k3[a] + k4[a])
			}
		}
		for a := range y {
			worst = max(worst, math.Abs(x[2*i+a]-y[a]))
		}
		// The same noise without guidance.
		plain := append([]float64(nil), start[2*i:2*i+2]...)
		un, _ := generate.Polyline(4, 0, j)
		if _, err := gen.Transport(context.Background(), plain, un, nil, &generate.Options{Solver: path.RK4{Steps: steps}}); err != nil {
			t.Fatal(err)
		}
		moved = max(moved, math.Hypot(plain[0]-y[0], plain[1]-y[1]))
	}
	if worst > 1e-6 {
		t.Errorf("guided rows differ from the definition's by %.3g", worst)
	}
	if moved < 0.3 {
		t.Fatalf("guidance moves no row by more than %.3g: the test could not tell it from none", moved)
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
	var mu [][]float64
	var cov []*mat.SymDense
	for i := 0; i < k; i++ {
		mu = append(mu, []float64{float64(i), 1})
		cov = append(cov, mat.NewSymDense(2, []float64{1, 0, 0, 1}))
	}
	_, gen := gaussianOracle(t, mu, cov)
	return gen
}

// gaussianOracle returns the exact oracle of Gaussian data marginals
// (means mu, covariances cov; its marginal 0 is N(0, I)) and its
// generator.
func gaussianOracle(t *testing.T, mu [][]float64, cov []*mat.SymDense) (*gk.Oracle, *generate.Generator) {
	t.Helper()
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
	return o, gen
}

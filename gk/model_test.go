package gk

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/nn"
)

// mdlNew returns an untrained model with random weights: its g is an
// arbitrary smooth function, which is all the algebraic tests need.
func mdlNew(t testing.TB, cfg Config, seed uint64) *Model {
	t.Helper()
	if cfg.Marginals == 0 {
		cfg.Marginals = 4
	}
	if cfg.Dim == 0 {
		cfg.Dim = 3
	}
	if cfg.Hidden == nil {
		cfg.Hidden = []int{16, 16}
	}
	m, err := NewModel(cfg, rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mdlRandX(n, d int, r *rand.Rand) []float64 {
	x := make([]float64, n*d)
	for i := range x {
		x[i] = 1.5 * r.NormFloat64()
	}
	return x
}

// mdlAlphas are an interior point, an edge point, a face point and a
// vertex of Δ^3.
var mdlAlphas = [][]float64{
	{0.1, 0.2, 0.3, 0.4},
	{0, 0.7, 0, 0.3},
	{0.5, 0.25, 0.25, 0},
	{0, 0, 1, 0},
}

// The projected heads satisfy Σ_k α_k g_k = x by construction, for any
// weights. The residual is rounding: the projection adds and subtracts
// terms of size |h| ~ 1, so float64 leaves ~1e-15 (tolerance 1e-12) and a
// float32 network still evaluates the projection in float64 (1e-12 too).
// Direct heads of an untrained network violate it by O(1), which the test
// confirms so that the check has power.
func TestModelIdentity(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, f32 := range []bool{false, true} {
		for _, heads := range []Heads{HeadsProjected, HeadsDirect} {
			m := mdlNew(t, Config{Float32: f32, Heads: heads, Features: Features{Kind: FeaturesFourier}}, 3)
			kk, d := m.Sizes()
			n := 700 // crosses a chunk boundary
			x := mdlRandX(n, d, r)
			g := trNewG(kk, n*d)
			for _, a := range mdlAlphas {
				m.Eval(g, a, x)
				worst := 0.0
				for i := range x {
					s := 0.0
					for k := range g {
						s += a[k] * g[k][i]
					}
					worst = math.Max(worst, math.Abs(s-x[i]))
				}
				if heads == HeadsProjected && worst > 1e-12 {
					t.Errorf("float32 %v: Σα_k g_k − x up to %g at α = %v", f32, worst, a)
				}
				if heads == HeadsDirect && worst < 1e-3 {
					t.Errorf("direct heads satisfy the identity (%g) at α = %v: the check has no power", worst, a)
				}
			}
		}
	}
}

// VJP against central finite differences of u·Σ_k w_k g_k. With step
// h = 1e-5 the truncation error is O(h²·|third derivative of g|) ~ 1e-10 and the rounding
// error O(ε|g|/h) ~ 1e-11, so 1e-7 (relative to the largest entry) catches
// a missing projection term (O(1)) or a wrong row offset. The third
// feature setting adds Fourier features of x (8 frequencies of scale 1:
// third derivatives (2π)³|b|³ ~ 250 times the weights', truncation
// ~ 3e-8 of the largest entry); a missing, mis-signed or mis-scaled
// feature Jacobian changes dx by O(2π|b|) times the network's
// sensitivity to the features, O(1). The fourth adds the preconditioning
// (pcTestConfig: means and scales of order 1, so a missing 1/σ, s_k or
// mean shift changes dx by O(1)), with features of x too.
func TestModelVJP(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	for _, heads := range []Heads{HeadsProjected, HeadsDirect} {
		for _, feat := range []FeatureKind{FeaturesPlain, FeaturesFourier, -1, -2} {
			cfg := Config{Heads: heads, Features: Features{Kind: feat}, Activation: nn.SiLU}
			if feat <= -1 {
				cfg.Features.Kind, cfg.XFeatures = FeaturesFourier, XFeatures{Frequencies: 8, Scale: 1}
			}
			if feat == -2 {
				cfg.Precondition = pcTestConfig(4, 3)
			}
			m := mdlNew(t, cfg, 7)
			kk, d := m.Sizes()
			n := 5
			x := mdlRandX(n, d, r)
			u := mdlRandX(n, d, r)
			w := []float64{0.3, -1, 2, 0.5}[:kk]
			for _, a := range mdlAlphas {
				dx := make([]float64, n*d)
				m.VJP(dx, w, a, x, u)
				g := trNewG(kk, n*d)
				f := func(x []float64) float64 {
					m.Eval(g, a, x)
					s := 0.0
					for k := range g {
						for i, v := range g[k] {
							s += w[k] * u[i] * v
						}
					}
					return s
				}
				const h = 1e-5
				scale := 0.0
				for _, v := range dx {
					scale = math.Max(scale, math.Abs(v))
				}
				for i := range x {
					xi := x[i]
					x[i] = xi + h
					fp := f(x)
					x[i] = xi - h
					fm := f(x)
					x[i] = xi
					// u·Σ w g depends on x_i only through row i/d, and f sums
					// over all rows, so the derivative is dx[i].
					fd := (fp - fm) / (2 * h)
					if math.Abs(fd-dx[i]) > 1e-7*math.Max(scale, 1) {
						t.Errorf("%v heads, %v features, α %v: dx[%d] = %g, finite difference %g", heads, feat, a, i, dx[i], fd)
					}
				}
			}
		}
	}
}

// Eval of a batch that spans several chunks equals row-by-row evaluation
// to rounding (the rows are independent; OpenBLAS's matrix–matrix and
// matrix–vector kernels round differently, gonum's agree bit for bit; a
// chunk offset mistake changes values by O(1)), and a concurrent evaluation from
// many goroutines gives the same numbers: catches chunk offset mistakes
// and shared scratch.
func TestModelEvalChunksConcurrent(t *testing.T) {
	for _, f32 := range []bool{false, true} {
		m := mdlNew(t, Config{Float32: f32}, 9)
		kk, d := m.Sizes()
		r := rand.New(rand.NewPCG(6, 6))
		n := 2*evalChunk + 77
		x := mdlRandX(n, d, r)
		a := mdlAlphas[0]
		g := trNewG(kk, n*d)
		m.Eval(g, a, x)
		g1 := trNewG(kk, d)
		tol := 1e-12 // float64 rounding over a 3-layer network
		if f32 {
			tol = 1e-5 // float32 rounding
		}
		for _, i := range []int{0, 1, evalChunk - 1, evalChunk, evalChunk + 1, n - 1} {
			m.Eval(g1, a, x[i*d:(i+1)*d])
			for k := range g1 {
				for j, v := range g1[k] {
					if math.Abs(v-g[k][i*d+j]) > tol*math.Max(1, math.Abs(v)) {
						t.Fatalf("float32 %v: row %d, g_%d[%d]: batch %v, alone %v", f32, i, k, j, g[k][i*d+j], v)
					}
				}
			}
		}
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				gw := trNewG(kk, n*d)
				for rep := 0; rep < 3; rep++ {
					m.Eval(gw, a, x)
					for k := range gw {
						for i, v := range gw[k] {
							if v != g[k][i] {
								t.Errorf("concurrent Eval differs at g_%d[%d]", k, i)
								return
							}
						}
					}
				}
			}()
		}
		wg.Wait()
	}
}

// Eval and VJP allocate nothing of their own once the pool holds a
// workspace (the ODE solvers call them every step). gonum's pure-Go Dgemm
// allocates for its parallel blocks, which is outside gk, so the count is
// compared with that of the bare network passes on the same chunks: Eval
// and VJP may not allocate more. sync.Pool may drop its items at a GC,
// hence the averaging, and the +0.5 margin for that.
func TestModelEvalAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts under the race detector are meaningless (sync.Pool drops items)")
	}
	m := mdlNew(t, Config{Hidden: []int{64, 64}}, 10)
	kk, d := m.Sizes()
	r := rand.New(rand.NewPCG(1, 1))
	x := mdlRandX(600, d, r)
	g := trNewG(kk, len(x))
	dx := make([]float64, len(x))
	w := []float64{1, 0, 0, -1}
	a := mdlAlphas[0]
	net := m.eng.(*mlpEngine[float64]).net
	ws := net.NewWorkspace(evalChunk)
	in := make([]float64, evalChunk*net.In())
	dOut := make([]float64, evalChunk*net.Out())
	dIn := make([]float64, evalChunk*net.In())
	bare := func(back bool) {
		for _, rows := range []int{evalChunk, 600 - evalChunk} {
			net.Forward(ws, in[:rows*net.In()], rows)
			if back {
				net.Backward(ws, dOut[:rows*net.Out()], nil, dIn[:rows*net.In()])
			}
		}
	}
	m.Eval(g, a, x)
	base := testing.AllocsPerRun(50, func() { bare(false) })
	if n := testing.AllocsPerRun(50, func() { m.Eval(g, a, x) }); n > base+0.5 {
		t.Errorf("Eval allocates %v times per call, the network passes alone %v", n, base)
	}
	base = testing.AllocsPerRun(50, func() { bare(true) })
	if n := testing.AllocsPerRun(50, func() { m.VJP(dx, w, a, x, x) }); n > base+0.5 {
		t.Errorf("VJP allocates %v times per call, the network passes alone %v", n, base)
	}
	t.Logf("allocations per call of the bare network passes (gonum Dgemm): %v", base)
}

// The Fourier features are α, sin(2π Bα), cos(2π Bα) with B drawn once.
func TestAlphaFeatures(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	f := newAlphaFeatures(Features{Kind: FeaturesFourier, Frequencies: 3, Scale: 2}, 4, r)
	if f.dim() != 4+6 {
		t.Fatalf("dim %d, want 10", f.dim())
	}
	a := []float64{0.1, 0.2, 0.3, 0.4}
	dst := make([]float64, f.dim())
	f.compute(dst, a)
	for i := 0; i < 3; i++ {
		s := 0.0
		for k := 0; k < 4; k++ {
			s += f.b[i*4+k] * a[k]
		}
		r := s - math.Round(s) // whole turns removed exactly
		if math.Abs(dst[4+i]-math.Sin(2*math.Pi*r)) > 1e-15 || math.Abs(dst[7+i]-math.Cos(2*math.Pi*r)) > 1e-15 {
			t.Errorf("frequency %d: got %v, %v", i, dst[4+i], dst[7+i])
		}
	}
	for k := range a {
		if dst[k] != a[k] {
			t.Errorf("feature %d = %v, want α_%d = %v", k, dst[k], k, a[k])
		}
	}
	p := newAlphaFeatures(Features{Kind: FeaturesPlain}, 4, r)
	if p.dim() != 4 {
		t.Errorf("plain features have dim %d, want 4", p.dim())
	}
}

// FitAffine against the closed form of the pooled moments of the test
// mixtures: Center = (1/K) Σ_k E[x_k] and
// Scale² = (1/(K d)) Σ_k Σ_j w_kj (tr Σ_kj + |μ_kj − Center|²).
// The sample estimates from n = 20000 draws per marginal have relative
// standard errors ~ 1/√(Kn) ≈ 0.4 %; 2 % is 5 standard errors and catches
// a scale computed per marginal or without the between-marginal spread
// (those differ here by far more).
func TestFitAffine(t *testing.T) {
	mix := trMixtures(t)
	c := trCoupling(t, mix)
	a, err := FitAffine(c, 20000, rand.New(rand.NewPCG(1, 9)))
	if err != nil {
		t.Fatal(err)
	}
	d := 2
	center := make([]float64, d)
	for _, m := range mix {
		for j, g := range m.Components() {
			for i := range center {
				center[i] += m.Weights()[j] * g.Mean()[i] / float64(len(mix))
			}
		}
	}
	v := 0.0
	for _, m := range mix {
		for j, g := range m.Components() {
			s := 0.0
			for i := range center {
				s += g.Cov().At(i, i) + (g.Mean()[i]-center[i])*(g.Mean()[i]-center[i])
			}
			v += m.Weights()[j] * s / float64(len(mix)*d)
		}
	}
	scale := math.Sqrt(v)
	for i := range center {
		if math.Abs(a.Center[i]-center[i]) > 0.02*scale {
			t.Errorf("center %v, want %v", a.Center, center)
		}
	}
	if math.Abs(a.Scale/scale-1) > 0.02 {
		t.Errorf("scale %v, want %v", a.Scale, scale)
	}

	// Normalize and Denormalize are inverse; NormalizedCoupling leaves
	// marginal 0 alone and maps the others.
	x := []float64{1, 2, 3, 4}
	y := append([]float64(nil), x...)
	a.Normalize(y)
	if math.Abs(y[0]-(1-a.Center[0])/a.Scale) > 1e-15 || math.Abs(y[3]-(4-a.Center[1])/a.Scale) > 1e-15 {
		t.Errorf("Normalize(%v) = %v", x, y)
	}
	a.Denormalize(y)
	for i := range x {
		if math.Abs(y[i]-x[i]) > 1e-14 {
			t.Errorf("Denormalize(Normalize(x)) = %v, want %v", y, x)
		}
	}
	nc := NormalizedCoupling(c, a)
	draw := func(cp marginals.Coupling) [][]float64 {
		xs := trNewG(4, 10)
		cp.Sample(xs, rand.New(rand.NewPCG(3, 3)))
		return xs
	}
	raw, nrm := draw(c), draw(nc)
	for k := range raw {
		if k > 0 {
			a.Normalize(raw[k])
		}
		for i := range raw[k] {
			if math.Abs(raw[k][i]-nrm[k][i]) > 1e-15 {
				t.Fatalf("marginal %d: normalized coupling %v, want %v", k, nrm[k], raw[k])
			}
		}
	}

	constant := trCoupling(t, []*marginals.Mixture{trMix(t, []float64{1}, trGauss(t, 1, 1, 1e-300, 0, 1e-300))})
	if _, err := FitAffine(constant, 100, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("FitAffine of constant data: no error")
	}
}

func TestNewModelErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, cfg := range []Config{
		{Marginals: 1, Dim: 2},
		{Marginals: 3, Dim: 0},
		{Marginals: 3, Dim: 2, Hidden: []int{0}},
		{Marginals: 3, Dim: 2, Heads: Heads(9)},
		{Marginals: 3, Dim: 2, Features: Features{Kind: FeatureKind(9)}},
		{Marginals: 3, Dim: 2, Norm: Affine{Center: []float64{1}}},
		{Marginals: 3, Dim: 2, Norm: Affine{Scale: -1}},
		{Marginals: 3, Dim: 2, Specs: []string{"one"}},
	} {
		if _, err := NewModel(cfg, r); err == nil {
			t.Errorf("NewModel(%+v): no error", cfg)
		}
	}
}

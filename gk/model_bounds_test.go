package gk

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mmi-go/mmi/nn"
)

// A model with Bounds reads its raw heads through the clamp: with direct
// heads g_0 = h_0 and g_k = clamp(h_k) into the box in model coordinates
// for k ≥ 1; with projected heads the clamped heads are projected onto
// {Σ α_k g_k = x}, so the identity still holds to rounding. The raw heads
// come from the same network read without bounds. The box [−0.3, 0.3]
// (normalization: centre 0.1, scale 2, so [−0.2, 0.1] in model
// coordinates) is narrow enough that many raw heads of the untrained
// network fall outside it, which the test checks so that it has power.
func TestModelBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 1))
	norm := Affine{Center: []float64{0.1, 0.1, 0.1}, Scale: 2}
	lo, hi := (-0.3-0.1)/2, (0.3-0.1)/2
	for _, heads := range []Heads{HeadsDirect, HeadsProjected} {
		m := mdlNew(t, Config{Heads: heads, Bounds: Bounds{Lo: -0.3, Hi: 0.3}, Norm: norm}, 5)
		cfg := m.cfg
		cfg.Bounds, cfg.Heads = Bounds{}, HeadsDirect
		raw := newModel(cfg, m.feat, m.xf, m.eng)
		kk, d := m.Sizes()
		n := 40
		x := mdlRandX(n, d, r)
		g, h := trNewG(kk, n*d), trNewG(kk, n*d)
		clamped := 0
		for _, a := range mdlAlphas {
			m.Eval(g, a, x)
			raw.Eval(h, a, x)
			for i := range x {
				s := 0.0
				for k := range g {
					s += a[k] * g[k][i]
					want := h[k][i]
					if k > 0 {
						want = math.Min(math.Max(want, lo), hi)
						if want != h[k][i] {
							clamped++
						}
					}
					if heads == HeadsDirect && math.Abs(g[k][i]-want) > 1e-15 {
						t.Fatalf("direct, α %v: g_%d[%d] = %v, want clamp(%v) = %v", a, k, i, g[k][i], h[k][i], want)
					}
				}
				if heads == HeadsProjected && math.Abs(s-x[i]) > 1e-12 {
					t.Fatalf("projected, α %v: Σ α_k g_k − x = %g at %d", a, s-x[i], i)
				}
			}
		}
		if clamped < n*d {
			t.Errorf("%v: only %d raw data heads outside the box: the test has little power", heads, clamped)
		}
	}
}

// VJP of a bounded model against central finite differences (as
// TestModelVJP): the clamp is flat outside the box, so the product must
// drop those heads. Points within h of a box edge would make the finite
// difference straddle the kink; with random inputs none are (checked).
func TestModelBoundsVJP(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 6))
	for _, heads := range []Heads{HeadsProjected, HeadsDirect} {
		m := mdlNew(t, Config{Heads: heads, Activation: nn.SiLU, Bounds: Bounds{Lo: -0.3, Hi: 0.3}, NoiseWeight: 0.05}, 7)
		cfg := m.cfg
		cfg.Bounds, cfg.Heads = Bounds{}, HeadsDirect
		raw := newModel(cfg, m.feat, m.xf, m.eng)
		kk, d := m.Sizes()
		n := 5
		x := mdlRandX(n, d, r)
		u := mdlRandX(n, d, r)
		w := []float64{0.3, -1, 2, 0.5}[:kk]
		const h = 1e-5
		for _, a := range mdlAlphas {
			hr := trNewG(kk, n*d)
			raw.Eval(hr, a, x)
			for k := 1; k < kk; k++ {
				for _, v := range hr[k] {
					if math.Abs(math.Abs(v)-0.3) < 1e-4 {
						t.Fatalf("raw head %v within 1e-4 of the box edge: pick another seed", v)
					}
				}
			}
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
				fd := (fp - fm) / (2 * h)
				if math.Abs(fd-dx[i]) > 1e-7*math.Max(scale, 1) {
					t.Errorf("%v heads, α %v: dx[%d] = %g, finite difference %g", heads, a, i, dx[i], fd)
				}
			}
		}
	}
}

func TestBoundsValidate(t *testing.T) {
	for _, b := range []Bounds{{1, 1}, {1, -1}, {math.NaN(), 1}, {0, math.Inf(1)}} {
		if _, err := NewModel(Config{Marginals: 2, Dim: 1, Bounds: b}, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("bounds %v accepted", b)
		}
	}
}

// VJPAlpha of a bounded model with a weighted projection against central
// finite differences in α (as TestModelVJPAlpha), on a few rows whose raw
// data heads are all at least 1e-3 from the box edges, so that the α-steps
// of 1e-5 (which move a head by ≲ 1e-4) never cross the kink of the clamp.
func TestModelBoundsVJPAlpha(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 3))
	m := mdlNew(t, Config{Activation: nn.SiLU, Bounds: Bounds{Lo: -0.3, Hi: 0.3}, NoiseWeight: 0.05}, 8)
	cfg := m.cfg
	cfg.Bounds, cfg.Heads = Bounds{}, HeadsDirect
	raw := newModel(cfg, m.feat, m.xf, m.eng)
	kk, d := m.Sizes()
	n := 4
	x := mdlRandX(n, d, r)
	u := mdlRandX(n, d, r)
	w := []float64{0.3, -1, 2, 0.5}[:kk]
	const h = 1e-5
	for _, a := range mdlAlphas {
		hr := trNewG(kk, n*d)
		raw.Eval(hr, a, x)
		for k := 1; k < kk; k++ {
			for _, v := range hr[k] {
				if math.Abs(math.Abs(v)-0.3) < 1e-3 {
					t.Fatalf("raw head %v within 1e-3 of the box edge: pick another seed", v)
				}
			}
		}
		da := make([]float64, kk)
		m.VJPAlpha(da, nil, w, a, x, u)
		g := trNewG(kk, n*d)
		f := func(al []float64) float64 {
			m.Eval(g, al, x)
			s := 0.0
			for k := range g {
				for i, v := range g[k] {
					s += w[k] * u[i] * v
				}
			}
			return s
		}
		scale := 0.0
		for _, v := range da {
			scale = math.Max(scale, math.Abs(v))
		}
		for k := range a {
			al := append([]float64(nil), a...)
			al[k] += h
			fp := f(al)
			al[k] -= 2 * h
			fm := f(al)
			if fd := (fp - fm) / (2 * h); math.Abs(fd-da[k]) > 1e-6*math.Max(scale, 1) {
				t.Errorf("α %v: dα[%d] = %.10g, finite difference %.10g", a, k, da[k], fd)
			}
		}
	}
}

// A training step of a float32 model, plain and with Bounds and
// NoiseWeight (the image defaults), allocates nothing once its buffers
// exist: the clamp, the weighted projection and their gradients work in
// the trainer's scratch.
func TestTrainStepAllocs(t *testing.T) {
	for _, cfg := range []Config{
		{Hidden: []int{16, 16}, Float32: true, Norm: Affine{Scale: 1}},
		{Hidden: []int{16, 16}, Float32: true, Norm: Affine{Scale: 1}, Bounds: Bounds{Lo: -0.5, Hi: 0.5}, NoiseWeight: 0.03},
	} {
		tr, err := NewTrainer(cfg, bnUniform{4, 6}, Settings{Steps: 1 << 30, Batch: 32})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.trainStep(); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(10, func() {
			if _, err := tr.trainStep(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("bounds %v: %v allocations per training step, want 0", cfg.Bounds, n)
		}
	}
}

package gk

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mmi-go/mmi/nn"
)

// VJPAlpha against central finite differences of Σ_i u_i·Σ_k w_k g_k(α, x_i)
// in every coordinate of α (off the simplex too: α is a free vector), for
// both head layouts and feature kinds, with Bounds and NoiseWeight, and
// with Fourier features of x (whose dx VJPAlpha must get as VJP does, and
// whose inputs shift the rows' layout). h = 1e-5: truncation O(h²|∂³g|)
// ~ 1e-10·(B scale 2π)³ ≈ 1e-8 for Fourier features, rounding
// O(ε|Σ|/h) ~ 1e-10; 1e-6 of the largest entry catches a missing feature
// Jacobian term or projection term (O(1)). The batch crosses a chunk
// boundary, so a chunk offset mistake fails too. The last setting adds
// the preconditioning (pcTestConfig) to bounds and features of x: α then
// also moves the input u = (x − Σ α_k m_k)/σ(α), whose two terms (mean,
// σ) each change dα by O(1) when missing.
func TestModelVJPAlpha(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 15))
	for _, heads := range []Heads{HeadsProjected, HeadsDirect} {
		for _, feat := range []FeatureKind{FeaturesPlain, FeaturesFourier, -1, -2, -3} {
			cfg := Config{Heads: heads, Features: Features{Kind: feat}, Activation: nn.SiLU}
			if feat == -1 { // bounds (many heads clamped) and a weighted projection
				cfg.Features.Kind, cfg.NoiseWeight = FeaturesFourier, 0.05
			}
			if feat == -2 { // Fourier features of x
				cfg.Features.Kind, cfg.XFeatures = FeaturesFourier, XFeatures{Frequencies: 8, Scale: 1}
			}
			if feat == -3 { // preconditioning, with bounds and features of x
				cfg.Features.Kind, cfg.XFeatures = FeaturesFourier, XFeatures{Frequencies: 8, Scale: 1}
				cfg.Bounds, cfg.Precondition = Bounds{Lo: -2, Hi: 2}, pcTestConfig(4, 3)
			}
			m := mdlNew(t, cfg, 8)
			kk, d := m.Sizes()
			n := evalChunk + 3
			x := mdlRandX(n, d, r)
			u := mdlRandX(n, d, r)
			w := []float64{0.3, -1, 2, 0.5}[:kk]
			for _, a := range mdlAlphas {
				da := make([]float64, kk)
				dx := make([]float64, n*d)
				m.VJPAlpha(da, dx, w, a, x, u)
				ref := make([]float64, n*d)
				m.VJP(ref, w, a, x, u)
				for i := range ref {
					if math.Abs(ref[i]-dx[i]) > 1e-12*(1+math.Abs(ref[i])) {
						t.Fatalf("%v/%v α %v: dx[%d] = %g, VJP %g", heads, feat, a, i, dx[i], ref[i])
					}
				}
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
				h := 1e-5
				if feat == -3 {
					// Many heads sit near the box's faces, and a step of
					// 1e-5 moved one across (a kink: O(10) in dα); 1e-7
					// crosses 100× less often, rounding O(ε·10³/h) ~ 1e-6.
					h = 1e-7
				}
				for k := range a {
					al := append([]float64(nil), a...)
					al[k] += h
					fp := f(al)
					al[k] -= 2 * h
					fm := f(al)
					fd := (fp - fm) / (2 * h)
					if math.Abs(fd-da[k]) > 1e-6*math.Max(scale, 1) {
						t.Errorf("%v heads, %v features, α %v: dα[%d] = %.10g, finite difference %.10g", heads, feat, a, k, da[k], fd)
					}
				}
			}
		}
	}
}

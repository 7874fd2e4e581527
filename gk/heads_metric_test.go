package gk

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestApplyHeadsNoiseWeight checks the projected heads against what they
// are, with λ_0 ≠ 1: the point of {Σ_k α_k g_k = x} nearest to the raw
// heads h in the metric Σ_k λ_k |g_k − h_k|². Its optimality condition
// (Lagrange) is λ_k (g_k − h_k) = α_k μ for one vector μ and every k, so
// with the identity it fixes g; an inverted metric (λ_0 where 1/λ_0
// belongs) satisfies the identity but not the condition.
func TestApplyHeadsNoiseWeight(t *testing.T) {
	const k1, d = 4, 3
	r := rand.New(rand.NewPCG(2, 9))
	for _, lambda0 := range []float64{0.05, 0.3, 4} {
		inv := headInv(Config{Marginals: k1, NoiseWeight: lambda0})
		lambda := []float64{lambda0, 1, 1, 1}
		for range 20 {
			alpha := []float64{r.Float64(), r.Float64(), r.Float64(), r.Float64()}
			s := 0.0
			for _, a := range alpha {
				s += a
			}
			for k := range alpha {
				alpha[k] /= s
			}
			h := make([]float64, k1*d)
			x := make([]float64, d)
			for i := range h {
				h[i] = r.NormFloat64()
			}
			for i := range x {
				x[i] = r.NormFloat64()
			}
			g := make([][]float64, k1)
			for k := range g {
				g[k] = make([]float64, d)
			}
			applyHeads(HeadsProjected, nil, inv, g, h, alpha, x, 0, make([]float64, d))
			for j := 0; j < d; j++ {
				sum := 0.0
				for k := range g {
					sum += alpha[k] * g[k][j]
				}
				if math.Abs(sum-x[j]) > 1e-12 {
					t.Fatalf("λ_0 %g: Σ α_k g_k = %g, x = %g", lambda0, sum, x[j])
				}
				mu := lambda[0] * (g[0][j] - h[j]) / alpha[0]
				for k := 1; k < k1; k++ {
					if m := lambda[k] * (g[k][j] - h[k*d+j]) / alpha[k]; math.Abs(m-mu) > 1e-9*(1+math.Abs(mu)) {
						t.Fatalf("λ_0 %g, α %v: λ_k(g_k − h_k)/α_k is %g for k = %d and %g for k = 0: not the projection in that metric", lambda0, alpha, m, k, mu)
					}
				}
			}
		}
	}
}

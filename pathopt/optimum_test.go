package pathopt

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"

	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/simplex"
)

// elongated returns two centred 2-D Gaussians with standard deviations
// (a, b) and (b, a): elongated along different axes.
func elongated(t testing.TB, a, b float64) []*marginals.Mixture {
	return []*marginals.Mixture{
		single(gauss(t, []float64{0, 0}, a*a, 0, 0, b*b)),
		single(gauss(t, []float64{0, 0}, b*b, 0, 0, a*a)),
	}
}

// edgeSpeed2 is c(s) = E|g_2 − g_1|² at α = (0, 1−s, s) for the centred
// diagonal Gaussians of elongated, from the closed form: per axis i,
// g_2 − g_1 = D_i/S_i x_i with S_i = (1−s)²σ1_i² + s²σ2_i² and
// D_i = sσ2_i² − (1−s)σ1_i², so c(s) = Σ_i D_i²/S_i. Along a time
// reparameterization s(t) of the edge the cost is ∫ ṡ² c(s) dt.
func edgeSpeed2(s float64, sd1, sd2 [2]float64) float64 {
	c := 0.0
	for i := range 2 {
		v1, v2 := sd1[i]*sd1[i], sd2[i]*sd2[i]
		S := (1-s)*(1-s)*v1 + s*s*v2
		D := s*v2 - (1-s)*v1
		c += D * D / S
	}
	return c
}

// TestReparamOptimum: the best time reparameterization of the edge
// between two centred Gaussians elongated along different axes. Minimizing
// ∫ ṡ² c(s) dt over increasing s with s(0) = 0, s(1) = 1 is a 1-D
// variational problem: by Cauchy–Schwarz ∫√c(s) ds = ∫ ṡ√c dt ≤ (∫ ṡ²c dt)^½,
// with equality iff ṡ√c(s) is constant, so the optimum is (∫_0^1 √c(s) ds)².
// The test computes it by adaptive-free high-order quadrature of the closed
// form and requires the optimizer's path (its exact cost, by the same closed
// form, not the Monte Carlo estimate it minimized) within 1 % of it. The
// straight edge is 20 % above the optimum here, so a run that does not move
// fails.
func TestReparamOptimum(t *testing.T) {
	const a, b = 1.0, 0.8
	sd1, sd2 := [2]float64{a, b}, [2]float64{b, a}
	o, c := oracleSetup(t, elongated(t, a, b))
	e := estimator(t, o, c, 11, &EstimatorSettings{N: 1024, Nodes: 16})
	f := &Family{Points: [][]float64{simplex.Vertex(3, 1), simplex.Vertex(3, 2)}, Modes: 8, Reparam: true}
	res, err := Optimize(context.Background(), e, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	const nq = 2000
	root := quad.Fixed(func(s float64) float64 { return math.Sqrt(edgeSpeed2(s, sd1, sd2)) }, 0, 1, nq, quad.Legendre{}, 0)
	best := root * root
	straight := quad.Fixed(func(s float64) float64 { return edgeSpeed2(s, sd1, sd2) }, 0, 1, nq, quad.Legendre{}, 0)
	al, ad := make([]float64, 3), make([]float64, 3)
	exact := quad.Fixed(func(tt float64) float64 {
		res.Path.Alpha(al, tt)
		res.Path.AlphaDot(ad, tt)
		return ad[2] * ad[2] * edgeSpeed2(al[2], sd1, sd2)
	}, 0, 1, nq, quad.Legendre{}, 0)
	w2 := 2 * (a - b) * (a - b)
	t.Logf("W2² %.5f; optimum of reparameterizations %.5f; straight %.5f (estimate %.5f ± %.5f); optimized %.5f (estimate %.5f ± %.5f) after %d iterations, %s",
		w2, best, straight, res.Straight.Cost, res.Straight.StdErr, exact, res.Optimized.Cost, res.Optimized.StdErr, res.Iters, res.Status)
	if straight < 1.1*best {
		t.Fatalf("straight edge %.4g is within 10%% of the optimum %.4g: the test lacks power", straight, best)
	}
	if exact < best*(1-1e-9) {
		t.Errorf("optimized path costs %.6g, below the optimum %.6g of its family: the closed form or the path is wrong", exact, best)
	}
	if exact > 1.01*best {
		t.Errorf("optimized path costs %.6g, more than 1%% above the optimum %.6g", exact, best)
	}
}

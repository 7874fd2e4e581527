package gk_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
)

// One data marginal ρ_1 = N(3, 1) on R beside ρ_0 = N(0, 1). At α = (½, ½),
// x(α) ~ N(m, S) with m = 1.5 and S = ¼ + ¼ = ½, so at x = 2
//
//	g_0 = 0 + ½·1·(x − m)/S = 0.5,  g_1 = 3 + ½·1·(x − m)/S = 3.5,
//
// and α_0 g_0 + α_1 g_1 = x.
func ExampleOracle() {
	rho1, err := marginals.NewGaussian([]float64{3}, mat.NewSymDense(1, []float64{1}))
	if err != nil {
		panic(err)
	}
	mix, err := marginals.NewMixture([]float64{1}, []*marginals.Gaussian{rho1})
	if err != nil {
		panic(err)
	}
	o, err := gk.NewOracle([]*marginals.Mixture{mix})
	if err != nil {
		panic(err)
	}
	alpha := []float64{0.5, 0.5}
	x := []float64{2}
	g := [][]float64{make([]float64, 1), make([]float64, 1)}
	o.Eval(g, alpha, x)
	fmt.Printf("g_0 = %.4f, g_1 = %.4f\n", g[0][0], g[1][0])
	fmt.Printf("log ρ(α, x) = %.4f\n", o.LogDensity(alpha, x))
	score := make([]float64, 1)
	o.Score(score, alpha, x)
	fmt.Printf("score = %.4f = −g_0/α_0\n", score[0])
	// Output:
	// g_0 = 0.5000, g_1 = 3.5000
	// log ρ(α, x) = -0.8224
	// score = -1.0000 = −g_0/α_0
}

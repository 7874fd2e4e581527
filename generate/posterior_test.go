package generate

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
)

// The posterior weights of guidance, π_k ∝ exp(−|ẑ_k|²/2), are the exact
// posterior of the marginal given x when every marginal is a point mass
// (then x = (1 − t)z + t y_k, and ẑ_k is the noise itself). On tight
// Gaussians (σ = 0.02) they must match the exact posterior, ∝ N(x; tμ_k,
// (t²σ² + (1 − t)²)I), to 0.01 at points where it is far from one-hot;
// weights that ignored the noise heads, or took the wrong scale of
// them, differ by tenths.
func TestPosteriorPointMasses(t *testing.T) {
	const sigma = 0.02
	mu := [][]float64{{1, 0}, {0, 1}, {-1, -0.5}}
	var mix []*marginals.Mixture
	for _, m := range mu {
		g, err := marginals.NewGaussian(m, mat.NewSymDense(2, []float64{sigma * sigma, 0, 0, sigma * sigma}))
		if err != nil {
			t.Fatal(err)
		}
		mx, _ := marginals.NewMixture([]float64{1}, []*marginals.Gaussian{g})
		mix = append(mix, mx)
	}
	o, err := gk.NewOracle(mix)
	if err != nil {
		t.Fatal(err)
	}
	spread := 0.0
	for _, tt := range []float64{0.2, 0.35, 0.5} {
		for _, x := range [][]float64{{0.1, 0.1}, {0.05, -0.1}, {-0.1, 0.05}, {0.2 * tt, 0.3 * tt}, {0.4 * tt, 0.1 * tt}, {0.5 * tt, 0.45 * tt}} {
			z := make([][]float64, 4)
			for k := 1; k <= 3; k++ {
				g := [][]float64{make([]float64, 2), make([]float64, 2), make([]float64, 2), make([]float64, 2)}
				a := make([]float64, 4)
				a[0], a[k] = 1-tt, tt
				o.Eval(g, a, x)
				z[k] = g[0]
			}
			e := make([]float64, 4)
			posterior(e, z, 0, 2)
			s := tt*tt*sigma*sigma + (1-tt)*(1-tt)
			want := make([]float64, 4)
			sum := 0.0
			for k := 1; k <= 3; k++ {
				dx, dy := x[0]-tt*mu[k-1][0], x[1]-tt*mu[k-1][1]
				want[k] = math.Exp(-(dx*dx + dy*dy) / (2 * s))
				sum += want[k]
			}
			for k := 1; k <= 3; k++ {
				want[k] /= sum
				spread = max(spread, math.Abs(want[k]-1.0/3))
				if math.Abs(e[k]-want[k]) > 0.01 {
					t.Errorf("t = %g, x = %v: weight of %d = %.4f, exact posterior %.4f", tt, x, k, e[k], want[k])
				}
			}
		}
	}
	if spread < 0.2 {
		t.Fatalf("the exact posteriors are all within %.2f of uniform: the test cannot tell weights from none", spread)
	}
}

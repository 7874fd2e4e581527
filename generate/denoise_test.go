package generate_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/path"
)

// With Denoise τ the rows are g_j(α(1 − τ), X(1 − τ)) = E[x_j | x], whose
// law for Gaussian marginals is known: along i → j (independent x_i,
// x_j), x = τ x_i + (1 − τ) x_j and E[x_j | x] = μ_j + (1 − τ) Σ_j S⁻¹
// (x − τ μ_i − (1 − τ) μ_j), S = τ² Σ_i + (1 − τ)² Σ_j, a Gaussian of
// mean μ_j and covariance (1 − τ)² Σ_j S⁻¹ Σ_j. On the exact oracle the
// sample mean and covariance of 4000 rows must match it within 5
// standard errors (an entry of a sample covariance has standard error
// about √(2/n) times the variance scale, 0.022). At τ = 0.3 the
// contraction is 10–30 % of Σ_j, many standard errors: the flow's own end
// (law Σ_j), a read-out at α(1) (the rows themselves) or of another head
// fail.
func TestDenoiseGaussian(t *testing.T) {
	gauss := func(mu []float64, cov []float64) *marginals.Gaussian {
		g, err := marginals.NewGaussian(mu, mat.NewSymDense(2, cov))
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	noise := gauss([]float64{0, 0}, []float64{1, 0, 0, 1})
	g1 := gauss([]float64{2, -1}, []float64{0.5, 0.2, 0.2, 0.4})
	g2 := gauss([]float64{-1, 1}, []float64{1.2, -0.5, -0.5, 0.8})
	_, gen := gaussianOracle(t, [][]float64{g1.Mean(), g2.Mean()}, []*mat.SymDense{g1.Cov(), g2.Cov()})
	const n, tau = 4000, 0.3
	ctx := context.Background()
	for _, c := range []struct{ from, to int }{{0, 2}, {1, 2}, {2, 1}} {
		gs := []*marginals.Gaussian{noise, g1, g2}
		src, dst := gs[c.from], gs[c.to]
		r := rand.New(rand.NewPCG(3, uint64(c.from)))
		x, err := gen.Draw(c.from, n, r)
		if err != nil {
			t.Fatal(err)
		}
		p, err := generate.Polyline(3, c.from, c.to)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gen.Transport(ctx, x, p, r, &generate.Options{Solver: path.RK4{Steps: 40}, Denoise: tau}); err != nil {
			t.Fatal(err)
		}
		// The exact law: covariance (1 − τ)² Σ_j S⁻¹ Σ_j.
		var s, si, want mat.SymDense
		s.ScaleSym(tau*tau, src.Cov())
		var sj mat.SymDense
		sj.ScaleSym((1-tau)*(1-tau), dst.Cov())
		s.AddSym(&s, &sj)
		var chol mat.Cholesky
		if !chol.Factorize(&s) {
			t.Fatal("S is not positive definite")
		}
		if err := chol.InverseTo(&si); err != nil {
			t.Fatal(err)
		}
		var m mat.Dense
		m.Product(dst.Cov(), &si, dst.Cov())
		want.ReuseAsSym(2)
		for a := 0; a < 2; a++ {
			for b := a; b < 2; b++ {
				want.SetSym(a, b, (1-tau)*(1-tau)*m.At(a, b))
			}
		}
		mean, cov := metrics.MeanCov(x, 2)
		for a := 0; a < 2; a++ {
			if e := math.Abs(mean[a] - dst.Mean()[a]); e > 5*math.Sqrt(want.At(a, a)/n) {
				t.Errorf("%d → %d: mean[%d] = %.4f, want %.4f", c.from, c.to, a, mean[a], dst.Mean()[a])
			}
			for b := 0; b < 2; b++ {
				if e := math.Abs(cov.At(a, b) - want.At(a, b)); e > 5*math.Sqrt(2.0/n) {
					t.Errorf("%d → %d: cov[%d][%d] = %.4f, want %.4f (the flow's own end: %.4f)", c.from, c.to, a, b, cov.At(a, b), want.At(a, b), dst.Cov().At(a, b))
				}
			}
		}
	}
	// A path that does not end at a data marginal has nothing to read
	// out; a likelihood takes the flow itself.
	z := make([]float64, 20)
	back, _ := generate.Polyline(3, 2, 0)
	if _, err := gen.Transport(ctx, z, back, nil, &generate.Options{Denoise: 0.1}); err == nil {
		t.Error("denoising on a path to the Gaussian: no error")
	}
	to2, _ := generate.Polyline(3, 0, 2)
	if _, _, err := gen.TransportLogLikelihood(ctx, z, to2, nil, &generate.Options{Denoise: 0.1}); err == nil {
		t.Error("denoising a likelihood: no error")
	}
	if _, err := gen.Transport(ctx, z, to2, nil, &generate.Options{Denoise: 1}); err == nil {
		t.Error("denoising at τ = 1: no error")
	}
}

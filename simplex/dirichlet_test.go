package simplex_test

import (
	"math"
	"testing"

	"github.com/mmi-go/mmi/simplex"
)

func TestDirichletMoments(t *testing.T) {
	for _, beta := range [][]float64{
		{1, 1, 1},
		{0.5, 1, 2, 4.5},
		// Small concentrations: the boost U^{1/β} underflows in linear
		// space; the log-space normalisation must still give exact moments.
		{0.01, 0.02, 0.05},
		{50, 20},
	} {
		d, err := simplex.NewDirichlet(beta)
		if err != nil {
			t.Fatal(err)
		}
		r := newRand(4)
		const n = 40000
		x := make([][]float64, len(beta))
		a := make([]float64, len(beta))
		for i := 0; i < n; i++ {
			d.Sample(a, r)
			checkOnSimplex(t, a)
			for k := range a {
				x[k] = append(x[k], a[k])
			}
		}
		b0 := 0.0
		for _, b := range beta {
			b0 += b
		}
		for k, b := range beta {
			wantMean := b / b0
			wantVar := b * (b0 - b) / (b0 * b0 * (b0 + 1))
			mean, variance, seMean, seVar := moments(x[k])
			// 5 standard errors (estimated from the sample, fourth moment for
			// the variance): a correct sampler fails with probability < 1e-5
			// over all coordinates. Gamma(β+1) instead of Gamma(β), or an
			// unnormalised draw, misses the mean by tens of standard errors;
			// a wrong variance formula (e.g. β0 for β0+1) misses the variance.
			if math.Abs(mean-wantMean) > 5*seMean {
				t.Errorf("β=%v: E[α_%d] = %.5f, want %.5f (se %.5f)", beta, k, mean, wantMean, seMean)
			}
			if math.Abs(variance-wantVar) > 5*seVar {
				t.Errorf("β=%v: Var[α_%d] = %.6f, want %.6f (se %.6f)", beta, k, variance, wantVar, seVar)
			}
		}
	}
}

func TestDirichletErrors(t *testing.T) {
	for _, beta := range [][]float64{nil, {1}, {1, 0}, {1, -1}, {1, math.NaN()}, {1, math.Inf(1)}} {
		if _, err := simplex.NewDirichlet(beta); err == nil {
			t.Errorf("NewDirichlet(%v): no error", beta)
		}
	}
	if _, err := simplex.NewSymmetricDirichlet(1, 1); err == nil {
		t.Error("NewSymmetricDirichlet(1, 1): no error")
	}
	if _, err := simplex.NewSymmetricDirichlet(3, 0); err == nil {
		t.Error("NewSymmetricDirichlet(3, 0): no error")
	}
}

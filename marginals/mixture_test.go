package marginals_test

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"

	"github.com/mmi-go/mmi/marginals"
)

// mix2 is a 2-D mixture of three well-separated, differently shaped
// components with unnormalised weights 2 : 5 : 3.
func mix2(t *testing.T) (*marginals.Mixture, []float64, [][]float64, []*mat.SymDense) {
	t.Helper()
	w := []float64{2, 5, 3}
	means := [][]float64{{0, 0}, {3, 1}, {-2, 2.5}}
	covs := []*mat.SymDense{
		sym([]float64{1, 0}, []float64{0, 1}),
		sym([]float64{0.5, 0.1}, []float64{0.1, 0.3}),
		sym([]float64{0.8, -0.5}, []float64{-0.5, 1.2}),
	}
	comps := make([]*marginals.Gaussian, len(w))
	for c := range comps {
		g, err := marginals.NewGaussian(means[c], covs[c])
		if err != nil {
			t.Fatal(err)
		}
		comps[c] = g
	}
	m, err := marginals.NewMixture(w, comps)
	if err != nil {
		t.Fatal(err)
	}
	return m, []float64{0.2, 0.5, 0.3}, means, covs
}

func TestMixtureLogProb(t *testing.T) {
	m, w, means, covs := mix2(t)
	if !floats.EqualApprox(m.Weights, w, 1e-15) {
		t.Fatalf("weights %v, want normalised %v", m.Weights, w)
	}
	refs := make([]*distmv.Normal, len(w))
	for c := range refs {
		refs[c], _ = distmv.NewNormal(means[c], covs[c], nil)
	}
	r := newRand(7)
	for _, scale := range []float64{1, 3, 40} {
		x := make([]float64, 2*100)
		for i := range x {
			x[i] = scale * r.NormFloat64()
		}
		batch := make([]float64, 100)
		m.LogProbBatch(batch, x)
		for i := 0; i < 100; i++ {
			p := x[2*i : 2*i+2]
			// Brute force: log of the plain sum of weighted gonum
			// densities, where it does not underflow; otherwise the
			// log-sum-exp of gonum's log densities.
			terms := make([]float64, len(w))
			sum := 0.0
			for c := range w {
				terms[c] = math.Log(w[c]) + refs[c].LogProb(p)
				sum += w[c] * math.Exp(refs[c].LogProb(p))
			}
			want := math.Log(sum)
			if sum < 1e-300 {
				want = floats.LogSumExp(terms)
			}
			// 1e-10 relative: both are exact up to rounding; values reach
			// −10⁴ at scale 40. Dropping the weights, or summing log
			// densities instead of densities, is off by O(1).
			tol := 1e-10 * math.Max(1, math.Abs(want))
			if got := m.LogProb(p); math.Abs(got-want) > tol || math.IsInf(got, 0) {
				t.Errorf("LogProb(%v) = %.15g, want %.15g", p, got, want)
			}
			if math.Abs(batch[i]-want) > tol {
				t.Errorf("LogProbBatch row %d = %.15g, want %.15g", i, batch[i], want)
			}
		}
	}
}

// TestMixtureDensityIntegrates integrates exp(LogProb) over a grid that
// holds all but ~e^{-40} of the mass. The midpoint rule on a smooth,
// rapidly decaying density is accurate far beyond 1e-6 at step 0.05, so
// 1e-6 catches a missing normalising constant, unnormalised weights or a
// wrong determinant.
func TestMixtureDensityIntegrates(t *testing.T) {
	m, _, _, _ := mix2(t)
	const lo, hi, h = -12.0, 14.0, 0.05
	n := int((hi - lo) / h)
	x := make([]float64, 2*n)
	lp := make([]float64, n)
	total := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			x[2*j] = lo + (float64(i)+0.5)*h
			x[2*j+1] = lo + (float64(j)+0.5)*h
		}
		m.LogProbBatch(lp, x)
		for _, v := range lp {
			total += math.Exp(v) * h * h
		}
	}
	if math.Abs(total-1) > 1e-6 {
		t.Errorf("∫ρ = %.10f, want 1", total)
	}
}

func TestMixtureMoments(t *testing.T) {
	m, w, means, covs := mix2(t)
	// Closed form: mean Σ w_c μ_c, cov Σ w_c (Σ_c + μ_c μ_cᵀ) − m mᵀ.
	mean := make([]float64, 2)
	for c := range w {
		floats.AddScaled(mean, w[c], means[c])
	}
	cov := mat.NewSymDense(2, nil)
	for c := range w {
		for a := 0; a < 2; a++ {
			for b := a; b < 2; b++ {
				cov.SetSym(a, b, cov.At(a, b)+w[c]*(covs[c].At(a, b)+means[c][a]*means[c][b]))
			}
		}
	}
	for a := 0; a < 2; a++ {
		for b := a; b < 2; b++ {
			cov.SetSym(a, b, cov.At(a, b)-mean[a]*mean[b])
		}
	}
	const n = 40000
	x := make([]float64, 2*n)
	m.Sample(x, newRand(8))
	// Equal weights instead of 0.2/0.5/0.3 move the mean by ≈ 0.3, about
	// 20 standard errors.
	checkMoments(t, "mixture", x, 2, mean, cov)
}

func TestMixtureZeroWeight(t *testing.T) {
	far, _ := marginals.NewGaussian([]float64{1000}, sym([]float64{1}))
	near := marginals.StandardGaussian(1)
	m, err := marginals.NewMixture([]float64{1, 0}, []*marginals.Gaussian{near, far})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 10000)
	m.Sample(x, newRand(9))
	if slices.Max(x) > 100 {
		t.Error("a zero-weight component was sampled")
	}
	// A zero-weight component adds nothing to the density.
	if got, want := m.LogProb([]float64{0.7}), near.LogProb([]float64{0.7}); math.Abs(got-want) > 1e-15 {
		t.Errorf("LogProb = %v, want %v", got, want)
	}
}

func TestNewMixtureErrors(t *testing.T) {
	g1 := marginals.StandardGaussian(1)
	g2 := marginals.StandardGaussian(2)
	for _, tc := range []struct {
		w []float64
		c []*marginals.Gaussian
	}{
		{nil, nil},
		{[]float64{1}, []*marginals.Gaussian{g1, g1}},
		{[]float64{1, 1}, []*marginals.Gaussian{g1, g2}},
		{[]float64{-1, 2}, []*marginals.Gaussian{g1, g1}},
		{[]float64{0, 0}, []*marginals.Gaussian{g1, g1}},
		{[]float64{math.NaN(), 1}, []*marginals.Gaussian{g1, g1}},
		{[]float64{math.Inf(1), 1}, []*marginals.Gaussian{g1, g1}},
		{[]float64{1, 1}, []*marginals.Gaussian{g1, nil}},
	} {
		if _, err := marginals.NewMixture(tc.w, tc.c); err == nil {
			t.Errorf("NewMixture(%v, …): no error", tc.w)
		}
	}
}

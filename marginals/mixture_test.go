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
	if !floats.EqualApprox(m.Weights(), w, 1e-15) {
		t.Fatalf("weights %v, want normalised %v", m.Weights(), w)
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
	// Mean and Cov give the same closed form (Cov in its centred form).
	if got := m.Mean(); !floats.EqualApprox(got, mean, 1e-12) {
		t.Errorf("Mean() = %v, want %v", got, mean)
	}
	if got := m.Cov(); !mat.EqualApprox(got, cov, 1e-12) {
		t.Errorf("Cov() = %v, want %v", mat.Formatted(got), mat.Formatted(cov))
	}
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
		{[]float64{1, 1}, []*marginals.Gaussian{g1, new(marginals.Gaussian)}},
	} {
		if _, err := marginals.NewMixture(tc.w, tc.c); err == nil {
			t.Errorf("NewMixture(%v, …): no error", tc.w)
		}
	}
}

// TestNewMixtureHugeWeights: finite weights whose sum overflows float64
// are normalized like any others. Dividing by the overflowed sum, as
// NewMixture once did, turns them all into 0, a mixture that samples
// only its last component and has density 0 everywhere.
func TestNewMixtureHugeWeights(t *testing.T) {
	g := marginals.StandardGaussian(1)
	for _, tc := range []struct {
		w, want []float64
	}{
		{[]float64{1e308, 1e308}, []float64{0.5, 0.5}},
		{[]float64{math.MaxFloat64, math.MaxFloat64, math.MaxFloat64, math.MaxFloat64}, []float64{0.25, 0.25, 0.25, 0.25}},
		{[]float64{1.5e308, 0.5e308, 0}, []float64{0.75, 0.25, 0}},
		{[]float64{5e-324, 5e-324}, []float64{0.5, 0.5}}, // the smallest weights too
	} {
		comps := make([]*marginals.Gaussian, len(tc.w))
		for c := range comps {
			comps[c] = g
		}
		m, err := marginals.NewMixture(tc.w, comps)
		if err != nil {
			t.Errorf("NewMixture(%v): %v", tc.w, err)
			continue
		}
		// 1e-15: the normalization is exact up to one rounding per weight.
		if !floats.EqualApprox(m.Weights(), tc.want, 1e-15) {
			t.Errorf("NewMixture(%v): weights %v, want %v", tc.w, m.Weights(), tc.want)
		}
		if lp := m.LogProb([]float64{0}); math.Abs(lp-g.LogProb([]float64{0})) > 1e-12 {
			t.Errorf("NewMixture(%v): log density at 0 is %v, want that of N(0, 1), %v", tc.w, lp, g.LogProb([]float64{0}))
		}
	}
}

// TestMixtureAccessorsCopy: what the accessors return is a copy, so a
// caller cannot change a mixture or a Gaussian after its constructor
// checked it.
func TestMixtureAccessorsCopy(t *testing.T) {
	m, w, means, covs := mix2(t)
	m.Weights()[0] = -1
	m.Components()[0] = nil
	c := m.Components()[1]
	c.Mean()[0] = math.NaN()
	c.Cov().SetSym(0, 0, -5)
	if !floats.EqualApprox(m.Weights(), w, 1e-15) || m.Components()[0] == nil || m.Len() != 3 {
		t.Errorf("mixture changed through its accessors: weights %v, components %v", m.Weights(), m.Components())
	}
	if !slices.Equal(c.Mean(), means[1]) || !mat.Equal(c.Cov(), covs[1]) {
		t.Errorf("Gaussian changed through its accessors: mean %v, cov %v", c.Mean(), mat.Formatted(c.Cov()))
	}
}

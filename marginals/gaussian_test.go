package marginals_test

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"

	"github.com/mmi-go/mmi/marginals"
)

var (
	// A covariance with unequal variances and strong correlations, so that
	// L Lᵀ and Lᵀ L differ (TestGaussianMoments checks that they do).
	cov3  = sym([]float64{4, 1.2, -0.5}, []float64{1.2, 1, 0.2}, []float64{-0.5, 0.2, 0.5})
	mean3 = []float64{1, -2, 0.5}
)

func TestGaussianLogProbMatchesGonum(t *testing.T) {
	r := newRand(1)
	for _, tc := range []struct {
		mean []float64
		cov  *mat.SymDense
	}{
		{mean3, cov3},
		{[]float64{0.3}, sym([]float64{2.5})},
		{[]float64{1, 2}, sym([]float64{0.5, 0}, []float64{0, 3})}, // diagonal path
		{make([]float64, 5), marginals.StandardGaussian(5).Cov()},
	} {
		g, err := marginals.NewGaussian(tc.mean, tc.cov)
		if err != nil {
			t.Fatal(err)
		}
		ref, ok := distmv.NewNormal(tc.mean, tc.cov, nil)
		if !ok {
			t.Fatal("distmv.NewNormal failed")
		}
		d := len(tc.mean)
		const n = 50
		x := make([]float64, n*d)
		for i := range x {
			x[i] = 3 * r.NormFloat64() // also far out in the tails
		}
		batch := make([]float64, n)
		g.LogProbBatch(batch, x)
		for i := 0; i < n; i++ {
			want := ref.LogProb(x[i*d : (i+1)*d])
			// Both are exact formulas in float64 with values of size ≤ 100:
			// 1e-10 leaves room for rounding only. A missing 2π, determinant
			// or factor ½ is off by O(1).
			if got := g.LogProb(x[i*d : (i+1)*d]); math.Abs(got-want) > 1e-10 {
				t.Errorf("d=%d: LogProb = %.15g, gonum %.15g", d, got, want)
			}
			if math.Abs(batch[i]-want) > 1e-10 {
				t.Errorf("d=%d: LogProbBatch = %.15g, gonum %.15g", d, batch[i], want)
			}
		}
	}
}

func TestGaussianMoments(t *testing.T) {
	g, err := marginals.NewGaussian(mean3, cov3)
	if err != nil {
		t.Fatal(err)
	}
	const n = 40000
	x := make([]float64, n*3)
	g.Sample(x, newRand(2))
	checkMoments(t, "Gaussian", x, 3, mean3, cov3)

	// The tolerance must be able to catch x = Mean + Lᵀz (covariance LᵀL):
	// some entry of LᵀL must differ from Cov by more than twice the largest
	// tolerance, 5 standard errors of cov[0,0] = 5·√(2·4²/n) ≈ 0.14.
	var chol mat.Cholesky
	chol.Factorize(cov3)
	var l mat.TriDense
	chol.LTo(&l)
	var ltl mat.Dense
	ltl.Mul(l.T(), &l)
	var d mat.Dense
	d.Sub(&ltl, cov3)
	if mat.Norm(&d, math.Inf(1)) < 0.3 {
		t.Fatalf("test covariance too symmetric: LᵀL − LLᵀ = %v", mat.Formatted(&d))
	}

	// Diagonal and standard Gaussians take the O(d) path.
	diagCov := sym([]float64{0.25, 0}, []float64{0, 9})
	gd, _ := marginals.NewGaussian([]float64{-1, 3}, diagCov)
	xd := make([]float64, n*2)
	gd.Sample(xd, newRand(3))
	checkMoments(t, "diagonal", xd, 2, []float64{-1, 3}, diagCov)
	std := marginals.StandardGaussian(4)
	xs := make([]float64, n*4)
	std.Sample(xs, newRand(4))
	checkMoments(t, "standard", xs, 4, make([]float64, 4), std.Cov())
}

func TestGaussianReproducible(t *testing.T) {
	g, err := marginals.NewGaussian(mean3, cov3)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := make([]float64, 30), make([]float64, 30), make([]float64, 30)
	g.Sample(a, newRand(5))
	g.Sample(b, newRand(5))
	g.Sample(c, newRand(6))
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Error("same seed must give the same samples, another seed others")
	}
}

func TestNewGaussianErrors(t *testing.T) {
	for _, tc := range []struct {
		mean []float64
		cov  *mat.SymDense
	}{
		{nil, mat.NewSymDense(1, []float64{1})},
		{[]float64{0, 0}, mat.NewSymDense(1, []float64{1})},
		{[]float64{0, 0}, sym([]float64{1, 2}, []float64{2, 1})}, // indefinite
		{[]float64{math.NaN()}, mat.NewSymDense(1, []float64{1})},
		{[]float64{0}, mat.NewSymDense(1, []float64{math.Inf(1)})},
	} {
		if _, err := marginals.NewGaussian(tc.mean, tc.cov); err == nil {
			t.Errorf("NewGaussian(%v, %v): no error", tc.mean, tc.cov)
		}
	}
}

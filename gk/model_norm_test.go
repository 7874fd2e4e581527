package gk

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/mmi-go/mmi/marginals"
	"gonum.org/v1/gonum/mat"
)

// TestFitAffineWithin compares the within-marginal scale fitted from
// 20000 draws with its exact value from the mixtures' moments, to 2 %
// (the relative standard error of a variance from 20000 draws of these
// mixtures is under 1 %). The mixtures of trMixtures sit apart, so the
// pooled scale is 2.4 times larger: FitAffine in its place, or a scale
// about the pooled centre, fails. The centre is FitAffine's.
func TestFitAffineWithin(t *testing.T) {
	mix := trMixtures(t)
	c := trCoupling(t, mix)
	a, err := FitAffineWithin(c, 20000, rand.New(rand.NewPCG(1, 9)))
	if err != nil {
		t.Fatal(err)
	}
	pooled, err := FitAffine(c, 20000, rand.New(rand.NewPCG(1, 9)))
	if err != nil {
		t.Fatal(err)
	}
	d := 2
	v := 0.0
	for _, m := range mix {
		mean := make([]float64, d)
		for j, g := range m.Components() {
			for i := range mean {
				mean[i] += m.Weights()[j] * g.Mean()[i]
			}
		}
		for j, g := range m.Components() {
			for i := range mean {
				v += m.Weights()[j] * (g.Cov().At(i, i) + (g.Mean()[i]-mean[i])*(g.Mean()[i]-mean[i])) / float64(len(mix)*d)
			}
		}
	}
	want := math.Sqrt(v)
	if math.Abs(a.Scale/want-1) > 0.02 {
		t.Errorf("within scale %v, want %v (pooled %v)", a.Scale, want, pooled.Scale)
	}
	if pooled.Scale < 1.5*want {
		t.Errorf("pooled scale %v and within %v too close for the test to tell them apart", pooled.Scale, want)
	}
	for i := range a.Center {
		if a.Center[i] != pooled.Center[i] {
			t.Errorf("centre %v, want FitAffine's %v", a.Center, pooled.Center)
		}
	}
}

// TestTrainerNormWithin checks that Settings.Norm reaches the model's
// normalization, survives a checkpoint (a resumed run keeps fitting
// nothing and reports the setting), and that a bad value is refused.
func TestTrainerNormWithin(t *testing.T) {
	mix := trMixtures(t)
	c := trCoupling(t, mix)
	set := Settings{Steps: 4, Batch: 16, Seed: 3, Norm: NormWithin}
	tr, err := NewTrainer(Config{Hidden: []int{8}}, c, set)
	if err != nil {
		t.Fatal(err)
	}
	want, err := FitAffineWithin(c, 4096, rand.New(rand.NewPCG(3, streamNorm)))
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Model().Normalization(); got.Scale != want.Scale {
		t.Errorf("model scale %v, want FitAffineWithin's %v", got.Scale, want.Scale)
	}
	path := filepath.Join(t.TempDir(), "w.mmi")
	tr.Path = path
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	back, err := Resume(path, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if back.Settings().Norm != NormWithin || back.Model().Normalization().Scale != want.Scale {
		t.Errorf("resumed: norm fit %v, scale %v; want within, %v", back.Settings().Norm, back.Model().Normalization().Scale, want.Scale)
	}
	set.Norm = NormFit(7)
	if _, err := NewTrainer(Config{Hidden: []int{8}}, c, set); err == nil {
		t.Error("normalization fit 7 accepted")
	}
	if f, err := ParseNormFit("within"); err != nil || f != NormWithin {
		t.Errorf("ParseNormFit(within) = %v, %v", f, err)
	}
	if _, err := ParseNormFit("pool"); err == nil {
		t.Error("ParseNormFit(pool) accepted")
	}
}

// TestFitAffineWithinFar: a marginal 10⁸ units from the first keeps its
// variance. About the first marginal's origin, E[y²] − E[y]² of the far
// one cancels 10¹⁶ against 10¹⁶ and leaves rounding of order 1 (the scale
// then comes out wrong by tens of per cent or not at all); each marginal
// about its own first draw keeps the 1.5 % of 4096 draws.
func TestFitAffineWithinFar(t *testing.T) {
	cov := mat.NewSymDense(1, []float64{1})
	near, err := marginals.NewGaussian([]float64{0}, cov)
	if err != nil {
		t.Fatal(err)
	}
	far, err := marginals.NewGaussian([]float64{1e8}, cov)
	if err != nil {
		t.Fatal(err)
	}
	c, err := marginals.NewIndependent(marginals.StandardGaussian(1), near, far)
	if err != nil {
		t.Fatal(err)
	}
	a, err := FitAffineWithin(c, 4096, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(a.Scale-1) > 0.07 { // 3 standard errors of a variance from 2·4096 draws, halved for the root
		t.Errorf("within scale %v with a marginal 1e8 away, want 1", a.Scale)
	}
}

package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSourceCorrelationExact: two pairs whose correlations are known in
// closed form. Outputs are affine copies of their own sources (correlation
// 1) and orthogonal, after centring, to the other source (0): with two rows
// the other source is forced, so Own = 1 and Other = 0 exactly.
func TestSourceCorrelationExact(t *testing.T) {
	src := []float64{1, 2, 3, 1, 0, 1}
	out := []float64{2, 4, 6, 5, -1, 5} // 2·src₀; 6·src₁ − 1
	tie, err := SourceCorrelation(out, src, 3, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(tie.Own-1) > 1e-15 || math.Abs(tie.Other) > 1e-15 || tie.N != 2 || tie.OwnSE > 1e-15 || tie.OtherSE > 1e-15 {
		t.Errorf("got %+v, want Own 1, Other 0 (standard errors 0), N 2", tie)
	}
	// A constant output has no correlation with anything; the second
	// output, (2, 4, 6), is orthogonal to its own source and an affine copy
	// of the other.
	tie, _ = SourceCorrelation([]float64{7, 7, 7, 2, 4, 6}, src, 3, rand.New(rand.NewPCG(1, 1)))
	if math.Abs(tie.Own) > 1e-15 || math.Abs(tie.Other-0.5) > 1e-15 {
		t.Errorf("constant first output: got %+v, want Own 0, Other 0.5", tie)
	}
	for _, c := range []struct{ out, src []float64 }{
		{out[:3], src[:3]}, // one row
		{out[:5], src[:5]}, // partial rows
		{out, src[:3]},     // sizes differ
	} {
		if _, err := SourceCorrelation(c.out, c.src, 3, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%d outputs, %d sources: no error", len(c.out), len(c.src))
		}
	}
}

// TestSourceCorrelationStatistical: outputs o = ρ·s + √(1−ρ²)·z of
// independent Gaussian images s, z have population correlation ρ with
// their own source and 0 with any other. Each image is then scaled and
// shifted by its own factor (the same for an output and its source), which
// Pearson's correlation ignores but a pooled correlation over the whole set,
// an unnormalized covariance or an uncentred one would not: the shifts
// alone would lift those near 1. Over n = 400 images of d = 256 pixels the
// mean correlations have a standard error of about 0.003 (each per-image
// correlation has one of about (1−ρ²)/√d ≈ 0.05 for Own, 1/√d for
// Other); the tolerance is 0.02, beyond 6 standard errors.
func TestSourceCorrelationStatistical(t *testing.T) {
	const n, d, rho = 400, 256, 0.6
	r := rand.New(rand.NewPCG(3, 4))
	src, out := make([]float64, n*d), make([]float64, n*d)
	for i := 0; i < n; i++ {
		scale, shift := 0.5+3*r.Float64(), 10*r.NormFloat64()
		for p := 0; p < d; p++ {
			s := r.NormFloat64()
			src[i*d+p] = scale*s + shift
			out[i*d+p] = scale*(rho*s+math.Sqrt(1-rho*rho)*r.NormFloat64()) + shift
		}
	}
	tie, err := SourceCorrelation(out, src, d, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(tie.Own-rho) > 0.02 || math.Abs(tie.Other) > 0.02 {
		t.Errorf("got Own %.4f, Other %.4f; want %v and 0 within 0.02", tie.Own, tie.Other, rho)
	}
	// Standard errors: a sample correlation of d pixels has a standard
	// deviation of about (1−ρ²)/√d, so 0.04/√n = 0.002 for Own and
	// 0.0625/√n ≈ 0.0031 for Other.
	if math.Abs(tie.OwnSE/0.002-1) > 0.3 || math.Abs(tie.OtherSE/0.0031-1) > 0.3 {
		t.Errorf("standard errors %.4f, %.4f; want about 0.002 and 0.0031", tie.OwnSE, tie.OtherSE)
	}
	// Other never pairs an output with its own source: were it to, with
	// n = 2 and out = src the result would exceed 0 (here exactly −1,
	// the other source being the negation).
	two := []float64{1, 2, 3, -1, -2, -3}
	if tie, _ := SourceCorrelation(two, two, 3, rand.New(rand.NewPCG(7, 8))); tie.Own != 1 || tie.Other != -1 {
		t.Errorf("two rows: got %+v, want Own 1, Other −1", tie)
	}
}

func ExampleSourceCorrelation() {
	// Two 1×4 images and their translations, each keeping its source's
	// pattern (the second not exactly).
	src := []float64{0, 1, 2, 3, 3, 0, 0, 3}
	out := []float64{0, 2, 4, 6, 3, 1, 0, 3}
	tie, err := SourceCorrelation(out, src, 4, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		panic(err)
	}
	fmt.Printf("own %.2f, other %.2f over %d images\n", tie.Own, tie.Other, tie.N)
	// Output: own 0.98, other -0.04 over 2 images
}

package metrics

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func sym2(a, b, c float64) *mat.SymDense { return mat.NewSymDense(2, []float64{a, b, b, c}) }

// For 2×2 positive definite M, tr √M = √(tr M + 2√det M) (the eigenvalues'
// square roots s1, s2 satisfy (s1+s2)² = tr M + 2 s1 s2). With
// M = Σ2^{1/2} Σ1 Σ2^{1/2}: tr M = tr(Σ1Σ2), det M = det Σ1 det Σ2. This is
// an independent route to the closed form, without matrix square roots.
func gaussianW2Squared2x2(dmu2 float64, s1, s2 *mat.SymDense) float64 {
	var p mat.Dense
	p.Mul(s1, s2)
	cross := math.Sqrt(mat.Trace(&p) + 2*math.Sqrt(mat.Det(s1)*mat.Det(s2)))
	return dmu2 + mat.Trace(s1) + mat.Trace(s2) - 2*cross
}

func TestGaussianW2(t *testing.T) {
	// 1-D: (μ1 − μ2)² + (σ1 − σ2)².
	got := GaussianW2([]float64{1}, diag(4), []float64{-0.5}, diag(0.25))
	if want := math.Sqrt(1.5*1.5 + 1.5*1.5); math.Abs(got-want) > 1e-12 {
		t.Errorf("1-D: %v, want %v", got, want)
	}
	// Commuting (diagonal) covariances: Σ(√a_i − √b_i)².
	got = GaussianW2([]float64{0, 0, 0}, diag(1, 9, 0.04), []float64{0, 1, 0}, diag(4, 1, 0.01))
	if want := math.Sqrt(1 + 1 + 4 + 0.01); math.Abs(got-want) > 1e-12 {
		t.Errorf("diagonal: %v, want %v", got, want)
	}
	// Non-commuting 2×2: against the trace-determinant form, in both
	// orders (the formula is not visibly symmetric in its arguments).
	s1, s2 := sym2(2, 0.9, 1), sym2(0.5, -0.3, 3)
	want := math.Sqrt(gaussianW2Squared2x2(0.25+1, s1, s2))
	for _, got := range []float64{
		GaussianW2([]float64{0.5, 1}, s1, []float64{0, 0}, s2),
		GaussianW2([]float64{0, 0}, s2, []float64{0.5, 1}, s1),
	} {
		if math.Abs(got-want) > 1e-12 { // eigendecomposition rounding
			t.Errorf("2×2: %v, trace-determinant form %v", got, want)
		}
	}
	// A law against itself, and a singular (rank-1) covariance.
	if got := GaussianW2([]float64{1, 2}, s1, []float64{1, 2}, s1); got > 1e-7 { // √(rounding)
		t.Errorf("same Gaussian: %v", got)
	}
	got = GaussianW2([]float64{0, 0}, sym2(1, 1, 1), []float64{0, 0}, diag(0, 0))
	if want := math.Sqrt(2); math.Abs(got-want) > 1e-12 {
		t.Errorf("rank 1 vs point mass: %v, want √2", got)
	}
	mustPanic(t, "sizes", func() { GaussianW2([]float64{0}, diag(1, 1), []float64{0, 0}, diag(1, 1)) })
}

func TestMeanCov(t *testing.T) {
	a := []float64{1, 2, 3, 6, 5, 4} // rows (1,2), (3,6), (5,4)
	mean, cov := MeanCov(a, 2)
	// mean (3, 4); deviations (−2,−2), (0,2), (2,0); divide by n−1 = 2.
	wantMean := []float64{3, 4}
	wantCov := [][]float64{{4, 2}, {2, 4}}
	for i := range 2 {
		if math.Abs(mean[i]-wantMean[i]) > 1e-14 {
			t.Errorf("mean %v, want %v", mean, wantMean)
		}
		for j := range 2 {
			if math.Abs(cov.At(i, j)-wantCov[i][j]) > 1e-14 {
				t.Errorf("cov %v, want %v", mat.Formatted(cov), wantCov)
			}
		}
	}
	mustPanic(t, "one row", func() { MeanCov([]float64{1, 2}, 2) })
}

func TestCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	a := normals(r, 300, []float64{0, 0}, 1)
	b := normals(r, 250, []float64{1, 0}, 1)
	rep, err := Compare(a, b, 2, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	// Below CompareMaxPoints nothing is subsampled, so the report is the
	// three functions' values exactly.
	if e := Energy(a, b, 2); rep.Energy != e {
		t.Errorf("energy %v, want %v", rep.Energy, e)
	}
	if m := MMD(a, b, 2, nil); rep.MMD != m {
		t.Errorf("MMD %v, want %v", rep.MMD, m)
	}
	if s := SlicedW2(a, b, 2, DefaultProjections, rand.New(rand.NewPCG(7, 7))); rep.SlicedW2 != s {
		t.Errorf("sliced W2 %v, want %v", rep.SlicedW2, s)
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]float64
	if err := json.Unmarshal(js, &keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 || keys["energy"] != rep.Energy || keys["mmd"] != rep.MMD || keys["sliced_w2"] != rep.SlicedW2 {
		t.Errorf("JSON %s", js)
	}

	for _, c := range []struct {
		name string
		a, b []float64
		d    int
	}{
		{"d=0", a, b, 0},
		{"ragged", a[:5], b, 2},
		{"one row", a[:2], b, 2},
		{"NaN", append([]float64{math.NaN(), 0}, a...), b, 2},
		{"Inf", a, append([]float64{math.Inf(1), 0}, b...), 2},
	} {
		if _, err := Compare(c.a, c.b, c.d, r); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// Large sets are subsampled; the same seed reproduces the report.
func TestCompareLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	a := normals(r, CompareMaxPoints+500, []float64{0}, 1)
	b := normals(r, CompareMaxPoints+100, []float64{0.5}, 1)
	x, err := Compare(a, b, 1, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	y, _ := Compare(a, b, 1, rand.New(rand.NewPCG(1, 1)))
	if x != y {
		t.Errorf("same seed: %+v and %+v", x, y)
	}
	// The closed form of TestEnergyGaussian1D at μ = 0.5 is 0.1396; with
	// 3000 points per set the standard error is ≈ 0.014, so 0.06 is over 4.
	if want := 2*foldedMean(0.5, math.Sqrt2) - 2*foldedMean(0, math.Sqrt2); math.Abs(x.Energy-want) > 0.06 {
		t.Errorf("energy %v, closed form %v", x.Energy, want)
	}
}

func TestSubsample(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	const n, k, reps = 10, 4, 20000
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = float64(i / 2) // row i is (i, i)
	}
	count := make([]int, n)
	for rep := 0; rep < reps; rep++ {
		s := Subsample(x, 2, k, r)
		if len(s) != 2*k {
			t.Fatalf("%d numbers, want %d", len(s), 2*k)
		}
		for j := 0; j < k; j++ {
			if s[2*j] != s[2*j+1] || (j > 0 && s[2*j] <= s[2*j-2]) {
				t.Fatalf("rows not distinct, whole and in order: %v", s)
			}
			count[int(s[2*j])]++
		}
	}
	// Each row is kept with probability k/n = 0.4: binomial sd
	// √(reps·0.4·0.6) ≈ 69; 4 sd = 277 around 8000. Keeping the first k rows,
	// or favouring early rows, fails.
	for i, c := range count {
		if math.Abs(float64(c)-reps*0.4) > 277 {
			t.Errorf("row %d kept %d times of %d, want ≈ %d", i, c, reps, reps*4/10)
		}
	}
	if s := Subsample(x, 2, 20, r); &s[0] != &x[0] {
		t.Error("n ≤ k should return x itself")
	}
}

// In one dimension every direction is ±1, so the sliced distance is the
// exact W2 between the two empirical measures, here {0, 1} and {2, 3, 4}:
// on the quantile scale (0,1/3]: 0 vs 2, (1/3,1/2]: 0 vs 3, (1/2,2/3]: 1 vs 3,
// (2/3,1]: 1 vs 4, so W2² = 4/3 + 9/6 + 4/6 + 9/3 = 13/2.
func ExampleSlicedW2() {
	r := rand.New(rand.NewPCG(1, 2))
	a := []float64{0, 1}
	b := []float64{2, 3, 4}
	sw := SlicedW2(a, b, 1, 10, r)
	fmt.Printf("SW2² = %.4f\n", sw*sw)
	// Output:
	// SW2² = 6.5000
}

func ExampleW2Exact() {
	// Two squares of side 1, the second shifted by (3, 4): W2 = |(3, 4)| = 5.
	a := []float64{0, 0, 1, 0, 0, 1, 1, 1}
	b := []float64{4, 5, 3, 4, 4, 4, 3, 5}
	w, err := W2Exact(a, b, 2)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.6f\n", w)
	// Output:
	// 5.000000
}

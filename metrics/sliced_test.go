package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// For n ≠ m, repeating every x_i m times and every y_j n times gives two
// sorted sets of n·m points with the same empirical measures; their W2² is
// the mean of squared differences of matched order statistics.
func TestW2Squared1DUnequal(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, c := range []struct{ n, m int }{{1, 1}, {1, 4}, {7, 5}, {6, 4}, {13, 17}} {
		x := normals(r, c.n, []float64{0}, 1)
		y := normals(r, c.m, []float64{0.5}, 2)
		slices.Sort(x)
		slices.Sort(y)
		var xr, yr []float64
		for _, v := range x {
			for k := 0; k < c.m; k++ {
				xr = append(xr, v)
			}
		}
		for _, v := range y {
			for k := 0; k < c.n; k++ {
				yr = append(yr, v)
			}
		}
		want := 0.0
		for i := range xr {
			want += (xr[i] - yr[i]) * (xr[i] - yr[i])
		}
		want /= float64(len(xr))
		got := W2Squared1D(x, y)
		if math.Abs(got-want) > 1e-12 { // rounding of a sum of ≤ 221 terms
			t.Errorf("n=%d m=%d: W2² %.15g, replicated sets %.15g", c.n, c.m, got, want)
		}
	}
}

// Translating by c: each projected W2² is exactly (θ·c)², whose mean over
// uniform θ on the sphere S^{d−1} is |c|²/d with variance
// |c|⁴·2(d−1)/(d²(d+2)) (θ_1² ~ Beta(1/2, (d−1)/2)).
func TestSlicedW2Shift(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	const n, d, proj = 100, 3, 2000
	a := normals(r, n, []float64{0, 0, 0}, 1)
	c := []float64{1.2, -0.5, 0.9}
	b := make([]float64, len(a))
	for i := range b {
		b[i] = a[i] + c[i%d]
	}
	got := SlicedW2(a, b, d, proj, r)
	c2 := c[0]*c[0] + c[1]*c[1] + c[2]*c[2]
	want := c2 / d
	se := math.Sqrt(c2 * c2 * 2 * (d - 1) / (d * d * (d + 2)) / proj)
	// 4 Monte Carlo standard errors over directions (≈ 0.018 against
	// SW2² = |c|²/3 = 0.83); unnormalized Gaussian directions would give
	// |c|² = 2.5, and averaging W2 instead of W2² over directions
	// (E|θ·c|)² = |c|²/4 = 0.625.
	if math.Abs(got*got-want) > 4*se {
		t.Errorf("SW2² %.4f, want |c|²/d = %.4f ± %.4f", got*got, want, 4*se)
	}
}

// For a ~ N(0, I_3) and b ~ N(Δ, s² I_3), every projection compares
// N(0, 1) with N(θ·Δ, s²): W2² = (θ·Δ)² + (1 − s)², so
// SW2² = |Δ|²/3 + (1 − s)².
func TestSlicedW2Gaussian(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	const reps, n, proj, s = 10, 2000, 200, 2.0
	delta := []float64{1.5, 0, 0}
	vals := make([]float64, reps)
	for k := range vals {
		a := normals(r, n, []float64{0, 0, 0}, 1)
		b := normals(r, n, delta, s)
		sw := SlicedW2(a, b, 3, proj, r)
		vals[k] = sw * sw
	}
	mean, se := MeanSE(vals)
	want := 1.5*1.5/3 + (1-s)*(1-s) // 1.75
	t.Logf("SW2² %.4f ± %.4f over %d replicates, closed form %.4f", mean, se, reps, want)
	// 4 replicate standard errors (directions and samples together, ≈ 0.09)
	// plus 0.01 for the upward bias of empirical 1-D W2² at n = 2000 (of
	// order log log n / n per sample). Catches a scale term (s² − 1)² = 9
	// instead of (s − 1)², a missing square (√1.75 = 1.32), and |Δ|² for
	// unnormalized directions (3.25). The mean of W2 instead of W2² over
	// directions (squared: 1.69) is too close here; TestSlicedW2Shift
	// catches it.
	if math.Abs(mean-want) > 4*se+0.01 {
		t.Errorf("SW2² %.4f, closed form %.4f, tolerance %.4f", mean, want, 4*se+0.01)
	}
}

// Unequal sizes: the quantile formula must not favour the larger set.
// For a = b's law with n ≠ m, SW2 should be small (sampling error only)
// and a shift by c must give ≈ |c|²/d on top.
func TestSlicedW2UnequalSizes(t *testing.T) {
	r := rand.New(rand.NewPCG(37, 38))
	a := normals(r, 3000, []float64{0, 0}, 1)
	b := normals(r, 1100, []float64{0, 0}, 1)
	same := SlicedW2(a, b, 2, 100, r)
	// Per direction E W2² between empirical measures of 3000 and 1100
	// standard normals is of order (1/n + 1/m)·few ≈ 0.005; 0.1 for SW2
	// (0.01 for SW2²) is above that, while resampling a set's quantiles at
	// the wrong positions (e.g. index i·m/n truncated) leaves a bias.
	if same*same > 0.01 {
		t.Errorf("same law, n=3000 m=1100: SW2² %v", same*same)
	}
	for i := range b {
		if i%2 == 0 {
			b[i] += 2
		}
	}
	shifted := SlicedW2(a, b, 2, 400, r)
	// (θ·c)² for c = (2, 0) has mean 2 and variance 16·2·1/(4·4) = 2 per
	// direction: Monte Carlo SE √(2/400) ≈ 0.07; tolerance 4 of them plus
	// the 0.01 sampling bias above.
	if math.Abs(shifted*shifted-2) > 4*0.071+0.01 {
		t.Errorf("shift (2, 0): SW2² %v, want 2", shifted*shifted)
	}
}

func TestSlicedW2Reproducible(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	a := normals(r, 100, []float64{0, 0, 0, 0}, 1)
	b := normals(r, 90, []float64{1, 0, 0, 0}, 1)
	x := SlicedW2(a, b, 4, 70, rand.New(rand.NewPCG(5, 5)))
	y := SlicedW2(a, b, 4, 70, rand.New(rand.NewPCG(5, 5)))
	if x != y {
		t.Errorf("same seed: %v and %v", x, y)
	}
	mustPanic(t, "zero projections", func() { SlicedW2(a, b, 4, 0, r) })
	mustPanic(t, "empty", func() { SlicedW2(nil, b, 4, 1, r) })
}

package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// rbfMean is E exp(−|X−Y|²/(2σ²)) for X − Y ~ N(Δ, v I_d):
// (σ²/(σ²+v))^{d/2} exp(−|Δ|²/(2(σ²+v))).
func rbfMean(sigma, v, delta2 float64, d int) float64 {
	s2 := sigma * sigma
	return math.Pow(s2/(s2+v), float64(d)/2) * math.Exp(-delta2/(2*(s2+v)))
}

// mmdLinearSE is the delta-method standard error of the MMD U-statistic:
// ψ_a(x) = 2(E k(x, X') − E k(x, Y)), ψ_b(y) = 2(E k(y, Y') − E k(X, y)).
func mmdLinearSE(a, b []float64, d int, bw []float64) float64 {
	k := func(x, y []float64, i, j int) float64 {
		q := dist(x, y, d, i, j)
		s := 0.0
		for _, h := range bw {
			s += math.Exp(-q * q / (2 * h * h))
		}
		return s / float64(len(bw))
	}
	psi := func(x, other []float64) []float64 {
		nx, no := len(x)/d, len(other)/d
		out := make([]float64, nx)
		for i := range out {
			ss, so := 0.0, 0.0
			for j := 0; j < nx; j++ {
				if j != i {
					ss += k(x, x, i, j)
				}
			}
			for j := 0; j < no; j++ {
				so += k(x, other, i, j)
			}
			out[i] = 2 * (ss/float64(nx-1) - so/float64(no))
		}
		return out
	}
	n, m := len(a)/d, len(b)/d
	return math.Sqrt(variance(psi(a, b))/float64(n) + variance(psi(b, a))/float64(m))
}

// MMD² between N(0, I_2) and N(Δ, I_2) with given bandwidths, in closed form:
// E k(X,X') = E k(Y,Y') uses X − X' ~ N(0, 2I), E k(X,Y) uses N(−Δ, 2I).
func TestMMDGaussianClosedForm(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	bw := []float64{0.5, 1, 2}
	const n, d = 1500, 2
	for _, shift := range []float64{0.5, 2} {
		a := normals(r, n, []float64{0, 0}, 1)
		b := normals(r, n, []float64{shift, 0}, 1)
		want := 0.0
		for _, s := range bw {
			want += (2*rbfMean(s, 2, 0, d) - 2*rbfMean(s, 2, shift*shift, d)) / float64(len(bw))
		}
		got := MMD(a, b, d, bw)
		se := mmdLinearSE(a, b, d, bw)
		t.Logf("shift %v: MMD² %.5f, closed form %.5f, standard error %.5f", shift, got, want, se)
		// 4 delta-method standard errors (≈ 0.016 and 0.04 against values
		// 0.022 and 0.278; the estimator's unbiasedness was checked over
		// 400 replicates). A sum instead of a mean of the kernels triples
		// the value (0.067, 0.83); kernels exp(−|x−y|²/σ²), without the 2,
		// give 0.228 at shift 2.
		if math.Abs(got-want) > 4*se {
			t.Errorf("shift %v: MMD² %.5f, closed form %.5f, tolerance %.5f", shift, got, want, 4*se)
		}
	}
}

// Unbiased: mean exactly 0 for two samples of one law. The plug-in version
// is biased by (1 − E k(X,X'))(1/n + 1/m) ≈ 0.4·0.04 = 0.016 here.
func TestMMDUnbiased(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	const reps, n = 300, 50
	vals := make([]float64, reps)
	for k := range vals {
		vals[k] = MMD(normals(r, n, []float64{0, 0}, 1), normals(r, n, []float64{0, 0}, 1), 2, []float64{1})
	}
	mean, se := MeanSE(vals)
	t.Logf("mean %.6f, standard error %.6f", mean, se)
	// 4 standard errors of the replicate mean (≈ 0.001) against the plug-in
	// bias 2(1 − rbfMean(1, 2, 0, 2))/50 = 2(1 − 1/3)/50 ≈ 0.027.
	if math.Abs(mean) > 4*se {
		t.Errorf("mean MMD² over %d same-law replicates %.6f, standard error %.6f", reps, mean, se)
	}
}

// permutationRank returns how many of `perms` random relabelings of the
// pooled sample give an MMD² at least as large as the observed one.
func permutationRank(a, b []float64, d, perms int, r *rand.Rand) (observed float64, above int) {
	observed = MMD(a, b, d, nil)
	pool := append(append([]float64(nil), a...), b...)
	n := len(a) / d
	tot := len(pool) / d
	idx := make([]int, tot)
	for i := range idx {
		idx[i] = i
	}
	pa, pb := make([]float64, len(a)), make([]float64, len(b))
	for p := 0; p < perms; p++ {
		r.Shuffle(tot, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for k, i := range idx {
			if k < n {
				copy(pa[k*d:(k+1)*d], pool[i*d:(i+1)*d])
			} else {
				copy(pb[(k-n)*d:(k-n+1)*d], pool[i*d:(i+1)*d])
			}
		}
		if MMD(pa, pb, d, nil) >= observed {
			above++
		}
	}
	return observed, above
}

// With the default (median-heuristic) bandwidths: a permutation test at
// level 0.01 must not reject for one law and must reject for a shift of 0.4
// standard deviations with 150 points per set (power close to 1).
func TestMMDPermutation(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	const n, perms = 150, 99
	a := normals(r, n, []float64{0, 0}, 1)
	b := normals(r, n, []float64{0, 0}, 1)
	obs, above := permutationRank(a, b, 2, perms, r)
	t.Logf("same law: MMD² %.5f, %d of %d permutations at least as large", obs, above, perms)
	if above == 0 { // p-value 1/100 or less: a false rejection at level 0.01
		t.Errorf("same law: MMD² %.5f above all %d permutations", obs, perms)
	}
	c := normals(r, n, []float64{0.4, 0}, 1)
	obs, above = permutationRank(a, c, 2, perms, r)
	t.Logf("shifted: MMD² %.5f, %d of %d permutations at least as large", obs, above, perms)
	if above > 0 {
		t.Errorf("shifted: MMD² %.5f not above all permutations (%d at least as large)", obs, above)
	}
}

func TestMedianDistance(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, c := range []struct{ n, m int }{{7, 4}, {6, 4}, {1, 1}} {
		a := normals(r, c.n, []float64{0, 0, 0}, 1)
		b := normals(r, c.m, []float64{1, 0, 0}, 1)
		pool := append(append([]float64(nil), a...), b...)
		var ds []float64
		for i := 0; i < c.n+c.m; i++ {
			for j := i + 1; j < c.n+c.m; j++ {
				ds = append(ds, dist(pool, pool, 3, i, j))
			}
		}
		slices.Sort(ds)
		want := 0.0
		if h := len(ds) / 2; len(ds)%2 == 1 {
			want = ds[h]
		} else {
			want = (ds[h-1] + ds[h]) / 2
		}
		got := MedianDistance(a, b, 3)
		if math.Abs(got-want) > 1e-12 { // rounding of one square root
			t.Errorf("n=%d m=%d: median distance %v, brute force %v", c.n, c.m, got, want)
		}
		bw := DefaultBandwidths(a, b, 3)
		for l, s := range DefaultBandwidthScales {
			if math.Abs(bw[l]-s*want) > 1e-12 && want > 0 {
				t.Errorf("bandwidth %d: %v, want %v", l, bw[l], s*want)
			}
		}
	}
	// Large pools use a 1000-point subsample: for 2-D standard normals the
	// distance is Rayleigh with σ = √2, median √2·√(2 ln 2) ≈ 1.665.
	a := normals(r, 3000, []float64{0, 0}, 1)
	got := MedianDistance(a, a, 2)
	// The median of 499,500 dependent pairs of 1000 points: its standard
	// error is about 1.6/√1000 · 0.6 ≈ 0.03; 0.1 is over 3 of them and
	// excludes the mean distance √π ≈ 1.77 or the median squared 2.77.
	if math.Abs(got-1.665) > 0.1 {
		t.Errorf("median distance %v, want ≈ 1.665", got)
	}
}

func TestMMDPanics(t *testing.T) {
	x := []float64{0, 1, 2, 3}
	mustPanic(t, "zero bandwidth", func() { MMD(x, x, 1, []float64{0}) })
	mustPanic(t, "NaN bandwidth", func() { MMD(x, x, 1, []float64{math.NaN()}) })
	mustPanic(t, "one row", func() { MMD(x, x[:1], 1, nil) })
}

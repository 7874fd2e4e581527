package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// foldedMean is E|Z| for Z ~ N(mu, s²): s√(2/π) e^{−μ²/(2s²)} + μ(1 − 2Φ(−μ/s)).
func foldedMean(mu, s float64) float64 {
	phi := 0.5 * math.Erfc(mu/s/math.Sqrt2) // Φ(−μ/s)
	return s*math.Sqrt(2/math.Pi)*math.Exp(-mu*mu/(2*s*s)) + mu*(1-2*phi)
}

// energyLinearSE is the delta-method (Hoeffding projection) standard error
// of the energy statistic: T ≈ D² + (1/n)Σψ_a(a_i) + (1/m)Σψ_b(b_j) with
// ψ_a(x) = 2E|x − Y| − 2E|x − X'| and ψ_b(y) = 2E|X − y| − 2E|y − Y'|,
// each expectation replaced by its sample mean.
func energyLinearSE(a, b []float64, d int) float64 {
	n, m := len(a)/d, len(b)/d
	psi := func(x, same, other []float64, nx, no int) []float64 {
		out := make([]float64, nx)
		for i := 0; i < nx; i++ {
			so, ss := 0.0, 0.0
			for j := 0; j < no; j++ {
				so += dist(x, other, d, i, j)
			}
			for k := 0; k < nx; k++ {
				ss += dist(x, same, d, i, k)
			}
			out[i] = 2*so/float64(no) - 2*ss/float64(nx-1)
		}
		return out
	}
	va := variance(psi(a, a, b, n, m))
	vb := variance(psi(b, b, a, m, n))
	return math.Sqrt(va/float64(n) + vb/float64(m))
}

// Energy distance of N(0,1) and N(μ,1): X − Y ~ N(−μ, 2) and X − X' ~ N(0, 2),
// so D² = 2 E|N(μ,2)| − 2 E|N(0,2)| (folded-normal means).
func TestEnergyGaussian1D(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 4000
	for _, mu := range []float64{0.5, 1.5} {
		a := normals(r, n, []float64{0}, 1)
		b := normals(r, n, []float64{mu}, 1)
		want := 2*foldedMean(mu, math.Sqrt2) - 2*foldedMean(0, math.Sqrt2)
		got := Energy(a, b, 1)
		se := energyLinearSE(a, b, 1)
		t.Logf("μ=%v: energy %.5f, closed form %.5f, standard error %.5f", mu, got, want, se)
		// 4 standard errors of the non-degenerate U-statistic (μ ≠ 0):
		// about 0.05 at μ = 0.5 (want ≈ 0.14) and 0.13 at μ = 1.5 (want ≈
		// 1.16). A statistic of squared distances (2μ² = 0.5 and 4.5) or
		// without the factor 2 on the cross term (≈ −0.3 and 0.5) is
		// several tolerances away.
		if math.Abs(got-want) > 4*se {
			t.Errorf("μ=%v: energy %.5f, closed form %.5f, tolerance %.5f", mu, got, want, 4*se)
		}
	}
}

// The within-set terms are U-statistics, so for two samples of one law the
// estimate has mean exactly 0. The plug-in version would have mean
// E|X−X'|(1/n + 1/m) = √π·(2/50) ≈ 0.071 for 2-D standard normals.
func TestEnergyUnbiased(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const reps, n = 300, 50
	vals := make([]float64, reps)
	for k := range vals {
		vals[k] = Energy(normals(r, n, []float64{0, 0}, 1), normals(r, n, []float64{0, 0}, 1), 2)
	}
	mean, se := MeanSE(vals)
	t.Logf("mean %.5f, standard error %.5f", mean, se)
	// 4 standard errors of the mean over replicates (≈ 0.005), far below
	// the plug-in bias of 0.071.
	if math.Abs(mean) > 4*se {
		t.Errorf("mean energy over %d same-law replicates %.5f, standard error %.5f", reps, mean, se)
	}
}

// energyBrute is the definition with every distance computed directly.
func energyBrute(a, b []float64, d int) float64 {
	n, m := len(a)/d, len(b)/d
	xy, xx, yy := 0.0, 0.0, 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			xy += dist(a, b, d, i, j)
		}
		for k := 0; k < n; k++ {
			if k != i {
				xx += dist(a, a, d, i, k)
			}
		}
	}
	for j := 0; j < m; j++ {
		for k := 0; k < m; k++ {
			if k != j {
				yy += dist(b, b, d, j, k)
			}
		}
	}
	return 2*xy/float64(n*m) - xx/float64(n*(n-1)) - yy/float64(m*(m-1))
}

// Both distance paths (direct loop for d < 16, Gram matrix with BLAS above)
// against the definition, including a block boundary (n > 128) and data far
// from the origin, where an uncentred Gram matrix |x|² + |y|² − 2x·y would
// lose about 1e-6 of the squared distances.
func TestEnergyMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		d, n, m int
		offset  float64
	}{{1, 30, 41, 0}, {3, 17, 9, 0}, {15, 20, 25, 0}, {16, 20, 25, 0}, {20, 150, 131, 0}, {40, 140, 30, 1e5}} {
		mu := make([]float64, c.d)
		for i := range mu {
			mu[i] = c.offset
		}
		a := normals(r, c.n, mu, 1)
		mu[0] += 0.5
		b := normals(r, c.m, mu, 1.5)
		got, want := Energy(a, b, c.d), energyBrute(a, b, c.d)
		// Rounding only: sums of ~10⁴ distances of size ~√d, each exact to
		// ~1e-15 relative after centring.
		if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("d=%d n=%d m=%d offset=%g: energy %.15g, definition %.15g", c.d, c.n, c.m, c.offset, got, want)
		}
	}
}

func TestEnergyGrowsWithShift(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	a := normals(r, 500, []float64{0, 0}, 1)
	prev := math.Inf(-1)
	for _, s := range []float64{0, 0.5, 1, 2, 4} {
		b := make([]float64, len(a))
		for i := range b {
			b[i] = a[i]
			if i%2 == 0 {
				b[i] += s
			}
		}
		e := Energy(a, b, 2)
		// For s = 0 the sets are identical and the unbiased estimate is
		// 2S/n² − 2S/(n(n−1)) = −2 E|X−X'|/n ≈ −0.007: within 0.01 of 0.
		if s == 0 && math.Abs(e) > 0.01 {
			t.Errorf("identical sets: energy %v", e)
		}
		if e <= prev {
			t.Errorf("shift %v: energy %v not above %v", s, e, prev)
		}
		prev = e
	}
}

func TestEnergyPanics(t *testing.T) {
	mustPanic(t, "one row", func() { Energy([]float64{1, 2}, []float64{1, 2, 3, 4}, 2) })
	mustPanic(t, "ragged", func() { Energy([]float64{1, 2, 3}, []float64{1, 2, 3, 4}, 2) })
	mustPanic(t, "d=0", func() { Energy(nil, nil, 0) })
}

func BenchmarkEnergy2000(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	x := normals(r, 2000, []float64{0, 0}, 1)
	y := normals(r, 2000, []float64{1, 0}, 1)
	for b.Loop() {
		Energy(x, y, 2)
	}
}

func BenchmarkEnergy2000Dim784(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	mu := make([]float64, 784)
	x := normals(r, 2000, mu, 1)
	y := normals(r, 2000, mu, 1.1)
	for b.Loop() {
		Energy(x, y, 784)
	}
}

// EnergyProjected against the pair sums of Energy. In 1-D the sorted
// statistic is the same sum, so they agree to rounding. In 2-D the only
// error is the quadrature over directions; the tolerance 10⁻⁶ is a
// thousandth of the statistic's own spread at this n (about ±0.001 for two
// samples of one law), so a difference within it changes no comparison
// the project makes. Each of the usual slips is far outside it: the
// plug-in (V-statistic) within-set terms are off by E|X − X'|/n ≈ 10⁻³, a
// wrong projection constant (2/π for π/2) by a factor of 2.5, a cross term
// without the factor 2 by E|X − Y| ≈ 1.
func TestEnergyProjectedMatchesPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	clusters := func(n int, shift float64) []float64 {
		x := make([]float64, 2*n)
		for i := 0; i < n; i++ {
			c := float64(r.IntN(3))
			x[2*i] = 2*c + 0.3*r.NormFloat64() + shift
			x[2*i+1] = c + 0.1*r.NormFloat64()
		}
		return x
	}
	for _, shift := range []float64{0, 0.05, 0.5} {
		a, b := clusters(3000, 0), clusters(2500, shift)
		want := energyPairs(a, b, 2)
		got := EnergyProjected(a, b, 2, 256)
		t.Logf("2-D, shift %v: pairs %.9f, projected %.9f", shift, want, got)
		if math.Abs(got-want) > 1e-6 {
			t.Errorf("2-D, shift %v: projected %.9f, pairs %.9f", shift, got, want)
		}
	}
	for _, mu := range []float64{0, 0.3} {
		a, b := normals(r, 1999, []float64{0}, 1), normals(r, 2003, []float64{mu}, 1.5)
		want, got := energyPairs(a, b, 1), EnergyProjected(a, b, 1, 0)
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("1-D, μ = %v: sorted %.15f, pairs %.15f", mu, got, want)
		}
	}
	mustPanic(t, "3-D", func() { EnergyProjected(make([]float64, 12), make([]float64, 12), 3, 8) })
	mustPanic(t, "no directions", func() { EnergyProjected(make([]float64, 8), make([]float64, 8), 2, 0) })
}

// Beyond 10⁸ pairs Energy sorts projections; the value is the pair sums'
// to the tolerance above.
func TestEnergyLargeSets(t *testing.T) {
	if testing.Short() {
		t.Skip("10⁸ pairs")
	}
	r := rand.New(rand.NewPCG(7, 8))
	a, b := normals(r, 10001, []float64{0, 0}, 1), normals(r, 10001, []float64{0.02, 0}, 1)
	want, got := energyPairs(a, b, 2), Energy(a, b, 2)
	t.Logf("pairs %.9f, Energy %.9f", want, got)
	if math.Abs(got-want) > 1e-6 {
		t.Errorf("Energy %.9f, pairs %.9f", got, want)
	}
}

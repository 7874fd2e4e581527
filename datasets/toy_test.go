package datasets

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/mmi-go/mmi/marginals"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

// draw returns n points of m.
func draw(m marginals.Marginal, n int, seed uint64) []float64 {
	x := make([]float64, n*m.Dim())
	m.Sample(x, newRand(seed))
	return x
}

// quad returns E[f(U)] for U ~ U[0, 1] by the midpoint rule on 2·10⁵
// points; for the smooth integrands below its error is below 1e-9,
// negligible beside the Monte Carlo tolerances.
func quad(f func(u float64) float64) float64 {
	const m = 200000
	s := 0.0
	for i := 0; i < m; i++ {
		s += f((float64(i) + 0.5) / m)
	}
	return s / m
}

// toyMoments gives the exact mean and covariance of every toy set, from
// its definition, by closed forms or quadrature independent of the
// samplers.
func toyMoments() map[string]struct{ mean, cov [3]float64 } {
	type mc = struct{ mean, cov [3]float64 } // cov as (xx, xy, yy)
	out := map[string]mc{}
	out["8gaussians"] = mc{cov: [3]float64{eightRadius*eightRadius/2 + eightSD*eightSD, 0, eightRadius*eightRadius/2 + eightSD*eightSD}}
	// Moons, before doubling: var x = 3/4, var y = 9/16 − 1/π,
	// cov = 1/8 − 1/π (derived in the Moons comment's terms).
	out["moons"] = mc{cov: [3]float64{4*0.75 + moonsSD*moonsSD, 4 * (0.125 - 1/math.Pi), 4*(0.5625-1/math.Pi) + moonsSD*moonsSD}}
	rr := (circlesInner*circlesInner + circlesOuter*circlesOuter) / 2
	out["circles"] = mc{cov: [3]float64{rr/2 + circlesSD*circlesSD, 0, rr/2 + circlesSD*circlesSD}}
	out["checkerboard"] = mc{cov: [3]float64{4.0 / 3, 0.25, 4.0 / 3}}
	// Spirals: t = 3π√u, radius t/3; the ± arms leave the mean 0 and the
	// second moments unchanged.
	sp := func(g func(t float64) float64) float64 {
		return quad(func(u float64) float64 { t := 3 * math.Pi * math.Sqrt(u); return g(t) * t * t / 9 })
	}
	out["spirals"] = mc{cov: [3]float64{
		sp(func(t float64) float64 { return math.Cos(t) * math.Cos(t) }) + spiralSD*spiralSD,
		sp(func(t float64) float64 { return math.Cos(t) * math.Sin(t) }),
		sp(func(t float64) float64 { return math.Sin(t) * math.Sin(t) }) + spiralSD*spiralSD,
	}}
	// Pinwheel: 5-fold rotation symmetry makes the covariance a multiple
	// of I, and E|x|² = 4 (E f_1² + E f_2²) = 4 (1 + 0.3² + 0.1²).
	pw := pinScale * pinScale * (1 + pinRadialSD*pinRadialSD + pinTangentSD*pinTangentSD) / 2
	out["pinwheel"] = mc{cov: [3]float64{pw, 0, pw}}
	sw := func(g func(t float64) float64) float64 {
		return quad(func(u float64) float64 { return g(1.5 * math.Pi * (1 + 2*u)) })
	}
	mx := sw(func(t float64) float64 { return t * math.Cos(t) / swissScale })
	my := sw(func(t float64) float64 { return t * math.Sin(t) / swissScale })
	out["swissroll"] = mc{mean: [3]float64{mx, my}, cov: [3]float64{
		sw(func(t float64) float64 { return math.Pow(t*math.Cos(t)/swissScale, 2) }) - mx*mx + swissSD*swissSD,
		sw(func(t float64) float64 { return t * t * math.Cos(t) * math.Sin(t) / (swissScale * swissScale) }) - mx*my,
		sw(func(t float64) float64 { return math.Pow(t*math.Sin(t)/swissScale, 2) }) - my*my + swissSD*swissSD,
	}}
	return out
}

// meanSE returns the sample mean of v and its standard error.
func meanSE(v []float64) (mean, se float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	ss := 0.0
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)-1) / float64(len(v)))
}

// TestToyMoments compares the sample mean and covariance of each toy set
// with its exact values. Tolerance: 5 standard errors, each estimated
// from the sample itself (the mean of x_i or of the centred products
// (x_i − μ_i)(x_j − μ_j) around the exact mean μ). At n = 10⁵ this pins
// each moment to about 1%: a wrong scale, radius or noise level, an
// off-centre set or a missing arm fails.
func TestToyMoments(t *testing.T) {
	const n = 100000
	want := toyMoments()
	for i, ts := range toySets {
		w, ok := want[ts.name]
		if !ok {
			t.Errorf("%s: no reference moments", ts.name)
			continue
		}
		x := draw(ts.make(), n, uint64(i))
		comp := func(k int) []float64 {
			v := make([]float64, n)
			for j := range v {
				v[j] = x[2*j+k]
			}
			return v
		}
		xs, ys := comp(0), comp(1)
		prods := [3][]float64{make([]float64, n), make([]float64, n), make([]float64, n)}
		for j := 0; j < n; j++ {
			dx, dy := xs[j]-w.mean[0], ys[j]-w.mean[1]
			if math.IsNaN(dx) || math.IsInf(dx, 0) || math.IsNaN(dy) || math.IsInf(dy, 0) {
				t.Fatalf("%s: sample %d is not finite", ts.name, j)
			}
			prods[0][j], prods[1][j], prods[2][j] = dx*dx, dx*dy, dy*dy
		}
		for k, v := range [][]float64{xs, ys} {
			m, se := meanSE(v)
			if math.Abs(m-w.mean[k]) > 5*se {
				t.Errorf("%s: mean[%d] = %.4f, want %.4f ± %.4f", ts.name, k, m, w.mean[k], 5*se)
			}
		}
		for k, name := range []string{"var x", "cov xy", "var y"} {
			m, se := meanSE(prods[k])
			if math.Abs(m-w.cov[k]) > 5*se {
				t.Errorf("%s: %s = %.4f, want %.4f ± %.4f", ts.name, name, m, w.cov[k], 5*se)
			}
		}
	}
}

// TestToyScaleDocumented checks the scale the doc comments promise: every
// standard deviation between 0.9 and 1.8 (so O(1), what the interpolants
// and the default network expect) and the exact moments agree with the
// numbers written in the comments to their printed precision.
func TestToyScaleDocumented(t *testing.T) {
	documented := map[string][2]float64{ // standard deviations as printed
		"8gaussians": {1.43, 1.43}, "moons": {1.73, 0.99}, "circles": {1.12, 1.12},
		"checkerboard": {1.15, 1.15}, "spirals": {1.60, 1.55}, "pinwheel": {1.48, 1.48},
		"swissroll": {1.33, 1.39},
	}
	for name, w := range toyMoments() {
		for k, v := range []float64{w.cov[0], w.cov[2]} {
			sd := math.Sqrt(v)
			if sd < 0.9 || sd > 1.8 {
				t.Errorf("%s: sd[%d] = %.3f is not O(1)", name, k, sd)
			}
			// Printed to two decimals: rounding error ≤ 0.005.
			if math.Abs(sd-documented[name][k]) > 0.005+1e-9 {
				t.Errorf("%s: sd[%d] = %.4f, documented %.2f", name, k, sd, documented[name][k])
			}
		}
	}
	if w := toyMoments()["swissroll"]; math.Abs(w.mean[0]-0.40) > 0.005 || math.Abs(w.mean[1]-0.04) > 0.005 {
		t.Errorf("swissroll mean (%.4f, %.4f), documented (0.40, 0.04)", w.mean[0], w.mean[1])
	}
}

// normFrac is P(|Z| ≤ k) for Z ~ N(0, 1).
func normFrac(k float64) float64 { return math.Erf(k / math.Sqrt2) }

// binomTol is 4 binomial standard errors for a fraction p out of n.
func binomTol(p float64, n int) float64 { return 4 * math.Sqrt(p*(1-p)/float64(n)) }

// TestEightGaussiansModes assigns each point to its nearest centre: every
// mode gets 1/8 of the points, and the squared distance to the centre
// averages 2σ² (the χ²₂ mean), which a wrong σ or wrong centres fail.
func TestEightGaussiansModes(t *testing.T) {
	const n = 80000
	x := draw(EightGaussians(), n, 1)
	var count [8]int
	d2 := make([]float64, n)
	for i := 0; i < n; i++ {
		best, bd := 0, math.Inf(1)
		for k := 0; k < 8; k++ {
			a := math.Pi / 4 * float64(k)
			dx, dy := x[2*i]-2*math.Cos(a), x[2*i+1]-2*math.Sin(a)
			if dd := dx*dx + dy*dy; dd < bd {
				best, bd = k, dd
			}
		}
		count[best]++
		d2[i] = bd
	}
	for k, c := range count {
		if f := float64(c) / n; math.Abs(f-0.125) > binomTol(0.125, n) {
			t.Errorf("mode %d holds %.4f of the points, want 0.125", k, f)
		}
	}
	// Modes are 1.53 = 7.6σ apart: misassignment is ~1e-4 and moves the
	// mean by far less than its standard error.
	m, se := meanSE(d2)
	if want := 2 * eightSD * eightSD; math.Abs(m-want) > 5*se {
		t.Errorf("mean squared distance to the centre %.5f, want %.5f ± %.5f", m, want, 5*se)
	}
}

// arcDistance is the distance from p to the arc of the circle with centre
// c and radius R spanning angles [a0, a0+π].
func arcDistance(px, py, cx, cy, R, a0 float64) float64 {
	dx, dy := px-cx, py-cy
	a := math.Atan2(dy, dx) - a0
	a = math.Mod(a+4*math.Pi, 2*math.Pi)
	if a <= math.Pi {
		return math.Abs(math.Hypot(dx, dy) - R)
	}
	e1 := math.Hypot(px-cx-R*math.Cos(a0), py-cy-R*math.Sin(a0))
	e2 := math.Hypot(px-cx+R*math.Cos(a0), py-cy+R*math.Sin(a0))
	return math.Min(e1, e2)
}

// TestMoonsNearArcs measures each point's distance to the nearer moon,
// the upper arc (centre (−1, −½), radius 2, angles [0, π]) or the lower
// one (centre (1, ½), angles [π, 2π]). For noise N(0, σ²I) that distance
// is about |σ Z| with Z standard normal, so the fraction within kσ is
// P(|Z| ≤ k). Tolerance: 4 binomial standard errors plus 0.015 for the
// arcs' ends (≈ 1.3% of points fall past an end and are measured to the
// end point instead) and curvature (σ/R = 0.05). Moons with the wrong
// radius, centre or noise (σ = 0.12 gives 0.59 instead of 0.68) fail.
func TestMoonsNearArcs(t *testing.T) {
	const n = 40000
	x := draw(Moons(), n, 2)
	within := [3]int{}
	ks := [3]float64{0.5, 1, 4}
	upper := 0
	for i := 0; i < n; i++ {
		px, py := x[2*i], x[2*i+1]
		du := arcDistance(px, py, -1, -0.5, 2, 0)
		dl := arcDistance(px, py, 1, 0.5, 2, math.Pi)
		if du < dl {
			upper++
		}
		d := math.Min(du, dl)
		for j, k := range ks {
			if d <= k*moonsSD {
				within[j]++
			}
		}
	}
	for j, k := range ks {
		f, want := float64(within[j])/n, normFrac(k)
		if math.Abs(f-want) > binomTol(want, n)+0.015 {
			t.Errorf("fraction within %.1fσ of the arcs %.4f, want %.4f", k, f, want)
		}
	}
	if f := float64(upper) / n; math.Abs(f-0.5) > binomTol(0.5, n) {
		t.Errorf("upper moon holds %.4f of the points, want 0.5", f)
	}
}

// TestCirclesRadii checks that the radii split evenly between the two
// rings and that on each ring r − R has mean σ²/(2R) (the curvature bias
// of a Gaussian blur of a circle, to first order) and standard deviation
// σ, each within 4 standard errors (plus 2e-4 for the first-order
// approximation, whose next term is O(σ⁴/R³) ≈ 1e-4).
func TestCirclesRadii(t *testing.T) {
	const n = 60000
	x := draw(Circles(), n, 3)
	var inner, outer []float64
	for i := 0; i < n; i++ {
		r := math.Hypot(x[2*i], x[2*i+1])
		if r < 1.5 {
			inner = append(inner, r-circlesInner)
		} else {
			outer = append(outer, r-circlesOuter)
		}
	}
	if f := float64(len(inner)) / n; math.Abs(f-0.5) > binomTol(0.5, n) {
		t.Errorf("inner circle holds %.4f of the points, want 0.5", f)
	}
	for _, ring := range []struct {
		name string
		R    float64
		res  []float64
	}{{"inner", circlesInner, inner}, {"outer", circlesOuter, outer}} {
		m, se := meanSE(ring.res)
		if want := circlesSD * circlesSD / (2 * ring.R); math.Abs(m-want) > 4*se+2e-4 {
			t.Errorf("%s: mean r − R = %.5f, want %.5f", ring.name, m, want)
		}
		ss := 0.0
		for _, v := range ring.res {
			ss += (v - m) * (v - m)
		}
		sd := math.Sqrt(ss / float64(len(ring.res)-1))
		// Standard error of a normal sample's sd: σ/√(2n).
		if se := circlesSD / math.Sqrt(2*float64(len(ring.res))); math.Abs(sd-circlesSD) > 4*se+2e-4 {
			t.Errorf("%s: sd of r = %.5f, want %.5f", ring.name, sd, circlesSD)
		}
	}
}

// TestCheckerboardSquares checks that every point lies in a black square
// (floor x + floor y even) of [−2, 2]², that the 8 squares are equally
// full, and that within its square a point is uniform (fractional parts
// with mean ½ and variance 1/12).
func TestCheckerboardSquares(t *testing.T) {
	const n = 80000
	x := draw(Checkerboard(), n, 4)
	count := map[[2]int]int{}
	var fx, fx2 []float64
	for i := 0; i < n; i++ {
		px, py := x[2*i], x[2*i+1]
		if px < -2 || px >= 2 || py < -2 || py >= 2 {
			t.Fatalf("point (%v, %v) outside [−2, 2)²", px, py)
		}
		ix, iy := int(math.Floor(px)), int(math.Floor(py))
		if (ix+iy)%2 != 0 {
			t.Fatalf("point (%v, %v) in a white square", px, py)
		}
		count[[2]int{ix, iy}]++
		for _, f := range []float64{px - float64(ix), py - float64(iy)} {
			fx = append(fx, f)
			fx2 = append(fx2, (f-0.5)*(f-0.5))
		}
	}
	if len(count) != 8 {
		t.Errorf("%d squares hit, want 8", len(count))
	}
	for sq, c := range count {
		if f := float64(c) / n; math.Abs(f-0.125) > binomTol(0.125, n) {
			t.Errorf("square %v holds %.4f of the points, want 0.125", sq, f)
		}
	}
	if m, se := meanSE(fx); math.Abs(m-0.5) > 5*se {
		t.Errorf("mean position within a square %.4f, want 0.5", m)
	}
	if m, se := meanSE(fx2); math.Abs(m-1.0/12) > 5*se {
		t.Errorf("variance within a square %.5f, want 1/12", m)
	}
}

// curveDistance returns the distance from each of the n points in x to
// the polyline through curve (x0, y0, x1, y1, …), by brute force.
func curveDistance(x []float64, curve []float64) []float64 {
	out := make([]float64, len(x)/2)
	for i := range out {
		px, py := x[2*i], x[2*i+1]
		best := math.Inf(1)
		for k := 0; k+3 < len(curve); k += 2 {
			ax, ay, bx, by := curve[k], curve[k+1], curve[k+2], curve[k+3]
			ux, uy := bx-ax, by-ay
			s := ((px-ax)*ux + (py-ay)*uy) / (ux*ux + uy*uy)
			s = math.Max(0, math.Min(1, s))
			if d := math.Hypot(px-ax-s*ux, py-ay-s*uy); d < best {
				best = d
			}
		}
		out[i] = best
	}
	return out
}

// checkNearCurve checks that distances to the generating curve behave
// like |σ Z|: the fraction within 3σ is at least P(|Z| ≤ 3) − tolerance
// (points can only be nearer to the curve than their noise, never
// farther), and the fraction within 0.5σ is close to P(|Z| ≤ 0.5), within
// 4 binomial standard errors plus slack for the ends and the places where
// other turns come close.
func checkNearCurve(t *testing.T, name string, dist []float64, sd, slack float64) {
	t.Helper()
	n := len(dist)
	for _, k := range []float64{0.5, 1, 3} {
		c := 0
		for _, d := range dist {
			if d <= k*sd {
				c++
			}
		}
		f, want := float64(c)/float64(n), normFrac(k)
		if math.Abs(f-want) > binomTol(want, n)+slack {
			t.Errorf("%s: fraction within %.1fσ of the curve %.4f, want %.4f", name, k, f, want)
		}
	}
}

// TestSpiralsOnCurve: every point lies near one of the two arms
// ±(t/3)(cos t, sin t), t ∈ [0, 3π], with noise of the documented size.
// Slack 0.02: ≈ 1% of points lie near the centre or the outer ends, where
// the distance to the polyline is shorter than the normal offset.
func TestSpiralsOnCurve(t *testing.T) {
	const n, m = 2000, 6000
	var curve []float64
	for _, s := range []float64{1, -1} {
		var arm []float64
		for k := 0; k <= m; k++ {
			tt := 3 * math.Pi * float64(k) / m
			arm = append(arm, s*tt/3*math.Cos(tt), s*tt/3*math.Sin(tt))
		}
		if s == 1 { // join the arms through the centre
			for k := len(arm) - 2; k >= 0; k -= 2 {
				curve = append(curve, arm[k], arm[k+1])
			}
		} else {
			curve = append(curve, arm...)
		}
	}
	checkNearCurve(t, "spirals", curveDistance(draw(Spirals(), n, 5), curve), spiralSD, 0.02)
}

// TestSwissRollOnCurve: points lie near (t cos t, t sin t)/5,
// t ∈ [1.5π, 4.5π]. Slack as for the spirals.
func TestSwissRollOnCurve(t *testing.T) {
	const n, m = 2000, 6000
	var curve []float64
	for k := 0; k <= m; k++ {
		tt := 1.5 * math.Pi * (1 + 2*float64(k)/m)
		curve = append(curve, tt*math.Cos(tt)/swissScale, tt*math.Sin(tt)/swissScale)
	}
	checkNearCurve(t, "swissroll", curveDistance(draw(SwissRoll(), n, 6), curve), swissSD, 0.02)
}

// TestPinwheelAngles checks the pinwheel's angular law φ = arg x: the
// first circular moment E e^{iφ} vanishes (5 arms, equally likely), and
// the fifth, which the arms do not average away, equals
// E exp(5i(0.25 e^{f_1} + atan2(f_2, f_1))) computed by a 2-D quadrature
// over the Gaussian (f_1, f_2). Tolerance 5 standard errors of each
// component (|e^{ikφ}| = 1, so each has variance ≤ 1). A pinwheel with
// the wrong rate, spread or number of arms fails.
func TestPinwheelAngles(t *testing.T) {
	const n = 100000
	x := draw(Pinwheel(), n, 7)
	var m1, m5 complex128
	for i := 0; i < n; i++ {
		phi := math.Atan2(x[2*i+1], x[2*i])
		m1 += cmplx.Exp(complex(0, phi))
		m5 += cmplx.Exp(complex(0, 5*phi))
	}
	m1 /= n
	m5 /= n
	// Quadrature: midpoint rule on ±8 standard deviations, 800² nodes;
	// the integrand is smooth, the error is far below 1e-6.
	const q = 800
	var want complex128
	h := 16.0 / q
	for a := 0; a < q; a++ {
		z1 := -8 + (float64(a)+0.5)*h
		for b := 0; b < q; b++ {
			z2 := -8 + (float64(b)+0.5)*h
			w := math.Exp(-(z1*z1+z2*z2)/2) / (2 * math.Pi) * h * h
			f1, f2 := 1+pinRadialSD*z1, pinTangentSD*z2
			ang := pinRate*math.Exp(f1) + math.Atan2(f2, f1)
			want += complex(w, 0) * cmplx.Exp(complex(0, 5*ang))
		}
	}
	tol := 5 / math.Sqrt(n)
	if cmplx.Abs(m1) > tol {
		t.Errorf("E e^{iφ} = %v, want 0", m1)
	}
	if math.Abs(real(m5)-real(want)) > tol || math.Abs(imag(m5)-imag(want)) > tol {
		t.Errorf("E e^{5iφ} = %.4f, want %.4f", m5, want)
	}
	if cmplx.Abs(want) < 0.3 {
		t.Errorf("reference fifth moment %.3f too small to test anything", want)
	}
}

// TestToyReproducible checks that a seed fixes the samples and that the
// batch size does not change the stream (two half batches = one batch).
func TestToyReproducible(t *testing.T) {
	for _, ts := range toySets {
		a := draw(ts.make(), 100, 9)
		b := draw(ts.make(), 100, 9)
		r := newRand(9)
		c := make([]float64, 200)
		ts.make().Sample(c[:100], r)
		ts.make().Sample(c[100:], r)
		for i := range a {
			if a[i] != b[i] || a[i] != c[i] {
				t.Fatalf("%s: same seed gives different samples", ts.name)
			}
		}
	}
}

func TestToyOddBatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("odd batch did not panic")
		}
	}()
	Moons().Sample(make([]float64, 3), newRand(1))
}

// TestCheckerboardShare: exact samples score 1, uniform points on the
// board ½ (within 4 standard errors, √(¼/n)), the board shifted by one
// square 0, and points off the board 0.
func TestCheckerboardShare(t *testing.T) {
	const n = 20000
	r := rand.New(rand.NewPCG(3, 0))
	x := make([]float64, 2*n)
	Checkerboard().Sample(x, r)
	if s := CheckerboardShare(x); s != 1 {
		t.Errorf("exact samples: share %v, want 1", s)
	}
	shifted := append([]float64(nil), x...)
	for i := 0; i < len(shifted); i += 2 {
		shifted[i] += 1
		if shifted[i] >= 2 {
			shifted[i] -= 4
		}
	}
	if s := CheckerboardShare(shifted); s != 0 {
		t.Errorf("board shifted by one square: share %v, want 0", s)
	}
	for i := range x {
		x[i] = 4*r.Float64() - 2
	}
	if s := CheckerboardShare(x); math.Abs(s-0.5) > 4*math.Sqrt(0.25/n) {
		t.Errorf("uniform on the board: share %v, want 0.5", s)
	}
	if s := CheckerboardShare([]float64{2.5, 0.5, -3, -3}); s != 0 {
		t.Errorf("points off the board: share %v, want 0", s)
	}
}

package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmi-go/mmi/marginals"
)

// toy is a two-dimensional distribution given by a sampler of one point.
// Every draw is fresh (no fixed data set), so a model trained on it cannot
// memorise samples, and its law is known exactly for tests.
type toy struct {
	draw func(r *rand.Rand) (x, y float64)
}

// Dim returns 2.
func (t toy) Dim() int { return 2 }

// Sample fills dst with len(dst)/2 independent points (x, y), row-major.
// It panics if len(dst) is odd.
func (t toy) Sample(dst []float64, r *rand.Rand) {
	if len(dst)%2 != 0 {
		panic(fmt.Sprintf("datasets: batch of %d numbers is not a multiple of dimension 2", len(dst)))
	}
	for i := 0; i < len(dst); i += 2 {
		dst[i], dst[i+1] = t.draw(r)
	}
}

// Parameters of the toy sets, shared with the tests that check them.
const (
	eightRadius  = 2.0
	eightSD      = 0.2
	moonsScale   = 2.0
	moonsSD      = 0.1
	circlesInner = 1.0
	circlesOuter = 2.0
	circlesSD    = 0.1
	spiralTurns  = 1.5 // turns of each arm: t ∈ [0, 2π·1.5]
	spiralScale  = 3.0 // radius t/spiralScale
	spiralSD     = 0.1
	pinArms      = 5
	pinRadialSD  = 0.3
	pinTangentSD = 0.1
	pinRate      = 0.25
	pinScale     = 2.0
	swissScale   = 5.0
	swissSD      = 0.1
)

// EightGaussians is an equal-weight mixture of 8 Gaussians N(c_k, 0.2² I)
// whose centres c_k = 2 (cos πk/4, sin πk/4), k = 0…7, sit on the circle of
// radius 2. Mean 0, covariance (2²/2 + 0.2²) I = 2.04 I (standard deviation
// ≈ 1.43 per coordinate); points lie within about [-3, 3]².
func EightGaussians() marginals.Marginal {
	return toy{func(r *rand.Rand) (float64, float64) {
		a := math.Pi / 4 * float64(r.IntN(8))
		return eightRadius*math.Cos(a) + eightSD*r.NormFloat64(),
			eightRadius*math.Sin(a) + eightSD*r.NormFloat64()
	}}
}

// Moons is two interleaving half circles (scikit-learn's make_moons),
// centred and doubled: with θ ~ U[0, π] and each moon chosen with
// probability ½, the point m is (cos θ, sin θ) (upper moon) or
// (1 − cos θ, ½ − sin θ) (lower moon), and the sample is
// 2 (m − (½, ¼)) + N(0, 0.1² I). The moons are arcs of radius 2 centred at
// (−1, −½) and (1, ½). Mean 0 exactly; variances 3 + 0.01 and
// 4(9/16 − 1/π) + 0.01 ≈ 0.987 (standard deviations ≈ 1.73 and 0.99);
// points lie within about [−3.4, 3.4] × [−2, 2].
func Moons() marginals.Marginal {
	return toy{func(r *rand.Rand) (float64, float64) {
		th := math.Pi * r.Float64()
		mx, my := math.Cos(th), math.Sin(th)
		if r.IntN(2) == 1 {
			mx, my = 1-mx, 0.5-my
		}
		return moonsScale*(mx-0.5) + moonsSD*r.NormFloat64(),
			moonsScale*(my-0.25) + moonsSD*r.NormFloat64()
	}}
}

// Circles is two concentric circles of radii 1 and 2 (scikit-learn's
// make_circles, doubled), each chosen with probability ½, with the angle
// uniform on [0, 2π) and N(0, 0.1² I) noise added. Mean 0, covariance
// ((1 + 4)/4 + 0.01) I = 1.26 I (standard deviation ≈ 1.12); points lie
// within about [−2.4, 2.4]².
func Circles() marginals.Marginal {
	return toy{func(r *rand.Rand) (float64, float64) {
		rad := circlesInner
		if r.IntN(2) == 1 {
			rad = circlesOuter
		}
		a := 2 * math.Pi * r.Float64()
		return rad*math.Cos(a) + circlesSD*r.NormFloat64(), rad*math.Sin(a) + circlesSD*r.NormFloat64()
	}}
}

// Checkerboard is uniform on the 8 "black" unit squares
// [i, i+1) × [j, j+1) of a 4×4 board on [−2, 2]², those with i + j even.
// There is no noise: every point is inside a black square. Mean 0,
// variances 4/3 (each coordinate is uniform on [−2, 2]), covariance ¼.
func Checkerboard() marginals.Marginal {
	return toy{func(r *rand.Rand) (float64, float64) {
		i := r.IntN(4) - 2
		j := 2*r.IntN(2) - 2 + (i+2)%2 // j ≡ i (mod 2), j ∈ {−2, …, 1}
		return float64(i) + r.Float64(), float64(j) + r.Float64()
	}}
}

// Spirals is two interleaved spiral arms, each chosen with probability ½:
// t = 3π √u with u ~ U[0, 1] (uniform along the arm's area), the point
// ±(t/3)(cos t, sin t) (the second arm is the first rotated by π), plus
// N(0, 0.1² I). Each arm makes 1.5 turns out to radius π. Mean 0;
// standard deviations ≈ 1.60 and 1.55; points lie within about
// [−3.6, 3.6] × [−3.1, 3.1].
func Spirals() marginals.Marginal {
	return toy{func(r *rand.Rand) (float64, float64) {
		t := 2 * math.Pi * spiralTurns * math.Sqrt(r.Float64())
		s := t / spiralScale
		if r.IntN(2) == 1 {
			s = -s
		}
		return s*math.Cos(t) + spiralSD*r.NormFloat64(), s*math.Sin(t) + spiralSD*r.NormFloat64()
	}}
}

// Pinwheel is 5 curved arms (the pinwheel of Johnson et al. 2016, as in
// FFJORD): arm k ∈ {0…4} with probability ⅕, f = (1 + 0.3 z_1, 0.1 z_2)
// with z ~ N(0, I), rotated by the angle 2πk/5 + 0.25 exp(f_1) and doubled:
// x = 2 R(2πk/5 + 0.25 e^{f_1}) f. Mean 0 by the 5-fold symmetry;
// E|x|² = 4 (1 + 0.09 + 0.01) = 4.4, so the standard deviation is ≈ 1.48
// per coordinate; points lie within about [−4.5, 4.5]².
func Pinwheel() marginals.Marginal {
	return toy{func(r *rand.Rand) (float64, float64) {
		k := r.IntN(pinArms)
		f1 := 1 + pinRadialSD*r.NormFloat64()
		f2 := pinTangentSD * r.NormFloat64()
		a := 2*math.Pi*float64(k)/pinArms + pinRate*math.Exp(f1)
		c, s := math.Cos(a), math.Sin(a)
		return pinScale * (c*f1 - s*f2), pinScale * (s*f1 + c*f2)
	}}
}

// SwissRoll is the two-dimensional Swiss roll (scikit-learn's
// make_swiss_roll seen from above, divided by 5): t = 1.5π (1 + 2u) with
// u ~ U[0, 1], the point (t cos t, t sin t)/5 plus N(0, 0.1² I). It winds
// from radius 0.94 out to 2.83. It is not centred: mean ≈ (0.40, 0.04),
// standard deviations ≈ 1.33 and 1.39; points lie within about
// [−2.3, 3] × [−2.7, 3.2].
func SwissRoll() marginals.Marginal {
	return toy{func(r *rand.Rand) (float64, float64) {
		t := 1.5 * math.Pi * (1 + 2*r.Float64())
		return t*math.Cos(t)/swissScale + swissSD*r.NormFloat64(), t*math.Sin(t)/swissScale + swissSD*r.NormFloat64()
	}}
}

// CheckerboardShare is the share of the 2-D rows of x (x_0, y_0, x_1, …)
// that lie on a black square of Checkerboard: inside [−2, 2]² with
// ⌊x⌋ + ⌊y⌋ even. It measures sharpness, which an energy distance barely
// sees: exact samples score 1, a uniform blur over the board ½, and a
// board shifted by one square 0. It panics if len(x) is odd; no rows
// score 0.
func CheckerboardShare(x []float64) float64 {
	if len(x)%2 != 0 {
		panic("datasets: CheckerboardShare of an odd number of coordinates")
	}
	if len(x) == 0 {
		return 0
	}
	on := 0
	for i := 0; i < len(x); i += 2 {
		a, b := x[i], x[i+1]
		if a >= -2 && a < 2 && b >= -2 && b < 2 && int(math.Floor(a)+math.Floor(b))%2 == 0 {
			on++
		}
	}
	return float64(on) / float64(len(x)/2)
}

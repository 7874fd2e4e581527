package nn

import (
	"fmt"
	"math"
	"sync"
)

// String returns the activation's name ("tanh", "silu").
func (a Activation) String() string {
	switch a {
	case Tanh:
		return "tanh"
	case SiLU:
		return "silu"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// ParseActivation returns the activation String names ("tanh", "silu").
func ParseActivation(s string) (Activation, error) {
	for _, a := range []Activation{Tanh, SiLU} {
		if a.String() == s {
			return a, nil
		}
	}
	return 0, fmt.Errorf("unknown activation %q", s)
}

// Apply returns act(z) in float64: tanh(z), or SiLU z·σ(z) with
// σ(z) = 1/(1+e^{−z}). It is the scalar reference of the batched kernels
// (which for float32 use a faster rational tanh).
func (a Activation) Apply(z float64) float64 {
	switch a {
	case Tanh:
		return math.Tanh(z)
	case SiLU:
		return z * sigmoid(z)
	}
	panic("nn: unknown activation " + a.String())
}

// Deriv returns act'(z): 1 − tanh²(z), or σ(z)·(1 + z·(1 − σ(z))) for SiLU.
func (a Activation) Deriv(z float64) float64 {
	switch a {
	case Tanh:
		t := math.Tanh(z)
		return 1 - t*t
	case SiLU:
		s := sigmoid(z)
		return s * (1 + z*(1-s))
	}
	panic("nn: unknown activation " + a.String())
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// Coefficients of tanh32, the rational approximation of tanh used by
// Eigen and XLA for float32: tanh x ≈ x·P(x²)/Q(x²) with P of degree 6
// and Q of degree 3 in x², on the clamped range |x| ≤ 9 (beyond it tanh
// rounds to ±1 in float32). TestTanh32 measures it at under 3 float32 ulp.
const (
	tanhA1  = 4.89352455891786e-03
	tanhA3  = 6.37261928875436e-04
	tanhA5  = 1.48572235717979e-05
	tanhA7  = 5.12229709037114e-08
	tanhA9  = -8.60467152213735e-11
	tanhA11 = 2.00018790482477e-13
	tanhA13 = -2.76076847742355e-16
	tanhB0  = 4.89352518554385e-03
	tanhB2  = 2.26843463243900e-03
	tanhB4  = 1.18534705686654e-04
	tanhB6  = 1.19825839466702e-06
)

// tanh32 is tanh in float32 arithmetic, several times faster than
// math.Tanh. It is small enough for the compiler to inline into the
// batched kernel's loop.
func tanh32(x float32) float32 {
	if x > 9 {
		x = 9
	}
	if x < -9 {
		x = -9
	}
	x2 := x * x
	p := ((((((tanhA13*x2+tanhA11)*x2+tanhA9)*x2+tanhA7)*x2+tanhA5)*x2+tanhA3)*x2 + tanhA1) * x
	q := ((tanhB6*x2+tanhB4)*x2+tanhB2)*x2 + tanhB0
	return p / q
}

// Constants of tanh64: Cephes' rational tanh for |x| < 0.625 (as in
// math.Tanh) and fdlibm's exp for e^{2|x|} otherwise (as in math.Exp).
const (
	tanhP0 = -9.64399179425052238628e-1
	tanhP1 = -9.92877231001918586564e1
	tanhP2 = -1.61468768441708447952e3
	tanhQ0 = 1.12811678491632931402e2
	tanhQ1 = 2.23548839060100448583e3
	tanhQ2 = 4.84406305325125486048e3
	ln2Hi  = 6.93147180369123816490e-01
	ln2Lo  = 1.90821492927058770002e-10
	log2e  = 1.44269504088896338700e+00
	expP1  = 1.66666666666666657415e-01
	expP2  = -2.77777777770155933842e-03
	expP3  = 6.61375632143793436117e-05
	expP4  = -1.65339022054652515390e-06
	expP5  = 4.13813679705723846039e-08
)

// tanh64 is math.Tanh's algorithm, tanh x = 1 − 2/(e^{2|x|} + 1) with the
// sign of x for |x| ≥ 0.625, with the exponential written out (e^{2|x|} =
// 2^k·e^r, |r| ≤ ln2/2, 2^k built from its bits since 2|x| ≤ 44) so that
// it makes no calls: about 30% faster than calling math.Tanh, within 2 ulp
// of it (TestTanh64). The rational branch for small |x| is small enough
// to be inlined into the batched kernel's loop; the other is tanh64Exp.
func tanh64(x float64) float64 {
	if math.Abs(x) < 0.625 {
		s := x * x
		return x + x*s*((tanhP0*s+tanhP1)*s+tanhP2)/(((s+tanhQ0)*s+tanhQ1)*s+tanhQ2)
	}
	return tanh64Exp(x)
}

// tanh64Exp is tanh64 for |x| ≥ 0.625.
func tanh64Exp(x float64) float64 {
	a := math.Abs(x)
	if a > 22 { // tanh 22 = 1 − 1.6e-19 rounds to 1
		a = 22
	}
	a2 := 2 * a
	k := int(log2e*a2 + 0.5)
	fk := float64(k)
	hi := a2 - fk*ln2Hi
	lo := fk * ln2Lo
	r := hi - lo
	t := r * r
	c := r - t*(expP1+t*(expP2+t*(expP3+t*(expP4+t*expP5))))
	e := (1 - ((lo - (r*c)/(2-c)) - hi)) * math.Float64frombits(uint64(k+1023)<<52)
	return math.Copysign(1-2/(e+1), x)
}

// grain is the smallest number of elements worth handing to another core
// (a hundred microseconds of work or more). Measured on two shared cores
// with OpenBLAS, whose idle threads spin for a while after each product,
// smaller pieces only add handover latency.
const grain = 1 << 18

// actJob is the context of a layer's parallel elementwise passes; each
// Workspace owns one.
type actJob[T Float] struct {
	act      Activation
	linear   bool
	z, s, b  []T
	d, a     []T
	wg       sync.WaitGroup
	biasRun  rangeFunc
	derivRun rangeFunc
}

func newActJob[T Float]() *actJob[T] {
	return &actJob[T]{biasRun: biasActJob[T], derivRun: mulDerivJob[T]}
}

// biasAct adds the bias b to every row of the n×len(b) matrix z in place
// and applies act: z ← act(z + b), rows split across the cores. For SiLU
// the sigmoid σ(z + b) is kept in s, so that Backward needs no
// exponential. With linear set only the bias is added (the output layer).
// One pass over z: the bias and the nonlinearity are fused.
func (j *actJob[T]) biasAct(act Activation, linear bool, z, s, b []T, n int) {
	j.act, j.linear, j.z, j.s, j.b = act, linear, z, s, b
	parallelFor(n, max(1, grain/len(b)), j.biasRun, j, &j.wg)
	j.z, j.s, j.b = nil, nil, nil
}

func biasActJob[T Float](ctx any, lo, hi int) {
	j := ctx.(*actJob[T])
	biasActRows(j.act, j.linear, j.z, j.s, j.b, lo, hi)
}

// biasActRows is biasAct on rows [lo, hi) on the calling goroutine.
func biasActRows[T Float](act Activation, linear bool, z, s, b []T, lo, hi int) {
	switch {
	case linear:
		biasRows(z, b, lo, hi)
	case act == Tanh && is32[T]():
		biasTanh32Rows(as32(z), as32(b), lo, hi)
	case act == Tanh:
		biasTanh64Rows(as64(z), as64(b), lo, hi)
	case act == SiLU && is32[T]():
		biasSiLU32Rows(as32(z), as32(s), as32(b), lo, hi)
	case act == SiLU:
		biasSiLURows(z, s, b, lo, hi)
	default:
		panic("nn: unknown activation " + act.String())
	}
}

// biasRows adds b to rows [lo, hi) of z (the output layer: no activation).
func biasRows[T Float](z, b []T, lo, hi int) {
	w := len(b)
	for i := lo; i < hi; i++ {
		row := z[i*w : i*w+w]
		for j, bj := range b {
			row[j] += bj
		}
	}
}

// biasTanh32Rows sets z ← tanh32(z + b) on rows [lo, hi): the assembly
// kernel takes whole blocks of 8 columns where AVX2 is present, tanh32
// the rest.
func biasTanh32Rows(z, b []float32, lo, hi int) {
	w := len(b)
	w8 := 0
	if haveAVX2 {
		w8 = w &^ 7
	}
	for i := lo; i < hi; i++ {
		row := z[i*w : i*w+w]
		if w8 > 0 {
			tanhBias32AVX2(&row[0], &b[0], w8, &tanh32Consts)
		}
		for j := w8; j < w; j++ {
			row[j] = tanh32(row[j] + b[j])
		}
	}
}

// biasTanh64Rows sets z ← tanh64(z + b) on rows [lo, hi), with the
// assembly kernel on blocks of 4 columns where AVX2 is present.
func biasTanh64Rows(z, b []float64, lo, hi int) {
	w := len(b)
	w4 := 0
	if haveAVX2 {
		w4 = w &^ 3
	}
	for i := lo; i < hi; i++ {
		row := z[i*w : i*w+w]
		if w4 > 0 {
			tanhBias64AVX2(&row[0], &b[0], w4, &tanh64Consts)
		}
		for j := w4; j < w; j++ {
			row[j] = tanh64(row[j] + b[j])
		}
	}
}

// biasSiLURows sets z ← (z + b)·σ(z + b) on rows [lo, hi) and keeps σ in s.
func biasSiLURows[T Float](z, s, b []T, lo, hi int) {
	w := len(b)
	for i := lo; i < hi; i++ {
		row := z[i*w : i*w+w]
		srow := s[i*w : i*w+w]
		for j, bj := range b {
			v := float64(row[j] + bj)
			sg := 1 / (1 + math.Exp(-v))
			srow[j] = T(sg)
			row[j] = T(v * sg)
		}
	}
}

// biasSiLU32Rows is biasSiLURows in float32 through σ(v) = (1 +
// tanh(v/2))/2, so that the assembly tanh kernel does the work that
// math.Exp in float64 did (6× slower per element than the fused tanh
// pass; BenchmarkBiasAct): the SiLU network then costs what the tanh one
// does. The U-Net's NormAct computes its SiLU the same way.
func biasSiLU32Rows(z, s, b []float32, lo, hi int) {
	w := len(b)
	for i := lo; i < hi; i++ {
		row := z[i*w : i*w+w]
		srow := s[i*w : i*w+w]
		for j, bj := range b {
			v := row[j] + bj
			row[j] = v
			srow[j] = 0.5 * v
		}
		tanh32InPlace(srow)
		for j, v := range row {
			sg := 0.5 + 0.5*srow[j]
			srow[j] = sg
			row[j] = v * sg
		}
	}
}

// zero32 is the zero bias the tanh kernel adds in tanh32InPlace.
var zero32 [256]float32

// tanh32InPlace sets x ← tanh32(x), with the assembly kernel on blocks
// of 8 where AVX2 is present.
func tanh32InPlace(x []float32) {
	if haveAVX2 {
		for len(x) >= 8 {
			n := min(len(x), len(zero32)) &^ 7
			tanhBias32AVX2(&x[0], &zero32[0], n, &tanh32Consts)
			x = x[n:]
		}
	}
	for j, v := range x {
		x[j] = tanh32(v)
	}
}

// mulDeriv multiplies δ elementwise by act'(z), split across the cores.
func (j *actJob[T]) mulDeriv(act Activation, d, a, s []T) {
	j.act, j.d, j.a, j.s = act, d, a, s
	parallelFor(len(d), grain, j.derivRun, j, &j.wg)
	j.d, j.a, j.s = nil, nil, nil
}

func mulDerivJob[T Float](ctx any, lo, hi int) {
	j := ctx.(*actJob[T])
	mulDerivRange(j.act, j.d, j.a, j.s, lo, hi)
}

// mulDerivRange multiplies d[lo:hi] by act'(z), written in terms of what
// Forward kept: 1 − a² for tanh (a = tanh z), and s + a·(1 − s) for SiLU
// (s = σ(z), a = z·s; indeed σ(1 + z(1−σ)) = σ + zσ(1−σ)).
func mulDerivRange[T Float](act Activation, d, a, s []T, lo, hi int) {
	d, a = d[lo:hi], a[lo:hi]
	switch act {
	case Tanh:
		for i, ai := range a {
			d[i] *= 1 - ai*ai
		}
	case SiLU:
		s = s[lo:hi]
		for i, ai := range a {
			si := s[i]
			d[i] *= si + ai*(1-si)
		}
	default:
		panic("nn: unknown activation " + act.String())
	}
}

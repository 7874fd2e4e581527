package nn

import (
	"fmt"
	"math"
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

// tanh32 is tanh in float32 arithmetic as a rational function
// x·P(x²)/Q(x²) of degrees 13/6 on the clamped range |x| ≤ 9 (beyond it
// tanh rounds to ±1 in float32), the approximation used by Eigen and
// XLA. It is accurate to a few float32 ulps (TestTanh32 measures it) and
// several times faster than math.Tanh, which dominates the elementwise
// work of a float32 training step otherwise.
func tanh32(x float32) float32 {
	const (
		a1  = 4.89352455891786e-03
		a3  = 6.37261928875436e-04
		a5  = 1.48572235717979e-05
		a7  = 5.12229709037114e-08
		a9  = -8.60467152213735e-11
		a11 = 2.00018790482477e-13
		a13 = -2.76076847742355e-16
		b0  = 4.89352518554385e-03
		b2  = 2.26843463243900e-03
		b4  = 1.18534705686654e-04
		b6  = 1.19825839466702e-06
	)
	if x > 9 {
		x = 9
	} else if x < -9 {
		x = -9
	}
	if x > -0.0004 && x < 0.0004 {
		// tanh x = x − x³/3 + …: x³/3 < 2.2e-11 ≪ x·2⁻²⁴ here.
		return x
	}
	x2 := x * x
	p := float32(a13)
	p = p*x2 + a11
	p = p*x2 + a9
	p = p*x2 + a7
	p = p*x2 + a5
	p = p*x2 + a3
	p = p*x2 + a1
	p *= x
	q := float32(b6)
	q = q*x2 + b4
	q = q*x2 + b2
	q = q*x2 + b0
	return p / q
}

// biasAct adds the bias b to every row of the n×len(b) matrix z in place
// and applies act: z ← act(z + b). For SiLU the sigmoid σ(z + b) is kept
// in s, so that Backward needs no exponential. With linear set only the
// bias is added (the output layer). One pass over z: the bias and the nonlinearity are fused.
func biasAct[T Float](act Activation, linear bool, z, s, b []T, n int) {
	w := len(b)
	switch {
	case linear:
		for i := 0; i < n; i++ {
			row := z[i*w : i*w+w]
			for j, bj := range b {
				row[j] += bj
			}
		}
	case act == Tanh && is32[T]():
		z32, b32 := as32(z), as32(b)
		for i := 0; i < n; i++ {
			row := z32[i*w : i*w+w]
			for j, bj := range b32 {
				row[j] = tanh32(row[j] + bj)
			}
		}
	case act == Tanh:
		z64, b64 := as64(z), as64(b)
		for i := 0; i < n; i++ {
			row := z64[i*w : i*w+w]
			for j, bj := range b64 {
				row[j] = math.Tanh(row[j] + bj)
			}
		}
	case act == SiLU:
		for i := 0; i < n; i++ {
			row := z[i*w : i*w+w]
			srow := s[i*w : i*w+w]
			for j, bj := range b {
				v := float64(row[j] + bj)
				sg := 1 / (1 + math.Exp(-v))
				srow[j] = T(sg)
				row[j] = T(v * sg)
			}
		}
	default:
		panic("nn: unknown activation " + act.String())
	}
}

// mulDeriv multiplies δ elementwise by act'(z), written in terms of what
// Forward kept: 1 − a² for tanh (a = tanh z), and s + a·(1 − s) for SiLU
// (s = σ(z), a = z·s; indeed σ(1 + z(1−σ)) = σ + zσ(1−σ)).
func mulDeriv[T Float](act Activation, d, a, s []T) {
	a = a[:len(d)]
	switch act {
	case Tanh:
		for i, ai := range a {
			d[i] *= 1 - ai*ai
		}
	case SiLU:
		s = s[:len(d)]
		for i, ai := range a {
			si := s[i]
			d[i] *= si + ai*(1-si)
		}
	default:
		panic("nn: unknown activation " + act.String())
	}
}

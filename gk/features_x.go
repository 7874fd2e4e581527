package gk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/mmi-go/mmi/internal/trig"
)

// XFeatures configures random Fourier features of the network's input x
// (Tancik et al., 2020), off by default: with Frequencies = M > 0 the MLP
// sees, besides the α-features and x, the 2M numbers sin(2π Bx) and
// cos(2π Bx), B an M×d matrix with N(0, Scale²) entries drawn once when the
// model is created. x is in the model's normalized coordinates, so Scale is
// in cycles per normalized unit.
//
// Why: near a data vertex the true heads vary with x on the scale of the
// thinnest mode of that marginal (widths of 0.01–0.04 normalized units in
// the problems of package suite), and a tanh network on inputs of order 1
// learns such fine-scale functions slowly (spectral bias); features of x
// at frequencies of the order of 1/width make them linear in the features.
// gk/ARCHITECTURE.md, "The suite", has what they measured. They work with
// the MLP only.
type XFeatures struct {
	// Frequencies is M, the number of random frequencies; 0 means no
	// features of x.
	Frequencies int
	// Scale is the standard deviation of the entries of B (cycles per
	// normalized unit); it must be positive when Frequencies is, and 0
	// when it is not.
	Scale float64
}

// On reports whether x gets Fourier features.
func (f XFeatures) On() bool { return f.Frequencies > 0 }

// String returns "M:σ" ("64:3"), the form ParseXFeatures reads, or "off".
func (f XFeatures) String() string {
	if !f.On() {
		return "off"
	}
	return fmt.Sprintf("%d:%g", f.Frequencies, f.Scale)
}

// ParseXFeatures reads "M:σ" (for example "64:3": 64 frequencies with
// entries of standard deviation 3), or "off" / "" for none.
func ParseXFeatures(s string) (XFeatures, error) {
	if s == "" || s == "off" {
		return XFeatures{}, nil
	}
	ms, sigma, ok := strings.Cut(s, ":")
	m, err1 := strconv.Atoi(ms)
	scale, err2 := strconv.ParseFloat(sigma, 64)
	if !ok || err1 != nil || err2 != nil || m < 1 {
		return XFeatures{}, fmt.Errorf("gk: Fourier features of x %q: want M:σ with M ≥ 1 (for example 64:3) or off", s)
	}
	f := XFeatures{Frequencies: m, Scale: scale}
	if err := f.validate(); err != nil {
		return XFeatures{}, err
	}
	return f, nil
}

func (f XFeatures) validate() error {
	switch {
	case f.Frequencies < 0:
		return fmt.Errorf("gk: %d Fourier frequencies of x, need 0 (off) or more", f.Frequencies)
	case f.Frequencies == 0 && f.Scale != 0:
		return fmt.Errorf("gk: Fourier features of x with scale %v but no frequencies", f.Scale)
	case f.Frequencies > 0 && (!(f.Scale > 0) || math.IsInf(f.Scale, 0)):
		return fmt.Errorf("gk: Fourier feature scale of x %v, need positive and finite", f.Scale)
	}
	return nil
}

// xFeatures computes sin(2π Bx), cos(2π Bx) for the rows of x.
type xFeatures struct {
	d int
	b []float64 // M×d, row-major
}

// newXFeatures draws B from r; nil (and nothing drawn) when f is off.
func newXFeatures(f XFeatures, d int, r *rand.Rand) *xFeatures {
	if !f.On() {
		return nil
	}
	x := &xFeatures{d: d, b: make([]float64, f.Frequencies*d)}
	for i := range x.b {
		x.b[i] = f.Scale * r.NormFloat64()
	}
	return x
}

// dim returns the number of features, 2M; 0 for nil.
func (x *xFeatures) dim() int {
	if x == nil {
		return 0
	}
	return 2 * len(x.b) / x.d
}

// compute writes sin(2π b_m·row) for m = 0 … M−1, then cos(2π b_m·row),
// into dst (len 2M). Nothing for nil.
func (x *xFeatures) compute(dst, row []float64) {
	if x == nil {
		return
	}
	m := len(x.b) / x.d
	for i := 0; i < m; i++ {
		s := 0.0
		for j, v := range x.b[i*x.d : (i+1)*x.d] {
			s += v * row[j]
		}
		dst[i] = s
	}
	trig.Sincos2PiTo(dst[:m], dst[m:2*m], dst[:m])
}

// vjp adds Jᵀ dfeat to dx (len d), J = ∂features/∂x at the row whose
// features feat (as compute wrote them) are: ∂ sin(2π b_m·x)/∂x =
// 2π cos(2π b_m·x) b_m and ∂ cos(2π b_m·x)/∂x = −2π sin(2π b_m·x) b_m.
// Nothing for nil.
func (x *xFeatures) vjp(dx, feat, dfeat []float64) {
	if x == nil {
		return
	}
	m := len(x.b) / x.d
	for i := 0; i < m; i++ {
		c := 2 * math.Pi * (feat[m+i]*dfeat[i] - feat[i]*dfeat[m+i])
		if c == 0 {
			continue
		}
		for j, v := range x.b[i*x.d : (i+1)*x.d] {
			dx[j] += c * v
		}
	}
}

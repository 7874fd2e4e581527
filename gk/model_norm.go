package gk

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmi-go/mmi/marginals"
)

// Affine is the normalization x' = (x − Center)/Scale that a Model applies
// to every data marginal ρ_1 … ρ_K before interpolating. The Gaussian ρ_0
// is N(0, I) in the normalized coordinates and is not transformed.
//
// One map for all data marginals (not one per marginal) keeps the model an
// interpolant: Σ_k α_k x'_k is the normalized image of the data-space
// barycentric combination whenever α_0 = 0, so paths between data
// marginals, barycenters and transport costs mean the same in both
// coordinates. The zero Affine is the identity.
type Affine struct {
	// Center has length d, or is nil for 0.
	Center []float64
	// Scale is the common scale s > 0; 0 means 1.
	Scale float64
}

// IsIdentity reports whether a is the identity map.
func (a Affine) IsIdentity() bool {
	if a.Scale != 0 && a.Scale != 1 {
		return false
	}
	for _, c := range a.Center {
		if c != 0 {
			return false
		}
	}
	return true
}

func (a Affine) scale() float64 {
	if a.Scale == 0 {
		return 1
	}
	return a.Scale
}

func (a Affine) validate(d int) error {
	if a.Center != nil && len(a.Center) != d {
		return fmt.Errorf("gk: normalization center has %d entries, dimension is %d", len(a.Center), d)
	}
	for i, c := range a.Center {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return fmt.Errorf("gk: normalization center entry %d is %v", i, c)
		}
	}
	if !(a.Scale >= 0) || math.IsInf(a.Scale, 0) {
		return fmt.Errorf("gk: normalization scale %v, need positive and finite", a.Scale)
	}
	return nil
}

func (a Affine) clone() Affine {
	return Affine{Center: append([]float64(nil), a.Center...), Scale: a.Scale}
}

// Normalize maps the rows of x (row-major, dimension len(Center) or any d
// when Center is nil) in place to (x − Center)/Scale.
func (a Affine) Normalize(x []float64) {
	inv := 1 / a.scale()
	d := len(a.Center)
	for i := range x {
		c := 0.0
		if d > 0 {
			c = a.Center[i%d]
		}
		x[i] = (x[i] - c) * inv
	}
}

// Denormalize maps the rows of x in place to Center + Scale·x, the inverse
// of Normalize.
func (a Affine) Denormalize(x []float64) {
	s := a.scale()
	d := len(a.Center)
	for i := range x {
		c := 0.0
		if d > 0 {
			c = a.Center[i%d]
		}
		x[i] = c + s*x[i]
	}
}

// LogDetJacobian returns log |det ∂x'/∂x| = −d·log Scale: a log density in
// normalized coordinates plus this is the log density in data coordinates.
func (a Affine) LogDetJacobian(d int) float64 { return -float64(d) * math.Log(a.scale()) }

// NormFit selects how NewTrainer fits the scale of a model's
// normalization (the centre is always the pooled mean of the data).
type NormFit int

const (
	// NormPooled (the zero value) scales the union of the data marginals
	// to unit spread (FitAffine).
	NormPooled NormFit = iota
	// NormWithin scales by the marginals' own spread about their own
	// means (FitAffineWithin): a small marginal far from the others is
	// not squeezed by the distances between the marginals' locations.
	NormWithin
)

// String returns "pooled" or "within", the names ParseNormFit reads.
func (f NormFit) String() string {
	switch f {
	case NormPooled:
		return "pooled"
	case NormWithin:
		return "within"
	}
	return fmt.Sprintf("NormFit(%d)", int(f))
}

// ParseNormFit reads "pooled" or "within".
func ParseNormFit(s string) (NormFit, error) {
	for _, f := range []NormFit{NormPooled, NormWithin} {
		if f.String() == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("gk: normalization %q: want pooled or within", s)
}

// FitAffine estimates the normalization of the data marginals 1 … K of c
// from n joint draws: Center is the mean of the pooled data samples and
// Scale² the mean squared distance to it per coordinate,
//
//	Scale² = (1/(K n d)) Σ_{k≥1} Σ_i |x_{k,i} − Center|² ,
//
// so the union of the data marginals has unit scale and the Gaussian base
// N(0, I) matches it. Marginal 0 is not used. It fails if the data are
// constant or not finite.
func FitAffine(c marginals.Coupling, n int, r *rand.Rand) (Affine, error) {
	return fitAffine(c, n, r, NormPooled)
}

// FitAffineWithin is FitAffine with the scale of NormWithin: the root mean
// over the data marginals of each one's variance per coordinate about its
// own mean,
//
//	Scale² = (1/(K n d)) Σ_{k≥1} Σ_i |x_{k,i} − m_k|² ,  m_k = (1/n) Σ_i x_{k,i},
//
// which counts the spread of the modes and not the distances between the
// marginals. Why: near the vertex of a thin or small marginal the heads
// vary on the scale of that marginal's modes, and the pooled scale can
// make it a few hundredths of a unit (gk/ARCHITECTURE.md, "The suite").
// Center is FitAffine's. It fails if every marginal is constant.
func FitAffineWithin(c marginals.Coupling, n int, r *rand.Rand) (Affine, error) {
	return fitAffine(c, n, r, NormWithin)
}

func fitAffine(c marginals.Coupling, n int, r *rand.Rand, fit NormFit) (Affine, error) {
	kk, d := c.Len(), c.Dim()
	if kk < 2 {
		return Affine{}, errors.New("gk: coupling has no data marginal")
	}
	if n < 1 {
		return Affine{}, fmt.Errorf("gk: FitAffine needs at least one draw, got %d", n)
	}
	const chunk = 512
	buf := make([][]float64, kk)
	for k := range buf {
		buf[k] = make([]float64, min(n, chunk)*d)
	}
	// Sums are taken about the first row of marginal 1 (a shift that avoids
	// the cancellation of E[x²] − E[x]² when the data sit far from 0).
	var shift []float64
	sum := make([]float64, d)
	sq := 0.0
	total := 0
	// Per marginal, for NormWithin, about its own first row (a marginal
	// far from marginal 1 would otherwise lose its variance to the
	// cancellation above).
	sumK, shiftK := make([]float64, kk*d), make([]float64, kk*d)
	sqK := make([]float64, kk)
	for done := 0; done < n; {
		m := min(chunk, n-done)
		for k := range buf {
			buf[k] = buf[k][:m*d]
		}
		c.Sample(buf, r)
		if shift == nil {
			shift = append([]float64(nil), buf[1][:d]...)
			for k := 1; k < kk; k++ {
				copy(shiftK[k*d:(k+1)*d], buf[k][:d])
			}
		}
		for k := 1; k < kk; k++ {
			for i, v := range buf[k] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return Affine{}, fmt.Errorf("gk: data marginal %d produced a non-finite value %v", k, v)
				}
				y := v - shift[i%d]
				sum[i%d] += y
				sq += y * y
				yk := v - shiftK[k*d+i%d]
				sumK[k*d+i%d] += yk
				sqK[k] += yk * yk
			}
		}
		total += m * (kk - 1)
		done += m
	}
	center := make([]float64, d)
	var meanSq float64
	for j := range center {
		mu := sum[j] / float64(total)
		center[j] = shift[j] + mu
		meanSq += mu * mu
	}
	v := (sq/float64(total) - meanSq) / float64(d)
	if fit == NormWithin {
		v = 0
		for k := 1; k < kk; k++ {
			vk := sqK[k] / float64(n)
			for _, s := range sumK[k*d : (k+1)*d] {
				vk -= (s / float64(n)) * (s / float64(n))
			}
			v += vk / float64((kk-1)*d)
		}
	}
	if !(v > 0) || math.IsInf(v, 0) {
		return Affine{}, fmt.Errorf("gk: data marginals have variance %v, cannot normalize", v)
	}
	return Affine{Center: center, Scale: math.Sqrt(v)}, nil
}

// normalizedCoupling presents a coupling in the model's coordinates: data
// marginals k ≥ 1 pass through the Affine map, marginal 0 is unchanged.
type normalizedCoupling struct {
	c marginals.Coupling
	a Affine
}

// NormalizedCoupling returns c with every data marginal k ≥ 1 mapped by
// a.Normalize and marginal 0 left alone: the coupling that a Model with
// normalization a was trained on. Anything that samples the interpolant to
// feed a Model (transport costs, training) must sample this one.
func NormalizedCoupling(c marginals.Coupling, a Affine) marginals.Coupling {
	if a.IsIdentity() {
		return c
	}
	return &normalizedCoupling{c: c, a: a.clone()}
}

func (n *normalizedCoupling) Len() int { return n.c.Len() }
func (n *normalizedCoupling) Dim() int { return n.c.Dim() }

func (n *normalizedCoupling) Sample(dst [][]float64, r *rand.Rand) {
	n.c.Sample(dst, r)
	for k := 1; k < len(dst); k++ {
		n.a.Normalize(dst[k])
	}
}

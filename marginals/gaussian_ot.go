package marginals

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/internal/symmat"
)

// GaussianOT is the optimal coupling of Gaussian data marginals
// ρ_k = N(μ_k, Σ_k), k = 1 … K, for the multimarginal quadratic cost with
// equal weights, Σ_k |x_k − x̄|² (the limit of the OT coupling's tuples as
// the blocks grow), with a base marginal ρ_0 drawn independently.
//
// With the Wasserstein barycenter N(μ̄, B), μ̄ = (1/K) Σ_k μ_k, and B the
// positive-definite fixed point of
//
//	B = (1/K) Σ_k (B^{1/2} Σ_k B^{1/2})^{1/2}
//
// (Agueh–Carlier; found by the iteration of Álvarez-Esteban, del Barrio,
// Cuesta-Albertos and Matrán 2016, which converges from any
// positive-definite start), a joint draw is u ~ N(0, B) and
//
//	x_k = μ_k + T_k u,  T_k = B^{−1/2} (B^{1/2} Σ_k B^{1/2})^{1/2} B^{−1/2},
//
// T_k the optimal map from the barycenter to ρ_k (Gangbo–Święch: the
// optimal multimarginal plan is the law of (T_1 y, …, T_K y) for y drawn
// from the barycenter). Then Cov(x_i, x_j) = T_i B T_j, the fixed point
// says (1/K) Σ_k T_k = I, and the tuple mean x̄ is distributed as the
// barycenter.
type GaussianOT struct {
	base   Marginal
	data   []*Gaussian
	mean   []float64       // μ̄
	bary   *mat.SymDense   // B
	maps   []*mat.SymDense // T_k, k = 1 … K (index k−1)
	bChol  mat.Cholesky
	bLower *mat.TriDense
}

var _ Coupling = (*GaussianOT)(nil)

// barycenterTol and barycenterIters bound the fixed-point iteration: it
// stops when B changes by less than barycenterTol relative (Frobenius).
const (
	barycenterTol   = 1e-13
	barycenterIters = 10000
)

// NewGaussianOT returns the optimal coupling of base (marginal 0,
// independent) and the Gaussians data (marginals 1 … K), all of one
// dimension. It fails if the fixed-point iteration does not converge.
func NewGaussianOT(base Marginal, data ...*Gaussian) (*GaussianOT, error) {
	if base == nil || len(data) == 0 {
		return nil, errors.New("marginals: Gaussian OT coupling needs a base and at least one Gaussian")
	}
	d := base.Dim()
	for k, g := range data {
		if g == nil || g.Dim() != d {
			return nil, fmt.Errorf("marginals: Gaussian %d is missing or not of dimension %d", k+1, d)
		}
	}
	c := &GaussianOT{base: base, data: append([]*Gaussian(nil), data...), mean: make([]float64, d)}
	kk := float64(len(data))
	for _, g := range data {
		for j, v := range g.mean {
			c.mean[j] += v / kk
		}
	}
	b, err := barycenterCov(data)
	if err != nil {
		return nil, err
	}
	c.bary = b
	bh, bih := symmat.Pow(b, 0.5), symmat.Pow(b, -0.5)
	for _, g := range data {
		inner := sandwich(bh, g.Cov())
		c.maps = append(c.maps, sandwich(bih, symmat.Pow(inner, 0.5)))
	}
	if !c.bChol.Factorize(b) {
		return nil, errors.New("marginals: barycenter covariance is not positive definite")
	}
	c.bLower = mat.NewTriDense(d, mat.Lower, nil)
	c.bChol.LTo(c.bLower)
	return c, nil
}

// barycenterCov iterates S ← S^{−1/2} ((1/K) Σ_k (S^{1/2} Σ_k S^{1/2})^{1/2})² S^{−1/2}
// from the mean of the Σ_k to its fixed point.
func barycenterCov(data []*Gaussian) (*mat.SymDense, error) {
	d := data[0].Dim()
	kk := float64(len(data))
	s := mat.NewSymDense(d, nil)
	for _, g := range data {
		s.AddSym(s, g.Cov())
	}
	s.ScaleSym(1/kk, s)
	for it := 0; it < barycenterIters; it++ {
		sh, sih := symmat.Pow(s, 0.5), symmat.Pow(s, -0.5)
		m := mat.NewSymDense(d, nil)
		for _, g := range data {
			m.AddSym(m, symmat.Pow(sandwich(sh, g.Cov()), 0.5))
		}
		m.ScaleSym(1/kk, m)
		var m2 mat.Dense
		m2.Mul(m, m)
		next := sandwich(sih, symOf(&m2))
		var diff mat.Dense
		diff.Sub(next, s)
		change := mat.Norm(&diff, 2) / mat.Norm(next, 2)
		s = next
		if change < barycenterTol {
			return s, nil
		}
		if math.IsNaN(change) {
			break
		}
	}
	return nil, errors.New("marginals: the Wasserstein barycenter iteration did not converge")
}

// sandwich returns A M A for symmetric A and M, symmetrized.
func sandwich(a, m mat.Symmetric) *mat.SymDense {
	var t mat.Dense
	t.Mul(a, m)
	t.Mul(&t, a)
	return symOf(&t)
}

// symOf returns (M + Mᵀ)/2.
func symOf(m *mat.Dense) *mat.SymDense {
	d, _ := m.Dims()
	s := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			s.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
		}
	}
	return s
}

// Len returns K+1.
func (c *GaussianOT) Len() int { return len(c.data) + 1 }

// Dim returns d.
func (c *GaussianOT) Dim() int { return c.base.Dim() }

// Marginal returns ρ_k.
func (c *GaussianOT) Marginal(k int) Marginal {
	if k == 0 {
		return c.base
	}
	return c.data[k-1]
}

// Barycenter returns the mean μ̄ and covariance B of the Wasserstein
// barycenter with equal weights (copies).
func (c *GaussianOT) Barycenter() (mean []float64, cov *mat.SymDense) {
	return append([]float64(nil), c.mean...), mat.NewSymDense(c.Dim(), append([]float64(nil), c.bary.RawSymmetric().Data...))
}

// Map returns T_k, the optimal map from the barycenter's centred law to
// the centred ρ_k, k = 1 … K (a copy).
func (c *GaussianOT) Map(k int) *mat.SymDense {
	m := c.maps[k-1]
	return mat.NewSymDense(c.Dim(), append([]float64(nil), m.RawSymmetric().Data...))
}

// CrossCov returns Cov(x_i, x_j) for i, j = 0 … K under the coupling: I
// for i = j = 0 when the base is N(0, I) (the caller's base must be
// standard for this entry), 0 between the base and the data, T_i B T_j
// between data marginals.
func (c *GaussianOT) CrossCov(i, j int) *mat.Dense {
	d := c.Dim()
	out := mat.NewDense(d, d, nil)
	switch {
	case i == 0 && j == 0:
		for l := 0; l < d; l++ {
			out.Set(l, l, 1)
		}
	case i == 0 || j == 0:
	default:
		out.Mul(c.maps[i-1], c.bary)
		out.Mul(out, c.maps[j-1])
	}
	return out
}

// Sample fills dst[0] with the base, then for each row draws u ~ N(0, B)
// and writes x_k = μ_k + T_k u into dst[k]. It panics on mismatched sizes
// (see Coupling).
func (c *GaussianOT) Sample(dst [][]float64, r *rand.Rand) {
	d := c.Dim()
	checkJoint(dst, c.Len(), d)
	c.base.Sample(dst[0], r)
	z := make([]float64, d)
	u := make([]float64, d)
	zv, uv := mat.NewVecDense(d, z), mat.NewVecDense(d, u)
	for i := 0; i < len(dst[0])/d; i++ {
		for j := range z {
			z[j] = r.NormFloat64()
		}
		uv.MulVec(c.bLower, zv)
		for k, t := range c.maps {
			x := mat.NewVecDense(d, dst[k+1][i*d:(i+1)*d])
			x.MulVec(t, uv)
			for j, m := range c.data[k].mean {
				x.SetVec(j, x.AtVec(j)+m)
			}
		}
	}
}

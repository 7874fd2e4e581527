// Package pathtest holds test problems with closed-form answers for the
// integrators of package path: independent Gaussian marginals with diagonal
// covariances, whose conditional expectations, flow map and log densities
// are all explicit.
package pathtest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmi-go/mmi/cond"
)

// Gaussians is K+1 independent marginals x_k ~ N(Mean[k], diag(Var[k])) on
// R^d (marginal 0 need not be standard). The interpolant x(α) = Σ α_k x_k is
// N(m, diag(S)) with m = Σ α_k μ_k and S = Σ α_k² Σ_k, and
//
//	g_k(α, x) = μ_k + α_k Σ_k S⁻¹ (x − m)   (coordinate by coordinate).
//
// The velocity of any path is then affine in x,
//
//	b(t, x) = ṁ + ½ Ṡ S⁻¹ (x − m)   (as Σ_k α̇_k α_k Σ_k = ½ dS/dt),
//
// and its flow is explicit: X(t) − m(t) = √(S(t)/S(0)) · (X(0) − m(0)). It
// depends only on the end points of the path, so every path between two
// points, kinked or retimed, has the same exact answer.
type Gaussians struct {
	Mean, Var [][]float64
}

var _ cond.VJPer = (*Gaussians)(nil)

// New returns the problem with the given means and variances (K+1 rows of
// d numbers each, variances positive). It panics on inconsistent input: it
// is for tests.
func New(mean, variance [][]float64) *Gaussians {
	if len(mean) < 2 || len(mean) != len(variance) {
		panic("pathtest: need at least 2 marginals, with one variance row per mean row")
	}
	d := len(mean[0])
	for k := range mean {
		if len(mean[k]) != d || len(variance[k]) != d {
			panic("pathtest: rows of different dimensions")
		}
		for _, v := range variance[k] {
			if !(v > 0) {
				panic(fmt.Sprintf("pathtest: variance %g of marginal %d is not positive", v, k))
			}
		}
	}
	return &Gaussians{Mean: mean, Var: variance}
}

// Sizes implements cond.Conditional.
func (p *Gaussians) Sizes() (marginals, dim int) { return len(p.Mean), len(p.Mean[0]) }

// Moments writes m(α) and the diagonal of S(α) into m and s (length d).
func (p *Gaussians) Moments(m, s, alpha []float64) {
	clear(m)
	clear(s)
	for k, a := range alpha {
		for j := range m {
			m[j] += a * p.Mean[k][j]
			s[j] += a * a * p.Var[k][j]
		}
	}
}

// Eval implements cond.Conditional.
func (p *Gaussians) Eval(g [][]float64, alpha, x []float64) {
	k1, d := p.Sizes()
	if len(alpha) != k1 || len(g) != k1 || len(x)%d != 0 {
		panic("pathtest: Eval: mismatched sizes")
	}
	m, s := make([]float64, d), make([]float64, d)
	p.Moments(m, s, alpha)
	for k := range g {
		if len(g[k]) != len(x) {
			panic("pathtest: Eval: mismatched sizes")
		}
		for i := 0; i < len(x); i += d {
			for j := 0; j < d; j++ {
				g[k][i+j] = p.Mean[k][j] + alpha[k]*p.Var[k][j]/s[j]*(x[i+j]-m[j])
			}
		}
	}
}

// VJP implements cond.VJPer: the Jacobian of Σ_k w_k g_k is diagonal,
// Σ_k w_k α_k Σ_k S⁻¹.
func (p *Gaussians) VJP(dx []float64, w, alpha, x, u []float64) {
	_, d := p.Sizes()
	if len(dx) != len(x) || len(u) != len(x) || len(x)%d != 0 {
		panic("pathtest: VJP: mismatched sizes")
	}
	m, s := make([]float64, d), make([]float64, d)
	p.Moments(m, s, alpha)
	jac := make([]float64, d)
	for k := range w {
		for j := range jac {
			jac[j] += w[k] * alpha[k] * p.Var[k][j] / s[j]
		}
	}
	for i := range x {
		dx[i] = u[i] * jac[i%d]
	}
}

// Flow writes into dst the exact image of the rows of x under the flow of
// any path from α = from to α = to: m(to) + √(S(to)/S(from))·(x − m(from)).
func (p *Gaussians) Flow(dst, x, from, to []float64) {
	_, d := p.Sizes()
	m0, s0, m1, s1 := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
	p.Moments(m0, s0, from)
	p.Moments(m1, s1, to)
	for i := range x {
		j := i % d
		dst[i] = m1[j] + math.Sqrt(s1[j]/s0[j])*(x[i]-m0[j])
	}
}

// LogDensity returns log ρ(α, x) = log N(x; m(α), diag S(α)) for one point.
func (p *Gaussians) LogDensity(alpha, x []float64) float64 {
	_, d := p.Sizes()
	m, s := make([]float64, d), make([]float64, d)
	p.Moments(m, s, alpha)
	l := 0.0
	for j := range x {
		z := x[j] - m[j]
		l -= 0.5 * (z*z/s[j] + math.Log(2*math.Pi*s[j]))
	}
	return l
}

// Sample fills dst with independent draws of ρ(α, ·), row after row.
func (p *Gaussians) Sample(dst, alpha []float64, r *rand.Rand) {
	_, d := p.Sizes()
	m, s := make([]float64, d), make([]float64, d)
	p.Moments(m, s, alpha)
	for i := range dst {
		j := i % d
		dst[i] = m[j] + math.Sqrt(s[j])*r.NormFloat64()
	}
}

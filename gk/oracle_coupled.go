package gk

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/simplex"
)

// CoupledOracle is the exact conditional expectation for ρ_0 = N(0, I_d),
// independent of the data, and Gaussian data marginals ρ_k = N(μ_k, Σ_k)
// joined by their optimal multimarginal coupling (marginals.GaussianOT,
// the limit of the OT coupling's tuples): x_k = μ_k + T_k u, u ~ N(0, B).
//
// With Γ_ij = Cov(x_i, x_j) (Γ_00 = I, Γ_0k = 0, Γ_ij = T_i B T_j for data
// marginals), x(α) = Σ_k α_k x_k is normal with
//
//	m = Σ_k α_k μ_k,  C_k = Cov(x_k, x(α)) = Σ_j α_j Γ_kj,  S = Σ_k α_k C_k,
//
// and the Gaussian conditioning formula gives g_k(α, x) = μ_k + C_k S⁻¹(x − m).
// S is positive definite for every α ≥ 0 other than 0 (a sum of positive
// multiples of I and of T_i B T_j with positive-definite T's); the
// formulas are meant for such α.
//
// A CoupledOracle is immutable after construction and safe for concurrent
// use.
type CoupledOracle struct {
	d    int
	data []*marginals.Mixture
	ot   *marginals.GaussianOT
	mu   [][]float64 // μ_0 = 0, μ_1 … μ_K
	gam  [][]float64 // (K+1)² blocks Γ_ij, d×d row-major, index i·(K+1)+j

	lock  sync.Mutex
	plans []*coupledPlan // most recently used first
}

var (
	_ cond.AlphaVJPer = (*CoupledOracle)(nil)
	_ cond.Domained   = (*CoupledOracle)(nil)
)

// Exact is an exact conditional expectation of Gaussian-mixture data
// marginals under a known coupling: Oracle (independent) and
// CoupledOracle (optimal transport). Joint draws the coupling it is exact
// for; everything that compares a model with the truth samples the
// interpolant from it.
type Exact interface {
	cond.AlphaVJPer
	Mixtures() []*marginals.Mixture
	Joint() marginals.Coupling
}

var (
	_ Exact = (*Oracle)(nil)
	_ Exact = (*CoupledOracle)(nil)
)

// Joint returns the independent coupling of N(0, I) and the mixtures: the
// law the Oracle is the conditional expectation of.
func (o *Oracle) Joint() marginals.Coupling {
	ms := []marginals.Marginal{marginals.StandardGaussian(o.d)}
	for _, m := range o.data {
		ms = append(ms, m)
	}
	c, err := marginals.NewIndependent(ms...)
	if err != nil {
		panic(err) // validated by NewOracle
	}
	return c
}

// NewExact returns the exact oracle of the data marginals data under the
// coupling spec: NewOracle for the independent coupling, NewCoupledOracle
// for OT (single Gaussians only; ErrNoClosedForm otherwise).
func NewExact(data []*marginals.Mixture, spec marginals.CouplingSpec) (Exact, error) {
	switch {
	case spec.IsIndependent():
		return NewOracle(data)
	case spec.Kind == marginals.KindOT:
		return NewCoupledOracle(data)
	}
	return nil, fmt.Errorf("gk: no exact oracle for the coupling %s", spec)
}

// ErrNoClosedForm is returned (wrapped) by NewCoupledOracle for marginals
// that are not single Gaussians: the OT coupling of mixtures has no closed
// form.
var ErrNoClosedForm = errors.New("the optimal-transport coupling has a closed form only for single Gaussians")

// NewCoupledOracle returns the exact OT-coupled oracle of the data
// marginals data (K = len(data), one dimension), each of which must be a
// single Gaussian (one component of positive weight).
func NewCoupledOracle(data []*marginals.Mixture) (*CoupledOracle, error) {
	if len(data) == 0 {
		return nil, errors.New("gk: oracle needs at least one data marginal")
	}
	var gs []*marginals.Gaussian
	for k, m := range data {
		if m == nil || m.Len() == 0 {
			return nil, fmt.Errorf("gk: data marginal %d is missing", k+1)
		}
		var g *marginals.Gaussian
		n := 0
		for j, w := range m.Weights() {
			if w > 0 {
				g = m.Components()[j]
				n++
			}
		}
		if n != 1 {
			return nil, fmt.Errorf("gk: data marginal %d has %d components: %w", k+1, n, ErrNoClosedForm)
		}
		gs = append(gs, g)
	}
	d := gs[0].Dim()
	ot, err := marginals.NewGaussianOT(marginals.StandardGaussian(d), gs...)
	if err != nil {
		return nil, fmt.Errorf("gk: %w", err)
	}
	k1 := len(gs) + 1
	o := &CoupledOracle{d: d, data: append([]*marginals.Mixture(nil), data...), ot: ot}
	o.mu = append(o.mu, make([]float64, d))
	for _, g := range gs {
		o.mu = append(o.mu, g.Mean())
	}
	o.gam = make([][]float64, k1*k1)
	for i := 0; i < k1; i++ {
		for j := 0; j < k1; j++ {
			o.gam[i*k1+j] = append([]float64(nil), ot.CrossCov(i, j).RawMatrix().Data...)
		}
	}
	return o, nil
}

// Sizes returns K+1 and d.
func (o *CoupledOracle) Sizes() (marginals, dim int) { return len(o.mu), o.d }

// Mixtures returns the data marginals given to NewCoupledOracle.
func (o *CoupledOracle) Mixtures() []*marginals.Mixture {
	return append([]*marginals.Mixture(nil), o.data...)
}

// Coupling returns the OT coupling spec.
func (o *CoupledOracle) Coupling() marginals.CouplingSpec {
	return marginals.CouplingSpec{Kind: marginals.KindOT}
}

// Joint returns the exact coupling the oracle is the conditional
// expectation of: N(0, I) and the Gaussians, optimally coupled.
func (o *CoupledOracle) Joint() marginals.Coupling { return o.ot }

// GaussianOT returns the closed-form coupling (barycenter and maps).
func (o *CoupledOracle) GaussianOT() *marginals.GaussianOT { return o.ot }

// Domain returns simplex.Unbounded: the formulas hold for every α ≥ 0
// other than 0.
func (o *CoupledOracle) Domain() simplex.Domain { return simplex.Unbounded }

// coupledPlan holds what depends on α alone.
type coupledPlan struct {
	alpha  []float64
	m      []float64   // Σ α_k μ_k
	c      [][]float64 // C_k, d×d row-major
	l      []float64   // lower Cholesky factor of S, d×d row-major
	logdet float64
}

func (o *CoupledOracle) plan(alpha []float64) *coupledPlan {
	o.lock.Lock()
	defer o.lock.Unlock()
	for i, p := range o.plans {
		if oracleEqual(p.alpha, alpha) {
			copy(o.plans[1:i+1], o.plans[:i])
			o.plans[0] = p
			return p
		}
	}
	d, k1 := o.d, len(o.mu)
	p := &coupledPlan{alpha: append([]float64(nil), alpha...), m: make([]float64, d), c: make([][]float64, k1)}
	for k, a := range alpha {
		oracleAxpy(p.m, a, o.mu[k])
	}
	s := make([]float64, d*d)
	for k := 0; k < k1; k++ {
		p.c[k] = make([]float64, d*d)
		for j, a := range alpha {
			if a != 0 {
				oracleAxpy(p.c[k], a, o.gam[k*k1+j])
			}
		}
		oracleAxpy(s, alpha[k], p.c[k])
	}
	sym := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, (s[i*d+j]+s[j*d+i])/2)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(sym) {
		panic(fmt.Sprintf("gk: coupled oracle: Cov x(α) is not positive definite at α = %v (α must be ≥ 0 and not 0)", alpha))
	}
	var l mat.TriDense
	ch.LTo(&l)
	p.l = make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			p.l[i*d+j] = l.At(i, j)
		}
	}
	p.logdet = ch.LogDet()
	o.plans = append([]*coupledPlan{p}, o.plans...)
	if len(o.plans) > oraclePlanCacheSize {
		o.plans = o.plans[:oraclePlanCacheSize]
	}
	return p
}

// solve overwrites v with S⁻¹ v (two triangular solves with L).
func (p *coupledPlan) solve(v []float64) {
	d := len(v)
	for i := 0; i < d; i++ {
		s := v[i]
		for j := 0; j < i; j++ {
			s -= p.l[i*d+j] * v[j]
		}
		v[i] = s / p.l[i*d+i]
	}
	for i := d - 1; i >= 0; i-- {
		s := v[i]
		for j := i + 1; j < d; j++ {
			s -= p.l[j*d+i] * v[j]
		}
		v[i] = s / p.l[i*d+i]
	}
}

// matVec adds A v (transposed: Aᵀ v) to y for a d×d row-major A.
func matVec(y, a, v []float64, transpose bool) {
	d := len(v)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			if transpose {
				y[j] += a[i*d+j] * v[i]
			} else {
				y[i] += a[i*d+j] * v[j]
			}
		}
	}
}

func (o *CoupledOracle) check(alpha, x []float64) {
	if len(alpha) != len(o.mu) {
		panic(fmt.Sprintf("gk: coupled oracle: len(alpha) = %d, want K+1 = %d", len(alpha), len(o.mu)))
	}
	if len(x)%o.d != 0 {
		panic(fmt.Sprintf("gk: coupled oracle: len(x) = %d is not a multiple of d = %d", len(x), o.d))
	}
}

// Eval writes g_k(alpha, x_i) = μ_k + C_k S⁻¹(x_i − m) into g[k] row by row.
func (o *CoupledOracle) Eval(g [][]float64, alpha, x []float64) {
	o.check(alpha, x)
	if len(g) != len(o.mu) {
		panic(fmt.Sprintf("gk: coupled oracle: len(g) = %d, want %d", len(g), len(o.mu)))
	}
	p := o.plan(alpha)
	d := o.d
	z := make([]float64, d)
	for i := 0; i < len(x)/d; i++ {
		for j := range z {
			z[j] = x[i*d+j] - p.m[j]
		}
		p.solve(z)
		for k := range g {
			gk := g[k][i*d : (i+1)*d]
			copy(gk, o.mu[k])
			matVec(gk, p.c[k], z, false)
		}
	}
}

// weighted returns Σ_k w_k A_k for d×d matrices A_k.
func weighted(w []float64, as [][]float64) []float64 {
	out := make([]float64, len(as[0]))
	for k, a := range as {
		if w[k] != 0 {
			oracleAxpy(out, w[k], a)
		}
	}
	return out
}

// VJP writes u_iᵀ ∂G/∂x = S⁻¹ Hᵀ u_i into dx, G = Σ_k w_k g_k, H = Σ_k w_k C_k.
func (o *CoupledOracle) VJP(dx []float64, w, alpha, x, u []float64) {
	o.check(alpha, x)
	if len(w) != len(o.mu) || len(u) != len(x) || len(dx) != len(x) {
		panic("gk: coupled oracle: VJP sizes")
	}
	p := o.plan(alpha)
	h := weighted(w, p.c)
	d := o.d
	for i := 0; i < len(x)/d; i++ {
		v := dx[i*d : (i+1)*d]
		clear(v)
		matVec(v, h, u[i*d:(i+1)*d], true)
		p.solve(v)
	}
}

// VJPAlpha computes dalpha_m = Σ_i u_iᵀ ∂G/∂α_m and (dx not nil) dx_i =
// u_iᵀ ∂G/∂x. With z = S⁻¹(x − m), v = S⁻¹Hᵀu, ∂C_k/∂α_m = Γ_km,
// ∂S/∂α_m = C_m + C_mᵀ and ∂m/∂α_m = μ_m,
//
//	uᵀ∂G/∂α_m = uᵀ(Σ_k w_k Γ_km) z − vᵀ(C_m + C_mᵀ) z − vᵀμ_m .
func (o *CoupledOracle) VJPAlpha(dalpha, dx []float64, w, alpha, x, u []float64) {
	o.check(alpha, x)
	k1, d := len(o.mu), o.d
	if len(w) != k1 || len(dalpha) != k1 || len(u) != len(x) || (dx != nil && len(dx) != len(x)) {
		panic("gk: coupled oracle: VJPAlpha sizes")
	}
	p := o.plan(alpha)
	h := weighted(w, p.c)
	hm := make([][]float64, k1) // Σ_k w_k Γ_km
	col := make([][]float64, k1)
	for m := 0; m < k1; m++ {
		for k := 0; k < k1; k++ {
			col[k] = o.gam[k*k1+m]
		}
		hm[m] = weighted(w, col)
	}
	clear(dalpha)
	z, v, t := make([]float64, d), make([]float64, d), make([]float64, d)
	for i := 0; i < len(x)/d; i++ {
		ui := u[i*d : (i+1)*d]
		for j := range z {
			z[j] = x[i*d+j] - p.m[j]
		}
		p.solve(z)
		clear(v)
		matVec(v, h, ui, true)
		p.solve(v)
		if dx != nil {
			copy(dx[i*d:(i+1)*d], v)
		}
		for m := 0; m < k1; m++ {
			clear(t)
			matVec(t, hm[m], z, false)
			s := oracleDot(ui, t)
			clear(t)
			matVec(t, p.c[m], z, false)
			matVec(t, p.c[m], z, true)
			s -= oracleDot(v, t) + oracleDot(v, o.mu[m])
			dalpha[m] += s
		}
	}
}

// Score writes ∇_x log ρ(alpha, x_i) = −S⁻¹(x_i − m) into dst.
func (o *CoupledOracle) Score(dst, alpha, x []float64) {
	o.check(alpha, x)
	p := o.plan(alpha)
	d := o.d
	for i := 0; i < len(x)/d; i++ {
		z := dst[i*d : (i+1)*d]
		for j := range z {
			z[j] = x[i*d+j] - p.m[j]
		}
		p.solve(z)
		for j := range z {
			z[j] = -z[j]
		}
	}
}

// LogDensity returns log N(x; m, S) for one point x.
func (o *CoupledOracle) LogDensity(alpha, x []float64) float64 {
	if len(x) != o.d {
		panic(fmt.Sprintf("gk: coupled oracle: len(x) = %d, want d = %d", len(x), o.d))
	}
	o.check(alpha, x)
	p := o.plan(alpha)
	z := make([]float64, o.d)
	for j := range z {
		z[j] = x[j] - p.m[j]
	}
	r := append([]float64(nil), z...)
	p.solve(z)
	return -0.5*oracleDot(r, z) - 0.5*p.logdet - 0.5*float64(o.d)*math.Log(2*math.Pi)
}

package gk

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/marginals"
)

// MaxOracleTuples bounds the number of component tuples
// Π_k (number of components of marginal k) that NewOracle accepts; the work
// and memory of the oracle grow linearly with it.
const MaxOracleTuples = 1 << 20

// oraclePlanCacheSize is how many per-α factorizations an Oracle keeps. An ODE step
// evaluates one α over a batch split between goroutines, and a Runge–Kutta
// step visits a few α, so a handful of entries make repeated calls free.
const oraclePlanCacheSize = 8

// Oracle is the exact conditional expectation for independent marginals
// ρ_0 = N(0, I_d) and Gaussian mixtures ρ_1 … ρ_K.
//
// For a tuple of components c = (c_0, c_1, …, c_K), one per marginal, with
// means μ_{k,c_k}, covariances Σ_{k,c_k} and weights w_{k,c_k} (marginal 0
// has the single component N(0, I)), x(α) = Σ_k α_k x_k given c is normal,
//
//	x | c ~ N(m_c, S_c),  m_c = Σ_k α_k μ_{k,c_k},  S_c = Σ_k α_k² Σ_{k,c_k},
//
// and the Gaussian conditioning formula applied per tuple, weighted by the
// posterior of the tuple given x, gives
//
//	g_k(α, x) = Σ_c π_c(x) [μ_{k,c_k} + α_k Σ_{k,c_k} S_c⁻¹ (x − m_c)],
//	π_c(x) ∝ (Π_k w_{k,c_k}) N(x; m_c, S_c).
//
// A marginal with α_k = 0 does not enter x(α): its component is independent
// of x, so it is summed out in closed form (g_k = E[x_k] = Σ_j w_{k,j} μ_{k,j})
// and the tuples run only over the support {k: α_k ≠ 0}. The vertices,
// edges and faces of the simplex are therefore exact and cheap.
//
// Cost. Let T = Π_{k: α_k ≠ 0} n_k be the number of tuples over the support
// (n_k components in marginal k). The first call at a new α factorizes T
// covariances, O(T d³) time and T d² memory; the factorizations of the last
// few α are cached. Each row then costs O(T d² + Σ_k n_k d²). This is meant
// for small mixtures; NewOracle refuses more than MaxOracleTuples tuples.
//
// α need not lie on the simplex: the formulas hold for any real α that is
// not all zero. The posterior is computed with log-sum-exp, so points far in
// the tails stay finite.
//
// An Oracle is immutable after construction and safe for concurrent use.
type Oracle struct {
	d    int
	data []*marginals.Mixture // validated copies of the data marginals 1 … K
	marg []oracleMixture      // marginals 0 … K, positive-weight components only

	mu    sync.Mutex
	plans []*oraclePlan // most recently used first, at most oraclePlanCacheSize
}

var (
	_ cond.Conditional = (*Oracle)(nil)
	_ cond.VJPer       = (*Oracle)(nil)
)

// oracleMixture is one marginal in the form the oracle computes with.
type oracleMixture struct {
	logw []float64   // log of the normalized weights
	mean [][]float64 // component means
	cov  [][]float64 // component covariances, d×d row-major, full
	avg  []float64   // E[x_k] = Σ_j w_j μ_j
}

// NewOracle returns the exact oracle for ρ_0 = N(0, I_d) and the data
// marginals ρ_1 … ρ_K given by data (K = len(data)), all of one dimension
// d. The mixtures were checked by marginals.NewMixture (weights,
// components) and are immutable, so they are shared, not copied; a zero
// weight is a component that never occurs.
func NewOracle(data []*marginals.Mixture) (*Oracle, error) {
	if len(data) == 0 {
		return nil, errors.New("gk: oracle needs at least one data marginal")
	}
	o := &Oracle{d: -1}
	tuples := 1
	for k, m := range data {
		if m == nil || m.Len() == 0 {
			return nil, fmt.Errorf("gk: data marginal %d is missing (nil, or not made by marginals.NewMixture)", k+1)
		}
		if o.d < 0 {
			o.d = m.Dim()
		}
		if m.Dim() != o.d {
			return nil, fmt.Errorf("gk: data marginal %d has dimension %d, want dimension %d", k+1, m.Dim(), o.d)
		}
		positive := 0
		for _, w := range m.Weights() {
			if w > 0 {
				positive++
			}
		}
		if tuples > MaxOracleTuples/positive {
			return nil, fmt.Errorf("gk: data marginals have more than %d component tuples", MaxOracleTuples)
		}
		tuples *= positive
	}
	o.data = append([]*marginals.Mixture(nil), data...)
	o.marg = append(o.marg, standardOracleMixture(o.d))
	for _, m := range data {
		o.marg = append(o.marg, newOracleMixture(m))
	}
	return o, nil
}

// standardOracleMixture is N(0, I_d), marginal 0.
func standardOracleMixture(d int) oracleMixture {
	std := oracleMixture{logw: []float64{0}, mean: [][]float64{make([]float64, d)}, cov: [][]float64{make([]float64, d*d)}, avg: make([]float64, d)}
	for i := 0; i < d; i++ {
		std.cov[0][i*d+i] = 1
	}
	return std
}

// newOracleMixture is m in the form the oracle computes with, without its
// zero-weight components.
func newOracleMixture(m *marginals.Mixture) oracleMixture {
	d := m.Dim()
	om := oracleMixture{avg: make([]float64, d)}
	weights := m.Weights()
	for j, c := range m.Components() {
		w := weights[j]
		if w == 0 {
			continue // a zero-weight component never occurs
		}
		cov := make([]float64, d*d)
		sym := c.Cov()
		for r := 0; r < d; r++ {
			for s := 0; s < d; s++ {
				cov[r*d+s] = sym.At(r, s)
			}
		}
		mean := c.Mean()
		om.logw = append(om.logw, math.Log(w))
		om.mean = append(om.mean, mean)
		om.cov = append(om.cov, cov)
		for i, v := range mean {
			om.avg[i] += w * v
		}
	}
	return om
}

// Sizes returns K+1 and d.
func (o *Oracle) Sizes() (marginals, dim int) { return len(o.marg), o.d }

// Mixtures returns the data marginals ρ_1 … ρ_K given to NewOracle. The
// slice is new; the mixtures are shared (they are immutable).
func (o *Oracle) Mixtures() []*marginals.Mixture {
	return append([]*marginals.Mixture(nil), o.data...)
}

// Eval writes g_k(alpha, x_i) into g[k][i*d:(i+1)*d] for every row x_i of x
// and every k = 0 … K, by the formula in the Oracle documentation. It
// allocates nothing per row.
func (o *Oracle) Eval(g [][]float64, alpha, x []float64) {
	d := o.d
	o.checkBatch(alpha, x)
	if len(g) != len(o.marg) {
		panic(fmt.Sprintf("gk: oracle: len(g) = %d, want %d", len(g), len(o.marg)))
	}
	for k := range g {
		if len(g[k]) != len(x) {
			panic(fmt.Sprintf("gk: oracle: len(g[%d]) = %d, want len(x) = %d", k, len(g[k]), len(x)))
		}
	}
	p := o.plan(alpha)
	s := p.getScratch()
	defer p.pool.Put(s)
	A := len(p.support)
	for i := 0; i < len(x)/d; i++ {
		p.posterior(s, x[i*d:(i+1)*d])
		// Group the tuples by the component of each marginal in the
		// support: pw[slot] = Σ_{c: c_k = j} π_c, zw[slot] = Σ_{c: c_k = j} π_c z_c
		// with z_c = S_c⁻¹(x − m_c), so that
		// g_k = Σ_j pw μ_{k,j} + α_k Σ_j Σ_{k,j} zw costs n_k matrix–vector
		// products instead of T.
		clear(s.pw)
		clear(s.zw)
		for t := 0; t < p.ntup; t++ {
			pt := s.pi[t]
			if pt == 0 {
				continue
			}
			zt := s.z[t*d : (t+1)*d]
			for a := 0; a < A; a++ {
				slot := p.off[a] + p.comp[t*A+a]
				s.pw[slot] += pt
				oracleAxpy(s.zw[slot*d:(slot+1)*d], pt, zt)
			}
		}
		for a, k := range p.support {
			gk := g[k][i*d : (i+1)*d]
			clear(gk)
			m := &o.marg[k]
			for j := range m.mean {
				slot := p.off[a] + j
				if s.pw[slot] == 0 {
					continue
				}
				oracleAxpy(gk, s.pw[slot], m.mean[j])
				oracleSymv(d, p.alpha[k], m.cov[j], s.zw[slot*d:(slot+1)*d], gk)
			}
		}
		for _, k := range p.fixed {
			copy(g[k][i*d:(i+1)*d], o.marg[k].avg)
		}
	}
}

// VJP writes into dx, row by row, u_i^T ∂/∂x [Σ_k w_k g_k(alpha, x)] at x_i.
//
// With G = Σ_k w_k g_k = Σ_c π_c G_c, where G_c is the per-tuple
// Gaussian formula with Jacobian H_c S_c⁻¹, H_c = Σ_k w_k α_k Σ_{k,c_k}, and
// ∇π_c = −π_c (z_c − z̄), z_c = S_c⁻¹(x − m_c), z̄ = Σ_c π_c z_c,
//
//	uᵀ ∂G/∂x = Σ_c π_c [S_c⁻¹ H_c u − (a_c − ā) z_c],  a_c = uᵀ G_c,  ā = Σ_c π_c a_c.
//
// The terms of a_c from marginals with α_k = 0 do not depend on c, cancel
// in a_c − ā and are left out.
func (o *Oracle) VJP(dx []float64, w, alpha, x, u []float64) {
	d := o.d
	o.checkBatch(alpha, x)
	if len(w) != len(o.marg) {
		panic(fmt.Sprintf("gk: oracle: len(w) = %d, want %d", len(w), len(o.marg)))
	}
	if len(u) != len(x) || len(dx) != len(x) {
		panic(fmt.Sprintf("gk: oracle: len(u) = %d, len(dx) = %d, want len(x) = %d", len(u), len(dx), len(x)))
	}
	p := o.plan(alpha)
	s := p.getScratch()
	defer p.pool.Put(s)
	for i := 0; i < len(x)/d; i++ {
		p.posterior(s, x[i*d:(i+1)*d])
		o.vjpRow(p, s, dx[i*d:(i+1)*d], w, u[i*d:(i+1)*d], nil)
	}
}

// vjpRow is the tuple loop that VJP and VJPAlpha share, for one row x
// whose posterior is in s: it writes uᵀ ∂G/∂x at x into out (unless out is
// nil) and returns ā, leaving z̄ in s.r. For every tuple c with π_c > 0 it
// calls each (unless nil) with the tuple's index t, π_c, a_c, z_c and
// q_c = S_c⁻¹ H_c u, in the order of the tuples.
func (o *Oracle) vjpRow(p *oraclePlan, s *oracleScratch, out, w, u []float64, each func(t int, pt, at float64, zt, q []float64)) (abar float64) {
	d := o.d
	A := len(p.support)
	// hw[slot] = w_k α_k Σ_{k,j} u, so that H_c u = Σ_k hw[slot(k, c_k)],
	// and uw[slot] = w_k uᵀμ_{k,j}, so that
	// a_c = Σ_k uw[slot(k, c_k)] + (H_c u)ᵀ z_c.
	for a, k := range p.support {
		m := &o.marg[k]
		for j := range m.mean {
			slot := p.off[a] + j
			h := s.zw[slot*d : (slot+1)*d]
			clear(h)
			oracleSymv(d, w[k]*p.alpha[k], m.cov[j], u, h)
			s.pw[slot] = w[k] * oracleDot(u, m.mean[j])
		}
	}
	if out != nil {
		clear(out)
	}
	zbar := s.r
	clear(zbar)
	for t := 0; t < p.ntup; t++ {
		pt := s.pi[t]
		if pt == 0 {
			continue
		}
		q := s.q
		clear(q)
		at := 0.0
		for a := 0; a < A; a++ {
			slot := p.off[a] + p.comp[t*A+a]
			oracleAxpy(q, 1, s.zw[slot*d:(slot+1)*d])
			at += s.pw[slot]
		}
		zt := s.z[t*d : (t+1)*d]
		at += oracleDot(q, zt)
		abar += pt * at
		oracleAxpy(zbar, pt, zt)
		p.solve(t, q) // q ← S_c⁻¹ H_c u
		if out != nil {
			oracleAxpy(out, -pt*at, zt)
			oracleAxpy(out, pt, q)
		}
		if each != nil {
			each(t, pt, at, zt, q)
		}
	}
	if out != nil {
		oracleAxpy(out, abar, zbar)
	}
	return abar
}

// Score writes ∇_x log ρ(alpha, x_i) = −Σ_c π_c S_c⁻¹(x_i − m_c) into dst,
// row by row. Where α_0 ≠ 0 it equals −g_0(α, x)/α_0; unlike that form it is
// also defined where α_0 = 0.
func (o *Oracle) Score(dst, alpha, x []float64) {
	d := o.d
	o.checkBatch(alpha, x)
	if len(dst) != len(x) {
		panic(fmt.Sprintf("gk: oracle: len(dst) = %d, want len(x) = %d", len(dst), len(x)))
	}
	p := o.plan(alpha)
	s := p.getScratch()
	defer p.pool.Put(s)
	for i := 0; i < len(x)/d; i++ {
		p.posterior(s, x[i*d:(i+1)*d])
		out := dst[i*d : (i+1)*d]
		clear(out)
		for t := 0; t < p.ntup; t++ {
			oracleAxpy(out, -s.pi[t], s.z[t*d:(t+1)*d])
		}
	}
}

// LogDensity returns log ρ(alpha, x) for one point x of length d, the log
// density of x(α) = Σ_k α_k x_k:
//
//	log ρ(α, x) = log Σ_c (Π_k w_{k,c_k}) N(x; m_c, S_c).
func (o *Oracle) LogDensity(alpha, x []float64) float64 {
	if len(x) != o.d {
		panic(fmt.Sprintf("gk: oracle: len(x) = %d, want d = %d", len(x), o.d))
	}
	o.checkBatch(alpha, x)
	p := o.plan(alpha)
	s := p.getScratch()
	defer p.pool.Put(s)
	return p.posterior(s, x)
}

func (o *Oracle) checkBatch(alpha, x []float64) {
	if len(alpha) != len(o.marg) {
		panic(fmt.Sprintf("gk: oracle: len(alpha) = %d, want K+1 = %d", len(alpha), len(o.marg)))
	}
	if len(x)%o.d != 0 {
		panic(fmt.Sprintf("gk: oracle: len(x) = %d is not a multiple of d = %d", len(x), o.d))
	}
}

// oraclePlan holds everything that depends on α alone: the support, the
// tuples over it and the Cholesky factor of every S_c. It is read-only once
// built, so goroutines share it; per-call buffers come from pool.
type oraclePlan struct {
	alpha   []float64
	d       int
	support []int // marginals with α_k ≠ 0
	fixed   []int // marginals with α_k = 0
	ntup    int
	comp    []int     // ntup × len(support): component of marginal support[a] in tuple t
	mean    []float64 // ntup × d: m_c
	chol    []float64 // ntup × d × d: lower Cholesky factor L_c of S_c = L_c L_cᵀ
	logc    []float64 // ntup: log Π w − ½ log det S_c − (d/2) log 2π
	off     []int     // accumulator slot of (a, j) is off[a] + j
	nslot   int
	pool    sync.Pool
}

type oracleScratch struct {
	z, pi  []float64 // per tuple: z_c = S_c⁻¹(x − m_c) and then π_c (pi holds log weights first)
	pw, zw []float64 // per (marginal, component) slot
	r, q   []float64 // d each
}

func (p *oraclePlan) getScratch() *oracleScratch {
	if s, ok := p.pool.Get().(*oracleScratch); ok {
		return s
	}
	d := p.d
	return &oracleScratch{
		z:  make([]float64, p.ntup*d),
		pi: make([]float64, p.ntup),
		pw: make([]float64, p.nslot),
		zw: make([]float64, p.nslot*d),
		r:  make([]float64, d),
		q:  make([]float64, d),
	}
}

// plan returns the cached plan for alpha, building it on a miss.
func (o *Oracle) plan(alpha []float64) *oraclePlan {
	o.mu.Lock()
	for i, p := range o.plans {
		if oracleEqual(p.alpha, alpha) {
			copy(o.plans[1:i+1], o.plans[:i])
			o.plans[0] = p
			o.mu.Unlock()
			return p
		}
	}
	o.mu.Unlock()
	// Built outside the lock: two goroutines may both build the same plan,
	// which costs time but not correctness.
	p := o.newPlan(alpha)
	o.mu.Lock()
	o.plans = append([]*oraclePlan{p}, o.plans...)
	if len(o.plans) > oraclePlanCacheSize {
		o.plans = o.plans[:oraclePlanCacheSize]
	}
	o.mu.Unlock()
	return p
}

func (o *Oracle) newPlan(alpha []float64) *oraclePlan {
	d := o.d
	p := &oraclePlan{alpha: append([]float64(nil), alpha...), d: d, ntup: 1}
	for k, a := range alpha {
		if a != 0 {
			p.support = append(p.support, k)
			p.off = append(p.off, p.nslot)
			n := len(o.marg[k].mean)
			p.nslot += n
			p.ntup *= n
		} else {
			p.fixed = append(p.fixed, k)
		}
	}
	if len(p.support) == 0 {
		panic("gk: oracle: alpha is zero")
	}
	A := len(p.support)
	p.comp = make([]int, p.ntup*A)
	p.mean = make([]float64, p.ntup*d)
	p.chol = make([]float64, p.ntup*d*d)
	p.logc = make([]float64, p.ntup)
	idx := make([]int, A)
	halfLog2Pi := 0.5 * float64(d) * math.Log(2*math.Pi)
	for t := 0; t < p.ntup; t++ {
		copy(p.comp[t*A:], idx)
		m := p.mean[t*d : (t+1)*d]
		S := p.chol[t*d*d : (t+1)*d*d]
		lw := 0.0
		for a, k := range p.support {
			ak := alpha[k]
			om := &o.marg[k]
			j := idx[a]
			lw += om.logw[j]
			oracleAxpy(m, ak, om.mean[j])
			oracleAxpy(S, ak*ak, om.cov[j])
		}
		L, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Lower, N: d, Data: S, Stride: d})
		if !ok {
			panic(fmt.Sprintf("gk: oracle: covariance of x(α) is not positive definite at alpha = %v", alpha))
		}
		logdet := 0.0
		for i := 0; i < d; i++ {
			logdet += 2 * math.Log(L.Data[i*d+i])
		}
		p.logc[t] = lw - 0.5*logdet - halfLog2Pi
		// Next tuple, mixed radix over the support.
		for a := A - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < len(o.marg[p.support[a]].mean) {
				break
			}
			idx[a] = 0
		}
	}
	return p
}

// posterior fills s.z with z_c = S_c⁻¹(x − m_c) and s.pi with π_c(x) for
// every tuple, and returns log ρ(α, x) = log Σ_c (Π w) N(x; m_c, S_c).
func (p *oraclePlan) posterior(s *oracleScratch, x []float64) float64 {
	d := p.d
	lmax := math.Inf(-1)
	for t := 0; t < p.ntup; t++ {
		z := s.z[t*d : (t+1)*d]
		m := p.mean[t*d : (t+1)*d]
		for i := range z {
			z[i] = x[i] - m[i]
		}
		L := p.tri(t)
		v := blas64.Vector{N: d, Data: z, Inc: 1}
		blas64.Trsv(blas.NoTrans, L, v) // z ← L⁻¹(x − m)
		lp := p.logc[t] - 0.5*oracleDot(z, z)
		blas64.Trsv(blas.Trans, L, v) // z ← L⁻ᵀ L⁻¹ (x − m) = S⁻¹(x − m)
		s.pi[t] = lp
		lmax = max(lmax, lp)
	}
	if math.IsInf(lmax, -1) || math.IsNaN(lmax) {
		// x is infinite or NaN: no finite posterior. Spread NaN.
		for t := range s.pi {
			s.pi[t] = math.NaN()
		}
		return lmax
	}
	sum := 0.0
	for t, lp := range s.pi {
		e := math.Exp(lp - lmax)
		s.pi[t] = e
		sum += e
	}
	for t := range s.pi {
		s.pi[t] /= sum
	}
	return lmax + math.Log(sum)
}

func (p *oraclePlan) tri(t int) blas64.Triangular {
	d := p.d
	return blas64.Triangular{Uplo: blas.Lower, Diag: blas.NonUnit, N: d, Data: p.chol[t*d*d : (t+1)*d*d], Stride: d}
}

// solve overwrites v with S_t⁻¹ v.
func (p *oraclePlan) solve(t int, v []float64) {
	L := p.tri(t)
	bv := blas64.Vector{N: p.d, Data: v, Inc: 1}
	blas64.Trsv(blas.NoTrans, L, bv)
	blas64.Trsv(blas.Trans, L, bv)
}

// symv adds a·C·v to y for a full symmetric d×d row-major C.
func oracleSymv(d int, a float64, c, v, y []float64) {
	blas64.Symv(a, blas64.Symmetric{Uplo: blas.Upper, N: d, Data: c, Stride: d},
		blas64.Vector{N: d, Data: v, Inc: 1}, 1, blas64.Vector{N: d, Data: y, Inc: 1})
}

func oracleAxpy(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += a * v
	}
}

func oracleDot(x, y []float64) float64 {
	y = y[:len(x)]
	s := 0.0
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

func oracleEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

package gk

import (
	"fmt"
	"math"

	"github.com/mmi-go/mmi/cond"
)

var _ cond.AlphaVJPer = (*Oracle)(nil)

// VJPAlpha computes dalpha_m = Σ_i u_iᵀ ∂G/∂α_m (α, x_i) for
// G = Σ_k w_k g_k, and (when dx is not nil) the row-wise dx_i = u_iᵀ ∂G/∂x
// of VJP, in one pass over the tuples.
//
// Per tuple c (notation of Oracle and VJP: z_c = S_c⁻¹(x − m_c),
// H_c = Σ_k w_k α_k Σ_{k,c_k}, q_c = S_c⁻¹ H_c u, a_c = uᵀG_c), with
// ∂m_c/∂α_m = μ_{m,c_m} and ∂S_c/∂α_m = 2α_m Σ_{m,c_m},
//
//	∂ log N(x; m_c, S_c)/∂α_m = ℓ_c = z_cᵀμ_{m,c_m} + α_m z_cᵀΣ_{m,c_m}z_c − α_m tr(S_c⁻¹Σ_{m,c_m}),
//	uᵀ∂G_c/∂α_m = w_m uᵀΣ_{m,c_m}z_c − q_cᵀ(2α_m Σ_{m,c_m} z_c + μ_{m,c_m}),
//
// and since ∂π_c/∂α_m = π_c (ℓ_c − ℓ̄),
//
//	uᵀ∂G/∂α_m = Σ_c π_c [ℓ_c (a_c − ā) + uᵀ∂G_c/∂α_m].
//
// A marginal m with α_m = 0 is summed out of the tuples (see Oracle), but
// its derivative is not zero: moving α_m off 0 makes x(α) depend on x_m.
// Its components are then independent of the others under the posterior
// (their likelihood does not depend on them at α_m = 0), and averaging the
// formula over them gives, with μ̄_m = E[x_m], V_m = Cov[x_m] (the whole
// mixture's) and z̄ = Σ_c π_c z_c,
//
//	uᵀ∂G/∂α_m = w_m uᵀV_m z̄ + Σ_c π_c (z_cᵀμ̄_m)(a_c − ā) − Σ_c π_c q_cᵀμ̄_m.
//
// It allocates O(T·K + K·d²) numbers per call (T tuples), nothing per row.
func (o *Oracle) VJPAlpha(dalpha, dx []float64, w, alpha, x, u []float64) {
	d := o.d
	o.checkBatch(alpha, x)
	k1 := len(o.marg)
	if len(w) != k1 || len(dalpha) != k1 {
		panic(fmt.Sprintf("gk: oracle: len(w) = %d, len(dalpha) = %d, want %d", len(w), len(dalpha), k1))
	}
	if len(u) != len(x) || (dx != nil && len(dx) != len(x)) {
		panic(fmt.Sprintf("gk: oracle: len(u) = %d, len(dx) = %d, want len(x) = %d", len(u), len(dx), len(x)))
	}
	p := o.plan(alpha)
	s := p.getScratch()
	defer p.pool.Put(s)
	A := len(p.support)

	tr := o.traces(p)
	vcov := o.fixedCovs(p)
	// Per-row accumulators: for support marginals l1 = Σπℓa, l2 = Σπℓ,
	// tg = Σπ uᵀ∂G_c/∂α; for fixed ones f1 = Σπ(zᵀμ̄)a, f2 = Σπ zᵀμ̄,
	// f3 = Σπ qᵀμ̄.
	l1, l2, tg := make([]float64, A), make([]float64, A), make([]float64, A)
	nf := len(p.fixed)
	f1, f2, f3 := make([]float64, nf), make([]float64, nf), make([]float64, nf)
	y := make([]float64, d)
	var ui []float64
	tuple := func(t int, pt, at float64, zt, q []float64) {
		for a, k := range p.support {
			j := p.comp[t*A+a]
			m := &o.marg[k]
			ak := p.alpha[k]
			clear(y)
			oracleSymv(d, 1, m.cov[j], zt, y) // y = Σ_{k,j} z_c
			mz := oracleDot(zt, m.mean[j])
			l := mz + ak*oracleDot(zt, y) - ak*tr[t*A+a]
			l1[a] += pt * l * at
			l2[a] += pt * l
			tg[a] += pt * (w[k]*oracleDot(ui, y) - 2*ak*oracleDot(q, y) - oracleDot(q, m.mean[j]))
		}
		for b, f := range p.fixed {
			e := oracleDot(zt, o.marg[f].avg)
			f1[b] += pt * e * at
			f2[b] += pt * e
			f3[b] += pt * oracleDot(q, o.marg[f].avg)
		}
	}

	clear(dalpha)
	for i := 0; i < len(x)/d; i++ {
		p.posterior(s, x[i*d:(i+1)*d])
		ui = u[i*d : (i+1)*d]
		var out []float64
		if dx != nil {
			out = dx[i*d : (i+1)*d]
		}
		clear(l1)
		clear(l2)
		clear(tg)
		clear(f1)
		clear(f2)
		clear(f3)
		abar := o.vjpRow(p, s, out, w, ui, tuple)
		zbar := s.r
		for a, k := range p.support {
			dalpha[k] += l1[a] - abar*l2[a] + tg[a]
		}
		for b, f := range p.fixed {
			clear(y)
			oracleSymv(d, 1, vcov[b], zbar, y)
			dalpha[f] += w[f]*oracleDot(ui, y) + f1[b] - abar*f2[b] - f3[b]
		}
	}
}

// traces returns tr[t*A+a] = tr(S_t⁻¹ Σ_{k,c_k}) for the support marginals
// k = support[a] with α_k ≠ 0 (0 for the others), by d solves per tuple t.
func (o *Oracle) traces(p *oraclePlan) []float64 {
	d, A := o.d, len(p.support)
	tr := make([]float64, p.ntup*A)
	col := make([]float64, d)
	for t := 0; t < p.ntup; t++ {
		for a, k := range p.support {
			if p.alpha[k] == 0 {
				continue
			}
			cov := o.marg[k].cov[p.comp[t*A+a]]
			sum := 0.0
			for i := 0; i < d; i++ {
				for r := 0; r < d; r++ {
					col[r] = cov[r*d+i]
				}
				p.solve(t, col)
				sum += col[i]
			}
			tr[t*A+a] = sum
		}
	}
	return tr
}

// fixedCovs returns V_f = Cov[x_f], the covariance of the whole mixture,
// for every fixed marginal f (α_f = 0) of the plan.
func (o *Oracle) fixedCovs(p *oraclePlan) [][]float64 {
	d := o.d
	vcov := make([][]float64, len(p.fixed))
	for i, f := range p.fixed {
		m := &o.marg[f]
		v := make([]float64, d*d)
		for j := range m.mean {
			wj := math.Exp(m.logw[j])
			for r := 0; r < d; r++ {
				for c := 0; c < d; c++ {
					v[r*d+c] += wj * (m.cov[j][r*d+c] + m.mean[j][r]*m.mean[j][c])
				}
			}
		}
		for r := 0; r < d; r++ {
			for c := 0; c < d; c++ {
				v[r*d+c] -= m.avg[r] * m.avg[c]
			}
		}
		vcov[i] = v
	}
	return vcov
}

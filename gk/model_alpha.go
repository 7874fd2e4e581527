package gk

import (
	"fmt"

	"github.com/mmi-go/mmi/cond"
)

var _ cond.AlphaVJPer = (*Model)(nil)

// VJPAlpha computes dalpha_m = Σ_i u_iᵀ ∂G/∂α_m (α, x_i) for
// G = Σ_k w_k g_k and, when dx is not nil, the row-wise x-products of VJP
// (model coordinates), with one forward and one backward pass per chunk.
//
// α reaches the output through the α-features (their Jacobian, see
// alphaFeatures.vjp, carries the network's input gradient back to α) and,
// with projected heads, through the projection: with S = Σ_j α_j²/λ_j,
// s = Σ_k w_k α_k/λ_k / S and v_j = w_j − α_j s, G = Σ_j v_j h_j + s x, so
// the explicit part is
//
//	uᵀ∂G/∂α_m = −s uᵀh_m + (∂s/∂α_m)(uᵀx − Σ_j α_j uᵀh_j),  ∂s/∂α_m = (w_m − 2α_m s)/(λ_m S)
//
// (λ_k = 1 but λ_0 = Config.NoiseWeight). With Bounds, h_m of a data head
// is its clamped value and the cotangent is dropped where the clamp is flat.
// With Precondition, α also moves the input u = (x − Σ_k α_k m_k)/σ(α)
// (precond.alphaGrad).
func (m *Model) VJPAlpha(dalpha, dx []float64, w, alpha, x, u []float64) {
	m.checkBatch(alpha, x)
	kk, d := m.cfg.Marginals, m.cfg.Dim
	if len(w) != kk || len(dalpha) != kk {
		panic(fmt.Sprintf("gk: w has %d entries and dalpha %d, model has %d marginals", len(w), len(dalpha), kk))
	}
	if len(u) != len(x) || (dx != nil && len(dx) != len(x)) {
		panic(fmt.Sprintf("gk: VJPAlpha with x, u, dx of %d, %d, %d numbers", len(x), len(u), len(dx)))
	}
	s := m.pool.Get().(*modelScratch)
	defer m.pool.Put(s)
	m.setAlpha(s, alpha)
	projected := m.cfg.Heads == HeadsProjected
	var sc, a2 float64
	copy(s.v, w)
	if projected {
		wa := 0.0
		for k, a := range alpha {
			wa += w[k] * a * m.inv[k]
		}
		a2 = projCoef(alpha, m.inv)
		sc = wa / a2
		for k, a := range alpha {
			s.v[k] = w[k] - a*sc
		}
	}
	f := len(s.feat)
	rw := m.featDim() + d
	dfeat := make([]float64, f)
	uh := make([]float64, kk)
	var pg *pcAlphaSums
	if m.pc != nil {
		pg = &pcAlphaSums{gx: make([]float64, d), gsum: make([]float64, d)}
	}
	clear(dalpha)
	n := len(x) / d
	for start := 0; start < n; start += evalChunk {
		rows := min(evalChunk, n-start)
		m.fillInput(s, x, start, rows)
		out := m.pc.heads(s.heads, s.es.forward(rows))
		if projected {
			for i := 0; i < rows; i++ {
				row := start + i
				ui := u[row*d : (row+1)*d]
				ux, ah := 0.0, 0.0
				for j, v := range ui {
					ux += v * x[row*d+j]
				}
				for k := range uh {
					h := out[(i*kk+k)*d : (i*kk+k+1)*d]
					t := 0.0
					if m.box != nil && k > 0 {
						lo, hi := m.box.lo, m.box.hi
						for j, v := range ui {
							t += v * min(max(h[j], lo[j]), hi[j])
						}
					} else {
						for j, v := range ui {
							t += v * h[j]
						}
					}
					uh[k] = t
					ah += alpha[k] * t
				}
				for k := range dalpha {
					ds := (w[k] - 2*alpha[k]*sc) * m.inv[k] / a2
					dalpha[k] += -sc*uh[k] + ds*(ux-ah)
				}
			}
		}
		m.seedVJP(s, u, start, rows)
		m.maskVJP(s, out, rows)
		m.pc.outputGrad(s.es.dOut(rows))
		dIn := s.es.backward(nil, true)
		m.pc.inputGrad(dIn, rows, f, rw, s.sigma)
		in := s.es.input(rows)
		m.pcAlphaRows(pg, in, dIn, rows)
		for i := 0; i < rows; i++ {
			row := start + i
			src := dIn[i*rw : (i+1)*rw]
			for j := 0; j < f; j++ {
				dfeat[j] += src[j]
			}
			if dx != nil {
				dst := dx[row*d : (row+1)*d]
				ui := u[row*d : (row+1)*d]
				for j := range dst {
					dst[j] = src[f+j] + sc*ui[j]
				}
				m.xf.vjp(dst, in[i*rw+f+d:(i+1)*rw], src[f+d:])
			}
		}
	}
	m.feat.vjp(dalpha, alpha, dfeat)
	if pg != nil {
		m.pc.alphaGrad(dalpha, alpha, pg.gsum, pg.gu, s.sigma)
	}
}

// pcAlphaSums accumulates, over the rows of VJPAlpha, gsum = Σ_i g_i and
// gu = Σ_i g_i·u_i for the x-gradients g_i through the network (the
// preconditioned input u_i and its Fourier features; gx is scratch).
type pcAlphaSums struct {
	gx, gsum []float64
	gu       float64
}

// pcAlphaRows adds the rows of a chunk to p (nothing for nil): in holds
// the inputs and dIn their gradients, divided by σ (precond.inputGrad).
func (m *Model) pcAlphaRows(p *pcAlphaSums, in, dIn []float64, rows int) {
	if p == nil {
		return
	}
	d, f := m.cfg.Dim, m.feat.dim()
	rw := m.featDim() + d
	for i := 0; i < rows; i++ {
		copy(p.gx, dIn[i*rw+f:i*rw+f+d])
		m.xf.vjp(p.gx, in[i*rw+f+d:(i+1)*rw], dIn[i*rw+f+d:(i+1)*rw])
		for j, g := range p.gx {
			p.gsum[j] += g
			p.gu += g * in[i*rw+f+j]
		}
	}
}

package gk

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmi-go/mmi/marginals"
)

// Precondition scales the MLP's input and heads by the marginals' own
// locations and scales (the c_in / c_out of Karras et al., 2022, "EDM"),
// off by default. With m_k the mean and s_k the RMS deviation per
// coordinate of marginal k in model coordinates (m_0 = 0, s_0 = 1 for the
// Gaussian), the network sees, in place of x,
//
//	u = (x − Σ_k α_k m_k) / σ(α),  σ(α)² = Σ_k α_k² s_k² + σ_min² ,
//
// (Σ_k α_k m_k and σ(α)² − σ_min² are the mean and per-coordinate variance
// of x(α) under independent draws; σ_min = 1e-3 keeps u finite at a vertex
// of a constant marginal and at α = 0 off the simplex), and its raw
// outputs n_k become the heads h_k = m_k + s_k n_k, which the read-outs
// (projection, NoiseWeight, Bounds) and the loss use as before.
//
// Why: the one pooled normalization (Affine) must stay, since it keeps the
// interpolant; it leaves a marginal of small scale squeezed into a small
// range of inputs, and near its vertex the true g varies on that small
// scale. Preconditioned, every marginal's vertex looks like unit scale to
// the network, and at α = e_k the heads' target x_k is n_k = u.
// gk/ARCHITECTURE.md ("Preconditioning by the marginals' scales") has what
// it measured. It works with the MLP only.
type Precondition struct {
	// On turns the preconditioning on.
	On bool
	// Means holds m_0 … m_K, (K+1)·d numbers row by row, in model
	// coordinates; nil means zeros. NewTrainer fits it (with Scales) when
	// On and Scales is nil.
	Means []float64
	// Scales holds s_0 … s_K (≥ 0); nil means ones.
	Scales []float64
}

// preconditionMinSigma is σ_min of Precondition.
const preconditionMinSigma = 1e-3

func (p Precondition) clone() Precondition {
	if p.Means != nil {
		p.Means = append([]float64(nil), p.Means...)
	}
	if p.Scales != nil {
		p.Scales = append([]float64(nil), p.Scales...)
	}
	return p
}

func (p Precondition) validate(kk, d int) error {
	if !p.On {
		if p.Means != nil || p.Scales != nil {
			return errors.New("gk: preconditioning means or scales given with the preconditioning off")
		}
		return nil
	}
	if p.Means != nil && len(p.Means) != kk*d {
		return fmt.Errorf("gk: preconditioning means have %d numbers, want %d marginals × dimension %d", len(p.Means), kk, d)
	}
	if p.Scales != nil && len(p.Scales) != kk {
		return fmt.Errorf("gk: %d preconditioning scales for %d marginals", len(p.Scales), kk)
	}
	for _, v := range p.Means {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("gk: preconditioning mean %v, need finite", v)
		}
	}
	for _, v := range p.Scales {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("gk: preconditioning scale %v, need finite and ≥ 0", v)
		}
	}
	return nil
}

// FitPrecondition estimates the means m_k and scales s_k of the data
// marginals 1 … K of c (in the coordinates c samples in: pass the
// normalized coupling) from n joint draws; marginal 0 gets m_0 = 0 and
// s_0 = 1 (the Gaussian N(0, I)), not estimated:
//
//	m_k = (1/n) Σ_i x_{k,i},  s_k² = (1/(n d)) Σ_i |x_{k,i} − m_k|² .
func FitPrecondition(c marginals.Coupling, n int, r *rand.Rand) (Precondition, error) {
	kk, d := c.Len(), c.Dim()
	if kk < 2 || n < 1 {
		return Precondition{}, fmt.Errorf("gk: FitPrecondition needs a data marginal and a draw, got %d marginals and %d draws", kk, n)
	}
	const chunk = 512
	buf := make([][]float64, kk)
	for k := range buf {
		buf[k] = make([]float64, min(n, chunk)*d)
	}
	// Sums about each marginal's first draw (against cancellation).
	shift := make([]float64, kk*d)
	sum := make([]float64, kk*d)
	sq := make([]float64, kk)
	for done := 0; done < n; {
		m := min(chunk, n-done)
		for k := range buf {
			buf[k] = buf[k][:m*d]
		}
		c.Sample(buf, r)
		if done == 0 {
			for k := 1; k < kk; k++ {
				copy(shift[k*d:(k+1)*d], buf[k][:d])
			}
		}
		for k := 1; k < kk; k++ {
			for i, v := range buf[k] {
				y := v - shift[k*d+i%d]
				sum[k*d+i%d] += y
				sq[k] += y * y
			}
		}
		done += m
	}
	p := Precondition{On: true, Means: make([]float64, kk*d), Scales: make([]float64, kk)}
	p.Scales[0] = 1
	for k := 1; k < kk; k++ {
		ms := 0.0
		for j := 0; j < d; j++ {
			mu := sum[k*d+j] / float64(n)
			p.Means[k*d+j] = shift[k*d+j] + mu
			ms += mu * mu
		}
		v := (sq[k]/float64(n) - ms) / float64(d)
		p.Scales[k] = math.Sqrt(max(v, 0))
	}
	if err := p.validate(kk, d); err != nil {
		return Precondition{}, fmt.Errorf("gk: data marginals not finite: %w", err)
	}
	return p, nil
}

// precond applies a Precondition; a nil *precond (preconditioning off)
// does nothing and is the identity.
type precond struct {
	d     int
	mean  []float64 // (K+1)·d
	scale []float64 // K+1
}

func newPrecond(p Precondition, kk, d int) *precond {
	if !p.On {
		return nil
	}
	pc := &precond{d: d, mean: make([]float64, kk*d), scale: make([]float64, kk)}
	copy(pc.mean, p.Means)
	for k := range pc.scale {
		pc.scale[k] = 1
	}
	copy(pc.scale, p.Scales)
	return pc
}

// frame writes the centre c = Σ_k α_k m_k into c (d numbers) and returns
// σ(α); 1 (and c untouched) for nil.
func (pc *precond) frame(c, alpha []float64) float64 {
	if pc == nil {
		return 1
	}
	clear(c)
	v := preconditionMinSigma * preconditionMinSigma
	for k, a := range alpha {
		v += a * a * pc.scale[k] * pc.scale[k]
		if a == 0 {
			continue
		}
		for j, m := range pc.mean[k*pc.d : (k+1)*pc.d] {
			c[j] += a * m
		}
	}
	return math.Sqrt(v)
}

// input writes u = (x − c)/σ into dst (d numbers; dst may be x or c);
// nothing for nil.
func (pc *precond) input(dst, x, c []float64, sigma float64) {
	if pc == nil {
		return
	}
	for j := range dst {
		dst[j] = (x[j] - c[j]) / sigma
	}
}

// heads writes h_k = m_k + s_k n_k for the rows of raw outputs out (rows
// of (K+1)·d numbers) into dst and returns it; out itself for nil.
func (pc *precond) heads(dst, out []float64) []float64 {
	if pc == nil {
		return out
	}
	dst = dst[:len(out)]
	kd := len(pc.mean)
	for i, v := range out {
		j := i % kd
		dst[i] = pc.mean[j] + pc.scale[j/pc.d]*v
	}
	return dst
}

// outputGrad turns a cotangent of the heads (rows of (K+1)·d numbers)
// into one of the raw outputs in place: ∂/∂n_k = s_k ∂/∂h_k; nothing for
// nil.
func (pc *precond) outputGrad(dh []float64) {
	if pc == nil {
		return
	}
	kd := len(pc.mean)
	for i := range dh {
		dh[i] *= pc.scale[i%kd/pc.d]
	}
}

// inputGrad turns the input gradient with respect to u (and its Fourier
// features) into one with respect to x in place: columns [f, w) of the
// rows of width w are divided by σ (∂u/∂x = I/σ); nothing for nil.
func (pc *precond) inputGrad(dIn []float64, rows, f, w int, sigma float64) {
	if pc == nil {
		return
	}
	for i := 0; i < rows; i++ {
		row := dIn[i*w+f : (i+1)*w]
		for j := range row {
			row[j] /= sigma
		}
	}
}

// alphaGrad adds to dalpha the part of Σ_i gᵢ·∂uᵢ/∂α that the input map
// carries, given gsum = Σ_i gᵢ and gu = Σ_i gᵢ·uᵢ for the x-gradients gᵢ
// through the network (already divided by σ) at the inputs uᵢ:
// ∂u/∂α_m = −(m_m + u α_m s_m²/σ)/σ, so
//
//	dα_m −= gsum·m_m + gu α_m s_m²/σ .
func (pc *precond) alphaGrad(dalpha, alpha, gsum []float64, gu, sigma float64) {
	if pc == nil {
		return
	}
	for k, a := range alpha {
		t := 0.0
		for j, m := range pc.mean[k*pc.d : (k+1)*pc.d] {
			t += gsum[j] * m
		}
		dalpha[k] -= t + gu*a*pc.scale[k]*pc.scale[k]/sigma
	}
}

// buffer returns room for the heads of rows rows; nil for nil.
func (pc *precond) buffer(rows int) []float64 {
	if pc == nil {
		return nil
	}
	return make([]float64, rows*len(pc.mean))
}

// fitPrecondition fills in cfg.Precondition's means and scales when it is
// on without them: FitPrecondition on c in the model's coordinates, from
// the draws (the same generator stream) FitAffine fits the normalization
// from; an OT coupling is fitted on its independent draws, as there.
func fitPrecondition(cfg *Config, c marginals.Coupling, set Settings) error {
	if !cfg.Precondition.On || cfg.Precondition.Scales != nil {
		return nil
	}
	if ot, ok := c.(*marginals.OT); ok {
		c = ot.Independent()
	}
	p, err := FitPrecondition(NormalizedCoupling(c, cfg.Norm), set.NormSamples, rand.New(rand.NewPCG(set.Seed, streamNorm)))
	if err != nil {
		return err
	}
	cfg.Precondition = p
	return nil
}

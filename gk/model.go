package gk

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/nn"
	"github.com/mmi-go/mmi/simplex"
)

// Heads selects how the network's outputs become g_0 … g_K.
type Heads int

const (
	// HeadsDefault resolves to the measured default, HeadsProjected
	// trained with the loss on the raw heads (Settings.LossThroughProjection
	// false; gk/ARCHITECTURE.md has the numbers).
	HeadsDefault Heads = iota
	// HeadsProjected predicts K+1 raw heads h_k and projects them onto the
	// constraint Σ_k α_k g_k = x that the true g satisfies:
	//
	//	g_k = h_k + α_k (x − Σ_j α_j h_j)/|α|² ,
	//
	// the Euclidean projection of (h_0 … h_K) onto the affine set
	// {(g_k): Σ α_k g_k = x}. The identity then holds exactly everywhere,
	// at a vertex e_j it gives g_j = x with no learning, and unlike
	// g_0 = (x − Σ_{k≥1} α_k g_k)/α_0 nothing is singular as α_0 → 0
	// (|α|² ≥ 1/(K+1) on the simplex). The projection is non-expansive
	// and the true g lies in the set, so it never increases the error
	// Σ_k |ĝ_k − g_k|² of the raw heads. Trained with the loss on the raw
	// heads (the default) it measured lower errors than HeadsDirect in
	// every region of the simplex; trained with the loss through the
	// projection (Settings.LossThroughProjection) it measured worse.
	//
	// With Config.NoiseWeight λ_0 ≠ 1 the projection is taken in the
	// metric λ_0|g_0 − h_0|² + Σ_{k≥1} |g_k − h_k|²:
	// g_k = h_k + (α_k/λ_k) r/S, S = Σ_j α_j²/λ_j, r = x − Σ_j α_j h_j
	// (λ_k = 1 for k ≥ 1). Still a projection onto the same affine set
	// (non-expansive in that metric), and still regular at α_0 = 0. A small
	// λ_0 puts the residual into the noise head, g_0 ≈ (x − Σ_{k≥1} α_k h_k)/α_0
	// once α_0² ≫ λ_0, so along e_0 → e_k the velocity is ≈ (h_k − x)/(1 − t):
	// the flow ends on the data head's clean estimate. For images this
	// removed the speckle that the Euclidean projection leaves (the residual
	// of an inaccurate noise head then lands in the data head;
	// gk/ARCHITECTURE.md, "Images").
	HeadsProjected
	// HeadsDirect takes the K+1 heads as they come: g_k = h_k. The
	// identity Σ_k α_k g_k = x then holds only as well as the network has
	// learned it.
	HeadsDirect
)

// String returns "projected" or "direct".
func (h Heads) String() string {
	switch h {
	case HeadsDefault:
		return "default"
	case HeadsProjected:
		return "projected"
	case HeadsDirect:
		return "direct"
	}
	return fmt.Sprintf("Heads(%d)", int(h))
}

// DefaultHidden is the hidden-layer widths of a Config with Hidden nil:
// three layers of 128. With OpenBLAS on two cores they train about 258
// (float64) and 330–400 (float32) steps of 512 samples per second; 3×256
// and 4×128 measured no better within the same time (gk/ARCHITECTURE.md).
var DefaultHidden = []int{128, 128, 128}

// Config describes a Model. A zero field means the documented default.
type Config struct {
	// Marginals is K+1, the number of marginals with the Gaussian; ≥ 2.
	Marginals int
	// Dim is the dimension d of the samples; ≥ 1.
	Dim int
	// Hidden lists the widths of the hidden layers; nil means
	// DefaultHidden.
	Hidden []int
	// Activation follows every hidden layer; the zero value is tanh.
	// mmi train uses SiLU for data that are not images: on the problems
	// of package suite it is 1.1–4× more accurate at the same budget
	// (gk/ARCHITECTURE.md, "Fifteenth session").
	Activation nn.Activation
	// Float32 selects float32 weights and arithmetic in the network
	// (inputs and outputs stay float64); the default is float64.
	Float32 bool
	// Features configures how α enters the network.
	Features Features
	// XFeatures adds random Fourier features of x to the MLP's inputs;
	// the zero value adds none (see XFeatures).
	XFeatures XFeatures
	// Precondition scales the MLP's input and heads by the marginals'
	// means and scales; the zero value is off (see Precondition).
	Precondition Precondition
	// Heads configures how the outputs become g_0 … g_K.
	Heads Heads
	// NoiseWeight is the weight λ_0 of the Gaussian head in the metric of
	// the projection of HeadsProjected (the data heads have weight 1);
	// 0 means 1, the Euclidean projection. Below 1 the projection trusts
	// the data heads more and puts more of the residual into g_0 (see
	// HeadsProjected).
	NoiseWeight float64
	// Bounds, if not zero, is a box in data coordinates that holds every
	// data marginal; the data heads are clamped into it (see Bounds).
	Bounds Bounds
	// Norm is the normalization of the data marginals; the zero value is
	// the identity. NewTrainer fits it from the data when it is zero.
	Norm Affine
	// Domain is the set of α the model is trained on and may be evaluated
	// at: the zero value is the simplex; simplex.Ball(C) trains on the
	// non-negative part of the ball of radius C (alpha_ball.go documents
	// the distribution), which contains the simplex.
	Domain simplex.Domain
	// Net selects the network; the zero value is NetMLP.
	Net Network
	// UNet configures NetUNet, which sees samples as images of Shape (nil
	// Shape: a square single-channel image when Dim is a square).
	UNet UNet
	// Coupling is the joint law of the training tuples (x_0, …, x_K): the
	// zero value is the independent coupling. The trainer draws from the
	// coupling it is given; Coupling records which one that is, so that
	// everything that samples the interpolant for this model (transport
	// costs, the oracle it is compared with) uses the same one. Under any
	// coupling x_0 stays independent of the data.
	Coupling marginals.CouplingSpec
	// Specs describes the data marginals 1 … K as the user gave them
	// (built-in names, file paths, specification entries); they are
	// recorded in checkpoints so that a checkpoint can name and resample
	// its marginals. Nil or length K.
	Specs []string
	// DataHashes are content hashes of the files the data marginals 1 … K
	// were read from ("" for built-in data), recorded in checkpoints so
	// that a resumed training can refuse data that changed since. Nil or
	// length K.
	DataHashes []string
	// Shape is the shape of one sample when the data are images:
	// [height, width, channels], a sample being the pixels row-major
	// with channels innermost. It is recorded in checkpoints so that
	// pictures and image files can be drawn from a model alone; nil for
	// data without a shape. Its product must be Dim.
	Shape []int
}

func (c Config) withDefaults() Config {
	if c.Hidden == nil {
		c.Hidden = DefaultHidden
	}
	c.Hidden = append([]int(nil), c.Hidden...)
	if c.Net == NetDefault {
		c.Net = NetMLP
	}
	c.Features = c.Features.withDefaults()
	if c.Heads == HeadsDefault {
		c.Heads = HeadsProjected
	}
	c.Norm = c.Norm.clone()
	c.Precondition = c.Precondition.clone()
	if c.DataHashes != nil {
		c.DataHashes = append([]string(nil), c.DataHashes...)
	}
	if c.Specs != nil {
		c.Specs = append([]string(nil), c.Specs...)
	}
	if c.Shape != nil {
		c.Shape = append([]int(nil), c.Shape...)
	}
	if c.Net == NetUNet {
		c = c.unetDefaults()
	} else {
		c.UNet = UNet{}
	}
	return c
}

func (c Config) validate() error {
	if c.Marginals < 2 {
		return fmt.Errorf("gk: model needs at least 2 marginals, got %d", c.Marginals)
	}
	if c.Dim < 1 {
		return fmt.Errorf("gk: model dimension %d, need at least 1", c.Dim)
	}
	for i, h := range c.Hidden {
		if h < 1 {
			return fmt.Errorf("gk: hidden layer %d has width %d", i, h)
		}
	}
	if c.Activation != nn.Tanh && c.Activation != nn.SiLU {
		return fmt.Errorf("gk: unknown activation %d", int(c.Activation))
	}
	if err := c.Features.validate(); err != nil {
		return err
	}
	if err := c.XFeatures.validate(); err != nil {
		return err
	}
	if c.XFeatures.On() && c.Net == NetUNet {
		return errors.New("gk: Fourier features of x (XFeatures) work with the MLP only, not the U-Net")
	}
	if err := c.Precondition.validate(c.Marginals, c.Dim); err != nil {
		return err
	}
	if c.Precondition.On && c.Net == NetUNet {
		return errors.New("gk: preconditioning (Precondition) works with the MLP only, not the U-Net")
	}
	switch c.Net {
	case NetMLP:
	case NetUNet:
		if err := c.validateUNet(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("gk: unknown network %d", int(c.Net))
	}
	if c.Heads != HeadsProjected && c.Heads != HeadsDirect {
		return fmt.Errorf("gk: unknown head layout %d", int(c.Heads))
	}
	if !(c.NoiseWeight >= 0) || math.IsInf(c.NoiseWeight, 0) {
		return fmt.Errorf("gk: noise head weight %v, need finite and ≥ 0", c.NoiseWeight)
	}
	if err := c.Bounds.validate(); err != nil {
		return err
	}
	if err := c.Norm.validate(c.Dim); err != nil {
		return err
	}
	if err := c.Domain.Validate(); err != nil {
		return fmt.Errorf("gk: %w", err)
	}
	if c.Domain.Kind == simplex.KindBall && math.IsInf(c.Domain.Radius, 1) {
		return errors.New("gk: a model's ball needs a finite radius (training draws α from it)")
	}
	if c.DataHashes != nil && len(c.DataHashes) != c.Marginals-1 {
		return fmt.Errorf("gk: %d data hashes for %d data marginals", len(c.DataHashes), c.Marginals-1)
	}
	if _, err := marginals.ParseCouplingSpec(c.Coupling.String()); err != nil || c.Coupling.Block < 0 {
		return fmt.Errorf("gk: coupling %q (block %d) is not one gk knows", string(c.Coupling.Kind), c.Coupling.Block)
	}
	if c.Specs != nil && len(c.Specs) != c.Marginals-1 {
		return fmt.Errorf("gk: %d marginal specs for %d data marginals", len(c.Specs), c.Marginals-1)
	}
	if c.Shape != nil {
		n := 1
		for _, s := range c.Shape {
			if s < 1 || s > c.Dim {
				n = -1
				break
			}
			n *= s
		}
		if len(c.Shape) != 3 || n != c.Dim {
			return fmt.Errorf("gk: sample shape %v: want [height width channels] of positive sizes whose product is the dimension %d", c.Shape, c.Dim)
		}
	}
	return nil
}

// evalChunk is the number of rows Eval and VJP push through the network
// at once: large enough for efficient matrix products, small enough that
// a pooled workspace stays small (512 × widest layer).
const evalChunk = 512

// Model is the neural conditional expectation: an MLP that maps
// (features(α), x) to g_0(α, x) … g_K(α, x).
//
// Coordinates. A Model is defined on normalized data: it is the
// conditional expectation of the interpolant x(α) = Σ_k α_k x'_k of
// ρ_0 = N(0, I) and the normalized data marginals x'_k = (x_k − c)/s
// (Affine, returned by Normalization). Eval, VJP and everything built on
// them (paths, solvers, likelihoods, transport costs) therefore work in
// normalized coordinates, where the Gaussian base is exactly N(0, I) and
// the score is −g_0/α_0, as for the exact oracles. Samples of a data
// marginal enter through Normalization().Normalize and generated samples
// leave through Normalization().Denormalize; a log density in data units
// adds Normalization().LogDetJacobian(d); a coupling that feeds the model
// is NormalizedCoupling(c, m.Normalization()). With the identity
// normalization the model and the data coordinates coincide.
//
// A Model is safe for concurrent use by Eval and VJP; a Trainer updating
// it must not run at the same time.
type Model struct {
	cfg  Config
	feat *alphaFeatures
	xf   *xFeatures // nil without XFeatures
	pc   *precond   // nil without Precondition
	eng  engine
	box  *headBox // cfg.Bounds in model coordinates; nil if none
	// inv holds 1/λ_k, the inverse weights of the heads in the metric of
	// the projection (λ_0 = cfg.NoiseWeight, λ_k = 1 for k ≥ 1).
	inv  []float64
	pool sync.Pool // *modelScratch
}

var (
	_ cond.Conditional = (*Model)(nil)
	_ cond.VJPer       = (*Model)(nil)
)

// NewModel returns a model with weights and Fourier frequencies drawn from
// r. The configuration is validated and its defaults filled in.
func NewModel(cfg Config, r *rand.Rand) (*Model, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errors.New("gk: NewModel needs a random generator")
	}
	feat := newAlphaFeatures(cfg.Features, cfg.Marginals, r)
	xf := newXFeatures(cfg.XFeatures, cfg.Dim, r) // draws nothing when off
	return newModel(cfg, feat, xf, newNetEngine(cfg, feat.dim()+xf.dim(), r)), nil
}

func newModel(cfg Config, feat *alphaFeatures, xf *xFeatures, eng engine) *Model {
	m := &Model{cfg: cfg, feat: feat, xf: xf, eng: eng, box: newHeadBox(cfg.Bounds, cfg.Norm, cfg.Dim), inv: headInv(cfg)}
	m.pc = newPrecond(cfg.Precondition, cfg.Marginals, cfg.Dim)
	m.pool.New = func() any { return m.newScratch() }
	return m
}

// sizes returns the layer sizes: features(α) ++ x ++ features(x) →
// Hidden → (K+1)·d, featDim counting the features of α and of x.
func (c Config) sizes(featDim int) []int {
	s := []int{featDim + c.Dim}
	s = append(s, c.Hidden...)
	return append(s, c.Marginals*c.Dim)
}

// Sizes returns K+1 and d.
func (m *Model) Sizes() (marginals, dim int) { return m.cfg.Marginals, m.cfg.Dim }

// Config returns the model's configuration with its defaults filled in.
func (m *Model) Config() Config { return m.cfg.withDefaults() }

// Normalization returns the map from data to model coordinates.
func (m *Model) Normalization() Affine { return m.cfg.Norm.clone() }

// Specs returns the descriptions of the data marginals 1 … K recorded in
// the configuration (nil if none were given).
func (m *Model) Specs() []string { return append([]string(nil), m.cfg.Specs...) }

// DataHashes returns the content hashes of the data files recorded in
// the checkpoint (Config.DataHashes), nil if none were.
func (m *Model) DataHashes() []string { return append([]string(nil), m.cfg.DataHashes...) }

// Shape returns the shape of a sample recorded in the model
// ([height, width, channels], see Config.Shape), nil for none.
func (m *Model) Shape() []int { return append([]int(nil), m.cfg.Shape...) }

// Domain returns the set of α the model was trained on (Config.Domain).
func (m *Model) Domain() simplex.Domain { return m.cfg.Domain }

// Coupling returns the coupling the model was trained on (Config.Coupling).
func (m *Model) Coupling() marginals.CouplingSpec { return m.cfg.Coupling }

// NumParams returns the number of weights and biases of the network.
func (m *Model) NumParams() int { return m.eng.numParams() }

type modelScratch struct {
	es    engineScratch
	feat  []float64 // features of the shared α
	resid []float64 // d numbers
	v     []float64 // K+1 head weights of the VJP
	// With Precondition: the centre Σ_k α_k m_k (d numbers), σ(α) and the
	// heads m_k + s_k n_k of a chunk.
	c     []float64
	sigma float64
	heads []float64
}

func (m *Model) newScratch() *modelScratch {
	return &modelScratch{
		es:    m.eng.newScratch(evalChunk),
		feat:  make([]float64, m.feat.dim()),
		resid: make([]float64, m.cfg.Dim),
		v:     make([]float64, m.cfg.Marginals),
		c:     make([]float64, m.cfg.Dim),
		heads: m.pc.buffer(evalChunk),
	}
}

// setAlpha computes what the rows of a batch at α share: the α-features
// and, with Precondition, the centre and σ(α) of the input map.
func (m *Model) setAlpha(s *modelScratch, alpha []float64) {
	m.feat.compute(s.feat, alpha)
	s.sigma = m.pc.frame(s.c, alpha)
}

func (m *Model) checkBatch(alpha, x []float64) {
	if len(alpha) != m.cfg.Marginals {
		panic(fmt.Sprintf("gk: alpha has %d entries, model has %d marginals", len(alpha), m.cfg.Marginals))
	}
	if len(x)%m.cfg.Dim != 0 {
		panic(fmt.Sprintf("gk: batch of %d numbers is not a multiple of dimension %d", len(x), m.cfg.Dim))
	}
}

// seedVJP writes the output cotangent of rows [start, start+n) for a
// vector–Jacobian product: head k of row i gets s.v[k]·u_i.
func (m *Model) seedVJP(s *modelScratch, u []float64, start, n int) {
	kk, d := m.cfg.Marginals, m.cfg.Dim
	dOut := s.es.dOut(n)
	for i := 0; i < n; i++ {
		ui := u[(start+i)*d : (start+i+1)*d]
		for k, vk := range s.v {
			o := dOut[(i*kk+k)*d : (i*kk+k+1)*d]
			for j, uj := range ui {
				o[j] = vk * uj
			}
		}
	}
}

// maskVJP drops the output cotangent of the data heads where their clamp
// into Bounds is flat (out are the raw outputs of the rows); nothing
// without Bounds.
func (m *Model) maskVJP(s *modelScratch, out []float64, rows int) {
	if m.box == nil {
		return
	}
	kk, d := m.cfg.Marginals, m.cfg.Dim
	dOut := s.es.dOut(rows)
	for i := 0; i < rows*kk; i++ {
		if i%kk != 0 {
			m.box.mask(dOut[i*d:(i+1)*d], out[i*d:(i+1)*d])
		}
	}
}

// featDim returns the number of network inputs besides x: the features
// of α and of x.
func (m *Model) featDim() int { return m.feat.dim() + m.xf.dim() }

// fillInput writes rows [start, start+n) of x behind the α-features, each
// followed by its own features (with XFeatures): a row of the input is
// features(α) ++ x ++ features(x), of width m.featDim() + d; with
// Precondition, x is replaced by u = (x − Σ_k α_k m_k)/σ(α) (setAlpha).
func (m *Model) fillInput(s *modelScratch, x []float64, start, n int) {
	d, f := m.cfg.Dim, len(s.feat)
	in := s.es.input(n)
	w := m.featDim() + d
	for i := 0; i < n; i++ {
		row := in[i*w : (i+1)*w]
		copy(row, s.feat)
		copy(row[f:f+d], x[(start+i)*d:(start+i+1)*d])
		m.pc.input(row[f:f+d], row[f:f+d], s.c, s.sigma)
		m.xf.compute(row[f+d:], row[f:f+d])
	}
}

// Eval writes g_k(alpha, x_i) for every row x_i of x and k = 0 … K into
// g[k] (model coordinates; see Model). It allocates nothing in steady
// state.
func (m *Model) Eval(g [][]float64, alpha, x []float64) {
	m.checkBatch(alpha, x)
	kk, d := m.cfg.Marginals, m.cfg.Dim
	if len(g) != kk {
		panic(fmt.Sprintf("gk: g has %d rows, model has %d marginals", len(g), kk))
	}
	for k := range g {
		if len(g[k]) != len(x) {
			panic(fmt.Sprintf("gk: g[%d] has %d numbers, x has %d", k, len(g[k]), len(x)))
		}
	}
	s := m.pool.Get().(*modelScratch)
	defer m.pool.Put(s)
	m.setAlpha(s, alpha)
	n := len(x) / d
	for start := 0; start < n; start += evalChunk {
		rows := min(evalChunk, n-start)
		m.fillInput(s, x, start, rows)
		out := m.pc.heads(s.heads, s.es.forward(rows))
		for i := 0; i < rows; i++ {
			row := start + i
			applyHeads(m.cfg.Heads, m.box, m.inv, g, out[i*kk*d:(i+1)*kk*d], alpha, x[row*d:(row+1)*d], row*d, s.resid)
		}
	}
}

// headInv returns the inverse weights 1/λ_k of the projection metric.
func headInv(c Config) []float64 {
	inv := make([]float64, c.Marginals)
	for k := range inv {
		inv[k] = 1
	}
	if c.NoiseWeight != 0 {
		inv[0] = 1 / c.NoiseWeight
	}
	return inv
}

// projCoef returns S = Σ_j α_j²/λ_j, the normalizer of the projection
// g_k = h_k + (α_k/λ_k) r/S.
func projCoef(alpha, inv []float64) float64 {
	s := 0.0
	for k, a := range alpha {
		s += a * a * inv[k]
	}
	return s
}

// applyHeads turns one row of raw outputs h (K+1 heads of d numbers) into
// g_k, written at offset off of every g[k]: the data heads clamped into box
// (when not nil), then, for projected heads, projected onto
// {Σ_k α_k g_k = x} in the metric Σ_k λ_k|g_k − h_k|² (inv holds 1/λ_k).
// resid is d numbers of scratch.
func applyHeads(heads Heads, box *headBox, inv []float64, g [][]float64, h, alpha, x []float64, off int, resid []float64) {
	d := len(x)
	for k := range g {
		gk, hk := g[k][off:off+d], h[k*d:(k+1)*d]
		if box != nil && k > 0 {
			box.clamp(gk, hk)
		} else {
			copy(gk, hk)
		}
	}
	if heads == HeadsDirect {
		return
	}
	// r = x − Σ_j α_j g_j; g_k += (α_k/λ_k) r/S.
	copy(resid, x)
	for k, a := range alpha {
		if a == 0 {
			continue
		}
		gk := g[k][off : off+d]
		for j := range resid {
			resid[j] -= a * gk[j]
		}
	}
	s := projCoef(alpha, inv)
	for k, a := range alpha {
		c := a * inv[k] / s
		gk := g[k][off : off+d]
		for j := range gk {
			gk[j] += c * resid[j]
		}
	}
}

// VJP writes into dx the vector–Jacobian products
// u_i^T ∂/∂x [Σ_k w_k g_k(alpha, x)] at every row x_i (model coordinates).
//
// With projected heads g_k = h_k + α_k (x − Σ_j α_j h_j)/|α|², so
//
//	Σ_k w_k g_k = Σ_j v_j h_j + (w·α/|α|²) x,  v_j = w_j − α_j (w·α)/|α|²,
//
// and the product is the network's input gradient for the output
// cotangent (v_j u_i)_j plus (w·α/|α|²) u_i. With Bounds, h_j of a data
// head is read through the clamp, whose derivative is 0 outside the box:
// those entries of the cotangent are dropped.
func (m *Model) VJP(dx []float64, w, alpha, x, u []float64) {
	m.checkBatch(alpha, x)
	kk, d := m.cfg.Marginals, m.cfg.Dim
	if len(w) != kk {
		panic(fmt.Sprintf("gk: w has %d entries, model has %d marginals", len(w), kk))
	}
	if len(u) != len(x) || len(dx) != len(x) {
		panic(fmt.Sprintf("gk: VJP with x, u, dx of %d, %d, %d numbers", len(x), len(u), len(dx)))
	}
	s := m.pool.Get().(*modelScratch)
	defer m.pool.Put(s)
	m.setAlpha(s, alpha)
	direct := 0.0
	copy(s.v, w)
	if m.cfg.Heads == HeadsProjected {
		wa := 0.0
		for k, a := range alpha {
			wa += w[k] * a * m.inv[k]
		}
		direct = wa / projCoef(alpha, m.inv)
		for k, a := range alpha {
			s.v[k] = w[k] - a*direct
		}
	}
	f := len(s.feat)
	rw := m.featDim() + d
	n := len(x) / d
	for start := 0; start < n; start += evalChunk {
		rows := min(evalChunk, n-start)
		m.fillInput(s, x, start, rows)
		out := m.pc.heads(s.heads, s.es.forward(rows))
		m.seedVJP(s, u, start, rows)
		m.maskVJP(s, out, rows)
		m.pc.outputGrad(s.es.dOut(rows))
		dIn := s.es.backward(nil, true)
		m.pc.inputGrad(dIn, rows, f, rw, s.sigma)
		in := s.es.input(rows)
		for i := 0; i < rows; i++ {
			row := start + i
			src := dIn[i*rw+f : i*rw+f+d]
			dst := dx[row*d : (row+1)*d]
			ui := u[row*d : (row+1)*d]
			for j := range dst {
				dst[j] = src[j] + direct*ui[j]
			}
			m.xf.vjp(dst, in[i*rw+f+d:(i+1)*rw], dIn[i*rw+f+d:(i+1)*rw])
		}
	}
}

// WithHeads returns a model that shares m's network, features and
// normalization but turns the raw outputs into g_0 … g_K by heads h.
// HeadsDirect and HeadsProjected read the same raw outputs, so a network
// trained with the loss on its raw heads can be evaluated projected: the
// projection onto {Σ_k α_k g_k = x}, an affine set that holds the true g,
// never increases the error Σ_k |ĝ_k − g_k|² at any point (a Euclidean
// projection onto a convex set is non-expansive) and makes the identity
// exact. The returned model must not be used while m's trainer runs.
func (m *Model) WithHeads(h Heads) (*Model, error) {
	cfg := m.cfg
	cfg.Heads = h
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return newModel(cfg, m.feat, m.xf, m.eng), nil
}

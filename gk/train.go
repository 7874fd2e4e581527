package gk

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/nn"
	"github.com/mmi-go/mmi/simplex"
)

// Schedule is the shape of the learning rate after the warm-up.
type Schedule int

const (
	// ScheduleCosine (the default) decays from LR to FinalLR·LR along
	// half a cosine: lr = LR·(f + (1−f)(1 + cos πp)/2), p the fraction of
	// the post-warm-up steps done.
	ScheduleCosine Schedule = iota
	// ScheduleConstant keeps LR after the warm-up.
	ScheduleConstant
)

// AlphaMix is the default distribution ν of α for training: a mixture of
// Dirichlet(1) on the whole simplex (Interior), uniform on the
// 2-dimensional faces (Faces; only when K ≥ 3, otherwise its weight goes
// to Interior), uniform on the edges (Edges) and the vertices (Vertices).
// Paths between two marginals run along edges, where a Dirichlet puts no
// mass, so the edges need their own share. The zero AlphaMix means the
// measured default DefaultAlphaMix (gk/ARCHITECTURE.md has the numbers).
type AlphaMix struct {
	Interior, Faces, Edges, Vertices float64
	// EdgeBeta is the concentration of the position t on an edge,
	// t ~ Beta(EdgeBeta, EdgeBeta); 0 means 1 (uniform). Below 1 it puts
	// more of the edge mass near the vertices.
	EdgeBeta float64
	// DataEdges is the share of the edge draws that fall on edges between
	// two data marginals (K ≥ 2), the rest on edges from the Gaussian; 0
	// means every edge equally likely (K−1 of every K+1 draws on data–data
	// edges).
	DataEdges float64
}

// DefaultAlphaMix is the α-distribution of a zero AlphaMix.
var DefaultAlphaMix = AlphaMix{Interior: 0.4, Faces: 0.1, Edges: 0.4, Vertices: 0.1, DataEdges: 0.75}

func (a AlphaMix) isZero() bool { return a == AlphaMix{} }

// Sampler returns the mixture as a simplex.Sampler for K+1 marginals.
func (a AlphaMix) Sampler(marginals int) (simplex.Sampler, error) {
	if a.isZero() {
		a = DefaultAlphaMix
	}
	interior, faces := a.Interior, a.Faces
	if marginals < 4 { // no 2-face short of the whole simplex
		interior, faces = interior+faces, 0
	}
	dir, err := simplex.NewSymmetricDirichlet(marginals, 1)
	if err != nil {
		return nil, fmt.Errorf("gk: %w", err)
	}
	var ss []simplex.Sampler
	var ws []float64
	add := func(s simplex.Sampler, w float64) {
		if w != 0 {
			ss = append(ss, s)
			ws = append(ws, w)
		}
	}
	add(dir, interior)
	add(simplex.Faces{Dim: 2}, faces)
	if a.EdgeBeta == 0 || a.EdgeBeta == 1 {
		if a.DataEdges == 0 {
			add(simplex.Edges{}, a.Edges)
		} else {
			add(&alphaEdges{beta: 1, dataShare: a.DataEdges}, a.Edges)
		}
	} else {
		e, err := newAlphaEdges(a.EdgeBeta, a.DataEdges)
		if err != nil {
			return nil, fmt.Errorf("gk: edge concentration: %w", err)
		}
		add(e, a.Edges)
	}
	add(simplex.Vertices{}, a.Vertices)
	m, err := simplex.NewMixture(ss, ws)
	if err != nil {
		return nil, fmt.Errorf("gk: α mixture: %w", err)
	}
	return m, nil
}

// Settings configures training. A zero field means the documented
// default (DefaultSettings returns them filled in).
type Settings struct {
	// Steps is the number of optimizer steps; default 80000 (about two
	// minutes for 2-D data and the default network in float32 on two
	// idle cores with OpenBLAS; about four times that with pure-Go BLAS).
	Steps int
	// Batch is the number of joint samples (each with its own α) per
	// step; default 512.
	Batch int
	// LR is the peak learning rate of Adam; default 4e-3.
	LR float64
	// Warmup is the number of steps of linear warm-up from 0 to LR;
	// default Steps/20, at most Steps/2; negative means none.
	Warmup int
	// Schedule is the decay after the warm-up; default cosine.
	Schedule Schedule
	// FinalLR is the learning rate at the end of a cosine schedule as a
	// fraction of LR; default 0.02; negative means 0.
	FinalLR float64
	// Clip is the bound on the global Euclidean norm of the gradient of
	// the per-coordinate loss: a larger gradient is scaled down to it.
	// Default 1; negative means no clipping.
	Clip float64
	// EMA is the decay β of the exponential moving average of the weights
	// that the Model (and generation) uses, with a warm-up (see emaDecay);
	// default 0.999; negative means no averaging (the Model follows the
	// live weights).
	EMA float64
	// Seed determines the initial weights, the normalization fit and
	// every training draw: the same seed gives bit-identical weights.
	Seed uint64
	// Alpha is the distribution of α; default DefaultAlphaMix.
	Alpha AlphaMix
	// AlphaSampler, if not nil, replaces Alpha. It is not stored in
	// checkpoints: Resume needs it again.
	AlphaSampler simplex.Sampler `msgpack:"-"`
	// CheckpointEvery is the wall-clock interval of periodic checkpoints
	// while training (when Trainer.Path is set); default 10 s.
	CheckpointEvery time.Duration
	// RecordEvery is the number of steps between progress records;
	// default 50.
	RecordEvery int
	// Reuse is the number of consecutive steps that share one draw of the
	// data tuples (x_1, …, x_K), each step with fresh α and fresh x_0; 0
	// or 1 draws the coupling at every step. It amortizes a coupling whose
	// draws are expensive (the OT coupling's assignments): the draw for
	// steps [qR, (q+1)R) comes from its own generator, seeded by Seed and
	// q, so a resumed run redraws it exactly. An OT coupling with blocks of
	// B rows larger than the batch draws B rows (rounded up to whole
	// batches, m of them) at a time; step s trains on batch s mod m of the
	// draw, and one draw serves m·R steps.
	Reuse int
	// NormSamples is the number of joint draws from which NewTrainer fits
	// the normalization when the Config has none; default 4096.
	NormSamples int
	// Norm is how that normalization's scale is fitted; default
	// NormPooled (FitAffine), NormWithin for FitAffineWithin.
	Norm NormFit
	// LossThroughProjection applies the loss of a model with projected
	// heads to the projected g_k, as in the original HeadsProjected
	// training. By default (false) the loss is applied to the raw heads
	// h_k, as for direct heads, and the projection is used only when the
	// model is evaluated: it measured lower errors (gk/ARCHITECTURE.md),
	// and the projection can only reduce the error of any raw heads
	// (Model.WithHeads). Models with direct heads ignore it.
	LossThroughProjection bool
	// HeadWeightFloor δ > 0 weighs the loss of head k at α by
	//
	//	w_k(α) = (K+1)(α_k + δ) / (1 + (K+1)δ),
	//
	// which sum to K+1 at every α (the loss keeps its scale) and leave the
	// minimizer alone (weights that depend on α only do not change the
	// conditional expectations). It spends the network's accuracy where the
	// heads matter: near a vertex or on an edge only the heads of the
	// marginals present enter the velocity Σ_k α̇_k g_k and the projection,
	// while the others would predict the partner samples of a tuple from a
	// point that hardly depends on them, a large and useless share of an
	// unweighted loss. δ keeps every head trained everywhere. Measured on
	// images in gk/ARCHITECTURE.md; 0 (the default) weighs every head
	// alike. It needs the simplex (α ≥ 0, Σ α_k = 1).
	HeadWeightFloor float64
}

// DefaultSettings returns the settings of a zero Settings, filled in.
func DefaultSettings() Settings { return Settings{}.withDefaults() }

func (s Settings) withDefaults() Settings {
	if s.Steps == 0 {
		s.Steps = 80000
	}
	if s.Batch == 0 {
		s.Batch = 512
	}
	if s.LR == 0 {
		s.LR = 4e-3
	}
	if s.Warmup == 0 {
		s.Warmup = s.Steps / 20
	}
	if s.FinalLR == 0 {
		s.FinalLR = 0.02
	}
	if s.Clip == 0 {
		s.Clip = 1
	}
	if s.EMA == 0 {
		s.EMA = 0.999
	}
	if s.Alpha.isZero() {
		s.Alpha = DefaultAlphaMix
	}
	if s.CheckpointEvery == 0 {
		s.CheckpointEvery = 10 * time.Second
	}
	if s.RecordEvery == 0 {
		s.RecordEvery = 50
	}
	if s.NormSamples == 0 {
		s.NormSamples = 4096
	}
	return s
}

func (s Settings) validate() error {
	switch {
	case s.Steps < 0:
		return fmt.Errorf("gk: %d training steps", s.Steps)
	case s.Batch < 1:
		return fmt.Errorf("gk: batch size %d", s.Batch)
	case !(s.LR > 0) || math.IsInf(s.LR, 0):
		return fmt.Errorf("gk: learning rate %v, need positive and finite", s.LR)
	case s.Schedule != ScheduleCosine && s.Schedule != ScheduleConstant:
		return fmt.Errorf("gk: unknown schedule %d", int(s.Schedule))
	case math.IsNaN(s.Clip) || math.IsNaN(s.FinalLR) || math.IsNaN(s.EMA):
		return errors.New("gk: NaN in settings")
	case s.EMA >= 1:
		return fmt.Errorf("gk: EMA decay %v, need < 1", s.EMA)
	case s.CheckpointEvery < 0:
		return fmt.Errorf("gk: checkpoint interval %v", s.CheckpointEvery)
	case s.RecordEvery < 1:
		return fmt.Errorf("gk: record interval %d", s.RecordEvery)
	case s.NormSamples < 1:
		return fmt.Errorf("gk: %d normalization samples", s.NormSamples)
	case s.Norm != NormPooled && s.Norm != NormWithin:
		return fmt.Errorf("gk: unknown normalization fit %d", int(s.Norm))
	case s.Reuse < 0:
		return fmt.Errorf("gk: coupling draws reused for %d steps", s.Reuse)
	case !(s.HeadWeightFloor >= 0) || math.IsInf(s.HeadWeightFloor, 0):
		return fmt.Errorf("gk: head weight floor %v, need ≥ 0 and finite", s.HeadWeightFloor)
	}
	return s.Alpha.check()
}

// lr returns the learning rate of 0-based step t: linear warm-up
// LR·(t+1)/w over w = min(Warmup, Steps/2) steps, then the schedule. The
// cap keeps a warm-up meant for a long run (DefaultSettings with Steps
// lowered afterwards) from taking the whole of a short one.
func (s Settings) lr(t int) float64 {
	w := min(max(s.Warmup, 0), s.Steps/2)
	if w > 0 && t < w {
		return s.LR * float64(t+1) / float64(w)
	}
	if s.Schedule == ScheduleConstant {
		return s.LR
	}
	p := 1.0
	if s.Steps > w+1 {
		p = float64(t-w) / float64(s.Steps-w-1)
	}
	f := max(s.FinalLR, 0)
	return s.LR * (f + (1-f)*(1+math.Cos(math.Pi*p))/2)
}

func (s Settings) emaBeta(t int) float64 {
	if s.EMA < 0 {
		return 0
	}
	return emaDecay(s.EMA, t)
}

// Progress is what a Trainer reports to its Recorder.
type Progress struct {
	// Step is the number of steps done, of Steps.
	Step, Steps int
	// Loss is the mean per-coordinate training loss
	// (1/d) Σ_k w_k |ĝ_k − x_k|² (w_k = 1 unless Settings.HeadWeightFloor
	// is set) over the steps since the last record (the
	// previous record's value if no step was taken since; NaN if none in
	// this Run).
	Loss float64
	// LR is the learning rate of the last step.
	LR float64
	// StepsPerSecond and SamplesPerSecond are the training speed since the
	// last record.
	StepsPerSecond, SamplesPerSecond float64
	// Elapsed is the wall-clock time of this Run so far.
	Elapsed time.Duration
	// Checkpoint is the path of a checkpoint written since the last
	// record, if any.
	Checkpoint string
}

// Recorder receives training progress; the library itself never prints.
type Recorder interface {
	Record(Progress)
}

// RecorderFunc adapts a function to a Recorder.
type RecorderFunc func(Progress)

// Record calls f(p).
func (f RecorderFunc) Record(p Progress) { f(p) }

// ErrNonFiniteLoss is returned (wrapped) by Run when a step's loss or
// gradient is NaN or infinite. The weights are not updated by that step,
// and no checkpoint is written over the last good one.
var ErrNonFiniteLoss = errors.New("gk: non-finite training loss")

// Seeds of the independent streams derived from Settings.Seed.
const (
	streamInit  = 0x6d6d69_01 // initial weights and Fourier frequencies
	streamNorm  = 0x6d6d69_02 // fitting the normalization
	streamTrain = 0x6d6d69_03 // α, coupling draws
	streamReuse = 0x6d6d69_04 // data tuples shared by Settings.Reuse steps (xor the draw's index)
)

// Trainer fits a Model by minimizing the joint regression loss
//
//	L = E_{α~ν} E_{(x_0 … x_K)~ρ} (1/d) Σ_k |ĝ_k(α, x(α)) − x_k|² ,
//	x(α) = Σ_k α_k x_k,
//
// whose minimizer is g_k(α, x) = E[x_k | x(α) = x], with one α per sample,
// Adam, a linear warm-up and cosine decay of the learning rate, global-norm
// gradient clipping and an exponential moving average of the weights. All
// of its state (weights, average, Adam moments, step, random generator) is
// saved in checkpoints, so a run resumed from a checkpoint produces the same
// weights bit for bit as one that was never interrupted.
//
// A Trainer is used by one goroutine at a time.
type Trainer struct {
	// Path is where Run writes checkpoints, periodically and at the end;
	// "" writes none.
	Path string
	// Recorder receives progress records; nil records nothing.
	Recorder Recorder

	set      Settings
	model    *Model // evaluated with the EMA weights
	live     engine
	opt      optimizer
	coupling marginals.Coupling // in model coordinates
	alpha    simplex.Sampler
	custom   bool // alpha came from Settings.AlphaSampler
	pcg      *rand.PCG
	rng      *rand.Rand
	step     int

	// step buffers
	alphas []float64   // Batch × (K+1)
	xs     [][]float64 // K+1 batches of Batch × d
	pool   [][]float64 // with Reuse > 1 or poolBatches > 1: the shared draw of the coupling
	poolQ  int         // index q of the draw in pool, −1 for none
	// poolBatches is the number of batches one draw of the coupling holds
	// (drawBatches): step s trains on batch s mod poolBatches of its draw.
	poolBatches int
	es          engineScratch
	rows        *rowJob   // the per-row passes of lossGrad
	ahead       ahead     // the next step's batch, drawn during this one
	pcx         []float64 // with Precondition: x(α_i) of the batch (the input holds u)

	savedStep int // step of the last checkpoint written by this trainer, −1 if none
}

// NewTrainer returns a trainer of a new model with configuration cfg on
// the coupling c, whose marginal 0 must be N(0, I_d) and marginals 1 … K
// the data (in data coordinates). cfg.Marginals and cfg.Dim may be left 0
// to take them from c. If cfg.Norm is the zero Affine (Center nil, Scale
// 0) it is fitted from set.NormSamples draws of c (FitAffine, or
// FitAffineWithin with set.Norm = NormWithin); pass
// Affine{Scale: 1} for no normalization.
func NewTrainer(cfg Config, c marginals.Coupling, set Settings) (*Trainer, error) {
	set = set.withDefaults()
	if err := set.validate(); err != nil {
		return nil, err
	}
	if cfg.Marginals == 0 {
		cfg.Marginals = c.Len()
	}
	if cfg.Dim == 0 {
		cfg.Dim = c.Dim()
	}
	if cfg.Marginals != c.Len() || cfg.Dim != c.Dim() {
		return nil, fmt.Errorf("gk: model has %d marginals of dimension %d, coupling %d of dimension %d", cfg.Marginals, cfg.Dim, c.Len(), c.Dim())
	}
	if spec, ok := marginals.SpecOf(c); ok {
		if cfg.Coupling.IsIndependent() {
			cfg.Coupling = spec
		}
		if !cfg.Coupling.Same(spec) {
			return nil, fmt.Errorf("gk: configuration names the coupling %s, the trainer was given %s", cfg.Coupling, spec)
		}
	}
	if cfg.Norm.Center == nil && cfg.Norm.Scale == 0 {
		// The normalization pools the marginals, so the tuples do not
		// matter: an OT coupling is fitted on its draws before assignment
		// (the same numbers as an independent run's, without the work).
		fit := c
		if ot, ok := c.(*marginals.OT); ok {
			fit = ot.Independent()
		}
		a, err := fitAffine(fit, set.NormSamples, rand.New(rand.NewPCG(set.Seed, streamNorm)), set.Norm)
		if err != nil {
			return nil, err
		}
		cfg.Norm = a
	}
	if err := fitPrecondition(&cfg, c, set); err != nil {
		return nil, err
	}
	m, err := NewModel(cfg, rand.New(rand.NewPCG(set.Seed, streamInit)))
	if err != nil {
		return nil, err
	}
	live := m.eng.clone()
	pcg := rand.NewPCG(set.Seed, streamTrain)
	return newTrainer(m, live, newOptimizer(live, m.eng), c, set, pcg, 0)
}

func newTrainer(m *Model, live engine, opt optimizer, c marginals.Coupling, set Settings, pcg *rand.PCG, step int) (*Trainer, error) {
	if set.HeadWeightFloor > 0 && m.cfg.Domain.Kind == simplex.KindBall {
		return nil, errors.New("gk: head weights follow α on the simplex; the ball's α can be negative (use HeadWeightFloor 0 there)")
	}
	t := &Trainer{
		set: set, model: m, live: live, opt: opt,
		coupling: NormalizedCoupling(c, m.cfg.Norm),
		pcg:      pcg, rng: rand.New(pcg), step: step, savedStep: -1,
	}
	if set.AlphaSampler != nil {
		t.alpha, t.custom = set.AlphaSampler, true
	} else {
		a, err := set.Alpha.Sampler(m.cfg.Marginals)
		if err != nil {
			return nil, err
		}
		t.alpha = a
		if dom := m.cfg.Domain; dom.Kind == simplex.KindBall {
			t.alpha = &alphaBall{inner: a, radius: dom.Radius}
		}
	}
	kk, d, b := m.cfg.Marginals, m.cfg.Dim, set.Batch
	t.alphas = make([]float64, b*kk)
	t.xs = make([][]float64, kk)
	t.poolQ = -1
	t.poolBatches = drawBatches(c, b)
	if set.Reuse > 1 || t.poolBatches > 1 {
		t.pool = make([][]float64, kk)
		for k := range t.pool {
			t.pool[k] = make([]float64, t.poolBatches*b*d)
		}
	}
	for k := range t.xs {
		t.xs[k] = make([]float64, b*d)
	}
	t.rows = newRowJob(t, m.cfg.Heads == HeadsProjected)
	if m.pc != nil {
		t.pcx = make([]float64, b*d)
	}
	t.es = live.newScratch(b)
	return t, nil
}

// Model returns the model being trained, evaluated with the EMA weights
// (the live weights if Settings.EMA < 0). It must not be used while Run
// is running.
func (t *Trainer) Model() *Model { return t.model }

// LiveModel returns a model that shares the live (not averaged) weights.
// It must not be used while Run is running.
func (t *Trainer) LiveModel() *Model {
	return newModel(t.model.cfg, t.model.feat, t.model.xf, t.live)
}

// SetSteps changes the total number of steps, for example to continue a
// resumed run beyond its original length. The cosine schedule is
// recomputed for the new length, so the result differs from a run that had
// this length from the start. n must be at least Step().
func (t *Trainer) SetSteps(n int) error {
	if n < t.step {
		return fmt.Errorf("gk: %d steps requested, %d already done", n, t.step)
	}
	t.set.Steps = n
	return nil
}

// Step returns the number of steps done.
func (t *Trainer) Step() int { return t.step }

// SavedStep returns the step of the last checkpoint this trainer wrote,
// or −1 if it wrote none (a resumed trainer's checkpoint file was written
// by another).
func (t *Trainer) SavedStep() int { return t.savedStep }

// Settings returns the settings with defaults filled in.
func (t *Trainer) Settings() Settings { return t.set }

// Run trains until Settings.Steps steps are done, ctx is cancelled, or a
// step's loss is not finite. With Path set it writes a checkpoint every
// Settings.CheckpointEvery, when it finishes and when ctx is cancelled
// (then it returns ctx.Err() after the checkpoint is written). A
// non-finite loss returns an error wrapping ErrNonFiniteLoss without
// writing a checkpoint, so the last good one stays on disk.
func (t *Trainer) Run(ctx context.Context) error {
	start := time.Now()
	lastSave, lastRec := start, start
	recStep, lossSum, lossN := t.step, 0.0, 0
	prevLoss := math.NaN()
	var saved string
	record := func(now time.Time) {
		if t.Recorder == nil {
			return
		}
		p := Progress{Step: t.step, Steps: t.set.Steps, LR: t.set.lr(max(t.step-1, 0)), Elapsed: now.Sub(start), Checkpoint: saved}
		p.Loss = prevLoss // nothing trained since the last record
		if lossN > 0 {
			p.Loss = lossSum / float64(lossN)
		}
		prevLoss = p.Loss
		if dt := now.Sub(lastRec).Seconds(); dt > 0 && t.step > recStep {
			p.StepsPerSecond = float64(t.step-recStep) / dt
			p.SamplesPerSecond = p.StepsPerSecond * float64(t.set.Batch)
		}
		t.Recorder.Record(p)
		lastRec, recStep, lossSum, lossN, saved = now, t.step, 0, 0, ""
	}
	save := func() error {
		if t.Path == "" {
			return nil
		}
		if err := t.Save(t.Path); err != nil {
			return err
		}
		lastSave, saved = time.Now(), t.Path
		return nil
	}
	for t.step < t.set.Steps {
		if err := ctx.Err(); err != nil {
			if serr := save(); serr != nil {
				return errors.Join(err, serr)
			}
			record(time.Now())
			return err
		}
		loss, err := t.trainStep()
		if err != nil {
			if t.Path != "" && t.savedStep >= 0 {
				return fmt.Errorf("%w (last good checkpoint %s at step %d)", err, t.Path, t.savedStep)
			}
			return err
		}
		lossSum += loss
		lossN++
		if t.Path != "" && time.Since(lastSave) >= t.set.CheckpointEvery {
			if err := save(); err != nil {
				return err
			}
		}
		if t.step%t.set.RecordEvery == 0 {
			record(time.Now())
		}
	}
	if err := save(); err != nil {
		return err
	}
	if lossN > 0 || saved != "" {
		record(time.Now())
	}
	return nil
}

// trainStep draws a batch, takes one optimizer step and returns the loss.
// With more than one core, the next step's batch is drawn meanwhile by
// another goroutine (drawAhead), from the same generator in the same
// order, so the weights do not depend on it.
func (t *Trainer) trainStep() (float64, error) {
	t.takeBatch()
	if t.step+1 < t.set.Steps && runtime.GOMAXPROCS(0) > 1 && !t.ahead.off {
		t.drawAhead()
	}
	loss := t.lossGrad()
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		t.settle()
		return loss, fmt.Errorf("%w at step %d: %v", ErrNonFiniteLoss, t.step+1, loss)
	}
	norm := t.opt.gradNorm()
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		t.settle()
		return loss, fmt.Errorf("%w at step %d: gradient norm %v", ErrNonFiniteLoss, t.step+1, norm)
	}
	if t.set.Clip > 0 && norm > t.set.Clip {
		t.opt.scaleGrad(t.set.Clip / norm)
	}
	t.opt.update(t.set.lr(t.step), t.set.emaBeta(t.step))
	t.step++
	return loss, nil
}

// drawBatches is the number of training batches of b rows that one draw
// of c holds: 1, or for an OT coupling whose assignment blocks are larger
// than a batch, enough batches to fill one block. A block of B rows is
// assigned together (closer to the optimal coupling of the marginals than
// a batch's tuples), and its B/b batches then serve consecutive steps, each
// tuple once per draw (times Settings.Reuse).
func drawBatches(c marginals.Coupling, b int) int {
	ot, ok := c.(*marginals.OT)
	if !ok || ot.Block() <= b {
		return 1
	}
	return (ot.Block() + b - 1) / b
}

// drawBatch draws the batch of the current step into t.alphas and t.xs.
func (t *Trainer) drawBatch() { t.drawInto(t.step, t.alphas, t.xs) }

// drawInto draws the batch of step into alphas and xs: one α per row and a
// joint sample of the coupling.
func (t *Trainer) drawInto(step int, alphas []float64, xs [][]float64) {
	kk := t.model.cfg.Marginals
	for i := 0; i < t.set.Batch; i++ {
		t.alpha.Sample(alphas[i*kk:(i+1)*kk], t.rng)
	}
	if t.pool == nil {
		t.coupling.Sample(xs, t.rng)
		return
	}
	m := t.poolBatches
	if q := step / (m * max(t.set.Reuse, 1)); q != t.poolQ {
		t.coupling.Sample(t.pool, rand.New(rand.NewPCG(t.set.Seed, streamReuse^uint64(q))))
		t.poolQ = q
	}
	n := len(xs[0]) // rows × d of one batch
	off := (step % m) * n
	for k := 1; k < kk; k++ {
		copy(xs[k], t.pool[k][off:off+n])
	}
	for i := range xs[0] { // marginal 0 is N(0, I) (NewTrainer)
		xs[0][i] = t.rng.NormFloat64()
	}
}

// lossGrad evaluates the live network on the drawn batch and returns the
// loss; the optimizer's gradient buffer holds its gradient afterwards.
//
// The per-row work around the network (the inputs, then the loss and its
// gradient through the heads) runs on every core in blocks of rowBlock
// rows; the loss is summed per block and the blocks' sums in order, so it
// does not depend on the number of cores.
func (t *Trainer) lossGrad() float64 {
	d, b := t.model.cfg.Dim, t.set.Batch
	j := t.rows
	j.t, j.heads = t, t.model.cfg.Heads
	if !t.set.LossThroughProjection {
		j.heads = HeadsDirect // loss on the raw heads; Eval projects
	}
	j.in = t.es.input(b)
	nn.ParallelFor(len(j.loss), j.grain, j.interp, j, &j.wg)
	// The float32 outputs are read directly only when they are the heads:
	// with Precondition the heads are m_k + s_k n_k (lossBlocks).
	s32, narrow := t.es.(*mlpScratch[float32])
	if narrow = narrow && j.heads == HeadsDirect && t.model.pc == nil; narrow {
		j.out32, j.dOut32 = s32.forwardT(b), s32.dOutTOf(b)
	} else {
		j.out, j.dOut = t.es.forward(b), t.es.dOut(b)
	}
	nn.ParallelFor(len(j.loss), j.grain, j.lossGrad, j, &j.wg)
	j.in, j.out, j.dOut, j.out32, j.dOut32 = nil, nil, nil, nil, nil
	loss := 0.0
	for _, v := range j.loss {
		loss += v
	}
	loss /= float64(b * d)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss
	}
	// A fresh gradient: no clearing pass.
	if narrow {
		s32.backwardT(t.opt.grad().([]float32))
	} else {
		t.es.backward(t.opt.grad(), false)
	}
	return loss
}

// interpolate writes the network inputs of rows [lo, hi) into in, row by
// row: features(α_i) ++ x(α_i) ++ features(x(α_i)), x(α_i) = Σ_k α_ik x_ik;
// with Precondition x(α_i) is kept in pcx and the input holds
// u_i = (x(α_i) − Σ_k α_ik m_k)/σ(α_i) in its place.
func (t *Trainer) interpolate(in []float64, lo, hi int) {
	kk, d := t.model.cfg.Marginals, t.model.cfg.Dim
	feat := t.model.feat
	f := feat.dim()
	w := t.model.featDim() + d
	for i := lo; i < hi; i++ {
		a := t.alphas[i*kk : (i+1)*kk]
		row := in[i*w : (i+1)*w]
		feat.compute(row[:f], a)
		xi := row[f : f+d]
		clear(xi)
		for k, ak := range a {
			if ak == 0 {
				continue
			}
			xk := t.xs[k][i*d : (i+1)*d]
			for j := range xi {
				xi[j] += ak * xk[j]
			}
		}
		if pc := t.model.pc; pc != nil {
			x := t.pcx[i*d : (i+1)*d]
			copy(x, xi)
			pc.input(xi, x, xi, pc.frame(xi, a)) // the centre, then u, in xi
		}
		t.model.xf.compute(row[f+d:], xi)
	}
}

// rowLossGrad adds the squared errors of row i (weights α = a, point
// x(α) = xi, raw heads h) to loss, in order, and returns the sum; it
// writes the gradient with respect to the raw heads into dh. The loss is
// (1/(b d)) Σ_i Σ_k |g_ik − x_ik|², its gradient with respect to the raw
// heads ∂L/∂g_k = 2(g_k − x_k)/(b d), and through the projection (a linear
// map of the heads, transposed here)
// ∂L/∂h_j = ∂L/∂g_j − α_j Σ_k (α_k/λ_k) ∂L/∂g_k / S, S = Σ_k α_k²/λ_k.
// g, dg (K+1 rows of d) and resid (d) are scratch, used with projected
// heads only.
func (t *Trainer) rowLossGrad(loss float64, i int, heads Heads, a, xi, h, dh []float64, g, dg [][]float64, resid []float64) float64 {
	kk, d, b := t.model.cfg.Marginals, t.model.cfg.Dim, t.set.Batch
	scale := 2 / float64(b*d)
	if heads == HeadsDirect {
		return rowLossDirect(loss, t.model.box, t.xs, i, scale, h, dh, t.weights(a))
	}
	applyHeads(heads, t.model.box, t.model.inv, g, h, a, xi, 0, resid)
	w := t.weights(a)
	for k := 0; k < kk; k++ {
		xk := t.xs[k][i*d : (i+1)*d]
		gk, dgk := g[k], dg[k]
		wk := w.of(k)
		for j := range gk {
			e := gk[j] - xk[j]
			loss += wk * e * e
			dgk[j] = wk * scale * e
		}
	}
	// With Bounds the data heads were clamped; ∂L/∂g passes straight to
	// the raw head (the loss whose gradient is clamp(h) − x; see Bounds).
	for k := 0; k < kk; k++ {
		copy(dh[k*d:(k+1)*d], dg[k])
	}
	projectHeadGrad(dh, dg, a, t.model.inv, resid)
	return loss
}

// rowLossDirect is rowLossGrad for direct heads h (float64, or a float32
// network's own outputs, ∂L/∂h then rounded to float32 as the conversion
// of the float64 gradient would): the same numbers as applyHeads and the
// loop of rowLossGrad, in one pass: g_k = h_k, clamped for a data head
// with Bounds; head k's errors weighed by w.
func rowLossDirect[O float32 | float64](loss float64, box *headBox, xs [][]float64, i int, scale float64, h, dh []O, w headWeights) float64 {
	d := len(h) / len(xs)
	for k := range xs {
		xk := xs[k][i*d : (i+1)*d]
		hk, dhk := h[k*d:(k+1)*d], dh[k*d:(k+1)*d]
		wk := w.of(k)
		sk := wk * scale
		if box != nil && k > 0 {
			lo, hi := box.lo[:d], box.hi[:d]
			for j, v := range hk {
				e := min(max(float64(v), lo[j]), hi[j]) - xk[j]
				loss += wk * e * e
				dhk[j] = O(sk * e)
			}
			continue
		}
		for j, v := range hk {
			e := float64(v) - xk[j]
			loss += wk * e * e
			dhk[j] = O(sk * e)
		}
	}
	return loss
}

// headWeights are the loss weights of one row's heads
// (Settings.HeadWeightFloor): w_k = c (α_k + δ), c = (K+1)/(1 + (K+1)δ);
// a nil α weighs every head 1 (exactly, so that an unweighted loss keeps
// its bits).
type headWeights struct {
	a        []float64
	floor, c float64
}

// weights returns the loss weights of the row with weights α = a.
func (t *Trainer) weights(a []float64) headWeights {
	δ := t.set.HeadWeightFloor
	if δ == 0 {
		return headWeights{}
	}
	n := float64(len(a))
	return headWeights{a: a, floor: δ, c: n / (1 + n*δ)}
}

func (w headWeights) of(k int) float64 {
	if w.a == nil {
		return 1
	}
	return w.c * (w.a[k] + w.floor)
}

// projectHeadGrad subtracts from each head's gradient dh_k (d numbers
// each) its share α_k/S of r = Σ_k (α_k/λ_k) dg_k, the gradient through the
// projection g_k = h_k + (α_k/λ_k) (x − Σ_j α_j h_j)/S, S = Σ_j α_j²/λ_j
// (inv holds 1/λ_k); resid is scratch for r.
func projectHeadGrad(dh []float64, dg [][]float64, a, inv, resid []float64) {
	d := len(resid)
	clear(resid)
	for k, ak := range a {
		for j, v := range dg[k] {
			resid[j] += ak * inv[k] * v
		}
	}
	a2 := projCoef(a, inv)
	for k, ak := range a {
		c := ak / a2
		if c == 0 {
			continue
		}
		dk := dh[k*d : (k+1)*d]
		for j := range dk {
			dk[j] -= c * resid[j]
		}
	}
}

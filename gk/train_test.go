package gk

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/simplex"
)

func trTrainer(t testing.TB, cfg Config, set Settings) *Trainer {
	t.Helper()
	tr, err := NewTrainer(cfg, trCoupling(t, trMixtures(t)), set)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// The gradient that a step applies is the gradient of the loss it
// reports: central finite differences of lossGrad on a fixed batch,
// perturbing single weights in every layer. Step h = 1e-6 on a loss of
// order 1 leaves rounding ~1e-10 and truncation ~1e-12, so 1e-6 relative
// to the largest gradient entry catches a wrong projection backward (for
// example forgetting the α_j Σ α_k ∂L/∂g_k term) or a wrong 2/(bd) factor.
//
// Projected heads are checked with the loss through the projection and on
// the raw heads (the default); the second must also differ from the first,
// or the option would do nothing. The last feature setting adds the
// preconditioning (means and scales fitted by NewTrainer) to the features
// of x: a missing s_k in the heads' backward changes the gradient by O(1).
// With loss weights per head (HeadWeightFloor) a weight applied to the
// loss and not to its gradient, or the other way round, changes the
// gradient of the weighted heads by a factor of up to 3 (w_k from 0.2 to
// 3.3 at δ = 0.05, K+1 = 4).
func TestTrainGradient(t *testing.T) {
	for _, hc := range []struct {
		heads   Heads
		through bool
		floor   float64
	}{{HeadsProjected, true, 0}, {HeadsProjected, false, 0}, {HeadsDirect, false, 0}, {HeadsProjected, true, 0.05}, {HeadsDirect, false, 0.05}} {
		heads := hc.heads
		for _, feat := range []FeatureKind{FeaturesPlain, FeaturesFourier, -1, -2} {
			cfg := Config{Hidden: []int{8, 8}, Heads: heads, Features: Features{Kind: feat}}
			if feat <= -1 { // Fourier features of x widen the input
				cfg.Features.Kind, cfg.XFeatures = FeaturesFourier, XFeatures{Frequencies: 4, Scale: 2}
			}
			if feat == -2 {
				cfg.Precondition = Precondition{On: true}
			}
			tr := trTrainer(t, cfg, Settings{Batch: 16, Seed: 3, LossThroughProjection: hc.through, HeadWeightFloor: hc.floor})
			tr.drawBatch()
			tr.lossGrad()
			grad := append([]float64(nil), tr.opt.grad().([]float64)...)
			params := tr.live.params().([]float64)
			scale := 0.0
			for _, g := range grad {
				scale = math.Max(scale, math.Abs(g))
			}
			r := rand.New(rand.NewPCG(8, 8))
			idx := []int{0, len(params) - 1, len(params) - 20}
			for len(idx) < 30 {
				idx = append(idx, r.IntN(len(params)))
			}
			const h = 1e-6
			for _, i := range idx {
				p := params[i]
				params[i] = p + h
				lp := tr.lossGrad()
				params[i] = p - h
				lm := tr.lossGrad()
				params[i] = p
				fd := (lp - lm) / (2 * h)
				if math.Abs(fd-grad[i]) > 1e-6*scale {
					t.Errorf("%v heads (through projection %v, head weight floor %v), %v features: ∂L/∂θ_%d = %g, finite difference %g", heads, hc.through, hc.floor, feat, i, grad[i], fd)
				}
			}
			if heads == HeadsProjected {
				other := *tr
				other.set.LossThroughProjection = !hc.through
				if lo, l := other.lossGrad(), tr.lossGrad(); lo == l {
					t.Errorf("projected heads: loss %v with and without the projection in the loss", l)
				}
			}
		}
	}
}

// A short training run reaches a small relative error against the exact
// oracle on the edges and in the interior, and the negative controls do
// not: a model trained only at the vertices (α never on an edge) and the
// trained model with the heads of marginals 1 and 2 swapped.
//
// Tolerances: after 1200 steps of a 3×64 network the errors measured are
// 0.10–0.15 on both sets with the default learning rate 4e-3 (0.14–0.21
// with the former 2e-3, seeds 1–3; see ARCHITECTURE.md), so 0.35 leaves
// room for seed-to-seed spread and the former settings.
// Predicting E g_k everywhere scores 1, a vertices-only model scores about
// 4.7 on the edges and swapping two heads about 6.7, so 0.35 separates
// them by a wide margin. A wrong loss (a target other than x_k) converges
// to another function and fails the same way; the gradient of the loss is
// checked separately by TestTrainGradient.
func TestTrainOracle(t *testing.T) {
	set := Settings{Steps: 1200, Batch: 256, Seed: 1}
	cfg := Config{Hidden: []int{64, 64, 64}}
	mix := trMixtures(t)
	c := trCoupling(t, mix)
	measure := func(m cond.Conditional, a Affine) (edge, interior float64) {
		o := trOracle(t, trNormalizeMixtures(t, mix, a))
		nc := NormalizedCoupling(c, a)
		r := rand.New(rand.NewPCG(99, 1))
		edge = trMeanRelErr(m, o, nc, trEdgeAlphas(4), 1000, r)
		interior = trMeanRelErr(m, o, nc, trInteriorAlphas(4, 8, rand.New(rand.NewPCG(5, 5))), 1000, r)
		return edge, interior
	}
	train := func(s Settings) *Trainer {
		tr, err := NewTrainer(cfg, c, s)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return tr
	}
	tr := train(set)
	m := tr.Model()
	edge, interior := measure(m, m.Normalization())
	t.Logf("relative error after %d steps: edges %.3f, interior %.3f", set.Steps, edge, interior)
	if edge > 0.35 || interior > 0.35 {
		t.Errorf("relative error edges %.3f, interior %.3f, want ≤ 0.35", edge, interior)
	}

	// The default projected heads satisfy Σ_k α_k g_k = x exactly (direct
	// heads only as learned, 0.14 here): log it.
	var num, den float64
	for _, a := range trInteriorAlphas(4, 8, rand.New(rand.NewPCG(6, 6))) {
		x := trInterpolant(NormalizedCoupling(c, m.Normalization()), a, 500, rand.New(rand.NewPCG(7, 7)))
		g := trNewG(4, len(x))
		m.Eval(g, a, x)
		for i, v := range x {
			s := -v
			for k := range g {
				s += a[k] * g[k][i]
			}
			num += s * s
			den += v * v
		}
	}
	t.Logf("identity residual of the trained model: rms(Σα_k g_k − x)/rms(x) = %.3f", math.Sqrt(num/den))

	swapped := trSwapHeads{m, 1, 2}
	se, si := measure(swapped, m.Normalization())
	t.Logf("negative control, heads 1 and 2 swapped: edges %.3f, interior %.3f", se, si)
	if se < 0.35 || si < 0.35 {
		t.Errorf("swapped heads pass: edges %.3f, interior %.3f", se, si)
	}

	if testing.Short() {
		return
	}
	// Loss weights per head that depend on α only leave the minimizer, the
	// conditional expectations, where it was: the weighted run meets the
	// same tolerance (measured 0.20 on the edges, 0.15 inside: the error
	// of every head counts here, and on an edge the weights train the two
	// heads of its ends at the expense of the others).
	wset := set
	wset.HeadWeightFloor = 0.05
	tw := train(wset)
	we, wi := measure(tw.Model(), tw.Model().Normalization())
	t.Logf("head weights δ = 0.05: edges %.3f, interior %.3f", we, wi)
	if we > 0.35 || wi > 0.35 {
		t.Errorf("head weights δ = 0.05: relative error edges %.3f, interior %.3f, want ≤ 0.35", we, wi)
	}

	vset := set
	vset.AlphaSampler = simplex.Vertices{}
	tv := train(vset)
	ve, _ := measure(tv.Model(), tv.Model().Normalization())
	t.Logf("negative control, α only at the vertices: edges %.3f", ve)
	if ve < 0.35 {
		t.Errorf("vertices-only training passes on the edges: %.3f", ve)
	}
}

// trSwapHeads is a Conditional that exchanges g_i and g_j of another.
type trSwapHeads struct {
	cond.Conditional
	i, j int
}

func (s trSwapHeads) Eval(g [][]float64, alpha, x []float64) {
	s.Conditional.Eval(g, alpha, x)
	for n := range g[s.i] {
		g[s.i][n], g[s.j][n] = g[s.j][n], g[s.i][n]
	}
}

// trParams returns copies of the live and EMA weights and Adam moments.
func trParams(tr *Trainer) [][]float64 {
	conv := func(v any) []float64 {
		switch x := v.(type) {
		case []float64:
			return append([]float64(nil), x...)
		case []float32:
			y := make([]float64, len(x))
			for i, f := range x {
				y[i] = float64(f)
			}
			return y
		}
		panic("unknown")
	}
	m, v, _ := tr.opt.adam()
	return [][]float64{conv(tr.live.params()), conv(tr.model.eng.params()), conv(m), conv(v)}
}

func trSameBits(t *testing.T, what string, a, b [][]float64) {
	t.Helper()
	names := []string{"live weights", "EMA weights", "Adam m", "Adam v"}
	for k := range a {
		for i := range a[k] {
			if math.Float64bits(a[k][i]) != math.Float64bits(b[k][i]) {
				t.Fatalf("%s: %s differ at %d: %v vs %v", what, names[k], i, a[k][i], b[k][i])
			}
		}
	}
}

// Training N steps straight and N/2 + Save + Resume + N/2 give the same
// weights, EMA and Adam state bit for bit, in float64 and float32; a run
// cancelled through its context writes a checkpoint that resumes the same
// way. A different seed gives different weights (the comparison has power).
// Loss weights per head (HeadWeightFloor) are part of the run: a resume
// that forgot them would train the second half on another loss.
func TestTrainResume(t *testing.T) {
	dir := t.TempDir()
	for _, rc := range []struct {
		f32   bool
		floor float64
	}{{false, 0}, {true, 0}, {true, 0.05}} {
		cfg := Config{Hidden: []int{16, 16}, Float32: rc.f32, Specs: []string{"a", "b", "c"}}
		set := Settings{Steps: 40, Batch: 32, Seed: 11, HeadWeightFloor: rc.floor}
		c := trCoupling(t, trMixtures(t))

		straight, resumed := trHalfway(t, cfg, c, set, 20, filepath.Join(dir, "half.mmi"))
		if resumed.Step() != 20 {
			t.Fatalf("resumed at step %d, want 20", resumed.Step())
		}
		if err := resumed.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		trSameBits(t, "resumed", trParams(straight), trParams(resumed))

		// Cancellation: the context is cancelled from the recorder after
		// step 10; Run writes a checkpoint and returns context.Canceled.
		ctx, cancel := context.WithCancel(context.Background())
		cset := set
		cset.RecordEvery = 10
		cancelled, err := NewTrainer(cfg, c, cset)
		if err != nil {
			t.Fatal(err)
		}
		cpath := filepath.Join(dir, "cancel.mmi")
		cancelled.Path = cpath
		cancelled.Recorder = RecorderFunc(func(p Progress) {
			if p.Step == 10 {
				cancel()
			}
		})
		if err := cancelled.Run(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Run returned %v, want context.Canceled", err)
		}
		again, err := Resume(cpath, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.Step() != 10 {
			t.Fatalf("cancelled checkpoint at step %d, want 10", again.Step())
		}
		if err := again.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		trSameBits(t, "resumed after cancel", trParams(straight), trParams(again))

		other := set
		other.Seed = 12
		diff, err := NewTrainer(cfg, c, other)
		if err != nil {
			t.Fatal(err)
		}
		if err := diff.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		// Every weight must move with the seed (a resume that reset,
		// skipped or replayed part of the run would leave some equal or
		// differ in only a few): count the equal ones.
		a, b := trParams(diff)[0], trParams(straight)[0]
		same := 0
		for i := range a {
			if a[i] == b[i] {
				same++
			}
		}
		if same > len(a)/100 {
			t.Errorf("seeds 11 and 12 give %d of %d identical live weights", same, len(a))
		}
	}
}

// trNaNCoupling returns NaN in marginal 1 from its after-th call on.
type trNaNCoupling struct {
	marginals.Coupling
	calls, after int
}

func (c *trNaNCoupling) Sample(dst [][]float64, r *rand.Rand) {
	c.Coupling.Sample(dst, r)
	c.calls++
	if c.calls > c.after {
		dst[1][0] = math.NaN()
	}
}

// A NaN in the data stops training with ErrNonFiniteLoss at that step,
// leaves the weights as they were before it, and keeps the last good
// checkpoint on disk untouched.
func TestTrainNonFinite(t *testing.T) {
	mix := trMixtures(t)
	// The normalization is given so that FitAffine does not consume draws.
	cfg := Config{Hidden: []int{8}, Norm: Affine{Scale: 1}}
	c := &trNaNCoupling{Coupling: trCoupling(t, mix), after: 7}
	tr, err := NewTrainer(cfg, c, Settings{Steps: 20, Batch: 8})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "nan.mmi")
	for tr.Step() < 5 {
		if _, err := tr.trainStep(); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tr.Path = path
	tr.set.CheckpointEvery = time.Hour
	err = tr.Run(context.Background())
	if !errors.Is(err, ErrNonFiniteLoss) {
		t.Fatalf("Run returned %v, want ErrNonFiniteLoss", err)
	}
	t.Logf("error: %v", err)
	if tr.Step() != 7 {
		t.Errorf("stopped after step %d, want 7 (the 8th draw is NaN)", tr.Step())
	}
	for _, p := range trParams(tr) {
		for _, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatal("non-finite weights after a rejected step")
			}
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(good) {
		t.Error("the last good checkpoint was overwritten")
	}
}

// The learning rate rises linearly over the warm-up to LR, then follows
// the half cosine to FinalLR·LR at the last step.
func TestSettingsSchedule(t *testing.T) {
	s := Settings{Steps: 1000, LR: 1e-3, Warmup: 100, FinalLR: 0.1}.withDefaults()
	for _, c := range []struct {
		step int
		want float64
	}{
		{0, 1e-5},
		{49, 5e-4},
		{99, 1e-3},
		{100, 1e-3},
		{100 + 899/2, 1e-3 * (0.1 + 0.9*(1+math.Cos(math.Pi*float64(899/2)/899))/2)},
		{999, 1e-4},
	} {
		if got := s.lr(c.step); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("lr(%d) = %v, want %v", c.step, got, c.want)
		}
	}
	d := DefaultSettings()
	if d.Warmup != d.Steps/20 || d.EMA != 0.999 || d.Clip != 1 || d.CheckpointEvery != 10*time.Second {
		t.Errorf("defaults %+v", d)
	}
	for _, bad := range []Settings{{Steps: -1}, {Batch: -1}, {LR: math.Inf(1)}, {EMA: 1}, {Alpha: AlphaMix{Edges: -1}}, {HeadWeightFloor: -0.1}, {HeadWeightFloor: math.NaN()}, {HeadWeightFloor: math.Inf(1)}} {
		if err := bad.withDefaults().validate(); err == nil {
			t.Errorf("settings %+v: no error", bad)
		}
	}
}

// The EMA follows β_t = min(β, (1+t)/(10+t)) and ema += (1−β)(live − ema).
func TestEMA(t *testing.T) {
	if got := emaDecay(0.999, 0); got != 0.1 {
		t.Errorf("emaDecay(0.999, 0) = %v, want 0.1", got)
	}
	if got := emaDecay(0.999, 1e6); got != 0.999 {
		t.Errorf("emaDecay late = %v, want 0.999", got)
	}
	// One optimizer step with a zero gradient leaves live at (3, 2).
	live, ema := []float64{3, 2}, []float64{1, 2}
	o := newOptState(live, ema)
	o.update(0.1, 0.75)
	if live[0] != 3 || live[1] != 2 || ema[0] != 1.5 || ema[1] != 2 {
		t.Errorf("EMA update gives %v (live %v), want [1.5 2]", ema, live)
	}
}

// With a tiny CheckpointEvery every step writes a checkpoint, the recorder
// hears of it, and the file on disk is at the last step; the final record
// reports the whole run.
func TestTrainPeriodicCheckpoint(t *testing.T) {
	tr := trTrainer(t, Config{Hidden: []int{4}}, Settings{Steps: 6, Batch: 4, CheckpointEvery: time.Nanosecond, RecordEvery: 2})
	tr.Path = filepath.Join(t.TempDir(), "p.mmi")
	var recs []Progress
	tr.Recorder = RecorderFunc(func(p Progress) { recs = append(recs, p) })
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(recs) < 3 || recs[0].Checkpoint != tr.Path || recs[len(recs)-1].Step != 6 {
		t.Fatalf("records %+v", recs)
	}
	for _, p := range recs {
		if !(p.Loss > 0) || p.Steps != 6 || !(p.LR > 0) {
			t.Errorf("record %+v", p)
		}
	}
	r, err := Resume(tr.Path, trCoupling(t, trMixtures(t)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Step() != 6 {
		t.Errorf("checkpoint at step %d, want 6", r.Step())
	}
	// Running a finished trainer again does nothing and succeeds.
	if err := r.Run(context.Background()); err != nil || r.Step() != 6 {
		t.Errorf("re-run: step %d, %v", r.Step(), err)
	}
	// SetSteps extends a finished run.
	if err := r.SetSteps(3); err == nil {
		t.Error("SetSteps below the steps done: no error")
	}
	if err := r.SetSteps(8); err != nil {
		t.Fatal(err)
	}
	if err := r.Run(context.Background()); err != nil || r.Step() != 8 {
		t.Errorf("extended run: step %d, %v", r.Step(), err)
	}
}

// The gradient norm is the Euclidean norm, also past the overflow of the
// plain sum of squares (1e200² overflows float64), and NaN stays NaN.
func TestGradNorm(t *testing.T) {
	o := newOptState[float64](make([]float64, 2), make([]float64, 2))
	copy(o.g, []float64{3, 4})
	if n := o.gradNorm(); n != 5 {
		t.Errorf("norm of (3, 4) = %v", n)
	}
	o.g = []float64{3e200, 4e200}
	if n := o.gradNorm(); math.Abs(n/5e200-1) > 1e-15 {
		t.Errorf("norm of (3e200, 4e200) = %v", n)
	}
	o.g = []float64{1, math.NaN()}
	if n := o.gradNorm(); !math.IsNaN(n) {
		t.Errorf("norm with a NaN = %v", n)
	}
}

// A warm-up longer than half the run is capped at Steps/2.
func TestSettingsWarmupCap(t *testing.T) {
	s := DefaultSettings() // Warmup 400 for 8000 steps
	s.Steps = 100
	if got := s.lr(49); got != s.LR {
		t.Errorf("lr at step 49 of 100 with warm-up 400: %v, want the peak %v", got, s.LR)
	}
}

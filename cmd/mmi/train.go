package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/internal/capacity"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/nn"
	"github.com/mmi-go/mmi/simplex"
)

// defaultData are the marginals of a bare `mmi train`: three visually
// distinct 2-D sets that train in about two minutes on two cores.
const defaultData = "8gaussians,moons,checkerboard"

// defaultCoupling is the --coupling of mmi train.
const defaultCoupling = "independent"

// trainFlags are the flags of mmi train.
type trainFlags struct {
	data, out, resume string
	size              string
	steps, batch      int
	hidden, layers    int
	lr                float64
	seed              uint64
	float32           bool
	domain            string
	net               string
	widths            []int
	blocks            int
	xFourier          string
	activation        string
	norm              string
	precondition      bool
	alphaMix          string
	lossWeights       string
	coupling          string
	reuse             int
	every             time.Duration
}

func newTrainCmd() *cobra.Command {
	var tf trainFlags
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train g on K data marginals (plus the Gaussian) and write a checkpoint",
		Long: fmt.Sprintf(`Train one network for the K+1 conditional expectations g_k(α, x) of the
Gaussian (marginal 0) and the data marginals of --data (1…K, in order), on the
joint regression loss over α drawn from the interior, faces, edges and
vertices of the simplex. The checkpoint is rewritten atomically every 10 s and
at the end; Ctrl-C stops cleanly with a checkpoint, and --resume continues it.

A --data entry that is a folder is every PNG and JPEG file in it, grayscale
or colour, as one marginal; --size WxH resizes them (otherwise all must share
one size). When every --data entry is images of one shape (a labelled set
mnist:3, fashion:7, digits:0, …, a folder, an NPY array (n, H, W[, C]))
train uses image defaults for the flags not given
(a convolutional U-Net, %d steps of %d, LR %g, coupling %s, loss weights
alpha:%g; with --net mlp,
--hidden or --layers an MLP %d×%d %v, %d steps of %d, LR %g, independent coupling;
data heads clamped to [−1, 1] and a projection that trusts the image heads
more than the noise head), printed on the first line of output. Other data
(points in d dimensions) get a %d×%d %v MLP with Fourier features of x %v,
the %v normalization scale and %d steps, chosen on the problems of mmi suite
(docs/suite.md).`,
			imageDefaults.unetSteps, imageDefaults.unetBatch, imageDefaults.unetLR, imageDefaults.unetCoupling, imageDefaults.unetHeadFloor,
			imageDefaults.layers, imageDefaults.hidden, imageDefaults.act, imageDefaults.steps, imageDefaults.batch, imageDefaults.lr,
			len(gk.DefaultHidden), gk.DefaultHidden[0], vectorDefaults.act, vectorDefaults.xf, vectorDefaults.norm, vectorDefaults.steps),
		Example: `  mmi train                                   # 8gaussians, moons, checkerboard → model.mmi
  mmi train --data a.csv,b.csv,c.npy --steps 20000 --out mine.mmi
  mmi train --resume mine.mmi --steps 80000
  mmi train --data mnist:0,mnist:1,mnist:2,mnist:3,mnist:4,mnist:5 --out mnist6.mmi   # image defaults
  mmi train --data photos/summer,photos/winter --size 32x32 --out seasons.mmi        # folders of images`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTrain(cmd, &tf) },
	}
	f := cmd.Flags()
	def := gk.DefaultSettings()
	f.StringVar(&tf.data, "data", defaultData, "data marginals: built-in names, NAME:CLASS, .csv/.npy files, a .json mixture specification or folders of PNG/JPEG images, comma-separated")
	f.StringVar(&tf.size, "size", "", "resize the images of --data folders to WxH pixels (Catmull-Rom); without it a folder's images must share one size")
	f.IntVar(&tf.steps, "steps", vectorDefaults.steps, "training steps (image data: see above)")
	f.IntVar(&tf.batch, "batch", def.Batch, "batch size")
	f.IntVar(&tf.hidden, "hidden", gk.DefaultHidden[0], "width of the hidden layers")
	f.IntVar(&tf.layers, "layers", len(gk.DefaultHidden), "number of hidden layers")
	f.Float64Var(&tf.lr, "lr", def.LR, "peak learning rate (Adam, warm-up then cosine decay)")
	f.Uint64Var(&tf.seed, "seed", 1, "random seed: the same seed gives the same model")
	f.BoolVar(&tf.float32, "float32", true, "float32 network (as accurate as float64 on the measured 2-D problems, 1.3× faster); --float32=false for float64")
	f.StringVar(&tf.out, "out", "model.mmi", "checkpoint to write (an existing file only when --resume continues it, or with --force)")
	f.StringVar(&tf.resume, "resume", "", "continue training from this checkpoint")
	f.StringVar(&tf.coupling, "coupling", defaultCoupling, "joint law of the training tuples: independent, ot (each batch's data samples put into optimal-transport tuples; ot:B assigns blocks of B rows; a block larger than the batch is drawn whole and feeds consecutive steps), or paired (row r of every data set is one tuple: row-aligned files or views such as mnist:all:low7,mnist:all; docs/paired.md); x_0 stays independent")
	f.IntVar(&tf.reuse, "reuse", 0, "steps that share one draw of the data tuples (fresh α and noise each step); 0: 1 for independent, for ot as docs/couplings.md measured (low-dimensional data: 4 for two data marginals, 16 for more; images: 4)")
	f.StringVar(&tf.domain, "domain", "simplex", "where α is drawn: simplex, or ball (the non-negative part of the ball |α| ≤ √2, simplex included: noise schedules off the simplex)")
	f.StringVar(&tf.net, "net", "mlp", "network: mlp, or unet (a convolutional U-Net for images of any H×W×C); image data gets the U-Net unless --net mlp, --hidden or --layers is given (docs/images.md measures both)")
	f.IntSliceVar(&tf.widths, "widths", nil, "U-Net channels per level, finest first (implies --net unet; default "+intsString(gk.DefaultUNetWidths)+", fewer levels where the image does not halve)")
	f.IntVar(&tf.blocks, "blocks", 1, "U-Net residual blocks per level on each side of the U (implies --net unet)")
	mlpFlags(f, &tf)
	f.StringVar(&tf.alphaMix, "alpha-mix", gk.DefaultAlphaMix.String(), "where α is drawn in training: relative weights of the simplex's interior (Dirichlet(1)), 2-faces, edges and vertices, the share of edge draws between two data marginals (data-edges) and t ~ Beta(B, B) on an edge (edge-beta, 1: uniform); keys not given keep their default")
	f.StringVar(&tf.lossWeights, "loss-weights", "uniform", "weight of each head's error in the loss: uniform, or alpha:δ (head k weighs ∝ α_k + δ: the accuracy goes to the heads the flow uses at α; the minimizer is the same). Image data on the U-Net: alpha:"+fmt.Sprint(imageDefaults.unetHeadFloor)+" unless given (docs/images.md)")
	f.DurationVar(&tf.every, "checkpoint-every", def.CheckpointEvery, "interval of the periodic checkpoints (kept by --resume)")
	return cmd
}

// mlpFlags defines the flags of how the MLP sees its input.
func mlpFlags(f *pflag.FlagSet, tf *trainFlags) {
	f.StringVar(&tf.xFourier, "x-fourier", vectorDefaults.xf.String(), "random Fourier features of x for the MLP: M:σ feeds sin and cos of 2π Bx, B of M×d entries N(0, σ²) in normalized units (docs/suite.md); off: none. Image data: off unless given")
	f.StringVar(&tf.activation, "activation", vectorDefaults.act.String(), "hidden-layer activation of the MLP: silu or tanh (the image MLP: "+imageDefaults.act.String()+" unless given; docs/suite.md measures both)")
	f.StringVar(&tf.norm, "norm", vectorDefaults.norm.String(), "scale of the normalization of the data: pooled (the union of the marginals has unit spread) or within (each marginal's spread about its own mean: small marginals far apart are not squeezed; docs/suite.md). Image data: pooled unless given")
	f.BoolVar(&tf.precondition, "precondition", false, "MLP: feed the network x centred and scaled by the marginals' own means and scales at α, and scale its heads by them (helps marginals of small scale; docs/suite.md)")
}

// runTrain opens or resumes the trainer that the flags describe and runs it.
func runTrain(cmd *cobra.Command, tf *trainFlags) error {
	fl := cmd.Flags()
	if tf.steps <= 0 || tf.batch <= 0 || tf.hidden <= 0 || tf.layers <= 0 || !(tf.lr > 0) {
		return usagef("train: --steps, --batch, --hidden, --layers and --lr must be positive")
	}
	if tf.every <= 0 {
		return usagef("train: --checkpoint-every must be positive, got %v", tf.every)
	}
	if tf.reuse < 0 {
		return usagef("train: --reuse must be ≥ 0, got %d", tf.reuse)
	}
	dom, err := parseDomainFlag(tf.domain)
	if err != nil {
		return err
	}
	spec, err := marginals.ParseCouplingSpec(tf.coupling)
	if err != nil {
		return usagef("train: --coupling: %v", strings.TrimPrefix(err.Error(), "marginals: "))
	}
	out := tf.out
	var t *gk.Trainer
	imageLine := ""
	if tf.resume != "" {
		var done bool
		if t, out, done, err = resumeRun(cmd, tf, dom, spec); err != nil || done {
			return err
		}
	} else if t, imageLine, err = newTrainer(fl, tf, dom, spec); err != nil {
		return err
	}
	if err := checkTrainOut(cmd, out, tf.resume); err != nil {
		return err
	}
	t.Path = out
	unetBLAS(t.Model())
	kept := tf.resume != "" && sameFile(out, tf.resume)
	return trainAndReport(cmd, t, out, imageLine, kept)
}

// checkTrainOut refuses a checkpoint file that is not named, whose folder
// cannot be written, or that the rules of outputs.go refuse: an existing
// file is replaced only when it is the checkpoint --resume continues or
// with --force. Then the run holds the checkpoint's lock, so a second
// training of it is refused, and removes what killed runs of it left.
func checkTrainOut(cmd *cobra.Command, out, resume string) error {
	if out == "" {
		return usagef("train: --out must name the checkpoint file")
	}
	if err := checkFolder(out); err != nil {
		return err
	}
	return claimOutput(cmd, out, resume)
}

// resumeRun is the trainer of mmi train --resume and the checkpoint it
// writes: the flags may not change what the checkpoint fixed (--size,
// --domain, --coupling, --reuse); --steps may extend the run. done says
// that the run has nothing to do (it said so on stdout).
func resumeRun(cmd *cobra.Command, tf *trainFlags, dom simplex.Domain, spec marginals.CouplingSpec) (t *gk.Trainer, out string, done bool, err error) {
	fl := cmd.Flags()
	if fl.Changed("size") {
		return nil, "", false, usagef("train: --size is set when a training starts; --resume keeps the size of %s", tf.resume)
	}
	t, err = resumeTrainer(tf.resume, tf.data, fl.Changed("data"))
	if err != nil {
		return nil, "", false, err
	}
	if err := checkResumeFlags(fl, tf, tf.resume, t); err != nil {
		return nil, "", false, err
	}
	if got := t.Model().Domain(); fl.Changed("domain") && got != dom {
		return nil, "", false, usagef("%s was trained on the %s; --domain %s cannot change that on --resume", tf.resume, got, tf.domain)
	}
	if got := t.Model().Coupling(); fl.Changed("coupling") && !got.Same(spec) && !(got.Kind == spec.Kind && spec.Block == 0) {
		return nil, "", false, usagef("%s was trained with --coupling %s; --coupling %s cannot change that on --resume", tf.resume, got, tf.coupling)
	}
	if fl.Changed("reuse") && max(tf.reuse, 1) != max(t.Settings().Reuse, 1) {
		return nil, "", false, usagef("%s was trained with --reuse %d; --reuse %d cannot change that on --resume", tf.resume, max(t.Settings().Reuse, 1), tf.reuse)
	}
	target := t.Settings().Steps
	if fl.Changed("steps") {
		target = tf.steps
	}
	if t.Step() >= target {
		// Nothing to train: say so and leave the file as it is.
		fmt.Fprintf(cmd.OutOrStdout(), "%s has done %d steps already, not fewer than --steps %d: nothing to do (give a larger --steps to continue)\n", tf.resume, t.Step(), target)
		return nil, "", true, nil
	}
	if err := t.SetSteps(target); err != nil {
		return nil, "", false, badInput(err)
	}
	out = tf.out
	if !fl.Changed("out") {
		out = tf.resume
	}
	return t, out, false, nil
}

// newTrainer is the trainer of a new run: --data, the network's shape
// and the settings from the flags (--steps, when given, replaces the
// default schedule's length and warm-up), on the α-domain dom. Image data
// gets the image defaults for the flags not given; their description is
// returned for the first line of output.
func newTrainer(fl *pflag.FlagSet, tf *trainFlags, dom simplex.Domain, spec marginals.CouplingSpec) (*gk.Trainer, string, error) {
	set := gk.DefaultSettings()
	entries, err := openTrainData(tf)
	if err != nil {
		return nil, "", err
	}
	set.Steps, set.Warmup = tf.steps, 0 // warm-up Steps/20; image defaults replace the steps not given
	set.Batch, set.LR, set.Seed, set.CheckpointEvery = tf.batch, tf.lr, tf.seed, tf.every
	h := make([]int, tf.layers)
	for i := range h {
		h[i] = tf.hidden
	}
	net, err := networkFlags(fl, tf)
	if err != nil {
		return nil, "", err
	}
	cfg := gk.Config{
		Marginals:  len(entries) + 1,
		Dim:        entries[0].Marginal.Dim(),
		Hidden:     h,
		Float32:    tf.float32,
		Specs:      datasets.EntryNames(entries),
		DataHashes: dataHashes(entries),
		Domain:     dom,
		Coupling:   spec,
		Net:        net,
		UNet:       gk.UNet{Widths: tf.widths, Blocks: tf.blocks},
		Activation: vectorDefaults.act,
	}
	imageLine := ""
	if img := imageShape(entries); img != nil {
		cfg.Shape = img.HWC()
		imageLine = applyImageDefaults(fl, img, &cfg, &set, &spec)
	}
	if err := inputOptions(fl, tf, &cfg, &set); err != nil {
		return nil, "", err
	}
	if cfg.Net == gk.NetMLP {
		if err := checkTrainMemory(cfg.Dim, cfg.Marginals, cfg.Hidden[0], len(cfg.Hidden), set.Batch, tf.float32); err != nil {
			return nil, "", err
		}
	}
	cfg.Coupling, set.Reuse = otDefaults(spec, tf.reuse, cfg.Dim, len(entries), set.Batch)
	c, err := coupling(entries, cfg.Coupling)
	if err != nil {
		return nil, "", err
	}
	loss, err := lossFlags(fl, tf, cfg, &set)
	if err != nil {
		return nil, "", err
	}
	imageLine += loss
	t, err := gk.NewTrainer(cfg, c, set)
	if err != nil {
		return nil, "", badInput(err)
	}
	return t, imageLine, nil
}

// lossFlags sets where α is drawn (--alpha-mix) and how the heads are
// weighed (--loss-weights) and describes them for the first line of
// output.
func lossFlags(fl *pflag.FlagSet, tf *trainFlags, cfg gk.Config, set *gk.Settings) (string, error) {
	mix, err := alphaMixFlag(fl, tf, set)
	if err != nil {
		return "", err
	}
	weights, err := lossWeightsFlag(fl, tf, cfg, set)
	return mix + weights, err
}

// alphaMixFlag sets the α-distribution of --alpha-mix, when given, and
// describes it for the first line of output.
func alphaMixFlag(fl *pflag.FlagSet, tf *trainFlags, set *gk.Settings) (string, error) {
	if !fl.Changed("alpha-mix") {
		return "", nil
	}
	a, err := gk.ParseAlphaMix(tf.alphaMix, set.Alpha)
	if err != nil {
		return "", usagef("train: --alpha-mix: %v", strings.TrimPrefix(err.Error(), "gk: "))
	}
	set.Alpha = a
	return "; α mix " + a.String(), nil
}

// vectorDefaults are mmi train's settings for data that are not images,
// chosen on the problems of package suite by their worst case (docs/suite.md,
// "The defaults since the fifteenth session" and "The within-marginal
// scale"): a SiLU MLP (1.1–4× lower errors than tanh at the same budget),
// Fourier features of x of 32 frequencies at scale 1 (sharper thin modes
// and the checkerboard's edges), the normalization scaled by the
// marginals' own spread (small marginals far apart are not squeezed), and
// the steps that fit into two minutes on two idle cores.
var vectorDefaults = struct {
	act   nn.Activation
	xf    gk.XFeatures
	norm  gk.NormFit
	steps int
}{act: nn.SiLU, xf: gk.XFeatures{Frequencies: 32, Scale: 1}, norm: gk.NormWithin, steps: 60000}

// inputOptions sets how the network sees its input: the MLP's options
// (mlpInputOptions) on cfg and the normalization fit of --norm on set,
// pooled for images unless --norm is given.
func inputOptions(fl *pflag.FlagSet, tf *trainFlags, cfg *gk.Config, set *gk.Settings) error {
	if err := mlpInputOptions(fl, tf, cfg); err != nil {
		return err
	}
	f, err := gk.ParseNormFit(tf.norm)
	if err != nil {
		return usagef("train: --norm %q: want pooled or within", tf.norm)
	}
	if !fl.Changed("norm") && cfg.Shape != nil {
		f = gk.NormPooled
	}
	set.Norm = f
	return nil
}

// mlpInputOptions sets the options of --x-fourier, --precondition and
// --activation on cfg and refuses them for the U-Net (known once the
// image defaults have chosen the network).
func mlpInputOptions(fl *pflag.FlagSet, tf *trainFlags, cfg *gk.Config) error {
	xf, err := gk.ParseXFeatures(tf.xFourier)
	if err != nil {
		return usagef("train: --x-fourier %q: want M:σ with M ≥ 1 and σ > 0 (for example 64:3), or off", tf.xFourier)
	}
	if !fl.Changed("x-fourier") && (cfg.Shape != nil || cfg.Net != gk.NetMLP) {
		xf = gk.XFeatures{} // the default is for vector data
	}
	cfg.XFeatures, cfg.Precondition = xf, gk.Precondition{On: tf.precondition}
	if fl.Changed("activation") {
		if cfg.Activation, err = nn.ParseActivation(tf.activation); err != nil {
			return usagef("train: --activation %q: want silu or tanh", tf.activation)
		}
	}
	switch {
	case fl.Changed("activation") && cfg.Net != gk.NetMLP:
		return usagef("train: --activation sets the MLP's, not the U-Net's (give --net mlp, or leave --activation off)")
	case xf.On() && cfg.Net != gk.NetMLP: // given: the default is off here
		return usagef("train: --x-fourier works with the MLP only, not the U-Net (give --net mlp, or leave --x-fourier off)")
	case tf.precondition && cfg.Net != gk.NetMLP:
		return usagef("train: --precondition works with the MLP only, not the U-Net (give --net mlp, or leave --precondition off)")
	}
	return nil
}

// openTrainData opens the marginals of --data (folders of images resized
// to --size, which needs one).
func openTrainData(tf *trainFlags) ([]datasets.Entry, error) {
	opts, err := folderOptions(tf.size)
	if err != nil {
		return nil, err
	}
	entries, err := datasets.OpenWith(tf.data, opts)
	if err != nil {
		return nil, badInput(err)
	}
	if tf.size != "" && !hasFolder(entries) {
		return nil, usagef("train: --size %s resizes the images of folders in --data, and --data names none", tf.size)
	}
	return entries, nil
}

// networkFlags returns the network that --net, --widths and --blocks ask
// for (--widths and --blocks imply a U-Net).
func networkFlags(fl *pflag.FlagSet, tf *trainFlags) (gk.Network, error) {
	net, err := gk.ParseNetwork(tf.net)
	if err != nil {
		return 0, usagef("train: --net %q: want mlp or unet", tf.net)
	}
	if tf.blocks < 1 || tf.blocks > nn.MaxUNetBlocks {
		return 0, usagef("train: --blocks %d: want 1 to %d residual blocks per level", tf.blocks, nn.MaxUNetBlocks)
	}
	if !fl.Changed("widths") && !fl.Changed("blocks") {
		return net, nil
	}
	if fl.Changed("net") && net != gk.NetUNet {
		return 0, usagef("train: --widths and --blocks describe a U-Net, not --net %s", tf.net)
	}
	for _, w := range tf.widths {
		if w < 1 {
			return 0, usagef("train: --widths must be positive, got %v", tf.widths)
		}
	}
	return gk.NetUNet, nil
}

// trainAndReport runs t with a progress bar on stderr and says where the
// checkpoint is: on stdout when done, on stderr when interrupted. kept
// says that out is the checkpoint --resume continued (lastGood).
func trainAndReport(cmd *cobra.Command, t *gk.Trainer, out, imageLine string, kept bool) error {
	stderr := cmd.ErrOrStderr()
	s := t.Settings()
	blas, _ := nn.BLAS()
	fmt.Fprintf(stderr, "training %d marginals (with the Gaussian) from step %d to %d, batch %d, on %s; checkpoint %s%s\n%s",
		t.Model().Config().Marginals, t.Step(), s.Steps, s.Batch, blasLine(blas), out, imageLine, fastPathHint(blas))
	bar := newProgress(stderr, t.Step(), s.Steps, "train")
	t.Recorder = gk.RecorderFunc(func(p gk.Progress) {
		bar.update(p.Step, fmt.Sprintf("loss %.4f", p.Loss))
	})
	startStep := t.Step()
	err := t.Run(cmd.Context())
	bar.finish()
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "interrupted at step %d; checkpoint %s (continue with --resume %s)\n", t.Step(), out, out)
		return err
	case err != nil:
		return fmt.Errorf("training stopped at step %d: %w%s", t.Step(), err, lastGood(t, err, out, kept, startStep))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s after %d steps\nnext: mmi path --model %s --from 0 --to 1 --png x1.png\n", out, t.Step(), out)
	return nil
}

// otDefaults fills in the block and the reuse of an OT coupling that the
// flags leave open (docs/couplings.md has the measurements behind them):
// a training step must cost at most 1.25 times an independent one. The
// assignments of low-dimensional data are the expensive part beside a
// cheap step, so they are made in blocks of 64 rows (32 for more than two
// data marginals, whose block-coordinate sweeps take about ten
// assignments) and the tuples serve 4 (16) steps; images are assigned a
// whole batch at a time, in about seventeen assignments of 128 images for
// six classes, and the tuples serve 4 steps. A block of several batches
// (ot:512) is drawn whole and serves as many steps, each tuple once.
// Given values are kept; the independent coupling draws every step unless
// --reuse says otherwise.
func otDefaults(spec marginals.CouplingSpec, reuse, dim, k, batch int) (marginals.CouplingSpec, int) {
	if spec.Kind != marginals.KindOT {
		return spec, reuse
	}
	block, r := batch, 4
	if dim <= 16 {
		block, r = 64, 4
		if k > 2 {
			block, r = 32, 16
		}
	}
	if spec.Block > batch {
		r = 1 // a draw of several batches serves as many steps already
	}
	if spec.Block == 0 {
		spec.Block = min(block, batch)
	}
	if reuse == 0 {
		reuse = r
	}
	return spec, reuse
}

// hasFolder reports whether an entry is a folder of images.
func hasFolder(entries []datasets.Entry) bool {
	for _, e := range entries {
		if e.Files != nil {
			return true
		}
	}
	return false
}

// lastGood says what is on disk after a failed training: the last
// checkpoint this run wrote (the lock guarantees no other process wrote
// it since), or, if it wrote none, the checkpoint --resume continued when
// the run writes to that same file (kept), or that there is none. Only
// files that exist and hold this training are named.
func lastGood(t *gk.Trainer, err error, out string, kept bool, startStep int) string {
	switch {
	case strings.Contains(err.Error(), "last good checkpoint"):
		return "" // the trainer said it
	case t.SavedStep() >= 0:
		return fmt.Sprintf(" (last good checkpoint %s at step %d)", out, t.SavedStep())
	case kept:
		return fmt.Sprintf(" (%s is as --resume found it, at step %d)", out, startStep)
	}
	return " (no checkpoint was written)"
}

// coupling is the coupling spec of the Gaussian and the entries.
func coupling(entries []datasets.Entry, spec marginals.CouplingSpec) (marginals.Coupling, error) {
	if spec.Kind == marginals.KindPaired {
		if _, err := datasets.CheckPaired(entries); err != nil {
			return nil, usagef("train --coupling paired: %s", strings.TrimPrefix(err.Error(), "datasets: "))
		}
	}
	ms := []marginals.Marginal{marginals.StandardGaussian(entries[0].Marginal.Dim())}
	for _, e := range entries {
		ms = append(ms, e.Marginal)
	}
	c, err := spec.New(ms...)
	return c, badInput(err)
}

// resumeTrainer reopens a checkpoint's trainer on the marginals it records
// (or on --data, if given, which must match them).
func resumeTrainer(file, data string, dataGiven bool) (*gk.Trainer, error) {
	gm, err := gk.Load(file)
	if err != nil {
		return nil, badInput(err)
	}
	specs := gm.Specs()
	shape := datasets.ShapeHWC(gm.Shape())
	var entries []datasets.Entry
	if dataGiven {
		opts := datasets.Options{MaxBytes: capacity.PhysicalMemory()}
		if shape != nil {
			opts.Size = *shape
		}
		if entries, err = datasets.OpenWith(data, opts); err != nil {
			return nil, badInput(err)
		}
	} else {
		for _, s := range specs {
			mg, img := datasets.ReopenAt(s, shape)
			if mg == nil {
				return nil, usagef("%s: its marginal %q cannot be opened; give it again with --data", file, s)
			}
			entries = append(entries, datasets.Entry{Name: s, Marginal: mg, Image: img})
		}
	}
	if k1, _ := gm.Sizes(); len(entries)+1 != k1 {
		return nil, usagef("%s was trained on %d data marginals, --data gives %d", file, k1-1, len(entries))
	}
	if err := sameData(file, specs, datasets.EntryNames(entries)); err != nil {
		return nil, err
	}
	if err := sameDataContent(file, gm.DataHashes(), entries); err != nil {
		return nil, err
	}
	c, err := coupling(entries, gm.Coupling())
	if err != nil {
		return nil, err
	}
	t, err := gk.Resume(file, c, nil)
	return t, badInput(err)
}

// sameData refuses to resume a training on other data than it started
// with: the names of --data must be those the checkpoint records, up to
// the folder (a moved sample file may be given again from elsewhere).
func sameData(file string, recorded, given []string) error {
	base := func(names []string) string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = filepath.Base(n)
		}
		return strings.Join(out, ",")
	}
	if r, g := base(recorded), base(given); r != g {
		return usagef("%s was trained on %s, --data gives %s: resume with the same data", file, r, g)
	}
	return nil
}

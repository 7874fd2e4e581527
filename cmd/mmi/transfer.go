package main

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/samplefile"
	"github.com/mmi-go/mmi/styletransfer"
	"github.com/mmi-go/mmi/viz"
)

type transferFlags struct {
	model    string
	from, to int
	via      string
	pathFile string
	all      bool
	heldOut  bool
	n        int
	in       string
	solverFlags
	seed            uint64
	out, png, shape string
	asJSON          bool
	shard           string
	evalN           int
	fromSet, nSet   bool
	sde             bool
	eps             float64
	restoreFlags
}

func newTransferCmd() *cobra.Command {
	var f transferFlags
	cmd := &cobra.Command{
		Use:   "transfer",
		Short: "Translate samples or images of one data marginal into another; all-to-all grids",
		Long: `Translate samples of data marginal --from into samples of marginal --to by
the probability flow along the straight edge e_from → e_to, a polyline through
the vertices of --via, or a saved path (--path, e.g. from mmi pathopt). The
starting samples are fresh draws of --from (--n) or the rows of --in, in data
coordinates.

--sde integrates the stochastic generator instead (as mmi path --sde: score
drift and noise of ε(t) = eps·α_0(t)). ε is zero on the edge between two data
marginals, so it needs a route through the Gaussian, --via 0: the source is
carried towards noise and back to the target, and the noise washes out what
the network cannot remove deterministically (a ghost of the source image),
while the start still steers the result (slant, placement).

With --all, every data marginal is translated to every other from the same
--n source samples: a table of energy distances to fresh samples of each
target (the diagonal compares two exact sets of one marginal: the floor) and,
with --png, a grid of pictures: a column per target; for 2-D data a row of
scatter panels per source, for images four rows per source (one source image
per row, on the diagonal, and its translations). With --held-out (labelled
image sets such as mnist:3) the sources and the fresh targets are the sets'
test images (mnist:3:test), which the model never saw.

Restorations of paired data (docs/paired.md; a model trained with --coupling
paired on, e.g., mnist:all:low7,mnist:all:masklower,mnist:all): --in also takes
a view of a labelled set, whose rows are read in order
(mnist:all:test:low7:first1000); --truth names the rows they were made from
(PSNR of input and output, a third row in --png); --keep names the values a
restoration keeps (an image half, or a file of one row) and reports their
change, --hold pins them exactly; --lift A routes off the data edge through
α_0 = A so that --sde draws several restorations of one input (--copies),
whose spread the summary gives.`,
		Example: `  mmi transfer --model examples/mix3.json --from 1 --to 3 --n 2000 --out t13.csv --png t13.png --json
  mmi transfer --from 1 --to 3 --via 2 --in mine.csv --out translated.csv
  mmi transfer --model mnist6.mmi --from 3 --to 2 --via 0 --sde --solver heun --steps 50 --in twos.npy --png t.png
  mmi transfer --model mnist-paired.mmi --from 1 --to 3 --in mnist:all:test:low7 --truth mnist:all:test --out sr.npy --png sr.png
  mmi transfer --model mnist-paired.mmi --from 2 --to 3 --in mnist:all:test:masklower --keep upper --hold --out ip.npy
  mmi transfer --all --n 2000 --png all.png --json
  mmi transfer --model digits.mmi --all --held-out --n 1000 --png all.png`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.fromSet = cmd.Flags().Changed("from") || cmd.Flags().Changed("to")
			f.nSet = cmd.Flags().Changed("n")
			if f.all {
				return runTransferAll(cmd, &f)
			}
			if f.heldOut {
				return usagef("transfer: --held-out goes with --all (give one split's images with --in otherwise)")
			}
			return runTransfer(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "model.mmi", "checkpoint from mmi train, or a .json Gaussian-mixture specification (exact oracle)")
	fl.IntVar(&f.from, "from", 1, "source data marginal (1…K)")
	fl.IntVar(&f.to, "to", 2, "target data marginal (1…K)")
	fl.StringVar(&f.via, "via", "", "marginals to pass through, comma-separated")
	fl.StringVar(&f.pathFile, "path", "", "a saved path (.json) from --from to --to")
	fl.BoolVar(&f.all, "all", false, "every data marginal to every other: table and grid picture")
	fl.BoolVar(&f.heldOut, "held-out", false, "with --all: sources and targets from the test split of the model's image sets (mnist:3 → mnist:3:test)")
	fl.IntVar(&f.n, "n", 1000, "number of source samples (per source with --all)")
	fl.StringVar(&f.in, "in", "", "source samples (.csv or .npy, data coordinates) instead of fresh draws of --from")
	addSolverFlags(cmd, &f.solverFlags)
	fl.Uint64Var(&f.seed, "seed", 1, "random seed")
	fl.StringVar(&f.out, "out", "", "write the translated samples (.csv or .npy)")
	fl.StringVar(&f.png, "png", "", "write a picture (2-D scatter or image grid)")
	addShapeFlag(cmd, &f.shape)
	fl.BoolVar(&f.asJSON, "json", false, "print a JSON summary (with --all: the table)")
	fl.IntVar(&f.evalN, "eval-n", 2000, "fresh target samples for the energy distance in the summary (0: skip)")
	fl.BoolVar(&f.sde, "sde", false, "integrate the stochastic generator (Euler–Maruyama, or Heun with --solver heun); needs --via 0")
	fl.Float64Var(&f.eps, "eps", 1, "noise level E of the SDE: ε(t) = E·α_0(t)")
	addShardFlag(cmd, &f.shard)
	addRestoreFlags(fl, &f.restoreFlags)
	return cmd
}

func parseInts(flag, s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, usagef("%s: %q is not a marginal index", flag, p)
		}
		out = append(out, v)
	}
	return out, nil
}

func runTransfer(cmd *cobra.Command, f *transferFlags) error {
	if f.in != "" && f.nSet {
		return usagef("transfer: give --in or --n, not both")
	}
	if f.in == "" && f.n <= 0 {
		return usagef("--n must be positive, got %d", f.n)
	}
	if f.from == f.to {
		return usagef("transfer: --from and --to are both %d; they must differ", f.from)
	}
	if err := checkRestoreFlags(f); err != nil {
		return err
	}
	shard, err := parseShard(f.shard)
	if err != nil {
		return err
	}
	if err := checkOut(cmd, f.out); err != nil {
		return err
	}
	if err := checkPNGOut(cmd, f.png); err != nil {
		return err
	}
	via, err := parseInts("--via", f.via)
	if err != nil {
		return err
	}
	gen, opts, err := openModel(f.model, &f.solverFlags)
	if err != nil {
		return err
	}
	k1, d := gen.Sizes()
	for _, k := range []int{f.from, f.to} {
		if k < 1 || k >= k1 {
			return usagef("transfer: marginal %d is not a data marginal: the model has data marginals 1 … %d (mmi path starts from noise)", k, k1-1)
		}
	}
	var saved path.Path
	if f.pathFile != "" {
		if saved, err = loadPathFile(f.pathFile, k1); err != nil {
			return err
		}
		if err := checkDomain(gen, saved); err != nil {
			return err
		}
	}
	route, err := styletransfer.Route(k1, f.from, f.to, via, saved)
	if err != nil {
		return badInput(err)
	}
	if f.lift > 0 {
		if route, err = liftRoute(k1, f.from, f.to, f.lift); err != nil {
			return err
		}
	}
	if err := transferSDE(f, via, opts); err != nil {
		return err
	}
	job := generate.Job{Path: route, N: f.n, Seed: f.seed, Shard: shard, Options: opts}
	rs := &restore{f: &f.restoreFlags}
	if f.in != "" {
		if job.In, _, err = readInputRows(f.in, d); err != nil {
			return err
		}
		if rs, job.In, err = newRestore(&f.restoreFlags, gen, job.In, opts); err != nil {
			return err
		}
	} else if f.keep != "" {
		return usagef("transfer: --keep goes with --in (the rows whose values are kept)")
	} else if _, err := gen.Marginal(f.from); err != nil {
		return usagef("%v; give source samples with --in", err)
	}
	rows := job.N
	if job.In != nil {
		rows = len(job.In) / d
	}
	if err := checkShardRows(shard, rows); err != nil {
		return err
	}
	lo, hi, _ := shard.Rows(rows)
	// The rows stream to --out chunk by chunk; only those the energy
	// distance and the picture use stay in memory.
	keep := 0
	if f.evalN > 0 {
		keep = f.evalN
	}
	if f.png != "" {
		keep = max(keep, min(pictureRows, hi-lo))
	}
	if rs.measures() {
		keep = hi - lo
	}
	if err := checkSamplesMemory("transfer", min(keep, hi-lo), d); err != nil {
		return err
	}
	if err := checkOutDir(cmd, f.out, sampleFileBytes(hi-lo, d)); err != nil {
		return err
	}
	if err := checkPNG(f.png, f.shape, gen); err != nil {
		return err
	}

	t0 := time.Now()
	sr, err := streamRun(cmd.Context(), gen, job, f.out, keep)
	secs := time.Since(t0).Seconds()
	if err != nil {
		return err
	}
	res, n := sr.kept, sr.rows
	sum := map[string]any{"from": f.from, "to": f.to, "n": n, "nfe": res.Stats.NFE, "seconds": secs}
	var truth []float64
	if f.evalN > 0 {
		// The energy distance of the first --eval-n rows (independent
		// draws, like any others) to fresh samples of the target, when
		// it can be sampled: how well the transfer hit it.
		if truth, err = gen.Draw(f.to, f.evalN, generate.ChunkRand(^f.seed, f.to)); err == nil {
			sum["energy"] = metrics.Energy(head(res.X, f.evalN*d), truth, d)
		}
	}
	if rs.measures() {
		if err := rs.summarize(sum, res.X); err != nil {
			return err
		}
	}
	if f.png != "" {
		if rs.measures() && d != 2 {
			err = rs.draw(f.png, gen, res.X)
		} else {
			err = drawTransfer(f.png, gen, f.from, f.to, res.Start, res.X, truth)
		}
		if err != nil {
			return err
		}
	}
	w := cmd.OutOrStdout()
	if f.asJSON {
		return json.NewEncoder(w).Encode(sum)
	}
	fmt.Fprintf(w, "%d samples of %d (%s) translated to %d (%s), %d velocity evaluations, %.3g s\n",
		n, f.from, gen.Name(f.from), f.to, gen.Name(f.to), res.Stats.NFE, secs)
	if e, ok := sum["energy"]; ok {
		fmt.Fprintf(w, "energy distance to %d fresh samples of %d: %.4g\n", f.evalN, f.to, e)
	}
	rs.writeText(w, sum)
	return nil
}

// drawTransfer pictures a transfer: 2-D source, fresh target and
// translated samples; images: the first ten sources above their
// translations.
func drawTransfer(file string, gen *generate.Generator, from, to int, start, end, truth []float64) error {
	_, d := gen.Sizes()
	if d == 2 {
		const max = 2000
		sets := []viz.Set{{Name: fmt.Sprintf("source: %d %s", from, gen.Name(from)), Points: head(start, 2*max), Color: viz.Palette[0]}}
		if truth != nil {
			sets = append(sets, viz.Set{Name: fmt.Sprintf("fresh target: %d %s", to, gen.Name(to)), Points: head(truth, 2*max), Color: viz.Palette[7]})
		}
		sets = append(sets, viz.Set{Name: fmt.Sprintf("translated %d → %d", from, to), Points: head(end, 2*max), Color: viz.Palette[3]})
		return viz.Scatter2D(file, "", sets...)
	}
	img := gen.Image()
	cols := min(len(end)/d, 10)
	imgs := append(append([]float64(nil), start[:cols*d]...), end[:cols*d]...)
	return viz.ChannelGrid(file, imgs, img.Width, img.Height, img.C(), cols, -1, 1)
}

func head(x []float64, n int) []float64 { return x[:min(len(x), n)] }

// transferSDE sets the stochastic generator of --sde in opts, after
// checking that the route passes through the Gaussian (the only place
// where ε = eps·α_0 is not zero).
func transferSDE(f *transferFlags, via []int, opts *generate.Options) error {
	if !(f.eps >= 0) || math.IsInf(f.eps, 0) {
		return usagef("--eps must be finite and ≥ 0, got %v", f.eps)
	}
	if !f.sde {
		return nil
	}
	if !slices.Contains(via, 0) && f.lift == 0 {
		return usagef("transfer --sde: the noise ε = eps·α_0 is zero between data marginals; route through the Gaussian with --via 0, or off the data edge with --lift A")
	}
	opts.Eps = path.EpsAlpha0(f.eps)
	opts.SDE = path.EulerMaruyama{Steps: f.steps}
	if f.solver == "heun" {
		opts.SDE = path.StochasticHeun{Steps: f.steps}
	}
	return nil
}

func runTransferAll(cmd *cobra.Command, f *transferFlags) error {
	if r := f.restoreFlags; r.truth != "" || r.keep != "" || r.hold || r.lift != 0 || r.copies != 1 {
		return usagef("transfer --all: takes none of --truth, --keep, --hold, --lift, --copies (they restore the rows of --in)")
	}
	if f.fromSet || f.in != "" || f.pathFile != "" || f.out != "" || f.shard != "" {
		return usagef("transfer --all: takes --n, --png, --json, --seed, --via, --sde and the solver flags; not --from, --to, --in, --path, --out or --shard")
	}
	via, err := parseInts("--via", f.via)
	if err != nil {
		return err
	}
	if f.n < 2 {
		return usagef("--n must be at least 2, got %d", f.n)
	}
	gen, opts, err := openModel(f.model, &f.solverFlags)
	if err != nil {
		return err
	}
	if f.heldOut {
		if gen, err = heldOut(gen); err != nil {
			return err
		}
	}
	k1, d := gen.Sizes()
	if err := checkSamplesMemory("transfer --all", (k1-1)*f.n, 2*d); err != nil {
		return err
	}
	if k1 < 3 {
		return usagef("transfer --all: the model has %d data marginal; all-to-all needs at least two", k1-1)
	}
	for k := 1; k < k1; k++ {
		if _, err := gen.Marginal(k); err != nil {
			return usagef("transfer --all: %v", err)
		}
	}
	if err := checkPNG(f.png, f.shape, gen); err != nil {
		return err
	}
	if len(via) > 0 && (len(via) != 1 || via[0] != 0) {
		return usagef("transfer --all: --via takes only 0 (every pair through the Gaussian), got %q", f.via)
	}
	if err := transferSDE(f, via, opts); err != nil {
		return err
	}
	tab, err := styletransfer.AllToAllVia(cmd.Context(), gen, f.n, f.seed, via, opts)
	if err != nil {
		return err
	}
	if f.png != "" {
		if err := tab.WritePNG(f.png, d, gen.Image()); err != nil {
			return err
		}
	}
	w := cmd.OutOrStdout()
	if f.asJSON {
		return json.NewEncoder(w).Encode(tab)
	}
	return tab.WriteText(w)
}

// heldOut returns gen with its data marginals replaced by the test split
// of the labelled image sets they name (mnist:3 → mnist:3:test).
func heldOut(gen *generate.Generator) (*generate.Generator, error) {
	names := gen.Names()
	data := make([]marginals.Marginal, len(names))
	for i, name := range names {
		es, err := datasets.Open(name + ":test")
		if err != nil || len(es) != 1 || es[0].Image == nil {
			return nil, usagef("transfer --held-out: marginal %d (%s) is not a labelled image set with a test split", i+1, name)
		}
		data[i] = es[0].Marginal
	}
	held, err := generate.New(gen.Conditional(), gen.Normalization(), data, names)
	if err != nil {
		return nil, err
	}
	held.SetImage(gen.Image())
	return held, nil
}

// writeFile writes samples to a .csv or .npy file.
func writeFile(file string, x []float64, d int) error {
	if err := samplefile.Write(file, x, d); err != nil {
		return fmt.Errorf("writing samples: %w", err)
	}
	return nil
}

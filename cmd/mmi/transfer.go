package main

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/samplefile"
	"github.com/mmi-go/mmi/styletransfer"
	"github.com/mmi-go/mmi/viz"
)

type transferFlags struct {
	genFlags
	model         string
	from, to      int
	via           string
	pathFile      string
	all           bool
	heldOut       bool
	in            string
	png, shape    string
	asJSON        bool
	evalN         int
	fromSet, nSet bool
	restoreFlags
	rs *restore
}

// transferLong is the help text of mmi transfer.
const transferLong = `Translate samples of data marginal --from into samples of marginal --to by
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
whose spread the summary gives.`

func newTransferCmd() *cobra.Command {
	var f transferFlags
	cmd := &cobra.Command{
		Use:   "transfer",
		Short: "Translate samples or images of one data marginal into another; all-to-all grids",
		Long:  transferLong,
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
	fl.StringVar(&f.in, "in", "", "source samples (.csv or .npy, data coordinates, or a folder of PNG/JPEG images) instead of fresh draws of --from")
	addGenFlags(cmd, &f.genFlags, "number of source samples (per source with --all)",
		"integrate the stochastic generator (Euler–Maruyama, or Heun with --solver heun); needs --via 0 or --lift",
		"write the translated samples (.csv or .npy, or a folder DIR/ of PNG files, one per sample, named as the files of --in DIR)")
	fl.StringVar(&f.png, "png", "", "write a picture (2-D scatter or image grid)")
	addShapeFlag(cmd, &f.shape)
	fl.BoolVar(&f.asJSON, "json", false, "print a JSON summary (with --all: the table)")
	fl.IntVar(&f.evalN, "eval-n", 2000, "fresh target samples for the energy distance in the summary (0: skip)")
	addRestoreFlags(fl, &f.restoreFlags)
	return cmd
}

func runTransfer(cmd *cobra.Command, f *transferFlags) error {
	if err := checkEvalN(f.evalN); err != nil {
		return err
	}
	if f.in != "" && f.nSet {
		return usagef("transfer: give --in or --n, not both")
	}
	if f.from == f.to {
		return usagef("transfer: --from and --to are both %d; they must differ", f.from)
	}
	if err := checkRestoreFlags(f); err != nil {
		return err
	}
	req, err := f.request(cmd, f.png)
	if err != nil {
		return err
	}
	gen, err := loadModel(f.model)
	if err != nil {
		return err
	}
	if req.Path, err = f.route(gen); err != nil {
		return err
	}
	if err := f.start(cmd, req, gen); err != nil {
		return err
	}
	sr, secs, err := checkAndStream(cmd, gen, req)
	if err != nil {
		return err
	}
	return f.report(cmd, gen, sr, secs)
}

// route returns the path of a transfer: the edge from --from to --to,
// through --via, or a saved --path, checked against the model.
func (f *transferFlags) route(gen *generate.Generator) (path.Path, error) {
	via, err := parseInts("--via", f.via)
	if err != nil {
		return nil, err
	}
	k1, _ := gen.Sizes()
	for _, k := range []int{f.from, f.to} {
		if k < 1 || k >= k1 {
			return nil, usagef("transfer: marginal %d is not a data marginal: the model has data marginals 1 … %d (mmi path starts from noise)", k, k1-1)
		}
	}
	var saved path.Path
	if f.pathFile != "" {
		if saved, err = loadPathFile(f.pathFile, k1); err != nil {
			return nil, err
		}
		if err := checkDomain(gen, saved); err != nil {
			return nil, err
		}
	}
	route, err := styletransfer.Route(k1, f.from, f.to, via, saved)
	if err != nil {
		return nil, badInput(err)
	}
	if f.lift > 0 {
		if route, err = liftRoute(k1, f.from, f.to, f.lift); err != nil {
			return nil, err
		}
		via = append(via, 0) // the route leaves the data face
	}
	return route, checkTransferSDE(f.sde, via)
}

// start completes the request with the source rows (--in, or fresh draws
// of --from) and the rows to keep for the summary and the picture.
func (f *transferFlags) start(cmd *cobra.Command, req *generate.Request, gen *generate.Generator) error {
	_, d := gen.Sizes()
	var err error
	var names []string
	f.rs = &restore{f: &f.restoreFlags}
	if f.in != "" {
		if req.In, names, err = readSource(f.in, d, gen.Image()); err != nil {
			return err
		}
		if names != nil && isFolderOut(f.out) && sameFolder(f.in, f.out) {
			return usagef("transfer: --out %s is the folder of --in; write the translations to another folder", f.out)
		}
		if f.rs, req.In, err = newRestore(&f.restoreFlags, gen, req.In); err != nil {
			return err
		}
		if f.hold {
			req.Hold = f.rs.keep
		}
	} else if f.keep != "" {
		return usagef("transfer: --keep goes with --in (the rows whose values are kept)")
	} else if _, err := gen.Marginal(f.from); err != nil {
		return usagef("%v; give source samples with --in", err)
	}
	req.Keep = max(f.evalN, 0)
	if f.png != "" {
		req.Keep = max(req.Keep, pictureRows)
	}
	if f.rs.measures() {
		req.Keep = req.Rows(d)
	}
	if err := checkPNG(f.png, f.shape, gen); err != nil {
		return err
	}
	return f.folderOut(cmd, gen, req, names)
}

// report prints the summary of a transfer: its size and cost, and the
// energy distance of the first --eval-n rows (independent draws, like any
// others) to fresh samples of the target when it can be sampled; and
// draws the picture.
func (f *transferFlags) report(cmd *cobra.Command, gen *generate.Generator, sr *generate.Streamed, secs float64) error {
	_, d := gen.Sizes()
	res, n := sr.Kept, sr.Rows
	sum := map[string]any{"from": f.from, "to": f.to, "n": n, "nfe": res.Stats.NFE, "seconds": secs}
	var truth []float64
	if f.evalN > 0 {
		var err error
		if truth, err = gen.Draw(f.to, f.evalN, generate.ChunkRand(^f.seed, f.to)); err == nil {
			addEnergy(sum, head(res.X, f.evalN*d), truth, d)
		}
	}
	if f.rs.measures() {
		if err := f.rs.summarize(sum, res.X); err != nil {
			return err
		}
	}
	if f.png != "" {
		var err error
		if f.rs.measures() && d != 2 {
			err = f.rs.draw(f.png, gen, res.X)
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
	} else if why, ok := sum["energy_skipped"]; ok {
		fmt.Fprintf(w, "energy distance skipped: %s\n", why)
	}
	f.rs.writeText(w, sum)
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

// checkTransferSDE refuses --sde on a route that does not pass through
// the Gaussian, the only place where ε = eps·α_0 is not zero.
func checkTransferSDE(sde bool, via []int) error {
	if sde && !slices.Contains(via, 0) {
		return usagef("transfer --sde: the noise ε = eps·α_0 is zero between data marginals; route through the Gaussian with --via 0, or off the data edge with --lift A")
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
	req, err := f.request(cmd, f.png)
	if err != nil {
		return err
	}
	opts, _ := req.Options()
	gen, err := f.allModel()
	if err != nil {
		return err
	}
	if len(via) > 0 && (len(via) != 1 || via[0] != 0) {
		return usagef("transfer --all: --via takes only 0 (every pair through the Gaussian), got %q", f.via)
	}
	if err := checkTransferSDE(f.sde, via); err != nil {
		return err
	}
	tab, err := styletransfer.AllToAllVia(cmd.Context(), gen, f.n, f.seed, via, opts)
	if err != nil {
		return err
	}
	_, d := gen.Sizes()
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

// allModel opens the model of transfer --all (with --held-out, on the
// test split of its image sets) and checks that every pair of its data
// marginals can be translated and drawn.
func (f *transferFlags) allModel() (*generate.Generator, error) {
	gen, err := loadModel(f.model)
	if err != nil {
		return nil, err
	}
	if f.heldOut {
		if gen, err = heldOut(gen); err != nil {
			return nil, err
		}
	}
	k1, d := gen.Sizes()
	if err := checkSamplesMemory("transfer --all", (k1-1)*f.n, 2*d); err != nil {
		return nil, err
	}
	if k1 < 3 {
		return nil, usagef("transfer --all: the model has %d data marginal; all-to-all needs at least two", k1-1)
	}
	for k := 1; k < k1; k++ {
		if _, err := gen.Marginal(k); err != nil {
			return nil, usagef("transfer --all: %v", err)
		}
	}
	return gen, checkPNG(f.png, f.shape, gen)
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

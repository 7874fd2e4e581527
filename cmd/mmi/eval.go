package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/samplefile"
)

// evalLong is the help text of mmi eval.
const evalLong = `With --a and --b: energy distance, MMD² and sliced W2 between two sample files.

With --a and --class SET:CLASS (mnist:3, fashion:7, digits:0), or with the
cropN and WxH options of --data (mnist:3:crop20:8x8, measured by a
classifier trained on that view of the set): --a holds images meant as that
class (pixels scaled to [−1, 1] as mmi sample and
mmi path write them; values outside are clipped). A classifier trained by
mmi on the set's training images (on first use, about a minute for 28×28
images, then cached) gives the share read as the class, the histogram of
the classes read, and the Fréchet distance between its penultimate-layer
features of the images and of the set's real test images of the class,
beside the floor: the same distance for as many real training images of
the class (at least 1000 images recommended; the distance falls with n).

With --a and --checkerboard (2-D samples meant as the built-in checkerboard):
the share of the rows on its black squares, a measure of sharpness that an
energy distance barely sees (exact samples 1, a uniform blur over the board
0.5).

With --a and --source FILE (translations, row r of --a made from row r of
FILE, as mmi transfer --in FILE --out A writes them): how much of its source
each output keeps, the mean pixel correlation of each row of --a with its
own source, beside its mean correlation with a source drawn at random among
the others (what any two images of the kind share).

With --model and --spec: the error of a model trained on samples of the
Gaussian-mixture specification --spec against the exact oracle of that
specification, region by region of the simplex (Gaussian–data edges,
data–data edges, 2-faces, interior, near each vertex). The relative error
Σ_k E|ĝ_k − g_k|² / Σ_k E|g_k − E g_k|² is 0 for the truth and 1 for the best
prediction that ignores x; the identity residual rms(Σ_k α_k ĝ_k − x)/rms(x)
is 0 for the truth. The comparison is made in the model's normalized
coordinates, against the oracle of the correspondingly normalized mixtures
under the coupling the model was trained on (mmi train --coupling ot: the
exact optimal-transport coupling, which needs single Gaussians).`

type evalFlags struct {
	a, b        string
	model, spec string
	class       string
	seed        uint64
	points      int
	asJSON      bool
	board       bool
	truth, base string
	copies      int
	source      string
	misread     string
}

func newEvalCmd() *cobra.Command {
	var f evalFlags
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Distances between two sample sets, or a model's error against the exact oracle",
		Long:  evalLong,
		Example: `  mmi eval --a generated.csv --b truth.csv --json
  mmi eval --a threes.npy --class mnist:3
  mmi eval --a translated.npy --source twos.npy
  mmi train --data examples/mix3.json --out mix3.mmi
  mmi eval --model mix3.mmi --spec examples/mix3.json`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runEval(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.a, "a", "", "first sample file (.csv or .npy)")
	fl.StringVar(&f.b, "b", "", "second sample file (.csv or .npy)")
	fl.StringVar(&f.model, "model", "", "checkpoint to measure against the exact oracle of --spec (a .json specification is its own oracle)")
	fl.StringVar(&f.spec, "spec", "", "Gaussian-mixture specification (.json) the model was trained on")
	fl.StringVar(&f.class, "class", "", "with --a: the class SET:CLASS[:OPTION…] the images of --a are meant as (mnist:3, fashion:7, digits:0, mnist:3:crop20:8x8)")
	fl.StringVar(&f.truth, "truth", "", "with --a (restorations, row-aligned with these; a file, or a view such as mnist:all:test:low7 to measure plain upsampling): the true rows, a view such as mnist:all:test:first1000 or a file: PSNR, and for a view of a labelled set the share read as the true class and the Fréchet distance to the floor")
	fl.StringVar(&f.base, "baseline", "", "with --truth: the inputs of the restorations (mnist:all:test:low7:first1000, say), whose PSNR is the baseline")
	fl.IntVar(&f.copies, "copies", 1, "with --truth: --a holds this many consecutive restorations of each truth row (mmi transfer --copies)")
	fl.StringVar(&f.source, "source", "", "with --a (translations, row-aligned with these): the source rows (.csv or .npy); prints the mean correlation of each output with its own source and with a random other one")
	fl.StringVar(&f.misread, "misread", "", "with --class: write the images not read as the class to this PNG grid, in their order (what to look at when the share falls short)")
	fl.BoolVar(&f.board, "checkerboard", false, "with --a (2-D): the share of the rows on the black squares of the built-in checkerboard")
	fl.IntVar(&f.points, "n", 2000, "with --model: points x ~ ρ(α) per α")
	fl.Uint64Var(&f.seed, "seed", 1, "random seed (directions of sliced W2; points of the oracle report; training images of the --class floor; the other sources of --source)")
	fl.BoolVar(&f.asJSON, "json", false, "print JSON: {\"energy\": …, \"mmd\": …, \"sliced_w2\": …}, or the oracle report")
	return cmd
}

// runEval runs the evaluation the flags ask for.
func runEval(cmd *cobra.Command, f *evalFlags) error {
	switch {
	case f.truth != "" || f.base != "":
		if f.b != "" || f.model != "" || f.spec != "" || f.class != "" || f.board || f.a == "" || f.truth == "" {
			return usagef("eval: --truth measures the restorations of --a; give --a and --truth (and --baseline), no --b, --model, --spec, --class or --checkerboard")
		}
		return evalRestored(cmd, f.a, f.truth, f.base, f.copies, f.seed, f.asJSON)
	case f.source != "":
		if f.b != "" || f.model != "" || f.spec != "" || f.class != "" || f.board || f.a == "" {
			return usagef("eval: --source measures the translations of --a; give --a and no --b, --model, --spec, --class or --checkerboard")
		}
		return evalSource(cmd, f.a, f.source, f.seed, f.asJSON)
	case f.board:
		if f.b != "" || f.model != "" || f.spec != "" || f.class != "" || f.a == "" {
			return usagef("eval: --checkerboard measures the samples of --a; give --a and no --b, --model, --spec or --class")
		}
		return evalCheckerboard(cmd, f.a, f.asJSON)
	case f.class != "":
		if f.b != "" || f.model != "" || f.spec != "" || f.a == "" {
			return usagef("eval: --class measures the images of --a; give --a and no --b, --model or --spec")
		}
		return evalImages(cmd, f.a, f.class, f.misread, f.seed, f.asJSON)
	case f.misread != "":
		return usagef("eval: --misread draws the images of --a that --class does not read as the class; give --a and --class")
	case f.model != "" || f.spec != "":
		if f.a != "" || f.b != "" {
			return usagef("eval: give either --a and --b, or --model and --spec")
		}
		if f.model == "" || f.spec == "" {
			return usagef("eval: --model and --spec are both required for the oracle report")
		}
		return evalOracle(cmd, f.model, f.spec, f.points, f.seed, f.asJSON)
	case f.a == "" || f.b == "":
		return usagef("eval: --a and --b are both required (or --model and --spec)")
	}
	return evalFiles(cmd, f)
}

// evalFiles prints the distances between the sample files --a and --b.
func evalFiles(cmd *cobra.Command, f *evalFlags) error {
	xa, da, err := samplefile.Read(f.a)
	if err != nil {
		return badInput(err)
	}
	xb, db, err := samplefile.Read(f.b)
	if err != nil {
		return badInput(err)
	}
	if da != db {
		return usagef("eval: %s has dimension %d but %s has %d", f.a, da, f.b, db)
	}
	rep, err := metrics.Compare(xa, xb, da, rand.New(rand.NewPCG(f.seed, 0)))
	if err != nil {
		return badInput(err)
	}
	w := cmd.OutOrStdout()
	if f.asJSON {
		return json.NewEncoder(w).Encode(rep)
	}
	fmt.Fprintf(w, "energy distance  %.6g\n", rep.Energy)
	fmt.Fprintf(w, "MMD²             %.6g\n", rep.MMD)
	fmt.Fprintf(w, "sliced W2        %.6g\n", rep.SlicedW2)
	return nil
}

// evalOracle prints the report of gk.CompareOracle for the model file
// (opened as every command opens --model, generate.Load) against the
// specification spec, in the model's coordinates.
func evalOracle(cmd *cobra.Command, file, spec string, points int, seed uint64, asJSON bool) error {
	if points < 2 {
		return usagef("eval: --n must be at least 2, got %d", points)
	}
	mix, err := datasets.ReadSpec(spec)
	if err != nil {
		return badInput(err)
	}
	gen, err := loadModel(file)
	if err != nil {
		return err
	}
	g, norm, coupling := gen.Conditional(), gen.Normalization(), gen.CouplingSpec()
	k1, d := g.Sizes()
	if err := checkSamplesMemory("eval --n", points, 2*k1*d); err != nil {
		return err
	}
	if len(mix)+1 != k1 || mix[0].Dim() != d {
		return usagef("eval: %s has %d data marginals of dimension %d, but %s has %d of dimension %d",
			file, k1-1, d, spec, len(mix), mix[0].Dim())
	}
	nmix, err := gk.NormalizeMixtures(mix, norm)
	if err != nil {
		return badInput(err)
	}
	// The truth is the oracle of the coupling the model was trained on.
	o, err := gk.NewExact(nmix, coupling)
	if err != nil {
		return badInput(fmt.Errorf("%s under the model's %s coupling: %w", spec, coupling, err))
	}
	rep, err := gk.CompareOracle(g, o, gk.ReportSettings{Points: points, Seed: seed})
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if asJSON {
		return json.NewEncoder(w).Encode(rep)
	}
	fmt.Fprintf(w, "relative error E|ĝ−g|²/E|g−Eg|² of %s against the oracle of %s\n", file, spec)
	fmt.Fprintf(w, "%-18s %6s %9s %9s %9s  %s\n", "region", "alphas", "mean", "worst α", "identity", "mean by head 0 … K")
	for _, r := range rep.Regions {
		fmt.Fprintf(w, "%-18s %6d %9.4f %9.4f %9.4f ", r.Name(), r.Alphas, r.RelErr, r.MaxRelErr, r.Identity)
		for _, h := range r.Heads {
			fmt.Fprintf(w, " %.4f", h)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "worst region %.4f; identity residual rms(Σα_k ĝ_k − x)/rms(x) %.4f\n", rep.Worst, rep.Identity)
	return nil
}

// evalCheckerboard prints the share of the rows of file on the black
// squares of the checkerboard (datasets.CheckerboardShare).
func evalCheckerboard(cmd *cobra.Command, file string, asJSON bool) error {
	x, d, err := samplefile.Read(file)
	if err != nil {
		return badInput(err)
	}
	if d != 2 {
		return usagef("eval --checkerboard: %s has dimension %d, the checkerboard 2", file, d)
	}
	share := datasets.CheckerboardShare(x)
	w := cmd.OutOrStdout()
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"checkerboard_share": share, "n": len(x) / 2})
	}
	fmt.Fprintf(w, "share on the checkerboard's squares %.4f (%d rows; exact samples 1, a uniform blur 0.5)\n", share, len(x)/2)
	return nil
}

// evalSource prints how much of its source each row of the translations
// in file keeps (metrics.SourceCorrelation against the rows of source).
func evalSource(cmd *cobra.Command, file, source string, seed uint64, asJSON bool) error {
	x, d, err := samplefile.Read(file)
	if err != nil {
		return badInput(err)
	}
	s, ds, err := samplefile.Read(source)
	if err != nil {
		return badInput(err)
	}
	if d != ds || len(x) != len(s) {
		return usagef("eval --source: %s has %d rows of %d values but %s has %d of %d; the rows must match one to one",
			file, len(x)/d, d, source, len(s)/ds, ds)
	}
	tie, err := metrics.SourceCorrelation(x, s, d, rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		return badInput(err)
	}
	w := cmd.OutOrStdout()
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"own": tie.Own, "own_se": tie.OwnSE, "other": tie.Other, "other_se": tie.OtherSE, "n": tie.N})
	}
	fmt.Fprintf(w, "mean correlation with its own source %.4f ± %.4f, with a random other source %.4f ± %.4f (%d rows; ± one standard error)\n",
		tie.Own, tie.OwnSE, tie.Other, tie.OtherSE, tie.N)
	return nil
}

package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/internal/atomicfile"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/suite"
	"github.com/mmi-go/mmi/viz"
)

type suiteFlags struct {
	seed             uint64
	n                int
	out              string
	opt              suite.Options
	run, report      string
	only, tag, train string
	points, evalN    int
	asJSON           bool
	png              string
}

func newSuiteCmd() *cobra.Command {
	var f suiteFlags
	cmd := &cobra.Command{
		Use:   "suite",
		Short: "Seeded test problems (Gaussian-mixture specifications); train and score the defaults on them",
		Long: `With --out DIR: write problems 0 … n−1 of the suite of --seed as
Gaussian-mixture specifications DIR/pNN-dD-kK.json (single anisotropic
Gaussians, many tight modes, thin elongated modes, mixed modes; marginals of
different scales and locations; K and d uniform in their ranges). Problem i
of a seed does not depend on --n.

With --run DIR: for every specification of DIR (or those of --only), train a
model exactly as mmi train --data SPEC does (plus the flags of --train;
an existing model is resumed, so an interrupted run continues), then score
it: the relative error against the exact oracle region by region (as mmi
eval --model --spec), the identity residual, and the energy distance of
every transfer i → j along the straight edge against that of noise → j
(both to fresh samples of j, in the model's normalized units). Models and
scores are written beside the specifications (NAME[.TAG].mmi,
NAME[.TAG].score.json); an existing score is kept. Then the report of --report.

With --report DIR: print the scores of DIR (of --tag) per problem and the
suite's worst case. Targets: every region ≤ 0.02, every transfer within 2× of
noise → j (or ≤ 0.005).`,
		Example: `  mmi suite --seed 1 --n 24 --max-dim 5 --max-k 4 --out suite1
  mmi suite --run suite1 --only p03,p07
  mmi suite --run suite1 --tag lr8 --train "--lr 8e-3 --steps 20000"
  mmi suite --report suite1 --json
  mmi suite --report suite1 --tag ,lr8 --png suite1.png   # the defaults and lr8 side by side`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSuite(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the suite (with --out); of the score's draws (with --run)")
	fl.IntVar(&f.n, "n", 20, "number of problems (with --out)")
	fl.StringVar(&f.out, "out", "", "write the problems' specifications into this folder (created if needed)")
	fl.IntVar(&f.opt.MinDim, "min-dim", 2, "smallest dimension")
	fl.IntVar(&f.opt.MaxDim, "max-dim", 10, "largest dimension")
	fl.IntVar(&f.opt.MinK, "min-k", 2, "fewest data marginals")
	fl.IntVar(&f.opt.MaxK, "max-k", 5, "most data marginals")
	fl.Float64Var(&f.opt.MaxScaleRatio, "scale-ratio", 6, "largest ratio of two marginals' scales in a problem")
	fl.StringVar(&f.run, "run", "", "train and score every specification of this folder")
	fl.StringVar(&f.report, "report", "", "print the scores of this folder")
	fl.StringVar(&f.only, "only", "", "with --run/--report: only these problems (comma-separated names or prefixes: p03,p07)")
	fl.StringVar(&f.tag, "tag", "", "with --run/--report: name of a variant (models and scores NAME.TAG.*); with --report, several comma-separated (\"\" or a leading comma: the defaults)")
	fl.StringVar(&f.png, "png", "", "with --report or --run: draw each tag's worst region per problem into this PNG")
	fl.StringVar(&f.train, "train", "", "with --run: extra flags of mmi train, one string (\"--steps 20000 --lr 8e-3\")")
	fl.IntVar(&f.points, "points", 2000, "with --run: points x ~ ρ(α) per α of the oracle report")
	fl.IntVar(&f.evalN, "eval-n", 2000, "with --run: samples per transfer and fresh target samples")
	fl.BoolVar(&f.asJSON, "json", false, "print the report as JSON: {\"problems\": [...], \"summary\": {...}}")
	return cmd
}

func runSuite(cmd *cobra.Command, f *suiteFlags) error {
	modes := 0
	for _, s := range []string{f.out, f.run, f.report} {
		if s != "" {
			modes++
		}
	}
	if modes != 1 {
		return usagef("suite: give one of --out DIR (write problems), --run DIR (train and score) or --report DIR")
	}
	switch {
	case f.out != "":
		if f.png != "" {
			return usagef("suite: --png draws scores, with --run or --report; --out only writes problems")
		}
		return writeSuite(cmd.OutOrStdout(), f)
	case f.run != "":
		if f.points < 2 || f.evalN < 2 {
			return usagef("suite: --points and --eval-n must be at least 2")
		}
		if err := runSuiteDir(cmd, f); err != nil {
			return err
		}
		return reportSuite(cmd.OutOrStdout(), f.run, f)
	}
	return reportSuite(cmd.OutOrStdout(), f.report, f)
}

// writeSuite writes the specifications; an existing file is left alone
// when it holds the same bytes and refused otherwise.
func writeSuite(w io.Writer, f *suiteFlags) error {
	if f.n < 1 {
		return usagef("suite: --n must be positive, got %d", f.n)
	}
	probs, err := suite.Generate(f.seed, f.n, f.opt)
	if err != nil {
		return badInput(err)
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return badInput(err)
	}
	// Check every file before writing any: a folder holds one suite.
	specs := make([][]byte, len(probs))
	for i, p := range probs {
		file := filepath.Join(f.out, p.Name+".json")
		tmp := filepath.Join(f.out, "."+p.Name+".json.new")
		if err := datasets.WriteSpec(tmp, p.Marginals); err != nil {
			return err
		}
		data, err := os.ReadFile(tmp)
		os.Remove(tmp)
		if err != nil {
			return err
		}
		specs[i] = data
		same, _ := filepath.Glob(filepath.Join(f.out, fmt.Sprintf("p%02d-*.json", p.Index)))
		for _, other := range same {
			if base := filepath.Base(other); strings.Count(base, ".") == 1 && other != file {
				return usagef("suite: %s holds %s of another suite; choose another --out", f.out, base)
			}
		}
		if old, err := os.ReadFile(file); err == nil && !bytes.Equal(old, data) {
			return usagef("suite: %s exists with other contents; choose another --out", file)
		}
	}
	for i, p := range probs {
		file := filepath.Join(f.out, p.Name+".json")
		if err := atomicfile.WriteBytes(file, specs[i]); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s  %s\n", file, p.Describe())
	}
	return nil
}

// suiteSpecs lists the specifications of dir selected by only.
func suiteSpecs(dir, only string) ([]string, error) {
	all, err := filepath.Glob(filepath.Join(dir, "p*.json"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, file := range all {
		base := filepath.Base(file)
		if strings.HasSuffix(base, ".score.json") || strings.Count(base, ".") != 1 {
			continue
		}
		if only == "" || selected(base, only) {
			out = append(out, file)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil, usagef("suite: no problems in %s (of --only %q); write them with mmi suite --out %s", dir, only, dir)
	}
	return out, nil
}

func selected(name, only string) bool {
	for _, p := range strings.Split(only, ",") {
		if p = strings.TrimSpace(p); p != "" && strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// problemName is the problem's name, its specification's file name
// without .json ("p03-d4-k4").
func problemName(spec string) string {
	return strings.TrimSuffix(filepath.Base(spec), ".json")
}

// variant is NAME or NAME.TAG for the spec file.
func variant(spec, tag string) string {
	v := strings.TrimSuffix(spec, ".json")
	if tag != "" {
		v += "." + tag
	}
	return v
}

func runSuiteDir(cmd *cobra.Command, f *suiteFlags) error {
	if strings.ContainsAny(f.tag, "./\\ ,") {
		return usagef("suite: --tag %q: use letters, digits, - and _", f.tag)
	}
	specs, err := suiteSpecs(f.run, f.only)
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	for _, spec := range specs {
		base := variant(spec, f.tag)
		model, scoreFile := base+".mmi", base+".score.json"
		args := []string{"train", "--data", spec, "--out", model}
		if _, err := os.Stat(model); err == nil {
			args = []string{"train", "--resume", model}
		}
		if f.train != "" {
			args = append(args, strings.Fields(f.train)...)
		}
		fmt.Fprintf(stderr, "suite: mmi %s\n", strings.Join(args, " "))
		if code := run(args, stderr, stderr); code != exitOK {
			return fmt.Errorf("suite: training %s failed (exit %d)", model, code)
		}
		if _, err := os.Stat(scoreFile); err == nil {
			continue
		}
		res, err := scoreSuiteModel(cmd, spec, model, f)
		if err != nil {
			return err
		}
		data, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.WriteBytes(scoreFile, append(data, '\n')); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "suite: %s: worst region %.4f (%s), worst transfer %d → %d ratio %.2f\n",
			filepath.Base(base), res.Report.Worst, res.WorstRegion, res.WorstTransfer.From, res.WorstTransfer.To, res.WorstTransfer.Ratio)
	}
	return nil
}

// scoreSuiteModel scores the checkpoint model on the problem spec.
func scoreSuiteModel(cmd *cobra.Command, spec, model string, f *suiteFlags) (*suite.Result, error) {
	mix, err := datasets.ReadSpec(spec)
	if err != nil {
		return nil, badInput(err)
	}
	m, err := gk.Load(model)
	if err != nil {
		return nil, badInput(err)
	}
	data := make([]marginals.Marginal, len(mix))
	for i, x := range mix {
		data[i] = x
	}
	gen, err := generate.New(m, m.Normalization(), data, nil)
	if err != nil {
		return nil, badInput(err)
	}
	return suite.Score(cmd.Context(), problemName(spec), gen, mix, suite.Settings{Points: f.points, N: f.evalN, Seed: f.seed})
}

// reportSuite prints the scores of dir for each tag of f.tag (comma-
// separated; "" is the defaults) and of f.only, and with f.png draws every
// tag's worst region per problem into one picture.
func reportSuite(w io.Writer, dir string, f *suiteFlags) error {
	tags := strings.Split(f.tag, ",")
	if len(tags) > 1 && f.asJSON {
		return usagef("suite: --json reports one --tag at a time, got %q", f.tag)
	}
	specs, err := suiteSpecs(dir, f.only)
	if err != nil {
		return err
	}
	series := make([]viz.ScoreSeries, len(tags))
	for k, tag := range tags {
		results, worst, err := suiteScores(specs, tag)
		if err != nil {
			return err
		}
		if len(results) == 0 {
			return usagef("suite: no scores in %s for tag %q; run mmi suite --run %s first", dir, tag, dir)
		}
		if k > 0 {
			fmt.Fprintln(w)
		}
		if len(tags) > 1 {
			fmt.Fprintf(w, "tag %q:\n", tag)
		}
		if err := printSuite(w, results, f.asJSON); err != nil {
			return err
		}
		series[k] = viz.ScoreSeries{Title: cmp.Or(tag, "defaults"), Values: worst}
	}
	if f.png == "" {
		return nil
	}
	names := make([]string, len(specs))
	for i, spec := range specs {
		names[i] = problemName(spec)
	}
	if err := viz.Scores(f.png, "worst region per problem (relative error against the oracle)", "relative error", names, suite.MaxRelErr, series...); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s\n", f.png)
	return nil
}

// suiteScores reads the scores of tag for specs, and each spec's worst
// region (NaN where it has no score).
func suiteScores(specs []string, tag string) ([]*suite.Result, []float64, error) {
	var results []*suite.Result
	worst := make([]float64, len(specs))
	for i, spec := range specs {
		worst[i] = math.NaN()
		file := variant(spec, tag) + ".score.json"
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		var r suite.Result
		if err := json.Unmarshal(data, &r); err != nil || r.Report == nil {
			return nil, nil, badInput(fmt.Errorf("suite: %s: not a score file", file))
		}
		results = append(results, &r)
		worst[i] = r.Report.Worst
	}
	return results, worst, nil
}

// printSuite prints one tag's scores, per problem and the worst case.
func printSuite(w io.Writer, results []*suite.Result, asJSON bool) error {
	sum, err := suite.Summarize(results)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"problems": results, "summary": sum})
	}
	fmt.Fprintf(w, "%-12s %8s %-18s %8s %10s %8s %s\n", "problem", "worst", "region", "identity", "transfer", "ratio", "pass")
	for _, r := range results {
		t := r.WorstTransfer
		fmt.Fprintf(w, "%-12s %8.4f %-18s %8.4f %10s %8.2f %v\n", r.Name, r.Report.Worst, r.WorstRegion, r.Report.Identity,
			fmt.Sprintf("%d → %d", t.From, t.To), t.Ratio, r.Pass)
		var all []string
		for _, t := range r.Transfers {
			if t.From > 0 {
				all = append(all, fmt.Sprintf("%d→%d %.2f", t.From, t.To, t.Ratio))
			}
		}
		fmt.Fprintf(w, "%12s ratios to noise → j: %s\n", "", strings.Join(all, ", "))
	}
	fmt.Fprintf(w, "worst region %.4f (%s, %s); largest identity residual %.4f; worst transfer %s %d → %d: ratio %.2f to noise → %d (energy %.4f)\n",
		sum.WorstRegion, sum.WorstRegionProblem, sum.WorstRegionName, sum.Identity,
		sum.WorstTransferProblem, sum.WorstTransfer.From, sum.WorstTransfer.To, sum.WorstTransfer.Ratio, sum.WorstTransfer.To, sum.WorstTransfer.Energy)
	fmt.Fprintf(w, "%d of %d problems meet both targets (regions ≤ %.2f: %d; transfers ≤ %g× noise → j or ≤ %g: %d)\n",
		sum.Passed, sum.Problems, suite.MaxRelErr, sum.RegionsMet, float64(suite.MaxRatio), suite.EnergyFloor, sum.TransfersMet)
	return nil
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mmi-go/mmi/classify"
	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/samplefile"
	"github.com/mmi-go/mmi/viz"
)

// restoreFlags are the flags of mmi transfer for restorations of paired
// data (super-resolution, in-painting): docs/paired.md.
type restoreFlags struct {
	truth  string
	keep   string
	hold   bool
	lift   float64
	copies int
}

func addRestoreFlags(fl *pflag.FlagSet, f *restoreFlags) {
	fl.StringVar(&f.truth, "truth", "", "the true rows the --in rows were made from (a view such as mnist:all:test:first1000, or a .csv/.npy file), row-aligned: the summary adds the PSNR of input and output against them, and --png a row of them")
	fl.StringVar(&f.keep, "keep", "", "the values a restoration keeps: an image half upper|lower|left|right, or a .csv/.npy file of one row, nonzero where kept; the summary adds their mean and largest change")
	fl.BoolVar(&f.hold, "hold", false, "with --keep: hold the kept values exactly (the solver pins them; path.Hold)")
	fl.Float64Var(&f.lift, "lift", 0, "leave the data edge: route --from → A·e_0 + (1−A)/2·(e_from + e_to) → --to with A the value given (0 < A < 1), so that --sde adds noise on the way")
	fl.IntVar(&f.copies, "copies", 1, "restorations of each --in row (each row repeated, consecutive in the output); with --sde they differ: the summary adds their spread")
}

// restore holds what the restoration flags need during a transfer.
type restore struct {
	f     *restoreFlags
	d     int
	in    []float64 // the input rows before the copies
	truth []float64
	keep  []bool
}

// measures reports whether the run must keep every row for a measure.
func (r *restore) measures() bool {
	return r.truth != nil || r.keep != nil || r.f.copies > 1
}

// checkRestoreFlags refuses restoration flags that do not go together
// with the rest of mmi transfer's.
func checkRestoreFlags(f *transferFlags) error {
	r := &f.restoreFlags
	if r.lift != 0 && (!(r.lift > 0 && r.lift < 1) || f.via != "" || f.pathFile != "") {
		return usagef("transfer: --lift takes a value in (0, 1) and no --via or --path, got %v", r.lift)
	}
	if r.copies < 1 {
		return usagef("transfer: --copies must be at least 1, got %d", r.copies)
	}
	if (r.truth != "" || r.copies > 1) && f.in == "" {
		return usagef("transfer: --truth and --copies go with --in (the rows to restore)")
	}
	if r.hold && r.keep == "" {
		return usagef("transfer: --hold holds the values --keep names; give --keep")
	}
	if f.shard != "" && (r.truth != "" || r.copies > 1 || (r.keep != "" && !r.hold)) {
		return usagef("transfer: the measures of --truth, --keep and --copies need the whole run, not a --shard")
	}
	return nil
}

// liftRoute is the route of --lift A from marginal i to j.
func liftRoute(k1, i, j int, a float64) (path.Path, error) {
	from, mid, to := make([]float64, k1), make([]float64, k1), make([]float64, k1)
	from[i], to[j] = 1, 1
	mid[0], mid[i], mid[j] = a, (1-a)/2, (1-a)/2
	p, err := path.Polyline(from, mid, to)
	return p, badInput(err)
}

// readRows reads the rows of spec in order: a .csv or .npy file, a folder
// of images, or one element of a --data list that has rows (a view of a
// labelled set: mnist:all:test:low7:first1000), whose labels it returns
// too.
func readInputRows(spec string, d int) ([]float64, []int, error) {
	if st, err := os.Stat(spec); err == nil && st.IsDir() || isSampleFile(spec) {
		x, _, err := readInput(spec, d, nil)
		return x, nil, err
	}
	es, err := datasets.Open(spec)
	if err != nil {
		return nil, nil, badInput(err)
	}
	if len(es) != 1 || es[0].Source == "" {
		return nil, nil, usagef("%s: want a file of rows or a view of a labelled set (mnist:all:test:low7, say)", spec)
	}
	e := es[0]
	n, _ := e.Rows()
	if e.Marginal.Dim() != d {
		return nil, nil, usagef("%s has dimension %d, the model has %d", spec, e.Marginal.Dim(), d)
	}
	type rower interface{ Row(int) []float64 }
	x := make([]float64, 0, n*d)
	for i := range n {
		x = append(x, e.Marginal.(rower).Row(i)...)
	}
	return x, e.Labels, nil
}

// readSource reads mmi transfer --in: the rows of a sample file, of a
// folder of images (with its file names, read at the model's image size
// img) or of a view of a labelled set.
func readSource(spec string, d int, img *datasets.ImageShape) ([]float64, []string, error) {
	if st, err := os.Stat(spec); err == nil && st.IsDir() || isSampleFile(spec) {
		return readInput(spec, d, img)
	}
	x, _, err := readInputRows(spec, d)
	return x, nil, err
}

func isSampleFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".npy":
		return true
	}
	return false
}

// newRestore reads --truth and --keep for the input rows in and returns
// the input repeated for --copies.
func newRestore(f *restoreFlags, gen *generate.Generator, in []float64) (*restore, []float64, error) {
	_, d := gen.Sizes()
	r := &restore{f: f, d: d, in: in}
	var err error
	if f.truth != "" {
		if r.truth, _, err = readInputRows(f.truth, d); err != nil {
			return nil, nil, err
		}
		if len(r.truth) != len(in) {
			return nil, nil, usagef("transfer: --truth %s has %d rows, --in %d; they must be row-aligned", f.truth, len(r.truth)/d, len(in)/d)
		}
	}
	if f.keep != "" {
		if r.keep, err = keepMask(f.keep, gen); err != nil {
			return nil, nil, err
		}
	}
	return r, repeatRows(in, d, f.copies), nil
}

// repeatRows returns each row of x (rows of d) m times in a row.
func repeatRows(x []float64, d, m int) []float64 {
	if m == 1 {
		return x
	}
	out := make([]float64, 0, len(x)*m)
	for i := 0; i < len(x); i += d {
		for range m {
			out = append(out, x[i:i+d]...)
		}
	}
	return out
}

// repeatLabels is repeatRows for labels.
func repeatLabels(l []int, m int) []int {
	if m == 1 || l == nil {
		return l
	}
	out := make([]int, 0, len(l)*m)
	for _, v := range l {
		for range m {
			out = append(out, v)
		}
	}
	return out
}

// keepMask reads --keep: a half of the model's images, or a file of one
// row, nonzero where kept.
func keepMask(spec string, gen *generate.Generator) ([]bool, error) {
	_, d := gen.Sizes()
	if isSampleFile(spec) {
		x, dm, err := samplefile.Read(spec)
		if err != nil {
			return nil, badInput(err)
		}
		if dm != d || len(x) != d {
			return nil, usagef("--keep %s: want one row of %d values, have %d rows of %d", spec, d, len(x)/max(dm, 1), dm)
		}
		m := make([]bool, d)
		for i, v := range x {
			m[i] = v != 0
		}
		return m, nil
	}
	reg, err := datasets.ParseRegion(spec)
	if err != nil {
		return nil, usagef("--keep: %v, or a .csv/.npy file of one row", err)
	}
	img := gen.Image()
	if img == nil {
		return nil, usagef("--keep %s: the model's samples are not images; give a file of one row", spec)
	}
	m, err := reg.Pixels(*img)
	return m, badInput(err)
}

// summarize adds the measures to sum: PSNR of input and output against
// the truth, the change of the kept values, the spread of the copies.
// out holds every output row (the copies of input row i consecutive).
func (r *restore) summarize(sum map[string]any, out []float64) error {
	m, d := r.f.copies, r.d
	// first is each input's first restoration, compared with the truth.
	first := out
	if m > 1 {
		first = make([]float64, 0, len(r.in))
		for i := 0; i < len(out); i += m * d {
			first = append(first, out[i:i+d]...)
		}
		s, err := metrics.Spread(out, m, d)
		if err != nil {
			return err
		}
		sum["spread"] = s
	}
	if r.truth != nil {
		pin, err := metrics.MeanPSNR(r.in, r.truth, d, 2)
		if err != nil {
			return err
		}
		pout, err := metrics.MeanPSNR(first, r.truth, d, 2)
		if err != nil {
			return err
		}
		sum["psnr_input"], sum["psnr"] = pin, pout
	}
	if r.keep != nil {
		mean, largest, err := metrics.Change(first, r.in, r.keep)
		if err != nil {
			return err
		}
		sum["kept_mean_change"], sum["kept_max_change"] = mean, largest
	}
	return nil
}

// writeText prints the measures of summarize.
func (r *restore) writeText(w io.Writer, sum map[string]any) {
	if v, ok := sum["psnr"]; ok {
		fmt.Fprintf(w, "PSNR against --truth: output %.2f dB, input %.2f dB (pixels in [−1, 1], peak 2)\n", v, sum["psnr_input"])
	}
	if v, ok := sum["kept_mean_change"]; ok {
		held := ""
		if r.f.hold {
			held = ", held"
		}
		fmt.Fprintf(w, "kept values (%s%s): mean change %.3g, largest %.3g\n", r.f.keep, held, v, sum["kept_max_change"])
	}
	if v, ok := sum["spread"]; ok {
		fmt.Fprintf(w, "spread of the %d copies: %.4g (standard deviation across copies, mean over values)\n", r.f.copies, v)
	}
}

// draw writes the picture of a restoration: a column per input (the first
// ten), rows input, the output(s) and, with --truth, the truth.
func (r *restore) draw(file string, gen *generate.Generator, out []float64) error {
	img := gen.Image()
	if img == nil {
		return usagef("transfer --png: the rows of a restoration are drawn as images; give --shape")
	}
	d, m := r.d, r.f.copies
	cols := min(len(r.in)/d, 10)
	imgs := append([]float64(nil), r.in[:cols*d]...)
	for c := range m {
		for i := range cols {
			imgs = append(imgs, out[(i*m+c)*d:(i*m+c+1)*d]...)
		}
	}
	if r.truth != nil {
		imgs = append(imgs, r.truth[:cols*d]...)
	}
	return viz.ChannelGrid(file, imgs, img.Width, img.Height, img.C(), cols, -1, 1)
}

// evalRestored prints the measures of restorations in file against the
// row-aligned truth: PSNR (and the baseline's), and for a view of a
// labelled set at its own size the classifier's agreement with the true
// labels and the Fréchet distance to the set's test images beside its
// floor.
func evalRestored(cmd *cobra.Command, file, truth, base string, copies int, seed uint64, asJSON bool) error {
	if copies < 1 {
		return usagef("eval: --copies must be at least 1, got %d", copies)
	}
	x, d, err := readRestored(file)
	if err != nil {
		return err
	}
	y, labels, err := readInputRows(truth, d)
	if err != nil {
		return err
	}
	if len(y)*copies != len(x) {
		return usagef("eval: --truth %s has %d rows, --a %s %d; they must be row-aligned (%d copies of each)", truth, len(y)/d, file, len(x)/d, copies)
	}
	y, labels = repeatRows(y, d, copies), repeatLabels(labels, copies)
	sum := map[string]any{"n": len(x) / d}
	if sum["psnr"], err = metrics.MeanPSNR(x, y, d, 2); err != nil {
		return badInput(err)
	}
	if base != "" {
		b, _, err := readInputRows(base, d)
		if err != nil {
			return err
		}
		if len(b)*copies != len(x) {
			return usagef("eval: --baseline %s has %d rows, --a %d (%d copies of each)", base, len(b)/d, len(x)/d, copies)
		}
		if sum["psnr_baseline"], err = metrics.MeanPSNR(repeatRows(b, d, copies), y, d, 2); err != nil {
			return badInput(err)
		}
	}
	var rep *classify.LabelledReport
	if labels != nil {
		if rep, err = readClasses(cmd, truth, x, d, labels, seed); err != nil {
			return err
		}
		sum["classes"] = rep
	}
	if asJSON {
		return json.NewEncoder(cmd.OutOrStdout()).Encode(sum)
	}
	printRestored(cmd, file, truth, base, sum, rep)
	return nil
}

// readRestored reads the restorations of mmi eval --a: a sample file, or
// a view (plain upsampling's own measures, --a mnist:all:test:low7).
func readRestored(file string) ([]float64, int, error) {
	if isSampleFile(file) {
		x, d, err := samplefile.Read(file)
		return x, d, badInput(err)
	}
	es, err := datasets.Open(file)
	if err != nil {
		return nil, 0, badInput(err)
	}
	d := es[0].Marginal.Dim()
	x, _, err := readInputRows(file, d)
	return x, d, err
}

// readClasses has the classifier of the labelled set of the view truth
// read the restorations x, meant as labels.
func readClasses(cmd *cobra.Command, truth string, x []float64, d int, labels []int, seed uint64) (*classify.LabelledReport, error) {
	set, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(truth)), ":")
	if s, err := datasets.ViewShape(set); err != nil || s.Dim() != d {
		return nil, usagef("eval: --truth %s: the classifier of %s reads its images at their own size; the labels of a resized view cannot be checked", truth, set)
	}
	c, err := classify.Load(cmd.Context(), set, &classify.Options{Log: cmd.ErrOrStderr()})
	if err != nil {
		return nil, err
	}
	rep, err := c.EvaluateLabelled(x, labels, seed)
	return rep, badInput(err)
}

// printRestored prints the measures of evalRestored as text.
func printRestored(cmd *cobra.Command, file, truth, base string, sum map[string]any, rep *classify.LabelledReport) {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "%d restorations in %s against %s\n", sum["n"], file, truth)
	fmt.Fprintf(w, "PSNR               %.2f dB  (pixels in [−1, 1], peak 2)\n", sum["psnr"])
	if v, ok := sum["psnr_baseline"]; ok {
		fmt.Fprintf(w, "PSNR of --baseline %.2f dB  (%s)\n", v, base)
	}
	if rep == nil {
		return
	}
	for _, m := range rep.Warnings {
		fmt.Fprintf(cmd.ErrOrStderr(), "mmi: note: %s\n", m)
	}
	fmt.Fprintf(w, "read as true class %.4f  (classifier accuracy %.4f on the %s test split)\n", rep.Agreement, rep.ClassifierAccuracy, rep.Set)
	fmt.Fprintf(w, "Fréchet distance   %.4g  (%d-d classifier features, against %d real test images)\n", rep.Frechet, rep.FeatureDim, rep.TestImages)
	fmt.Fprintf(w, "floor              %.4g  (%d real training images, same reference)\n", rep.Floor, rep.FloorN)
	fmt.Fprintf(w, "ratio to floor     %.3g\n", rep.Ratio)
	fmt.Fprintf(w, "pixels clipped     %.4f  (share outside [−1, 1])\n", rep.Clipped)
}

package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/internal/capacity"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/samplefile"
	"github.com/mmi-go/mmi/viz"
)

type sampleFlags struct {
	data  string
	k, n  int
	all   bool
	seed  uint64
	out   string
	shard string
}

func newSampleCmd() *cobra.Command {
	var f sampleFlags
	cmd := &cobra.Command{
		Use:   "sample",
		Short: "Draw samples of one marginal (ground truth for comparisons)",
		Long: `Draw N samples of marginal K of --data: 0 is the standard Gaussian, 1…K the
data marginals in the order --data lists them. A Gaussian-mixture
specification gives exact samples; a built-in set fresh samples or resampled
rows; a sample file resampled rows. --all writes instead every row of a
built-in image set's split or of a sample file once, in order (for example
the whole test split of a class, to translate every held-out image).`,
		Example: `  mmi sample --data moons,circles --k 2 --n 1000 --out circles.csv
  mmi sample --data mix.json --k 1 --n 5000 --seed 7 --out m1.npy
  mmi sample --data mnist:2:test --all --out test2.npy`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSample(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.data, "data", "", "marginals: built-in names, NAME:CLASS, .csv/.npy files or a .json mixture specification, comma-separated")
	fl.IntVar(&f.k, "k", 1, "which marginal: 0 = the Gaussian, 1…K the data marginals")
	fl.IntVar(&f.n, "n", 1000, "number of samples")
	fl.BoolVar(&f.all, "all", false, "every row of the data set once, in order, in place of --n samples (built-in image sets and sample files)")
	fl.Uint64Var(&f.seed, "seed", 1, "random seed")
	fl.StringVar(&f.out, "out", "", "output file (.csv or .npy, or a folder DIR/ of PNG files, one per sample); CSV on stdout when empty")
	addShardFlag(cmd, &f.shard)
	return cmd
}

// runSample draws the samples chunk by chunk, each chunk from its own
// stream, so that --shard parts concatenate to the whole run, and writes
// them as drawn: any --n runs in the memory of one chunk.
func runSample(cmd *cobra.Command, f *sampleFlags) error {
	if f.data == "" {
		return usagef("sample: --data is required")
	}
	if f.n <= 0 {
		return usagef("sample: --n must be positive, got %d", f.n)
	}
	if err := checkOutOrFolder(cmd, f.out); err != nil {
		return err
	}
	sh, err := parseShard(f.shard)
	if err != nil {
		return err
	}
	ms, img, err := openMarginals(f.data)
	if err != nil {
		return err
	}
	if f.k < 0 || f.k >= len(ms) {
		return usagef("sample: --k %d is out of range: marginals are 0 (Gaussian) … %d", f.k, len(ms)-1)
	}
	rows, err := allRows(cmd, f, ms[f.k])
	if err != nil {
		return err
	}
	lo, hi, err := shardRows(sh, f.n)
	if err != nil {
		return err
	}
	d := ms[0].Dim()
	var folder *viz.PNGFolder
	if isFolderOut(f.out) {
		if folder, err = newPNGFolder(cmd, f.out, img, nil, f.n, lo, hi, d); err != nil {
			return err
		}
	} else if err := checkOutDir(cmd, f.out, capacity.SampleFileBytes(hi-lo, d)); err != nil {
		return err
	}
	draw := func(put func([]float64) error) error {
		return generate.EachChunk(cmd.Context(), f.n, sh, f.seed, func(c generate.Chunk) error {
			return put(sampleChunk(c, d, ms[f.k], rows))
		})
	}
	if f.out == "" {
		return draw(func(x []float64) error { return samplefile.WriteCSV(cmd.OutOrStdout(), x, d) })
	}
	if folder != nil {
		err = folder.WriteStream(lo, hi, draw)
	} else {
		err = samplefile.WriteStream(f.out, hi-lo, d, draw)
	}
	if err != nil {
		return fmt.Errorf("writing samples: %w", err)
	}
	return nil
}

// sampleChunk returns the rows of chunk c: those of rows (--all) when not
// nil, else draws of m from the chunk's stream.
func sampleChunk(c generate.Chunk, d int, m marginals.Marginal, rows *marginals.Empirical) []float64 {
	part := make([]float64, c.Len()*d)
	if rows == nil {
		m.Sample(part, c.Rand)
		return part
	}
	for i := range c.Len() {
		copy(part[i*d:(i+1)*d], rows.Row(c.Lo+i))
	}
	return part
}

// allRows returns, with --all, the rows of m to write, and sets f.n to
// their number; nil without --all. Only a marginal read from rows (a
// built-in image set's split, a sample file) has them.
func allRows(cmd *cobra.Command, f *sampleFlags, m marginals.Marginal) (*marginals.Empirical, error) {
	if !f.all {
		return nil, nil
	}
	if cmd.Flags().Changed("n") {
		return nil, usagef("sample: give --all or --n, not both")
	}
	rows, ok := m.(*marginals.Empirical)
	if !ok {
		return nil, usagef("sample: --all needs rows to write: marginal %d of %q is drawn, not read (use --n)", f.k, f.data)
	}
	f.n = rows.Len()
	return rows, nil
}

// openMarginals opens the --data list and returns the K+1 marginals with
// the standard Gaussian of the common dimension as marginal 0, and the
// image shape of the entries when they are all images of one shape (nil
// otherwise).
func openMarginals(spec string) ([]marginals.Marginal, *datasets.ImageShape, error) {
	entries, err := datasets.OpenWith(spec, datasets.Options{MaxBytes: capacity.PhysicalMemory()})
	if err != nil {
		return nil, nil, badInput(err)
	}
	d := entries[0].Marginal.Dim()
	if err := checkGaussianMemory(d); err != nil {
		return nil, nil, err
	}
	ms := []marginals.Marginal{marginals.StandardGaussian(d)}
	for _, e := range entries {
		ms = append(ms, e.Marginal)
	}
	return ms, imageShape(entries), nil
}

package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/samplefile"
)

func newSampleCmd() *cobra.Command {
	var (
		data  string
		k, n  int
		seed  uint64
		out   string
		shard string
	)
	cmd := &cobra.Command{
		Use:   "sample",
		Short: "Draw samples of one marginal (ground truth for comparisons)",
		Long: `Draw N samples of marginal K of --data: 0 is the standard Gaussian, 1…K the
data marginals in the order --data lists them. A Gaussian-mixture
specification gives exact samples; a built-in set fresh samples or resampled
rows; a sample file resampled rows.`,
		Example: `  mmi sample --data moons,circles --k 2 --n 1000 --out circles.csv
  mmi sample --data mix.json --k 1 --n 5000 --seed 7 --out m1.npy`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if data == "" {
				return usagef("sample: --data is required")
			}
			if n <= 0 {
				return usagef("sample: --n must be positive, got %d", n)
			}
			if err := checkOut(cmd, out); err != nil {
				return err
			}
			sh, err := parseShard(shard)
			if err != nil {
				return err
			}
			if err := checkShardRows(sh, n); err != nil {
				return err
			}
			ms, err := openMarginals(data)
			if err != nil {
				return err
			}
			if k < 0 || k >= len(ms) {
				return usagef("sample: --k %d is out of range: marginals are 0 (Gaussian) … %d", k, len(ms)-1)
			}
			// Drawn chunk by chunk, each chunk from its own stream, so
			// that --shard parts concatenate to the whole run, and
			// written as drawn: any --n runs in the memory of one chunk.
			d := ms[0].Dim()
			lo, hi, _ := sh.Rows(n)
			if err := checkOutDir(cmd, out, sampleFileBytes(hi-lo, d)); err != nil {
				return err
			}
			draw := func(put func([]float64) error) error {
				return generate.EachChunk(cmd.Context(), n, sh, seed, func(c generate.Chunk) error {
					part := make([]float64, c.Len()*d)
					ms[k].Sample(part, c.Rand)
					return put(part)
				})
			}
			if out == "" {
				return draw(func(x []float64) error { return samplefile.WriteCSV(cmd.OutOrStdout(), x, d) })
			}
			if err := samplefile.WriteStream(out, hi-lo, d, draw); err != nil {
				return fmt.Errorf("writing samples: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&data, "data", "", "marginals: built-in names, NAME:CLASS, .csv/.npy files or a .json mixture specification, comma-separated")
	f.IntVar(&k, "k", 1, "which marginal: 0 = the Gaussian, 1…K the data marginals")
	f.IntVar(&n, "n", 1000, "number of samples")
	f.Uint64Var(&seed, "seed", 1, "random seed")
	f.StringVar(&out, "out", "", "output file (.csv or .npy); CSV on stdout when empty")
	addShardFlag(cmd, &shard)
	return cmd
}

// openMarginals opens the --data list and returns the K+1 marginals with
// the standard Gaussian of the common dimension as marginal 0.
func openMarginals(spec string) ([]marginals.Marginal, error) {
	entries, err := datasets.Open(spec)
	if err != nil {
		return nil, badInput(err)
	}
	d := entries[0].Marginal.Dim()
	if err := checkGaussianMemory(d); err != nil {
		return nil, err
	}
	ms := []marginals.Marginal{marginals.StandardGaussian(d)}
	for _, e := range entries {
		ms = append(ms, e.Marginal)
	}
	return ms, nil
}

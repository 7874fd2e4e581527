package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/styletransfer"
	"github.com/mmi-go/mmi/viz"
)

type barycenterFlags struct {
	model, weights string
	coupled        bool
	n              int
	solverFlags
	seed            uint64
	out, png, shape string
	asJSON          bool
	shard           string
	evalN           int
}

func newBarycenterCmd() *cobra.Command {
	var f barycenterFlags
	cmd := &cobra.Command{
		Use:   "barycenter",
		Short: "Sample a barycenter of the data marginals",
		Long: `Sample the barycenter of the data marginals with weights w_1 … w_K (the point
α* = (0, w_1, …, w_K) of the simplex), in one of two modes:

  law (default)  samples of ρ(α*), the law of Σ_k w_k x_k with independent x_k,
                 generated from noise along e_0 → α*;
  --coupled      one batch of noise pushed to every marginal at once, and
                 Σ_k w_k X_k(z) per noise point: the average of the matched
                 samples the model assigns to the same noise.

The law mode averages independent draws, so it is narrower than the
marginals (Gaussians: covariance Σ w_k² Σ_k); the coupled mode averages
matched samples and keeps their spread (Gaussians: (Σ w_k Σ_k^{1/2})²).`,
		Example: `  mmi barycenter --model examples/mix3.json --weights 0.5,0.25,0.25 --n 2000 --png bary.png
  mmi barycenter --weights 0.5,0.5,0 --coupled --n 2000 --out coupled.csv --json`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBarycenter(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "model.mmi", "checkpoint from mmi train, or a .json Gaussian-mixture specification (exact oracle)")
	fl.StringVar(&f.weights, "weights", "", "weights w_1,…,w_K of the data marginals: non-negative, summing to 1")
	fl.BoolVar(&f.coupled, "coupled", false, "barycenter of coupled samples instead of the law ρ(α*)")
	fl.IntVar(&f.n, "n", 1000, "number of samples")
	addSolverFlags(cmd, &f.solverFlags)
	fl.Uint64Var(&f.seed, "seed", 1, "random seed")
	fl.StringVar(&f.out, "out", "", "write the samples (.csv or .npy)")
	fl.StringVar(&f.png, "png", "", "write a picture (2-D scatter with the marginals, or an image grid)")
	addShapeFlag(cmd, &f.shape)
	fl.BoolVar(&f.asJSON, "json", false, "print a JSON summary")
	fl.IntVar(&f.evalN, "eval-n", 2000, "law mode: exact samples of Σ w_k x_k (independent draws) for the energy distance in the summary (0: skip)")
	addShardFlag(cmd, &f.shard)
	return cmd
}

func parseWeights(s string) ([]float64, error) {
	if s == "" {
		return nil, usagef("barycenter: --weights is required, e.g. --weights 0.5,0.5")
	}
	var w []float64
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, usagef("--weights: %q is not a number", p)
		}
		w = append(w, v)
	}
	return w, nil
}

func runBarycenter(cmd *cobra.Command, f *barycenterFlags) error {
	w, err := parseWeights(f.weights)
	if err != nil {
		return err
	}
	if f.n <= 0 {
		return usagef("--n must be positive, got %d", f.n)
	}
	shard, err := parseShard(f.shard)
	if err != nil {
		return err
	}
	if err := checkShardRows(shard, f.n); err != nil {
		return err
	}
	if err := checkOut(cmd, f.out); err != nil {
		return err
	}
	if err := checkPNGOut(cmd, f.png); err != nil {
		return err
	}
	gen, opts, err := openModel(f.model, &f.solverFlags)
	if err != nil {
		return err
	}
	k1, d := gen.Sizes()
	if err := checkSamplesMemory("barycenter", f.n, k1*d); err != nil {
		return err
	}
	alpha, err := styletransfer.Alpha(k1, w)
	if err != nil {
		return badInput(fmt.Errorf("--weights: %w", err))
	}
	if err := checkPNG(f.png, f.shape, gen); err != nil {
		return err
	}
	t0 := time.Now()
	var b *styletransfer.Barycenter
	if f.coupled {
		b, err = styletransfer.CoupledBarycenter(cmd.Context(), gen, w, f.n, f.seed, shard, opts)
	} else {
		b, err = styletransfer.LawBarycenter(cmd.Context(), gen, w, f.n, f.seed, shard, opts)
	}
	secs := time.Since(t0).Seconds()
	if err != nil {
		return err
	}
	n := len(b.X) / d
	mode := "law"
	if f.coupled {
		mode = "coupled"
	}
	sum := map[string]any{"mode": mode, "alpha": alpha, "n": n, "nfe": b.Stats.NFE, "seconds": secs}
	if !f.coupled && f.evalN > 0 {
		// Exact samples of the law barycenter: Σ w_k x_k of independent
		// fresh draws, when every weighted marginal can be sampled.
		if truth, err := independentSum(gen, alpha, f.evalN, f.seed); err == nil {
			x := metrics.Subsample(b.X, d, f.evalN, generate.ChunkRand(^f.seed, 0))
			sum["energy"] = metrics.Energy(x, truth, d)
		}
	}
	if f.out != "" {
		if err := writeFile(f.out, b.X, d); err != nil {
			return err
		}
	}
	if f.png != "" {
		if err := drawBarycenter(f.png, gen, alpha, b, f.seed); err != nil {
			return err
		}
	}
	out := cmd.OutOrStdout()
	if f.asJSON {
		return json.NewEncoder(out).Encode(sum)
	}
	fmt.Fprintf(out, "%d samples of the %s barycenter at α* = %v, %d velocity evaluations, %.3g s\n",
		n, mode, alpha, b.Stats.NFE, secs)
	if e, ok := sum["energy"]; ok {
		fmt.Fprintf(out, "energy distance to %d exact samples of Σ w_k x_k (independent draws): %.4g\n", f.evalN, e)
	}
	return nil
}

// independentSum draws n samples of Σ_k α_k x_k with independent fresh
// draws x_k of the data marginals.
func independentSum(gen *generate.Generator, alpha []float64, n int, seed uint64) ([]float64, error) {
	_, d := gen.Sizes()
	sum := make([]float64, n*d)
	for k := 1; k < len(alpha); k++ {
		if alpha[k] == 0 {
			continue
		}
		x, err := gen.Draw(k, n, generate.ChunkRand(^seed, k))
		if err != nil {
			return nil, err
		}
		for i, v := range x {
			sum[i] += alpha[k] * v
		}
	}
	return sum, nil
}

// drawBarycenter pictures a barycenter: 2-D, the weighted data marginals
// (fresh draws) under the barycenter samples; images, the first samples
// (law) or rows of coupled samples X_1(z) … X_K(z) and their barycenter.
func drawBarycenter(file string, gen *generate.Generator, alpha []float64, b *styletransfer.Barycenter, seed uint64) error {
	_, d := gen.Sizes()
	if d == 2 {
		var sets []viz.Set
		for k := 1; k < len(alpha); k++ {
			x, err := gen.Draw(k, 1000, generate.ChunkRand(^seed, k))
			if err != nil {
				continue
			}
			sets = append(sets, viz.Set{Name: fmt.Sprintf("%d %s (w = %.3g)", k, gen.Name(k), alpha[k]), Points: x, Color: viz.Palette[(k-1)%len(viz.Palette)]})
		}
		sets = append(sets, viz.Set{Name: "barycenter", Points: head(b.X, 4000), Color: viz.Palette[3]})
		return viz.Scatter2D(file, "", sets...)
	}
	img := gen.Image()
	if b.Parts == nil {
		return viz.ChannelGrid(file, head(b.X, 40*d), img.Width, img.Height, img.C(), 10, -1, 1)
	}
	var imgs []float64
	rows := min(len(b.X)/d, 8)
	for i := 0; i < rows; i++ {
		for _, p := range b.Parts {
			imgs = append(imgs, p[i*d:(i+1)*d]...)
		}
		imgs = append(imgs, b.X[i*d:(i+1)*d]...)
	}
	return viz.ChannelGrid(file, imgs, img.Width, img.Height, img.C(), len(b.Parts)+1, -1, 1)
}

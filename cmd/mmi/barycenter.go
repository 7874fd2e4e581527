package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
	"github.com/mmi-go/mmi/styletransfer"
	"github.com/mmi-go/mmi/viz"
)

type barycenterFlags struct {
	genFlags
	model, weights string
	coupled        bool
	png, shape     string
	asJSON         bool
	evalN          int
}

func newBarycenterCmd() *cobra.Command {
	var f barycenterFlags
	cmd := &cobra.Command{
		Use:   "barycenter",
		Short: "Sample a barycenter of the data marginals",
		Long: `Sample the barycenter of the data marginals with weights w_1 … w_K (the point
α* = (0, w_1, …, w_K) of the simplex), in one of two modes:

  law (default)  samples of ρ(α*), the law of Σ_k w_k x_k with the x_k drawn
                 from the coupling the model was trained on (independent, or
                 optimal-transport tuples: mmi train --coupling ot),
                 generated from noise along e_0 → α*;
  --coupled      one batch of noise pushed to every marginal at once, and
                 Σ_k w_k X_k(z) per noise point: the average of the matched
                 samples the model assigns to the same noise.

With independent x_k the law mode is narrower than the marginals
(Gaussians: covariance Σ w_k² Σ_k); on an ot model with equal weights it is
the Wasserstein barycenter (for two marginals, any weights: McCann's
interpolation). The coupled mode averages matched samples and keeps their
spread (Gaussians: (Σ w_k Σ_k^{1/2})²).
--sde integrates the law mode's stochastic generator along e_0 → α* (as
mmi path --sde); the coupled mode follows the probability flow. The rows
stream to --out chunk by chunk.`,
		Example: `  mmi barycenter --model examples/mix3.json --weights 0.5,0.25,0.25 --n 2000 --png bary.png
  mmi barycenter --weights 0.5,0.5,0 --coupled --n 2000 --out coupled.csv --json`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBarycenter(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "model.mmi", "checkpoint from mmi train, or a .json Gaussian-mixture specification (exact oracle)")
	fl.StringVar(&f.weights, "weights", "", "weights w_1,…,w_K of the data marginals: non-negative, summing to 1")
	fl.BoolVar(&f.coupled, "coupled", false, "barycenter of coupled samples instead of the law ρ(α*)")
	addGenFlags(cmd, &f.genFlags, "number of samples",
		"law mode: integrate the stochastic generator along e_0 → α* (Euler–Maruyama, or Heun with --solver heun)",
		"write the samples (.csv or .npy, or a folder DIR/ of PNG files, one per sample)")
	fl.StringVar(&f.png, "png", "", "write a picture (2-D scatter with the marginals, or an image grid)")
	addShapeFlag(cmd, &f.shape)
	fl.BoolVar(&f.asJSON, "json", false, "print a JSON summary")
	fl.IntVar(&f.evalN, "eval-n", 2000, "law mode: exact samples of Σ w_k x_k (independent draws) for the energy distance in the summary (0: skip)")
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
	if err := checkEvalN(f.evalN); err != nil {
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
	k1, _ := gen.Sizes()
	alpha, err := styletransfer.Alpha(k1, w)
	if err != nil {
		return badInput(fmt.Errorf("--weights: %w", err))
	}
	if err := f.plan(cmd, req, gen, alpha); err != nil {
		return err
	}
	sr, secs, err := checkAndStream(cmd, gen, req)
	if err != nil {
		return err
	}
	return f.report(cmd, gen, alpha, sr, secs)
}

// plan makes the request a barycenter at alpha: from noise along
// e_0 → α* (law), or coupled; it keeps the rows the summary and the
// picture need (all of the shard's for the law's energy distance, which
// compares a random subset of them).
func (f *barycenterFlags) plan(cmd *cobra.Command, req *generate.Request, gen *generate.Generator, alpha []float64) error {
	k1, _ := gen.Sizes()
	req.Keep = pictureRows
	if f.coupled {
		if f.sde {
			return usagef("barycenter --coupled follows the probability flow; --sde is for the law mode")
		}
		req.Coupled = alpha
	} else {
		p, err := path.Segment(simplex.Vertex(k1, 0), alpha)
		if err != nil {
			return badInput(err)
		}
		req.Path = p
		if f.evalN > 0 {
			req.Keep = f.n
		}
	}
	if err := checkPNG(f.png, f.shape, gen); err != nil {
		return err
	}
	return f.folderOut(cmd, gen, req, nil)
}

// report prints the summary of a barycenter run (with the law's energy
// distance to exact samples) and draws the picture.
func (f *barycenterFlags) report(cmd *cobra.Command, gen *generate.Generator, alpha []float64, sr *generate.Streamed, secs float64) error {
	_, d := gen.Sizes()
	b, n := sr.Kept, sr.Rows
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
			addEnergy(sum, x, truth, d)
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
	} else if why, ok := sum["energy_skipped"]; ok {
		fmt.Fprintf(out, "energy distance skipped: %s\n", why)
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
func drawBarycenter(file string, gen *generate.Generator, alpha []float64, b *generate.Result, seed uint64) error {
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

package gk

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/marginals"
)

// trGauss returns N(mean, [[a, b], [b, c]]).
func trGauss(t testing.TB, mx, my, a, b, c float64) *marginals.Gaussian {
	t.Helper()
	g, err := marginals.NewGaussian([]float64{mx, my}, mat.NewSymDense(2, []float64{a, b, b, c}))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func trMix(t testing.TB, w []float64, comps ...*marginals.Gaussian) *marginals.Mixture {
	t.Helper()
	m, err := marginals.NewMixture(w, comps)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// trMixtures returns three visually distinct 2-D Gaussian mixtures: two
// blobs side by side, a triangle of three tight blobs, and one elongated
// tilted Gaussian with a small satellite. Their scales (a few units) and
// offsets make g depend strongly on α and x, so a wrong model shows.
func trMixtures(t testing.TB) []*marginals.Mixture {
	return []*marginals.Mixture{
		trMix(t, []float64{0.5, 0.5},
			trGauss(t, -1.5, 2, 0.15, 0, 0.15),
			trGauss(t, 1.5, 2, 0.15, 0, 0.15)),
		trMix(t, []float64{1, 1, 1},
			trGauss(t, -3, -1, 0.1, 0, 0.1),
			trGauss(t, -1.5, -1, 0.1, 0, 0.1),
			trGauss(t, -2.25, 0.3, 0.1, 0, 0.1)),
		trMix(t, []float64{0.8, 0.2},
			trGauss(t, 2.5, -1.5, 0.8, 0.6, 0.6),
			trGauss(t, 0.5, -3, 0.05, 0, 0.05)),
	}
}

// trCoupling is the independent coupling of N(0, I) and the mixtures.
func trCoupling(t testing.TB, mix []*marginals.Mixture) marginals.Coupling {
	t.Helper()
	ms := []marginals.Marginal{marginals.StandardGaussian(mix[0].Dim())}
	for _, m := range mix {
		ms = append(ms, m)
	}
	c, err := marginals.NewIndependent(ms...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// trNormalizeMixtures maps each mixture by x' = (x − c)/s: means
// (μ − c)/s, covariances Σ/s². The exact oracle of the result is the
// truth for a model with normalization a.
func trNormalizeMixtures(t testing.TB, mix []*marginals.Mixture, a Affine) []*marginals.Mixture {
	t.Helper()
	out, err := NormalizeMixtures(mix, a)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func trOracle(t testing.TB, mix []*marginals.Mixture) *Oracle {
	t.Helper()
	o, err := NewOracle(mix)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// trInterpolant draws n points x(α) = Σ_k α_k x_k from the coupling c.
func trInterpolant(c marginals.Coupling, alpha []float64, n int, r *rand.Rand) []float64 {
	d := c.Dim()
	xs := make([][]float64, c.Len())
	for k := range xs {
		xs[k] = make([]float64, n*d)
	}
	c.Sample(xs, r)
	x := make([]float64, n*d)
	for k, a := range alpha {
		for i, v := range xs[k] {
			x[i] += a * v
		}
	}
	return x
}

func trNewG(kk, n int) [][]float64 {
	g := make([][]float64, kk)
	for k := range g {
		g[k] = make([]float64, n)
	}
	return g
}

// trRelErr returns the relative error of model against truth at alpha,
//
//	Σ_k E|ĝ_k − g_k|² / Σ_k E|g_k − E g_k|² ,
//
// over n points x(α) of the coupling c (in the model's coordinates). 0 is
// perfect; predicting the mean E g_k everywhere scores 1.
func trRelErr(model, truth cond.Conditional, c marginals.Coupling, alpha []float64, n int, r *rand.Rand) float64 {
	kk, d := truth.Sizes()
	x := trInterpolant(c, alpha, n, r)
	gm, gt := trNewG(kk, n*d), trNewG(kk, n*d)
	model.Eval(gm, alpha, x)
	truth.Eval(gt, alpha, x)
	return relativeErrorHeads(make([]float64, kk), gm, gt, make([]float64, d))
}

// trEdgeAlphas returns points on the edges e_i–e_j at t ∈ {0.25, 0.5, 0.75}
// for all pairs, and trInteriorAlphas a fixed set of interior points.
func trEdgeAlphas(kk int) [][]float64 {
	var out [][]float64
	for i := 0; i < kk; i++ {
		for j := i + 1; j < kk; j++ {
			for _, s := range []float64{0.25, 0.5, 0.75} {
				a := make([]float64, kk)
				a[i], a[j] = 1-s, s
				out = append(out, a)
			}
		}
	}
	return out
}

func trInteriorAlphas(kk int, n int, r *rand.Rand) [][]float64 {
	var out [][]float64
	for len(out) < n {
		out = append(out, reportDirichlet(kk, r))
	}
	return out
}

// trMeanRelErr averages trRelErr over a set of α.
func trMeanRelErr(model, truth cond.Conditional, c marginals.Coupling, alphas [][]float64, n int, r *rand.Rand) float64 {
	s := 0.0
	for _, a := range alphas {
		s += trRelErr(model, truth, c, a, n, r)
	}
	return s / float64(len(alphas))
}

// trHalfway trains one run of set straight through and another to step
// at, saves the second to path and resumes it: straight has run, resumed
// has not (the callers compare the two after resumed.Run).
func trHalfway(t *testing.T, cfg Config, c marginals.Coupling, set Settings, at int, path string) (straight, resumed *Trainer) {
	t.Helper()
	straight, err := NewTrainer(cfg, c, set)
	if err != nil {
		t.Fatal(err)
	}
	if err := straight.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	half, err := NewTrainer(cfg, c, set)
	if err != nil {
		t.Fatal(err)
	}
	for half.Step() < at {
		if _, err := half.trainStep(); err != nil {
			t.Fatal(err)
		}
	}
	if err := half.Save(path); err != nil {
		t.Fatal(err)
	}
	if resumed, err = Resume(path, c, nil); err != nil {
		t.Fatal(err)
	}
	return straight, resumed
}

// trLossAndEval draws a batch and returns the trainer's loss on it and
// the same loss computed from the live network's raw heads evaluated row
// by row through Eval (the 2-D, K = 3 problem of trMixtures).
func trLossAndEval(t *testing.T, tr *Trainer) (loss, want float64) {
	t.Helper()
	tr.drawBatch()
	loss = tr.lossGrad()
	raw, err := tr.LiveModel().WithHeads(HeadsDirect)
	if err != nil {
		t.Fatal(err)
	}
	kk, d, b := 4, 2, tr.set.Batch
	g := trNewG(kk, d)
	x := make([]float64, d)
	for i := 0; i < b; i++ {
		a := tr.alphas[i*kk : (i+1)*kk]
		clear(x)
		for k := range a {
			for j := range x {
				x[j] += a[k] * tr.xs[k][i*d+j]
			}
		}
		raw.Eval(g, a, x)
		for k := range g {
			for j, v := range g[k] {
				e := v - tr.xs[k][i*d+j]
				want += e * e
			}
		}
	}
	want /= float64(b * d)
	return loss, want
}

// ckFileVersion returns the format version byte of the checkpoint at path.
func ckFileVersion(t *testing.T, path string) byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data[2+len(checkpointMagic)+4]
}

// mdlSameG fails t unless the heads got equal want value for value
// (a saved and loaded model must evaluate exactly as the saved one).
func mdlSameG(t *testing.T, what string, want, got [][]float64) {
	t.Helper()
	for k := range want {
		for i := range want[k] {
			if want[k][i] != got[k][i] {
				t.Fatalf("%s: g_%d[%d] = %v, want %v", what, k, i, got[k][i], want[k][i])
			}
		}
	}
}

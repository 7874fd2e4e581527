package gk

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/metrics"
)

// qlGenerate integrates dX/dt = b(t, X) = g_k(α(t), X) − g_0(α(t), X)
// along the edge α(t) = (1−t) e_0 + t e_k with fixed-step RK4, from x
// (model coordinates, overwritten with the result).
func qlGenerate(m cond.Conditional, k int, x []float64, steps int) {
	kk, _ := m.Sizes()
	g := trNewG(kk, len(x))
	k1, k2, k3, k4 := make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x))
	y := make([]float64, len(x))
	alpha := make([]float64, kk)
	vel := func(dst []float64, t float64, x []float64) {
		clear(alpha)
		alpha[0], alpha[k] = 1-t, t
		m.Eval(g, alpha, x)
		for i := range dst {
			dst[i] = g[k][i] - g[0][i]
		}
	}
	h := 1 / float64(steps)
	for s := 0; s < steps; s++ {
		t := float64(s) * h
		vel(k1, t, x)
		for i := range y {
			y[i] = x[i] + h/2*k1[i]
		}
		vel(k2, t+h/2, y)
		for i := range y {
			y[i] = x[i] + h/2*k2[i]
		}
		vel(k3, t+h/2, y)
		for i := range y {
			y[i] = x[i] + h*k3[i]
		}
		vel(k4, t+h, y)
		for i := range x {
			x[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
	}
}

// qlSet is one user-style data set: a 5000-row training sample and a
// held-out sample of the same distribution.
type qlSet struct {
	name         string
	train, test  []float64
	gaussianFit  []float64 // samples of N(mean, cov) of the training rows
	trainSubsamp []float64 // training rows, as many as test
}

func qlSets(t testing.TB, nTest int) []qlSet {
	t.Helper()
	var out []qlSet
	for i, s := range []struct {
		name string
		m    marginals.Marginal
	}{
		{"moons", datasets.Moons()},
		{"8gaussians", datasets.EightGaussians()},
		{"checkerboard", datasets.Checkerboard()},
	} {
		r := rand.New(rand.NewPCG(uint64(100+i), 7))
		set := qlSet{name: s.name, train: make([]float64, 5000*2), test: make([]float64, nTest*2)}
		s.m.Sample(set.train, r)
		s.m.Sample(set.test, r)
		set.trainSubsamp = set.train[:nTest*2]
		mean, cov := metrics.MeanCov(set.train, 2)
		gs, err := marginals.NewGaussian(mean, cov)
		if err != nil {
			t.Fatal(err)
		}
		set.gaussianFit = make([]float64, nTest*2)
		gs.Sample(set.gaussianFit, r)
		out = append(out, set)
	}
	return out
}

// qlMeasure trains on the three sets with cfg and set, generates nTest
// samples of each from noise with RK4 and returns the energy distances to
// the held-out samples.
func qlMeasure(t testing.TB, sets []qlSet, cfg Config, set Settings, nTest, rkSteps int) (energy []float64, dt time.Duration) {
	t.Helper()
	ms := []marginals.Marginal{marginals.StandardGaussian(2)}
	for _, s := range sets {
		e, err := marginals.NewEmpirical(s.train, 2)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, e)
	}
	c, err := marginals.NewIndependent(ms...)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(cfg, c, set)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	dt = time.Since(start)
	m := tr.Model()
	r := rand.New(rand.NewPCG(77, 1))
	for k := range sets {
		x := make([]float64, nTest*2)
		marginals.StandardGaussian(2).Sample(x, r)
		qlGenerate(m, k+1, x, rkSteps)
		m.Normalization().Denormalize(x)
		energy = append(energy, metrics.Energy(x, sets[k].test, 2))
	}
	return energy, dt
}

// A small model trained briefly on one data set (eight Gaussians, K = 1,
// so every α lies on the edge that generation follows) generates it from
// noise far better than the best Gaussian: the energy distance to held-out
// samples is below a third of that of N(mean, cov) of the data. A model
// that generated noise, the wrong marginal or a blur of the modes scores
// near or above the Gaussian fit. (Measured: 0.0025 against 0.065 for the
// Gaussian fit and 0.0015 for held-out data itself; 0.005 with the former
// learning rate 2e-3.) The full measurement (three sets, one
// model, default settings) runs with MMI_QUALITY=1; its numbers are in
// ARCHITECTURE.md.
func TestGenerationQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	const nTest = 1000
	sets := qlSets(t, nTest)
	cfg := Config{Hidden: []int{64, 64, 64}}
	set := Settings{Steps: 1500, Batch: 256, Seed: 1}
	rk := 20
	full := os.Getenv("MMI_QUALITY") != ""
	if full {
		cfg, set, rk = Config{}, Settings{Seed: 1}, 50
	} else {
		// one set, K = 1: three need far more than 1500 steps (measured: 8gaussians 0.028 at K = 3)
		sets = sets[1:2]
	}
	energy, dt := qlMeasure(t, sets, cfg, set, nTest, rk)
	t.Logf("trained %v (%d steps) in %.1f s; RK4 %d steps, %d samples", cfg.Hidden, set.withDefaults().Steps, dt.Seconds(), rk, nTest)
	t.Logf("| set | model | Gaussian fit | training rows (floor) |")
	for k, s := range sets {
		gauss := metrics.Energy(s.gaussianFit, s.test, 2)
		floor := metrics.Energy(s.trainSubsamp, s.test, 2)
		t.Logf("| %s | %.4f | %.4f | %.4f |", s.name, energy[k], gauss, floor)
		if energy[k] > gauss/3 {
			t.Errorf("%s: energy distance %.4f, Gaussian fit %.4f: want below a third of it", s.name, energy[k], gauss)
		}
		if s.name != "8gaussians" {
			continue
		}
		// The limit a third of the Gaussian fit passes wrong answers
		// (modes three times too wide, a radius 10 % small), so the
		// eight Gaussians also get a limit derived from what those
		// wrong variants score against the same held-out samples: half
		// the smaller of the two, checked to be above what they score.
		wide, small := qlWrongEight(s.trainSubsamp, 3, 1), qlWrongEight(s.trainSubsamp, 1, 0.9)
		ew, es := metrics.Energy(wide, s.test, 2), metrics.Energy(small, s.test, 2)
		limit := min(ew, es) / 2
		t.Logf("wrong variants: modes 3× wide %.4f, radius 0.9× %.4f; limit %.4f", ew, es, limit)
		if energy[k] > limit {
			t.Errorf("%s: energy distance %.4f, above %.4f, half what modes 3× too wide (%.4f) or a radius 10 %% small (%.4f) score", s.name, energy[k], limit, ew, es)
		}
		if limit < 4*max(floor, 0.001) {
			t.Errorf("limit %.4f is within 4× of the sampling floor %.4f: the wrong variants are not told apart", limit, floor)
		}
	}
}

// qlWrongEight maps samples of the eight Gaussians (sd 0.2 on the circle
// of radius 2) to a wrong variant: each point's offset from its mode
// scaled by spread, and the modes moved to radius 2·radius.
func qlWrongEight(x []float64, spread, radius float64) []float64 {
	out := make([]float64, len(x))
	for i := 0; i < len(x); i += 2 {
		// The nearest of the eight modes, at angles kπ/4.
		a := math.Round(math.Atan2(x[i+1], x[i])/(math.Pi/4)) * math.Pi / 4
		cx, cy := 2*math.Cos(a), 2*math.Sin(a)
		out[i] = radius*cx + spread*(x[i]-cx)
		out[i+1] = radius*cy + spread*(x[i+1]-cy)
	}
	return out
}

package gk

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mmi-go/mmi/simplex"
)

// trRun trains one configuration on the three test mixtures and returns
// the relative errors against the exact oracle on the edges and the
// interior, and the training time.
func trRun(t testing.TB, cfg Config, set Settings) (edge, interior float64, dt time.Duration, tr *Trainer) {
	t.Helper()
	mix := trMixtures(t)
	c := trCoupling(t, mix)
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
	o := trOracle(t, trNormalizeMixtures(t, mix, m.Normalization()))
	nc := NormalizedCoupling(c, m.Normalization())
	r := rand.New(rand.NewPCG(99, 1))
	edge = trMeanRelErr(m, o, nc, trEdgeAlphas(4), 2000, r)
	interior = trMeanRelErr(m, o, nc, trInteriorAlphas(4, 12, rand.New(rand.NewPCG(5, 5))), 2000, r)
	return edge, interior, dt, tr
}

// TestArchitectureReport measures the design choices recorded in
// gk/ARCHITECTURE.md. It takes minutes, so it runs only with MMI_ARCH set
// to a comma-separated list of experiments (heads, features, alpha, width)
// or "all".
func TestArchitectureReport(t *testing.T) {
	which := os.Getenv("MMI_ARCH")
	if which == "" {
		t.Skip("set MMI_ARCH=heads,features,alpha,width or all to run the architecture measurements")
	}
	on := func(name string) bool { return which == "all" || strings.Contains(which, name) }
	steps := 3000
	if s := os.Getenv("MMI_ARCH_STEPS"); s != "" {
		fmt.Sscan(s, &steps)
	}
	seeds := []uint64{1, 2}
	report := func(name string, cfg Config, set Settings) {
		var e, in float64
		var dt time.Duration
		for _, seed := range seeds {
			set.Seed = seed
			se, si, sdt, _ := trRun(t, cfg, set)
			e += se / float64(len(seeds))
			in += si / float64(len(seeds))
			dt += sdt / time.Duration(len(seeds))
		}
		t.Logf("| %-34s | %.4f | %.4f | %5.1f s |", name, e, in, dt.Seconds())
	}
	base := Settings{Steps: steps}
	small := Config{Hidden: []int{128, 128, 128}}
	t.Logf("steps %d, batch %d, mean over seeds %v; relative error E|ĝ−g|²/E|g−Eg|² on edges | interior", steps, DefaultSettings().Batch, seeds)
	if on("heads") {
		for _, h := range []Heads{HeadsProjected, HeadsDirect} {
			cfg := small
			cfg.Heads = h
			report("heads "+h.String(), cfg, base)
		}
	}
	if on("features") {
		for _, f := range []Features{{Kind: FeaturesPlain}, {Kind: FeaturesFourier, Scale: 1}, {Kind: FeaturesFourier, Scale: 3}} {
			cfg := small
			cfg.Features = f
			report(fmt.Sprintf("features %v scale %v", f.Kind, f.Scale), cfg, base)
		}
	}
	if on("alpha") {
		dir, _ := simplex.NewSymmetricDirichlet(4, 1)
		for _, a := range []struct {
			name string
			s    simplex.Sampler
			mix  AlphaMix
		}{
			{"Dirichlet(1) only", dir, AlphaMix{}},
			{"vertices only", simplex.Vertices{}, AlphaMix{}},
			{"mix .5 int/.1 face/.3 edge/.1 vert", nil, AlphaMix{Interior: .5, Faces: .1, Edges: .3, Vertices: .1}},
			{"mix .4/.1/.4/.1", nil, AlphaMix{Interior: .4, Faces: .1, Edges: .4, Vertices: .1}},
			{"mix .3/.1/.5/.1", nil, AlphaMix{Interior: .3, Faces: .1, Edges: .5, Vertices: .1}},
			{"mix .45/.05/.45/.05", nil, AlphaMix{Interior: .45, Faces: .05, Edges: .45, Vertices: .05}},
		} {
			set := base
			set.AlphaSampler, set.Alpha = a.s, a.mix
			report("α "+a.name, small, set)
		}
	}
	if on("width") {
		for _, w := range []struct {
			h     []int
			steps int
			batch int
		}{
			{[]int{64, 64, 64}, steps, 512},
			{[]int{128, 128, 128}, steps, 512},
			{[]int{256, 256, 256}, steps, 512},
			{[]int{128, 128, 128}, steps, 256},
		} {
			set := base
			set.Steps, set.Batch = w.steps, w.batch
			report(fmt.Sprintf("hidden %v batch %d", w.h, w.batch), Config{Hidden: w.h}, set)
		}
	}
}

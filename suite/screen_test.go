package suite

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/nn"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// screenVariants are the settings screened on the suite's hardest
// problems (gk/ARCHITECTURE.md, "The suite"): each changes mmi train's
// defaults for vector data (3×128 SiLU, float32, Fourier features of x
// 32:1, the within-marginal scale, 60000 steps, otherwise
// gk.DefaultSettings) in one respect.
var screenVariants = map[string]func(p Problem, c *gk.Config, s *gk.Settings){
	"base": func(Problem, *gk.Config, *gk.Settings) {},
	"lr2":  func(_ Problem, _ *gk.Config, s *gk.Settings) { s.LR = 2e-3 },
	"lr8":  func(_ Problem, _ *gk.Config, s *gk.Settings) { s.LR = 8e-3 },
	// More of the edge mass near the vertices: t ~ Beta(½, ½).
	"beta05": func(_ Problem, _ *gk.Config, s *gk.Settings) {
		s.Alpha = gk.DefaultAlphaMix
		s.Alpha.EdgeBeta = 0.5
	},
	// Twice the vertex draws, taken from the interior.
	"vert2": func(_ Problem, _ *gk.Config, s *gk.Settings) {
		s.Alpha = gk.DefaultAlphaMix
		s.Alpha.Interior, s.Alpha.Vertices = 0.3, 0.2
	},
	// Every edge equally likely (the data–data share of K = 3 is ½).
	"edgesuni": func(_ Problem, _ *gk.Config, s *gk.Settings) {
		s.Alpha = gk.DefaultAlphaMix
		s.Alpha.DataEdges = 0
	},
	// Cosine decay to 0.2 % instead of 2 % of the peak.
	"final02": func(_ Problem, _ *gk.Config, s *gk.Settings) { s.FinalLR = 0.002 },
	// SiLU (the default since the fifteenth session) and tanh (the
	// default before it).
	"silu": func(_ Problem, c *gk.Config, _ *gk.Settings) { c.Activation = nn.SiLU },
	"tanh": func(_ Problem, c *gk.Config, _ *gk.Settings) { c.Activation = nn.Tanh },
	// No features of x; tanh+noxf:80000 is the default of before the
	// fifteenth session, silu+noxf:80000 its first change.
	"noxf": func(_ Problem, c *gk.Config, _ *gk.Settings) { c.XFeatures = gk.XFeatures{} },
	// Wider at equal time: 3×256 runs ~2.5× slower per step.
	"w256": func(_ Problem, c *gk.Config, s *gk.Settings) {
		c.Hidden = []int{256, 256, 256}
		s.Steps = s.Steps * 2 / 5
	},
	// Deeper at equal time (measured ~1.3× slower per step).
	"l4": func(_ Problem, c *gk.Config, s *gk.Settings) {
		c.Hidden = []int{128, 128, 128, 128}
		s.Steps = s.Steps * 3 / 4
	},
	// Half the batch, twice the steps: the same samples, twice the
	// updates, about the same time.
	"b256": func(_ Problem, _ *gk.Config, s *gk.Settings) {
		s.Batch = 256
		s.Steps *= 2
	},
	// Narrower, more steps at about equal time: 3×64 with 2.5× the steps.
	"w64": func(_ Problem, c *gk.Config, s *gk.Settings) {
		c.Hidden = []int{64, 64, 64}
		s.Steps = s.Steps * 5 / 2
	},
	// Normalization by the mean within-marginal spread instead of the
	// pooled spread (which counts the distances between the marginals'
	// locations): the scale of the modes, not of the layout.
	"normwithin": func(p Problem, c *gk.Config, s *gk.Settings) { c.Norm = withinAffine(p.Marginals) },
	// The normalization of mmi train --norm within (the default since
	// the sixteenth session; the same scale as normwithin, fitted from
	// draws) and of --norm pooled (the default before it).
	"within": func(_ Problem, _ *gk.Config, s *gk.Settings) { s.Norm = gk.NormWithin },
	"pooled": func(_ Problem, _ *gk.Config, s *gk.Settings) { s.Norm = gk.NormPooled },
	// Input and heads preconditioned by the marginals' own means and
	// scales (gk.Precondition, fitted by the trainer; mmi train
	// --precondition).
	"pre": func(_ Problem, c *gk.Config, _ *gk.Settings) { c.Precondition = gk.Precondition{On: true} },
	// A longer average of the weights (the default β is 0.999, a
	// window of about 1000 steps).
	"ema9995": func(_ Problem, _ *gk.Config, s *gk.Settings) { s.EMA = 0.9995 },
	"ema9998": func(_ Problem, _ *gk.Config, s *gk.Settings) { s.EMA = 0.9998 },
	// Both levers that helped on p03 at 1/8 of the budget.
	"normwithin-lr8": func(p Problem, c *gk.Config, s *gk.Settings) {
		c.Norm = withinAffine(p.Marginals)
		s.LR = 8e-3
	},
}

// screenVariant returns the variant called name: a name of
// screenVariants, xfM-σ (Fourier features of x, M frequencies of scale σ
// in normalized units: xf64-3), or several joined by "+" and applied in
// order (xf64-3+normwithin, pre+xf64-1).
func screenVariant(name string) (func(Problem, *gk.Config, *gk.Settings), bool) {
	var parts []func(Problem, *gk.Config, *gk.Settings)
	for _, n := range strings.Split(name, "+") {
		if v, ok := screenVariants[n]; ok {
			parts = append(parts, v)
			continue
		}
		m, s, ok := strings.Cut(strings.TrimPrefix(n, "xf"), "-")
		xf, err := gk.ParseXFeatures(m + ":" + s)
		if !strings.HasPrefix(n, "xf") || !ok || err != nil || !xf.On() {
			return nil, false
		}
		parts = append(parts, func(_ Problem, c *gk.Config, _ *gk.Settings) { c.XFeatures = xf })
	}
	return func(p Problem, c *gk.Config, s *gk.Settings) {
		for _, v := range parts {
			v(p, c, s)
		}
	}, true
}

// withinAffine centres at the pooled mean and scales by the root mean
// over marginals of each marginal's own variance per coordinate (about
// its own mean), computed exactly from the mixtures.
func withinAffine(mix []*marginals.Mixture) gk.Affine {
	d := mix[0].Dim()
	center := make([]float64, d)
	within := 0.0
	for _, m := range mix {
		floats.AddScaled(center, 1/float64(len(mix)), m.Mean())
		within += mat.Trace(m.Cov())
	}
	return gk.Affine{Center: center, Scale: math.Sqrt(within / float64(len(mix)*d))}
}

// TestScreen trains one variant on one problem and prints its score as a
// JSON line. MMI_SUITE_SCREEN=SEED:INDEX:MAXDIM:MAXK:VARIANT[:STEPS]
// (e.g. 1:14:5:4:lr8:10000 or 1:6:5:4:xf64-3+normwithin:10000; STEPS
// defaults to mmi train's 80000); skipped
// without it. One run trains one model, so the screening can run one job
// at a time on a shared machine.
func TestScreen(t *testing.T) {
	spec := os.Getenv("MMI_SUITE_SCREEN")
	if spec == "" {
		t.Skip("MMI_SUITE_SCREEN not set")
	}
	f := strings.Split(spec, ":")
	if len(f) < 5 {
		t.Fatalf("MMI_SUITE_SCREEN=%q: want SEED:INDEX:MAXDIM:MAXK:VARIANT[:STEPS]", spec)
	}
	num := func(s string) int {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	p, err := New(uint64(num(f[0])), num(f[1]), Options{MaxDim: num(f[2]), MaxK: num(f[3])})
	if err != nil {
		t.Fatal(err)
	}
	variant, ok := screenVariant(f[4])
	if !ok {
		t.Fatalf("unknown variant %q", f[4])
	}
	steps := 0
	if len(f) > 5 {
		steps = num(f[5])
	}
	ms := []marginals.Marginal{marginals.StandardGaussian(p.Dim)}
	for _, m := range p.Marginals {
		ms = append(ms, m)
	}
	m, set, secs := screenTrain(t, p, ms, variant, steps)
	gen, err := generate.New(m, m.Normalization(), ms[1:], nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Score(context.Background(), p.Name, gen, p.Marginals, Settings{Seed: 1, Points: 1000}) // as the screening runs of mmi suite --run --points 1000
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{"problem": p.Name, "variant": f[4], "steps": set.Steps, "train_seconds": secs,
		"worst": res.Report.Worst, "worst_region": res.WorstRegion, "identity": res.Report.Identity,
		"worst_transfer": res.WorstTransfer, "pass": res.Pass,
		"norm_scale": m.Normalization().Scale, "pooled_scale": PooledScale(p.Marginals), "regions": res.Report.Regions, "transfers": res.Transfers})
	t.Logf("SCREEN %s", out)
}

// screenTrain trains mmi train's defaults changed by variant on the
// marginals ms (the Gaussian first); steps > 0 shortens the run as mmi
// train --steps does.
func screenTrain(t *testing.T, p Problem, ms []marginals.Marginal, variant func(Problem, *gk.Config, *gk.Settings), steps int) (*gk.Model, gk.Settings, float64) {
	t.Helper()
	set := gk.DefaultSettings()
	set.Steps, set.Warmup = 60000, 60000/20      // mmi train's default for vector data
	set.CheckpointEvery, set.Seed = time.Hour, 1 // mmi train --seed 1
	set.Norm = gk.NormWithin                     // mmi train's default for vector data
	cfg := gk.Config{Marginals: len(ms), Dim: ms[0].Dim(), Hidden: []int{128, 128, 128}, Float32: true,
		Activation: nn.SiLU, XFeatures: gk.XFeatures{Frequencies: 32, Scale: 1}}
	if steps > 0 {
		set.Steps, set.Warmup = steps, steps/20 // as mmi train --steps
	}
	variant(p, &cfg, &set)
	c, err := marginals.NewIndependent(ms...)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := gk.NewTrainer(cfg, c, set)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tr.Model(), set, time.Since(t0).Seconds()
}

// TestScreenCheckerboard trains one variant on mmi train's default data
// (8gaussians, moons, checkerboard) and prints the share of noise → 3 and
// of 1 → 3, 2 → 3 on the checkerboard's squares (4000 samples each, seed
// 7, default solver). MMI_SUITE_CHECKER=VARIANT[:STEPS]; skipped without
// it. Variants that need a problem (normwithin) do not apply.
func TestScreenCheckerboard(t *testing.T) {
	spec := os.Getenv("MMI_SUITE_CHECKER")
	if spec == "" {
		t.Skip("MMI_SUITE_CHECKER not set")
	}
	f := strings.Split(spec, ":")
	variant, ok := screenVariant(f[0])
	if !ok || strings.Contains(f[0], "normwithin") {
		t.Fatalf("variant %q does not apply", f[0])
	}
	steps := 0
	if len(f) > 1 {
		v, err := strconv.Atoi(f[1])
		if err != nil {
			t.Fatal(err)
		}
		steps = v
	}
	es, err := datasets.Open("8gaussians,moons,checkerboard")
	if err != nil {
		t.Fatal(err)
	}
	ms := []marginals.Marginal{marginals.StandardGaussian(2)}
	for _, e := range es {
		ms = append(ms, e.Marginal)
	}
	m, set, secs := screenTrain(t, Problem{}, ms, variant, steps)
	gen, err := generate.New(m, m.Normalization(), ms[1:], nil)
	if err != nil {
		t.Fatal(err)
	}
	shares := map[string]float64{}
	for _, from := range []int{0, 1, 2} {
		p, err := generate.Polyline(4, from, 3)
		if err != nil {
			t.Fatal(err)
		}
		r, err := gen.Run(context.Background(), generate.Job{Path: p, N: 4000, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		shares[strconv.Itoa(from)+"->3"] = datasets.CheckerboardShare(r.X)
	}
	out, _ := json.Marshal(map[string]any{"variant": f[0], "steps": set.Steps, "train_seconds": secs, "shares": shares})
	t.Logf("CHECKER %s", out)
}

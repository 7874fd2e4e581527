package gk

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/marginals"
)

// The default model at the default budget (what `mmi train --data
// examples/mix3.json` trains: 3×128 float32, 80000 steps) against the exact
// oracle, region by region. It takes about two minutes with OpenBLAS and
// runs only with MMI_QUALITY=1:
//
//	MMI_QUALITY=1 go test ./gk -run TestQualityAcrossSimplex -v
//
// Measured (gk/ARCHITECTURE.md, "Quality across the simplex"): 0.0003–0.0047
// in every region except near e_2, the vertex of the tightest marginal
// (0.0167). The thresholds are the project's target, 0.02 in every region
// (0.01 away from e_2, where the measured figures are below 0.005); the
// 40000-step default scored 0.034 near e_2 and fails, the 8000-step
// default before it 0.029 on the data–data edges and 0.063 near e_2.
func TestQualityAcrossSimplex(t *testing.T) {
	if os.Getenv("MMI_QUALITY") == "" {
		t.Skip("set MMI_QUALITY=1 to train the default model on examples/mix3.json (minutes)")
	}
	mix, err := datasets.ReadSpec("../examples/mix3.json")
	if err != nil {
		t.Fatal(err)
	}
	ms := []marginals.Marginal{marginals.StandardGaussian(2)}
	for _, m := range mix {
		ms = append(ms, m)
	}
	c, err := marginals.NewIndependent(ms...)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(Config{Float32: true}, c, Settings{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	m := tr.Model()
	t.Logf("trained %d steps in %.0f s", tr.Step(), time.Since(start).Seconds())
	nmix, err := NormalizeMixtures(mix, m.Normalization())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := CompareOracle(m, trOracle(t, nmix), ReportSettings{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rep.Regions {
		limit := 0.01
		if e.Kind == RegionNearVertex && e.Vertex == 2 {
			limit = 0.02
		}
		t.Logf("%-16s %.4f (worst α %.4f)", e.Name(), e.RelErr, e.MaxRelErr)
		if e.RelErr > limit {
			t.Errorf("%s: relative error %.4f, want ≤ %g", e.Name(), e.RelErr, limit)
		}
	}
	if rep.Identity > 1e-12 {
		t.Errorf("identity residual %g, want 0", rep.Identity)
	}
}

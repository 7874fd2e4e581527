package pathopt

import (
	"math/rand/v2"
	"testing"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/simplex"
)

// BenchmarkCostGrad measures one evaluation of the estimate and its
// gradient (what an optimizer iteration costs, line searches aside): 1024
// draws, 12 nodes, noise → marginal 2, for the exact oracle of mix3 and for
// the default network shape (3×128, Fourier features, K = 3, d = 2).
func BenchmarkCostGrad(b *testing.B) {
	o, c := oracleSetup(b, mix3(b))
	m, err := gk.NewModel(gk.Config{Marginals: 4, Dim: 2}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		g    cond.Conditional
	}{{"oracle", o}, {"network", m}} {
		b.Run(bc.name, func(b *testing.B) {
			e := estimator(b, bc.g, c, 1, nil)
			f := &Family{Points: [][]float64{simplex.Vertex(4, 0), simplex.Vertex(4, 2)}, Modes: 4}
			th := make([]float64, f.Dim())
			grad := make([]float64, f.Dim())
			b.ResetTimer()
			for range b.N {
				if _, err := e.CostGrad(f, th, grad); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
			b.ReportMetric(float64(b.N*e.N()*12)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

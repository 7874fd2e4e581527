package path

import (
	"cmp"
	"context"
	"testing"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/gk"
)

// benchModels are the conditional expectations the benchmarks run on. The
// trained network plugs in here (one more entry returning its cond.Conditional,
// e.g. loaded from a checkpoint under testdata/) once gk has it, so that
// oracle and network speeds are reported side by side.
var benchModels = []struct {
	name string
	make func(b *testing.B) cond.Conditional
	rows int // batch size; 0 means benchRows
}{
	{"oracle-2d-K3", func(b *testing.B) cond.Conditional { return oracle(b, mix2()) }, 0},
	{"oracle-5d-K2", func(b *testing.B) cond.Conditional { return oracle(b, mix5()) }, 0},
	// The networks of gk's BenchmarkTrainStep: small (K = 2, 2-D, 3×256
	// tanh, float64) and MNIST-size (K = 6, 784-D, 3×1024 tanh, float32).
	// Speed does not depend on the weights, so they are untrained; Dopri5's
	// NFE on a trained field differs.
	{"net-small", func(b *testing.B) cond.Conditional { return network(b, 3, 2, 256, false) }, 0},
	{"net-mnist", func(b *testing.B) cond.Conditional { return network(b, 7, 784, 1024, true) }, 256},
}

func network(b *testing.B, k1, d, width int, f32 bool) cond.Conditional {
	m, err := gk.NewModel(gk.Config{Marginals: k1, Dim: d, Hidden: []int{width, width, width}, Float32: f32}, newRand(3))
	if err != nil {
		b.Fatal(err)
	}
	return m
}

const benchRows = 4096

// BenchmarkVelocity measures batch evaluations of b(t, x) along e_0 → e_K
// at an interior time (where the oracle's posterior runs over all
// components): NFE/s, and rows/s.
func BenchmarkVelocity(b *testing.B) {
	for _, m := range benchModels {
		b.Run(m.name, func(b *testing.B) {
			g := m.make(b)
			k1, d := g.Sizes()
			rows := cmp.Or(m.rows, benchRows)
			v := mustVelocity(g, mustPath(Segment(vertex(k1, 0), vertex(k1, k1-1))))
			x := normals(rows*d, newRand(1))
			dst := make([]float64, len(x))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				v.Eval(dst, 0.5, x)
			}
			s := b.Elapsed().Seconds()
			b.ReportMetric(float64(b.N)/s, "NFE/s")
			b.ReportMetric(float64(b.N*rows)/s, "rows/s")
		})
	}
}

// BenchmarkSample measures generated samples per second from noise to the
// last marginal with RK4 (20 steps, 80 NFE) and Dopri5 (default
// tolerances), each evaluation split over GOMAXPROCS goroutines.
func BenchmarkSample(b *testing.B) {
	for _, m := range benchModels {
		for _, s := range []struct {
			name string
			s    Solver
		}{{"RK4-20", RK4{20}}, {"Dopri5", Dopri5{}}} {
			b.Run(m.name+"/"+s.name, func(b *testing.B) {
				g := m.make(b)
				k1, d := g.Sizes()
				rows := cmp.Or(m.rows, benchRows)
				v := mustVelocity(g, mustPath(Segment(vertex(k1, 0), vertex(k1, k1-1))))
				x0 := normals(rows*d, newRand(1))
				x := make([]float64, len(x0))
				nfe := 0
				b.ResetTimer()
				for b.Loop() {
					copy(x, x0)
					st, err := Integrate(context.Background(), v, x, s.s, nil)
					if err != nil {
						b.Fatal(err)
					}
					nfe = st.NFE
				}
				b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "samples/s")
				b.ReportMetric(float64(nfe), "NFE")
			})
		}
	}
}

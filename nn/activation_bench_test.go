package nn

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkBiasAct measures the fused bias + activation pass of one hidden
// layer (512 rows of 128 units, the default 2-D model's batch and width)
// in both widths: on amd64 with AVX2 the assembly kernels, otherwise (and
// with -tags purego) the Go loops that call tanh32 and tanh64.
func BenchmarkBiasAct(b *testing.B) {
	const rows, w = 512, 128
	r := rand.New(rand.NewPCG(1, 2))
	z0 := make([]float64, rows*w)
	for i := range z0 {
		z0[i] = 3 * r.NormFloat64()
	}
	bias := make([]float64, w)
	for i := range bias {
		bias[i] = 0.1 * r.NormFloat64()
	}
	for _, act := range []Activation{Tanh, SiLU} {
		b.Run(act.String()+"/float64", func(b *testing.B) {
			z, s := make([]float64, len(z0)), make([]float64, len(z0))
			for b.Loop() {
				copy(z, z0)
				biasActRows(act, false, z, s, bias, 0, rows)
			}
			b.ReportMetric(float64(rows*w)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
		})
		b.Run(act.String()+"/float32", func(b *testing.B) {
			z32, z, s := make([]float32, len(z0)), make([]float32, len(z0)), make([]float32, len(z0))
			for i, v := range z0 {
				z32[i] = float32(v)
			}
			b32 := make([]float32, w)
			for i, v := range bias {
				b32[i] = float32(v)
			}
			for b.Loop() {
				copy(z, z32)
				biasActRows(act, false, z, s, b32, 0, rows)
			}
			b.ReportMetric(float64(rows*w)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
		})
	}
}

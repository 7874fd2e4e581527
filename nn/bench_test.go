package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// The networks of the engine benchmarks (DESIGN.md, "The network engine").
var benchNets = []struct {
	name  string
	sizes []int
	f32   bool
}{
	{"small", []int{5, 256, 256, 256, 6}, false},        // float64
	{"mnist", []int{791, 1024, 1024, 1024, 5488}, true}, // float32
}

// BenchmarkTrainStep times one training step at batch 512: Forward, the
// MSE gradient against random targets, Backward into a zeroed gradient,
// and an Adam update. It reports samples/s and steps/s.
func BenchmarkTrainStep(b *testing.B) {
	for _, net := range benchNets {
		b.Run(net.name, func(b *testing.B) {
			if net.f32 {
				benchTrainStep[float32](b, net.sizes, 512)
			} else {
				benchTrainStep[float64](b, net.sizes, 512)
			}
		})
	}
}

func benchTrainStep[T Float](b *testing.B, sizes []int, n int) {
	r := rand.New(rand.NewPCG(1, 2))
	m := NewMLP[T](sizes, Tanh, r)
	ws := m.NewWorkspace(n)
	opt := NewAdam[T](len(m.Params))
	grad := make([]T, len(m.Params))
	in := randSlice[T](r, n*m.In(), 1)
	target := randSlice[T](r, n*m.Out(), 1)
	dOut := make([]T, n*m.Out())
	trainStep(m, ws, opt, grad, dOut, in, target, n) // warm up
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		trainStep(m, ws, opt, grad, dOut, in, target, n)
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N*n)/sec, "samples/s")
	b.ReportMetric(float64(b.N)/sec, "steps/s")
	b.ReportMetric(float64(b.N)*stepFlops(sizes, n)/sec/1e9, "GFLOP/s")
}

// stepFlops counts the multiply-adds of a training step's matrix products,
// two flops each: X·W and ∂W += aᵀ·δ for every layer, δ·Wᵀ for every layer
// but the first. Read against BenchmarkGemm it gives the share of the
// machine's peak.
func stepFlops(sizes []int, n int) float64 {
	f := 0.0
	for l := 0; l+1 < len(sizes); l++ {
		k := 2.0
		if l > 0 {
			k = 3
		}
		f += k * 2 * float64(n) * float64(sizes[l]) * float64(sizes[l+1])
	}
	return f
}

// BenchmarkForward times Forward alone at batch 1 (a sample inside an ODE
// solver) and 512.
func BenchmarkForward(b *testing.B) {
	for _, net := range benchNets {
		for _, n := range []int{1, 512} {
			b.Run(fmt.Sprintf("%s/%d", net.name, n), func(b *testing.B) {
				if net.f32 {
					benchForward[float32](b, net.sizes, n)
				} else {
					benchForward[float64](b, net.sizes, n)
				}
			})
		}
	}
}

func benchForward[T Float](b *testing.B, sizes []int, n int) {
	r := rand.New(rand.NewPCG(1, 2))
	m := NewMLP[T](sizes, Tanh, r)
	ws := m.NewWorkspace(n)
	in := randSlice[T](r, n*m.In(), 1)
	m.Forward(ws, in, n)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m.Forward(ws, in, n)
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkGemm measures the machine's matrix-multiply speed through the
// BLAS the engine uses (1024×1024 by 1024×1024, 2·1024³ flops), the peak
// against which the engine's numbers are read.
func BenchmarkGemm(b *testing.B) {
	b.Run("float64", benchGemm[float64])
	b.Run("float32", benchGemm[float32])
}

func benchGemm[T Float](b *testing.B) {
	const k = 1024
	r := rand.New(rand.NewPCG(1, 2))
	x, y := randSlice[T](r, k*k, 1), randSlice[T](r, k*k, 1)
	z := make([]T, k*k)
	gemm(blas.NoTrans, blas.NoTrans, k, k, k, 1, x, k, y, k, 0, z, k)
	b.ResetTimer()
	for range b.N {
		gemm(blas.NoTrans, blas.NoTrans, k, k, k, 1, x, k, y, k, 0, z, k)
	}
	b.ReportMetric(2*k*k*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkAdam times one Adam update of the mnist network's 8.5M float32
// parameters (part of the mnist train step).
func BenchmarkAdam(b *testing.B) {
	const n = 791*1024 + 1024 + 2*(1024*1024+1024) + 1024*5488 + 5488
	r := rand.New(rand.NewPCG(1, 2))
	p, g := randSlice[float32](r, n, 1), randSlice[float32](r, n, 1)
	a := NewAdam[float32](n)
	b.ResetTimer()
	for range b.N {
		a.Update(p, g, 1e-3)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds()/1e6, "Mparams/s")
}

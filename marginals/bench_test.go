package marginals_test

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/nn"
)

// A batch of 512 draws: the base at MNIST size (diagonal path) and a full
// covariance at d = 64 (triangular product).
func BenchmarkGaussianSample(b *testing.B) {
	full := mat.NewSymDense(64, nil)
	for i := 0; i < 64; i++ {
		for j := i; j < 64; j++ {
			full.SetSym(i, j, 0.5)
		}
		full.SetSym(i, i, 1)
	}
	gf, err := marginals.NewGaussian(make([]float64, 64), full)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		g    *marginals.Gaussian
	}{{"standard784", marginals.StandardGaussian(784)}, {"full64", gf}} {
		b.Run(tc.name, func(b *testing.B) {
			dst := make([]float64, 512*tc.g.Dim())
			r := newRand(1)
			b.ReportAllocs()
			for b.Loop() {
				tc.g.Sample(dst, r)
			}
		})
	}
}

// Tuple on six data batches of MNIST size (784 pixels of uniform noise in
// [−1, 1]; the assignments' work depends on n and d, little on the images):
// one block of n rows. The OT coupling of images assigns a whole draw at a
// time, so this is its cost per draw (cmd/mmi's otDefaults).
func BenchmarkTuple(b *testing.B) {
	const d, kk = 784, 6
	if _, err := nn.UseEnvBLAS(); err != nil { // the cost matrices' Dgemm, as in training
		b.Fatal(err)
	}
	for _, n := range []int{128, 256, 512} {
		b.Run(fmt.Sprintf("mnist6x%d", n), func(b *testing.B) {
			r := newRand(1)
			src := make([][]float64, kk)
			xs := make([][]float64, kk)
			for k := range src {
				src[k] = make([]float64, n*d)
				xs[k] = make([]float64, n*d)
				for i := range src[k] {
					src[k][i] = 2*r.Float64() - 1
				}
			}
			for b.Loop() {
				for k := range xs {
					copy(xs[k], src[k])
				}
				marginals.Tuple(xs, d, 0)
			}
		})
	}
}

package marginals_test

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/marginals"
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

package simplex_test

import (
	"testing"

	"github.com/mmi-go/mmi/simplex"
)

func BenchmarkSamplers(b *testing.B) {
	d, _ := simplex.NewSymmetricDirichlet(4, 1)
	small, _ := simplex.NewSymmetricDirichlet(4, 0.1)
	for _, tc := range []struct {
		name string
		s    simplex.Sampler
	}{{"dirichlet1", d}, {"dirichlet0.1", small}, {"edges", simplex.Edges{}}, {"faces2", simplex.Faces{Dim: 2}}} {
		b.Run(tc.name, func(b *testing.B) {
			a := make([]float64, 4)
			r := newRand(1)
			b.ReportAllocs()
			for b.Loop() {
				tc.s.Sample(a, r)
			}
		})
	}
}

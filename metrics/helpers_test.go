package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// normals returns n samples of N(mu, s² I) in dimension len(mu).
func normals(r *rand.Rand, n int, mu []float64, s float64) []float64 {
	d := len(mu)
	x := make([]float64, n*d)
	for i := range x {
		x[i] = mu[i%d] + s*r.NormFloat64()
	}
	return x
}

// variance returns the unbiased sample variance of xs.
func variance(xs []float64) float64 {
	_, se := MeanSE(xs)
	return se * se * float64(len(xs))
}

// dist is the Euclidean distance between rows i of a and j of b, computed
// directly as the reference for the package's distance engine.
func dist(a, b []float64, d, i, j int) float64 {
	s := 0.0
	for c := 0; c < d; c++ {
		t := a[i*d+c] - b[j*d+c]
		s += t * t
	}
	return math.Sqrt(s)
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", name)
		}
	}()
	f()
}

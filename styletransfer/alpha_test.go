package styletransfer

import (
	"math"
	"testing"
)

// TestAlphaRenormalizes: weights that sum to 1 only within WeightTol
// (typed to a few digits: 0.333,0.333,0.334 ± 1e-6) come back as a point
// of the simplex, summing to 1 to rounding and proportional to the
// weights; the simplex checks downstream (1e-9) would refuse them
// otherwise.
func TestAlphaRenormalizes(t *testing.T) {
	for _, w := range [][]float64{{0.5, 0.3, 0.2 + 5e-7}, {0.25, 0.25, 0.5 - 9e-7}, {1 - 1e-7, 0, 0}} {
		a, err := Alpha(len(w)+1, w)
		if err != nil {
			t.Fatalf("%v: %v", w, err)
		}
		sum, wsum := 0.0, 0.0
		for k, v := range a {
			sum += v
			if k > 0 {
				wsum += w[k-1]
			}
		}
		if a[0] != 0 || math.Abs(sum-1) > 4e-16 {
			t.Errorf("%v: α %v sums to 1 %+.3g", w, a, sum-1)
		}
		for k := 1; k < len(a); k++ {
			if math.Abs(a[k]-w[k-1]/wsum) > 1e-16 {
				t.Errorf("%v: α_%d = %.17g, want w_%d/Σw = %.17g", w, k, a[k], k, w[k-1]/wsum)
			}
		}
	}
}

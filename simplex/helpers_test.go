package simplex_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mmi-go/mmi/simplex"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }

// checkOnSimplex fails unless alpha passes Validate and, stricter than
// Validate, has no negative coordinate at all: samplers build points from
// non-negative numbers, so even a rounding-sized negative entry is a bug.
func checkOnSimplex(t *testing.T, alpha []float64) {
	t.Helper()
	if err := simplex.Validate(alpha); err != nil {
		t.Fatalf("%v: %v", alpha, err)
	}
	for k, a := range alpha {
		if a < 0 {
			t.Fatalf("%v: coordinate %d negative", alpha, k)
		}
	}
}

// moments returns the sample mean and variance of x, and the standard errors
// of both: SE(mean) = s/√N and SE(var) = √((m4 − s⁴)/N), m4 the sample
// fourth central moment (the delta-method standard error of a variance).
func moments(x []float64) (mean, variance, seMean, seVar float64) {
	n := float64(len(x))
	for _, v := range x {
		mean += v
	}
	mean /= n
	var m4 float64
	for _, v := range x {
		d := (v - mean) * (v - mean)
		variance += d
		m4 += d * d
	}
	variance /= n
	m4 /= n
	return mean, variance, math.Sqrt(variance / n), math.Sqrt((m4 - variance*variance) / n)
}

// chiSquare returns Σ (O − E)²/E for observed counts against equal
// expected counts.
func chiSquare(counts map[string]int, cells int, total int) float64 {
	e := float64(total) / float64(cells)
	s := 0.0
	for _, c := range counts {
		s += (float64(c) - e) * (float64(c) - e) / e
	}
	// Cells never observed contribute E each.
	s += float64(cells-len(counts)) * e
	return s
}

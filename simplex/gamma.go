package simplex

import (
	"math"
	"math/rand/v2"
)

// logGamma returns log G for G ~ Gamma(shape, 1), shape > 0, by the method of
// Marsaglia and Tsang (ACM TOMS 26(3), 2000): with d = shape − 1/3 and
// c = 1/√(9d), G = d·v³ for v = 1 + c·z, z ~ N(0,1), accepted with
// probability that makes the law exact. For shape < 1 it uses the boost
// G_shape = G_{shape+1} · U^{1/shape}.
//
// The logarithm is returned because U^{1/shape} underflows to 0 for small
// shapes (β = 0.01 is a common Dirichlet concentration near the vertices);
// in log space the Dirichlet normalisation stays exact.
func logGamma(shape float64, r *rand.Rand) float64 {
	boost := 0.0
	if shape < 1 {
		// log U^{1/shape}; 1−Float64() lies in (0, 1], so the log is finite.
		boost = math.Log(1-r.Float64()) / shape
		shape++
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		z := r.NormFloat64()
		v := 1 + c*z
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := 1 - r.Float64() // (0, 1]
		z2 := z * z
		// Squeeze first, then the exact test log u < z²/2 + d − d·v + d·log v.
		if u < 1-0.0331*z2*z2 || math.Log(u) < 0.5*z2+d*(1-v+math.Log(v)) {
			return math.Log(d*v) + boost
		}
	}
}

package simplex

import "math/rand/v2"

// Sampler draws points of Δ^K for training the conditional expectations.
// The paths used for generation must lie where a Sampler puts mass, so
// samplers cover the interior, the faces and the edges.
type Sampler interface {
	// Sample writes one point of Δ^K into dst; len(dst) is K+1.
	Sample(dst []float64, r *rand.Rand)
}

package marginals

import "math/rand/v2"

// Marginal is a distribution on R^d that can be sampled.
type Marginal interface {
	// Dim returns d.
	Dim() int
	// Sample fills dst with len(dst)/d independent samples, row-major.
	// len(dst) must be a multiple of d.
	Sample(dst []float64, r *rand.Rand)
}

// Coupling draws joint samples (x_0, …, x_K) of K+1 marginals of one
// dimension. Its marginals are the ρ_k; the joint law is the coupling.
type Coupling interface {
	// Len returns K+1, the number of marginals coupled.
	Len() int
	// Dim returns the common dimension d.
	Dim() int
	// Sample fills dst[k] with n samples of marginal k, where n is
	// len(dst[0])/d and every dst[k] has the same length; row i of every
	// dst[k] belongs to the same joint draw.
	Sample(dst [][]float64, r *rand.Rand)
}

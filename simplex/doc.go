// Package simplex holds points of the probability simplex
// Δ^K = {α ∈ R^{K+1} : α_k ≥ 0, Σ_k α_k = 1}: validation, vertices,
// barycenters of faces, Euclidean projection, and the samplers of α that
// training draws from (Dirichlet over the interior, uniform on edges and on
// faces, and mixtures of these).
//
// A point is a plain []float64 of length K+1; index 0 is always the Gaussian
// base marginal.
package simplex

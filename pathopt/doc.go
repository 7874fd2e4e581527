// Package pathopt optimizes paths on the simplex for low transport cost
// C[α] = ∫ E|Σ_k α̇_k g_k(α(t), x(α(t)))|² dt with fixed end points.
package pathopt

// Package gk holds the conditional expectations
//
//	g_k(α, x) = E[x_k | Σ_j α_j x_j = x],  k = 0 … K,
//
// of a multimarginal stochastic interpolant: the Conditional interface that
// everything downstream meets at, the exact oracle for independent
// Gaussian-mixture marginals (marginal 0 is N(0, I)), and the neural model
// with its training and checkpoints.
package gk

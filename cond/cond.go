// Package cond holds the interfaces that mmi's packages meet at: the
// conditional expectations g_k(α, x) = E[x_k | x(α) = x], their
// derivatives, and the domain of α where they hold. The trained network
// (package gk) and the exact oracles implement them; paths, solvers, path
// optimization and generation (packages path, pathopt, generate) consume
// them. The package is small on purpose: importing it, or a consumer of
// it, loads neither the network engine nor its BLAS.
package cond

import "github.com/mmi-go/mmi/simplex"

// Conditional is a family of conditional expectations
// g_k(α, x) = E[x_k | x(α) = x] for k = 0 … K over the simplex Δ^K, or
// over the ball part {α ≥ 0, 0 < |α| ≤ C} for conditionals that say so
// (Domained, DomainOf).
// Both the trained network and the exact oracles (package gk) satisfy it,
// so paths, solvers, path optimization and style transfer run against
// either.
//
// Implementations are safe for concurrent use: solvers split batches across
// goroutines.
type Conditional interface {
	// Sizes returns the number of marginals K+1 (the Gaussian included)
	// and the dimension d.
	Sizes() (marginals, dim int)
	// Eval writes g_k(alpha, x_i) into g[k][i*d:(i+1)*d] for every row x_i
	// of x (n rows of d numbers, row-major) and every k = 0 … K.
	// alpha has length K+1 and is shared by the whole batch; len(g) is K+1
	// and every g[k] has len(x) numbers. Mismatched sizes are programmer
	// errors and panic.
	Eval(g [][]float64, alpha, x []float64)
}

// VJPer is implemented by conditional expectations that can differentiate
// with respect to x: the likelihood (divergence of the velocity) and path
// optimization need it.
type VJPer interface {
	Conditional
	// VJP writes into dx, row by row, the vector–Jacobian product
	// u_i^T ∂/∂x [Σ_k w_k g_k(alpha, x)] at x_i, where w has length K+1
	// and u, x and dx hold n rows of d numbers.
	VJP(dx []float64, w, alpha, x, u []float64)
}

// AlphaVJPer is implemented by conditional expectations that can also
// differentiate with respect to α. Path optimization needs it: α(t) enters
// the transport cost through the α-input of g as well as through α̇ and
// x(α), so the gradient of the cost with respect to a path's parameters
// needs ∂g/∂α.
type AlphaVJPer interface {
	VJPer
	// VJPAlpha computes, for G(α, x) = Σ_k w_k g_k(α, x) and cotangents
	// u_i at the rows x_i,
	//
	//	dalpha_m = Σ_i u_iᵀ ∂G/∂α_m (alpha, x_i),  m = 0 … K (summed over the batch),
	//	dx_i     = u_iᵀ ∂G/∂x (alpha, x_i)         (row by row, as VJP).
	//
	// α is treated as a free vector of R^{K+1} (not constrained to the
	// simplex), so ∂/∂α_m is defined also where α_m = 0, on the faces and
	// edges. dalpha has length K+1 and is overwritten; dx is skipped when
	// nil. Mismatched sizes are programmer errors and panic.
	VJPAlpha(dalpha, dx []float64, w, alpha, x, u []float64)
}

// Domained is implemented by conditional expectations that know the set of
// α where they hold: a trained model the domain it was trained on, an
// exact oracle the unbounded ball (its formulas hold for any α ≥ 0, α ≠ 0).
type Domained interface {
	Domain() simplex.Domain
}

// DomainOf returns g's domain: g.Domain() if g is Domained, the simplex
// otherwise (a conditional that says nothing was learned on Δ^K).
func DomainOf(g Conditional) simplex.Domain {
	if d, ok := g.(Domained); ok {
		return d.Domain()
	}
	return simplex.Simplex
}

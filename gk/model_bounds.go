package gk

import (
	"fmt"
	"math"
)

// Bounds is a box [Lo, Hi] in data coordinates that every coordinate of
// every data marginal ρ_1 … ρ_K lies in (pixels in [−1, 1], say). The zero
// Bounds means none.
//
// A conditional expectation of a bounded variable is bounded the same way:
// g_k(α, x) = E[x_k | x(α) = x] ∈ [Lo, Hi]^d for k ≥ 1. A model with
// Bounds clamps its raw data heads h_1 … h_K into the box (in model
// coordinates) before the heads are read directly or projected onto
// {Σ_k α_k g_k = x}; the Gaussian head g_0 is not bounded. Clamping onto a
// box and the projection onto the affine set are both Euclidean
// projections onto convex sets that hold the true g, so each can only
// reduce the error Σ_k |ĝ_k − g_k|², and the identity stays exact.
//
// Training with bounds passes the loss gradient of the clamped head,
// clamp(h) − x, straight to the raw head h. That is the gradient of the
// convex loss that is quadratic inside the box and linear outside, whose
// minimizer satisfies clamp(h) = E[x | ·]: the network is free to push a
// background pixel far below Lo (it is read as exactly Lo) but is pulled
// back whenever the target lies inside, so no pixel gets stuck outside.
// Measured on MNIST it removes the speckle that an unbounded head leaves
// on the background (gk/ARCHITECTURE.md).
type Bounds struct{ Lo, Hi float64 }

// IsZero reports whether b means no bounds.
func (b Bounds) IsZero() bool { return b == Bounds{} }

func (b Bounds) validate() error {
	if b.IsZero() {
		return nil
	}
	if math.IsNaN(b.Lo) || math.IsNaN(b.Hi) || math.IsInf(b.Lo, 0) || math.IsInf(b.Hi, 0) || !(b.Lo < b.Hi) {
		return fmt.Errorf("gk: data bounds [%v, %v], need finite Lo < Hi", b.Lo, b.Hi)
	}
	return nil
}

// headBox is Bounds in model coordinates: per coordinate j,
// lo_j = (Lo − c_j)/s and hi_j = (Hi − c_j)/s.
type headBox struct{ lo, hi []float64 }

func newHeadBox(b Bounds, norm Affine, d int) *headBox {
	lo, hi := b.InModel(norm, d)
	if lo == nil {
		return nil
	}
	return &headBox{lo: lo, hi: hi}
}

// InModel returns the box in the model coordinates of norm, per
// coordinate of d: lo_j = (Lo − c_j)/s, hi_j = (Hi − c_j)/s; nil for the
// zero Bounds. A model clamps its data heads into it; so does anything
// that forms estimates of data samples from them (generate's guidance).
func (b Bounds) InModel(norm Affine, d int) (lo, hi []float64) {
	if b.IsZero() {
		return nil, nil
	}
	lo, hi = make([]float64, d), make([]float64, d)
	for j := range lo {
		lo[j], hi[j] = b.Lo, b.Hi
	}
	norm.Normalize(lo)
	norm.Normalize(hi)
	return lo, hi
}

// clamp writes h clamped into the box into dst (len d each; may alias).
func (hb *headBox) clamp(dst, h []float64) {
	lo, hi := hb.lo[:len(h)], hb.hi[:len(h)]
	for j, v := range h {
		dst[j] = min(max(v, lo[j]), hi[j])
	}
}

// mask zeroes the entries of the cotangent u where the raw head h lies
// outside the box (where the clamp is flat).
func (hb *headBox) mask(u, h []float64) {
	lo, hi := hb.lo[:len(h)], hb.hi[:len(h)]
	for j, v := range h {
		if v < lo[j] || v > hi[j] {
			u[j] = 0
		}
	}
}

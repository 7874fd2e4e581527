package gk

import (
	"math"
	"math/rand/v2"

	"github.com/mmi-go/mmi/simplex"
)

// BallShare is the share of the draws of a ball model's α-distribution
// that fall off the simplex; the rest are the simplex distribution's own
// draws, so a ball model sees the simplex as often as it sees the rest of
// the ball and does everything a simplex model does (gk/ARCHITECTURE.md,
// "The ball domain", has the measurement).
const BallShare = 0.5

// alphaBall draws α from the ball domain {α ≥ 0, 0 < |α|₂ ≤ C}:
//
//   - with probability 1 − BallShare, s from the simplex distribution
//     (interior, faces, edges, vertices) as it is;
//   - otherwise the same kind of draw s, rescaled to the Euclidean radius
//     r = C·√U, U uniform on (0, 1]: α = r s/|s|₂.
//
// The direction s/|s|₂ keeps the simplex distribution's preference for
// edges (two-coordinate schedules (α_i, α_j) are what paths use), and
// r = C√U is uniform in area on each such quarter disc, so the small radii
// where the interpolant carries almost no signal get little mass (4.5 %
// below r = 0.3 for C = √2).
type alphaBall struct {
	inner  simplex.Sampler
	radius float64
}

// Sample writes one point into dst. Not safe for concurrent use.
func (b *alphaBall) Sample(dst []float64, r *rand.Rand) {
	b.inner.Sample(dst, r)
	if r.Float64() >= BallShare {
		return
	}
	n := 0.0
	for _, a := range dst {
		n += a * a
	}
	rad := b.radius * math.Sqrt(1-r.Float64()) // 1 − U ∈ (0, 1]
	c := rad / math.Sqrt(n)
	for k := range dst {
		dst[k] *= c
	}
}

package simplex

import (
	"fmt"
	"math/rand/v2"
)

// Edges is uniform on the union of the edges of Δ^K: an edge {e_i, e_j},
// i ≠ j, is chosen uniformly among the K(K+1)/2, then α = t e_i + (1−t) e_j
// with t ~ U(0, 1). Paths between two marginals run along edges, so the
// training distribution needs mass there, which a Dirichlet on the interior
// does not give.
type Edges struct{}

var _ Sampler = Edges{}

// Sample writes one point into dst. It panics if len(dst) < 2.
func (Edges) Sample(dst []float64, r *rand.Rand) {
	n := len(dst)
	if n < 2 {
		panic(fmt.Sprintf("simplex: Edges needs at least 2 coordinates, dst has %d", n))
	}
	// An ordered pair (i, j), i ≠ j, uniform over n(n−1): each unordered
	// pair is drawn twice as often as either order, so it is uniform too.
	i := r.IntN(n)
	j := r.IntN(n - 1)
	if j >= i {
		j++
	}
	t := r.Float64()
	clear(dst)
	dst[i] = t
	dst[j] = 1 - t
}

// Vertices is uniform on the K+1 vertices e_k of Δ^K: each marginal on its
// own, where g_k(e_k, x) = x must be learned exactly.
type Vertices struct{}

var _ Sampler = Vertices{}

// Sample writes one vertex into dst. It panics if dst is empty.
func (Vertices) Sample(dst []float64, r *rand.Rand) {
	if len(dst) == 0 {
		panic("simplex: Vertices: empty dst")
	}
	clear(dst)
	dst[r.IntN(len(dst))] = 1
}

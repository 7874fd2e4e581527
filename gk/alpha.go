package gk

import (
	"math/rand/v2"

	"github.com/mmi-go/mmi/simplex"
)

// alphaEdges draws α on the edges of Δ^K like simplex.Edges, with two
// refinements measured in gk/ARCHITECTURE.md:
//
//   - the position t of α = (1−t) e_i + t e_j is Beta(beta, beta)
//     distributed (beta = 1 is uniform; beta < 1 puts more mass near the
//     vertices, where g varies fastest in α on edges between data
//     marginals);
//   - with dataShare > 0 (and K ≥ 2) a data–data edge (i, j ≥ 1) is chosen
//     with probability dataShare and a Gaussian–data edge otherwise, each
//     uniformly among its kind; dataShare = 0 chooses uniformly among all
//     edges.
type alphaEdges struct {
	beta      float64
	dataShare float64
	t         *simplex.Dirichlet // Dirichlet(beta, beta) = Beta for t; nil when beta = 1
	buf       [2]float64
}

func newAlphaEdges(beta, dataShare float64) (*alphaEdges, error) {
	e := &alphaEdges{beta: beta, dataShare: dataShare}
	if beta != 1 {
		d, err := simplex.NewSymmetricDirichlet(2, beta)
		if err != nil {
			return nil, err
		}
		e.t = d
	}
	return e, nil
}

// Sample writes one point into dst (len ≥ 2). Not safe for concurrent use
// (one trainer draws with it).
func (e *alphaEdges) Sample(dst []float64, r *rand.Rand) {
	n := len(dst)
	var i, j int
	switch {
	case e.dataShare > 0 && n >= 3 && r.Float64() < e.dataShare:
		// Ordered pair of distinct data marginals 1 … n−1.
		i = 1 + r.IntN(n-1)
		j = 1 + r.IntN(n-2)
		if j >= i {
			j++
		}
	case e.dataShare > 0 && n >= 3:
		i, j = 0, 1+r.IntN(n-1)
		if r.IntN(2) == 0 {
			i, j = j, i
		}
	default:
		i = r.IntN(n)
		j = r.IntN(n - 1)
		if j >= i {
			j++
		}
	}
	t := r.Float64()
	if e.t != nil {
		e.t.Sample(e.buf[:], r)
		t = e.buf[0]
	}
	clear(dst)
	dst[i] = t
	dst[j] = 1 - t
}

package styletransfer

import (
	"fmt"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// Route returns the path from data marginal `from` to `to` on a model of
// k1 = K+1 marginals: the straight edge e_from → e_to, or the polyline
// through the vertices of via, or p itself when p is not nil (an
// optimized path from pathopt, say), which must then start at e_from and
// end at e_to.
func Route(k1, from, to int, via []int, p path.Path) (path.Path, error) {
	if from == to {
		return nil, fmt.Errorf("styletransfer: from and to are both marginal %d", from)
	}
	for _, k := range []int{from, to} {
		if err := generate.CheckStops(k1, k); err != nil {
			return nil, fmt.Errorf("styletransfer: %w", err)
		}
	}
	if p == nil {
		stops := append(append([]int{from}, via...), to)
		return generate.Polyline(k1, stops...)
	}
	if len(via) > 0 {
		return nil, fmt.Errorf("styletransfer: give waypoints or a path, not both")
	}
	if p.Len() != k1 {
		return nil, fmt.Errorf("styletransfer: the path is on %d marginals, the model has %d", p.Len(), k1)
	}
	a := make([]float64, k1)
	for _, end := range []struct {
		t float64
		k int
	}{{0, from}, {1, to}} {
		p.Alpha(a, end.t)
		if !simplex.IsVertex(a, end.k) {
			return nil, fmt.Errorf("styletransfer: the path is at %v at t = %v, not at marginal %d", a, end.t, end.k)
		}
	}
	return p, nil
}

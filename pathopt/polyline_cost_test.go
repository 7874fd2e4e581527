package pathopt

import (
	"math"
	"testing"

	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// TestPolylineCostIsStraightCost: a polyline through evenly spaced points
// of the straight edge e_i → e_j (pieces of equal time, so the same α(t)
// and α̇(t)) is the straight path, and its estimated cost must be the
// straight one's. The draws are common to both, so only the quadrature
// differs (16 Gauss–Legendre nodes per piece on a smooth integrand:
// below 1e-6 relative); 1e-4 fails any mistake in the weights of a
// piecewise path, such as dropping the (hi − lo) factor, which doubles or
// triples the cost.
func TestPolylineCostIsStraightCost(t *testing.T) {
	o, c := oracleSetup(t, twoGaussians(t))
	e := estimator(t, o, c, 3, &EstimatorSettings{N: 2048})
	for _, pair := range [][2]int{{0, 1}, {1, 2}} {
		a, b := simplex.Vertex(3, pair[0]), simplex.Vertex(3, pair[1])
		at := func(s float64) []float64 {
			p := make([]float64, 3)
			for k := range p {
				p[k] = (1-s)*a[k] + s*b[k]
			}
			return p
		}
		straight, err := path.Segment(a, b)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := e.Cost(straight)
		for _, pts := range [][][]float64{{a, at(0.5), b}, {a, at(1.0 / 3), at(2.0 / 3), b}} {
			poly, err := path.Polyline(pts...)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := e.Cost(poly)
			if math.Abs(got.Cost-want.Cost) > 1e-4*want.Cost {
				t.Errorf("%d→%d through %d points of the edge: cost %.6g, the straight edge %.6g", pair[0], pair[1], len(pts)-2, got.Cost, want.Cost)
			}
		}
	}
}

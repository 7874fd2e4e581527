package path_test

import (
	"fmt"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// A noise schedule off the simplex: the trigonometric path e_0 → e_1 and
// a spline through hand-set knots. Both leave Σα = 1, so a simplex model
// refuses them and a ball model (or the exact oracle) runs them.
func ExampleTrig() {
	trig, _ := path.Trig(2, 0, 1)
	spline, _ := path.NewSplineSchedule(2, 0, 1, path.ScheduleKnots{
		T: []float64{0, 0.5, 1}, AlphaFrom: []float64{1, 0.8, 0}, AlphaTo: []float64{0, 0.6, 1},
	})
	a := make([]float64, 2)
	for _, p := range []path.Path{trig, spline} {
		p.Alpha(a, 0.5)
		fmt.Printf("α(0.5) = (%.3f, %.3f); simplex: %v; ball: %v\n", a[0], a[1],
			path.CheckIn(p, simplex.Simplex) == nil, path.CheckIn(p, simplex.Ball(simplex.DefaultRadius)) == nil)
	}
	fmt.Println("the oracle's domain:", cond.DomainOf(&gk.Oracle{}))
	// Output:
	// α(0.5) = (0.707, 0.707); simplex: false; ball: true
	// α(0.5) = (0.800, 0.600); simplex: false; ball: true
	// the oracle's domain: ball(+Inf)
}

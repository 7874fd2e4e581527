package path_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/path/pathtest"
	"github.com/mmi-go/mmi/simplex"
)

// Midpoint is the explicit midpoint method with Steps equal steps,
// X ← X + h·b(t + h/2, X + h/2·b(t, X)): second order, two NFE per step.
// It is a complete Solver written outside package path.
type Midpoint struct{ Steps int }

func (m Midpoint) Solve(ctx context.Context, pr *path.Problem, y []float64) (path.Stats, error) {
	if m.Steps < 1 {
		return path.Stats{}, fmt.Errorf("midpoint: needs Steps ≥ 1, have %d", m.Steps)
	}
	k, mid := make([]float64, len(y)), make([]float64, len(y))
	var st path.Stats
	ts := pr.Grid(m.Steps) // equal steps, plus the breaks of the path
	pr.Record(0, y)
	for i := 0; i+1 < len(ts); i++ {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		t, h := ts[i], ts[i+1]-ts[i]
		pr.F(k, t, y, false)
		for j := range y {
			mid[j] = y[j] + h/2*k[j]
		}
		pr.F(k, t+h/2, mid, false)
		for j := range y {
			y[j] += h * k[j]
		}
		st.Accepted++
		pr.Record(ts[i+1], y)
	}
	return st, nil
}

// A solver of one's own: the midpoint method above, on a path with a kink
// (a break at t = 1/2) between exact Gaussian marginals, whose flow is
// known in closed form, x ↦ −1 + x/2. Halving the step divides the error
// by at least four, as a second-order method should (by about eight on
// this problem); the kink costs no order because the steps land on it.
func ExampleSolver() {
	// ρ_0 = N(0, 1), ρ_1 = N(3, 4), ρ_2 = N(−1, 1/4) on R: the flow from
	// e_0 to e_2 along any path is x ↦ −1 + x/2.
	g := pathtest.New([][]float64{{0}, {3}, {-1}}, [][]float64{{1}, {4}, {0.25}})
	e0, e2 := simplex.Vertex(3, 0), simplex.Vertex(3, 2)
	center, _ := simplex.Barycenter(3, []int{0, 1, 2})
	p, err := path.Polyline(e0, center, e2)
	if err != nil {
		panic(err)
	}
	v, err := path.NewVelocity(g, p)
	if err != nil {
		panic(err)
	}
	x0 := []float64{-1, 0, 2} // three samples of ρ_0
	var errs []float64
	for _, steps := range []int{10, 20} {
		x := append([]float64(nil), x0...)
		st, err := path.Integrate(context.Background(), v, x, Midpoint{steps}, nil)
		if err != nil {
			panic(err)
		}
		maxErr := 0.0
		for i := range x {
			maxErr = math.Max(maxErr, math.Abs(x[i]-(-1+x0[i]/2)))
		}
		errs = append(errs, maxErr)
		fmt.Printf("%d steps, %d NFE: X(1) = %.4f, error %.0e\n", steps, st.NFE, x, maxErr)
	}
	fmt.Printf("halving the step divides the error by %.1f\n", errs[0]/errs[1])
	// Output:
	// 10 steps, 20 NFE: X(1) = [-1.4996 -1.0000 -0.0008], error 8e-04
	// 20 steps, 40 NFE: X(1) = [-1.5000 -1.0000 -0.0001], error 1e-04
	// halving the step divides the error by 7.8
}

// eulerMaruyama is path.EulerMaruyama written outside the package through
// the exported SDEProblem methods.
type eulerMaruyama struct{ steps int }

func (m eulerMaruyama) SolveSDE(ctx context.Context, s *path.SDEProblem, x []float64) (path.Stats, error) {
	f := make([]float64, len(x))
	ts := s.Grid(m.steps)
	var st path.Stats
	s.Record(0, x)
	for i := 0; i+1 < len(ts); i++ {
		h := ts[i+1] - ts[i]
		sigma, err := s.Drift(f, ts[i], x, false)
		if err != nil {
			return st, err
		}
		dw := s.Noise(h)
		for j := range x {
			x[j] += h*f[j] + sigma*dw[j]
		}
		st.Accepted++
		s.Record(ts[i+1], x)
	}
	return st, nil
}

// TestOutsideSDESolver checks that the exported SDEProblem is enough to
// write an SDE solver outside the package: the Euler–Maruyama method above
// gives the built-in one's numbers bit for bit, with the same NFE and
// trajectory, on a path with a break.
func TestOutsideSDESolver(t *testing.T) {
	g := pathtest.New([][]float64{{0, 0}, {3, 1}, {-1, 2}}, [][]float64{{1, 1}, {4, 0.5}, {0.25, 2}})
	center, _ := simplex.Barycenter(3, []int{0, 1, 2})
	p, err := path.Polyline(simplex.Vertex(3, 0), center, simplex.Vertex(3, 2))
	if err != nil {
		t.Fatal(err)
	}
	v, err := path.NewVelocity(g, p)
	if err != nil {
		t.Fatal(err)
	}
	x0 := []float64{-1, 0.5, 0, 0, 2, -0.3}
	var xs [][]float64
	var trs []*path.Trajectory
	var nfes []int
	for _, s := range []path.SDESolver{path.EulerMaruyama{Steps: 7}, eulerMaruyama{7}} {
		x := append([]float64(nil), x0...)
		tr := &path.Trajectory{Rows: []int{1}}
		st, err := path.IntegrateSDE(context.Background(), v, x, path.EpsAlpha0(1), s, rand.New(rand.NewPCG(5, 6)), &path.Options{Trajectory: tr})
		if err != nil {
			t.Fatal(err)
		}
		xs, trs, nfes = append(xs, x), append(trs, tr), append(nfes, st.NFE)
	}
	if !slices.Equal(xs[0], xs[1]) || nfes[0] != nfes[1] || !slices.Equal(trs[0].T, trs[1].T) {
		t.Errorf("outside solver: X(1) = %v with %d NFE, times %v; built-in: %v with %d NFE, times %v",
			xs[1], nfes[1], trs[1].T, xs[0], nfes[0], trs[0].T)
	}
	if slices.Equal(xs[0], x0) {
		t.Error("nothing moved")
	}
}

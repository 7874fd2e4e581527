package path

import (
	"math"
	"math/rand/v2"
	"sync/atomic"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/path/pathtest"
)

// gauss3 is three independent diagonal Gaussians on R² (marginal 0 the
// standard normal) with different scales per coordinate, so that the flow
// stretches one coordinate and shrinks the other.
func gauss3() *pathtest.Gaussians {
	return pathtest.New(
		[][]float64{{0, 0}, {2, -1}, {-1, 3}},
		[][]float64{{1, 1}, {0.25, 4}, {2, 0.5}},
	)
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

func normals(n int, r *rand.Rand) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

func vertex(n, k int) []float64 {
	e := make([]float64, n)
	e[k] = 1
	return e
}

func mustPath(p Path, err error) Path {
	if err != nil {
		panic(err)
	}
	return p
}

// mustVelocity is NewVelocity for tests whose model and path are valid.
func mustVelocity(g cond.Conditional, p Path) *Velocity {
	v, err := NewVelocity(g, p)
	if err != nil {
		panic(err)
	}
	return v
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// counting wraps a Conditional (with its VJP when it has one) and counts
// calls and rows evaluated: an independent check of the NFE the package
// reports.
type counting struct {
	g     cond.Conditional
	calls atomic.Int64
	rows  atomic.Int64
	vjps  atomic.Int64 // rows through VJP
}

func (c *counting) Sizes() (int, int) { return c.g.Sizes() }

func (c *counting) Eval(g [][]float64, alpha, x []float64) {
	_, d := c.g.Sizes()
	c.calls.Add(1)
	c.rows.Add(int64(len(x) / d))
	c.g.Eval(g, alpha, x)
}

func (c *counting) VJP(dx []float64, w, alpha, x, u []float64) {
	_, d := c.g.Sizes()
	c.vjps.Add(int64(len(x) / d))
	c.g.(cond.VJPer).VJP(dx, w, alpha, x, u)
}

func rmsDiff(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s / float64(len(a)))
}

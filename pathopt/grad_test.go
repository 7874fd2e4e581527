package pathopt

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/simplex"
)

// checkGrad compares CostGrad with central differences of the estimate in
// every parameter. The estimate is a deterministic function of θ (fixed
// draws and nodes), smooth where no coordinate of the path crosses 0 at a
// node, so the difference quotient with h = 1e-6 has truncation error
// h²·|third derivative| ~ 1e-12·|third derivative| and rounding ε|C|/h ~ 1e-10·|C|; tol is relative
// to the largest gradient entry.
//
// It returns the number of kinks of the path (times where a coordinate
// reaches 0 inside a piece): the stretches between them are integrated
// separately, and as they move with θ so do the nodes, which the gradient
// must include.
func checkGrad(t *testing.T, name string, e *Estimator, f *Family, theta []float64, tol float64) int {
	t.Helper()
	grad := make([]float64, f.Dim())
	if _, err := e.CostGrad(f, theta, grad); err != nil {
		t.Fatal(err)
	}
	scale := 0.0
	for _, v := range grad {
		scale = math.Max(scale, math.Abs(v))
	}
	if scale == 0 {
		t.Fatalf("%s: gradient is 0", name)
	}
	cost := func(th []float64) float64 {
		p, err := f.Path(th)
		if err != nil {
			t.Fatal(err)
		}
		est, err := e.Cost(p)
		if err != nil {
			t.Fatal(err)
		}
		return est.Cost
	}
	const h = 1e-6
	worst := 0.0
	for i := range theta {
		th := append([]float64(nil), theta...)
		th[i] += h
		cp := cost(th)
		th[i] -= 2 * h
		cm := cost(th)
		fd := (cp - cm) / (2 * h)
		worst = math.Max(worst, math.Abs(fd-grad[i])/scale)
		if math.Abs(fd-grad[i]) > tol*scale {
			t.Errorf("%s: ∂C/∂θ[%d] = %.10g, finite difference %.10g (largest entry %.3g)", name, i, grad[i], fd, scale)
		}
	}
	p, _ := f.sine(theta)
	kinks := len(p.Breaks()) - (len(f.Points) - 2)
	t.Logf("%s: max |grad − fd|/max|grad| = %.2g over %d parameters; %d kinks", name, worst, len(theta), kinks)
	return kinks
}

// randomTheta returns parameters that bend the path into the interior:
// positive first-mode weight on every coordinate that is 0 at both ends,
// small random values elsewhere.
func randomTheta(f *Family, r *rand.Rand) []float64 {
	th := make([]float64, f.Dim())
	for i := range th {
		th[i] = 0.05 * r.NormFloat64()
	}
	if f.Reparam {
		return th
	}
	n := len(f.Points[0])
	for j := 0; j+1 < len(f.Points); j++ {
		for k := 0; k < n; k++ {
			if f.Points[j][k] == 0 && f.Points[j+1][k] == 0 {
				th[(j*f.Modes)*n+k] += 0.3
			}
		}
	}
	return th
}

func TestCostGradOracle(t *testing.T) {
	o, c := oracleSetup(t, mix3(t))
	e := estimator(t, o, c, 1, &EstimatorSettings{N: 256, Nodes: 8})
	r := rand.New(rand.NewPCG(3, 4))
	bary := []float64{0.25, 0.25, 0.25, 0.25}
	fams := map[string]*Family{
		"noise→2":           {Points: [][]float64{simplex.Vertex(4, 0), simplex.Vertex(4, 2)}, Modes: 3},
		"1→3":               {Points: [][]float64{simplex.Vertex(4, 1), simplex.Vertex(4, 3)}, Modes: 3},
		"1→3 reparam":       {Points: [][]float64{simplex.Vertex(4, 1), simplex.Vertex(4, 3)}, Modes: 3, Reparam: true},
		"0→bary→3":          {Points: [][]float64{simplex.Vertex(4, 0), bary, simplex.Vertex(4, 3)}, Modes: 2},
		"1→2 via 3 reparam": {Points: [][]float64{simplex.Vertex(4, 1), simplex.Vertex(4, 3), simplex.Vertex(4, 2)}, Modes: 2, Reparam: true},
	}
	kinks := 0
	for name, f := range fams {
		kinks += checkGrad(t, name, e, f, randomTheta(f, r), 1e-5)
	}
	if kinks == 0 {
		t.Error("no path had a kink: the derivative through moving kinks is not tested")
	}
	// At θ = 0 (the straight edge) the gradient towards the interior is
	// not zero: the family does not have the zero-gradient trap.
	f := fams["1→3"]
	grad := make([]float64, f.Dim())
	if _, err := e.CostGrad(f, make([]float64, f.Dim()), grad); err != nil {
		t.Fatal(err)
	}
	off := 0.0
	for i := 0; i < f.Modes; i++ {
		off = math.Max(off, math.Abs(grad[i*4+0])+math.Abs(grad[i*4+2]))
	}
	if off < 1e-3 {
		t.Errorf("gradient towards vertices 0 and 2 on the straight edge 1→3 is %g: the path cannot leave the edge", off)
	}
}

// The same with an untrained network (random weights, Fourier features):
// the gradient must run through its α-features and its x-input.
func TestCostGradNetwork(t *testing.T) {
	for _, heads := range []gk.Heads{gk.HeadsDirect, gk.HeadsProjected} {
		m, err := gk.NewModel(gk.Config{Marginals: 4, Dim: 2, Hidden: []int{16, 16}, Heads: heads}, rand.New(rand.NewPCG(5, 6)))
		if err != nil {
			t.Fatal(err)
		}
		_, c := oracleSetup(t, mix3(t))
		e := estimator(t, m, gk.NormalizedCoupling(c, gk.Affine{Center: []float64{0.5, 0}, Scale: 2}), 2, &EstimatorSettings{N: 128, Nodes: 6, Scale: 2})
		r := rand.New(rand.NewPCG(7, 8))
		f := &Family{Points: [][]float64{simplex.Vertex(4, 0), []float64{0.1, 0.2, 0.3, 0.4}, simplex.Vertex(4, 3)}, Modes: 2}
		if checkGrad(t, heads.String(), e, f, randomTheta(f, r), 1e-5) == 0 {
			t.Error("no kink: the derivative through moving kinks is not tested")
		}
	}
}

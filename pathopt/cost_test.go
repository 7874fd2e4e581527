package pathopt

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// twoGaussians are single Gaussians with different means and correlated
// covariances (marginals 1 and 2; marginal 0 is N(0, I)).
func twoGaussians(t testing.TB) []*marginals.Mixture {
	return []*marginals.Mixture{
		single(gauss(t, []float64{2, -1}, 0.5, 0.2, 0.2, 0.3)),
		single(gauss(t, []float64{-1, 1.5}, 1.5, -0.4, -0.4, 0.6)),
	}
}

// straightSpeed2 is E|b|² at time t of the straight edge e_i → e_j between
// single Gaussians, in closed form, written from the Gaussian formulas
// without the oracle: b(x) = μ_j − μ_i + D S⁻¹(x − m) with
// S = (1−t)²Σ_i + t²Σ_j, D = tΣ_j − (1−t)Σ_i, so
// E|b|² = |μ_j − μ_i|² + tr(D S⁻¹ D).
func straightSpeed2(t float64, mi []float64, si mat.Symmetric, mj []float64, sj mat.Symmetric) float64 {
	d := len(mi)
	S := mat.NewDense(d, d, nil)
	D := mat.NewDense(d, d, nil)
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			S.Set(r, c, (1-t)*(1-t)*si.At(r, c)+t*t*sj.At(r, c))
			D.Set(r, c, t*sj.At(r, c)-(1-t)*si.At(r, c))
		}
	}
	var x mat.Dense
	if err := x.Solve(S, D); err != nil {
		panic(err)
	}
	var dsd mat.Dense
	dsd.Mul(D, &x)
	v := mat.Trace(&dsd)
	for r := 0; r < d; r++ {
		v += (mj[r] - mi[r]) * (mj[r] - mi[r])
	}
	return v
}

func gaussianOf(mix []*marginals.Mixture, k int) ([]float64, mat.Symmetric) {
	if k == 0 {
		d := mix[0].Dim()
		id := mat.NewSymDense(d, nil)
		for i := 0; i < d; i++ {
			id.SetSym(i, i, 1)
		}
		return make([]float64, d), id
	}
	c := mix[k-1].Components()[0]
	return c.Mean(), c.Cov()
}

// The estimate of the straight edge's cost agrees with a 200-node
// Gauss–Legendre integral of the closed form within three standard errors
// (a 0.3 % false-alarm rate for a Gaussian error; the estimator's own
// quadrature error with 16 nodes is below 1e-6 relative for this smooth
// integrand, far below the standard error).
func TestStraightCostClosedForm(t *testing.T) {
	mix := twoGaussians(t)
	o, c := oracleSetup(t, mix)
	e := estimator(t, o, c, 3, &EstimatorSettings{N: 4096})
	for _, pair := range [][2]int{{0, 1}, {0, 2}, {1, 2}, {2, 1}} {
		i, j := pair[0], pair[1]
		p, err := path.Segment(simplex.Vertex(3, i), simplex.Vertex(3, j))
		if err != nil {
			t.Fatal(err)
		}
		est, err := e.Cost(p)
		if err != nil {
			t.Fatal(err)
		}
		mi, si := gaussianOf(mix, i)
		mj, sj := gaussianOf(mix, j)
		exact := quad.Fixed(func(tt float64) float64 { return straightSpeed2(tt, mi, si, mj, sj) }, 0, 1, 200, quad.Legendre{}, 0)
		t.Logf("%d→%d: estimate %.5f ± %.5f, closed form %.5f", i, j, est.Cost, est.StdErr, exact)
		if math.Abs(est.Cost-exact) > 3*est.StdErr {
			t.Errorf("%d→%d: estimate %.6g ± %.3g, closed form %.6g", i, j, est.Cost, est.StdErr, exact)
		}
		if est.StdErr > 0.05*exact || est.StdErr <= 0 {
			t.Errorf("%d→%d: standard error %.3g of a cost %.3g: implausible", i, j, est.StdErr, exact)
		}
	}
}

// C[α] ≥ W2²(ρ_i, ρ_j) for every path (the interpolant's velocity is one
// transport of ρ_i onto ρ_j; Benamou–Brenier), so no optimized path may
// report less, beyond its standard error. W2 is the closed form for
// Gaussians (metrics.GaussianW2). The optimizer also has to improve on the
// straight edge by more than its standard error in at least one case, so
// the bound is tested at optimized paths, not only at the start.
func TestNoPathBelowW2(t *testing.T) {
	cases := []struct {
		name string
		mix  []*marginals.Mixture
		i, j int
	}{
		{"noise→1", twoGaussians(t), 0, 1},
		{"1→2", twoGaussians(t), 1, 2},
		{"elongated 1→2", elongated(t, 1, 0.8), 1, 2},
	}
	improved := false
	for _, tc := range cases {
		o, c := oracleSetup(t, tc.mix)
		e := estimator(t, o, c, 5, &EstimatorSettings{N: 1024})
		f := edge(3, tc.i, tc.j)
		res, err := Optimize(context.Background(), e, f, &Settings{Iters: 60})
		if err != nil {
			t.Fatal(err)
		}
		mi, si := gaussianOf(tc.mix, tc.i)
		mj, sj := gaussianOf(tc.mix, tc.j)
		w2 := metrics.GaussianW2(mi, si, mj, sj)
		w2 *= w2
		t.Logf("%s: W2² %.4f, straight %.4f ± %.4f, optimized %.4f ± %.4f (%d iterations, %s)",
			tc.name, w2, res.Straight.Cost, res.Straight.StdErr, res.Optimized.Cost, res.Optimized.StdErr, res.Iters, res.Status)
		if res.Optimized.Cost < w2-3*res.Optimized.StdErr {
			t.Errorf("%s: optimized cost %.5g ± %.3g is below W2² = %.5g", tc.name, res.Optimized.Cost, res.Optimized.StdErr, w2)
		}
		if res.Optimized.Cost > res.Straight.Cost {
			t.Errorf("%s: optimized %.5g worse than straight %.5g", tc.name, res.Optimized.Cost, res.Straight.Cost)
		}
		if res.Straight.Cost-res.Optimized.Cost > 3*res.Straight.StdErr {
			improved = true
		}
	}
	if !improved {
		t.Error("no case improved on the straight edge by more than 3 standard errors")
	}
}

// Generation along an optimized path lands on the target: noise → marginal
// 1 of the elongated Gaussian pair (the cost drops by about 13 %), 2000
// samples of N(0, I) pushed along it with RK4, 40 steps, and compared with
// 2000 exact samples by the energy distance. The reference is the noise
// level, the energy distance between two independent exact sets of that
// size (spread ~1e-3 here); a flow that stops short or lands on the wrong
// covariance is above 0.01. And the point of the optimization: with 4 Euler
// steps the optimized path is closer to the target than the straight one
// (0.020 against 0.033 at 4000 samples in the README's table), by more than
// the noise level.
func TestGenerationOnTarget(t *testing.T) {
	mix := elongated(t, 1, 0.8)
	o, c := oracleSetup(t, mix)
	e := estimator(t, o, c, 7, &EstimatorSettings{N: 1024})
	res, err := Optimize(context.Background(), e, edge(3, 0, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Optimized.Cost >= 0.95*res.Straight.Cost {
		t.Fatalf("optimizer gained less than 5 %%: %v → %v", res.Straight, res.Optimized)
	}
	r := newRand(8)
	const n, d = 2000, 2
	truth := make([]float64, n*d)
	mix[0].Sample(truth, r)
	truth2 := make([]float64, n*d)
	mix[0].Sample(truth2, r)
	floor := metrics.Energy(truth2, truth, d)
	x0 := make([]float64, n*d)
	marginals.StandardGaussian(d).Sample(x0, r)
	push := func(p path.Path, s path.Solver) float64 {
		x := append([]float64(nil), x0...)
		v, err := path.NewVelocity(o, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := path.Integrate(context.Background(), v, x, s, nil); err != nil {
			t.Fatal(err)
		}
		return metrics.Energy(x, truth, d)
	}
	straight, err := path.Segment(simplex.Vertex(3, 0), simplex.Vertex(3, 1))
	if err != nil {
		t.Fatal(err)
	}
	got := push(res.Path, path.RK4{Steps: 40})
	e4s, e4o := push(straight, path.Euler{Steps: 4}), push(res.Path, path.Euler{Steps: 4})
	t.Logf("cost straight %.4f, optimized %.4f; energy distance to exact samples: RK4-40 optimized %.5f (two exact sets %.5f); Euler-4 straight %.4f, optimized %.4f",
		res.Straight.Cost, res.Optimized.Cost, got, floor, e4s, e4o)
	if got > math.Abs(floor)+0.005 {
		t.Errorf("energy distance %.4g to the target, noise level %.4g", got, floor)
	}
	if e4o > e4s-0.005 {
		t.Errorf("4 Euler steps: optimized path %.4g, straight %.4g: no gain beyond the noise level", e4o, e4s)
	}
}

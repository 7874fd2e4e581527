package path

import (
	"context"
	"math"
	"testing"
)

// b(t, x) = Σ_k α̇_k g_k against the closed form of the diagonal Gaussians,
// b = ṁ + ½ (Ṡ/S)(x − m), with ṁ and Ṡ by the chain rule.
func TestVelocityClosedForm(t *testing.T) {
	g := gauss3()
	p := mustPath(Reparam(mustPath(Polyline(vertex(3, 0), []float64{0.2, 0.3, 0.5}, vertex(3, 2))), Smootherstep{}))
	v := mustVelocity(g, p)
	x := normals(50*2, newRand(1))
	b := make([]float64, len(x))
	a, ad := make([]float64, 3), make([]float64, 3)
	for _, tt := range []float64{0, 0.2, 0.5, 0.9, 1} {
		v.Eval(b, tt, x)
		p.Alpha(a, tt)
		p.AlphaDot(ad, tt)
		for i := range x {
			j := i % 2
			var m, s, md, sd float64
			for k := range a {
				m += a[k] * g.Mean[k][j]
				s += a[k] * a[k] * g.Var[k][j]
				md += ad[k] * g.Mean[k][j]
				sd += 2 * a[k] * ad[k] * g.Var[k][j]
			}
			want := md + 0.5*sd/s*(x[i]-m)
			if math.Abs(b[i]-want) > 1e-12*(1+math.Abs(want)) {
				t.Fatalf("t = %g: b = %g, closed form %g", tt, b[i], want)
			}
		}
	}
	if v.NFE() != 5 {
		t.Errorf("NFE %d after 5 evaluations", v.NFE())
	}
	v.ResetNFE()
	if v.NFE() != 0 {
		t.Error("ResetNFE")
	}
}

// linear is a conditional expectation that allocates nothing:
// g_k(α, x) = x + k (not a valid family, only a cost-free stand-in).
type linear struct{ k1, d int }

func (l linear) Sizes() (int, int) { return l.k1, l.d }
func (l linear) Eval(g [][]float64, alpha, x []float64) {
	for k := range g {
		for i := range x {
			g[k][i] = x[i] + float64(k)
		}
	}
}

// Velocity.Eval allocates nothing once warm, and the solvers allocate
// nothing per step: the allocations of a whole integration do not grow
// with the number of steps.
func TestNoAllocationPerStep(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	l := linear{3, 4}
	p := mustPath(Polyline(vertex(3, 0), []float64{0.2, 0.3, 0.5}, vertex(3, 2)))
	v := mustVelocity(l, p)
	x := normals(1000*4, newRand(1))
	dst := make([]float64, len(x))
	if a := testing.AllocsPerRun(20, func() { v.Eval(dst, 0.3, x) }); a != 0 {
		t.Errorf("Velocity.Eval: %v allocations per call", a)
	}
	for _, w := range []int{1, 2} {
		count := func(steps int) float64 {
			return testing.AllocsPerRun(5, func() {
				if _, err := Integrate(context.Background(), v, x, RK4{steps}, &Options{Workers: w}); err != nil {
					t.Fatal(err)
				}
			})
		}
		// A few allocations of the goroutine and channel machinery vary
		// from run to run; per-step allocation would add ≥ 990.
		a10, a1000 := count(10), count(1000)
		t.Logf("%d workers: %v allocations with 10 steps, %v with 1000", w, a10, a1000)
		if a1000 > a10+3 {
			t.Errorf("%d workers: %v allocations with 10 steps, %v with 1000", w, a10, a1000)
		}
	}
}

package path

import (
	"context"
	"math"
	"testing"
)

// TestHold: with coordinate 0 held, on a model whose coordinates do not
// interact (diagonal Gaussians), the free coordinate moves exactly as
// without the hold (fixed-step solvers and both SDE solvers: bit for bit;
// Dopri5, whose step control sees every coordinate, within its tolerance),
// and the held one follows (1 − α_0)·v + α_0·z at every recorded time,
// ending on v exactly; on a data edge it never moves at all.
func TestHold(t *testing.T) {
	g := gauss3()
	through := mustPath(Polyline([]float64{0, 1, 0}, []float64{0.4, 0.3, 0.3}, []float64{0, 0, 1}))
	edge := mustPath(Segment([]float64{0, 1, 0}, []float64{0, 0, 1}))
	const n, d = 50, 2
	r := newRand(3)
	x0 := normals(n*d, r)
	z := normals(n*d, r)
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	run := func(p Path, hold *Hold, sde SDESolver, ode Solver) ([]float64, *Trajectory) {
		t.Helper()
		x := append([]float64(nil), x0...)
		tr := &Trajectory{Rows: rows}
		opts := &Options{Workers: 2, Hold: hold, Trajectory: tr}
		var err error
		if sde != nil {
			_, err = IntegrateSDE(context.Background(), mustVelocity(g, p), x, EpsAlpha0(1), sde, newRand(9), opts)
		} else {
			_, err = Integrate(context.Background(), mustVelocity(g, p), x, ode, opts)
		}
		if err != nil {
			t.Fatal(err)
		}
		return x, tr
	}
	type solver struct {
		name string
		ode  Solver
		sde  SDESolver
		tol  float64 // on the free coordinate against the run without hold
	}
	for _, s := range []solver{
		{"euler", Euler{Steps: 7}, nil, 0},
		{"heun", Heun{Steps: 5}, nil, 0},
		{"rk4", RK4{Steps: 3}, nil, 0},
		{"dopri5", Dopri5{Atol: 1e-8, Rtol: 1e-8}, nil, 1e-6},
		{"euler-maruyama", nil, EulerMaruyama{Steps: 20}, 0},
		{"stochastic-heun", nil, StochasticHeun{Steps: 20}, 0},
	} {
		for _, p := range []struct {
			name string
			p    Path
		}{{"through noise", through}, {"data edge", edge}} {
			if s.sde != nil && p.p == edge {
				continue // no noise on a data edge
			}
			hold := &Hold{Mask: []bool{true, false}, Value: x0, Noise: z}
			free, _ := run(p.p, nil, s.sde, s.ode)
			held, tr := run(p.p, hold, s.sde, s.ode)
			a := make([]float64, 3)
			for step, tm := range tr.T {
				p.p.Alpha(a, tm)
				for i := range n {
					want := (1-a[0])*x0[i*d] + a[0]*z[i*d]
					got := tr.X[step][i*d]
					if p.p == edge && got != x0[i*d] || math.Abs(got-want) > 1e-12 {
						t.Fatalf("%s, %s: held coordinate of row %d at t = %v: %v, want %v", s.name, p.name, i, tm, got, want)
					}
				}
			}
			for i := range n {
				if held[i*d] != x0[i*d] {
					t.Fatalf("%s, %s: row %d ends at %v, held value %v", s.name, p.name, i, held[i*d], x0[i*d])
				}
				if diff := math.Abs(held[i*d+1] - free[i*d+1]); diff > s.tol {
					t.Fatalf("%s, %s: free coordinate of row %d: %v with the hold, %v without", s.name, p.name, i, held[i*d+1], free[i*d+1])
				}
			}
			if held[1] == x0[1] {
				t.Fatalf("%s, %s: the free coordinate did not move", s.name, p.name)
			}
		}
	}
	// Sizes that do not fit the batch are refused.
	x := append([]float64(nil), x0...)
	bad := &Options{Hold: &Hold{Mask: []bool{true}, Value: x0}}
	if _, err := Integrate(context.Background(), mustVelocity(g, edge), x, Euler{Steps: 2}, bad); err == nil {
		t.Error("a hold mask of 1 coordinate for d = 2 was accepted")
	}
	bad.Hold = &Hold{Mask: []bool{true, false}, Value: x0[:10]}
	if _, err := IntegrateSDE(context.Background(), mustVelocity(g, through), x, EpsAlpha0(1), EulerMaruyama{Steps: 2}, newRand(1), bad); err == nil {
		t.Error("hold values for 5 rows were accepted for a batch of 50")
	}
}

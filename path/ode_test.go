package path

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
)

// flowError integrates 64 noise rows along p with s and returns the largest
// deviation from the exact flow of the diagonal-Gaussian problem, and the
// solver's stats.
func flowError(t *testing.T, p Path, s Solver) (float64, Stats) {
	t.Helper()
	g := gauss3()
	x := normals(64*2, newRand(1))
	want := make([]float64, len(x))
	a0, a1 := make([]float64, 3), make([]float64, 3)
	p.Alpha(a0, 0)
	p.Alpha(a1, 1)
	g.Flow(want, x, a0, a1)
	st, err := Integrate(context.Background(), mustVelocity(g, p), x, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	return maxAbsDiff(x, want), st
}

// Halving the step must divide the global error by about 2^p. The exact
// answer is the closed-form flow of independent diagonal Gaussians (the
// velocity is affine in x but not in t, so no method is exact).
func TestFixedStepOrder(t *testing.T) {
	paths := []struct {
		name string
		p    Path
	}{
		{"segment e0→e1", mustPath(Segment(vertex(3, 0), vertex(3, 1)))},
		// The kink at t = 1/2 is on the grid; the order holds only if the
		// last stage of the step before it uses α̇ from the left (with the
		// right-hand α̇ instead, RK4 measured order ≈ 0.2–1.8).
		{"polyline e0→w→e1", mustPath(Polyline(vertex(3, 0), []float64{0.2, 0.3, 0.5}, vertex(3, 1)))},
		{"smoothstep e2→e0", mustPath(Reparam(mustPath(Segment(vertex(3, 2), vertex(3, 0))), Smoothstep{}))},
	}
	solvers := []struct {
		name  string
		order int
		mk    func(n int) Solver
		steps int // coarsest grid; chosen so that errors stay far above rounding
	}{
		{"Euler", 1, func(n int) Solver { return Euler{n} }, 48},
		{"Heun", 2, func(n int) Solver { return Heun{n} }, 24},
		{"RK4", 4, func(n int) Solver { return RK4{n} }, 48},
	}
	for _, p := range paths {
		for _, s := range solvers {
			var errs []float64
			for _, n := range []int{s.steps, 2 * s.steps, 4 * s.steps} {
				e, st := flowError(t, p.p, s.mk(n))
				errs = append(errs, e)
				if st.NFE != s.order*n || st.Accepted != n {
					t.Errorf("%s %s with %d steps: NFE %d, steps %d; want %d and %d", p.name, s.name, n, st.NFE, st.Accepted, s.order*n, n)
				}
			}
			obs := math.Log2(errs[1] / errs[2])
			t.Logf("%s %s: errors %.3g, %.3g, %.3g; observed order %.3f", p.name, s.name, errs[0], errs[1], errs[2], obs)
			// Pre-asymptotic terms shift the observed order by O(h)
			// (≤ 0.13 measured); a method of the wrong order is off by ≥ 1.
			if math.Abs(obs-float64(s.order)) > 0.25 {
				t.Errorf("%s %s: observed order %.3f, want %d", p.name, s.name, obs, s.order)
			}
		}
	}
}

// Breaks between grid points are inserted into the grid: the error with
// 32 steps (breaks at 1/3 and 2/3 off the grid) must not exceed twice the
// error with 24 steps (breaks on the grid), as every step is shorter. Without
// the insertion, a step straddles the kink and RK4 makes an O(h) error
// (measured 0.12 here, against ~1e-6).
func TestBreaksOffGrid(t *testing.T) {
	p := mustPath(Polyline(vertex(3, 0), []float64{0.2, 0.3, 0.5}, vertex(3, 2), vertex(3, 1)))
	aligned, _ := flowError(t, p, RK4{24})
	inserted, st := flowError(t, p, RK4{32})
	t.Logf("RK4 errors: 24 steps %.3g, 32 steps + 2 breaks %.3g (%d steps)", aligned, inserted, st.Accepted)
	if inserted > 2*aligned {
		t.Errorf("error %.3g with breaks inserted, %.3g with breaks on the grid", inserted, aligned)
	}
	if st.Accepted != 34 {
		t.Errorf("%d steps, want 32 + 2 breaks", st.Accepted)
	}
	if got := grid(3, []float64{1.0 / 3, 2.0/3 + 1e-13}); !slices.Equal(got, []float64{0, 1.0 / 3, 2.0/3 + 1e-13, 1}) {
		t.Errorf("grid snaps breaks badly: %v", got)
	}
}

// Dopri5 must meet its tolerance, count its evaluations honestly, and spend
// fewer of them as the tolerance loosens.
func TestDopri5(t *testing.T) {
	p := mustPath(Polyline(vertex(3, 0), []float64{0.2, 0.3, 0.5}, vertex(3, 2), vertex(3, 1)))
	prevNFE := math.MaxInt
	for _, tol := range []float64{1e-9, 1e-7, 1e-5, 1e-3} {
		g := &counting{g: gauss3()}
		x := normals(64*2, newRand(1))
		want := make([]float64, len(x))
		g.g.(interface {
			Flow(dst, x, from, to []float64)
		}).Flow(want, x, vertex(3, 0), vertex(3, 1))
		v := mustVelocity(g, p)
		st, err := Integrate(context.Background(), v, x, Dopri5{Atol: tol, Rtol: tol}, &Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		e := rmsDiff(x, want)
		t.Logf("tol %g: RMS error %.3g, max %.3g, NFE %d, accepted %d, rejected %d", tol, e, maxAbsDiff(x, want), st.NFE, st.Accepted, st.Rejected)
		// The controller holds each step's local error at ≈ tol·(1+|y|)
		// (|y| ≈ 1–3 here) in RMS; over the 5–55 steps the global RMS error
		// measured 2–16 × tol (the ratio grows as steps get longer). 20 × tol
		// fails a wrong error estimate, which misses by orders of magnitude
		// at tight tolerances.
		if e > 20*tol {
			t.Errorf("tol %g: max error %.3g", tol, e)
		}
		// Honest NFE: one Conditional call per evaluation (64 rows, one
		// worker, one block); 6 per step with FSAL, plus f(0) and the
		// initial-step probe, plus one re-evaluation after each of the 2
		// breaks.
		if int64(st.NFE) != g.calls.Load() || int64(st.NFE) != v.NFE() {
			t.Errorf("tol %g: reported NFE %d, counted %d calls, velocity counted %d", tol, st.NFE, g.calls.Load(), v.NFE())
		}
		if want := 6*(st.Accepted+st.Rejected) + 2 + 2; st.NFE != want {
			t.Errorf("tol %g: NFE %d, want 6·(steps) + 4 = %d", tol, st.NFE, want)
		}
		if st.NFE >= prevNFE {
			t.Errorf("tol %g: NFE %d did not fall (was %d at the tighter tolerance)", tol, st.NFE, prevNFE)
		}
		prevNFE = st.NFE
	}
}

// Each batch evaluation counts one NFE however it is split: with 3 workers
// and 4000 rows, the Conditional evaluates 4000·NFE rows in more calls.
// The results are bitwise independent of the split.
func TestSplitIndependent(t *testing.T) {
	p := mustPath(Polyline(vertex(3, 1), []float64{0.4, 0.3, 0.3}, vertex(3, 2)))
	x0 := normals(4000*2, newRand(2))
	for _, s := range []Solver{RK4{10}, Dopri5{Atol: 1e-6, Rtol: 1e-6}} {
		var results [][]float64
		for _, w := range []int{1, 3} {
			g := &counting{g: gauss3()}
			x := slices.Clone(x0)
			st, err := Integrate(context.Background(), mustVelocity(g, p), x, s, &Options{Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			if rows := g.rows.Load(); rows != int64(4000*st.NFE) {
				t.Errorf("%T, %d workers: %d rows evaluated for NFE %d of 4000 rows", s, w, rows, st.NFE)
			}
			if w == 3 && g.calls.Load() != int64(3*st.NFE) {
				t.Errorf("%T: %d calls with 3 workers for NFE %d", s, g.calls.Load(), st.NFE)
			}
			results = append(results, x)
		}
		if !slices.Equal(results[0], results[1]) {
			t.Errorf("%T: results depend on the number of workers (max diff %g)", s, maxAbsDiff(results[0], results[1]))
		}
	}
}

func TestIntegrateErrors(t *testing.T) {
	g := gauss3()
	p2 := mustPath(Segment([]float64{1, 0}, []float64{0, 1}))
	p3 := mustPath(Segment(vertex(3, 0), vertex(3, 1)))
	x := normals(10, newRand(3))
	ctx := context.Background()
	if _, err := NewVelocity(g, p2); err == nil {
		t.Error("path with 2 coordinates accepted for a model with 3 marginals")
	}
	if _, err := Integrate(ctx, mustVelocity(g, p3), x[:9], RK4{4}, nil); err == nil {
		t.Error("batch of 9 numbers accepted in dimension 2")
	}
	for _, s := range []Solver{Euler{0}, Heun{-1}, RK4{0}, Dopri5{Atol: -1}} {
		if _, err := Integrate(ctx, mustVelocity(g, p3), x, s, nil); err == nil {
			t.Errorf("%#v accepted", s)
		}
	}
	if _, err := Integrate(ctx, mustVelocity(g, p3), x, Dopri5{Atol: 1e-12, Rtol: 1e-12, MaxSteps: 5}, nil); err == nil {
		t.Error("Dopri5 finished 5 steps at tolerance 1e-12")
	}
	if _, err := Integrate(ctx, mustVelocity(g, p3), x, RK4{4}, &Options{Trajectory: &Trajectory{Rows: []int{5}}}); err == nil {
		t.Error("trajectory row 5 accepted in a batch of 5")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Integrate(cctx, mustVelocity(g, p3), x, RK4{4}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
}

// The trajectory holds the recorded rows at 0 and after every step, ending
// at the final state.
func TestTrajectory(t *testing.T) {
	g := gauss3()
	p := mustPath(Polyline(vertex(3, 0), []float64{0.2, 0.3, 0.5}, vertex(3, 1)))
	x := normals(10*2, newRand(4))
	x0 := slices.Clone(x)
	tr := &Trajectory{Rows: []int{7, 2}}
	if _, err := Integrate(context.Background(), mustVelocity(g, p), x, Heun{5}, &Options{Trajectory: tr}); err != nil {
		t.Fatal(err)
	}
	// 5 steps plus the break at 1/2 (between 0.4 and 0.6).
	if !slices.Equal(tr.T, []float64{0, 0.2, 0.4, 0.5, 0.6, 0.8, 1}) {
		t.Errorf("times %v", tr.T)
	}
	if !slices.Equal(tr.X[0], []float64{x0[14], x0[15], x0[4], x0[5]}) || !slices.Equal(tr.X[6], []float64{x[14], x[15], x[4], x[5]}) {
		t.Errorf("recorded rows do not match the batch")
	}
}

// Along e_i → e_j → e_i the flow returns every point to where it started.
// For the diagonal Gaussians the exact flow depends only on the end points;
// this checks the solvers and the Reverse and Concat plumbing.
func TestRoundTripGaussians(t *testing.T) {
	g := gauss3()
	there := mustPath(Polyline(vertex(3, 1), []float64{0.3, 0.3, 0.4}, vertex(3, 2)))
	x0 := normals(100*2, newRand(5))
	x := slices.Clone(x0)
	ctx := context.Background()
	s := Dopri5{Atol: 1e-8, Rtol: 1e-8}
	if _, err := Integrate(ctx, mustVelocity(g, there), x, s, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Integrate(ctx, mustVelocity(g, Reverse(there)), x, s, nil); err != nil {
		t.Fatal(err)
	}
	// Two solves at 1e-8 (see TestDopri5 for the error per solve).
	if e := maxAbsDiff(x, x0); e > 1e-6 {
		t.Errorf("e1 → e2 → e1 moved points by %.3g", e)
	}
}

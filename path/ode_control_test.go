package path

import (
	"context"
	"math"
	"testing"
)

// attempts integrates y' = f(t) (one row) with s, logging every
// evaluation, and returns the start time and size of every step tried
// (accepted or rejected) and the stats. Dopri5 evaluates f six times a
// step (stages 2–7 with FSAL), at t0 + h/5, …, t0 + h, after f(0) and the
// initial-step probe; the first and fifth give t0 and h.
func attempts(t *testing.T, s Dopri5, f func(t float64) float64) (t0s, hs []float64, st Stats) {
	t.Helper()
	var calls []float64
	pr := &Problem{f: func(dst []float64, tt float64, y []float64, _ bool) {
		calls = append(calls, tt)
		dst[0] = f(tt)
	}}
	st, err := s.Solve(context.Background(), pr, []float64{0})
	if err != nil {
		t.Fatal(err)
	}
	calls = calls[2:]
	if len(calls) != 6*(st.Accepted+st.Rejected) {
		t.Fatalf("%d evaluations for %d steps", len(calls), st.Accepted+st.Rejected)
	}
	for i := 0; i < len(calls); i += 6 {
		h := (calls[i+4] - calls[i]) * 5 / 4
		t0s = append(t0s, calls[i]-h/5)
		hs = append(hs, h)
	}
	return t0s, hs, st
}

// TestDopri5StepControl: Hairer's controller (Solving ODEs I, II.4): a
// step that follows a rejection is not allowed to grow (facmax = 1, and
// the step after the first accepted one neither), and growth of up to 10×
// resumes after that. A narrow bump in y' = f(t) forces rejections between
// flat stretches where the error estimate vanishes and steps want to grow
// as fast as allowed.
func TestDopri5StepControl(t *testing.T) {
	bump := func(t float64) float64 {
		return 40*math.Exp(-math.Pow((t-0.3)/0.05, 2)) + 40*math.Exp(-math.Pow((t-0.7)/0.03, 2))
	}
	t0s, hs, st := attempts(t, Dopri5{Atol: 1e-8, Rtol: 1e-8}, bump)
	t.Logf("%d accepted, %d rejected", st.Accepted, st.Rejected)
	if st.Rejected == 0 {
		t.Fatal("no rejections: the test problem does not exercise the controller")
	}
	checked, regrew := 0, false
	for i := 0; i+2 < len(hs); i++ {
		rejected := t0s[i+1] == t0s[i]
		if !rejected || t0s[i+2] == t0s[i+1] {
			continue
		}
		// Step i was rejected, step i+1 (from the same t0, smaller) was
		// accepted: step i+2 may not be longer than step i+1.
		checked++
		if hs[i+2] > hs[i+1]*(1+1e-12) {
			t.Errorf("step %d after a rejection grew from %.3g to %.3g", i+2, hs[i+1], hs[i+2])
		}
		for j := i + 3; j < len(hs); j++ {
			if hs[j] > 1.5*hs[j-1] && t0s[j] != t0s[j-1] {
				regrew = true
			}
		}
	}
	if checked == 0 {
		t.Fatal("no accepted step after a rejection")
	}
	if !regrew {
		t.Error("steps never grew again after a rejection: the growth limit was not reset")
	}
}

// TestDopri5TinyTolerances: a relative tolerance below what float64
// resolves is an error, not a panic or a NaN time (issue 20, case 9:
// --atol 1e-160 --rtol 1e-160 overflowed the initial-step norms and gave
// NaN α); a tiny absolute tolerance with a sane relative one integrates
// without ever evaluating at a non-finite time.
func TestDopri5TinyTolerances(t *testing.T) {
	pr := &Problem{f: func(dst []float64, tt float64, y []float64, _ bool) {
		if math.IsNaN(tt) || math.IsInf(tt, 0) {
			t.Fatalf("evaluated at t = %v", tt)
		}
		dst[0] = math.Cos(3 * tt)
	}}
	for _, s := range []Dopri5{{Atol: 1e-160, Rtol: 1e-160}, {Atol: 1e-5, Rtol: 1e-17}} {
		if _, err := s.Solve(context.Background(), pr, []float64{1}); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
	y := []float64{1}
	if _, err := (Dopri5{Atol: 1e-160, Rtol: 1e-10}).Solve(context.Background(), pr, y); err != nil {
		t.Fatal(err)
	}
	if want := 1 + math.Sin(3)/3; math.Abs(y[0]-want) > 1e-8 {
		t.Errorf("y(1) = %.12g, want %.12g", y[0], want)
	}
}

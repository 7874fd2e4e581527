package generate

import (
	"math"
	"testing"
)

// TestDetour checks the detour's three points (the start vertex, the
// waypoint (1−w)·e_from + w·c at half time, the end vertex), that every α
// on it lies on the simplex, and the refusals.
func TestDetour(t *testing.T) {
	const k1, w = 5, 0.2
	p, err := Detour(k1, 0, 3, w)
	if err != nil {
		t.Fatal(err)
	}
	want := map[float64][]float64{
		0:   {1, 0, 0, 0, 0},
		0.5: {0.8, 0.05, 0.05, 0.05, 0.05},
		1:   {0, 0, 0, 1, 0},
		// a quarter of the time: halfway to the waypoint
		0.25: {0.9, 0.025, 0.025, 0.025, 0.025},
	}
	a := make([]float64, k1)
	for tt, w := range want {
		p.Alpha(a, tt)
		for k := range a {
			if math.Abs(a[k]-w[k]) > 1e-12 {
				t.Errorf("α(%g) = %v, want %v", tt, a, w)
				break
			}
		}
	}
	for i := 0; i <= 100; i++ {
		p.Alpha(a, float64(i)/100)
		sum := 0.0
		for _, v := range a {
			if v < -1e-15 {
				t.Fatalf("α(%g) = %v leaves the simplex", float64(i)/100, a)
			}
			sum += v
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Fatalf("α(%g) sums to %g", float64(i)/100, sum)
		}
	}
	// From a data vertex the waypoint keeps the start's own share of c.
	p, err = Detour(4, 2, 1, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	p.Alpha(a[:4], 0.5)
	if got := a[:4]; math.Abs(got[0]) > 1e-12 || math.Abs(got[1]-0.1) > 1e-12 || math.Abs(got[2]-0.8) > 1e-12 || math.Abs(got[3]-0.1) > 1e-12 {
		t.Errorf("waypoint from 2 with w 0.3 = %v, want [0 0.1 0.8 0.1]", got)
	}
	for _, bad := range []struct {
		from, to int
		w        float64
	}{{0, 3, 0}, {0, 3, 1}, {0, 3, -0.1}, {0, 3, math.NaN()}, {2, 2, 0.2}, {0, 5, 0.2}, {-1, 2, 0.2}} {
		if _, err := Detour(k1, bad.from, bad.to, bad.w); err == nil {
			t.Errorf("Detour(%d, %d, %d, %g): no error", k1, bad.from, bad.to, bad.w)
		}
	}
}

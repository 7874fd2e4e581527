package path_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// The trigonometric path is on the unit sphere, starts and ends exactly at
// the vertices, has the derivative of its values, is refused by the
// simplex and accepted by the ball, and survives a JSON round trip.
func TestTrig(t *testing.T) {
	p, err := path.Trig(3, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	a, b := make([]float64, 3), make([]float64, 3)
	for _, tt := range []float64{0, 0.3, 0.5, 1} {
		p.Alpha(a, tt)
		if r := math.Hypot(a[0], a[2]); math.Abs(r-1) > 1e-15 || a[1] != 0 {
			t.Errorf("α(%g) = %v is not on the unit circle of coordinates 0, 2", tt, a)
		}
	}
	p.Alpha(a, 1)
	if a[0] != 0 || a[2] != 1 {
		t.Errorf("α(1) = %v, want exactly e_2", a)
	}
	p.AlphaDot(b, 0.3)
	p.Alpha(a, 0.3+1e-6)
	hi := a[2]
	p.Alpha(a, 0.3-1e-6)
	if fd := (hi - a[2]) / 2e-6; math.Abs(fd-b[2]) > 1e-6 {
		t.Errorf("α̇_2(0.3) = %g, finite difference %g", b[2], fd)
	}
	if err := path.Check(p); err == nil || !strings.Contains(err.Error(), "simplex") {
		t.Errorf("Check of the trig path: %v, want off the simplex", err)
	}
	if err := path.CheckIn(p, simplex.Ball(1)); err != nil {
		t.Errorf("CheckIn(ball(1)): %v", err)
	}
	var buf bytes.Buffer
	if err := path.Save(&buf, p); err != nil {
		t.Fatal(err)
	}
	q, err := path.Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	q.Alpha(a, 0.4)
	p.Alpha(b, 0.4)
	if a[0] != b[0] || a[2] != b[2] {
		t.Errorf("loaded trig path differs: %v, want %v", a, b)
	}
}

// A spline schedule interpolates its knots, stays between the values of
// neighbouring knots (Fritsch–Butland: no overshoot), round-trips through
// JSON, and bad knots are errors.
func TestSplineSchedule(t *testing.T) {
	k := path.ScheduleKnots{T: []float64{0, 0.25, 0.6, 1}, AlphaFrom: []float64{1, 0.95, 0.6, 0}, AlphaTo: []float64{0, 0.3, 0.9, 1}}
	p, err := path.NewSplineSchedule(3, 0, 1, k)
	if err != nil {
		t.Fatal(err)
	}
	a := make([]float64, 3)
	for q, tt := range k.T {
		p.Alpha(a, tt)
		if math.Abs(a[0]-k.AlphaFrom[q]) > 1e-12 || math.Abs(a[1]-k.AlphaTo[q]) > 1e-12 || a[2] != 0 {
			t.Errorf("α(%g) = %v, want knot %d", tt, a, q)
		}
	}
	for i := 0; i <= 1000; i++ {
		p.Alpha(a, float64(i)/1000)
		if a[0] < -1e-12 || a[0] > 1+1e-12 || a[1] < -1e-12 || a[1] > 1+1e-12 {
			t.Fatalf("α(%g) = %v overshoots the knots", float64(i)/1000, a)
		}
	}
	var buf bytes.Buffer
	if err := path.Save(&buf, p); err != nil {
		t.Fatal(err)
	}
	if _, err := path.Load(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatalf("load %s: %v", buf.String(), err)
	}
	for _, bad := range []path.ScheduleKnots{
		{T: []float64{0}, AlphaFrom: []float64{1}, AlphaTo: []float64{0}},
		{T: []float64{0, 0.9}, AlphaFrom: []float64{1, 0}, AlphaTo: []float64{0, 1}},
		{T: []float64{0, 0.5, 0.5, 1}, AlphaFrom: []float64{1, 1, 1, 0}, AlphaTo: []float64{0, 1, 1, 1}},
		{T: []float64{0, 1}, AlphaFrom: []float64{1, 0}, AlphaTo: []float64{0, math.NaN()}},
		{T: []float64{0, 0.5, 1}, AlphaFrom: []float64{1, 0, 0}, AlphaTo: []float64{0, 0, 1}},
		{T: []float64{0, 1}, AlphaFrom: []float64{1, 0}, AlphaTo: []float64{0}},
	} {
		if _, err := path.NewSplineSchedule(3, 0, 1, bad); err == nil {
			t.Errorf("knots %+v: no error", bad)
		}
	}
	if _, err := path.NewSplineSchedule(3, 1, 1, k); err == nil {
		t.Error("schedule from 1 to 1: no error")
	}
	// A function schedule whose derivative does not belong to it.
	if _, err := path.NewSchedule(2, 0, 1, func(t float64) (float64, float64, float64, float64) { return 1 - t, t, 0, 1 }); err == nil {
		t.Error("wrong derivative: no error")
	}
}

package pathopt

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// project against brute force: the projection is the closest point of the
// simplex, so no random point of the simplex may be closer to w.
func TestProject(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for range 200 {
		n := 2 + r.IntN(4)
		w := make([]float64, n)
		for k := range w {
			w[k] = 2 * r.NormFloat64()
		}
		a := make([]float64, n)
		project(a, w, make([]float64, n))
		if err := simplex.Validate(a); err != nil {
			t.Fatalf("project(%v) = %v: %v", w, a, err)
		}
		dist := func(b []float64) float64 {
			s := 0.0
			for k := range b {
				s += (b[k] - w[k]) * (b[k] - w[k])
			}
			return s
		}
		da := dist(a)
		for range 200 {
			b := make([]float64, n)
			sum := 0.0
			for k := range b {
				b[k] = -math.Log(1 - r.Float64())
				sum += b[k]
			}
			for k := range b {
				b[k] /= sum
			}
			if dist(b) < da-1e-12 {
				t.Fatalf("project(%v) = %v at squared distance %g, but %v is at %g", w, a, da, b, dist(b))
			}
		}
	}
}

// AlphaDot is the derivative of Alpha: central differences of Alpha agree
// away from breaks and kinks (h = 1e-6: truncation h²|α”'| ≲ 1e-9 for
// these modes, rounding 1e-16/h = 1e-10; tolerance 1e-6). The path stays on
// the simplex (path.Check) and passes through its points.
func TestSineDerivative(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	bary := []float64{0.25, 0.25, 0.25, 0.25}
	f := &Family{Points: [][]float64{simplex.Vertex(4, 0), bary, simplex.Vertex(4, 3)}, Modes: 3}
	th := randomTheta(f, r)
	p, err := f.Path(th)
	if err != nil {
		t.Fatal(err)
	}
	if err := path.Check(p); err != nil {
		t.Fatal(err)
	}
	a, ap, am, v := make([]float64, 4), make([]float64, 4), make([]float64, 4), make([]float64, 4)
	for j, want := range f.Points {
		p.Alpha(a, float64(j)/2)
		for k := range a {
			if math.Abs(a[k]-want[k]) > 1e-15 {
				t.Fatalf("α(%g) = %v, want point %v", float64(j)/2, a, want)
			}
		}
	}
	const h = 1e-6
	checked := 0
	for i := 1; i < 200; i++ {
		tt := float64(i)/200 + 0.001
		p.AlphaDot(v, tt)
		p.Alpha(ap, tt+h)
		p.Alpha(am, tt-h)
		p.Alpha(a, tt)
		kink := false
		for k := range a {
			// A coordinate at 0 may be where the projection clips: skip.
			kink = kink || (a[k] < 1e-3 && a[k] != 0) || (ap[k] == 0) != (am[k] == 0)
		}
		if kink {
			continue
		}
		checked++
		for k := range v {
			if fd := (ap[k] - am[k]) / (2 * h); math.Abs(fd-v[k]) > 1e-6*(1+math.Abs(fd)) {
				t.Errorf("t = %g: α̇[%d] = %.9g, finite difference %.9g", tt, k, v[k], fd)
			}
		}
	}
	if checked < 150 {
		t.Errorf("only %d of 199 times were away from kinks", checked)
	}
}

// θ = 0 is the straight polyline; a reparameterization family never
// leaves it; a full family with a negative push clips at 0 instead of
// leaving the simplex; the right derivative at t = 0 and the left one at
// t = 1 are those of the projected path.
func TestSineFamily(t *testing.T) {
	pts := [][]float64{simplex.Vertex(3, 1), simplex.Vertex(3, 0), simplex.Vertex(3, 2)}
	poly, err := path.Polyline(pts...)
	if err != nil {
		t.Fatal(err)
	}
	f := &Family{Points: pts, Modes: 2}
	p0, err := f.Path(make([]float64, f.Dim()))
	if err != nil {
		t.Fatal(err)
	}
	a, b, va, vb := make([]float64, 3), make([]float64, 3), make([]float64, 3), make([]float64, 3)
	for i := 0; i <= 100; i++ {
		tt := float64(i) / 100
		p0.Alpha(a, tt)
		poly.Alpha(b, tt)
		p0.AlphaDot(va, tt)
		poly.AlphaDot(vb, tt)
		for k := range a {
			if math.Abs(a[k]-b[k]) > 1e-15 || math.Abs(va[k]-vb[k]) > 1e-12 {
				t.Fatalf("t = %g: θ = 0 gives α %v α̇ %v, polyline %v %v", tt, a, va, b, vb)
			}
		}
	}
	fr := &Family{Points: pts, Modes: 3, Reparam: true}
	pr, err := fr.Path([]float64{0.2, -0.1, 0.05, -0.3, 0.1, 0.2})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i <= 100; i++ {
		pr.Alpha(a, float64(i)/100)
		// Piece 1→0 has α_2 = 0; piece 0→2 has α_1 = 0.
		if (i <= 50 && math.Abs(a[2]) > 1e-15) || (i >= 50 && math.Abs(a[1]) > 1e-15) {
			t.Fatalf("reparameterization left the polyline at t = %g: %v", float64(i)/100, a)
		}
	}
	if err := path.Check(pr); err != nil {
		t.Fatal(err)
	}
	// A push out of the simplex (α_2 < 0 on piece 0) is clipped.
	th := make([]float64, f.Dim())
	th[2] = -1
	pc, err := f.Path(th)
	if err != nil {
		t.Fatal(err)
	}
	if err := path.Check(pc); err != nil {
		t.Fatal(err)
	}
	pc.Alpha(a, 0.25)
	if a[2] != 0 {
		t.Errorf("clipped coordinate is %g", a[2])
	}
	// A push into the simplex from the start vertex: the right derivative
	// at 0 must not point out of it.
	th[2] = 1
	pi, _ := f.Path(th)
	pi.AlphaDot(va, 0)
	pi.Alpha(a, 1e-7)
	for k := range va {
		if fd := a[k] / 1e-7 * 1; k != 1 && math.Abs(fd-va[k]) > 1e-4*(1+math.Abs(fd)) {
			t.Errorf("α̇(0)[%d] = %g, one-sided difference %g", k, va[k], fd)
		}
	}
}

// A saved path loads back through path.Load (the registered kind) with the
// same values, and malformed or off-simplex files are errors.
func TestSineJSON(t *testing.T) {
	f := &Family{Points: [][]float64{simplex.Vertex(3, 0), simplex.Vertex(3, 2)}, Modes: 2}
	p, err := f.Path([]float64{0.1, 0.3, -0.2, 0.05, 0, 0.1})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := path.Save(&buf, p); err != nil {
		t.Fatal(err)
	}
	q, err := path.Load(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	a, b := make([]float64, 3), make([]float64, 3)
	for i := 0; i <= 50; i++ {
		p.Alpha(a, float64(i)/50)
		q.Alpha(b, float64(i)/50)
		for k := range a {
			if a[k] != b[k] {
				t.Fatalf("loaded path differs at t = %g: %v vs %v", float64(i)/50, b, a)
			}
		}
	}
	for name, bad := range map[string]string{
		"not json":       `{"kind": "sine", `,
		"unknown field":  `{"kind": "sine", "points": [[1,0],[0,1]], "modes": 0, "coef": [], "speed": 2}`,
		"off simplex":    `{"kind": "sine", "points": [[1.5,-0.5],[0,1]], "modes": 0, "coef": []}`,
		"not tangent":    `{"kind": "sine", "points": [[1,0],[0,1]], "modes": 1, "coef": [[0.5, 0.5]]}`,
		"wrong count":    `{"kind": "sine", "points": [[1,0],[0,1]], "modes": 2, "coef": [[0.5, -0.5]]}`,
		"short point":    `{"kind": "sine", "points": [[1,0],[1]], "modes": 0, "coef": []}`,
		"no points":      `{"kind": "sine", "modes": 0}`,
		"negative modes": `{"kind": "sine", "points": [[1,0],[0,1]], "modes": -1, "coef": []}`,
		"NaN-like":       `{"kind": "sine", "points": [[1,0],[0,1]], "modes": 1, "coef": [[1e400, 0]]}`,
	} {
		if _, err := path.Load(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
}

// Canceling the context returns the best path so far with the context's
// error; it is no worse than the straight path.
func TestOptimizeCancel(t *testing.T) {
	o, c := oracleSetup(t, elongated(t, 1, 0.8))
	e := estimator(t, o, c, 1, &EstimatorSettings{N: 256})
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	rec := RecorderFunc(func(p Progress) {
		calls++
		if p.Iter == 3 {
			cancel()
		}
	})
	res, err := Optimize(ctx, e, edge(3, 1, 2), &Settings{Recorder: rec})
	if err != context.Canceled {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if res == nil || res.Path == nil || res.Status != "Canceled" {
		t.Fatalf("result %+v", res)
	}
	if res.Optimized.Cost > res.Straight.Cost || res.Optimized.Cost >= res.Straight.Cost-1e-6 {
		t.Errorf("best path so far costs %g, straight %g: no progress kept", res.Optimized.Cost, res.Straight.Cost)
	}
	if calls < 4 || res.Iters > 5 {
		t.Errorf("%d reports, %d iterations after canceling at iteration 3", calls, res.Iters)
	}
}

// The estimate is reproducible: the same seed gives the same numbers, with
// any number of workers.
func TestEstimatorDeterministic(t *testing.T) {
	o, c := oracleSetup(t, mix3(t))
	f := edge(4, 0, 2)
	th := randomTheta(f, rand.New(rand.NewPCG(4, 4)))
	var first Estimate
	var firstGrad []float64
	for i, w := range []int{1, 3, 1} {
		e := estimator(t, o, c, 9, &EstimatorSettings{N: 200, Workers: w})
		g := make([]float64, f.Dim())
		est, err := e.CostGrad(f, th, g)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first, firstGrad = est, g
			continue
		}
		if est != first {
			t.Errorf("workers %d: %v, first run %v", w, est, first)
		}
		for k := range g {
			if g[k] != firstGrad[k] {
				t.Fatalf("workers %d: gradient differs at %d", w, k)
			}
		}
	}
}

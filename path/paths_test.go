package path

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

// testPaths are compositions of every constructor, on Δ² (3 coordinates).
func testPaths(t *testing.T) map[string]Path {
	t.Helper()
	e0, e1, e2 := vertex(3, 0), vertex(3, 1), vertex(3, 2)
	w := []float64{0.2, 0.5, 0.3}
	seg := mustPath(Segment(e0, e1))
	poly := mustPath(Polyline(e1, w, e2, e0))
	cat := mustPath(Concat(seg, mustPath(Polyline(e1, w, e2)), mustPath(Segment(e2, e0))))
	rep := mustPath(Reparam(poly, Smootherstep{}))
	return map[string]Path{
		"segment":               seg,
		"polyline":              poly,
		"concat":                cat,
		"reverse polyline":      Reverse(poly),
		"smootherstep polyline": rep,
		"reverse reparam concat": Reverse(mustPath(Reparam(cat, WarpFunc{
			Phi:  func(t float64) float64 { return (math.Exp(2*t) - 1) / (math.Exp(2) - 1) },
			Dphi: func(t float64) float64 { return 2 * math.Exp(2*t) / (math.Exp(2) - 1) },
		}))),
		"reverse reverse":               Reverse(Reverse(rep)),
		"truncated concat":              mustPath(Truncate(cat, 0.6)),
		"truncated polyline at a break": mustPath(Truncate(poly, 2.0/3)),
	}
}

// α̇ must be the derivative of α: central differences away from the
// breaks, one-sided differences at them (AlphaDot from the right,
// AlphaDotLeft from the left). α must stay on the simplex.
func TestAlphaDotFiniteDifferences(t *testing.T) {
	const h = 1e-6
	for name, p := range testPaths(t) {
		if err := Check(p); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		n := p.Len()
		a0, a1, v, vl := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		brk := breaksOf(p)
		near := func(t float64) bool {
			for _, b := range brk {
				if math.Abs(t-b) < 2*h {
					return true
				}
			}
			return false
		}
		for i := 1; i < 200; i++ {
			tt := float64(i)/200 + 1e-3 // off the grid of the breaks
			if near(tt) {
				continue
			}
			p.Alpha(a1, tt+h)
			p.Alpha(a0, tt-h)
			p.AlphaDot(v, tt)
			alphaDotLeft(p, vl, tt)
			for k := range v {
				fd := (a1[k] - a0[k]) / (2 * h)
				// Central difference: truncation h²/6·|α'''| ≲ 1e-10 for
				// these paths (|α'''| ≤ ~400 for the warps), rounding
				// 1e-16/h = 1e-10; a wrong chain-rule factor is O(1).
				if math.Abs(fd-v[k]) > 1e-6*(1+math.Abs(fd)) || v[k] != vl[k] {
					t.Errorf("%s: t = %g: α̇_%d = %g (left %g), finite difference %g", name, tt, k, v[k], vl[k], fd)
				}
			}
		}
		for _, b := range brk {
			a := make([]float64, n)
			p.Alpha(a, b)
			p.Alpha(a1, b+h)
			p.Alpha(a0, b-h)
			p.AlphaDot(v, b)
			alphaDotLeft(p, vl, b)
			jump := 0.0
			for k := range v {
				right, left := (a1[k]-a[k])/h, (a[k]-a0[k])/h
				jump = math.Max(jump, math.Abs(v[k]-vl[k]))
				// One-sided difference: truncation h/2·|α''| ≲ 1e-4 for
				// these paths; the jump of α̇ at a break is O(1).
				if math.Abs(right-v[k]) > 1e-4*(1+math.Abs(v[k])) || math.Abs(left-vl[k]) > 1e-4*(1+math.Abs(vl[k])) {
					t.Errorf("%s: break %g: α̇_%d right %g (fd %g), left %g (fd %g)", name, b, k, v[k], right, vl[k], left)
				}
			}
			if jump < 0.1 {
				t.Errorf("%s: break %g: α̇ does not jump (%g); not a break", name, b, jump)
			}
		}
	}
}

func TestBreaks(t *testing.T) {
	ps := testPaths(t)
	for name, want := range map[string][]float64{
		"segment":          nil,
		"polyline":         {1.0 / 3, 2.0 / 3},
		"concat":           {1.0 / 3, 0.5, 2.0 / 3},
		"reverse polyline": {1 - 2.0/3, 1 - 1.0/3},
		"truncated concat": {(1.0 / 3) / 0.6, 0.5 / 0.6},
		// The break at the end is no longer interior.
		"truncated polyline at a break": {(1.0 / 3) / (2.0 / 3)},
	} {
		got := breaksOf(ps[name])
		if len(got) != len(want) {
			t.Errorf("%s: breaks %v, want %v", name, got, want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-15 {
				t.Errorf("%s: breaks %v, want %v", name, got, want)
			}
		}
	}
	// Smootherstep maps 1/2 to 1/2 and 1/3 to 0.2099 (φ(1/3) = 1/3 would
	// be the identity): check φ(b') = b.
	rep := ps["smootherstep polyline"].(Piecewise)
	for i, b := range rep.Breaks() {
		phi, _ := Smootherstep{}.Warp(b)
		if want := breaksOf(ps["polyline"])[i]; math.Abs(phi-want) > 1e-14 {
			t.Errorf("retimed break %g maps to %g, want %g", b, phi, want)
		}
	}
}

// A truncated path passes through p's points up to the cut: α(t) =
// p.α(end·t), so it ends where p was at end; at t = 1 its α̇ is end times
// p's derivative from the left (at a break of p the two sides differ).
func TestTruncate(t *testing.T) {
	e1, e2 := vertex(3, 1), vertex(3, 2)
	w := []float64{0.2, 0.5, 0.3}
	poly := mustPath(Polyline(e1, w, e2))
	for _, end := range []float64{0.25, 0.5, 0.9} {
		c := mustPath(Truncate(poly, end))
		a, b := make([]float64, 3), make([]float64, 3)
		for _, tt := range []float64{0, 0.3, 1} {
			c.Alpha(a, tt)
			poly.Alpha(b, end*tt)
			if !slices.Equal(a, b) {
				t.Errorf("end %g: α(%g) = %v, want p.α(%g) = %v", end, tt, a, end*tt, b)
			}
		}
		c.AlphaDot(a, 1)
		alphaDotLeft(poly, b, end)
		scale(b, end)
		if !slices.Equal(a, b) {
			t.Errorf("end %g: α̇(1) = %v, want %v", end, a, b)
		}
	}
	if c := mustPath(Truncate(poly, 1)); c != poly {
		t.Error("Truncate at 1 does not return the path itself")
	}
	for _, bad := range []float64{0, -0.1, 1.5, math.NaN()} {
		if _, err := Truncate(poly, bad); err == nil {
			t.Errorf("Truncate at %v: no error", bad)
		}
	}
}

func TestEndPoints(t *testing.T) {
	p := mustPath(Polyline(vertex(4, 1), []float64{0.25, 0.25, 0.25, 0.25}, vertex(4, 3)))
	a := make([]float64, 4)
	p.Alpha(a, 0)
	if !slices.Equal(a, vertex(4, 1)) {
		t.Errorf("α(0) = %v", a)
	}
	p.Alpha(a, 0.5)
	if !slices.Equal(a, []float64{0.25, 0.25, 0.25, 0.25}) {
		t.Errorf("α(1/2) = %v, want the waypoint", a)
	}
	// Exact zeros at a vertex end matter: the SDE checks α_0 = 0 exactly.
	p.Alpha(a, 1)
	if !slices.Equal(a, vertex(4, 3)) {
		t.Errorf("α(1) = %v", a)
	}
	r := Reverse(p)
	r.Alpha(a, 0)
	if !slices.Equal(a, vertex(4, 3)) {
		t.Errorf("reversed α(0) = %v", a)
	}
	// Polyline speed: each segment in half the time, so α̇ = 2·(b − a).
	p.AlphaDot(a, 0.25)
	if !slices.Equal(a, []float64{0.5, -1.5, 0.5, 0.5}) {
		t.Errorf("α̇(1/4) = %v", a)
	}
}

func TestValidation(t *testing.T) {
	e0, e1 := vertex(3, 0), vertex(3, 1)
	seg := mustPath(Segment(e0, e1))
	cases := []struct {
		name string
		make func() (Path, error)
		want string // part of the error
	}{
		{"negative coordinate", func() (Path, error) { return Segment([]float64{1.1, -0.1, 0}, e1) }, "negative"},
		{"sum not 1", func() (Path, error) { return Segment(e0, []float64{0.5, 0.6, 0}) }, "sum"},
		{"NaN", func() (Path, error) { return Segment(e0, []float64{math.NaN(), 1, 0}) }, "NaN"},
		{"one coordinate", func() (Path, error) { return Segment([]float64{1}, []float64{1}) }, "at least 2"},
		{"lengths", func() (Path, error) { return Segment(e0, []float64{0, 1}) }, "different lengths"},
		{"polyline of one point", func() (Path, error) { return Polyline(e0) }, "at least 2 points"},
		{"waypoint off simplex", func() (Path, error) { return Polyline(e0, []float64{0.5, 0.5, 0.5}, e1) }, "waypoint 1"},
		{"waypoint lengths", func() (Path, error) { return Polyline(e0, []float64{0.5, 0.5}, e1) }, "different lengths"},
		{"concat gap", func() (Path, error) { return Concat(seg, seg) }, "ends at"},
		{"concat sizes", func() (Path, error) { return Concat(seg, mustPath(Segment([]float64{0, 1}, []float64{1, 0}))) }, "different lengths"},
		{"concat nothing", func() (Path, error) { return Concat() }, "no paths"},
		{"warp end", func() (Path, error) {
			return Reparam(seg, WarpFunc{func(t float64) float64 { return 0.9 * t }, func(float64) float64 { return 0.9 }})
		}, "φ(1)"},
		{"warp decreasing", func() (Path, error) {
			return Reparam(seg, WarpFunc{func(t float64) float64 { return t + math.Sin(4*math.Pi*t)/2 }, func(t float64) float64 { return 1 + 2*math.Pi*math.Cos(4*math.Pi*t) }})
		}, "< 0"},
		{"warp wrong derivative", func() (Path, error) {
			return Reparam(seg, WarpFunc{func(t float64) float64 { return t * t }, func(t float64) float64 { return t }})
		}, "does not match"},
		{"nil warp", func() (Path, error) { return Reparam(seg, nil) }, "nil"},
	}
	for _, c := range cases {
		p, err := c.make()
		if err == nil || p != nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "path: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to mention %q", c.name, err, c.want)
		}
	}
	// The tolerance is 1e-9: a rounding error passes, more does not.
	if _, err := Segment([]float64{1 + 5e-10, -5e-10, 0}, e1); err != nil {
		t.Errorf("point within 1e-9 refused: %v", err)
	}
	if _, err := Segment([]float64{1 + 2e-9, -2e-9, 0}, e1); err == nil {
		t.Error("coordinate −2e-9 accepted")
	}
	if _, err := Segment([]float64{1 + 2e-9, 0, 0}, e1); err == nil {
		t.Error("sum 1 + 2e-9 accepted")
	}
}

// offPath leaves the simplex between its (valid) end points.
type offPath struct{}

func (offPath) Len() int { return 2 }
func (offPath) Alpha(dst []float64, t float64) {
	dst[0], dst[1] = 1-t-math.Sin(math.Pi*t), t+math.Sin(math.Pi*t)
}
func (offPath) AlphaDot(dst []float64, t float64) {
	dst[0], dst[1] = -1-math.Pi*math.Cos(math.Pi*t), 1+math.Pi*math.Cos(math.Pi*t)
}

func TestCheck(t *testing.T) {
	if err := Check(offPath{}); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("path leaving the simplex: err = %v", err)
	}
	if _, err := NewVelocity(gauss3(), offPath{}); err == nil {
		t.Error("NewVelocity accepted a path of the wrong size")
	}
}

// sine is a path kind defined outside the package: the JSON format is
// extended through RegisterKind and MarshalJSON.
type sine struct{ A float64 }

func (s sine) Len() int { return 2 }
func (s sine) Alpha(dst []float64, t float64) {
	dst[1] = t + s.A*math.Sin(math.Pi*t)
	dst[0] = 1 - dst[1]
}
func (s sine) AlphaDot(dst []float64, t float64) {
	dst[1] = 1 + s.A*math.Pi*math.Cos(math.Pi*t)
	dst[0] = -dst[1]
}
func (s sine) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"kind": "test-sine", "a": s.A})
}

func init() {
	RegisterKind("test-sine", func(data []byte) (Path, error) {
		var v struct {
			Kind string  `json:"kind"`
			A    float64 `json:"a"`
		}
		err := json.Unmarshal(data, &v)
		return sine{v.A}, err
	})
}

// Save then Load must give the same α and α̇ bit for bit at every t.
func TestJSONRoundTrip(t *testing.T) {
	paths := testPaths(t)
	delete(paths, "reverse reparam concat") // a WarpFunc has no name
	// A truncated path lives inside one generation run (Truncate): no kind.
	delete(paths, "truncated concat")
	delete(paths, "truncated polyline at a break")
	paths["foreign kind in a concat"] = Reverse(mustPath(Concat(sine{0.1}, mustPath(Segment([]float64{0, 1}, []float64{1, 0})))))
	paths["smoothstep"] = mustPath(Reparam(mustPath(Segment(vertex(3, 0), vertex(3, 2))), Smoothstep{}))
	for name, p := range paths {
		var buf bytes.Buffer
		if err := Save(&buf, p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		text := buf.String()
		q, err := Load(strings.NewReader(text))
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, text)
		}
		if q.Len() != p.Len() || !slices.Equal(breaksOf(p), breaksOf(q)) {
			t.Errorf("%s: loaded %d coordinates, breaks %v; want %d, %v", name, q.Len(), breaksOf(q), p.Len(), breaksOf(p))
		}
		n := p.Len()
		a, b := make([]float64, n), make([]float64, n)
		for i := 0; i <= 100; i++ {
			tt := float64(i) / 100
			p.Alpha(a, tt)
			q.Alpha(b, tt)
			if !slices.Equal(a, b) {
				t.Errorf("%s: α(%g) = %v after loading, %v before", name, tt, b, a)
			}
			p.AlphaDot(a, tt)
			q.AlphaDot(b, tt)
			if !slices.Equal(a, b) {
				t.Errorf("%s: α̇(%g) = %v after loading, %v before", name, tt, b, a)
			}
		}
	}
}

func TestJSONErrors(t *testing.T) {
	if err := Save(&bytes.Buffer{}, testPaths(t)["reverse reparam concat"]); err == nil || !strings.Contains(err.Error(), "time warp") {
		t.Errorf("saving a WarpFunc: err = %v", err)
	}
	if err := Save(&bytes.Buffer{}, offPath{}); err == nil {
		t.Error("saved a path type without MarshalJSON")
	}
	for text, want := range map[string]string{
		`{"from": [1, 0], "to": [0, 1]}`:                                    `no "kind"`,
		`{"kind": "spline"}`:                                                `unknown path kind "spline"`,
		`{"kind": "segment", "from": [1, 0], "to": [0, 1], "speed": 2}`:     `unknown field "speed"`,
		`{"kind": "polyline", "points": [[1, 0], [0.5, 0.6], [0, 1]]}`:      "waypoint 1",
		`{"kind": "reparam", "warp": "cubic", "path": {"kind": "segment"}}`: `unknown time warp "cubic"`,
		`{"kind": "concat", "paths": [{"kind": "segment", "from": [1, 0], "to": [0, 1]}, {"kind": "segment", "from": [1, 0], "to": [0, 1]}]}`: "ends at",
		`[1, 2]`:              "bad path JSON",
		`{"kind": "reverse"}`: `without "path"`,
	} {
		_, err := Load(strings.NewReader(text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to mention %s", text, err, want)
		}
	}
}

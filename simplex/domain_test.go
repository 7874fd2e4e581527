package simplex_test

import (
	"math"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/simplex"
)

func TestDomainContains(t *testing.T) {
	ball := simplex.Ball(math.Sqrt2)
	for _, tc := range []struct {
		dom   simplex.Domain
		alpha []float64
		want  string // "" for a member
	}{
		{simplex.Simplex, []float64{0.5, 0.5}, ""},
		{simplex.Simplex, []float64{math.Sqrt(0.5), math.Sqrt(0.5)}, "sum"},
		{ball, []float64{math.Sqrt(0.5), math.Sqrt(0.5)}, ""}, // the trig path's midpoint
		{ball, []float64{0.5, 0.5}, ""},                       // the simplex is inside
		{ball, []float64{1, 1}, ""},                           // |α| = √2, on the boundary
		{ball, []float64{1, 1.0001}, "outside the ball"},
		{ball, []float64{0, 0}, "point is 0"},
		{ball, []float64{-1e-6, 1}, "negative"},
		{ball, []float64{-1e-10, 1}, ""}, // rounding, inside Tol
		{ball, []float64{math.NaN(), 1}, "NaN"},
		{simplex.Unbounded, []float64{100, 3}, ""},
		{simplex.Unbounded, []float64{1}, "at least 2"},
	} {
		err := tc.dom.Contains(tc.alpha)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v in %v: %v", tc.alpha, tc.dom, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v in %v: error %v, want %q", tc.alpha, tc.dom, err, tc.want)
		}
	}
}

func TestDomainParseCovers(t *testing.T) {
	for _, s := range []string{"simplex", "ball", "ball(2)", "ball(+Inf)"} {
		d, err := simplex.ParseDomain(s)
		if err != nil || d.String() != s {
			t.Errorf("ParseDomain(%q) = %v, %v; String %q", s, d, err, d.String())
		}
	}
	for _, s := range []string{"", "sphere", "ball(0.5)", "ball(x)"} {
		if _, err := simplex.ParseDomain(s); err == nil {
			t.Errorf("ParseDomain(%q): no error", s)
		}
	}
	ball := simplex.Ball(simplex.DefaultRadius)
	if !ball.Covers(simplex.Simplex) || simplex.Simplex.Covers(ball) || !simplex.Unbounded.Covers(ball) || ball.Covers(simplex.Unbounded) {
		t.Error("Covers is wrong")
	}
	if !simplex.IsVertex([]float64{1e-12, 1 - 1e-12, 0}, 1) || simplex.IsVertex([]float64{0.5, 1, 0}, 1) || simplex.VertexIndex([]float64{0, 0, 1}) != 2 || simplex.VertexIndex([]float64{0.5, 0.5}) != -1 {
		t.Error("IsVertex/VertexIndex are wrong")
	}
}

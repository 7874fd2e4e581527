package simplex_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/simplex"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		alpha []float64
		want  string // substring of the error; "" for valid
	}{
		{"vertex", []float64{0, 1}, ""},
		{"interior", []float64{0.2, 0.3, 0.5}, ""},
		// −1e-13 is inside Tol = 1e-9: rounding-sized negatives pass.
		{"rounding negative", []float64{-1e-13, 1 + 1e-13}, ""},
		// Sum off by 5e-10 is inside Tol = 1e-9.
		{"rounding sum", []float64{0.5, 0.5 + 5e-10}, ""},
		{"too short", []float64{1}, "at least 2"},
		{"empty", nil, "at least 2"},
		{"NaN", []float64{math.NaN(), 1}, "coordinate 0 is NaN"},
		{"Inf", []float64{0, math.Inf(1)}, "coordinate 1 is +Inf"},
		{"negative", []float64{-1e-6, 1 + 1e-6}, "coordinate 0 is negative"},
		{"sum", []float64{0.5, 0.5 + 2e-9}, "sum"},
		{"sum low", []float64{0.2, 0.2}, "sum"},
	} {
		err := simplex.Validate(tc.alpha)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.name, err)
		case tc.want != "" && err == nil:
			t.Errorf("%s: no error", tc.name)
		case tc.want != "" && !strings.Contains(err.Error(), tc.want):
			t.Errorf("%s: error %q does not say %q", tc.name, err, tc.want)
		case err != nil && !strings.HasPrefix(err.Error(), "simplex: "):
			t.Errorf("%s: error %q lacks the package prefix", tc.name, err)
		}
	}
}

func TestVertex(t *testing.T) {
	for n := 1; n <= 4; n++ {
		for k := 0; k < n; k++ {
			e := simplex.Vertex(n, k)
			for i, v := range e {
				want := 0.0
				if i == k {
					want = 1
				}
				if v != want {
					t.Fatalf("Vertex(%d, %d) = %v", n, k, e)
				}
			}
		}
	}
	for _, bad := range [][2]int{{3, 3}, {3, -1}, {0, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Vertex(%d, %d) did not panic", bad[0], bad[1])
				}
			}()
			simplex.Vertex(bad[0], bad[1])
		}()
	}
}

func TestBarycenter(t *testing.T) {
	b, err := simplex.Barycenter(5, []int{4, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	// Exactly 1/3 on the listed vertices, 0 elsewhere.
	third := 1.0 / 3
	if !slices.Equal(b, []float64{0, third, third, 0, third}) {
		t.Errorf("Barycenter = %v", b)
	}
	checkOnSimplex(t, b)
	if !slices.Equal(simplex.Support(b), []int{1, 2, 4}) {
		t.Errorf("Support = %v", simplex.Support(b))
	}
	for _, face := range [][]int{nil, {5}, {-1}, {1, 1}} {
		if _, err := simplex.Barycenter(5, face); err == nil {
			t.Errorf("Barycenter(5, %v): no error", face)
		}
	}
}

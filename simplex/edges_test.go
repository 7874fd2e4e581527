package simplex_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/mmi-go/mmi/simplex"
)

func TestEdges(t *testing.T) {
	const n, draws = 5, 50000
	r := newRand(5)
	a := make([]float64, n)
	counts := map[string]int{}
	var lower []float64 // the coordinate at the smaller index of the pair
	for i := 0; i < draws; i++ {
		simplex.Edges{}.Sample(a, r)
		checkOnSimplex(t, a)
		s := simplex.Support(a)
		if len(s) != 2 {
			// t = 0 exactly has probability 2^-53 per draw.
			t.Fatalf("Edges sample %v has support %v, want 2 vertices", a, s)
		}
		counts[fmt.Sprint(s)]++
		lower = append(lower, a[s[0]])
	}
	// 10 pairs, χ² with 9 degrees of freedom; 35 is its 0.99993 quantile.
	// Restricting to neighbouring pairs, or drawing i and j with j ≥ i, puts
	// expected-count-sized errors in several cells (χ² in the thousands).
	if c := chiSquare(counts, n*(n-1)/2, draws); c > 35 {
		t.Errorf("pair frequencies: χ² = %.1f > 35: %v", c, counts)
	}
	mean, variance, seMean, seVar := moments(lower)
	// U(0,1): mean 1/2, variance 1/12; 5 standard errors. A t drawn as the
	// larger of two coordinates, or from a Beta instead of a uniform, fails.
	if math.Abs(mean-0.5) > 5*seMean || math.Abs(variance-1.0/12) > 5*seVar {
		t.Errorf("edge coordinate: mean %.4f var %.5f, want 0.5 and %.5f", mean, variance, 1.0/12)
	}
}

func TestVertices(t *testing.T) {
	const n, draws = 4, 20000
	r := newRand(6)
	a := make([]float64, n)
	counts := map[string]int{}
	for i := 0; i < draws; i++ {
		simplex.Vertices{}.Sample(a, r)
		checkOnSimplex(t, a)
		s := simplex.Support(a)
		if len(s) != 1 || a[s[0]] != 1 {
			t.Fatalf("Vertices sample %v is not a vertex", a)
		}
		counts[fmt.Sprint(s)]++
	}
	// χ² with 3 degrees of freedom; 21 is its 0.9999 quantile.
	if c := chiSquare(counts, n, draws); c > 21 {
		t.Errorf("vertex frequencies: χ² = %.1f > 21: %v", c, counts)
	}
}

func TestFaces(t *testing.T) {
	const n, draws = 5, 50000
	for _, tc := range []struct {
		dim, subsets int
		chi2         float64 // 0.9999 quantile of χ² with subsets−1 degrees of freedom
	}{
		{0, 5, 23.5},
		{1, 10, 33.7},
		{2, 10, 33.7},
		{4, 1, 0},
	} {
		f, err := simplex.NewFaces(tc.dim)
		if err != nil {
			t.Fatal(err)
		}
		r := newRand(7)
		a := make([]float64, n)
		counts := map[string]int{}
		var first []float64
		for i := 0; i < draws; i++ {
			f.Sample(a, r)
			checkOnSimplex(t, a)
			s := simplex.Support(a)
			if len(s) != tc.dim+1 {
				t.Fatalf("Dim %d: sample %v has support %v", tc.dim, a, s)
			}
			counts[fmt.Sprint(s)]++
			first = append(first, a[s[0]])
		}
		if c := chiSquare(counts, tc.subsets, draws); c > tc.chi2 {
			t.Errorf("Dim %d: face frequencies χ² = %.1f > %.1f: %v", tc.dim, c, tc.chi2, counts)
		}
		// Dirichlet(1) on m = Dim+1 vertices: each coordinate is
		// Beta(1, m−1), mean 1/m, variance (m−1)/(m²(m+1)). 5 standard
		// errors. Normalising uniforms instead of exponentials changes both.
		m := float64(tc.dim + 1)
		mean, variance, seMean, seVar := moments(first)
		wantVar := (m - 1) / (m * m * (m + 1))
		if math.Abs(mean-1/m) > 5*seMean+1e-15 || math.Abs(variance-wantVar) > 5*seVar+1e-15 {
			t.Errorf("Dim %d: coordinate mean %.4f var %.5f, want %.4f and %.5f", tc.dim, mean, variance, 1/m, wantVar)
		}
	}
	if _, err := simplex.NewFaces(-1); err == nil {
		t.Error("NewFaces(-1): no error")
	}
	defer func() {
		if recover() == nil {
			t.Error("Faces{Dim: 3} on 3 coordinates did not panic")
		}
	}()
	simplex.Faces{Dim: 3}.Sample(make([]float64, 3), newRand(0))
}

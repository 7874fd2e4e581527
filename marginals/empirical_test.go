package marginals_test

import (
	"math"
	"slices"
	"testing"

	"github.com/mmi-go/mmi/marginals"
)

// rowsOf returns n rows of dimension 2 whose row i is (i, −i), so a drawn
// row names its own index.
func rowsOf(n int, offset float64) []float64 {
	x := make([]float64, 0, 2*n)
	for i := 0; i < n; i++ {
		x = append(x, float64(i)+offset, -float64(i)-offset)
	}
	return x
}

func TestEmpirical(t *testing.T) {
	const rows, draws = 7, 35000
	e, err := marginals.NewEmpirical(rowsOf(rows, 0), 2)
	if err != nil {
		t.Fatal(err)
	}
	if e.Len() != rows || e.Dim() != 2 || !slices.Equal(e.Row(3), []float64{3, -3}) {
		t.Fatalf("Len %d Dim %d Row(3) %v", e.Len(), e.Dim(), e.Row(3))
	}
	x := make([]float64, 2*draws)
	e.Sample(x, newRand(10))
	counts := make([]int, rows)
	for i := 0; i < draws; i++ {
		k := x[2*i]
		// Only existing rows, copied whole.
		if k != math.Trunc(k) || k < 0 || k >= rows || x[2*i+1] != -k {
			t.Fatalf("draw %d = %v is not a row", i, x[2*i:2*i+2])
		}
		counts[int(k)]++
	}
	// χ² with 6 degrees of freedom; 27.9 is its 0.9999 quantile. Never
	// drawing the last row (IntN(n−1)) adds ≈ draws/rows = 5000 alone.
	chi2, want := 0.0, float64(draws)/rows
	for _, c := range counts {
		chi2 += (float64(c) - want) * (float64(c) - want) / want
	}
	if chi2 > 27.9 {
		t.Errorf("row frequencies %v: χ² = %.1f > 27.9", counts, chi2)
	}
}

func TestNewEmpiricalErrors(t *testing.T) {
	for _, tc := range []struct {
		rows []float64
		d    int
	}{
		{nil, 2},
		{[]float64{1, 2, 3}, 2}, // ragged
		{[]float64{1, 2}, 0},
		{[]float64{1, math.NaN()}, 2},
		{[]float64{math.Inf(-1), 1}, 2},
	} {
		if _, err := marginals.NewEmpirical(tc.rows, tc.d); err == nil {
			t.Errorf("NewEmpirical(%v, %d): no error", tc.rows, tc.d)
		}
	}
}

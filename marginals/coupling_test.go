package marginals_test

import (
	"math"
	"slices"
	"testing"

	"github.com/mmi-go/mmi/marginals"
)

func TestIndependent(t *testing.T) {
	const rows, n = 5, 25000
	a, _ := marginals.NewEmpirical(rowsOf(rows, 0), 2)
	b, _ := marginals.NewEmpirical(rowsOf(rows, 100), 2)
	g := marginals.StandardGaussian(2)
	c, err := marginals.NewIndependent(g, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 3 || c.Dim() != 2 || c.Marginal(1) != marginals.Marginal(a) {
		t.Fatalf("Len %d Dim %d", c.Len(), c.Dim())
	}
	dst := [][]float64{make([]float64, 2*n), make([]float64, 2*n), make([]float64, 2*n)}
	c.Sample(dst, newRand(11))
	// Marginal 0 is the Gaussian: mean 0 and variance 1 within 5 standard
	// errors (√(1/n) and √(2/n)).
	var s, s2 float64
	for _, v := range dst[0] {
		s += v
		s2 += v * v
	}
	m := 2 * float64(n)
	if math.Abs(s/m) > 5/math.Sqrt(m) || math.Abs(s2/m-1) > 5*math.Sqrt(2/m) {
		t.Errorf("marginal 0: mean %.4f, second moment %.4f", s/m, s2/m)
	}
	// Independence of marginals 1 and 2: the 25 index pairs are uniform
	// (χ² with 24 degrees of freedom; 56 is its 0.9998 quantile). A shared
	// index puts everything on the diagonal (χ² = 100000).
	var counts [rows][rows]int
	for i := 0; i < n; i++ {
		ia, ib := int(dst[1][2*i]), int(dst[2][2*i]-100)
		counts[ia][ib]++
	}
	chi2, want := 0.0, float64(n)/(rows*rows)
	for _, row := range counts {
		for _, o := range row {
			chi2 += (float64(o) - want) * (float64(o) - want) / want
		}
	}
	if chi2 > 56 {
		t.Errorf("joint index frequencies: χ² = %.1f > 56", chi2)
	}
}

func TestNewIndependentErrors(t *testing.T) {
	if _, err := marginals.NewIndependent(); err == nil {
		t.Error("no marginals: no error")
	}
	if _, err := marginals.NewIndependent(marginals.StandardGaussian(2), marginals.StandardGaussian(3)); err == nil {
		t.Error("mismatched dimensions: no error")
	}
	if _, err := marginals.NewIndependent(marginals.StandardGaussian(2), nil); err == nil {
		t.Error("nil marginal: no error")
	}
}

func TestPaired(t *testing.T) {
	const rows, n = 6, 12000
	s1, _ := marginals.NewEmpirical(rowsOf(rows, 0), 2)
	s2, _ := marginals.NewEmpirical(rowsOf(rows, 100), 2)
	s3, _ := marginals.NewEmpirical(rowsOf(rows, 200), 2)
	base := marginals.StandardGaussian(2)
	c, err := marginals.NewPaired(base, s1, s2, s3)
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 4 || c.Dim() != 2 || c.Marginal(0) != marginals.Marginal(base) || c.Marginal(2) != marginals.Marginal(s2) {
		t.Fatal("Len, Dim or Marginal wrong")
	}
	dst := make([][]float64, 4)
	for k := range dst {
		dst[k] = make([]float64, 2*n)
	}
	c.Sample(dst, newRand(12))
	counts := make([]int, rows)
	for i := 0; i < n; i++ {
		j := dst[1][2*i]
		// Row i of every set is the same row j of its data set.
		for k := 1; k <= 3; k++ {
			off := float64(100 * (k - 1))
			if dst[k][2*i] != j+off || dst[k][2*i+1] != -j-off {
				t.Fatalf("draw %d: rows %v %v %v do not belong together", i, dst[1][2*i:2*i+2], dst[2][2*i:2*i+2], dst[3][2*i:2*i+2])
			}
		}
		counts[int(j)]++
		// The base is a Gaussian draw, not a copied row.
		if dst[0][2*i] == math.Trunc(dst[0][2*i]) {
			t.Fatalf("base draw %v looks like a data row", dst[0][2*i:2*i+2])
		}
	}
	// χ² with 5 degrees of freedom; 25.7 is its 0.9999 quantile.
	chi2, want := 0.0, float64(n)/rows
	for _, o := range counts {
		chi2 += (float64(o) - want) * (float64(o) - want) / want
	}
	if chi2 > 25.7 {
		t.Errorf("shared index frequencies %v: χ² = %.1f", counts, chi2)
	}
}

func TestNewPairedErrors(t *testing.T) {
	s6, _ := marginals.NewEmpirical(rowsOf(6, 0), 2)
	s5, _ := marginals.NewEmpirical(rowsOf(5, 0), 2)
	s3d, _ := marginals.NewEmpirical(make([]float64, 18), 3)
	g := marginals.StandardGaussian(2)
	for name, f := range map[string]func() (*marginals.Paired, error){
		"nil base":   func() (*marginals.Paired, error) { return marginals.NewPaired(nil, s6) },
		"no sets":    func() (*marginals.Paired, error) { return marginals.NewPaired(g) },
		"nil set":    func() (*marginals.Paired, error) { return marginals.NewPaired(g, s6, nil) },
		"row counts": func() (*marginals.Paired, error) { return marginals.NewPaired(g, s6, s5) },
		"dimension":  func() (*marginals.Paired, error) { return marginals.NewPaired(g, s3d) },
	} {
		if _, err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCouplingsReproducible(t *testing.T) {
	s1, _ := marginals.NewEmpirical(rowsOf(50, 0), 2)
	s2, _ := marginals.NewEmpirical(rowsOf(50, 100), 2)
	m, _ := marginals.NewMixture([]float64{1, 1}, []*marginals.Gaussian{marginals.StandardGaussian(2), marginals.StandardGaussian(2)})
	ind, _ := marginals.NewIndependent(m, s1, s2)
	par, _ := marginals.NewPaired(m, s1, s2)
	for _, c := range []marginals.Coupling{ind, par} {
		draw := func(seed uint64) []float64 {
			dst := [][]float64{make([]float64, 20), make([]float64, 20), make([]float64, 20)}
			c.Sample(dst, newRand(seed))
			return slices.Concat(dst...)
		}
		if !slices.Equal(draw(1), draw(1)) || slices.Equal(draw(1), draw(2)) {
			t.Errorf("%T: same seed must give the same draws, another seed others", c)
		}
	}
}

func TestCouplingSizePanics(t *testing.T) {
	c, _ := marginals.NewIndependent(marginals.StandardGaussian(2), marginals.StandardGaussian(2))
	for name, dst := range map[string][][]float64{
		"count":   {make([]float64, 4)},
		"lengths": {make([]float64, 4), make([]float64, 6)},
		"ragged":  {make([]float64, 3), make([]float64, 3)},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			c.Sample(dst, newRand(0))
		}()
	}
}

package marginals

import (
	"math/rand/v2"
	"testing"
)

// TestPairedSpec: "paired" parses, prints and round-trips through SpecOf;
// New builds a Paired whose draws keep the rows together, and refuses a
// data marginal without rows.
func TestPairedSpec(t *testing.T) {
	s, err := ParseCouplingSpec("paired")
	if err != nil || s.Kind != KindPaired || s.String() != "paired" {
		t.Fatalf("ParseCouplingSpec(paired) = %v, %v", s, err)
	}
	if _, err := ParseCouplingSpec("paired:3"); err == nil {
		t.Error("paired:3 accepted")
	}
	a, _ := NewEmpirical([]float64{0, 1, 2, 3}, 1)
	b, _ := NewEmpirical([]float64{10, 11, 12, 13}, 1)
	c, err := s.New(StandardGaussian(1), a, b)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := SpecOf(c); !ok || !got.Same(s) {
		t.Errorf("SpecOf(paired) = %v, %v", got, ok)
	}
	dst := [][]float64{make([]float64, 50), make([]float64, 50), make([]float64, 50)}
	c.Sample(dst, rand.New(rand.NewPCG(1, 2)))
	for i := range 50 {
		if dst[2][i] != dst[1][i]+10 {
			t.Fatalf("draw %d: %v and %v are not one row", i, dst[1][i], dst[2][i])
		}
	}
	if _, err := s.New(StandardGaussian(1), a, StandardGaussian(1)); err == nil {
		t.Error("a Gaussian data marginal was paired")
	}
}

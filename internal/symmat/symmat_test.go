package symmat

import (
	"testing"

	"gonum.org/v1/gonum/mat"
)

// A wrong power (an unsymmetric product, a dropped eigenvector, p used as
// a factor instead of an exponent) fails both identities by far more than
// the 1e-10 that rounding leaves on this well-conditioned matrix.
func TestPow(t *testing.T) {
	a := mat.NewSymDense(3, []float64{4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2})
	h, hi := Pow(a, 0.5), Pow(a, -0.5)
	var sq, id mat.Dense
	sq.Mul(h, h)
	id.Mul(h, hi)
	if !mat.EqualApprox(&sq, a, 1e-10) {
		t.Errorf("Pow(A, 1/2)² = %v, want A", mat.Formatted(&sq))
	}
	if !mat.EqualApprox(&id, eye(3), 1e-10) {
		t.Errorf("Pow(A, 1/2) Pow(A, −1/2) = %v, want I", mat.Formatted(&id))
	}
	// Rounding may leave a PSD matrix with a tiny negative eigenvalue: its
	// square root must stay finite.
	s := Pow(mat.NewSymDense(2, []float64{1, 1, 1, 1 - 1e-17}), 0.5)
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			if v := s.At(i, j); v != v {
				t.Fatalf("square root of a singular PSD matrix has NaN at (%d,%d)", i, j)
			}
		}
	}
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	return m
}

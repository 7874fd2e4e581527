package simplex

import (
	"errors"
	"fmt"
)

// Validate reports whether alpha is a point of Δ^K with K ≥ 1 within Tol:
// Simplex.Contains(alpha). The error names the first condition that fails.
func Validate(alpha []float64) error { return Simplex.Contains(alpha) }

// Vertex returns the vertex e_k of Δ^{n-1}: 1 at index k, 0 elsewhere.
// At e_k the interpolant x(α) is x_k, so its law is the marginal ρ_k.
// It panics unless 0 ≤ k < n.
func Vertex(n, k int) []float64 {
	if k < 0 || k >= n {
		panic(fmt.Sprintf("simplex: vertex %d of a simplex with %d vertices", k, n))
	}
	e := make([]float64, n)
	e[k] = 1
	return e
}

// Barycenter returns the barycenter of the face of Δ^{n-1} spanned by the
// listed vertices: α_k = 1/|face| for k in face, 0 elsewhere. Its interpolant
// Σ_{k∈face} x_k/|face| is the equal-weight barycenter of those marginals.
//
// Face indices often come from a user (the marginals to average), so an
// empty face, an index outside [0, n) or a repeated index is an error,
// not a panic.
func Barycenter(n int, face []int) ([]float64, error) {
	if len(face) == 0 {
		return nil, errors.New("simplex: barycenter of an empty face")
	}
	alpha := make([]float64, n)
	w := 1 / float64(len(face))
	for _, k := range face {
		if k < 0 || k >= n {
			return nil, fmt.Errorf("simplex: vertex %d out of range [0, %d)", k, n)
		}
		if alpha[k] != 0 {
			return nil, fmt.Errorf("simplex: vertex %d listed twice", k)
		}
		alpha[k] = w
	}
	return alpha, nil
}

// Support returns the indices k with α_k > 0, in increasing order: the
// vertices of the smallest face that contains alpha.
func Support(alpha []float64) []int {
	var s []int
	for k, a := range alpha {
		if a > 0 {
			s = append(s, k)
		}
	}
	return s
}

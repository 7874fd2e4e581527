// Package symmat holds the one matrix function that several bottom
// packages need: powers of symmetric positive semi-definite matrices.
package symmat

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Pow returns A^p = V diag(max(λ, 0)^p) Vᵀ for a symmetric positive
// semi-definite A, by eigendecomposition. Eigenvalues that rounding made
// slightly negative count as zero. It panics if the decomposition fails,
// which gonum reports only for non-finite input.
func Pow(a mat.Symmetric, p float64) *mat.SymDense {
	var eig mat.EigenSym
	if !eig.Factorize(a, true) {
		panic("symmat: eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	d := len(vals)
	out := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			s := 0.0
			for l, v := range vals {
				s += vecs.At(i, l) * math.Pow(math.Max(v, 0), p) * vecs.At(j, l)
			}
			out.SetSym(i, j, s)
		}
	}
	return out
}

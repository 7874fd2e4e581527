package simplex

import (
	"fmt"
	"math/rand/v2"
)

// Faces is uniform on the Dim-dimensional faces of Δ^K: a face with Dim+1
// vertices is chosen uniformly among the C(K+1, Dim+1), and α is uniform
// (Dirichlet(1, …, 1)) on it, zero off it. Dim = 0 gives the vertices,
// Dim = 1 the edges, Dim = K the whole simplex; barycenters of a few
// marginals lie on the faces in between.
type Faces struct {
	Dim int
}

var _ Sampler = Faces{}

// NewFaces returns the sampler of dim-dimensional faces; dim must be ≥ 0.
// Whether the face fits is checked against len(dst) when sampling.
func NewFaces(dim int) (Faces, error) {
	if dim < 0 {
		return Faces{}, fmt.Errorf("simplex: face dimension %d is negative", dim)
	}
	return Faces{Dim: dim}, nil
}

// Sample writes one point into dst. It panics unless 0 ≤ Dim < len(dst).
// It allocates nothing.
func (f Faces) Sample(dst []float64, r *rand.Rand) {
	n, m := len(dst), f.Dim+1
	if f.Dim < 0 || m > n {
		panic(fmt.Sprintf("simplex: face of dimension %d in a simplex with %d vertices", f.Dim, n))
	}
	// Floyd's algorithm draws a uniform m-subset of {0…n−1}; dst doubles as
	// the membership set. A chosen vertex gets an Exp(1) = Gamma(1) weight,
	// which is > 0, so the normalised weights are Dirichlet(1) on the face.
	clear(dst)
	sum := 0.0
	for j := n - m; j < n; j++ {
		t := r.IntN(j + 1)
		if dst[t] > 0 {
			t = j
		}
		dst[t] = r.ExpFloat64()
		sum += dst[t]
	}
	for k := range dst {
		dst[k] /= sum
	}
}

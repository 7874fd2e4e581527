package marginals_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }

// sym builds a symmetric matrix from its rows.
func sym(rows ...[]float64) *mat.SymDense {
	d := len(rows)
	s := mat.NewSymDense(d, nil)
	for i := range rows {
		for j := i; j < d; j++ {
			s.SetSym(i, j, rows[i][j])
		}
	}
	return s
}

// checkMoments compares the sample mean and covariance of the n×d batch x
// with the closed forms. Standard errors are estimated from the sample:
// SE(mean_j) = s_j/√n, and SE(cov_ij) = sd((x_i−m_i)(x_j−m_j))/√n, the
// standard error of a mean of products. The tolerance is 5 standard errors
// per entry: with d + d(d+1)/2 ≤ 20 entries a correct sampler fails with
// probability below 1e-5.
func checkMoments(t *testing.T, name string, x []float64, d int, mean []float64, cov *mat.SymDense) {
	t.Helper()
	n := len(x) / d
	m := make([]float64, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			m[j] += x[i*d+j]
		}
	}
	for j := range m {
		m[j] /= float64(n)
	}
	for a := 0; a < d; a++ {
		se := math.Sqrt(cov.At(a, a) / float64(n))
		if math.Abs(m[a]-mean[a]) > 5*se {
			t.Errorf("%s: mean[%d] = %.4f, want %.4f (se %.4f)", name, a, m[a], mean[a], se)
		}
		for b := a; b < d; b++ {
			var s, s2 float64
			for i := 0; i < n; i++ {
				p := (x[i*d+a] - m[a]) * (x[i*d+b] - m[b])
				s += p
				s2 += p * p
			}
			c := s / float64(n)
			se := math.Sqrt((s2/float64(n) - c*c) / float64(n))
			if math.Abs(c-cov.At(a, b)) > 5*se {
				t.Errorf("%s: cov[%d,%d] = %.4f, want %.4f (se %.4f)", name, a, b, c, cov.At(a, b), se)
			}
		}
	}
}

package metrics

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// exactSet returns 2d rows μ ± c·A e_i, i = 1…d, with c = √((2d−1)/2):
// their mean is exactly μ and their unbiased covariance
// Σ_i 2c² A e_i e_iᵀ Aᵀ / (2d − 1) exactly A Aᵀ, so the Fréchet distance
// of two such sets has a closed form with no sampling error.
func exactSet(mu []float64, a *mat.Dense) []float64 {
	d := len(mu)
	c := math.Sqrt(float64(2*d-1) / 2)
	var x []float64
	for i := 0; i < d; i++ {
		for _, s := range []float64{c, -c} {
			for j := 0; j < d; j++ {
				x = append(x, mu[j]+s*a.At(j, i))
			}
		}
	}
	return x
}

func diagDense(v []float64) *mat.Dense {
	m := mat.NewDense(len(v), len(v), nil)
	for i, x := range v {
		m.Set(i, i, x)
	}
	return m
}

func TestFrechetClosedForm(t *testing.T) {
	// Diagonal covariances diag(σ²), diag(τ²): FD = |Δμ|² + Σ (σ_i − τ_i)².
	sa, sb := []float64{1, 3, 0.2, 2}, []float64{2, 1, 0.1, 2}
	a := exactSet([]float64{0, 0, 0, 1}, diagDense(sa))
	b := exactSet([]float64{0, 1, 0, 0}, diagDense(sb))
	got, err := Frechet(a, b, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := 2.0
	for i := range sa {
		want += (sa[i] - sb[i]) * (sa[i] - sb[i])
	}
	if math.Abs(got-want) > 1e-10*want { // eigendecomposition rounding
		t.Errorf("diagonal: FD = %v, want %v", got, want)
	}
	// Non-commuting 2×2 covariances Σ = A Aᵀ, against the
	// trace-determinant form of tr √M (gaussianW2Squared2x2).
	A := mat.NewDense(2, 2, []float64{1.2, 0.3, -0.4, 0.8})
	B := mat.NewDense(2, 2, []float64{0.5, 0, 0.9, 1.5})
	var ca, cb mat.Dense
	ca.Mul(A, A.T())
	cb.Mul(B, B.T())
	s1 := sym2(ca.At(0, 0), ca.At(0, 1), ca.At(1, 1))
	s2 := sym2(cb.At(0, 0), cb.At(0, 1), cb.At(1, 1))
	want = gaussianW2Squared2x2(0.5*0.5+2*2, s1, s2)
	got, err = Frechet(exactSet([]float64{0.5, -1}, A), exactSet([]float64{0, 1}, B), 2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-10*want {
		t.Errorf("2×2: FD = %v, want %v", got, want)
	}
	// A set against itself is 0 (to the rounding of the square roots).
	if got, _ := Frechet(a, a, 4); math.Abs(got) > 1e-9 {
		t.Errorf("set against itself: %v", got)
	}
}

func TestFrechetErrors(t *testing.T) {
	for _, c := range []struct {
		a, b []float64
		want string
	}{
		{[]float64{1, 2}, []float64{1, 2, 3, 4}, "at least 2"},
		{[]float64{1, 2, math.NaN(), 4}, []float64{1, 2, 3, 4}, "NaN"},
		{[]float64{1, 2, 3, 4}, []float64{1, math.Inf(1), 3, 4}, "infinite"},
	} {
		if _, err := Frechet(c.a, c.b, 2); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Frechet(%v, %v): err = %v, want %q", c.a, c.b, err, c.want)
		}
	}
}

// The Fréchet distance of two sets with means 0 and (3, 4) and equal
// covariances is |Δμ|² = 25.
func ExampleFrechet() {
	a := []float64{1, 0, -1, 0, 0, 1, 0, -1}
	b := []float64{4, 4, 2, 4, 3, 5, 3, 3}
	fd, err := Frechet(a, b, 2)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.6f\n", fd)
	// Output: 25.000000
}

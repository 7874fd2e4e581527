package simplex_test

import (
	"math"
	"testing"

	"github.com/mmi-go/mmi/simplex"
)

// projectBisect is the brute-force reference: p_k = max(a_k − θ, 0) where θ
// solves the monotone equation Σ max(a_k − θ, 0) = 1, found by bisection
// instead of sorting.
func projectBisect(a []float64) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range a {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	lo -= 1 // Σ max(a−θ,0) ≥ n ≥ 1 here
	for i := 0; i < 200; i++ {
		mid := (lo + hi) / 2
		s := 0.0
		for _, v := range a {
			s += math.Max(v-mid, 0)
		}
		if s > 1 {
			lo = mid
		} else {
			hi = mid
		}
	}
	p := make([]float64, len(a))
	for k, v := range a {
		p[k] = math.Max(v-(lo+hi)/2, 0)
	}
	return p
}

func TestProjectFixesSimplexPoints(t *testing.T) {
	r := newRand(1)
	d, _ := simplex.NewSymmetricDirichlet(4, 0.7)
	samplers := []simplex.Sampler{d, simplex.Edges{}, simplex.Vertices{}}
	a := make([]float64, 4)
	p := make([]float64, 4)
	for i := 0; i < 3000; i++ {
		samplers[i%3].Sample(a, r)
		simplex.Project(p, a)
		for k := range a {
			// θ is (Σ a − 1)/|support|, a few ulps from 0: 1e-15 allows it.
			if math.Abs(p[k]-a[k]) > 1e-15 {
				t.Fatalf("Project(%v) = %v, want the point itself", a, p)
			}
		}
	}
}

func TestProjectOptimal(t *testing.T) {
	r := newRand(2)
	for _, n := range []int{1, 2, 3, 5, 10} {
		for _, scale := range []float64{0.1, 1, 10, 1e3, 1e8} {
			a := make([]float64, n)
			p := make([]float64, n)
			q := make([]float64, n)
			d, _ := simplex.NewSymmetricDirichlet(max(n, 2), 1)
			for trial := 0; trial < 200; trial++ {
				for k := range a {
					a[k] = scale * r.NormFloat64()
				}
				simplex.Project(p, a)
				if n >= 2 {
					checkOnSimplex(t, p)
				} else if p[0] != 1 {
					t.Fatalf("Project(%v) = %v", a, p)
				}
				// Variational inequality of a projection onto a convex set:
				// ⟨a − p, q − p⟩ ≤ 0 for all q in Δ. It is linear in q, so
				// checking every vertex q = e_k is a complete certificate.
				// Tolerance: rounding of products of size scale², 1e-13·scale².
				tol := 1e-13 * math.Max(scale*scale, 1)
				for k := 0; k < n; k++ {
					ip := 0.0
					for i := range a {
						e := 0.0
						if i == k {
							e = 1
						}
						ip += (a[i] - p[i]) * (e - p[i])
					}
					if ip > tol {
						t.Fatalf("n=%d: ⟨a−p, e_%d−p⟩ = %g > 0 for a=%v p=%v", n, k, ip, a, p)
					}
				}
				// And at random interior points, as a direct check.
				if n >= 2 {
					d.Sample(q, r)
					ip := 0.0
					for i := range a {
						ip += (a[i] - p[i]) * (q[i] - p[i])
					}
					if ip > tol {
						t.Fatalf("⟨a−p, q−p⟩ = %g > 0", ip)
					}
				}
				// Bisection solves for θ to machine precision (200 halvings);
				// 1e-12·scale allows rounding in a − θ.
				ref := projectBisect(a)
				for k := range p {
					if math.Abs(p[k]-ref[k]) > 1e-12*math.Max(scale, 1) {
						t.Fatalf("Project(%v) = %v, bisection gives %v", a, p, ref)
					}
				}
			}
		}
	}
}

func TestProjectAliasAndNaN(t *testing.T) {
	a := []float64{2, 0, -1}
	simplex.Project(a, a)
	if a[0] != 1 || a[1] != 0 || a[2] != 0 {
		t.Errorf("in-place Project = %v, want [1 0 0]", a)
	}
	b := []float64{0, math.NaN()}
	simplex.Project(b, b)
	if !math.IsNaN(b[0]) || !math.IsNaN(b[1]) {
		t.Errorf("Project of NaN = %v, want NaN", b)
	}
}

package simplex

import (
	"math"
	"sort"
)

// Project writes into dst the Euclidean projection of a onto the simplex,
//
//	p = argmin_{q ∈ Δ} |q − a|² ,
//
// which is p_k = max(a_k − θ, 0) with the unique θ that makes Σ_k p_k = 1.
// θ is found by sorting (Held, Wolfe and Crowder 1974; Duchi et al. 2008):
// with u the entries of a in decreasing order, ρ is the largest j with
// u_j > (Σ_{i≤j} u_i − 1)/j, and θ = (Σ_{i≤ρ} u_i − 1)/ρ. O(n log n).
//
// Paths that leave the simplex (a straight line plus a sine series) are
// mapped back with it. dst and a may be the same slice. If a has a NaN or
// infinite entry, dst is filled with NaN. It panics if len(dst) != len(a)
// or a is empty.
func Project(dst, a []float64) {
	n := len(a)
	if len(dst) != n {
		panic("simplex: Project: len(dst) != len(a)")
	}
	if n == 0 {
		panic("simplex: Project: empty point")
	}
	for _, v := range a {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			for k := range dst {
				dst[k] = math.NaN()
			}
			return
		}
	}
	u := append(make([]float64, 0, n), a...)
	sort.Sort(sort.Reverse(sort.Float64Slice(u)))
	var cum, theta float64
	for j, v := range u {
		cum += v
		t := (cum - 1) / float64(j+1)
		if v > t {
			theta = t // j = 0 always qualifies, so θ is always set
		}
	}
	// a_k − θ carries rounding errors of the size of ulp(a_k); dividing by
	// the sum puts the result on the simplex to within a few ulps of 1
	// whatever the scale of a, and moves it by no more than that rounding.
	sum := 0.0
	for k, v := range a {
		dst[k] = math.Max(v-theta, 0)
		sum += dst[k]
	}
	for k := range dst {
		dst[k] /= sum
	}
}

package metrics

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// EnergyProjected returns the energy distance of Energy between the rows
// of a (n×d) and b (m×d) for d = 1 or 2, by sorting instead of visiting
// every pair, so that sets of millions of points can be compared: at the
// floor of two samples of one distribution the statistic's spread falls
// as 1/n, and distinguishing two small distances needs large n.
//
// In one dimension the three U-statistics of Energy come from the sorted
// samples, exactly: for ascending s_1 … s_n, Σ_{i<j} (s_j − s_i) =
// Σ_j (2j − n − 1) s_j, and the cross sum Σ|a_i − b_j| is the pair sum of
// the merged set minus those of a and b. In the plane every distance is
// an average of projected ones,
//
//	|v| = (π/2) · mean over θ ∈ [0, π) of |⟨u_θ, v⟩| ,  u_θ = (cos θ, sin θ),
//
// and the mean is taken over dirs equally spaced angles (the trapezoid
// rule of a periodic function). The 1-D statistic of each projection is
// exact, so the only error is the quadrature's, which for a single pair
// is at most (π/dirs)²/12 of its distance and for the statistic of two sets
// far smaller, because the pairs' errors have both signs
// (TestEnergyProjectedMatchesPairs measures it). The cost is
// O(dirs·(n+m)·log(n+m)) time, spread over GOMAXPROCS goroutines, and
// O(n+m) memory per goroutine.
//
// It panics, as Energy does, if n < 2 or m < 2 or a length is not a
// multiple of d, and also if d is not 1 or 2 or dirs < 1 for d = 2.
func EnergyProjected(a, b []float64, d, dirs int) float64 {
	n, m := energyRows(a, b, d)
	switch {
	case d == 1:
		return newSortedEnergy(n, m).of(a, b, 1, 0)
	case d != 2:
		panic(fmt.Sprintf("metrics: projected energy distance in %d dimensions, need 1 or 2", d))
	case dirs < 1:
		panic(fmt.Sprintf("metrics: projected energy distance with %d directions", dirs))
	}
	// Each direction's value goes to its own slot and the slots are added
	// in order, so the result does not depend on the scheduling.
	vals := make([]float64, dirs)
	workers := min(runtime.GOMAXPROCS(0), dirs)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newSortedEnergy(n, m)
			for l := w; l < dirs; l += workers {
				vals[l] = s.of(a, b, 2, (float64(l)+0.5)*math.Pi/float64(dirs))
			}
		}()
	}
	wg.Wait()
	total := 0.0
	for _, v := range vals {
		total += v
	}
	return math.Pi / 2 * total / float64(dirs)
}

// sortedEnergy holds the buffers of one 1-D energy statistic.
type sortedEnergy struct{ pa, pb, merged []float64 }

func newSortedEnergy(n, m int) *sortedEnergy {
	return &sortedEnergy{pa: make([]float64, n), pb: make([]float64, m), merged: make([]float64, n+m)}
}

// of returns the 1-D energy statistic of the rows of a and b projected on
// (cos θ, sin θ) (d = 2) or taken as they are (d = 1).
func (s *sortedEnergy) of(a, b []float64, d int, theta float64) float64 {
	project := func(dst, x []float64) {
		if d == 1 {
			copy(dst, x)
			return
		}
		c, sn := math.Cos(theta), math.Sin(theta)
		for i := range dst {
			dst[i] = c*x[2*i] + sn*x[2*i+1]
		}
	}
	project(s.pa, a)
	project(s.pb, b)
	slices.Sort(s.pa)
	slices.Sort(s.pb)
	mergeSorted(s.merged, s.pa, s.pb)
	n, m := float64(len(s.pa)), float64(len(s.pb))
	sa, sb := pairSum(s.pa), pairSum(s.pb)
	cross := pairSum(s.merged) - sa - sb
	return 2*cross/(n*m) - sa/(n*(n-1)/2) - sb/(m*(m-1)/2)
}

// pairSum returns Σ_{i<j} (s_j − s_i) for ascending s. The values are
// taken about their middle element, which leaves the sum unchanged and
// keeps the terms small.
func pairSum(s []float64) float64 {
	n := len(s)
	c := s[n/2]
	total := 0.0
	for j, v := range s {
		total += float64(2*j-n+1) * (v - c)
	}
	return total
}

// mergeSorted writes the ascending merge of ascending x and y to dst.
func mergeSorted(dst, x, y []float64) {
	i, j := 0, 0
	for k := range dst {
		if j == len(y) || (i < len(x) && x[i] <= y[j]) {
			dst[k] = x[i]
			i++
		} else {
			dst[k] = y[j]
			j++
		}
	}
}

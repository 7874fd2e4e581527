package lap

import (
	"math"
	"math/rand/v2"
	"testing"
)

// brute returns the least total over all permutations (Heap's algorithm).
func brute(cost []float64, n int) float64 {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	best := math.Inf(1)
	eval := func() {
		s := 0.0
		for i, j := range p {
			s += cost[i*n+j]
		}
		best = min(best, s)
	}
	c := make([]int, n)
	eval()
	for i := 0; i < n; {
		if c[i] < i {
			if i%2 == 0 {
				p[0], p[i] = p[i], p[0]
			} else {
				p[c[i]], p[i] = p[i], p[c[i]]
			}
			eval()
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
	return best
}

func isPerm(p []int) bool {
	seen := make([]bool, len(p))
	for _, j := range p {
		if j < 0 || j >= len(p) || seen[j] {
			return false
		}
		seen[j] = true
	}
	return true
}

// TestSolveBrute compares with exhaustive search on small problems: real
// costs, integer costs with many ties, constant costs and squared
// distances of points.
func TestSolveBrute(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s Solver
	for trial := 0; trial < 400; trial++ {
		n := 1 + trial%7
		cost := make([]float64, n*n)
		switch trial % 4 {
		case 0:
			for i := range cost {
				cost[i] = r.NormFloat64()
			}
		case 1:
			for i := range cost {
				cost[i] = float64(r.IntN(3))
			}
		case 2:
			for i := range cost {
				cost[i] = 1.5
			}
		case 3:
			x, y := make([]float64, 2*n), make([]float64, 2*n)
			for i := range x {
				x[i], y[i] = r.NormFloat64(), r.NormFloat64()
			}
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					dx, dy := x[2*i]-y[2*j], x[2*i+1]-y[2*j+1]
					cost[i*n+j] = dx*dx + dy*dy
				}
			}
		}
		perm := make([]int, n)
		got := s.Solve(cost, n, perm)
		if !isPerm(perm) {
			t.Fatalf("trial %d: %v is not a permutation", trial, perm)
		}
		sum := 0.0
		for i, j := range perm {
			sum += cost[i*n+j]
		}
		want := brute(cost, n)
		if math.Abs(got-want) > 1e-9*(1+math.Abs(want)) || sum != got {
			t.Fatalf("trial %d (n=%d): total %v (sum of perm %v), exhaustive search %v", trial, n, got, sum, want)
		}
	}
}

// TestSolveCertificate checks optimality on large problems by linear
// programming duality: with the solver's column prices v and
// u_i = C[i, σ(i)] − v_σ(i), the pair (u, v) is dual feasible
// (u_i + v_j ≤ C[i, j] for all i, j), so no permutation costs less than
// Σ u + Σ v = the returned total.
func TestSolveCertificate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var s Solver
	for _, tc := range []struct {
		n    int
		kind string
	}{{50, "uniform"}, {300, "points"}, {200, "integers"}, {257, "clusters"}} {
		n := tc.n
		cost := make([]float64, n*n)
		switch tc.kind {
		case "uniform":
			for i := range cost {
				cost[i] = r.Float64()
			}
		case "integers":
			for i := range cost {
				cost[i] = float64(r.IntN(10))
			}
		default:
			x, y := make([]float64, 2*n), make([]float64, 2*n)
			for i := range x {
				x[i], y[i] = r.NormFloat64(), r.NormFloat64()+3
				if tc.kind == "clusters" {
					x[i] = float64(r.IntN(4)) + 0.01*r.NormFloat64()
				}
			}
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					dx, dy := x[2*i]-y[2*j], x[2*i+1]-y[2*j+1]
					cost[i*n+j] = dx*dx + dy*dy
				}
			}
		}
		perm := make([]int, n)
		total := s.Solve(cost, n, perm)
		if !isPerm(perm) {
			t.Fatalf("%s: not a permutation", tc.kind)
		}
		scale := 0.0
		for _, c := range cost {
			scale = max(scale, math.Abs(c))
		}
		worst := 0.0
		for i := 0; i < n; i++ {
			u := cost[i*n+perm[i]] - s.v[perm[i]]
			for j := 0; j < n; j++ {
				worst = max(worst, u+s.v[j]-cost[i*n+j])
			}
		}
		// Round-off of the price updates: a few ulps of the largest cost
		// per augmentation.
		if worst > 1e-10*scale*float64(n) {
			t.Errorf("%s n=%d: dual infeasible by %g (total %g)", tc.kind, n, worst, total)
		}
	}
}

func TestSolvePanics(t *testing.T) {
	var s Solver
	for name, f := range map[string]func(){
		"size": func() { s.Solve(make([]float64, 5), 2, make([]int, 2)) },
		"perm": func() { s.Solve(make([]float64, 4), 2, make([]int, 1)) },
		"NaN":  func() { s.Solve([]float64{math.NaN()}, 1, make([]int, 1)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
	if got := s.Solve(nil, 0, nil); got != 0 {
		t.Errorf("empty problem: %v", got)
	}
}

func benchPoints(b *testing.B, n, d int) {
	r := rand.New(rand.NewPCG(1, 1))
	x, y := make([]float64, n*d), make([]float64, n*d)
	for i := range x {
		x[i], y[i] = r.NormFloat64(), r.NormFloat64()+1
	}
	cost := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for k := 0; k < d; k++ {
				e := x[i*d+k] - y[j*d+k]
				s += e * e
			}
			cost[i*n+j] = s
		}
	}
	perm := make([]int, n)
	var s Solver
	for b.Loop() {
		s.Solve(cost, n, perm)
	}
}

func BenchmarkSolve512Points2D(b *testing.B)  { benchPoints(b, 512, 2) }
func BenchmarkSolve128Points784(b *testing.B) { benchPoints(b, 128, 784) }
func BenchmarkSolve1024Points2D(b *testing.B) { benchPoints(b, 1024, 2) }

func BenchmarkSolve64Points2D(b *testing.B) { benchPoints(b, 64, 2) }
func BenchmarkSolve32Points2D(b *testing.B) { benchPoints(b, 32, 2) }

// TestSolveWarm: started from the solution and prices of a nearby problem
// (points moved a little), from a wrong guess, or from nonsense prices,
// SolveWarm finds the optimum that Solve finds.
func TestSolveWarm(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	var s, cold Solver
	for trial := 0; trial < 40; trial++ {
		n := 1 + trial*3
		x, y := make([]float64, 2*n), make([]float64, 2*n)
		for i := range x {
			x[i], y[i] = r.NormFloat64(), r.NormFloat64()
		}
		costOf := func() []float64 {
			c := make([]float64, n*n)
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					dx, dy := x[2*i]-y[2*j], x[2*i+1]-y[2*j+1]
					c[i*n+j] = dx*dx + dy*dy
				}
			}
			return c
		}
		perm := make([]int, n)
		s.Solve(costOf(), n, perm)
		v := append([]float64(nil), s.Prices()...)
		for i := range x {
			x[i] += 0.1 * r.NormFloat64()
		}
		c := costOf()
		want := cold.Solve(c, n, make([]int, n))
		guesses := map[string][]float64{"nearby": v, "zero prices": make([]float64, n)}
		for name, pv := range guesses {
			p := append([]int(nil), perm...)
			if name == "zero prices" {
				r.Shuffle(n, func(a, b int) { p[a], p[b] = p[b], p[a] })
			}
			got := s.SolveWarm(c, n, p, pv)
			if !isPerm(p) || math.Abs(got-want) > 1e-9*(1+want) {
				t.Fatalf("trial %d (%s): warm total %v, cold %v", trial, name, got, want)
			}
		}
	}
}

// Package lap solves dense linear assignment problems: given an n×n cost
// matrix C, the permutation σ that minimizes Σ_i C[i, σ(i)].
//
// The method is Jonker and Volgenant's (LAPJV, Computing 38, 1987): column
// reduction, reduction transfer and two rounds of augmenting row reduction
// find most of the assignment cheaply, and the rows left free are then
// assigned one by one by shortest augmenting paths (Dijkstra's algorithm on
// the reduced costs C[i, j] − v_j, which stay non-negative for the column
// of each assigned row). Worst case O(n³); on the squared distances of
// random point clouds it is far faster, since the first phases leave few
// rows to augment.
//
// A Solver keeps its buffers, so solving problems of one size allocates
// nothing after the first.
package lap

import (
	"fmt"
	"math"
)

// Solver solves assignment problems; its zero value is ready to use. A
// Solver is used by one goroutine at a time.
type Solver struct {
	n                 int
	v, d              []float64 // column prices; shortest-path distances
	rowsol, colsol    []int     // column of each row; row of each column (−1: free)
	free, collist, pr []int
	matches           []int
}

func (s *Solver) grow(n int) {
	if s.n == n {
		return
	}
	s.n = n
	s.v, s.d = make([]float64, n), make([]float64, n)
	s.rowsol, s.colsol = make([]int, n), make([]int, n)
	s.free, s.collist, s.pr = make([]int, n), make([]int, n), make([]int, n)
	s.matches = make([]int, n)
}

// arrLimit bounds the reassignments of one augmenting-row-reduction round
// per row. In exact arithmetic the round ends; in floating point, near-ties
// can make it shuffle rows between two columns for a long time. Stopping it
// early is safe: every assigned row keeps a column of least reduced cost,
// which is all the augmentation phase needs.
const arrLimit = 8

// Solve writes into perm (length n) the column perm[i] given to row i
// that minimizes Σ_i cost[i·n + perm[i]] over all permutations, and returns
// that minimum. cost is row-major n×n and is not modified. It panics if
// the sizes do not match or a cost is NaN or infinite.
func (s *Solver) Solve(cost []float64, n int, perm []int) float64 {
	if n < 0 || len(cost) != n*n || len(perm) != n {
		panic(fmt.Sprintf("lap: %d costs and %d rows of the result for an %d×%d problem", len(cost), len(perm), n, n))
	}
	for _, c := range cost {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			panic("lap: a cost is not finite")
		}
	}
	if n == 0 {
		return 0
	}
	s.grow(n)
	numfree := s.reduce(cost, n)
	return s.finish(cost, perm, n, numfree)
}

// Prices returns the column prices v of the last solution (length n; the
// solver's own slice, valid until the next call): with u_i = C[i, σ(i)] −
// v_σ(i), the pair (u, v) is an optimal dual solution, u_i + v_j ≤ C[i, j].
func (s *Solver) Prices() []float64 { return s.v[:s.n] }

// SolveWarm is Solve started from a guess: perm holds an assignment and v
// column prices from a similar problem (the previous solution of a cost
// matrix that has changed a little). Rows whose guessed column still has
// their least reduced cost C[i, j] − v_j keep it; the others are assigned
// by augmenting row reduction and shortest augmenting paths, as in Solve.
// The result is the same optimum as Solve's (up to ties), often with far
// less work. perm is overwritten with the solution; v is not modified.
func (s *Solver) SolveWarm(cost []float64, n int, perm []int, v []float64) float64 {
	if n < 0 || len(cost) != n*n || len(perm) != n || len(v) != n {
		panic(fmt.Sprintf("lap: %d costs, %d rows of the guess and %d prices for an %d×%d problem", len(cost), len(perm), len(v), n, n))
	}
	for _, c := range cost {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			panic("lap: a cost is not finite")
		}
	}
	if n == 0 {
		return 0
	}
	s.grow(n)
	copy(s.v, v)
	for j := range s.colsol {
		s.colsol[j] = -1
	}
	numfree := 0
	for i := 0; i < n; i++ {
		j := perm[i]
		row := cost[i*n : (i+1)*n]
		keep := j >= 0 && j < n && s.colsol[j] < 0
		if keep {
			h := row[j] - s.v[j]
			for l, c := range row {
				if c-s.v[l] < h {
					keep = false
					break
				}
			}
		}
		if keep {
			s.rowsol[i], s.colsol[j] = j, i
		} else {
			s.rowsol[i] = -1
			s.free[numfree] = i
			numfree++
		}
	}
	return s.finish(cost, perm, n, numfree)
}

// reduce is the column reduction and the reduction transfer: every column
// is priced at its least cost and given to the row of that cost when the
// row has no column yet (or a dearer one); a row holding exactly one
// column passes the slack to its second-best column on to it. It returns
// the number of free rows, listed in s.free.
func (s *Solver) reduce(cost []float64, n int) int {
	v, rowsol, colsol, matches := s.v, s.rowsol, s.colsol, s.matches
	for i := range matches {
		matches[i], rowsol[i] = 0, -1
	}
	for j := n - 1; j >= 0; j-- {
		imin, vmin := 0, cost[j]
		for i := 1; i < n; i++ {
			if c := cost[i*n+j]; c < vmin {
				imin, vmin = i, c
			}
		}
		v[j] = vmin
		matches[imin]++
		switch {
		case matches[imin] == 1:
			rowsol[imin], colsol[j] = j, imin
		case vmin < v[rowsol[imin]]:
			j1 := rowsol[imin]
			rowsol[imin], colsol[j], colsol[j1] = j, imin, -1
		default:
			colsol[j] = -1
		}
	}
	numfree := 0
	for i := 0; i < n; i++ {
		switch matches[i] {
		case 0:
			s.free[numfree] = i
			numfree++
		case 1:
			j1 := rowsol[i]
			row := cost[i*n : (i+1)*n]
			m := math.Inf(1)
			for j, c := range row {
				if j != j1 && c-v[j] < m {
					m = c - v[j]
				}
			}
			if !math.IsInf(m, 1) {
				v[j1] -= m
			}
		}
	}
	return numfree
}

// augmentingRowReduction gives each free row its column of least reduced
// cost, lowering that column's price so that the row still prefers it by
// the margin over its second best, and frees the row that held it. It
// returns the number of rows still free.
func (s *Solver) augmentingRowReduction(cost []float64, n, prvnumfree int) int {
	v, rowsol, colsol, free := s.v, s.rowsol, s.colsol, s.free
	numfree := 0
	budget := arrLimit * n
	for k := 0; k < prvnumfree; {
		i := free[k]
		k++
		row := cost[i*n : (i+1)*n]
		umin, usubmin := row[0]-v[0], math.Inf(1)
		j1, j2 := 0, -1
		for j := 1; j < n; j++ {
			h := row[j] - v[j]
			if h < usubmin {
				if h >= umin {
					usubmin, j2 = h, j
				} else {
					usubmin, umin, j2, j1 = umin, h, j1, j
				}
			}
		}
		i0 := colsol[j1]
		if umin < usubmin && j2 >= 0 {
			v[j1] -= usubmin - umin
		} else if i0 >= 0 && j2 >= 0 {
			// A tie: take the second column, free or not, to avoid cycling.
			j1, i0 = j2, colsol[j2]
		}
		rowsol[i], colsol[j1] = j1, i
		if i0 >= 0 {
			rowsol[i0] = -1
			budget--
			if umin < usubmin && budget > 0 {
				k-- // process the displaced row next, in the freed slot
				free[k] = i0
			} else {
				free[numfree] = i0
				numfree++
			}
		}
	}
	return numfree
}

// augment assigns the free row freerow by a shortest augmenting path in
// the reduced costs, then updates the prices of the columns it settled.
func (s *Solver) augment(cost []float64, n, freerow int) {
	v, d, rowsol, colsol, collist, pred := s.v, s.d, s.rowsol, s.colsol, s.collist, s.pr
	frow := cost[freerow*n : (freerow+1)*n]
	for j := 0; j < n; j++ {
		d[j] = frow[j] - v[j]
		pred[j] = freerow
		collist[j] = j
	}
	// collist[:low] are settled, collist[low:up] are at the current
	// minimum distance waiting to be scanned, collist[up:] the rest.
	low, up, last := 0, 0, 0
	endofpath := -1
	var dmin float64
	for endofpath < 0 {
		if up == low {
			last = low - 1
			dmin = d[collist[up]]
			up++
			for k := up; k < n; k++ {
				j := collist[k]
				h := d[j]
				if h <= dmin {
					if h < dmin {
						up = low
						dmin = h
					}
					collist[k], collist[up] = collist[up], j
					up++
				}
			}
			for k := low; k < up; k++ {
				if colsol[collist[k]] < 0 {
					endofpath = collist[k]
					break
				}
			}
			if endofpath >= 0 {
				break
			}
		}
		j1 := collist[low]
		low++
		i := colsol[j1]
		row := cost[i*n : (i+1)*n]
		h := row[j1] - v[j1] - dmin
		for k := up; k < n; k++ {
			j := collist[k]
			v2 := row[j] - v[j] - h
			if v2 < d[j] {
				pred[j] = i
				if v2 == dmin {
					if colsol[j] < 0 {
						endofpath = j
						break
					}
					collist[k], collist[up] = collist[up], j
					up++
				}
				d[j] = v2
			}
		}
	}
	for k := 0; k <= last; k++ {
		j1 := collist[k]
		v[j1] += d[j1] - dmin
	}
	for {
		i := pred[endofpath]
		colsol[endofpath] = i
		j1 := endofpath
		endofpath, rowsol[i] = rowsol[i], j1
		if i == freerow {
			break
		}
	}
}

// finish assigns the numfree rows left free by the reduction (two rounds
// of augmenting row reduction, then one shortest augmenting path each),
// writes the assignment into perm and returns its total cost. Solve and
// SolveWarm differ only in how they reach this point.
func (s *Solver) finish(cost []float64, perm []int, n, numfree int) float64 {
	numfree = s.augmentingRowReduction(cost, n, numfree)
	numfree = s.augmentingRowReduction(cost, n, numfree)
	for f := 0; f < numfree; f++ {
		s.augment(cost, n, s.free[f])
	}
	total := 0.0
	for i, j := range s.rowsol {
		perm[i] = j
		total += cost[i*n+j]
	}
	return total
}

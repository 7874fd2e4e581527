package pathopt

import "sort"

// tieTol is the distance below which w_k − τ counts as 0: the coordinate
// sits on the boundary of the simplex (a tie) rather than inside or clipped.
const tieTol = 1e-12

// project writes into dst the Euclidean projection of w onto the simplex
// {α ≥ 0, Σα = 1}, α_k = max(w_k − τ, 0) with τ chosen so that Σα = 1
// (Held, Wolfe and Crowder 1974; "sparsemax"), and returns τ. It is the
// identity on the simplex, so a straight segment between points of the
// simplex is left exactly as it is, vertices included. buf holds len(w)
// numbers of scratch.
func project(dst, w, buf []float64) float64 {
	copy(buf, w)
	sort.Sort(sort.Reverse(sort.Float64Slice(buf)))
	sum, tau := 0.0, 0.0
	for j, v := range buf {
		sum += v
		if t := (sum - 1) / float64(j+1); v-t > 0 {
			tau = t
		}
	}
	for k, v := range w {
		dst[k] = max(v-tau, 0)
	}
	return tau
}

// projectDeriv writes into dst the one-sided directional derivative of
// project at w in the direction v (sign +1: of s ↦ project(w + s v) from
// the right; −1: from the left), and sets active[k] for the coordinates the
// derivative moves. tau is project's threshold at w.
//
// The projection is piecewise linear. Its one-sided derivative projects v
// onto the cone {Σ v' = 0; v'_k ≥ 0 on ties; v'_k = 0 where w_k < τ}: on
// the active set v'_k = v_k − θ with θ the active mean of v, found by
// Michelot's iteration (drop the ties that would turn negative, recompute
// the mean, repeat). A tie with v_k − θ = 0 stays active, so the Jacobian
// the gradient uses lets a coordinate that sits at 0 along the whole path
// move into the interior: a path on an edge has a non-zero gradient
// towards the other vertices. (Squared weights α ∝ w², the other common
// map, have derivative 0 at w_k = 0, and a path started on an edge never
// leaves it.)
func projectDeriv(dst []float64, active []bool, w, v []float64, tau, sign float64) {
	scale := 0.0
	for k := range w {
		active[k] = w[k]-tau >= -tieTol
		scale = max(scale, abs(v[k]))
	}
	for {
		theta, n := 0.0, 0
		for k, a := range active {
			if a {
				theta += sign * v[k]
				n++
			}
		}
		theta /= float64(n)
		changed := false
		for k, a := range active {
			// Only ties may leave the active set.
			if a && w[k]-tau <= tieTol && sign*v[k]-theta < -tieTol*(1+scale) {
				active[k] = false
				changed = true
			}
		}
		if !changed {
			for k, a := range active {
				dst[k] = 0
				if a {
					dst[k] = sign * (sign*v[k] - theta)
				}
			}
			return
		}
	}
}

// centerActive overwrites g with the transpose of the projection's
// Jacobian applied to it: g_k − mean_active(g) on the active set, 0
// elsewhere (the Jacobian is symmetric).
func centerActive(g []float64, active []bool) {
	mean, n := 0.0, 0
	for k, a := range active {
		if a {
			mean += g[k]
			n++
		}
	}
	mean /= float64(n)
	for k, a := range active {
		if a {
			g[k] -= mean
		} else {
			g[k] = 0
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

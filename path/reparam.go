package path

import (
	"fmt"
	"math"
)

// TimeWarp is an increasing, continuously differentiable map φ of [0, 1]
// onto itself (φ(0) = 0, φ(1) = 1) used to retime a path.
type TimeWarp interface {
	// Warp returns φ(t) and φ'(t).
	Warp(t float64) (phi, dphi float64)
}

// Smoothstep is the time warp φ(t) = 3t² − 2t³, φ'(t) = 6t(1−t). Its
// derivative vanishes at both ends, so a path retimed with it starts and
// ends at rest (α̇ = 0): the velocity field is zero at t = 0 and 1, where
// a trained model is least accurate near a vertex.
type Smoothstep struct{}

// Warp implements TimeWarp.
func (Smoothstep) Warp(t float64) (phi, dphi float64) {
	return t * t * (3 - 2*t), 6 * t * (1 - t)
}

// Smootherstep is the time warp φ(t) = 6t⁵ − 15t⁴ + 10t³,
// φ'(t) = 30t²(1−t)²: also φ” vanishes at both ends.
type Smootherstep struct{}

// Warp implements TimeWarp.
func (Smootherstep) Warp(t float64) (phi, dphi float64) {
	return t * t * t * (t*(6*t-15) + 10), 30 * t * t * (1 - t) * (1 - t)
}

// WarpFunc is a time warp given by two functions. It cannot be saved to
// JSON; Smoothstep and Smootherstep can.
type WarpFunc struct {
	Phi, Dphi func(t float64) float64
}

// Warp implements TimeWarp.
func (w WarpFunc) Warp(t float64) (phi, dphi float64) { return w.Phi(t), w.Dphi(t) }

// reparam is p(φ(t)).
type reparam struct {
	p      Path
	w      TimeWarp
	breaks []float64
}

// warpChecks is the number of grid intervals on which Reparam checks φ.
const warpChecks = 1000

// Reparam returns p retimed by w: α(t) = p.α(φ(t)), α̇(t) = φ'(t)·p.α̇(φ(t)).
// It passes through the same points as p; only the speed changes.
//
// w is checked on a grid of 1001 times: φ(0) = 0 and φ(1) = 1 within Tol,
// φ nondecreasing, φ' ≥ 0 and φ' equal to a central finite difference of φ
// within 1e-4·(1+|φ'|) (which catches a derivative that does not belong to
// φ). A φ with a kink (a jump of φ') is not supported.
func Reparam(p Path, w TimeWarp) (Path, error) {
	if w == nil {
		return nil, fmt.Errorf("path: Reparam with a nil time warp")
	}
	if err := checkWarp(w); err != nil {
		return nil, err
	}
	r := &reparam{p: p, w: w}
	for _, b := range breaksOf(p) {
		r.breaks = append(r.breaks, invertWarp(w, b))
	}
	return r, nil
}

func checkWarp(w TimeWarp) error {
	if phi, _ := w.Warp(0); math.Abs(phi) > Tol {
		return fmt.Errorf("path: time warp has φ(0) = %g, not 0", phi)
	}
	if phi, _ := w.Warp(1); math.Abs(phi-1) > Tol {
		return fmt.Errorf("path: time warp has φ(1) = %g, not 1", phi)
	}
	const h = 1e-5
	prev := math.Inf(-1)
	for i := 0; i <= warpChecks; i++ {
		t := float64(i) / warpChecks
		phi, dphi := w.Warp(t)
		if math.IsNaN(phi) || math.IsNaN(dphi) || math.IsInf(dphi, 0) {
			return fmt.Errorf("path: time warp is not finite at t = %g: φ = %g, φ' = %g", t, phi, dphi)
		}
		if phi < prev-1e-15 {
			return fmt.Errorf("path: time warp decreases at t = %g (φ = %g after %g)", t, phi, prev)
		}
		prev = phi
		if dphi < 0 {
			return fmt.Errorf("path: time warp has φ'(%g) = %g < 0", t, dphi)
		}
		if i == 0 || i == warpChecks {
			continue
		}
		p1, _ := w.Warp(t + h)
		p0, _ := w.Warp(t - h)
		// Central difference: truncation error h²/6·|φ'''| ≈ 1e-10·|φ'''|
		// and rounding ≈ 1e-16/h = 1e-11, so 1e-4 accepts every smooth warp
		// and rejects a derivative that is off by more than 0.01%.
		if fd := (p1 - p0) / (2 * h); math.Abs(fd-dphi) > 1e-4*(1+math.Abs(dphi)) {
			return fmt.Errorf("path: time warp derivative φ'(%g) = %g does not match the slope of φ (%g)", t, dphi, fd)
		}
	}
	return nil
}

// invertWarp returns the smallest t with φ(t) ≥ s, by bisection to
// machine precision.
func invertWarp(w TimeWarp, s float64) float64 {
	lo, hi := 0.0, 1.0
	for range 200 {
		mid := 0.5 * (lo + hi)
		if mid <= lo || mid >= hi {
			break
		}
		if phi, _ := w.Warp(mid); phi < s {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

func (r *reparam) Len() int { return r.p.Len() }

func (r *reparam) Alpha(dst []float64, t float64) {
	phi, _ := r.w.Warp(t)
	r.p.Alpha(dst, clamp01(phi))
}

func (r *reparam) AlphaDot(dst []float64, t float64) {
	phi, dphi := r.w.Warp(t)
	r.p.AlphaDot(dst, r.snapBreak(clamp01(phi), t))
	scale(dst, dphi)
}

func (r *reparam) AlphaDotLeft(dst []float64, t float64) {
	phi, dphi := r.w.Warp(t)
	alphaDotLeft(r.p, dst, r.snapBreak(clamp01(phi), t))
	scale(dst, dphi)
}

// snapBreak maps φ(t) onto p's break exactly when t is one of the retimed
// breaks, so that p sees the break and picks the side asked for.
func (r *reparam) snapBreak(phi, t float64) float64 {
	for i, b := range r.breaks {
		if math.Abs(b-t) <= snap {
			return breaksOf(r.p)[i]
		}
	}
	return phi
}

func (r *reparam) Breaks() []float64 { return r.breaks }

func clamp01(t float64) float64 { return math.Max(0, math.Min(1, t)) }

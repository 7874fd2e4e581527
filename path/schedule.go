package path

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/interp"
)

// ScheduleFunc gives a two-coordinate schedule (α_i(t), α_j(t)) and its
// derivative at t in [0, 1].
type ScheduleFunc func(t float64) (ai, aj, dai, daj float64)

// schedule is a path that moves two coordinates i and j and keeps every
// other at 0: a noise schedule (α_0(t), α_k(t)) from e_0 to e_k, or a
// path between two data marginals. Its points need not lie on the simplex;
// they are checked against a model's domain when a Velocity is made.
type schedule struct {
	n, i, j int
	f       ScheduleFunc
	enc     func() (any, error) // JSON form, nil if it has none
}

func (s *schedule) Len() int { return s.n }

func (s *schedule) Alpha(dst []float64, t float64) {
	checkLen(dst, s.n)
	ai, aj, _, _ := s.f(t)
	clear(dst)
	dst[s.i], dst[s.j] = ai, aj
}

func (s *schedule) AlphaDot(dst []float64, t float64) {
	checkLen(dst, s.n)
	_, _, dai, daj := s.f(t)
	clear(dst)
	dst[s.i], dst[s.j] = dai+0, daj+0
}

// MarshalJSON writes the schedule's JSON object, or fails for a schedule
// given as a Go function.
func (s *schedule) MarshalJSON() ([]byte, error) {
	if s.enc == nil {
		return nil, errors.New("path: a schedule given as a Go function cannot be saved; use a spline (NewSplineSchedule)")
	}
	v, err := s.enc()
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// maxCoords bounds the number of coordinates of a schedule read from a
// file, whose "marginals" field is only a number: a hostile file must not
// make a reader allocate without bound. No model has nearly this many
// marginals.
const maxCoords = 1 << 16

func checkPair(n, i, j int) error {
	if n < 2 || n > maxCoords {
		return fmt.Errorf("path: %d coordinates, need 2 … %d", n, maxCoords)
	}
	if i < 0 || i >= n || j < 0 || j >= n {
		return fmt.Errorf("path: schedule between coordinates %d and %d of %d", i, j, n)
	}
	if i == j {
		return fmt.Errorf("path: schedule from coordinate %d to itself", i)
	}
	return nil
}

// NewSchedule returns the path α(t) = α_i(t) e_i + α_j(t) e_j of K+1 = n
// coordinates given by f, for example a variance-preserving or a
// hand-tuned noise schedule from e_0 (i = 0) to e_k. Its points are not
// required to lie on the simplex: NewVelocity checks them against the
// model's domain (a model trained with the ball domain, or an exact
// oracle). f is checked like Reparam checks a warp: at 1025 equally spaced
// times its values must be finite and not both zero, and its derivatives
// must match central differences of its values within 1e-4·(1+|α̇|).
func NewSchedule(n, i, j int, f ScheduleFunc) (Path, error) {
	if err := checkPair(n, i, j); err != nil {
		return nil, err
	}
	if f == nil {
		return nil, errors.New("path: NewSchedule with a nil function")
	}
	s := &schedule{n: n, i: i, j: j, f: f}
	if err := checkSchedule(s); err != nil {
		return nil, err
	}
	return s, nil
}

// checkSchedule checks values and derivatives of a schedule on a grid.
func checkSchedule(s *schedule) error {
	const m = 1024
	h := 1e-6
	for q := 0; q <= m; q++ {
		t := float64(q) / m
		ai, aj, dai, daj := s.f(t)
		for _, v := range []float64{ai, aj, dai, daj} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("path: schedule at t = %g is not finite: α = (%g, %g), α̇ = (%g, %g)", t, ai, aj, dai, daj)
			}
		}
		if ai == 0 && aj == 0 {
			return fmt.Errorf("path: schedule is 0 at t = %g (the interpolant would be the point 0)", t)
		}
		lo, hi := max(t-h, 0), min(t+h, 1)
		ai0, aj0, _, _ := s.f(lo)
		ai1, aj1, _, _ := s.f(hi)
		fi, fj := (ai1-ai0)/(hi-lo), (aj1-aj0)/(hi-lo)
		if math.Abs(fi-dai) > 1e-4*(1+math.Abs(dai)) || math.Abs(fj-daj) > 1e-4*(1+math.Abs(daj)) {
			return fmt.Errorf("path: schedule derivative at t = %g is (%g, %g), its values change at (%g, %g)", t, dai, daj, fi, fj)
		}
	}
	return nil
}

// Trig returns the trigonometric (variance-preserving) path from e_i to
// e_j of n coordinates,
//
//	α_i(t) = cos(πt/2),  α_j(t) = sin(πt/2),
//
// the interpolant cos(πt/2) x_i + sin(πt/2) x_j of two-marginal practice.
// It lies on the unit sphere, off the simplex except at its ends, so it
// needs a model of the ball domain (or an exact oracle).
func Trig(n, i, j int) (Path, error) {
	if err := checkPair(n, i, j); err != nil {
		return nil, err
	}
	f := func(t float64) (ai, aj, dai, daj float64) {
		sn, cs := math.Sincos(math.Pi / 2 * t)
		if t == 1 {
			cs = 0 // exact vertex end: α_i(1) = 0
		}
		return cs, sn, -math.Pi / 2 * sn, math.Pi / 2 * cs
	}
	s := &schedule{n: n, i: i, j: j, f: f}
	s.enc = func() (any, error) { return trigJSON{"trig", n, i, j}, nil }
	return s, nil
}

type trigJSON struct {
	Kind      string `json:"kind"`
	Marginals int    `json:"marginals"`
	From      int    `json:"from"`
	To        int    `json:"to"`
}

// ScheduleKnots are the knots of a spline schedule: times 0 = t_0 < … <
// t_m = 1 and the values of the two moving coordinates there.
type ScheduleKnots struct {
	T         []float64 `json:"t"`
	AlphaFrom []float64 `json:"alpha_from"`
	AlphaTo   []float64 `json:"alpha_to"`
}

type scheduleJSON struct {
	Kind      string `json:"kind"`
	Marginals int    `json:"marginals"`
	From      int    `json:"from"`
	To        int    `json:"to"`
	ScheduleKnots
}

// NewSplineSchedule returns the schedule from coordinate i to coordinate j
// (n coordinates) that interpolates the knots with Fritsch–Butland
// piecewise cubics: continuously differentiable, and monotone between
// consecutive knots (no overshoot), so non-negative knot values give a
// non-negative schedule. Times must increase from exactly 0 to exactly 1
// (at least 2 knots); values must be finite and ≥ 0. It saves as JSON of
// kind "schedule":
//
//	{"kind": "schedule", "marginals": 4, "from": 0, "to": 2,
//	 "t": [0, 0.5, 1], "alpha_from": [1, 0.7, 0], "alpha_to": [0, 0.7, 1]}
func NewSplineSchedule(n, i, j int, k ScheduleKnots) (Path, error) {
	if err := checkPair(n, i, j); err != nil {
		return nil, err
	}
	m := len(k.T)
	if m < 2 {
		return nil, fmt.Errorf("path: a spline schedule needs at least 2 knots, has %d", m)
	}
	if len(k.AlphaFrom) != m || len(k.AlphaTo) != m {
		return nil, fmt.Errorf("path: %d knot times but %d and %d values", m, len(k.AlphaFrom), len(k.AlphaTo))
	}
	if k.T[0] != 0 || k.T[m-1] != 1 {
		return nil, fmt.Errorf("path: knot times run from %g to %g, need 0 to 1", k.T[0], k.T[m-1])
	}
	for q := range k.T {
		if q > 0 && !(k.T[q] > k.T[q-1]) {
			return nil, fmt.Errorf("path: knot times must increase: t[%d] = %g after %g", q, k.T[q], k.T[q-1])
		}
		for _, v := range []float64{k.AlphaFrom[q], k.AlphaTo[q]} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < -Tol {
				return nil, fmt.Errorf("path: knot %d has value %g; values must be finite and ≥ 0", q, v)
			}
		}
		if k.AlphaFrom[q] == 0 && k.AlphaTo[q] == 0 {
			return nil, fmt.Errorf("path: knot %d is the point 0", q)
		}
	}
	fit := func(ys []float64) (interp.DerivativePredictor, error) {
		if m == 2 {
			// Fritsch–Butland needs 3 knots; through 2 it is the line.
			a, b := ys[0], ys[1]
			return line2{a, b}, nil
		}
		var fb interp.FritschButland
		return &fb, fb.Fit(k.T, ys)
	}
	fi, err := fit(k.AlphaFrom)
	if err != nil {
		return nil, fmt.Errorf("path: spline schedule: %w", err)
	}
	fj, err := fit(k.AlphaTo)
	if err != nil {
		return nil, fmt.Errorf("path: spline schedule: %w", err)
	}
	f := func(t float64) (ai, aj, dai, daj float64) {
		t = min(max(t, 0), 1)
		return fi.Predict(t), fj.Predict(t), fi.PredictDerivative(t), fj.PredictDerivative(t)
	}
	kc := ScheduleKnots{T: clone(k.T), AlphaFrom: clone(k.AlphaFrom), AlphaTo: clone(k.AlphaTo)}
	s := &schedule{n: n, i: i, j: j, f: f}
	s.enc = func() (any, error) { return scheduleJSON{"schedule", n, i, j, kc}, nil }
	// The pieces join with continuous first derivatives, so the path has
	// no breaks.
	if err := checkSchedule(s); err != nil {
		return nil, err
	}
	return s, nil
}

// The built-in kinds of json.go are in place when this runs: a package's
// files are initialized in file-name order.
func init() {
	RegisterKind("trig", decodeTrig)
	RegisterKind("schedule", decodeSchedule)
}

func decodeTrig(data []byte) (Path, error) {
	var v trigJSON
	if err := strict(data, &v); err != nil {
		return nil, err
	}
	return Trig(v.Marginals, v.From, v.To)
}

func decodeSchedule(data []byte) (Path, error) {
	var v scheduleJSON
	if err := strict(data, &v); err != nil {
		return nil, err
	}
	return NewSplineSchedule(v.Marginals, v.From, v.To, v.ScheduleKnots)
}

// line2 is the line from a at t = 0 to b at t = 1.
type line2 struct{ a, b float64 }

func (l line2) Predict(t float64) float64         { return (1-t)*l.a + t*l.b }
func (l line2) PredictDerivative(float64) float64 { return l.b - l.a }

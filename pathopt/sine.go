package pathopt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// Sine is a path through fixed points p_0 … p_m of the simplex: on piece j
// (times [j/m, (j+1)/m], local time s = m t − j) it is the straight segment
// plus a sine series, projected onto the simplex,
//
//	w(s) = (1−s) p_j + s p_{j+1} + Σ_{n=1}^{M} sin(nπs) c_{j,n},   α(t) = Π(w(s)),
//
// where the coefficients c_{j,n} are tangent to the simplex (Σ_k c_k = 0)
// and Π is the Euclidean projection onto the simplex. sin(nπs) vanishes at
// both ends of a piece, so the path passes through every p_j at t = j/m;
// with all coefficients 0 it is the polyline through the points; with
// coefficients along p_{j+1} − p_j it is a time reparameterization of it.
//
// Why the projection: it is the identity on the simplex, so every path of
// the family that stays inside is exactly the additive "segment plus sine
// series", and the derivative lets coordinates at 0 grow (see projectDeriv).
// Where a coordinate reaches 0 inside a piece and is clipped the path has a
// kink (α̇ jumps): NewSine finds these times and reports them as breaks with
// the interior points, so integrators step onto them and the cost
// estimator integrates each smooth stretch on its own.
//
// A Sine is immutable and implements path.Piecewise and json.Marshaler;
// package pathopt registers its kind "sine" with path.RegisterKind, so
// path.Load reads it back.
type Sine struct {
	points [][]float64
	modes  int
	coef   [][]float64 // coef[j*modes+n-1] = c_{j,n}
	kinks  [][]float64 // per piece, the local times in (0, 1) where the active set changes
	breaks []float64   // interior points and kinks, global times
}

var (
	_ path.Piecewise = (*Sine)(nil)
	_ json.Marshaler = (*Sine)(nil)
)

func init() { path.RegisterKind("sine", decodeSine) }

// NewSine returns the path through points (at least two, on the simplex)
// with modes sine modes per piece and coefficients coef[j*modes+n−1] =
// c_{j,n} (len(points)−1 pieces; each coefficient has len(points[0])
// entries summing to 0 within 1e-9 of their size). A nil coef means all
// zero. Inputs are copied.
func NewSine(points [][]float64, modes int, coef [][]float64) (*Sine, error) {
	if len(points) < 2 {
		return nil, fmt.Errorf("pathopt: a path needs at least 2 points, have %d", len(points))
	}
	if modes < 0 {
		return nil, fmt.Errorf("pathopt: %d sine modes, need at least 0", modes)
	}
	n := len(points[0])
	s := &Sine{modes: modes}
	for j, p := range points {
		if len(p) != n {
			return nil, fmt.Errorf("pathopt: point %d has %d coordinates, point 0 has %d", j, len(p), n)
		}
		if err := simplex.Validate(p); err != nil {
			return nil, fmt.Errorf("pathopt: point %d %v is off the simplex: %w", j, p, err)
		}
		s.points = append(s.points, append([]float64(nil), p...))
	}
	pieces := len(points) - 1
	if modes > 0 && pieces > math.MaxInt/modes {
		return nil, fmt.Errorf("pathopt: %d pieces × %d sine modes is too many", pieces, modes)
	}
	if coef == nil {
		coef = make([][]float64, pieces*modes)
		for i := range coef {
			coef[i] = make([]float64, n)
		}
	}
	if len(coef) != pieces*modes {
		return nil, fmt.Errorf("pathopt: %d coefficient vectors, want %d pieces × %d modes = %d", len(coef), pieces, modes, pieces*modes)
	}
	for i, c := range coef {
		if len(c) != n {
			return nil, fmt.Errorf("pathopt: coefficient %d has %d entries, want %d", i, len(c), n)
		}
		sum, size := 0.0, 0.0
		for _, v := range c {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("pathopt: coefficient %d is not finite: %v", i, c)
			}
			if math.Abs(v) > maxCoef {
				return nil, fmt.Errorf("pathopt: coefficient %d has an entry %g, beyond ±%g", i, v, maxCoef)
			}
			sum += v
			size += math.Abs(v)
		}
		if math.Abs(sum) > 1e-9*(1+size) {
			return nil, fmt.Errorf("pathopt: coefficient %d %v sums to %g, not 0: it must be tangent to the simplex", i, c, sum)
		}
		cc := append([]float64(nil), c...)
		for k := range cc {
			cc[k] -= sum / float64(n)
		}
		s.coef = append(s.coef, cc)
	}
	for j := 0; j < pieces; j++ {
		if j > 0 {
			s.breaks = append(s.breaks, float64(j)/float64(pieces))
		}
		k := s.findKinks(j)
		s.kinks = append(s.kinks, k)
		for _, u := range k {
			s.breaks = append(s.breaks, (float64(j)+u)/float64(pieces))
		}
	}
	return s, nil
}

// maxCoef bounds the size of a coefficient entry. The simplex has
// diameter √2, so useful coefficients are of order 1 (the optimizer starts
// at 0); with entries near 1e16 the projection onto the simplex cancels
// catastrophically and returned points off the simplex (a fuzzed file with
// 1e308 gave α = (3e307, 0)). 1e6 leaves ten digits of headroom.
const maxCoef = 1e6

// kinkGrid is the number of intervals per piece on which NewSine looks
// for changes of the active set; a coordinate that rises from 0 and
// falls back within one interval is missed (its excursion, and the
// error of treating the stretch as smooth, are then tiny).
const kinkGrid = 256

// findKinks returns the local times in (0, 1) of piece j where a coordinate
// of the path reaches 0 or leaves it, by a scan of kinkGrid intervals and
// bisection to rounding.
func (s *Sine) findKinks(j int) []float64 {
	n := s.Len()
	w, dw, tmp := make([]float64, n), make([]float64, n), make([]float64, n)
	// The signature of a time is the active set of the projection's
	// derivative from the right: coordinates inside the simplex, and those
	// at 0 that are moving inward. It is constant on a smooth stretch (so a
	// coordinate that leaves 0 at a vertex end is not a kink) and changes
	// at a kink.
	sig := func(u float64, dst []bool) {
		s.raw(w, dw, j, u)
		tau := project(tmp, w, tmp)
		projectDeriv(tmp, dst, w, dw, tau, 1)
	}
	a, b, m := make([]bool, n), make([]bool, n), make([]bool, n)
	var out []float64
	sig(0, a)
	prev := 0.0
	for i := 1; i <= kinkGrid; i++ {
		u := float64(i) / kinkGrid
		if i == kinkGrid {
			u = math.Nextafter(1, 0)
		}
		sig(u, b)
		if !sameBools(a, b) {
			lo, hi := prev, u
			for {
				mid := 0.5 * (lo + hi)
				if mid <= lo || mid >= hi {
					break
				}
				sig(mid, m)
				if sameBools(m, a) {
					lo = mid
				} else {
					hi = mid
				}
			}
			if hi > 1e-9 && hi < 1-1e-9 {
				out = append(out, hi)
			}
		}
		a, b = b, a
		prev = u
	}
	return out
}

func sameBools(a, b []bool) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Len returns K+1.
func (s *Sine) Len() int { return len(s.points[0]) }

// Modes returns the number of sine modes per piece.
func (s *Sine) Modes() int { return s.modes }

// Points returns a copy of the fixed points p_0 … p_m.
func (s *Sine) Points() [][]float64 {
	out := make([][]float64, len(s.points))
	for i, p := range s.points {
		out[i] = append([]float64(nil), p...)
	}
	return out
}

// Breaks returns the times j/m of the interior points and the times where
// a coordinate reaches or leaves 0, in increasing order.
func (s *Sine) Breaks() []float64 { return s.breaks }

// piece returns the piece that covers t (the one on the left at a break if
// left is set) and the local time.
func (s *Sine) piece(t float64, left bool) (int, float64) {
	m := len(s.points) - 1
	u := t * float64(m)
	if r := math.Round(u); math.Abs(u-r) <= 1e-12*float64(m) {
		u = r
	}
	j := int(math.Floor(u))
	if left {
		j = int(math.Ceil(u)) - 1
	}
	j = max(0, min(j, m-1))
	return j, u - float64(j)
}

// raw writes w(s) and dw/ds of piece j into w and dw.
func (s *Sine) raw(w, dw []float64, j int, u float64) {
	a, b := s.points[j], s.points[j+1]
	for k := range w {
		w[k] = (1-u)*a[k] + u*b[k]
		dw[k] = b[k] - a[k]
	}
	for n := 1; n <= s.modes; n++ {
		sn, cs := math.Sincos(float64(n) * math.Pi * u)
		c := s.coef[j*s.modes+n-1]
		f := float64(n) * math.Pi * cs
		for k, v := range c {
			w[k] += sn * v
			dw[k] += f * v
		}
	}
}

// raw2 writes d²w/ds² of piece j into ddw.
func (s *Sine) raw2(ddw []float64, j int, u float64) {
	clear(ddw)
	for n := 1; n <= s.modes; n++ {
		f := float64(n) * math.Pi
		sn := math.Sin(f * u)
		for k, v := range s.coef[j*s.modes+n-1] {
			ddw[k] -= f * f * sn * v
		}
	}
}

// Alpha writes α(t).
func (s *Sine) Alpha(dst []float64, t float64) {
	n := s.Len()
	if len(dst) != n {
		panic(fmt.Sprintf("pathopt: destination has length %d, path has %d coordinates", len(dst), n))
	}
	j, u := s.piece(t, false)
	buf := make([]float64, 3*n)
	w, dw, tmp := buf[:n], buf[n:2*n], buf[2*n:]
	s.raw(w, dw, j, u)
	project(dst, w, tmp)
}

// AlphaDot writes dα/dt from the right (from the left at t = 1).
func (s *Sine) AlphaDot(dst []float64, t float64) { s.alphaDot(dst, t, t >= 1) }

// AlphaDotLeft writes dα/dt from the left (from the right at t = 0).
func (s *Sine) AlphaDotLeft(dst []float64, t float64) { s.alphaDot(dst, t, t > 0) }

func (s *Sine) alphaDot(dst []float64, t float64, left bool) {
	n := s.Len()
	if len(dst) != n {
		panic(fmt.Sprintf("pathopt: destination has length %d, path has %d coordinates", len(dst), n))
	}
	j, u := s.piece(t, left)
	buf := make([]float64, 3*n)
	w, dw, tmp := buf[:n], buf[n:2*n], buf[2*n:]
	s.raw(w, dw, j, u)
	tau := project(tmp, w, tmp)
	sign := 1.0
	if left {
		sign = -1
	}
	projectDeriv(dst, make([]bool, n), w, dw, tau, sign)
	m := float64(len(s.points) - 1)
	for k := range dst {
		dst[k] = dst[k]*m + 0
	}
}

type sineJSON struct {
	Kind   string      `json:"kind"`
	Points [][]float64 `json:"points"`
	Modes  int         `json:"modes"`
	Coef   [][]float64 `json:"coef"`
}

// MarshalJSON writes {"kind": "sine", "points": […], "modes": M,
// "coef": […]}, coef[j*M+n−1] = c_{j,n}.
func (s *Sine) MarshalJSON() ([]byte, error) {
	return json.Marshal(sineJSON{Kind: "sine", Points: s.points, Modes: s.modes, Coef: s.coef})
}

func decodeSine(data []byte) (path.Path, error) {
	var v sineJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("pathopt: bad sine path JSON: %w", err)
	}
	if v.Points == nil {
		return nil, errors.New(`pathopt: sine path without "points"`)
	}
	if v.Coef == nil && v.Modes > 0 {
		return nil, errors.New(`pathopt: sine path without "coef"`)
	}
	if v.Coef == nil {
		v.Coef = [][]float64{}
	}
	return NewSine(v.Points, v.Modes, v.Coef)
}

// Family is a set of paths with fixed points, parameterized by a flat
// vector θ, θ = 0 the polyline through the points (the straight edge for
// two vertices). Its Domain says which paths:
//
//   - the simplex (the zero Domain): Sine paths, the polyline plus Modes
//     sine modes per piece, projected onto the simplex; Reparam may
//     restrict them to time reparameterizations;
//   - a ball (simplex.Ball, or simplex.Unbounded for an exact oracle):
//     BallSine paths from Points[0] to Points[1], the straight segment
//     plus Modes sine modes on every moving coordinate (non-zero at an
//     end), one parameter each, with no projection and no constraint
//     Σ_k α_k = 1. From e_0 to e_k that is a noise schedule
//     (α_0(t), α_k(t)) of any shape rather than only a time
//     reparameterization of the edge; between data marginals it may cut
//     through the ball. Optimize keeps these paths inside the domain.
type Family struct {
	// Points are the fixed points: start, optional waypoints, end;
	// consecutive points distinct. On the simplex they are points of the
	// simplex; on a ball, two points of the ball.
	Points [][]float64
	// Modes is the number of sine modes per piece, ≥ 1.
	Modes int
	// Reparam (simplex only) restricts the family to time
	// reparameterizations of the polyline: c_{j,n} = θ_{j,n} (p_{j+1} − p_j),
	// one number per piece and mode. Otherwise θ holds K+1 numbers per
	// piece and mode and c_{j,n} is their projection onto the tangent
	// space (θ minus its mean; the mean direction is unused).
	Reparam bool
	// Domain is the model's domain, where the paths run; the zero value
	// is the simplex.
	Domain simplex.Domain
}

// Validate checks the family.
func (f *Family) Validate() error {
	if f.Modes < 1 {
		return fmt.Errorf("pathopt: %d sine modes, need at least 1", f.Modes)
	}
	if err := f.Domain.Validate(); err != nil {
		return fmt.Errorf("pathopt: %w", err)
	}
	if f.onBall() {
		return f.validateBall()
	}
	if len(f.Points) < 2 {
		return fmt.Errorf("pathopt: a path needs at least 2 points, have %d", len(f.Points))
	}
	for j, p := range f.Points {
		if len(p) != len(f.Points[0]) {
			return fmt.Errorf("pathopt: point %d has %d coordinates, point 0 has %d", j, len(p), len(f.Points[0]))
		}
		if err := simplex.Validate(p); err != nil {
			return fmt.Errorf("pathopt: point %d %v is off the simplex: %w", j, p, err)
		}
		if j > 0 {
			same := true
			for k := range p {
				same = same && math.Abs(p[k]-f.Points[j-1][k]) <= path.Tol
			}
			if same {
				return fmt.Errorf("pathopt: points %d and %d coincide", j-1, j)
			}
		}
	}
	return nil
}

func (f *Family) pieces() int { return len(f.Points) - 1 }

// Dim returns the number of parameters.
func (f *Family) Dim() int {
	if f.onBall() {
		return f.Modes * len(f.moving())
	}
	n := f.pieces() * f.Modes
	if f.Reparam {
		return n
	}
	return n * len(f.Points[0])
}

// Path returns the path with parameters theta (length Dim): a *Sine on
// the simplex, a *BallSine on a ball.
func (f *Family) Path(theta []float64) (path.Path, error) {
	if len(theta) != f.Dim() {
		return nil, fmt.Errorf("pathopt: %d parameters, the family has %d", len(theta), f.Dim())
	}
	if f.onBall() {
		return f.ballSine(theta)
	}
	return f.sine(theta)
}

// sine returns the Sine of a simplex family with parameters theta.
func (f *Family) sine(theta []float64) (*Sine, error) {
	return NewSine(f.Points, f.Modes, f.coef(theta))
}

// coef maps θ to the coefficient vectors c_{j,n}.
func (f *Family) coef(theta []float64) [][]float64 {
	n := len(f.Points[0])
	out := make([][]float64, f.pieces()*f.Modes)
	for i := range out {
		c := make([]float64, n)
		j := i / f.Modes
		if f.Reparam {
			for k := range c {
				c[k] = theta[i] * (f.Points[j+1][k] - f.Points[j][k])
			}
		} else {
			th := theta[i*n : (i+1)*n]
			mean := 0.0
			for _, v := range th {
				mean += v
			}
			mean /= float64(n)
			for k := range c {
				c[k] = th[k] - mean
			}
		}
		out[i] = c
	}
	return out
}

// pullback writes dC/dθ into dtheta given dC/dc_{j,n} in dcoef.
func (f *Family) pullback(dtheta []float64, dcoef [][]float64) {
	n := len(f.Points[0])
	for i, dc := range dcoef {
		j := i / f.Modes
		if f.Reparam {
			s := 0.0
			for k, v := range dc {
				s += v * (f.Points[j+1][k] - f.Points[j][k])
			}
			dtheta[i] = s
			continue
		}
		mean := 0.0
		for _, v := range dc {
			mean += v
		}
		mean /= float64(n)
		for k, v := range dc {
			dtheta[i*n+k] = v - mean
		}
	}
}

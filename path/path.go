package path

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/mmi-go/mmi/simplex"
)

// Tol is the tolerance of path validation, simplex.Tol: a point α is
// accepted when simplex.Domain.Contains accepts it, and consecutive pieces
// of a concatenation must meet within Tol in every coordinate.
const Tol = simplex.Tol

// Path is a curve α: [0, 1] → Δ^K on the probability simplex (or, for the
// schedules of schedule.go, in the non-negative orthant off the simplex,
// checked against a model's domain by NewVelocity), with its velocity α̇. Along it the interpolant's law ρ(α(t), ·) moves from
// ρ(α(0), ·) to ρ(α(1), ·), driven by b(t, x) = Σ_k α̇_k(t) g_k(α(t), x).
//
// A Path is read-only once built and safe for concurrent use.
type Path interface {
	// Len returns K+1, the number of coordinates of α.
	Len() int
	// Alpha writes α(t) into dst (length Len) for t in [0, 1].
	Alpha(dst []float64, t float64)
	// AlphaDot writes α̇(t) = dα/dt into dst (length Len). Where α̇ jumps
	// (see Piecewise) it is the derivative from the right, except at t = 1
	// where it is the one from the left.
	AlphaDot(dst []float64, t float64)
}

// Piecewise is implemented by paths that are smooth except at finitely many
// interior times ("breaks") where α is continuous but α̇ jumps: polylines,
// concatenations, and reversals or reparameterizations of them. The
// integrators step exactly onto every break and evaluate α̇ from the side of
// the current step, so a kink costs no order of accuracy: without this a
// fourth-order Runge–Kutta step straddling a kink is only first-order
// accurate.
type Piecewise interface {
	Path
	// Breaks returns the interior break times in increasing order, all in
	// (0, 1). The slice must not be modified.
	Breaks() []float64
	// AlphaDotLeft writes the derivative of α from the left at t; it
	// equals AlphaDot(t) everywhere except at the breaks (and at t = 0,
	// where it is the derivative from the right).
	AlphaDotLeft(dst []float64, t float64)
}

// ErrSize is returned when points or paths of different lengths are mixed.
var ErrSize = errors.New("path: points of different lengths")

// checkPoint reports whether alpha is a point of the simplex Δ^K (K ≥ 1)
// within Tol; what names it in the error ("start point", "waypoint 2", …).
func checkPoint(alpha []float64, what string) error {
	return checkIn(simplex.Simplex, alpha, what)
}

// checkIn reports whether alpha is a point of dom, naming it by what.
func checkIn(dom simplex.Domain, alpha []float64, what string) error {
	if err := dom.Contains(alpha); err != nil {
		return fmt.Errorf("path: %s %v is off the %s: %s", what, alpha, dom, strings.TrimPrefix(err.Error(), "simplex: "))
	}
	return nil
}

// segment is the straight line α(t) = (1−t)·a + t·b.
type segment struct {
	a, b, v []float64 // v = b − a
}

// Segment returns the straight line α(t) = (1−t)·a + t·b, α̇ = b − a, from
// a to b: a vertex to a vertex (e_0 → e_k samples marginal k from noise,
// e_i → e_j translates marginal i into marginal j), or a vertex to a
// barycenter. Both points must lie on the simplex within Tol and have the
// same length. The points are copied.
func Segment(a, b []float64) (Path, error) {
	if err := checkPoint(a, "start point"); err != nil {
		return nil, err
	}
	if err := checkPoint(b, "end point"); err != nil {
		return nil, err
	}
	if len(a) != len(b) {
		return nil, fmt.Errorf("%w: start has %d coordinates, end has %d", ErrSize, len(a), len(b))
	}
	s := &segment{a: clone(a), b: clone(b), v: make([]float64, len(a))}
	for k := range a {
		s.v[k] = b[k] - a[k]
	}
	return s, nil
}

func (s *segment) Len() int { return len(s.a) }

func (s *segment) Alpha(dst []float64, t float64) {
	checkLen(dst, len(s.a))
	// (1−t)a + tb rather than a + t(b−a): exact end points at t = 0 and 1,
	// so α_k is exactly 0 at a vertex end.
	for k := range dst {
		dst[k] = (1-t)*s.a[k] + t*s.b[k]
	}
}

func (s *segment) AlphaDot(dst []float64, t float64) {
	checkLen(dst, len(s.a))
	copy(dst, s.v)
}

// concat runs parts[j] over the times [j/m, (j+1)/m].
type concat struct {
	parts  []Path
	n      int
	breaks []float64
}

// Concat returns the paths run one after another, each in an equal share
// 1/m of the time: on [j/m, (j+1)/m] the path is parts[j](m·t − j) and its
// velocity is m·α̇_j. Consecutive paths must meet (end of one = start of the
// next within Tol in every coordinate) and have the same length. The result
// is Piecewise, with a break at every junction (and at the breaks of the
// parts).
func Concat(paths ...Path) (Path, error) {
	if len(paths) == 0 {
		return nil, errors.New("path: Concat of no paths")
	}
	n := paths[0].Len()
	for j, p := range paths {
		if p.Len() != n {
			return nil, fmt.Errorf("%w: path 0 has %d coordinates, path %d has %d", ErrSize, n, j, p.Len())
		}
	}
	end, start := make([]float64, n), make([]float64, n)
	for j := range paths {
		paths[j].Alpha(start, 0)
		if err := checkPoint(start, fmt.Sprintf("start of path %d", j)); err != nil {
			return nil, err
		}
		paths[j].Alpha(end, 1)
		if err := checkPoint(end, fmt.Sprintf("end of path %d", j)); err != nil {
			return nil, err
		}
		if j+1 < len(paths) {
			paths[j+1].Alpha(start, 0)
			for k := range end {
				if math.Abs(end[k]-start[k]) > Tol {
					return nil, fmt.Errorf("path: path %d ends at %v but path %d starts at %v", j, end, j+1, start)
				}
			}
		}
	}
	c := &concat{parts: append([]Path(nil), paths...), n: n}
	m := float64(len(paths))
	for j, p := range paths {
		if j > 0 {
			c.breaks = append(c.breaks, float64(j)/m)
		}
		for _, b := range breaksOf(p) {
			c.breaks = append(c.breaks, (float64(j)+b)/m)
		}
	}
	return c, nil
}

// snap is the relative distance to a junction within which a time counts as
// the junction itself: breaks reach the pieces through a multiplication and a
// subtraction, which may leave a rounding error of a few ulps.
const snap = 1e-12

// piece returns the index j of the part that covers t and the local time
// s = m·t − j. At a junction it picks the part on the right, or the part on
// the left if left is set.
func (c *concat) piece(t float64, left bool) (int, float64) {
	m := len(c.parts)
	u := t * float64(m)
	r := math.Round(u)
	if math.Abs(u-r) <= snap*float64(m) {
		u = r
	}
	var j int
	if left {
		j = int(math.Ceil(u)) - 1
	} else {
		j = int(math.Floor(u))
	}
	j = max(0, min(j, m-1))
	return j, u - float64(j)
}

func (c *concat) Len() int { return c.n }

func (c *concat) Alpha(dst []float64, t float64) {
	j, s := c.piece(t, false)
	c.parts[j].Alpha(dst, s)
}

func (c *concat) AlphaDot(dst []float64, t float64) {
	j, s := c.piece(t, t >= 1)
	c.parts[j].AlphaDot(dst, s)
	scale(dst, float64(len(c.parts)))
}

func (c *concat) AlphaDotLeft(dst []float64, t float64) {
	j, s := c.piece(t, t > 0)
	alphaDotLeft(c.parts[j], dst, s)
	scale(dst, float64(len(c.parts)))
}

func (c *concat) Breaks() []float64 { return c.breaks }

// polyline is a concatenation of segments that remembers its waypoints.
type polyline struct {
	concat
	points [][]float64
}

// Polyline returns the path through the given points (at least two) along
// straight segments, each segment taking an equal share of the time: with m
// segments the path is at points[j] at t = j/m, whatever the segment
// lengths. (Equal time keeps the file format and the break times simple; a
// path with speed proportional to length is a Reparam away.) Every point
// must lie on the simplex within Tol; all must have the same length. The
// result is Piecewise with breaks at the interior waypoints.
func Polyline(points ...[]float64) (Path, error) {
	if len(points) < 2 {
		return nil, fmt.Errorf("path: a polyline needs at least 2 points, have %d", len(points))
	}
	segs := make([]Path, len(points)-1)
	for j := range segs {
		if err := checkPoint(points[j], fmt.Sprintf("waypoint %d", j)); err != nil {
			return nil, err
		}
		if len(points[j+1]) != len(points[0]) {
			return nil, fmt.Errorf("%w: waypoint 0 has %d coordinates, waypoint %d has %d", ErrSize, len(points[0]), j+1, len(points[j+1]))
		}
		s, err := Segment(points[j], points[j+1])
		if err != nil {
			return nil, fmt.Errorf("path: waypoint %d: %w", j+1, err)
		}
		segs[j] = s
	}
	c, err := Concat(segs...)
	if err != nil {
		return nil, err
	}
	pl := &polyline{concat: *c.(*concat)}
	for _, p := range points {
		pl.points = append(pl.points, clone(p))
	}
	return pl, nil
}

// reverse runs p backwards.
type reverse struct{ p Path }

// Reverse returns p run backwards: α(t) = p.α(1−t), α̇(t) = −p.α̇(1−t). The
// flow of the reversed path inverts the flow of p, so e_i → e_j → e_i
// returns every sample to where it started.
func Reverse(p Path) Path {
	if r, ok := p.(*reverse); ok {
		return r.p
	}
	return &reverse{p: p}
}

func (r *reverse) Len() int { return r.p.Len() }

func (r *reverse) Alpha(dst []float64, t float64) { r.p.Alpha(dst, 1-t) }

// AlphaDot: the derivative from the right at t is minus p's derivative from
// the left at 1−t.
func (r *reverse) AlphaDot(dst []float64, t float64) {
	if t >= 1 {
		r.p.AlphaDot(dst, 0)
	} else {
		alphaDotLeft(r.p, dst, 1-t)
	}
	scale(dst, -1)
}

func (r *reverse) AlphaDotLeft(dst []float64, t float64) {
	if t <= 0 {
		alphaDotLeft(r.p, dst, 1)
	} else {
		r.p.AlphaDot(dst, 1-t)
	}
	scale(dst, -1)
}

func (r *reverse) Breaks() []float64 {
	b := breaksOf(r.p)
	out := make([]float64, len(b))
	for i, v := range b {
		out[len(b)-1-i] = 1 - v
	}
	return out
}

// breaksOf returns p's breaks, or none if p is smooth.
func breaksOf(p Path) []float64 {
	if pw, ok := p.(Piecewise); ok {
		return pw.Breaks()
	}
	return nil
}

// alphaDotLeft writes p's derivative from the left at t.
func alphaDotLeft(p Path, dst []float64, t float64) {
	if pw, ok := p.(Piecewise); ok {
		pw.AlphaDotLeft(dst, t)
		return
	}
	p.AlphaDot(dst, t)
}

// Check verifies a path built elsewhere (for example by a path optimizer)
// against the simplex: CheckIn(p, simplex.Simplex).
func Check(p Path) error { return CheckIn(p, simplex.Simplex) }

// CheckIn verifies a path against a domain: α(t) must lie in dom within
// Tol at 1025 equally spaced times, at both ends and just beside every
// break, and α̇ must be finite there. On the simplex Σ_k α̇_k must also
// vanish within 1e-6·(1+|α̇|₁), as it does for any path that stays on
// Σ_k α_k = 1.
func CheckIn(p Path, dom simplex.Domain) error {
	n := p.Len()
	if n < 2 {
		return fmt.Errorf("path: path has %d coordinates, need at least 2", n)
	}
	a, v := make([]float64, n), make([]float64, n)
	times := make([]float64, 0, 1025+2*len(breaksOf(p)))
	for i := 0; i <= 1024; i++ {
		times = append(times, float64(i)/1024)
	}
	for _, b := range breaksOf(p) {
		if !(b > 0 && b < 1) {
			return fmt.Errorf("path: break %v outside (0, 1)", b)
		}
		times = append(times, math.Nextafter(b, 0), b)
	}
	// Points first: "α(0.5) is off the simplex" says more than the
	// velocity test that would fail first at t = 0.
	for _, t := range times {
		p.Alpha(a, t)
		if err := checkIn(dom, a, fmt.Sprintf("α(%g)", t)); err != nil {
			return err
		}
	}
	for _, t := range times {
		p.AlphaDot(v, t)
		var sum, abs float64
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("path: α̇(%g) = %v is not finite", t, v)
			}
			sum += x
			abs += math.Abs(x)
		}
		if dom.Kind == simplex.KindSimplex && math.Abs(sum) > 1e-6*(1+abs) {
			return fmt.Errorf("path: α̇(%g) = %v sums to %g, not 0: the path leaves Σα = 1", t, v, sum)
		}
	}
	return nil
}

func clone(a []float64) []float64 { return append([]float64(nil), a...) }

// scale sets a *= s, with +0 for zero results (a reversed or stopped path
// prints 0, not −0).
func scale(a []float64, s float64) {
	for i := range a {
		a[i] = a[i]*s + 0
	}
}

func checkLen(dst []float64, n int) {
	if len(dst) != n {
		panic(fmt.Sprintf("path: destination has length %d, path has %d coordinates", len(dst), n))
	}
}

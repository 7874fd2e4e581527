package simplex

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Tol is the one tolerance of membership: a point counts as a point of a
// Domain when every coordinate is ≥ −Tol and, on the simplex, when
// |Σ_k α_k − 1| ≤ Tol (in the ball, when |α|₂ ≤ Radius·(1+Tol)).
//
// Why 1e-9: points reach a domain through floating-point arithmetic —
// paths evaluated at arbitrary times, projections, normalized Gamma
// draws, sines and cosines — which leaves errors of a few ulps times the
// number of coordinates (1e-15 … 1e-13); and through files and command
// lines, where a person types 0.3333333333 for 1/3 (an error of 3e-11).
// 1e-9 accepts both, and is still far below any difference a model or a
// solver can resolve in α.
const Tol = 1e-9

// DomainKind says which set of α a model was trained on.
type DomainKind int

const (
	// KindSimplex is Δ^K = {α ≥ 0, Σ_k α_k = 1}: every point a convex
	// combination of the marginals.
	KindSimplex DomainKind = iota
	// KindBall is the non-negative part of a Euclidean ball,
	// {α ≥ 0, 0 < |α|₂ ≤ Radius}. With Radius ≥ 1 it contains the
	// simplex (|α|₂ ≤ |α|₁ = 1 there), the trigonometric paths
	// cos(πt/2) e_i + sin(πt/2) e_j (on the unit sphere) and noise
	// schedules (α_0(t), α_k(t)) of any shape inside the radius.
	KindBall
)

// Domain is a set of admissible α: where a conditional expectation g(α, ·)
// was trained (or, for an exact oracle, where its formulas hold), and so
// where the points of a path must lie. The zero Domain is the simplex.
type Domain struct {
	Kind DomainKind
	// Radius is C of the ball {α ≥ 0, 0 < |α|₂ ≤ C}; +Inf means no
	// bound (an exact oracle). Unused on the simplex.
	Radius float64
}

// Simplex is the domain Δ^K.
var Simplex = Domain{}

// DefaultRadius is the radius of the ball a model is trained on by
// default. The simplex and the trigonometric paths lie inside the unit
// ball; √2 leaves room for schedules along which a standard deviation
// overshoots its end values (the interpolant's variance α_0² + α_k²λ up
// to twice that of the noise), which optimal schedules to a marginal with
// an elongated direction (λ > 1 in normalized units) need.
var DefaultRadius = math.Sqrt2

// Ball returns the domain {α ≥ 0, 0 < |α|₂ ≤ radius}. It panics unless
// radius ≥ 1 (a smaller ball would not contain the simplex).
func Ball(radius float64) Domain {
	if !(radius >= 1) {
		panic(fmt.Sprintf("simplex: ball of radius %v, need ≥ 1 to contain the simplex", radius))
	}
	return Domain{Kind: KindBall, Radius: radius}
}

// Unbounded is the ball without a radius, {α ≥ 0, α ≠ 0}: where the exact
// oracles' formulas hold.
var Unbounded = Domain{Kind: KindBall, Radius: math.Inf(1)}

// String returns "simplex" or "ball", with the radius when it is not the
// default ("ball(1.5)", "ball(+Inf)").
func (d Domain) String() string {
	if d.Kind == KindSimplex {
		return "simplex"
	}
	if d.Radius == DefaultRadius {
		return "ball"
	}
	return "ball(" + strconv.FormatFloat(d.Radius, 'g', -1, 64) + ")"
}

// ParseDomain reads "simplex", "ball" (radius DefaultRadius) or
// "ball(C)", the forms String writes.
func ParseDomain(s string) (Domain, error) {
	switch {
	case s == "simplex":
		return Simplex, nil
	case s == "ball":
		return Ball(DefaultRadius), nil
	case strings.HasPrefix(s, "ball(") && strings.HasSuffix(s, ")"):
		r, err := strconv.ParseFloat(s[len("ball("):len(s)-1], 64)
		if err != nil || !(r >= 1) {
			return Domain{}, fmt.Errorf("simplex: ball radius in %q must be a number ≥ 1", s)
		}
		return Domain{Kind: KindBall, Radius: r}, nil
	}
	return Domain{}, fmt.Errorf("simplex: unknown domain %q (known: simplex, ball)", s)
}

// Validate checks that d is a domain: the simplex, or a ball of radius ≥ 1.
func (d Domain) Validate() error {
	switch d.Kind {
	case KindSimplex:
		return nil
	case KindBall:
		if !(d.Radius >= 1) {
			return fmt.Errorf("simplex: ball of radius %v, need ≥ 1 to contain the simplex", d.Radius)
		}
		return nil
	}
	return fmt.Errorf("simplex: unknown domain kind %d", int(d.Kind))
}

// Contains reports whether alpha is a point of d (with K ≥ 1) within Tol:
// at least two coordinates, all finite and ≥ −Tol, and on the simplex
// |Σ_k α_k − 1| ≤ Tol, in the ball 0 < |α|₂ ≤ Radius·(1+Tol). The error
// names the first condition that fails. This is the one membership test of
// the project: paths, path files, optimizers and the command line all ask
// it.
func (d Domain) Contains(alpha []float64) error {
	if len(alpha) < 2 {
		return fmt.Errorf("simplex: point has %d coordinates, need at least 2", len(alpha))
	}
	sum, sq := 0.0, 0.0
	for k, a := range alpha {
		if math.IsNaN(a) || math.IsInf(a, 0) {
			return fmt.Errorf("simplex: coordinate %d is %v", k, a)
		}
		if a < -Tol {
			return fmt.Errorf("simplex: coordinate %d is negative (%g)", k, a)
		}
		sum += a
		sq += a * a
	}
	if d.Kind == KindSimplex {
		if math.Abs(sum-1) > Tol {
			return fmt.Errorf("simplex: coordinates sum to %.17g, not 1 (off the simplex)", sum)
		}
		return nil
	}
	r := math.Sqrt(sq)
	if !(r > 0) {
		return fmt.Errorf("simplex: point is 0 (the ball's points need |α| > 0)")
	}
	if r > d.Radius*(1+Tol) {
		return fmt.Errorf("simplex: |α| = %.17g is outside the ball of radius %g", r, d.Radius)
	}
	return nil
}

// Covers reports whether every point of e is a point of d: the simplex
// covers itself, a ball covers the simplex and every ball of no larger
// radius.
func (d Domain) Covers(e Domain) bool {
	switch {
	case d.Kind == KindSimplex:
		return e.Kind == KindSimplex
	case e.Kind == KindSimplex:
		return d.Radius >= 1
	}
	return e.Radius <= d.Radius
}

// IsVertex reports whether alpha is the vertex e_k within Tol: α_k within
// Tol of 1 and every other coordinate within Tol of 0.
func IsVertex(alpha []float64, k int) bool {
	if k < 0 || k >= len(alpha) {
		return false
	}
	for j, a := range alpha {
		want := 0.0
		if j == k {
			want = 1
		}
		if !(math.Abs(a-want) <= Tol) {
			return false
		}
	}
	return true
}

// VertexIndex returns k if alpha is the vertex e_k within Tol, or −1.
func VertexIndex(alpha []float64) int {
	for k := range alpha {
		if IsVertex(alpha, k) {
			return k
		}
	}
	return -1
}

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

// BallSine is a path through the ball: the straight segment from a to b
// plus a sine series, with no projection and no constraint Σ_k α_k = 1,
//
//	α(t) = (1−t) a + t b + Σ_{n=1}^{M} sin(nπt) c_n ,
//
// where c_n is zero outside the moving coordinates (those non-zero at a or
// at b). From e_0 to e_k it is a noise schedule (α_0(t), α_k(t)) of any
// shape; between data marginals it may cut through the interior of the
// ball. It is smooth (no breaks). A model evaluates it only inside its
// domain (path.NewVelocity checks), so it needs a model trained with the
// ball domain or an exact oracle.
//
// A BallSine is immutable; it is saved as JSON of kind "ballsine",
//
//	{"kind": "ballsine", "from": [1, 0, 0], "to": [0, 0, 1], "modes": 2,
//	 "coef": [[c_1…], [c_2…]]},
//
// which path.Load reads back.
type BallSine struct {
	a, b []float64
	coef [][]float64 // M vectors of K+1
}

var (
	_ path.Path      = (*BallSine)(nil)
	_ json.Marshaler = (*BallSine)(nil)
)

func init() { path.RegisterKind("ballsine", decodeBallSine) }

// NewBallSine returns the path from a to b with sine coefficients coef
// (each of len(a) entries, zero outside the moving coordinates). The end
// points must be points of the unbounded ball (non-negative, not 0).
// Inputs are copied.
func NewBallSine(a, b []float64, coef [][]float64) (*BallSine, error) {
	if len(a) != len(b) {
		return nil, fmt.Errorf("pathopt: start has %d coordinates, end %d", len(a), len(b))
	}
	for _, p := range [][]float64{a, b} {
		if err := simplex.Unbounded.Contains(p); err != nil {
			return nil, fmt.Errorf("pathopt: end point %v: %w", p, err)
		}
	}
	s := &BallSine{a: clone(a), b: clone(b)}
	for n, c := range coef {
		if len(c) != len(a) {
			return nil, fmt.Errorf("pathopt: coefficient %d has %d entries, want %d", n, len(c), len(a))
		}
		for k, v := range c {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("pathopt: coefficient %d is not finite: %v", n, c)
			}
			if v != 0 && a[k] == 0 && b[k] == 0 {
				return nil, fmt.Errorf("pathopt: coefficient %d moves coordinate %d, which is 0 at both ends", n, k)
			}
		}
		s.coef = append(s.coef, clone(c))
	}
	return s, nil
}

func clone(a []float64) []float64 { return append([]float64(nil), a...) }

// Len returns K+1.
func (s *BallSine) Len() int { return len(s.a) }

// Modes returns the number of sine modes.
func (s *BallSine) Modes() int { return len(s.coef) }

// Alpha writes α(t).
func (s *BallSine) Alpha(dst []float64, t float64) {
	s.check(dst)
	for k := range dst {
		dst[k] = (1-t)*s.a[k] + t*s.b[k]
	}
	for n, c := range s.coef {
		sn := math.Sin(float64(n+1) * math.Pi * t)
		if t == 1 {
			sn = 0 // exact end point
		}
		for k, v := range c {
			dst[k] += sn * v
		}
	}
}

// AlphaDot writes dα/dt.
func (s *BallSine) AlphaDot(dst []float64, t float64) {
	s.check(dst)
	for k := range dst {
		dst[k] = s.b[k] - s.a[k]
	}
	for n, c := range s.coef {
		f := float64(n+1) * math.Pi
		cs := f * math.Cos(f*t)
		for k, v := range c {
			dst[k] += cs * v
		}
	}
}

func (s *BallSine) check(dst []float64) {
	if len(dst) != len(s.a) {
		panic(fmt.Sprintf("pathopt: destination has length %d, path has %d coordinates", len(dst), len(s.a)))
	}
}

type ballSineJSON struct {
	Kind  string      `json:"kind"`
	From  []float64   `json:"from"`
	To    []float64   `json:"to"`
	Modes int         `json:"modes"`
	Coef  [][]float64 `json:"coef"`
}

// MarshalJSON writes the "ballsine" object.
func (s *BallSine) MarshalJSON() ([]byte, error) {
	coef := s.coef
	if coef == nil {
		coef = [][]float64{}
	}
	return json.Marshal(ballSineJSON{Kind: "ballsine", From: s.a, To: s.b, Modes: len(s.coef), Coef: coef})
}

func decodeBallSine(data []byte) (path.Path, error) {
	var v ballSineJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("pathopt: bad ballsine path JSON: %w", err)
	}
	if v.From == nil || v.To == nil {
		return nil, errors.New(`pathopt: ballsine path without "from" or "to"`)
	}
	if len(v.Coef) != v.Modes {
		return nil, fmt.Errorf(`pathopt: ballsine path has "modes": %d but %d coefficient vectors`, v.Modes, len(v.Coef))
	}
	return NewBallSine(v.From, v.To, v.Coef)
}

// onBall reports whether f's paths run off the simplex (BallSine paths).
func (f *Family) onBall() bool { return f.Domain.Kind == simplex.KindBall }

// validateBall is Validate for a family on a ball.
func (f *Family) validateBall() error {
	if len(f.Points) != 2 || f.Reparam {
		return errors.New("pathopt: a path off the simplex runs straight from one point to another plus sine modes: no waypoints, no Reparam")
	}
	from, to := f.Points[0], f.Points[1]
	if len(from) != len(to) || len(from) < 2 {
		return fmt.Errorf("pathopt: end points of %d and %d coordinates", len(from), len(to))
	}
	for _, p := range f.Points {
		if err := f.Domain.Contains(p); err != nil {
			return fmt.Errorf("pathopt: end point %v is off the model's %s: %w", p, f.Domain, err)
		}
	}
	same := true
	for k := range from {
		same = same && math.Abs(from[k]-to[k]) <= simplex.Tol
	}
	if same {
		return errors.New("pathopt: the end points coincide")
	}
	return nil
}

// moving returns the coordinates of a ball family that are non-zero at
// an end.
func (f *Family) moving() []int {
	var ks []int
	for k := range f.Points[0] {
		if f.Points[0][k] != 0 || f.Points[1][k] != 0 {
			ks = append(ks, k)
		}
	}
	return ks
}

// ballSine returns the BallSine of a ball family with parameters theta
// (length Dim), θ[n·m + i] the coefficient of mode n+1 on the i-th moving
// coordinate.
func (f *Family) ballSine(theta []float64) (*BallSine, error) {
	mv := f.moving()
	coef := make([][]float64, f.Modes)
	for n := range coef {
		coef[n] = make([]float64, len(f.Points[0]))
		for i, k := range mv {
			coef[n][k] = theta[n*len(mv)+i]
		}
	}
	return NewBallSine(f.Points[0], f.Points[1], coef)
}

// ballPenalty weighs the penalty that keeps the optimizer inside the
// domain, relative to the straight path's cost: a coordinate 0.01 below 0
// (or outside the radius) all along the path costs 10⁻⁴·ballPenalty times
// the straight cost, far more than any schedule gains.
const ballPenalty = 1e5

// ballCostGrad is CostGrad for a family on a ball, plus a penalty
// mu·Σ_q W_q [Σ_k min(α_k, 0)² + max(|α|² − C², 0)²] over the quadrature
// nodes (zero inside the domain) that keeps L-BFGS inside the domain; mu
// is ballPenalty times straight, the straight path's cost (0: no
// penalty). The returned Estimate includes the penalty.
func (e *Estimator) ballCostGrad(f *Family, theta, grad []float64, straight float64) (Estimate, error) {
	sp, err := f.ballSine(theta)
	if err != nil {
		return Estimate{}, err
	}
	nodes := e.ballNodes(sp)
	est, ng, _ := e.run(nodes, true)
	mu := ballPenalty * straight
	r2 := f.Domain.Radius * f.Domain.Radius
	mv := f.moving()
	clear(grad)
	for q, nd := range nodes {
		ga, gv := ng[q][:e.k1], ng[q][e.k1:]
		// Penalty and its gradient with respect to α at this node.
		sq := 0.0
		for _, a := range nd.alpha {
			sq += a * a
		}
		out := max(sq-r2, 0)
		est.Cost += mu * nd.weight * out * out
		for _, k := range mv {
			a := nd.alpha[k]
			if a < 0 {
				est.Cost += mu * nd.weight * a * a
				ga[k] += mu * nd.weight * 2 * a
			}
			ga[k] += mu * nd.weight * 4 * out * a
		}
		for n := 0; n < f.Modes; n++ {
			fr := float64(n+1) * math.Pi
			sn, cs := math.Sincos(fr * nd.s)
			for i, k := range mv {
				grad[n*len(mv)+i] += sn*ga[k] + fr*cs*gv[k]
			}
		}
	}
	return est, nil
}

// ballNodes returns the quadrature nodes of a BallSine: composite
// Gauss–Legendre with the estimator's nodes on each of P equal panels,
// P = ⌈2M/nodes⌉ for M modes, so that there are at least two nodes per
// half-wave of the highest mode. With fewer, the estimate aliases and an
// optimizer finds "cheap" paths that wiggle between the nodes.
func (e *Estimator) ballNodes(sp *BallSine) []node {
	panels := max(1, (2*sp.Modes()+len(e.gx)-1)/len(e.gx))
	var nodes []node
	for j := 0; j < panels; j++ {
		for q, u := range e.gx {
			t := (float64(j) + u) / float64(panels)
			nd := node{alpha: make([]float64, e.k1), alphaDot: make([]float64, e.k1), weight: e.gw[q] / float64(panels), s: t}
			sp.Alpha(nd.alpha, t)
			sp.AlphaDot(nd.alphaDot, t)
			nodes = append(nodes, nd)
		}
	}
	return nodes
}

package pathopt

import (
	"bytes"
	"context"
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

// BallFamily is the set of BallSine paths from From to To with Modes sine
// modes: one parameter per mode and moving coordinate (a coordinate
// non-zero at From or To), θ = 0 the straight segment. Optimizing it over
// a model trained on the ball (or an exact oracle) chooses a noise
// schedule (α_0(t), α_k(t)) freely rather than only a time
// reparameterization of the straight edge.
type BallFamily struct {
	From, To []float64
	Modes    int
	// Domain is the model's domain: the optimizer keeps the path inside
	// it (OptimizeBall). The zero value means simplex.Unbounded (an exact
	// oracle); a simplex domain is an error.
	Domain simplex.Domain
}

func (f *BallFamily) domain() simplex.Domain {
	if f.Domain == (simplex.Domain{}) {
		return simplex.Unbounded
	}
	return f.Domain
}

// Validate checks the family.
func (f *BallFamily) Validate() error {
	if f.Modes < 1 {
		return fmt.Errorf("pathopt: %d sine modes, need at least 1", f.Modes)
	}
	if len(f.From) != len(f.To) || len(f.From) < 2 {
		return fmt.Errorf("pathopt: end points of %d and %d coordinates", len(f.From), len(f.To))
	}
	dom := f.domain()
	if dom.Kind != simplex.KindBall {
		return errors.New("pathopt: a ball path needs a model trained on the ball (mmi train --domain ball) or an exact oracle; this model's domain is the simplex")
	}
	for _, p := range [][]float64{f.From, f.To} {
		if err := dom.Contains(p); err != nil {
			return fmt.Errorf("pathopt: end point %v is off the model's %s: %w", p, dom, err)
		}
	}
	same := true
	for k := range f.From {
		same = same && math.Abs(f.From[k]-f.To[k]) <= simplex.Tol
	}
	if same {
		return errors.New("pathopt: the end points coincide")
	}
	return nil
}

// moving returns the coordinates that are non-zero at an end.
func (f *BallFamily) moving() []int {
	var ks []int
	for k := range f.From {
		if f.From[k] != 0 || f.To[k] != 0 {
			ks = append(ks, k)
		}
	}
	return ks
}

// Dim returns the number of parameters: Modes × the moving coordinates.
func (f *BallFamily) Dim() int { return f.Modes * len(f.moving()) }

// Path returns the path with parameters theta (length Dim), θ[n·m + i]
// the coefficient of mode n+1 on the i-th moving coordinate.
func (f *BallFamily) Path(theta []float64) (*BallSine, error) {
	if len(theta) != f.Dim() {
		return nil, fmt.Errorf("pathopt: %d parameters, the family has %d", len(theta), f.Dim())
	}
	mv := f.moving()
	coef := make([][]float64, f.Modes)
	for n := range coef {
		coef[n] = make([]float64, len(f.From))
		for i, k := range mv {
			coef[n][k] = theta[n*len(mv)+i]
		}
	}
	return NewBallSine(f.From, f.To, coef)
}

// ballPenalty weighs the penalty that keeps the optimizer inside the
// domain, relative to the straight path's cost: a coordinate 0.01 below 0
// (or outside the radius) all along the path costs 10⁻⁴·ballPenalty times
// the straight cost, far more than any schedule gains.
const ballPenalty = 1e5

// BallCostGrad estimates the transport cost of f.Path(theta) and writes
// the gradient of the estimate plus a penalty into grad (length f.Dim()).
// The penalty, mu·Σ_q W_q [Σ_k min(α_k, 0)² + max(|α|² − C², 0)²] over
// the quadrature nodes (zero inside the domain), keeps L-BFGS inside the
// domain; mu is ballPenalty times the straight path's cost (straight).
// The returned Estimate includes the penalty. The conditional must
// implement cond.AlphaVJPer.
func (e *Estimator) BallCostGrad(f *BallFamily, theta, grad []float64, straight float64) (Estimate, error) {
	if err := f.Validate(); err != nil {
		return Estimate{}, err
	}
	if err := e.checkGradCall(len(f.From), len(grad), f.Dim()); err != nil {
		return Estimate{}, err
	}
	sp, err := f.Path(theta)
	if err != nil {
		return Estimate{}, err
	}
	nodes := e.ballNodes(sp)
	est, ng, _ := e.run(nodes, true)
	mu := ballPenalty * straight
	r2 := f.domain().Radius * f.domain().Radius
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

// BallResult is the outcome of OptimizeBall: the fields of Result, with
// Path the best BallSine found. Straight is the straight segment's cost.
type BallResult struct {
	Result
	Path *BallSine
}

// OptimizeBall minimizes the estimated transport cost over the ball family
// f with the L-BFGS of Optimize, from the straight segment (θ = 0), on the
// objective of BallCostGrad. Only paths inside f's domain (path.CheckIn,
// within simplex.Tol) can become the best path, so the result always is a
// path the model may run; the penalty keeps the search near there.
func OptimizeBall(ctx context.Context, e *Estimator, f *BallFamily, s *Settings) (*BallResult, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	zero := make([]float64, f.Dim())
	st, err := e.BallCostGrad(f, zero, make([]float64, f.Dim()), 0)
	if err != nil {
		return nil, err
	}
	eval := func(x, grad []float64) (Estimate, error) { return e.BallCostGrad(f, x, grad, st.Cost) }
	feasible := func(x []float64) bool {
		p, err := f.Path(x)
		return err == nil && path.CheckIn(p, f.domain()) == nil
	}
	res, err := minimize(ctx, f.Dim(), eval, feasible, s)
	if res == nil {
		return nil, err
	}
	out := &BallResult{Result: *res}
	out.Path, _ = f.Path(res.Theta)
	return out, err
}

package pathopt

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/integrate/quad"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/path"
)

// Estimate is a Monte Carlo estimate of a transport cost with its standard
// error, in data units.
type Estimate struct {
	Cost, StdErr float64
}

// EstimatorSettings configures an Estimator. A zero field means the
// documented default.
type EstimatorSettings struct {
	// N is the number of joint draws (x_0 … x_K); 0 means 1024.
	N int
	// Nodes is the number of Gauss–Legendre nodes per smooth piece of a
	// path (each stretch of a Sine path between kinks is one); 0 means
	// 12. The number does not depend on a stretch's length: a count that
	// changed as a kink moved would make the estimate jump.
	Nodes int
	// Scale converts costs from the conditional's coordinates to data
	// units: data cost = cost × Scale². For a trained model it is
	// m.Normalization().Scale; 0 means 1 (the oracle).
	Scale float64
	// Workers is the number of goroutines that share the quadrature
	// nodes; 0 means GOMAXPROCS.
	Workers int
}

// Estimator estimates the transport cost of paths,
//
//	C[α] = ∫_0^1 E |Σ_k α̇_k(t) g_k(α(t), x(α(t)))|² dt,   x(α) = Σ_k α_k x_k,
//
// without solving an ODE: the joint draws (x_0 … x_K) are taken once from
// the coupling when the Estimator is made and reused for every path and
// every time (common random numbers), and the time integral is a
// Gauss–Legendre rule on each smooth piece of the path. For a fixed set of
// draws the estimate is a deterministic function of the path, smooth in
// its parameters wherever the path is, so an optimizer can use it and its
// gradient as an ordinary objective. The standard error is that of the
// mean over draws of Y_i = Σ_q w_q |b(t_q, x_i(t_q))|²: the same draw
// enters every time node, so the Y_i are independent.
//
// An Estimator is safe for concurrent use.
type Estimator struct {
	g       cond.Conditional
	k1, d   int
	n       int
	draws   [][]float64 // K+1 batches of n rows, the conditional's coordinates
	scale2  float64
	gx, gw  []float64 // Gauss–Legendre nodes and weights on [0, 1]
	workers int
	pool    sync.Pool // *costWork
}

// NewEstimator draws the samples of the estimator from the coupling c with
// r. c must be the coupling g was trained on, in g's coordinates: for a
// trained model gk.NormalizedCoupling(c, m.Normalization()) with marginal
// 0 the standard Gaussian; for the oracle the independent coupling of the
// standard Gaussian and its mixtures.
func NewEstimator(g cond.Conditional, c marginals.Coupling, r *rand.Rand, s *EstimatorSettings) (*Estimator, error) {
	if g == nil || c == nil || r == nil {
		return nil, errors.New("pathopt: NewEstimator needs a conditional, a coupling and a random generator")
	}
	var set EstimatorSettings
	if s != nil {
		set = *s
	}
	if set.N == 0 {
		set.N = 1024
	}
	if set.Nodes == 0 {
		set.Nodes = 12
	}
	if set.Scale == 0 {
		set.Scale = 1
	}
	if set.Workers == 0 {
		set.Workers = runtime.GOMAXPROCS(0)
	}
	if set.N < 2 {
		return nil, fmt.Errorf("pathopt: %d Monte Carlo draws, need at least 2", set.N)
	}
	if set.Nodes < 1 {
		return nil, fmt.Errorf("pathopt: %d quadrature nodes, need at least 1", set.Nodes)
	}
	if !(set.Scale > 0) || math.IsInf(set.Scale, 0) {
		return nil, fmt.Errorf("pathopt: cost scale %v, need positive and finite", set.Scale)
	}
	if set.Workers < 1 {
		return nil, fmt.Errorf("pathopt: %d workers", set.Workers)
	}
	k1, d := g.Sizes()
	if c.Len() != k1 || c.Dim() != d {
		return nil, fmt.Errorf("pathopt: coupling of %d marginals in dimension %d, the conditional has %d in dimension %d", c.Len(), c.Dim(), k1, d)
	}
	e := &Estimator{g: g, k1: k1, d: d, n: set.N, scale2: set.Scale * set.Scale, workers: set.Workers}
	e.draws = make([][]float64, k1)
	for k := range e.draws {
		e.draws[k] = make([]float64, set.N*d)
	}
	c.Sample(e.draws, r)
	for k, b := range e.draws {
		for _, v := range b {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("pathopt: marginal %d produced a non-finite sample", k)
			}
		}
	}
	e.gx, e.gw = make([]float64, set.Nodes), make([]float64, set.Nodes)
	quad.Legendre{}.FixedLocations(e.gx, e.gw, 0, 1)
	e.pool.New = func() any { return e.newWork() }
	return e, nil
}

// N returns the number of draws.
func (e *Estimator) N() int { return e.n }

// node is one quadrature node of a path: α and α̇ there and its weight in
// the time integral.
type node struct {
	alpha, alphaDot []float64
	weight          float64
	// For gradients of a Family: piece j, local time s, the active set of
	// the projection, and where the node sits in its stretch: s = lo +
	// (hi − lo) u between the kinks kinkLo and kinkHi (−1: an end of the
	// piece, which does not move), with weight (hi − lo) wq.
	piece          int
	s              float64
	active         []bool
	u, wq          float64
	kinkLo, kinkHi int
}

// Cost estimates C of any path on K+1 marginals, with Gauss–Legendre nodes
// on each piece between the path's breaks (path.Piecewise).
func (e *Estimator) Cost(p path.Path) (Estimate, error) {
	if p.Len() != e.k1 {
		return Estimate{}, fmt.Errorf("pathopt: path on %d marginals, the conditional has %d", p.Len(), e.k1)
	}
	if bp, ok := p.(*BallSine); ok {
		// The same nodes as CostGrad on a ball.
		est, _, _ := e.run(e.ballNodes(bp), false)
		return est, nil
	}
	if sp, ok := p.(*Sine); ok {
		// The same nodes as CostGrad, so that both give the same number.
		f := &Family{Points: sp.points, Modes: sp.modes}
		est, _, _ := e.run(e.familyNodes(f, sp), false)
		return est, nil
	}
	ends := []float64{0}
	if pw, ok := p.(path.Piecewise); ok {
		ends = append(ends, pw.Breaks()...)
	}
	ends = append(ends, 1)
	var nodes []node
	for j := 0; j+1 < len(ends); j++ {
		lo, hi := ends[j], ends[j+1]
		for q, s := range e.gx {
			t := lo + (hi-lo)*s
			nd := node{alpha: make([]float64, e.k1), alphaDot: make([]float64, e.k1), weight: (hi - lo) * e.gw[q]}
			p.Alpha(nd.alpha, t)
			p.AlphaDot(nd.alphaDot, t)
			nodes = append(nodes, nd)
		}
	}
	est, _, _ := e.run(nodes, false)
	return est, nil
}

// familyNodes returns the quadrature nodes of f's path sp: Gauss–Legendre
// on every smooth stretch of every piece (between the kinks), with what
// the gradient needs. Kinks are numbered in the order of sp.kinks.
func (e *Estimator) familyNodes(f *Family, sp *Sine) []node {
	m := f.pieces()
	n := e.k1
	var nodes []node
	w, dw, tmp := make([]float64, n), make([]float64, n), make([]float64, n)
	kink := 0
	for j := 0; j < m; j++ {
		ends := append(append([]float64{0}, sp.kinks[j]...), 1)
		for i := 0; i+1 < len(ends); i++ {
			lo, hi := ends[i], ends[i+1]
			klo, khi := -1, -1
			if i > 0 {
				klo = kink + i - 1
			}
			if i+2 < len(ends) {
				khi = kink + i
			}
			for q, u := range e.gx {
				s := lo + (hi-lo)*u
				wq := e.gw[q] / float64(m)
				nd := node{alpha: make([]float64, n), alphaDot: make([]float64, n), active: make([]bool, n),
					weight: (hi - lo) * wq, piece: j, s: s, u: u, wq: wq, kinkLo: klo, kinkHi: khi}
				sp.raw(w, dw, j, s)
				tau := project(nd.alpha, w, tmp)
				projectDeriv(nd.alphaDot, nd.active, w, dw, tau, 1)
				for k := range nd.alphaDot {
					nd.alphaDot[k] *= float64(m)
				}
				nodes = append(nodes, nd)
			}
		}
		kink += len(sp.kinks[j])
	}
	return nodes
}

// kinkDeriv returns ∂s*/∂c_{j,n} (modes vectors of K+1) of a kink at local
// time s of piece j, or nil where it is not defined (several coordinates
// change at once, or the crossing is tangent). At the kink coordinate k
// reaches 0: s* is the root of h(s) = w_k(s) − τ_A(s), τ_A = (Σ_{l∈A} w_l
// − 1)/|A| with A the active set on the side where k is active, and by the
// implicit function theorem
//
//	∂s*/∂c_{n,l} = −sin(nπs*)(δ_kl − [l∈A]/|A|) / ∂_s h.
func kinkDeriv(sp *Sine, j int, s float64) [][]float64 {
	n := sp.Len()
	w, dw, al, v := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	actL, actR := make([]bool, n), make([]bool, n)
	sp.raw(w, dw, j, s)
	tau := project(al, w, v)
	projectDeriv(v, actL, w, dw, tau, -1)
	projectDeriv(v, actR, w, dw, tau, 1)
	k, changes := -1, 0
	for l := range actL {
		if actL[l] != actR[l] {
			k = l
			changes++
		}
	}
	if changes != 1 {
		return nil
	}
	act := actL
	if actR[k] {
		act = actR
	}
	size, mean := 0, 0.0
	for l, a := range act {
		if a {
			size++
			mean += dw[l]
		}
	}
	dsh := dw[k] - mean/float64(size)
	if dsh == 0 {
		return nil
	}
	out := make([][]float64, sp.modes)
	for mode := 1; mode <= sp.modes; mode++ {
		sn := math.Sin(float64(mode) * math.Pi * s)
		d := make([]float64, n)
		for l, a := range act {
			dh := 0.0
			if l == k {
				dh = 1
			}
			if a {
				dh -= 1 / float64(size)
			}
			d[l] = -sn * dh / dsh
		}
		out[mode-1] = d
	}
	return out
}

// CostGrad estimates C of the path f.Path(theta) and writes its exact
// gradient with respect to theta into grad (length f.Dim()). The
// conditional must implement cond.AlphaVJPer. The gradient is that of the
// estimate (fixed draws; nodes fixed on each stretch between kinks and
// moving with the kinks), which is what an optimizer of the estimate
// needs; where a coordinate of the path stays at 0 along a stretch it is
// the one-sided derivative into the simplex (see projectDeriv).
//
// With b_i = Σ_k α̇_k g_k(α, x_i) at a node of weight W,
//
//	∂C/∂α̇_k = W (2/N) Σ_i b_iᵀ g_k(α, x_i),
//	∂C/∂α_m = W (2/N) Σ_i [b_iᵀ ∂_{α_m} G(α, x_i) + (b_iᵀ ∂_x G(α, x_i)) · x_{m,i}],  G = Σ_k α̇_k g_k,
//
// (α enters through the α-input of g and through x(α)), and the chain rule
// through the projection and the sine series gives ∂C/∂θ.
//
// On a ball the path is a BallSine and only the sine series stands
// between θ and α(t); Optimize adds a penalty there that this estimate
// leaves out.
func (e *Estimator) CostGrad(f *Family, theta, grad []float64) (Estimate, error) {
	if err := f.Validate(); err != nil {
		return Estimate{}, err
	}
	if len(theta) != f.Dim() {
		return Estimate{}, fmt.Errorf("pathopt: %d parameters, the family has %d", len(theta), f.Dim())
	}
	if err := e.checkGradCall(len(f.Points[0]), len(grad), f.Dim()); err != nil {
		return Estimate{}, err
	}
	if f.onBall() {
		return e.ballCostGrad(f, theta, grad, 0)
	}
	sp, err := f.sine(theta)
	if err != nil {
		return Estimate{}, err
	}
	nodes := e.familyNodes(f, sp)
	est, ng, fq := e.run(nodes, true)
	n := e.k1
	m := float64(f.pieces())
	dcoef := make([][]float64, f.pieces()*f.Modes)
	for i := range dcoef {
		dcoef[i] = make([]float64, n)
	}
	ga, gv := make([]float64, n), make([]float64, n)
	for q, nd := range nodes {
		copy(ga, ng[q][:n])
		copy(gv, ng[q][n:])
		centerActive(ga, nd.active)
		centerActive(gv, nd.active)
		for mode := 1; mode <= f.Modes; mode++ {
			sn, cs := math.Sincos(float64(mode) * math.Pi * nd.s)
			fv := m * float64(mode) * math.Pi * cs
			dc := dcoef[nd.piece*f.Modes+mode-1]
			for k := range dc {
				dc[k] += sn*ga[k] + fv*gv[k]
			}
		}
	}
	// The nodes move with the kinks: with W = (hi − lo) wq and
	// s = lo + (hi − lo) u, the term W F(s) of a node changes by
	// wq F (∂hi − ∂lo) + W F'(s) ((1 − u) ∂lo + u ∂hi), where
	// W F'(s) = ∂(W F)/∂α · dα/ds + ∂(W F)/∂α̇ · dα̇/ds along the stretch
	// (dα/ds = α̇/m; dα̇/ds = m Π_A(d²w/ds²) with Π_A the centring on the
	// active set, constant on a stretch).
	nk := 0
	for _, k := range sp.kinks {
		nk += len(k)
	}
	if nk > 0 {
		dk := make([]float64, nk) // ∂C/∂s* of every kink
		w, dw, ddw := make([]float64, n), make([]float64, n), make([]float64, n)
		for q, nd := range nodes {
			if nd.kinkLo < 0 && nd.kinkHi < 0 {
				continue
			}
			sp.raw(w, dw, nd.piece, nd.s)
			sp.raw2(ddw, nd.piece, nd.s)
			centerActive(ddw, nd.active)
			fs := 0.0
			for k := 0; k < n; k++ {
				fs += ng[q][k]*nd.alphaDot[k]/m + ng[q][n+k]*m*ddw[k]
			}
			if nd.kinkLo >= 0 {
				dk[nd.kinkLo] += -nd.wq*fq[q] + fs*(1-nd.u)
			}
			if nd.kinkHi >= 0 {
				dk[nd.kinkHi] += nd.wq*fq[q] + fs*nd.u
			}
		}
		i := 0
		for j, kinks := range sp.kinks {
			for _, s := range kinks {
				if ds := kinkDeriv(sp, j, s); ds != nil {
					for mode, d := range ds {
						dc := dcoef[j*f.Modes+mode]
						for l, v := range d {
							dc[l] += dk[i] * v
						}
					}
				}
				i++
			}
		}
	}
	f.pullback(grad, dcoef)
	return est, nil
}

// costWork is one worker's buffers.
type costWork struct {
	x, b, dx []float64
	g        [][]float64
	dalpha   []float64
}

func (e *Estimator) newWork() *costWork {
	nd := e.n * e.d
	w := &costWork{x: make([]float64, nd), b: make([]float64, nd), dx: make([]float64, nd), dalpha: make([]float64, e.k1)}
	w.g = make([][]float64, e.k1)
	for k := range w.g {
		w.g[k] = make([]float64, nd)
	}
	return w
}

// run evaluates the nodes, spread over the workers, and returns the
// estimate and, if grad, for every node ∂C/∂α (K+1 numbers) followed by
// ∂C/∂α̇ (K+1 numbers), all in data units. Per-node results are reduced in
// node order, so the numbers do not depend on the number of workers.
func (e *Estimator) run(nodes []node, grad bool) (Estimate, [][]float64, []float64) {
	y := make([][]float64, len(nodes)) // per node, per draw: |b_i|²
	var g [][]float64
	if grad {
		g = make([][]float64, len(nodes))
	}
	next := make(chan int, len(nodes))
	for q := range nodes {
		next <- q
	}
	close(next)
	var wg sync.WaitGroup
	for range min(e.workers, len(nodes)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := e.pool.Get().(*costWork)
			defer e.pool.Put(w)
			for q := range next {
				y[q] = make([]float64, e.n)
				var gq []float64
				if grad {
					gq = make([]float64, 2*e.k1)
					g[q] = gq
				}
				e.evalNode(w, &nodes[q], y[q], gq)
			}
		}()
	}
	wg.Wait()
	// Y_i = Σ_q W_q |b_qi|²; the estimate is the mean of Y_i.
	yi := make([]float64, e.n)
	for q, nd := range nodes {
		for i, v := range y[q] {
			yi[i] += nd.weight * v
		}
	}
	mean := 0.0
	for _, v := range yi {
		mean += v
	}
	mean /= float64(e.n)
	ss := 0.0
	for _, v := range yi {
		ss += (v - mean) * (v - mean)
	}
	se := math.Sqrt(ss / float64(e.n-1) / float64(e.n))
	for _, gq := range g {
		for k := range gq {
			gq[k] *= e.scale2
		}
	}
	fq := make([]float64, len(nodes))
	for q, yq := range y {
		s := 0.0
		for _, v := range yq {
			s += v
		}
		fq[q] = s / float64(e.n) * e.scale2
	}
	return Estimate{Cost: mean * e.scale2, StdErr: se * e.scale2}, g, fq
}

// evalNode writes |b_i|² of every draw into y and, when grad is not nil,
// ∂C/∂α and ∂C/∂α̇ of this node (model units) into grad.
func (e *Estimator) evalNode(w *costWork, nd *node, y, grad []float64) {
	d := e.d
	clear(w.x)
	for k, a := range nd.alpha {
		if a == 0 {
			continue
		}
		for i, v := range e.draws[k] {
			w.x[i] += a * v
		}
	}
	e.g.Eval(w.g, nd.alpha, w.x)
	clear(w.b)
	for k, v := range nd.alphaDot {
		if v == 0 {
			continue
		}
		for i, gv := range w.g[k] {
			w.b[i] += v * gv
		}
	}
	for i := range y {
		s := 0.0
		for _, v := range w.b[i*d : (i+1)*d] {
			s += v * v
		}
		y[i] = s
	}
	if grad == nil {
		return
	}
	k1 := e.k1
	c := nd.weight * 2 / float64(e.n)
	for k := range k1 {
		s := 0.0
		for i, gv := range w.g[k] {
			s += w.b[i] * gv
		}
		grad[k1+k] = c * s
	}
	e.g.(cond.AlphaVJPer).VJPAlpha(w.dalpha, w.dx, nd.alphaDot, nd.alpha, w.x, w.b)
	for m := range k1 {
		s := 0.0
		for i, v := range e.draws[m] {
			s += w.dx[i] * v
		}
		grad[m] = c * (w.dalpha[m] + s)
	}
}

// checkGradCall checks what CostGrad needs: a family on
// the conditional's k1 marginals, a gradient of the family's dimension and
// a conditional that differentiates with respect to α.
func (e *Estimator) checkGradCall(k1, lenGrad, dim int) error {
	if k1 != e.k1 {
		return fmt.Errorf("pathopt: family on %d marginals, the conditional has %d", k1, e.k1)
	}
	if lenGrad != dim {
		return fmt.Errorf("pathopt: gradient of length %d, the family has %d parameters", lenGrad, dim)
	}
	if _, ok := e.g.(cond.AlphaVJPer); !ok {
		return fmt.Errorf("pathopt: %T cannot differentiate with respect to α (no VJPAlpha method)", e.g)
	}
	return nil
}

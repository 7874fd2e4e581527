package path

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/mmi-go/mmi/cond"
)

// Velocity is the probability-flow velocity field of a path,
//
//	b(t, x) = Σ_k α̇_k(t) g_k(α(t), x) ,
//
// under which the law ρ(α(t), ·) of the interpolant solves the continuity
// equation: integrating dX/dt = b(t, X) from X(0) ~ ρ(α(0)) gives
// X(1) ~ ρ(α(1)).
//
// NFE (number of function evaluations) counts evaluations of b on a whole
// batch: one call of Eval, or one stage of a solver, is one NFE, however many
// rows the batch has and however many goroutines or Conditional calls the
// evaluation is split into. It is the cost unit of the solvers: for a
// network each NFE is one forward pass of the batch.
//
// A Velocity is made only by NewVelocity, which checks the model and the
// path once; its fields are unexported so that no unchecked pair reaches
// the solvers. Use a *Velocity (it holds a counter and a buffer pool) and
// do not copy it after first use.
type Velocity struct {
	g cond.Conditional
	p Path

	nfe  atomic.Int64
	pool sync.Pool // *workspace
}

// NewVelocity returns the velocity field of p under g after checking that
// both are there (a nil pointer inside the interface counts as missing),
// that their sizes agree and that p stays in g's domain (CheckIn with
// cond.DomainOf(g): the simplex for most models, a ball for a model trained
// with the ball domain and for the exact oracles).
func NewVelocity(g cond.Conditional, p Path) (*Velocity, error) {
	if isNil(g) || isNil(p) {
		return nil, fmt.Errorf("path: velocity field without a model or a path")
	}
	v := &Velocity{g: g, p: p}
	if err := v.check(); err != nil {
		return nil, err
	}
	if err := CheckIn(p, cond.DomainOf(g)); err != nil {
		return nil, err
	}
	return v, nil
}

// isNil reports whether x is nil or an interface holding a nil pointer,
// map, slice, function or channel, whose methods would panic later.
func isNil(x any) bool {
	if x == nil {
		return true
	}
	switch r := reflect.ValueOf(x); r.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return r.IsNil()
	}
	return false
}

// Conditional returns the model g of the field.
func (v *Velocity) Conditional() cond.Conditional { return v.g }

// Path returns the path α of the field.
func (v *Velocity) Path() Path { return v.p }

// check reports a Velocity not made by NewVelocity and a size mismatch
// between the path and the model.
func (v *Velocity) check() error {
	if v == nil || v.g == nil || v.p == nil {
		return fmt.Errorf("path: velocity field without a model or a path (use NewVelocity)")
	}
	k1, d := v.g.Sizes()
	if v.p.Len() != k1 {
		return fmt.Errorf("path: path has %d coordinates but the model has %d marginals (K+1)", v.p.Len(), k1)
	}
	if d < 1 {
		return fmt.Errorf("path: model has dimension %d", d)
	}
	return nil
}

// NFE returns the number of batch evaluations of b so far (see Velocity).
func (v *Velocity) NFE() int64 { return v.nfe.Load() }

// ResetNFE sets the evaluation counter to zero.
func (v *Velocity) ResetNFE() { v.nfe.Store(0) }

// Eval writes b(t, x_i) into dst for every row x_i of x (n rows of d
// numbers, row-major; dst has len(x) numbers). At a break of a Piecewise
// path it uses α̇ from the right. It runs on the calling goroutine (the
// integrators split batches across cores themselves), allocates nothing in
// the steady state, and may be called concurrently. It panics if the sizes
// of the path, the model and the slices disagree.
func (v *Velocity) Eval(dst []float64, t float64, x []float64) {
	if err := v.check(); err != nil {
		panic(err)
	}
	k1, d := v.g.Sizes()
	if len(x)%d != 0 || len(dst) != len(x) {
		panic(fmt.Sprintf("path: Velocity.Eval: len(x) = %d, len(dst) = %d, d = %d", len(x), len(dst), d))
	}
	ws, _ := v.pool.Get().(*workspace)
	if ws == nil {
		ws = newWorkspace(k1, d, 0)
	}
	ws.grow(len(x) / d)
	v.p.Alpha(ws.alpha, t)
	v.p.AlphaDot(ws.w, t)
	ws.velocity(v.g, dst, x, ws.alpha, ws.w)
	v.pool.Put(ws)
	v.nfe.Add(1)
}

// maxBlockFloats caps the g buffers of one Conditional call at 2^19 numbers
// (4 MB): a batch is fed to the model in blocks of at most
// 2^19/((K+1)·d) rows (but at least 16), so memory stays bounded for
// MNIST-sized d while blocks stay large enough for efficient matrix
// products.
const maxBlockFloats = 1 << 19

func blockRows(k1, d int) int { return max(16, maxBlockFloats/(k1*d)) }

// workspace is the scratch of one goroutine: the K+1 outputs of one block
// of rows, and vectors for vector–Jacobian products.
type workspace struct {
	k1, d, rows int
	g, hdr      [][]float64
	u, dx       []float64
	alpha, w    []float64
	probes      [][]float64 // views of the Hutchinson probes for one block
}

func newWorkspace(k1, d, rows int) *workspace {
	ws := &workspace{k1: k1, d: d, g: make([][]float64, k1), hdr: make([][]float64, k1),
		alpha: make([]float64, k1), w: make([]float64, k1)}
	ws.grow(rows)
	return ws
}

// grow makes room for blocks of min(n, blockRows) rows.
func (ws *workspace) grow(n int) {
	rows := min(n, blockRows(ws.k1, ws.d))
	if rows <= ws.rows {
		return
	}
	ws.rows = rows
	for k := range ws.g {
		ws.g[k] = make([]float64, rows*ws.d)
	}
	ws.u = make([]float64, rows*ws.d)
	ws.dx = make([]float64, rows*ws.d)
}

// velocity writes Σ_k w_k g_k(alpha, x_i) into dst for the rows of x, block
// by block.
func (ws *workspace) velocity(g cond.Conditional, dst, x, alpha, w []float64) {
	d := ws.d
	for lo := 0; lo < len(x); lo += ws.rows * d {
		hi := min(lo+ws.rows*d, len(x))
		ws.evalBlock(g, dst[lo:hi], x[lo:hi], alpha, w)
	}
}

func (ws *workspace) evalBlock(g cond.Conditional, dst, x, alpha, w []float64) {
	m := len(x)
	for k := range ws.hdr {
		ws.hdr[k] = ws.g[k][:m]
	}
	g.Eval(ws.hdr, alpha, x)
	clear(dst)
	for k, wk := range w {
		if wk == 0 {
			continue
		}
		gk := ws.hdr[k]
		for i := range dst {
			dst[i] += wk * gk[i]
		}
	}
}

// divergence adds to div[i] the divergence ∇·(Σ_k w_k g_k)(x_i) of each row
// of the block x, exactly when probes is nil (one VJP per coordinate with
// the basis vector e_j: the diagonal of the Jacobian), or else Hutchinson's
// estimate (1/M) Σ_m u_mᵀ J u_m with the M probe vectors probes[m] (rows matching x).
func (ws *workspace) divergence(g cond.VJPer, div, x, alpha, w []float64, probes [][]float64) {
	d := ws.d
	m := len(x)
	u, dx := ws.u[:m], ws.dx[:m]
	if probes == nil {
		for j := 0; j < d; j++ {
			clear(u)
			for i := j; i < m; i += d {
				u[i] = 1
			}
			g.VJP(dx, w, alpha, x, u)
			for i := range div {
				div[i] += dx[i*d+j]
			}
		}
		return
	}
	inv := 1 / float64(len(probes))
	for _, pr := range probes {
		g.VJP(dx, w, alpha, x, pr)
		for i := range div {
			s := 0.0
			for j := i * d; j < (i+1)*d; j++ {
				s += dx[j] * pr[j]
			}
			div[i] += inv * s
		}
	}
}

// span is a range of rows.
type span struct{ lo, hi int }

// alignRows is the grain of a team's chunks: they start at multiples of
// it. Models evaluate rows in products of up to 512 rows (gk's
// evalChunk), and a BLAS may round a row differently depending on the
// shape of the product it sits in (OpenBLAS's sgemm does on some CPUs), so
// chunks aligned to 512 put every row at the same place of the same
// product whatever the number of workers. (A block is also well above the
// rows it takes for a goroutine to pay for its synchronization.)
const alignRows = 512

// team runs a function on contiguous chunks of the rows of a batch, one
// chunk per goroutine, with persistent goroutines so that a solver stage
// allocates nothing. The chunks are whole blocks of alignRows rows (the
// last block may be shorter), so every row is computed the same way
// whatever the chunking and results do not depend on the number of
// workers.
type team struct {
	spans []span
	tasks chan int
	done  sync.WaitGroup
	fn    func(c int)
}

func newTeam(n, workers int) *team {
	blocks := (n + alignRows - 1) / alignRows
	w := max(1, min(workers, blocks))
	tm := &team{spans: make([]span, w)}
	for c := range tm.spans {
		tm.spans[c] = span{min(n, c*blocks/w*alignRows), min(n, (c+1)*blocks/w*alignRows)}
	}
	if w > 1 {
		tm.tasks = make(chan int)
		for range w - 1 {
			go func() {
				for c := range tm.tasks {
					tm.fn(c)
					tm.done.Done()
				}
			}()
		}
	}
	return tm
}

// run calls fn(c) for every chunk c and waits for all of them.
func (tm *team) run(fn func(c int)) {
	if len(tm.spans) == 1 {
		fn(0)
		return
	}
	tm.fn = fn
	tm.done.Add(len(tm.spans) - 1)
	for c := 1; c < len(tm.spans); c++ {
		tm.tasks <- c
	}
	fn(0)
	tm.done.Wait()
}

func (tm *team) close() {
	if tm.tasks != nil {
		close(tm.tasks)
	}
}

// evaluator evaluates a velocity field (optionally with its divergence) on
// a fixed batch size, split across a team of goroutines, each with its own
// workspace. It is what the solvers call; it counts NFE and VJPs.
type evaluator struct {
	v      *Velocity
	vjp    cond.VJPer // set when the divergence is wanted
	n, d   int
	team   *team
	ws     []*workspace
	alpha  []float64
	w      []float64
	probes [][]float64 // Hutchinson probes (n×d each), nil for the exact trace

	// arguments of the current call
	x, dst, div []float64

	chunkFn func(int)
	nfe     int // batch evaluations of b
	nvjp    int // batch vector–Jacobian products
}

func newEvaluator(v *Velocity, n, workers int) *evaluator {
	k1, d := v.g.Sizes()
	e := &evaluator{v: v, n: n, d: d, team: newTeam(n, workers),
		alpha: make([]float64, k1), w: make([]float64, k1)}
	for _, s := range e.team.spans {
		e.ws = append(e.ws, newWorkspace(k1, d, s.hi-s.lo))
	}
	e.chunkFn = e.chunk
	return e
}

func (e *evaluator) close() { e.team.close() }

// setTime sets α(t) and w = α̇(t) (from the left if left is set).
func (e *evaluator) setTime(t float64, left bool) {
	e.v.p.Alpha(e.alpha, t)
	if left {
		alphaDotLeft(e.v.p, e.w, t)
	} else {
		e.v.p.AlphaDot(e.w, t)
	}
}

// eval writes Σ_k w_k g_k(α, x_i) into dst with the α and w set by setTime
// (and possibly modified by the caller), and −∇·b into negDiv unless it is
// nil.
func (e *evaluator) eval(dst, x, negDiv []float64) {
	e.x, e.dst, e.div = x, dst, negDiv
	e.team.run(e.chunkFn)
	e.nfe++
	e.v.nfe.Add(1)
	if negDiv != nil {
		if e.probes != nil {
			e.nvjp += len(e.probes)
		} else {
			e.nvjp += e.d
		}
		for i := range negDiv {
			negDiv[i] = -negDiv[i]
		}
	}
}

func (e *evaluator) chunk(c int) {
	s, ws, d := e.team.spans[c], e.ws[c], e.d
	for lo := s.lo; lo < s.hi; lo += ws.rows {
		hi := min(lo+ws.rows, s.hi)
		x := e.x[lo*d : hi*d]
		ws.evalBlock(e.v.g, e.dst[lo*d:hi*d], x, e.alpha, e.w)
		if e.div == nil {
			continue
		}
		div := e.div[lo:hi]
		clear(div)
		var probes [][]float64
		if e.probes != nil {
			probes = ws.probes[:0]
			for _, p := range e.probes {
				probes = append(probes, p[lo*d:hi*d])
			}
			ws.probes = probes
		}
		ws.divergence(e.vjp, div, x, e.alpha, e.w, probes)
	}
}

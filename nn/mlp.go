package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
)

// Float is the element type of a network.
type Float interface{ ~float32 | ~float64 }

// Activation is the nonlinearity applied after every layer but the last.
type Activation int

const (
	// Tanh is tanh z, with tanh' = 1 − tanh².
	Tanh Activation = iota
	// SiLU is z·σ(z) with σ(z) = 1/(1+e^{−z}) (also called swish).
	SiLU
)

// MLP is a fully connected network Sizes[0] → … → Sizes[len-1] with Act
// after every hidden layer and a linear output layer.
//
// Layer l maps a row vector x of Sizes[l] numbers to x·W_l + b_l, W_l
// being Sizes[l] × Sizes[l+1]: a batch of n rows (n × Sizes[l], row-major)
// goes through a layer with one matrix product X·W_l, no transposes and no
// copies. An MLP is only read by Forward and Backward, so goroutines with
// their own Workspace may evaluate it concurrently.
type MLP[T Float] struct {
	Sizes []int
	Act   Activation
	// Params holds every weight and bias in one vector, so that Adam, EMA
	// and checkpoints treat them alike: for each layer l its weight matrix
	// (Sizes[l] × Sizes[l+1], row-major) followed by its bias (Sizes[l+1]).
	Params []T
}

// NewMLP returns a network with weights drawn from r (scaled for act) and
// zero biases.
//
// The weights of layer l are uniform on [−s, s]: Glorot/Xavier,
// s = √(6/(fan_in + fan_out)), for layers followed by tanh and for the
// linear output layer (it keeps the variance of activations and of
// gradients near one through a tanh network); He, s = √(6/fan_in), for
// layers followed by SiLU, which like ReLU halves the variance of its
// input. The weights are drawn in Params order with r.Float64, so the same
// seed gives the same network, in float32 and float64 alike (up to
// rounding). Fewer than two sizes, a size below 1 or an unknown act is a
// programmer error and panics.
func NewMLP[T Float](sizes []int, act Activation, r *rand.Rand) *MLP[T] {
	if len(sizes) < 2 {
		panic("nn: an MLP needs at least two sizes")
	}
	for _, s := range sizes {
		if s < 1 {
			panic("nn: layer sizes must be positive")
		}
	}
	if act != Tanh && act != SiLU {
		panic("nn: unknown activation " + act.String())
	}
	m := &MLP[T]{Sizes: append([]int(nil), sizes...), Act: act}
	m.Params = make([]T, m.NumParams())
	L := len(sizes) - 1
	for l := 0; l < L; l++ {
		fanIn, fanOut := float64(sizes[l]), float64(sizes[l+1])
		s := math.Sqrt(6 / (fanIn + fanOut))
		if act == SiLU && l < L-1 {
			s = math.Sqrt(6 / fanIn)
		}
		w, _ := m.Layer(l)
		for i := range w {
			w[i] = T(s * (2*r.Float64() - 1))
		}
	}
	return m
}

// NumParams returns the number of weights and biases that Sizes implies,
// Σ_l (Sizes[l] + 1)·Sizes[l+1]; len(Params) must equal it.
func (m *MLP[T]) NumParams() int {
	n := 0
	for l := 0; l+1 < len(m.Sizes); l++ {
		n += (m.Sizes[l] + 1) * m.Sizes[l+1]
	}
	return n
}

// Layers returns the number of layers (weight matrices), len(Sizes) − 1.
func (m *MLP[T]) Layers() int { return len(m.Sizes) - 1 }

// In returns the input dimension Sizes[0].
func (m *MLP[T]) In() int { return m.Sizes[0] }

// Out returns the output dimension Sizes[len(Sizes)-1].
func (m *MLP[T]) Out() int { return m.Sizes[len(m.Sizes)-1] }

// offset returns the index in Params of layer l's weights.
func (m *MLP[T]) offset(l int) int {
	o := 0
	for i := 0; i < l; i++ {
		o += (m.Sizes[i] + 1) * m.Sizes[i+1]
	}
	return o
}

// Layer returns views into Params of layer l's weights and bias.
func (m *MLP[T]) Layer(l int) (w, b []T) { return m.layerOf(m.Params, l) }

// layerOf returns the views of layer l in a vector laid out like Params
// (the parameters themselves or a gradient).
func (m *MLP[T]) layerOf(p []T, l int) (w, b []T) {
	if l < 0 || l >= len(m.Sizes)-1 {
		panic("nn: layer index out of range")
	}
	o := m.offset(l)
	nw := m.Sizes[l] * m.Sizes[l+1]
	return p[o : o+nw : o+nw], p[o+nw : o+nw+m.Sizes[l+1] : o+nw+m.Sizes[l+1]]
}

// Clone returns a deep copy of m (for example the EMA of a network).
func (m *MLP[T]) Clone() *MLP[T] {
	return &MLP[T]{
		Sizes:  append([]int(nil), m.Sizes...),
		Act:    m.Act,
		Params: append([]T(nil), m.Params...),
	}
}

// Workspace holds the activations and scratch of batches of up to a fixed
// number of rows. A Workspace is used by one goroutine at a time.
//
// It serves any network with the same Sizes and Act as the one that made
// it (a clone or the EMA of a network, say).
type Workspace[T Float] struct {
	sizes []int
	act   Activation
	rows  int
	// n and in are the batch of the last Forward (n < 0 before any).
	n  int
	in []T
	// a[l] holds layer l's output, rows × Sizes[l+1]: act(z) for hidden
	// layers, z itself for the output layer.
	a [][]T
	// s[l] holds σ(z) of hidden layer l, for SiLU only.
	s [][]T
	// d holds two rows × (widest hidden layer) buffers for the
	// back-propagated δ, used alternately.
	d [2][]T
	// ones is the vector of ones of the bias gradient's Gemv.
	ones []T
	// job holds the arguments of the elementwise passes run in parallel.
	job *actJob[T]
	// xT holds the transpose of a layer's input for the weight gradient,
	// with gonum's pure-Go BLAS only (see nativeBLAS).
	xT []T
	// parts is the number of blocks of the last Forward (see mlpParts);
	// split the context of their goroutines.
	parts int
	split *mlpJob[T]
}

// mlpJob is the context of a Forward or Backward split into blocks.
type mlpJob[T Float] struct {
	m       *MLP[T]
	ws      *Workspace[T]
	d, grad []T // Backward: δ of the current layer (all rows), ∂L/∂Params
	dIn     []T
	l       int // Backward: the current layer
	beta    T   // Backward: 1 adds to grad, 0 overwrites it
	next    []T // Backward: δ of the layer below
	wg      sync.WaitGroup
	fwd     rangeFunc
	wgrad   rangeFunc
	delta   rangeFunc
}

// minSplitRows is the fewest rows of a block when a batch is split: below
// it the products get too thin for BLAS to run near its speed.
const minSplitRows = 32

// mlpParts is the number of row blocks a batch of n rows is split into:
// GOMAXPROCS with a native BLAS on one thread (each block's products on
// its own core, like the convolutions' images), one otherwise. OpenBLAS
// on two threads runs the products of a batch of 128 at 1.2× the speed of
// one thread; two blocks on one thread each run close to 2×
// (gk/ARCHITECTURE.md, "Speed").
func mlpParts(n int) int {
	if !singleThreadBLAS() {
		return 1
	}
	return max(1, min(runtime.GOMAXPROCS(0), n/minSplitRows))
}

// NewWorkspace returns a workspace for batches of up to rows rows.
func (m *MLP[T]) NewWorkspace(rows int) *Workspace[T] {
	if rows < 1 {
		panic("nn: workspace needs at least one row")
	}
	L := len(m.Sizes) - 1
	ws := &Workspace[T]{
		sizes: append([]int(nil), m.Sizes...),
		act:   m.Act,
		rows:  rows,
		n:     -1,
		a:     make([][]T, L),
		ones:  make([]T, rows),
		job:   newActJob[T](),
		split: &mlpJob[T]{fwd: mlpForwardPart[T], wgrad: mlpWeightGradPart[T], delta: mlpDeltaPart[T]},
	}
	wide := 0
	for l := 0; l < L; l++ {
		ws.a[l] = make([]T, rows*m.Sizes[l+1])
		if l < L-1 {
			wide = max(wide, m.Sizes[l+1])
		}
	}
	if m.Act == SiLU {
		ws.s = make([][]T, L-1)
		for l := range ws.s {
			ws.s[l] = make([]T, rows*m.Sizes[l+1])
		}
	}
	if nativeBLAS[T]() {
		ws.xT = make([]T, rows*max(wide, m.Sizes[0]))
	}
	ws.d[0] = make([]T, rows*wide)
	ws.d[1] = make([]T, rows*wide)
	for i := range ws.ones {
		ws.ones[i] = 1
	}
	return ws
}

// Rows returns the largest batch the workspace holds.
func (ws *Workspace[T]) Rows() int { return ws.rows }

// check panics unless ws was made for a network shaped like m.
func (m *MLP[T]) check(ws *Workspace[T]) {
	if len(m.Params) != m.NumParams() {
		panic("nn: len(Params) does not match Sizes")
	}
	if m.Act != ws.act || len(m.Sizes) != len(ws.sizes) {
		panic("nn: workspace made for another network shape")
	}
	for i, s := range m.Sizes {
		if ws.sizes[i] != s {
			panic("nn: workspace made for another network shape")
		}
	}
}

// Forward evaluates the network on n rows of in (n × Sizes[0], row-major)
// and returns the n × Sizes[len-1] outputs, a view into ws valid until the
// next call with ws.
//
// Each layer is one Gemm Z = X·W into the workspace followed by one fused
// pass Z ← act(Z + 1·bᵀ). ws keeps every layer's output and a reference to
// in for Backward, so in must not change until Backward is done.
func (m *MLP[T]) Forward(ws *Workspace[T], in []T, n int) []T {
	m.check(ws)
	if n < 0 || n > ws.rows {
		panic("nn: batch larger than the workspace")
	}
	if len(in) < n*m.Sizes[0] {
		panic("nn: input shorter than n rows")
	}
	x := in[:n*m.Sizes[0]]
	ws.in, ws.n = x, n
	L := len(m.Sizes) - 1
	if ws.parts = mlpParts(n); ws.parts > 1 {
		j := ws.split
		j.m, j.ws = m, ws
		parallelFor(ws.parts, 1, j.fwd, j, &j.wg)
		j.m, j.ws = nil, nil
		return ws.a[L-1][:n*m.Sizes[L]]
	}
	for l := 0; l < L; l++ {
		din, dout := m.Sizes[l], m.Sizes[l+1]
		w, b := m.Layer(l)
		z := ws.a[l][:n*dout]
		gemm(blas.NoTrans, blas.NoTrans, n, dout, din, 1, x, din, w, dout, 0, z, dout)
		var s []T
		if l < L-1 && ws.s != nil {
			s = ws.s[l]
		}
		ws.job.biasAct(m.Act, l == L-1, z, s, b, n)
		x = z
	}
	return x
}

// Backward follows a Forward with the same ws. Given dOut = ∂L/∂out
// (n × Sizes[len-1]) it adds ∂L/∂Params into grad when grad is not nil, and
// writes ∂L/∂in (n × Sizes[0]) into dIn when dIn is not nil.
//
// With δ_L = dOut and a_{−1} = in, for l = L−1 … 0:
//
//	∂L/∂W_l += a_{l−1}ᵀ·δ_l      (one Gemm)
//	∂L/∂b_l += δ_lᵀ·1            (one Gemv: column sums)
//	δ_{l−1}  = (δ_l·W_lᵀ) ⊙ act'(z_{l−1})
//
// and dIn = δ_0·W_0ᵀ, computed only when asked for. Backward leaves ws's
// activations as Forward left them, so it may be called again (say with
// another dOut) after the same Forward. grad being added to, not
// overwritten, lets gradients accumulate over batches; clear it first
// (ZeroGrad) for a fresh one, or call BackwardFresh.
func (m *MLP[T]) Backward(ws *Workspace[T], dOut, grad, dIn []T) { m.backward(ws, dOut, grad, dIn, 1) }

// BackwardFresh is Backward that overwrites grad with ∂L/∂Params instead of
// adding to it: ZeroGrad followed by Backward, with the same bits, without
// the separate pass that clears grad (the products write their result with
// β = 0 instead of adding it to zeros). A training step's gradient is
// fresh every time, and on a large network the clearing pass cost a few
// per cent of the step.
func (m *MLP[T]) BackwardFresh(ws *Workspace[T], dOut, grad, dIn []T) {
	m.backward(ws, dOut, grad, dIn, 0)
}

// backward is Backward with grad ← β·grad + ∂L/∂Params, β ∈ {0, 1}.
func (m *MLP[T]) backward(ws *Workspace[T], dOut, grad, dIn []T, beta T) {
	m.check(ws)
	n := ws.n
	if n < 0 {
		panic("nn: Backward before Forward")
	}
	L := len(m.Sizes) - 1
	if len(dOut) < n*m.Sizes[L] {
		panic("nn: dOut shorter than n rows")
	}
	if grad != nil && len(grad) != len(m.Params) {
		panic("nn: len(grad) != len(Params)")
	}
	if dIn != nil && len(dIn) < n*m.Sizes[0] {
		panic("nn: dIn shorter than n rows")
	}
	if grad == nil && dIn == nil {
		return
	}
	if ws.parts > 1 {
		m.backwardSplit(ws, dOut[:n*m.Sizes[L]], grad, dIn, beta)
		return
	}
	d := dOut[:n*m.Sizes[L]]
	buf := 0
	for l := L - 1; l >= 0; l-- {
		din, dout := m.Sizes[l], m.Sizes[l+1]
		x := ws.in
		if l > 0 {
			x = ws.a[l-1][:n*din]
		}
		w, _ := m.Layer(l)
		if grad != nil {
			gw, gb := m.layerOf(grad, l)
			if ws.xT != nil && n > 1 && nativeBLAS[T]() {
				xT := ws.xT[:n*din]
				transpose(xT, x, n, din)
				gemm(blas.NoTrans, blas.NoTrans, din, dout, n, 1, xT, n, d, dout, beta, gw, dout)
			} else {
				gemm(blas.Trans, blas.NoTrans, din, dout, n, 1, x, din, d, dout, beta, gw, dout)
			}
			gemv(blas.Trans, n, dout, 1, d, dout, ws.ones[:n], beta, gb) // column sums
		}
		if l == 0 {
			if dIn != nil {
				gemm(blas.NoTrans, blas.Trans, n, din, dout, 1, d, dout, w, dout, 0, dIn[:n*din], din)
			}
			break
		}
		next := ws.d[buf][:n*din]
		buf ^= 1
		gemm(blas.NoTrans, blas.Trans, n, din, dout, 1, d, dout, w, dout, 0, next, din)
		var s []T
		if ws.s != nil {
			s = ws.s[l-1]
		}
		ws.job.mulDeriv(m.Act, next, x, s)
		d = next
	}
}

// ZeroGrad sets every element of grad to zero (before a Backward that
// should start a fresh gradient).
func ZeroGrad[T Float](grad []T) { clear(grad) }

// The split passes. Forward: block p of a batch of n rows is rows
// [p·n/parts, (p+1)·n/parts), run through every layer by its own goroutine
// with its own products (BLAS on one thread). Backward goes layer by layer:
// the weight and bias gradients of layer l are split by output columns
// (block p takes columns [p·m/parts, (p+1)·m/parts) of the m outputs, over
// all rows: every gradient entry is computed once, by one product, as
// without the split), then δ of the layer below by row blocks.

func blockRows(p, parts, n int) (int, int) { return p * n / parts, (p + 1) * n / parts }

func mlpForwardPart[T Float](ctx any, lo, hi int) {
	j := ctx.(*mlpJob[T])
	m, ws := j.m, j.ws
	L := len(m.Sizes) - 1
	for p := lo; p < hi; p++ {
		r0, r1 := blockRows(p, ws.parts, ws.n)
		x := ws.in[r0*m.Sizes[0] : r1*m.Sizes[0]]
		for l := 0; l < L; l++ {
			din, dout := m.Sizes[l], m.Sizes[l+1]
			w, b := m.Layer(l)
			z := ws.a[l][r0*dout : r1*dout]
			gemm(blas.NoTrans, blas.NoTrans, r1-r0, dout, din, 1, x, din, w, dout, 0, z, dout)
			var s []T
			if l < L-1 && ws.s != nil {
				s = ws.s[l][r0*dout : r1*dout]
			}
			biasActRows(m.Act, l == L-1, z, s, b, 0, r1-r0)
			x = z
		}
	}
}

func (m *MLP[T]) backwardSplit(ws *Workspace[T], dOut, grad, dIn []T, beta T) {
	j := ws.split
	j.m, j.ws, j.d, j.grad, j.dIn, j.beta = m, ws, dOut, grad, dIn, beta
	L := len(m.Sizes) - 1
	buf := 0
	for l := L - 1; l >= 0; l-- {
		j.l = l
		if grad != nil {
			parallelFor(ws.parts, 1, j.wgrad, j, &j.wg)
		}
		if l == 0 {
			if dIn == nil {
				break
			}
			j.next = dIn[:ws.n*m.Sizes[0]]
		} else {
			j.next = ws.d[buf][:ws.n*m.Sizes[l]]
			buf ^= 1
		}
		parallelFor(ws.parts, 1, j.delta, j, &j.wg)
		j.d = j.next
	}
	j.m, j.ws, j.d, j.grad, j.dIn, j.next = nil, nil, nil, nil, nil, nil
}

// mlpWeightGradPart adds ∂L/∂W_l and ∂L/∂b_l for the output columns of
// blocks [lo, hi).
func mlpWeightGradPart[T Float](ctx any, lo, hi int) {
	j := ctx.(*mlpJob[T])
	m, ws, l, n := j.m, j.ws, j.l, j.ws.n
	din, dout := m.Sizes[l], m.Sizes[l+1]
	x := ws.in
	if l > 0 {
		x = ws.a[l-1][:n*din]
	}
	gw, gb := m.layerOf(j.grad, l)
	for p := lo; p < hi; p++ {
		c0, c1 := blockRows(p, ws.parts, dout)
		if c1 == c0 {
			continue
		}
		gemm(blas.Trans, blas.NoTrans, din, c1-c0, n, 1, x, din, j.d[c0:], dout, j.beta, gw[c0:], dout)
		gemv(blas.Trans, n, c1-c0, 1, j.d[c0:], dout, ws.ones[:n], j.beta, gb[c0:c1])
	}
}

// mlpDeltaPart writes δ of layer l − 1 (or ∂L/∂in) for the row blocks
// [lo, hi).
func mlpDeltaPart[T Float](ctx any, lo, hi int) {
	j := ctx.(*mlpJob[T])
	m, ws, l := j.m, j.ws, j.l
	din, dout := m.Sizes[l], m.Sizes[l+1]
	w, _ := m.Layer(l)
	for p := lo; p < hi; p++ {
		r0, r1 := blockRows(p, ws.parts, ws.n)
		next := j.next[r0*din : r1*din]
		gemm(blas.NoTrans, blas.Trans, r1-r0, din, dout, 1, j.d[r0*dout:r1*dout], dout, w, dout, 0, next, din)
		if l == 0 {
			continue // ∂L/∂in: no activation below
		}
		var s []T
		if ws.s != nil {
			s = ws.s[l-1][r0*din : r1*din]
		}
		mulDerivRange(m.Act, next, ws.a[l-1][r0*din:r1*din], s, 0, len(next))
	}
}

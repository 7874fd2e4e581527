package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// UNetSpec describes a conditioned U-Net on H×W images of C channels.
//
// The network maps a batch of images (NHWC, n×H×W×C) and a conditioning
// vector per image (n×Cond; gk feeds the Fourier features of α) to n
// images of Out channels at the same resolution:
//
//	h = conv3(x)                                      C → Widths[0]
//	for each level l: h = Res(h) → Widths[l], Blocks times; keep h; 2×2 average pool (not after the last)
//	h = Res(h)                                        the middle block
//	for each level l, deepest first: h = Res(concat(h, kept_l)) → Widths[l], then Res(h) Blocks − 1 times;
//	    nearest 2× upsampling (not after level 0)
//	out = conv3(NormAct(h))                           Widths[0] → Out
//
// Res(x) → c is x' + conv3(NormAct(conv3(NormAct(x)))), x' = x when the
// channels agree and a 1×1 convolution of x otherwise (He et al.'s
// pre-activation block as in the DDPM U-Net). NormAct is GroupNorm
// followed by a scale and a shift per image and channel that the
// conditioning sets, then SiLU:
//
//	NormAct(x) = silu(GN(x)·(1 + s) + t),  (s, t) = E(cond) ,
//
// E a SiLU MLP Cond → Embed → Embed → 2·Σ channels whose last layer
// starts at zero (every block starts unconditioned, with unit scale). The
// constant part of E's output plays the role of GroupNorm's own affine
// parameters. The second convolution of every block starts at zero, so
// the network starts as a chain of identities around the outer
// convolutions.
type UNetSpec struct {
	H, W, C int
	// Cond is the number of conditioning inputs per image (≥ 1).
	Cond int
	// Out is the number of output channels.
	Out int
	// Widths lists the channels of each level, finest first; the images
	// are halved len(Widths) − 1 times, so H and W must be divisible by
	// 2^(len(Widths)−1).
	Widths []int
	// Embed is the width of the conditioning MLP.
	Embed int
	// Groups is the number of GroupNorm groups; a layer of c channels uses
	// the largest divisor of c that is at most Groups.
	Groups int
	// Blocks is the number of residual blocks per level on each side of
	// the U (0 means 1).
	Blocks int
}

// MaxUNetBlocks bounds UNetSpec.Blocks.
const MaxUNetBlocks = 8

// blocks returns the residual blocks per level on each side.
func (s UNetSpec) blocks() int { return max(s.Blocks, 1) }

// maxUNetChannels bounds the channels of a normalized layer, twice a
// level's width (a concatenation), and so the per-channel buffers that the
// normalization passes keep on the stack.
const maxUNetChannels = 1024

// maxGroups bounds UNetSpec.Groups.
const maxGroups = 64

// Validate reports whether the spec describes a network.
func (s UNetSpec) Validate() error {
	if s.H < 1 || s.W < 1 || s.C < 1 || s.Cond < 1 || s.Out < 1 || s.Embed < 1 {
		return fmt.Errorf("nn: U-Net sizes H %d, W %d, C %d, Cond %d, Out %d, Embed %d must be positive", s.H, s.W, s.C, s.Cond, s.Out, s.Embed)
	}
	if s.Groups < 1 || s.Groups > maxGroups {
		return fmt.Errorf("nn: U-Net with %d groups, need 1 to %d", s.Groups, maxGroups)
	}
	if s.Blocks < 0 || s.Blocks > MaxUNetBlocks {
		return fmt.Errorf("nn: U-Net with %d blocks per level, need 1 to %d", s.Blocks, MaxUNetBlocks)
	}
	if len(s.Widths) < 1 || len(s.Widths) > 8 {
		return fmt.Errorf("nn: U-Net with %d levels, need 1 to 8", len(s.Widths))
	}
	for _, w := range s.Widths {
		if w < 1 || w > maxUNetChannels/2 {
			return fmt.Errorf("nn: U-Net level of %d channels, need 1 to %d", w, maxUNetChannels/2)
		}
	}
	if f := 1 << (len(s.Widths) - 1); s.H%f != 0 || s.W%f != 0 {
		return fmt.Errorf("nn: a %d-level U-Net needs H and W divisible by %d, got %d×%d", len(s.Widths), f, s.H, s.W)
	}
	return nil
}

type unetOpKind int

const (
	opConv unetOpKind = iota
	opNormAct
	opAdd
	opPool
	opUp
	opCat
)

// unetOp is one node of the network's graph; in, in2 and out index its
// tensors.
type unetOp struct {
	kind         unetOpKind
	in, in2, out int
	conv         Conv2D
	p            int // offset of a convolution's parameters in Params
	norm         int // index of a NormAct's scratch
	film         int // offset of a NormAct's scale and shift in E's output
	groups       int
}

// unetTensor is the shape of one image-valued tensor of the graph.
type unetTensor struct{ h, w, c int }

func (t unetTensor) size() int { return t.h * t.w * t.c }

// UNet is a network of UNetSpec. Params holds every weight and bias: the
// conditioning MLP's first, then the convolutions' in graph order. A UNet
// is only read by Forward and Backward, so goroutines with their own
// workspaces may evaluate it concurrently.
type UNet[T Float] struct {
	Spec   UNetSpec
	Params []T

	emb     *MLP[T] // a view into Params
	ops     []unetOp
	tensors []unetTensor
	film    int // 2·Σ channels of the NormActs: E's output width
	norms   int
}

// NewUNet returns a network of spec s with weights drawn from r:
// convolutions uniform on ±1/√fan_in (PyTorch's default), the second
// convolution of each block and E's last layer zero. An invalid spec is a
// programmer error and panics (check it with Validate).
func NewUNet[T Float](s UNetSpec, r *rand.Rand) *UNet[T] {
	if err := s.Validate(); err != nil {
		panic(err.Error())
	}
	u := &UNet[T]{Spec: s}
	u.Spec.Widths = append([]int(nil), s.Widths...)
	zero := u.build()
	u.Params = make([]T, u.NumParams())
	u.bind()
	// E: Glorot/He as an MLP, then its output layer zeroed.
	e := NewMLP[T](u.emb.Sizes, SiLU, r)
	copy(u.emb.Params, e.Params)
	w, b := u.emb.Layer(u.emb.Layers() - 1)
	clear(w)
	clear(b)
	for i, op := range u.ops {
		if op.kind != opConv {
			continue
		}
		p := u.Params[op.p : op.p+op.conv.NumParams()]
		if zero[i] {
			continue
		}
		bound := 1 / math.Sqrt(float64(op.conv.colWidth()))
		for j := range p {
			p[j] = T(bound * (2*r.Float64() - 1))
		}
	}
	return u
}

// NumParams returns the number of weights and biases.
func (u *UNet[T]) NumParams() int {
	n := mlpParams(u.embSizes())
	for _, op := range u.ops {
		if op.kind == opConv {
			n += op.conv.NumParams()
		}
	}
	return n
}

// UNetParams returns the number of parameters of a network of spec s
// without building one (for checking a checkpoint's size before
// allocating); s must be valid.
func UNetParams(s UNetSpec) int {
	u := &UNet[float32]{Spec: s}
	u.build()
	return u.NumParams()
}

// UNetRowNumbers returns how many numbers a workspace of spec s holds per
// image (activations, their gradients and the normalization's scratch),
// for bounding memory before allocating; s must be valid.
func UNetRowNumbers(s UNetSpec) int {
	u := &UNet[float32]{Spec: s}
	u.build()
	n := 2 * u.film
	for _, t := range u.tensors {
		n += 2 * t.size()
	}
	for _, op := range u.ops {
		if op.kind == opNormAct {
			n += u.tensors[op.in].size() + 2*op.groups
		}
	}
	return n
}

func mlpParams(sizes []int) int {
	n := 0
	for l := 0; l+1 < len(sizes); l++ {
		n += (sizes[l] + 1) * sizes[l+1]
	}
	return n
}

func (u *UNet[T]) embSizes() []int {
	return []int{u.Spec.Cond, u.Spec.Embed, u.Spec.Embed, u.film}
}

// bind points the conditioning MLP at the front of Params.
func (u *UNet[T]) bind() {
	sizes := u.embSizes()
	n := mlpParams(sizes)
	u.emb = &MLP[T]{Sizes: sizes, Act: SiLU, Params: u.Params[:n:n]}
}

// build lays out the graph, the tensors and the parameter offsets; it
// returns which ops are zero-initialized convolutions.
func (u *UNet[T]) build() (zero map[int]bool) {
	s := u.Spec
	u.ops, u.tensors, u.film, u.norms = nil, nil, 0, 0
	zero = map[int]bool{}
	p := 0 // parameter offsets of the convolutions, shifted by E's below
	tensor := func(h, w, c int) int {
		u.tensors = append(u.tensors, unetTensor{h, w, c})
		return len(u.tensors) - 1
	}
	conv := func(in, out, k int, z bool) int {
		t := u.tensors[in]
		o := tensor(t.h, t.w, out)
		c := Conv2D{H: t.h, W: t.w, In: t.c, Out: out, K: k}
		if z {
			zero[len(u.ops)] = true
		}
		u.ops = append(u.ops, unetOp{kind: opConv, in: in, out: o, conv: c, p: p})
		p += c.NumParams()
		return o
	}
	normAct := func(in int) int {
		t := u.tensors[in]
		o := tensor(t.h, t.w, t.c)
		g := min(s.Groups, t.c)
		for t.c%g != 0 {
			g--
		}
		u.ops = append(u.ops, unetOp{kind: opNormAct, in: in, out: o, norm: u.norms, film: u.film, groups: g})
		u.norms++
		u.film += 2 * t.c
		return o
	}
	binary := func(kind unetOpKind, a, b int) int {
		ta, tb := u.tensors[a], u.tensors[b]
		c := ta.c
		if kind == opCat {
			c += tb.c
		}
		o := tensor(ta.h, ta.w, c)
		u.ops = append(u.ops, unetOp{kind: kind, in: a, in2: b, out: o})
		return o
	}
	resample := func(kind unetOpKind, in int) int {
		t := u.tensors[in]
		o := 0
		if kind == opPool {
			o = tensor(t.h/2, t.w/2, t.c)
		} else {
			o = tensor(2*t.h, 2*t.w, t.c)
		}
		u.ops = append(u.ops, unetOp{kind: kind, in: in, out: o})
		return o
	}
	res := func(x, c int) int {
		h := conv(normAct(x), c, 3, false)
		h = conv(normAct(h), c, 3, true)
		sk := x
		if u.tensors[x].c != c {
			sk = conv(x, c, 1, false)
		}
		return binary(opAdd, h, sk)
	}
	x := tensor(s.H, s.W, s.C)
	h := conv(x, s.Widths[0], 3, false)
	L := len(s.Widths)
	kept := make([]int, L)
	for l := 0; l < L; l++ {
		for range s.blocks() {
			h = res(h, s.Widths[l])
		}
		kept[l] = h
		if l < L-1 {
			h = resample(opPool, h)
		}
	}
	h = res(h, s.Widths[L-1])
	for l := L - 1; l >= 0; l-- {
		h = res(binary(opCat, h, kept[l]), s.Widths[l])
		for range s.blocks() - 1 {
			h = res(h, s.Widths[l])
		}
		if l > 0 {
			h = resample(opUp, h)
		}
	}
	conv(normAct(h), s.Out, 3, false)
	off := mlpParams(u.embSizes())
	for i := range u.ops {
		u.ops[i].p += off
	}
	return zero
}

// Clone returns a deep copy of u.
func (u *UNet[T]) Clone() *UNet[T] {
	c := &UNet[T]{Spec: u.Spec}
	c.Spec.Widths = append([]int(nil), u.Spec.Widths...)
	c.build()
	c.Params = append([]T(nil), u.Params...)
	c.bind()
	return c
}

// Flops returns the floating-point operations of the convolutions and of
// E in a training step on n images (forward, weight gradients and input
// gradients of every layer but the first), two per multiply-add.
func (u *UNet[T]) Flops(n int) float64 {
	f := 0.0
	for i, op := range u.ops {
		if op.kind != opConv {
			continue
		}
		c := op.conv
		one := 2 * float64(n) * float64(c.H*c.W) * float64(c.colWidth()) * float64(c.Out)
		f += 2 * one
		if i > 0 {
			f += one
		}
	}
	sz := u.embSizes()
	for l := 0; l+1 < len(sz); l++ {
		f += 6 * float64(n) * float64(sz[l]) * float64(sz[l+1])
	}
	return f
}

// UNetWorkspace holds the activations and scratch of batches of up to a
// fixed number of images, for one goroutine at a time; it serves any
// network of the same spec.
type UNetWorkspace[T Float] struct {
	spec UNetSpec
	rows int
	n    int
	val  [][]T // per tensor: rows × size; val[0] is the caller's input
	grad [][]T // per tensor, for Backward
	sig  [][]T // per NormAct: σ(z) of the forward pass (z the SiLU's input)
	mean [][]T // per NormAct: rows × groups
	rstd [][]T // per NormAct: rows × groups
	film []T   // E's output of the last Forward
	dfil []T   // rows × film: ∂L/∂(s, t)
	emb  *Workspace[T]
	conv *ConvScratch[T]
	job  *unetJob[T]
}

// convChunk is the target size of a convolution's gathered rows: about
// one 28×28 image per product at 32 channels (784 rows, enough for BLAS),
// 1 MB in float32, so that the rows a gathering writes are still in the
// core's L2 cache when the product reads them. Chunks of 2^21 numbers
// (8 MB, a few images) made the step 1.3× slower (gk/ARCHITECTURE.md,
// "U-Net").
const convChunk = 1 << 18

// NewWorkspace returns a workspace for up to rows images.
func (u *UNet[T]) NewWorkspace(rows int) *UNetWorkspace[T] {
	if rows < 1 {
		panic("nn: workspace needs at least one row")
	}
	ws := &UNetWorkspace[T]{spec: u.Spec, rows: rows, n: -1, job: newUNetJob[T]()}
	ws.spec.Widths = append([]int(nil), u.Spec.Widths...)
	ws.val = make([][]T, len(u.tensors))
	ws.grad = make([][]T, len(u.tensors))
	for i, t := range u.tensors {
		if i > 0 {
			ws.val[i] = make([]T, rows*t.size())
		}
		ws.grad[i] = make([]T, rows*t.size())
	}
	ws.sig = make([][]T, u.norms)
	ws.mean = make([][]T, u.norms)
	ws.rstd = make([][]T, u.norms)
	col := 0
	for _, op := range u.ops {
		switch op.kind {
		case opNormAct:
			ws.sig[op.norm] = make([]T, rows*u.tensors[op.in].size())
			ws.mean[op.norm] = make([]T, rows*op.groups)
			ws.rstd[op.norm] = make([]T, rows*op.groups)
		case opConv:
			col = max(col, op.conv.ColLen(1))
		}
	}
	images := min(rows, max(1, convChunk/max(col, 1)))
	ws.conv = NewConvScratch[T](col * images)
	ws.dfil = make([]T, rows*u.film)
	ws.emb = u.emb.NewWorkspace(rows)
	return ws
}

func (u *UNet[T]) check(ws *UNetWorkspace[T]) {
	if len(u.Params) != u.NumParams() {
		panic("nn: len(Params) does not match the U-Net's spec")
	}
	s, t := u.Spec, ws.spec
	same := s.H == t.H && s.W == t.W && s.C == t.C && s.Cond == t.Cond && s.Out == t.Out && s.Embed == t.Embed && s.Groups == t.Groups && len(s.Widths) == len(t.Widths)
	for i := 0; same && i < len(s.Widths); i++ {
		same = s.Widths[i] == t.Widths[i]
	}
	if !same {
		panic("nn: workspace made for another U-Net")
	}
}

// Forward evaluates the network on n images img (n×H×W×C) with
// conditioning cond (n×Cond) and returns the n×H×W×Out outputs, a view
// into ws valid until the next call. img and cond must not change until
// Backward is done.
func (u *UNet[T]) Forward(ws *UNetWorkspace[T], img, cond []T, n int) []T {
	u.check(ws)
	s := u.Spec
	d := s.H * s.W * s.C
	if n < 0 || n > ws.rows {
		panic("nn: batch larger than the workspace")
	}
	if len(img) < n*d || len(cond) < n*s.Cond {
		panic("nn: U-Net input shorter than n images")
	}
	ws.n = n
	ws.val[0] = img[:n*d]
	ws.film = u.emb.Forward(ws.emb, cond[:n*s.Cond], n)
	for _, op := range u.ops {
		u.forwardOp(ws, op, n)
	}
	last := u.ops[len(u.ops)-1].out
	return ws.val[last][:n*u.tensors[last].size()]
}

func (u *UNet[T]) forwardOp(ws *UNetWorkspace[T], op unetOp, n int) {
	tin, tout := u.tensors[op.in], u.tensors[op.out]
	in, out := ws.val[op.in][:n*tin.size()], ws.val[op.out][:n*tout.size()]
	switch op.kind {
	case opConv:
		ConvForward(op.conv, u.Params[op.p:op.p+op.conv.NumParams()], in, out, n, ws.conv)
	case opNormAct:
		j := ws.job
		j.t, j.x, j.out, j.sig, j.mean, j.rstd, j.film, j.filmW, j.off, j.groups = tin, in, out, ws.sig[op.norm], ws.mean[op.norm], ws.rstd[op.norm], ws.film, u.film, op.film, op.groups
		j.run(n, j.fwd)
	default:
		ws.job.elem(u, ws, op, n, false)
	}
}

// Backward follows a Forward with the same ws. Given dOut = ∂L/∂out it
// adds ∂L/∂Params into grad when grad is not nil and writes ∂L/∂img into
// dImg and ∂L/∂cond into dCond when they are not nil. The activations of
// ws are left as Forward left them.
func (u *UNet[T]) Backward(ws *UNetWorkspace[T], dOut, grad, dImg, dCond []T) {
	u.check(ws)
	n := ws.n
	if n < 0 {
		panic("nn: Backward before Forward")
	}
	s := u.Spec
	d := s.H * s.W * s.C
	last := u.ops[len(u.ops)-1].out
	if len(dOut) < n*u.tensors[last].size() || (grad != nil && len(grad) != len(u.Params)) ||
		(dImg != nil && len(dImg) < n*d) || (dCond != nil && len(dCond) < n*s.Cond) {
		panic("nn: U-Net Backward buffers too short")
	}
	if grad == nil && dImg == nil && dCond == nil {
		return
	}
	ws.job.clearGrads(u, ws, n, last)
	copy(ws.grad[last], dOut[:n*u.tensors[last].size()])
	clear(ws.dfil[:n*u.film])
	for i := len(u.ops) - 1; i >= 0; i-- {
		u.backwardOp(ws, u.ops[i], n, grad, i == 0 && dImg == nil)
	}
	var gEmb []T
	if grad != nil {
		gEmb = grad[:len(u.emb.Params)]
	}
	u.emb.Backward(ws.emb, ws.dfil[:n*u.film], gEmb, dCond)
	if dImg != nil {
		copy(dImg[:n*d], ws.grad[0][:n*d])
	}
}

func (u *UNet[T]) backwardOp(ws *UNetWorkspace[T], op unetOp, n int, grad []T, noIn bool) {
	tin, tout := u.tensors[op.in], u.tensors[op.out]
	in, dIn := ws.val[op.in][:n*tin.size()], ws.grad[op.in][:n*tin.size()]
	dOut := ws.grad[op.out][:n*tout.size()]
	switch op.kind {
	case opConv:
		np := op.conv.NumParams()
		var g []T
		if grad != nil {
			g = grad[op.p : op.p+np]
		}
		if noIn {
			dIn = nil
		}
		ConvBackward(op.conv, u.Params[op.p:op.p+np], in, dOut, g, dIn, n, ws.conv)
	case opNormAct:
		j := ws.job
		j.t, j.x, j.dx, j.out, j.sig, j.mean, j.rstd, j.film, j.filmW, j.off, j.groups = tin, in, dIn, dOut, ws.sig[op.norm], ws.mean[op.norm], ws.rstd[op.norm], ws.film, u.film, op.film, op.groups
		j.dfilm = ws.dfil
		j.run(n, j.bwd)
	default:
		ws.job.elem(u, ws, op, n, true)
	}
}

// elemRange runs the forward (back false) or backward pass of the
// elementwise op (add, pool, upsample, concatenate) on images [lo, hi).
func (u *UNet[T]) elemRange(ws *UNetWorkspace[T], op unetOp, lo, hi int, back bool) {
	tin, tout := u.tensors[op.in], u.tensors[op.out]
	si, so := tin.size(), tout.size()
	in, out := ws.val[op.in][lo*si:hi*si], ws.val[op.out][lo*so:hi*so]
	dIn, dOut := ws.grad[op.in][lo*si:hi*si], ws.grad[op.out][lo*so:hi*so]
	m := hi - lo
	switch op.kind {
	case opAdd:
		if back {
			db := ws.grad[op.in2][lo*so : hi*so]
			for i, v := range dOut {
				dIn[i] += v
				db[i] += v
			}
			return
		}
		b := ws.val[op.in2][lo*so : hi*so]
		for i, v := range in {
			out[i] = v + b[i]
		}
	case opPool:
		if back {
			pool2Back(tin, dIn, dOut, m)
		} else {
			pool2(tin, in, out, m)
		}
	case opUp:
		if back {
			up2Back(tin, dIn, dOut, m)
		} else {
			up2(tin, in, out, m)
		}
	case opCat:
		tb := u.tensors[op.in2]
		sb := tb.size()
		if back {
			db := ws.grad[op.in2][lo*sb : hi*sb]
			for p := 0; p < m*tin.h*tin.w; p++ {
				src := dOut[p*tout.c : (p+1)*tout.c]
				a, b := dIn[p*tin.c:(p+1)*tin.c], db[p*tb.c:(p+1)*tb.c]
				for i := range a {
					a[i] += src[i]
				}
				for i := range b {
					b[i] += src[tin.c+i]
				}
			}
			return
		}
		b := ws.val[op.in2][lo*sb : hi*sb]
		for p := 0; p < m*tin.h*tin.w; p++ {
			copy(out[p*tout.c:], in[p*tin.c:(p+1)*tin.c])
			copy(out[p*tout.c+tin.c:(p+1)*tout.c], b[p*tb.c:(p+1)*tb.c])
		}
	}
}

// pool2 averages 2×2 blocks: out is n × h/2 × w/2 × c.
func pool2[T Float](t unetTensor, in, out []T, n int) {
	h2, w2, c := t.h/2, t.w/2, t.c
	for i := 0; i < n; i++ {
		for y := 0; y < h2; y++ {
			for x := 0; x < w2; x++ {
				o := out[((i*h2+y)*w2+x)*c : ((i*h2+y)*w2+x+1)*c]
				p00 := in[((i*t.h+2*y)*t.w+2*x)*c:]
				p01 := p00[c:]
				p10 := in[((i*t.h+2*y+1)*t.w+2*x)*c:]
				p11 := p10[c:]
				for j := range o {
					o[j] = (p00[j] + p01[j] + p10[j] + p11[j]) / 4
				}
			}
		}
	}
}

// pool2Back adds the transpose of pool2: each input pixel gets a quarter
// of its block's gradient.
func pool2Back[T Float](t unetTensor, dIn, dOut []T, n int) {
	h2, w2, c := t.h/2, t.w/2, t.c
	for i := 0; i < n; i++ {
		for y := 0; y < h2; y++ {
			for x := 0; x < w2; x++ {
				g := dOut[((i*h2+y)*w2+x)*c : ((i*h2+y)*w2+x+1)*c]
				p00 := dIn[((i*t.h+2*y)*t.w+2*x)*c:]
				p01 := p00[c:]
				p10 := dIn[((i*t.h+2*y+1)*t.w+2*x)*c:]
				p11 := p10[c:]
				for j, v := range g {
					v /= 4
					p00[j] += v
					p01[j] += v
					p10[j] += v
					p11[j] += v
				}
			}
		}
	}
}

// up2 repeats each pixel over a 2×2 block: out is n × 2h × 2w × c.
func up2[T Float](t unetTensor, in, out []T, n int) {
	c, W := t.c, 2*t.w
	for i := 0; i < n; i++ {
		for y := 0; y < 2*t.h; y++ {
			for x := 0; x < W; x++ {
				copy(out[((i*2*t.h+y)*W+x)*c:((i*2*t.h+y)*W+x+1)*c], in[((i*t.h+y/2)*t.w+x/2)*c:])
			}
		}
	}
}

// up2Back adds the transpose of up2: the sum of each block's gradients.
func up2Back[T Float](t unetTensor, dIn, dOut []T, n int) {
	c, W := t.c, 2*t.w
	for i := 0; i < n; i++ {
		for y := 0; y < 2*t.h; y++ {
			for x := 0; x < W; x++ {
				g := dOut[((i*2*t.h+y)*W+x)*c : ((i*2*t.h+y)*W+x+1)*c]
				d := dIn[((i*t.h+y/2)*t.w+x/2)*c:]
				for j, v := range g {
					d[j] += v
				}
			}
		}
	}
}

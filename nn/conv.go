package nn

import (
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
)

// Conv2D is the geometry of a 2-D convolution over a batch of images in
// NHWC layout (image, row, column, channel; channels vary fastest): In
// channels of H×W pixels become Out channels of H×W pixels through a K×K
// kernel (K odd), stride 1 and zero padding of (K−1)/2 on every side
// ("same" convolution).
//
// Its weights are the (K·K·In) × Out row-major matrix W whose row
// (ky·K + kx)·In + ci holds the weights from input channel ci at kernel
// offset (ky, kx), followed by the Out biases: NumParams numbers.
//
// # Method
//
// The convolution is one matrix product per chunk of images (im2col): the
// K·K·In inputs around each output pixel are gathered into a row of a
// matrix col, so that out = col·W + b. With NHWC the output lands in its
// own layout and the product needs no transposes; K = 1 needs no gathering
// at all (the images are col). The weight gradient is the transposed
// product ∂W += colᵀ·δ on the gathered inputs. The input gradient is
// itself a same-padded convolution, of δ with the kernel turned by 180°
// and its channel roles swapped: ∂x = col(δ)·W̃ with col(δ) the K·K·Out
// values of δ around each input pixel and W̃ the (K·K·Out) × In flipped
// weights. That gathers δ and runs a product whose inner dimension is
// K·K·Out, instead of the product δ·Wᵀ of inner dimension Out followed by
// a scatter-add of its K·K·In-wide rows (col2im), the thin product and the
// scattered additions being the slow parts (gk/ARCHITECTURE.md, "U-Net").
// Measured against the alternative of one product per kernel offset on
// padded images (same section), im2col's single product with the K·K-fold
// inner dimension keeps BLAS closer to its peak.
//
// The gathering works on chunks of images so that col stays small (its
// length is ColLen(images)); the caller owns col, so nothing is allocated
// per call.
type Conv2D struct{ H, W, In, Out, K int }

// NumParams returns K·K·In·Out + Out.
func (c Conv2D) NumParams() int { return c.K*c.K*c.In*c.Out + c.Out }

// colWidth is the length of one row of col, K·K·In.
func (c Conv2D) colWidth() int { return c.K * c.K * c.In }

// transposed is the convolution that carries ∂L/∂out back to ∂L/∂in: the
// same geometry with the channels swapped (its weights are the flipped
// ones of flipWeights).
func (c Conv2D) transposed() Conv2D { return Conv2D{H: c.H, W: c.W, In: c.Out, Out: c.In, K: c.K} }

// ColLen returns the length of the scratch col that Forward and Backward
// need to process images images at a time: 0 for K = 1.
func (c Conv2D) ColLen(images int) int {
	if c.K == 1 {
		return 0
	}
	return images * c.H * c.W * c.K * c.K * max(c.In, c.Out)
}

// flipWeights writes the (K·K·Out) × In weights of c.transposed() into
// wt: row (ky·K + kx)·Out + o, column ci holds the weight of c from input
// channel ci to output o at the kernel offset (K−1−ky, K−1−kx).
func flipWeights[T Float](c Conv2D, wt, w []T) {
	kk := c.K * c.K
	for k := 0; k < kk; k++ {
		src := w[(kk-1-k)*c.In*c.Out : (kk-k)*c.In*c.Out] // rows ci, columns o
		dst := wt[k*c.Out*c.In : (k+1)*c.Out*c.In]        // rows o, columns ci
		for ci := 0; ci < c.In; ci++ {
			for o, v := range src[ci*c.Out : (ci+1)*c.Out] {
				dst[o*c.In+ci] = v
			}
		}
	}
}

func (c Conv2D) check() {
	if c.H < 1 || c.W < 1 || c.In < 1 || c.Out < 1 || c.K < 1 || c.K%2 == 0 {
		panic("nn: convolution needs positive sizes and an odd kernel")
	}
}

// im2col writes the col rows of images [lo, hi) of x (the images of a
// chunk, NHWC) into col: row (i·H + y)·W + x holds, for ky, kx = 0…K−1,
// the In channels of pixel (y + ky − p, x + kx − p), zero outside.
func im2col[T Float](c Conv2D, col, x []T, lo, hi int) {
	p := c.K / 2
	cw := c.colWidth()
	kin := c.K * c.In
	for i := lo; i < hi; i++ {
		img := x[i*c.H*c.W*c.In : (i+1)*c.H*c.W*c.In]
		for y := 0; y < c.H; y++ {
			for xx := 0; xx < c.W; xx++ {
				row := col[((i*c.H+y)*c.W+xx)*cw : ((i*c.H+y)*c.W+xx+1)*cw]
				// Columns x−p … x+p, clipped to the image; the kernel
				// offsets outside are zero.
				x0, x1 := xx-p, xx+p+1
				k0, k1 := max(0, -x0), c.K-max(0, x1-c.W)
				for ky := 0; ky < c.K; ky++ {
					dst := row[ky*kin : (ky+1)*kin]
					yy := y + ky - p
					if yy < 0 || yy >= c.H {
						clear(dst)
						continue
					}
					clear(dst[:k0*c.In])
					src := img[(yy*c.W+x0+k0)*c.In : (yy*c.W+x0+k1)*c.In]
					copy(dst[k0*c.In:k1*c.In], src)
					clear(dst[k1*c.In:])
				}
			}
		}
	}
}

// chunk returns how many images a col of length lc holds (at least one is
// required unless K = 1).
func (c Conv2D) chunk(lc, n int) int {
	if c.K == 1 {
		return n
	}
	ch := lc / c.ColLen(1)
	if ch < 1 {
		panic("nn: convolution scratch smaller than one image")
	}
	return ch
}

// ConvScratch is the scratch of convolutions: the gathered rows (col) of
// chunks of images, the partial weight gradients of the parallel passes
// and their context. One scratch serves every convolution whose ColLen(1)
// is at most its length divided by the number of parts, one goroutine at a
// time.
//
// Two ways of using two cores. With a BLAS that runs each product on
// several threads, the chunks go through one after the other, each product
// using every thread and the gathering split across the cores. With a BLAS
// on one thread (OpenBLAS with SetBLASThreads(1), say), the images are
// split into GOMAXPROCS parts that go through their own chunks at the same
// time, each with its own col and its own weight gradient (added up at
// the end). The second needs no BLAS threads at all, which matters for
// networks like the U-Net whose elementwise passes between the products
// run on the same cores: OpenBLAS's idle threads spin for a while after
// each product and slow those passes down (gk/ARCHITECTURE.md, "U-Net").
type ConvScratch[T Float] struct {
	cols  [][]T // one col per part
	grads [][]T // partial weight gradients, one per part (grown once)
	wflip []T   // the flipped weights of the input gradient (grown once)
	wpad  []T   // weights with their outputs padded to 32 (grown once)
	pads  [][]T // the direct kernels' padded images, one per part (grown once)
	job   *convJob[T]
}

// NewConvScratch returns a scratch of n numbers per part;
// n = c.ColLen(images) processes images images per matrix product (more
// images, larger products, more memory).
func NewConvScratch[T Float](n int) *ConvScratch[T] {
	parts := max(1, runtime.GOMAXPROCS(0))
	s := &ConvScratch[T]{cols: make([][]T, parts), grads: make([][]T, parts), pads: make([][]T, parts)}
	for p := range s.cols {
		s.cols[p] = make([]T, n)
	}
	s.job = &convJob[T]{gather: im2colJob[T], fwd: convForwardPart[T], bwd: convBackwardPart[T], dfwd: directForwardPart[T], dbwd: directBackwardPart[T]}
	return s
}

// ConvForward computes out = conv(in) + b for n images: in is n×H×W×In,
// out n×H×W×Out (NHWC), w the NumParams weights and biases.
func ConvForward[T Float](c Conv2D, w, in, out []T, n int, s *ConvScratch[T]) {
	c.check()
	hw := c.H * c.W
	if len(w) != c.NumParams() || len(in) < n*hw*c.In || len(out) < n*hw*c.Out {
		panic("nn: convolution buffers do not match its geometry")
	}
	j := s.job
	j.c, j.co, j.w, j.in, j.out, j.n, j.s = c, c.Out, w, in, out, n, s
	if pc, ok := directPadded[T](c); ok {
		// the output channels padded to a multiple of 32 with zero weights
		j.c, j.w = pc, s.padWeights(c, pc, w)
		j.parts = max(1, min(len(s.cols), n))
		parallelFor(j.parts, 1, j.dfwd, j, &j.wg)
	} else if direct[T](c) {
		j.parts = max(1, min(len(s.cols), n))
		parallelFor(j.parts, 1, j.dfwd, j, &j.wg)
	} else if parts := convParts(len(s.cols), n, false); parts > 1 {
		j.parts = parts
		parallelFor(parts, 1, j.fwd, j, &j.wg)
	} else {
		convForwardRange(c, w, in, out, s.cols[0], 0, n, j)
	}
	j.release()
}

// ConvBackward follows a forward pass on the same in: given dOut =
// ∂L/∂out it adds ∂L/∂(weights, biases) into grad (NumParams numbers; nil
// for none) and, when dIn is not nil, adds ∂L/∂in into dIn (it
// accumulates, so that an input read by several layers collects every
// contribution).
func ConvBackward[T Float](c Conv2D, w, in, dOut, grad, dIn []T, n int, s *ConvScratch[T]) {
	c.check()
	hw := c.H * c.W
	np := c.NumParams()
	if len(w) != np || (grad != nil && len(grad) != np) || len(in) < n*hw*c.In || len(dOut) < n*hw*c.Out || (dIn != nil && len(dIn) < n*hw*c.In) {
		panic("nn: convolution buffers do not match its geometry")
	}
	if grad == nil && dIn == nil {
		return
	}
	if pc, ok := directPadded[T](c); ok {
		convBackwardPadded(c, pc, w, in, dOut, grad, dIn, n, s)
		return
	}
	var wt []T
	if dIn != nil && c.K > 1 {
		if len(s.wflip) < c.K*c.K*c.In*c.Out {
			s.wflip = make([]T, c.K*c.K*c.In*c.Out) // grown once per scratch
		}
		wt = s.wflip[:c.K*c.K*c.In*c.Out]
		flipWeights(c, wt, w)
	}
	j := s.job
	j.c, j.co, j.w, j.in, j.out, j.dIn, j.grad, j.n, j.s = c, c.Out, w, in, dOut, dIn, grad, n, s
	dir := direct[T](c)
	parts := convParts(len(s.cols), n, dir)
	if parts <= 1 {
		if dir {
			directBackwardRange(c, c.Out, wt, in, dOut, grad, dIn, 0, n, s, 0)
		} else {
			convBackwardRange(c, w, wt, in, dOut, grad, dIn, s.cols[0], 0, n, j)
		}
		j.release()
		return
	}
	if grad != nil {
		for p := 0; p < parts; p++ {
			if len(s.grads[p]) < np {
				s.grads[p] = make([]T, np) // grown once per scratch
			}
			clear(s.grads[p][:np])
		}
	}
	j.parts = parts
	if dir {
		parallelFor(parts, 1, j.dbwd, j, &j.wg)
	} else {
		parallelFor(parts, 1, j.bwd, j, &j.wg)
	}
	if grad != nil {
		for p := 0; p < parts; p++ {
			for i, v := range s.grads[p][:np] {
				grad[i] += v
			}
		}
	}
	j.release()
}

// convParts is the number of parts the images are split into: one with a
// multithreaded BLAS or too few images, GOMAXPROCS with a BLAS on one
// thread or the direct kernels (which use no BLAS).
func convParts(parts, n int, direct bool) int {
	if parts <= 1 || n < 2 || (!direct && !singleThreadBLAS()) {
		return 1
	}
	return min(parts, n)
}

// convJob is the context of the parallel passes.
type convJob[T Float] struct {
	c, gc                 Conv2D // the convolution, and the geometry of a gathering
	co                    int    // the direct kernels' real output channels (c.Out unless padded)
	col, x                []T    // the gathering's col rows and images
	w, in, out, dIn, grad []T
	n, parts              int
	s                     *ConvScratch[T]
	wg                    sync.WaitGroup
	gather                rangeFunc
	fwd, bwd              rangeFunc
	dfwd, dbwd            rangeFunc // the direct kernels' parts
}

func (j *convJob[T]) release() {
	j.col, j.x, j.w, j.in, j.out, j.dIn, j.grad, j.s = nil, nil, nil, nil, nil, nil, nil, nil
}

func im2colJob[T Float](ctx any, lo, hi int) {
	j := ctx.(*convJob[T])
	im2col(j.gc, j.col, j.x, lo, hi)
}

// convForwardPart runs parts [lo, hi) of a split forward pass.
func convForwardPart[T Float](ctx any, lo, hi int) {
	j := ctx.(*convJob[T])
	for p := lo; p < hi; p++ {
		convForwardRange(j.c, j.w, j.in, j.out, j.s.cols[p], p*j.n/j.parts, (p+1)*j.n/j.parts, nil)
	}
}

// convBackwardPart runs parts [lo, hi) of a split backward pass, each
// adding its weight gradient into its own buffer.
func convBackwardPart[T Float](ctx any, lo, hi int) {
	j := ctx.(*convJob[T])
	for p := lo; p < hi; p++ {
		var g []T
		if j.grad != nil {
			g = j.s.grads[p][:len(j.grad)]
		}
		convBackwardRange(j.c, j.w, j.s.wflip, j.in, j.out, g, j.dIn, j.s.cols[p], p*j.n/j.parts, (p+1)*j.n/j.parts, nil)
	}
}

// directForwardPart runs parts [lo, hi) of a forward pass on the direct
// kernels.
func directForwardPart[T Float](ctx any, lo, hi int) {
	j := ctx.(*convJob[T])
	for p := lo; p < hi; p++ {
		directForward(j.c, j.co, j.w, j.in, j.out, p*j.n/j.parts, (p+1)*j.n/j.parts, j.s, p)
	}
}

// directBackwardPart runs parts [lo, hi) of a backward pass on the direct
// kernels, each adding its weight gradient into its own buffer.
func directBackwardPart[T Float](ctx any, lo, hi int) {
	j := ctx.(*convJob[T])
	for p := lo; p < hi; p++ {
		var g []T
		if j.grad != nil {
			g = j.s.grads[p][:j.c.NumParams()]
		}
		directBackwardRange(j.c, j.co, j.s.wflip, j.in, j.out, g, j.dIn, p*j.n/j.parts, (p+1)*j.n/j.parts, j.s, p)
	}
}

// directBackwardRange is the backward pass of images [n0, n1) on the
// direct kernels: bias gradients summed here, the rest by directBackward.
func directBackwardRange[T Float](c Conv2D, co int, wt, in, dOut, grad, dIn []T, n0, n1 int, s *ConvScratch[T], part int) {
	hw := c.H * c.W
	var gw []T
	if grad != nil {
		var gb []T
		gw, gb = grad[:c.colWidth()*c.Out], grad[c.colWidth()*c.Out:]
		for r := n0 * hw; r < n1*hw; r++ {
			for o, v := range dOut[r*co : (r+1)*co] {
				gb[o] += v
			}
		}
	}
	directBackward(c, co, wt, in, dOut, gw, dIn, n0, n1, s, part)
}

// convBackwardPadded is ConvBackward of c on the direct kernels of pc, c
// with its output channels padded to a multiple of 32: each part adds its
// gradient of pc's padded weights into its own buffer, and the columns of
// c's outputs are added into grad at the end.
func convBackwardPadded[T Float](c, pc Conv2D, w, in, dOut, grad, dIn []T, n int, s *ConvScratch[T]) {
	wp := s.padWeights(c, pc, w)
	if dIn != nil {
		if len(s.wflip) < pc.K*pc.K*pc.In*pc.Out {
			s.wflip = make([]T, pc.K*pc.K*pc.In*pc.Out) // grown once per scratch
		}
		flipWeights(pc, s.wflip[:pc.K*pc.K*pc.In*pc.Out], wp)
	}
	parts := max(1, min(len(s.cols), n))
	npp := pc.NumParams()
	if grad != nil {
		for p := 0; p < parts; p++ {
			if len(s.grads[p]) < npp {
				s.grads[p] = make([]T, npp) // grown once per scratch
			}
			clear(s.grads[p][:npp])
		}
	}
	j := s.job
	j.c, j.co, j.w, j.in, j.out, j.dIn, j.grad, j.n, j.s, j.parts = pc, c.Out, wp, in, dOut, dIn, grad, n, s, parts
	parallelFor(parts, 1, j.dbwd, j, &j.wg)
	if grad != nil {
		rows := c.colWidth()
		for p := 0; p < parts; p++ {
			g := s.grads[p][:npp]
			for r := 0; r <= rows; r++ { // the weight rows, then the biases
				dst := grad[r*c.Out : (r+1)*c.Out]
				for o, v := range g[r*pc.Out : r*pc.Out+c.Out] {
					dst[o] += v
				}
			}
		}
	}
	j.release()
}

// convForwardRange computes the output of images [n0, n1) chunk by chunk
// with the scratch col; the gathering is split across the cores through
// j when j is not nil, and runs on the caller otherwise.
func convForwardRange[T Float](c Conv2D, w, in, out, col []T, n0, n1 int, j *convJob[T]) {
	hw := c.H * c.W
	cw := c.colWidth()
	wm, b := w[:cw*c.Out], w[cw*c.Out:]
	for r := n0 * hw; r < n1*hw; r++ {
		copy(out[r*c.Out:(r+1)*c.Out], b)
	}
	if c.K == 1 {
		gemm(blas.NoTrans, blas.NoTrans, (n1-n0)*hw, c.Out, c.In, 1, in[n0*hw*c.In:], c.In, wm, c.Out, 1, out[n0*hw*c.Out:], c.Out)
		return
	}
	ch := c.chunk(len(col), n1-n0)
	for i0 := n0; i0 < n1; i0 += ch {
		m := min(ch, n1-i0)
		cm, x := col[:m*hw*cw], in[i0*hw*c.In:(i0+m)*hw*c.In]
		gatherRows(c, cm, x, m, j)
		gemm(blas.NoTrans, blas.NoTrans, m*hw, c.Out, cw, 1, cm, cw, wm, c.Out, 1, out[i0*hw*c.Out:], c.Out)
	}
}

// convBackwardRange is the backward pass of images [n0, n1): weight and
// bias gradients added into grad (when not nil), input gradients into dIn
// (when not nil); j as for convForwardRange.
func convBackwardRange[T Float](c Conv2D, w, wt, in, dOut, grad, dIn, col []T, n0, n1 int, j *convJob[T]) {
	hw := c.H * c.W
	cw := c.colWidth()
	wm := w[:cw*c.Out]
	var gw []T
	if grad != nil {
		var gb []T
		gw, gb = grad[:cw*c.Out], grad[cw*c.Out:]
		for r := n0 * hw; r < n1*hw; r++ {
			for o, v := range dOut[r*c.Out : (r+1)*c.Out] {
				gb[o] += v
			}
		}
	}
	if c.K == 1 {
		rows := (n1 - n0) * hw
		d := dOut[n0*hw*c.Out : n1*hw*c.Out]
		if gw != nil {
			gemm(blas.Trans, blas.NoTrans, c.In, c.Out, rows, 1, in[n0*hw*c.In:], c.In, d, c.Out, 1, gw, c.Out)
		}
		if dIn != nil {
			gemm(blas.NoTrans, blas.Trans, rows, c.In, c.Out, 1, d, c.Out, wm, c.Out, 1, dIn[n0*hw*c.In:], c.In)
		}
		return
	}
	ch := c.chunk(len(col), n1-n0)
	ct := c.transposed()
	for i0 := n0; i0 < n1; i0 += ch {
		m := min(ch, n1-i0)
		d := dOut[i0*hw*c.Out : (i0+m)*hw*c.Out]
		if gw != nil {
			cm := col[:m*hw*cw]
			gatherRows(c, cm, in[i0*hw*c.In:(i0+m)*hw*c.In], m, j)
			gemm(blas.Trans, blas.NoTrans, cw, c.Out, m*hw, 1, cm, cw, d, c.Out, 1, gw, c.Out)
		}
		if dIn != nil {
			ctw := ct.colWidth()
			cm := col[:m*hw*ctw]
			gatherRows(ct, cm, d, m, j)
			gemm(blas.NoTrans, blas.NoTrans, m*hw, c.In, ctw, 1, cm, ctw, wt[:ctw*c.In], c.In, 1, dIn[i0*hw*c.In:], c.In)
		}
	}
}

// gatherRows writes the col rows of the m images x of geometry c into
// col, split across the cores through j when j is not nil.
func gatherRows[T Float](c Conv2D, col, x []T, m int, j *convJob[T]) {
	if j == nil {
		im2col(c, col, x, 0, m)
		return
	}
	j.gc, j.col, j.x = c, col, x
	parallelFor(m, 1, j.gather, j, &j.wg)
}

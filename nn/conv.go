package nn

import (
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
// at all (the images are col). The backward pass is the same products
// transposed, ∂W += colᵀ·δ and ∂col = δ·Wᵀ, with ∂col scattered back onto
// the input pixels (col2im). Measured against the alternative of one
// product per kernel offset on padded images (gk/ARCHITECTURE.md, "U-Net"),
// im2col's single product with the K·K-fold inner dimension keeps BLAS
// closer to its peak.
//
// The gathering works on chunks of images so that col stays small (its
// length is ColLen(images)); the caller owns col, so nothing is allocated
// per call.
type Conv2D struct{ H, W, In, Out, K int }

// NumParams returns K·K·In·Out + Out.
func (c Conv2D) NumParams() int { return c.K*c.K*c.In*c.Out + c.Out }

// colWidth is the length of one row of col, K·K·In.
func (c Conv2D) colWidth() int { return c.K * c.K * c.In }

// ColLen returns the length of the scratch col that Forward and Backward
// need to process images images at a time: 0 for K = 1.
func (c Conv2D) ColLen(images int) int {
	if c.K == 1 {
		return 0
	}
	return images * c.H * c.W * c.colWidth()
}

func (c Conv2D) check() {
	if c.H < 1 || c.W < 1 || c.In < 1 || c.Out < 1 || c.K < 1 || c.K%2 == 0 {
		panic("nn: convolution needs positive sizes and an odd kernel")
	}
}

// convJob is the context of the parallel gathering and scattering.
type convJob[T Float] struct {
	c       Conv2D
	col, x  []T // col rows of the chunk; x the images of the chunk
	wg      sync.WaitGroup
	gather  rangeFunc
	scatter rangeFunc
}

func im2colJob[T Float](ctx any, lo, hi int) {
	j := ctx.(*convJob[T])
	im2col(j.c, j.col, j.x, lo, hi)
}

func col2imJob[T Float](ctx any, lo, hi int) {
	j := ctx.(*convJob[T])
	col2im(j.c, j.x, j.col, lo, hi)
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

// col2im adds the col rows of images [lo, hi) onto the pixels they were
// gathered from: the transpose of im2col.
func col2im[T Float](c Conv2D, x, col []T, lo, hi int) {
	p := c.K / 2
	cw := c.colWidth()
	kin := c.K * c.In
	for i := lo; i < hi; i++ {
		img := x[i*c.H*c.W*c.In : (i+1)*c.H*c.W*c.In]
		for y := 0; y < c.H; y++ {
			for xx := 0; xx < c.W; xx++ {
				row := col[((i*c.H+y)*c.W+xx)*cw : ((i*c.H+y)*c.W+xx+1)*cw]
				x0, x1 := xx-p, xx+p+1
				k0, k1 := max(0, -x0), c.K-max(0, x1-c.W)
				for ky := 0; ky < c.K; ky++ {
					yy := y + ky - p
					if yy < 0 || yy >= c.H {
						continue
					}
					src := row[ky*kin+k0*c.In : ky*kin+k1*c.In]
					dst := img[(yy*c.W+x0+k0)*c.In : (yy*c.W+x0+k1)*c.In]
					for j, v := range src {
						dst[j] += v
					}
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
// a chunk of images and the context of the parallel passes. One scratch
// serves every convolution whose ColLen(1) is at most its length, one
// goroutine at a time.
type ConvScratch[T Float] struct {
	col []T
	job *convJob[T]
}

// NewConvScratch returns a scratch of n numbers; n = c.ColLen(images)
// processes images images per matrix product (more images, larger
// products, more memory).
func NewConvScratch[T Float](n int) *ConvScratch[T] {
	return &ConvScratch[T]{col: make([]T, n), job: &convJob[T]{gather: im2colJob[T], scatter: col2imJob[T]}}
}

// ConvForward computes out = conv(in) + b for n images: in is n×H×W×In,
// out n×H×W×Out (NHWC), w the NumParams weights and biases.
func ConvForward[T Float](c Conv2D, w, in, out []T, n int, s *ConvScratch[T]) {
	forwardConv(c, w, in, out, s, n)
}

// ConvBackward follows a forward pass on the same in: given dOut =
// ∂L/∂out it adds ∂L/∂(weights, biases) into grad (NumParams numbers; nil
// for none) and,
// when dIn is not nil, adds ∂L/∂in into dIn (it accumulates, so that an
// input read by several layers collects every contribution). col is
// scratch as for ConvForward.
func ConvBackward[T Float](c Conv2D, w, in, dOut, grad, dIn []T, n int, s *ConvScratch[T]) {
	backwardConv(c, w, in, dOut, grad, dIn, s, n)
}

func forwardConv[T Float](c Conv2D, w, in, out []T, s *ConvScratch[T], n int) {
	c.check()
	hw := c.H * c.W
	if len(w) != c.NumParams() || len(in) < n*hw*c.In || len(out) < n*hw*c.Out {
		panic("nn: convolution buffers do not match its geometry")
	}
	wm, b := w[:c.colWidth()*c.Out], w[c.colWidth()*c.Out:]
	out = out[:n*hw*c.Out]
	for r := 0; r < n*hw; r++ {
		copy(out[r*c.Out:(r+1)*c.Out], b)
	}
	if c.K == 1 {
		gemm(blas.NoTrans, blas.NoTrans, n*hw, c.Out, c.In, 1, in, c.In, wm, c.Out, 1, out, c.Out)
		return
	}
	cw := c.colWidth()
	col := s.col
	ch := c.chunk(len(col), n)
	j := s.job
	j.c = c
	for n0 := 0; n0 < n; n0 += ch {
		m := min(ch, n-n0)
		j.col, j.x = col[:m*hw*cw], in[n0*hw*c.In:(n0+m)*hw*c.In]
		parallelFor(m, 1, j.gather, j, &j.wg)
		gemm(blas.NoTrans, blas.NoTrans, m*hw, c.Out, cw, 1, j.col, cw, wm, c.Out, 1, out[n0*hw*c.Out:], c.Out)
	}
	j.col, j.x = nil, nil
}

func backwardConv[T Float](c Conv2D, w, in, dOut, grad, dIn []T, s *ConvScratch[T], n int) {
	c.check()
	hw := c.H * c.W
	np := c.NumParams()
	if len(w) != np || (grad != nil && len(grad) != np) || len(in) < n*hw*c.In || len(dOut) < n*hw*c.Out || (dIn != nil && len(dIn) < n*hw*c.In) {
		panic("nn: convolution buffers do not match its geometry")
	}
	cw := c.colWidth()
	wm := w[:cw*c.Out]
	var gw []T
	dOut = dOut[:n*hw*c.Out]
	if grad != nil {
		var gb []T
		gw, gb = grad[:cw*c.Out], grad[cw*c.Out:]
		for r := 0; r < n*hw; r++ {
			for o, v := range dOut[r*c.Out : (r+1)*c.Out] {
				gb[o] += v
			}
		}
	}
	if c.K == 1 {
		if gw != nil {
			gemm(blas.Trans, blas.NoTrans, c.In, c.Out, n*hw, 1, in, c.In, dOut, c.Out, 1, gw, c.Out)
		}
		if dIn != nil {
			gemm(blas.NoTrans, blas.Trans, n*hw, c.In, c.Out, 1, dOut, c.Out, wm, c.Out, 1, dIn, c.In)
		}
		return
	}
	col := s.col
	ch := c.chunk(len(col), n)
	j := s.job
	j.c = c
	for n0 := 0; n0 < n; n0 += ch {
		m := min(ch, n-n0)
		d := dOut[n0*hw*c.Out : (n0+m)*hw*c.Out]
		j.col = col[:m*hw*cw]
		if gw != nil {
			j.x = in[n0*hw*c.In : (n0+m)*hw*c.In]
			parallelFor(m, 1, j.gather, j, &j.wg)
			gemm(blas.Trans, blas.NoTrans, cw, c.Out, m*hw, 1, j.col, cw, d, c.Out, 1, gw, c.Out)
		}
		if dIn != nil {
			gemm(blas.NoTrans, blas.Trans, m*hw, cw, c.Out, 1, d, c.Out, wm, c.Out, 0, j.col, cw)
			j.x = dIn[n0*hw*c.In : (n0+m)*hw*c.In]
			parallelFor(m, 1, j.scatter, j, &j.wg)
		}
	}
	j.col, j.x = nil, nil
}

package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// shiftedConvForward is the alternative to im2col measured in
// BenchmarkConvForward: the images zero-padded by one pixel (n × (H+2) ×
// (W+2) × In), then one product per kernel offset (ky, kx), each reading
// the padded pixels shifted by that offset as an n(H+2)(W+2) × In matrix
// (no gathering at all: a shift is an offset into the same rows) and
// adding its In × Out block of the weights into an output on the padded
// grid, whose border rows are garbage and skipped when copying out.
func shiftedConvForward(c Conv2D, w, in, out, pad, acc []float32, n int) {
	H, W := c.H+2, c.W+2
	clear(pad)
	for i := 0; i < n; i++ {
		for y := 0; y < c.H; y++ {
			copy(pad[((i*H+y+1)*W+1)*c.In:((i*H+y+1)*W+1+c.W)*c.In], in[((i*c.H+y)*c.W)*c.In:((i*c.H+y+1)*c.W)*c.In])
		}
	}
	rows := n*H*W - 2*W - 2 // outputs (r + W + 1) for r in [0, rows)
	clear(acc)
	for ky := 0; ky < 3; ky++ {
		for kx := 0; kx < 3; kx++ {
			off := ky*W + kx
			wk := w[(ky*3+kx)*c.In*c.Out : (ky*3+kx+1)*c.In*c.Out]
			gemm(blas.NoTrans, blas.NoTrans, rows, c.Out, c.In, 1, pad[off*c.In:], c.In, wk, c.Out, 1, acc[(W+1)*c.Out:], c.Out)
		}
	}
	b := w[9*c.In*c.Out:]
	for i := 0; i < n; i++ {
		for y := 0; y < c.H; y++ {
			for x := 0; x < c.W; x++ {
				o := out[((i*c.H+y)*c.W+x)*c.Out : ((i*c.H+y)*c.W+x+1)*c.Out]
				a := acc[((i*H+y+1)*W+x+1)*c.Out:]
				for j := range o {
					o[j] = a[j] + b[j]
				}
			}
		}
	}
}

// TestShiftedConv checks the benchmark's alternative against ConvForward.
func TestShiftedConv(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	c, n := Conv2D{H: 5, W: 4, In: 3, Out: 2, K: 3}, 3
	w := randSlice[float32](r, c.NumParams(), 1)
	in := randSlice[float32](r, n*c.H*c.W*c.In, 1)
	want, got := make([]float32, n*c.H*c.W*c.Out), make([]float32, n*c.H*c.W*c.Out)
	ConvForward(c, w, in, want, n, NewConvScratch[float32](c.ColLen(n)))
	shiftedConvForward(c, w, in, got, make([]float32, n*(c.H+2)*(c.W+2)*c.In), make([]float32, n*(c.H+2)*(c.W+2)*c.Out), n)
	for i := range want {
		if d := want[i] - got[i]; d > 1e-5 || d < -1e-5 {
			t.Fatalf("shifted convolution differs at %d: %v, want %v", i, got[i], want[i])
		}
	}
}

// BenchmarkConvForward times the forward pass of the U-Net's largest
// convolutions (28×28, batch 128, float32) by im2col (ConvForward, chunks
// of ~2^21 gathered numbers) and by one product per kernel offset
// (shiftedConvForward), reporting GFLOP/s of the convolution's
// multiply-adds.
func BenchmarkConvForward(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []Conv2D{{H: 28, W: 28, In: 32, Out: 32, K: 3}, {H: 28, W: 28, In: 96, Out: 32, K: 3}, {H: 14, W: 14, In: 64, Out: 64, K: 3}} {
		n := 128
		w := randSlice[float32](r, c.NumParams(), 1)
		in := randSlice[float32](r, n*c.H*c.W*c.In, 1)
		out := make([]float32, n*c.H*c.W*c.Out)
		flops := 2 * float64(n*c.H*c.W) * float64(9*c.In*c.Out)
		name := fmt.Sprintf("%dx%d_%d-%d", c.H, c.W, c.In, c.Out)
		b.Run("im2col/"+name, func(b *testing.B) {
			s := NewConvScratch[float32](c.ColLen(max(1, convChunk/c.ColLen(1))))
			for range b.N {
				ConvForward(c, w, in, out, n, s)
			}
			b.ReportMetric(float64(b.N)*flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run("shifted/"+name, func(b *testing.B) {
			pad := make([]float32, n*(c.H+2)*(c.W+2)*c.In)
			acc := make([]float32, n*(c.H+2)*(c.W+2)*c.Out)
			for range b.N {
				shiftedConvForward(c, w, in, out, pad, acc, n)
			}
			b.ReportMetric(float64(b.N)*flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

// The float32 hot loops of a training step — Adam's update and the fused
// bias + tanh — are bound by a square root and a division per element,
// which scalar code issues one at a time. On amd64 with AVX2 and FMA they
// run eight lanes at a time in assembly (kernels_amd64.s); elsewhere, and
// with the purego build tag, the Go loops do the same work.
var haveAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// adam32AVX2 runs Adam's update over n elements, n a multiple of 8:
//
//	m = b1·m + c1·gr,  v = b2·v + c2·gr²,  p −= step·m/(√v + eps).
//
//go:noescape
func adam32AVX2(p, gr, m, v *float32, n int, b1, b2, c1, c2, step, eps float32)

// tanhBias32AVX2 sets z[i] = tanh(z[i] + b[i]) for i < n, n a multiple of
// 8, with tanh32's rational function; c points to tanh32Consts.
//
//go:noescape
func tanhBias32AVX2(z, b *float32, n int, c *[13][8]float32)

// tanh32Consts holds the constants of tanh32, each repeated over the
// eight lanes: the clamp 9 and −9, then a13 … a1 and b6 … b0.
var tanh32Consts = func() (c [13][8]float32) {
	v := [13]float32{9, -9, tanhA13, tanhA11, tanhA9, tanhA7, tanhA5, tanhA3, tanhA1, tanhB6, tanhB4, tanhB2, tanhB0}
	for i := range c {
		for j := range c[i] {
			c[i][j] = v[i]
		}
	}
	return c
}()

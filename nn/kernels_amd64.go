//go:build amd64 && !purego

package nn

import (
	"math"

	"golang.org/x/sys/cpu"
)

// The hot elementwise loops of a training step — Adam's update in float32
// and the fused bias + tanh — are bound by a square root and a division
// per element (and an exponential for tanh in float64), which scalar code
// issues one at a time. On amd64 with AVX2 and FMA they
// run eight lanes at a time in assembly (kernels_amd64.s); elsewhere, and
// with the purego build tag, the Go loops do the same work.
var haveAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// adam32AVX2 runs Adam's update over n elements, n a multiple of 8:
//
//	m = b1·m + c1·gr,  v = b2·v + c2·gr²,  p −= step·m/(√v + eps).
//
//go:noescape
func adam32AVX2(p, gr, m, v *float32, n int, b1, b2, c1, c2, step, eps float32)

// adam64AVX2 is adam32AVX2 in float64, n a multiple of 4.
//
//go:noescape
func adam64AVX2(p, gr, m, v *float64, n int, b1, b2, c1, c2, step, eps float64)

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

// tanhBias64AVX2 sets z[i] = tanh(z[i] + b[i]) for i < n, n a multiple of
// 4, with tanh64's algorithm (the exponential by a degree-13 Taylor
// polynomial on |r| ≤ ln2/2 instead of fdlibm's rational form, so that it
// needs no division); c points to tanh64Consts.
//
//go:noescape
func tanhBias64AVX2(z, b *float64, n int, c *[31][4]uint64)

// tanh64Consts holds the constants of tanhBias64AVX2 as bit patterns, each
// repeated over the four lanes; the order is the assembly's.
var tanh64Consts = func() (c [31][4]uint64) {
	f := math.Float64bits
	v := []uint64{
		0: 1<<63 - 1, // |x| mask
		1: f(22),
		2: f(0.625),
		3: f(log2e),
		4: f(0x1.8p52), // round-to-integer shifter
		5: f(ln2Hi),
		6: f(ln2Lo),
		7: 1023 << 52, // exponent bias
	}
	// e^r = Σ r^i/i!, i = 13 … 0, Horner's order.
	fact := 1.0
	coef := make([]float64, 14)
	for i := range coef {
		if i > 0 {
			fact *= float64(i)
		}
		coef[i] = 1 / fact
	}
	for i := 13; i >= 0; i-- {
		v = append(v, f(coef[i])) // indices 8 … 21
	}
	v = append(v, f(1), f(2), // 22, 23
		f(tanhP0), f(tanhP1), f(tanhP2), // 24 … 26
		f(tanhQ0), f(tanhQ1), f(tanhQ2), // 27 … 29
		1<<63) // 30: sign mask
	for i := range c {
		for j := range c[i] {
			c[i][j] = v[i]
		}
	}
	return c
}()

// normActFwd32AVX2 is normActOut's float32 loop over rows pixels of c
// channels, c a multiple of 8; k points to normActConsts.
//
//go:noescape
func normActFwd32AVX2(x, y, sg, m, r, s, t *float32, c, rows int, k *[15][8]float32)

// normActGrad32AVX2 is normActGrad's float32 loop, c a multiple of 8.
//
//go:noescape
func normActGrad32AVX2(x, dy, sg, m, r, s, t, sa, ta *float32, c, rows int)

// normActInput32AVX2 is normActInput's float32 loop, c a multiple of 8.
//
//go:noescape
func normActInput32AVX2(x, dh, dx, m, r, q1, q2 *float32, c, rows int)

// normActConsts holds tanh32Consts followed by 1/2 and 1, each repeated
// over the eight lanes.
var normActConsts = func() (c [15][8]float32) {
	copy(c[:13], tanh32Consts[:])
	for j := range c[13] {
		c[13][j], c[14][j] = 0.5, 1
	}
	return c
}()

// normActSum32AVX2 adds the per-channel sums of rows pixels of c channels
// (c a multiple of 4) into sum, in float64.
//
//go:noescape
func normActSum32AVX2(x *float32, sum *float64, c, rows int)

// normActSqDev32AVX2 adds the per-channel sums of squared deviations from
// m into sum, in float64 (c a multiple of 4).
//
//go:noescape
func normActSqDev32AVX2(x, m *float32, sum *float64, c, rows int)

// sumSq32AVX2 adds float64(x[i])² into acc[i mod 16] for i < n, n a
// multiple of 16, in order (sumSq32Go is the same in Go).
//
//go:noescape
func sumSq32AVX2(x *float32, n int, acc *[16]float64)

// ema32AVX2 sets ema[i] += c·(p[i] − ema[i]) for i < n, n a multiple of 8,
// rounding after each operation as the Go loop does.
//
//go:noescape
func ema32AVX2(ema, p *float32, n int, c float32)

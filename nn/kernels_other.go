//go:build !amd64 || purego

package nn

// Without amd64 assembly the Go loops do all the work.
const haveAVX2 = false

func adam32AVX2(p, gr, m, v *float32, n int, b1, b2, c1, c2, step, eps float32) {
	panic("nn: no assembly kernels")
}

func tanhBias32AVX2(z, b *float32, n int, c *[13][8]float32) {
	panic("nn: no assembly kernels")
}

var tanh32Consts [13][8]float32

func tanhBias64AVX2(z, b *float64, n int, c *[31][4]uint64) {
	panic("nn: no assembly kernels")
}

var tanh64Consts [31][4]uint64

func adam64AVX2(p, gr, m, v *float64, n int, b1, b2, c1, c2, step, eps float64) {
	panic("nn: no assembly kernels")
}

func normActFwd32AVX2(x, y, sg, m, r, s, t *float32, c, rows int, k *[15][8]float32) {
	panic("nn: no assembly kernels")
}

func normActGrad32AVX2(x, dy, sg, m, r, s, t, sa, ta *float32, c, rows int) {
	panic("nn: no assembly kernels")
}

func normActInput32AVX2(x, dh, dx, m, r, q1, q2 *float32, c, rows int) {
	panic("nn: no assembly kernels")
}

var normActConsts [15][8]float32

func normActSum32AVX2(x *float32, sum *float64, c, rows int) {
	panic("nn: no assembly kernels")
}

func normActSqDev32AVX2(x, m *float32, sum *float64, c, rows int) {
	panic("nn: no assembly kernels")
}

func sumSq32AVX2(x *float32, n int, acc *[16]float64) {
	panic("nn: no assembly kernels")
}

func ema32AVX2(ema, p *float32, n int, c float32) {
	panic("nn: no assembly kernels")
}

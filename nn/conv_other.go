//go:build !amd64 || purego

package nn

// Without amd64 assembly the convolutions gather rows (im2col).
const haveAVX512 = false

func convFwd32AVX512(x, w, out, b *float32, offs *int, noff, cin, ldw, ldo, nblk int) {
	panic("nn: no assembly kernels")
}

func addTo32AVX2(dst, src *float32, n int) {
	panic("nn: no assembly kernels")
}

func convWGrad32AVX512(x, d, gw *float32, n, ldx, ldd, ldg int) {
	panic("nn: no assembly kernels")
}

func convWGrad3x32AVX512(x, d, gw *float32, n, ldx, ldd, ldg, ldt int) {
	panic("nn: no assembly kernels")
}

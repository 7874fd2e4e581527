//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

// haveAVX512 reports whether the direct convolution kernels can run.
var haveAVX512 = cpu.X86.HasAVX512F

// convFwd32AVX512 is the direct convolution's block of 8 output pixels ×
// 32 output channels starting from the biases b, nblk blocks in a row
// (see conv_amd64.s).
//
//go:noescape
func convFwd32AVX512(x, w, out, b *float32, offs *int, noff, cin, ldw, ldo, nblk int)

// addTo32AVX2 adds src to dst, n numbers, n a multiple of 8.
//
//go:noescape
func addTo32AVX2(dst, src *float32, n int)

// convWGrad32AVX512 adds the weight gradient of 8 input × 32 output
// channels over n pixels (see conv_amd64.s).
//
//go:noescape
func convWGrad32AVX512(x, d, gw *float32, n, ldx, ldd, ldg int)

// convWGrad3x32AVX512 adds the weight gradient of 4 input × 32 output
// channels for the three taps of a kernel row over n pixels (see
// conv_amd64.s).
//
//go:noescape
func convWGrad3x32AVX512(x, d, gw *float32, n, ldx, ldd, ldg, ldt int)

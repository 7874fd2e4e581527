package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestConvDirect checks the direct float32 kernels (where AVX-512 is
// present; elsewhere the gathering path runs and the test checks that)
// against the float64 gathering path on shapes that take them: outputs,
// weight, bias and input gradients, the latter two accumulated onto
// nonzero buffers. A float32 sum of K·K·In products of unit-scale numbers
// has a rounding error of about √(K·K·In)·2^−24·Σ|terms|; 1e-4·(1 + |v|)
// bounds it with room, while a wrong tap, channel or padding is off by
// O(1).
func TestConvDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, c := range []Conv2D{
		{H: 5, W: 7, In: 32, Out: 32, K: 3},
		{H: 6, W: 4, In: 64, Out: 32, K: 3},
		{H: 3, W: 3, In: 32, Out: 64, K: 5},
		{H: 1, W: 9, In: 96, Out: 32, K: 3},
		{H: 14, W: 14, In: 32, Out: 64, K: 3},
		{H: 5, W: 6, In: 32, Out: 7, K: 3},  // outputs padded to 32
		{H: 4, W: 3, In: 64, Out: 40, K: 5}, // outputs padded to 64
	} {
		n := 3
		hw := c.H * c.W
		w := randSlice[float64](r, c.NumParams(), 0.3)
		in := randSlice[float64](r, n*hw*c.In, 1)
		dOut := randSlice[float64](r, n*hw*c.Out, 1)
		g0 := randSlice[float64](r, c.NumParams(), 1)
		dIn0 := randSlice[float64](r, n*hw*c.In, 1)
		f32 := func(x []float64) []float32 {
			y := make([]float32, len(x))
			for i, v := range x {
				y[i] = float32(v)
			}
			return y
		}
		out := make([]float64, n*hw*c.Out)
		grad := append([]float64(nil), g0...)
		dIn := append([]float64(nil), dIn0...)
		s64 := NewConvScratch[float64](c.ColLen(n))
		ConvForward(c, w, in, out, n, s64)
		ConvBackward(c, w, in, dOut, grad, dIn, n, s64)

		out32 := make([]float32, n*hw*c.Out)
		grad32, dIn32 := f32(g0), f32(dIn0)
		s32 := NewConvScratch[float32](c.ColLen(1))
		ConvForward(c, f32(w), f32(in), out32, n, s32)
		ConvBackward(c, f32(w), f32(in), f32(dOut), grad32, dIn32, n, s32)
		near := func(what string, got []float32, want []float64) {
			t.Helper()
			for i := range want {
				if math.Abs(float64(got[i])-want[i]) > 1e-4*(1+math.Abs(want[i])) {
					t.Fatalf("%+v (direct %v): %s[%d] = %v, want %v", c, direct[float32](c), what, i, got[i], want[i])
				}
			}
		}
		near("out", out32, out)
		near("grad", grad32, grad)
		near("dIn", dIn32, dIn)
		if _, pad := directPadded[float32](c); direct[float32](c) || pad {
			w32, in32, d32 := f32(w), f32(in), f32(dOut)
			if a := testing.AllocsPerRun(3, func() {
				ConvForward(c, w32, in32, out32, n, s32)
				ConvBackward(c, w32, in32, d32, grad32, dIn32, n, s32)
			}); a != 0 {
				t.Errorf("%+v: a direct forward and backward pass allocate %v times", c, a)
			}
		}
	}
}

package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestNormActKernels compares the three NormAct passes as dispatched
// (the assembly kernels on amd64 with AVX2, for channels a multiple of 8)
// with the Go loops, in float32, on random data including large |z|
// (where tanh32 clamps). The two differ only by rounding: fused
// multiply-adds in the polynomial and the order of the accumulations, a
// few float32 ulp per element and ~1e-6 relative on the sums over 37
// pixels. σ = (1 + tanh)/2 is accurate to a few ulp of 1 (not of σ), so
// y = z·σ to |z| (≤ 20 here) times that: 1e-5 absolute plus 1e-5
// relative bounds every difference, while a wrong operand or sign is off
// by O(1).
func TestNormActKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range []int{8, 24, 64, 12} {
		hw := 37
		vec := func(scale, shift float64) []float32 {
			v := make([]float32, c)
			for i := range v {
				v[i] = float32(shift + scale*(2*r.Float64()-1))
			}
			return v
		}
		x := randSlice[float32](r, hw*c, 3)
		m, rs, s, tt := vec(0.5, 0), vec(0.5, 1), vec(2, 1), vec(3, 0)
		y1, y2 := make([]float32, hw*c), make([]float32, hw*c)
		s1, s2 := make([]float32, hw*c), make([]float32, hw*c)
		normActOut(x, y1, s1, m, rs, s, tt, hw)
		normActOutGo(x, y2, s2, m, rs, s, tt, hw)
		near := func(what string, a, b []float32) {
			t.Helper()
			for i := range a {
				if d := math.Abs(float64(a[i]) - float64(b[i])); d > 1e-5+1e-5*math.Abs(float64(b[i])) {
					t.Fatalf("c = %d: %s[%d] = %v, Go loop %v", c, what, i, a[i], b[i])
				}
			}
		}
		// The statistics are the same float64 sums in the same order: equal.
		sum1, sum2 := make([]float64, c), make([]float64, c)
		normActSum(x, sum1, hw)
		normActSumGo(x, sum2, hw)
		normActSqDev(x, m, sum1, hw)
		normActSqDevGo(x, m, sum2, hw)
		for i := range sum1 {
			if sum1[i] != sum2[i] {
				t.Fatalf("c = %d: statistics %v, Go loop %v", c, sum1[i], sum2[i])
			}
		}
		near("y", y1, y2)
		near("σ", s1, s2)
		dy := randSlice[float32](r, hw*c, 1)
		d1, d2 := append([]float32(nil), dy...), append([]float32(nil), dy...)
		sa1, ta1, sa2, ta2 := vec(1, 0), vec(1, 0), make([]float32, c), make([]float32, c)
		copy(sa2, sa1)
		copy(ta2, ta1)
		normActGrad(x, d1, s2, m, rs, s, tt, sa1, ta1, hw)
		normActGradGo(x, d2, s2, m, rs, s, tt, sa2, ta2, hw)
		near("∂x̂", d1, d2)
		near("Σ∂z·x̂", sa1, sa2)
		near("Σ∂z", ta1, ta2)
		q1, q2 := vec(1, 0), vec(1, 0)
		dx1 := randSlice[float32](r, hw*c, 1)
		dx2 := append([]float32(nil), dx1...)
		normActInput(x, d2, dx1, m, rs, q1, q2, hw)
		normActInputGo(x, d2, dx2, m, rs, q1, q2, hw)
		near("∂x", dx1, dx2)
	}
}

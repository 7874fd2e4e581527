package nn

import (
	"math"
	"testing"
)

// TestTanh32 measures the rational float32 tanh, scalar and batched (the
// batch kernel is AVX2 assembly with fused multiply-adds on amd64, so it
// rounds differently), against math.Tanh on a fine grid of [−12, 12] and
// on small arguments.
func TestTanh32(t *testing.T) {
	var xs []float32
	for i := -120000; i <= 120000; i++ {
		xs = append(xs, float32(i)*1e-4)
	}
	for x := float32(1e-30); x < 1; x *= 1.01 {
		xs = append(xs, x, -x)
	}
	batch := append([]float32(nil), xs...)
	biasActRows(Tanh, false, batch, nil, make([]float32, len(xs)), 0, 1)
	var worst, worstBatch float64
	for i, x := range xs {
		want := math.Tanh(float64(x))
		// Error in units of |tanh x|·2⁻²³, an upper bound of float32's
		// spacing at tanh x (relative, so tiny x count too).
		ulp := math.Max(math.Abs(want), 1e-30) * 0x1p-23
		worst = math.Max(worst, math.Abs(float64(tanh32(x))-want)/ulp)
		worstBatch = math.Max(worstBatch, math.Abs(float64(batch[i])-want)/ulp)
	}
	t.Logf("tanh32: worst error %.2f ulp, batched %.2f ulp", worst, worstBatch)
	// Eigen documents this approximation at a few ulp; float32
	// rounding of a 13/6 rational evaluated by Horner's rule alone costs
	// ~2 ulp. 6 ulp (relative 7e-7) is far below anything training can
	// see, and a wrong coefficient in any term, or a misplaced constant
	// in the assembly, shows up as ≥ 100 ulp.
	if worst > 6 || worstBatch > 6 {
		t.Errorf("tanh32 worst error %.2f ulp, batched %.2f ulp; want ≤ 6", worst, worstBatch)
	}
	// Widths that are not multiples of 8 leave a tail to the Go loop, and
	// NaN must come out as NaN (not clamped to ±1).
	for _, w := range []int{1, 7, 9, 17} {
		z := make([]float32, 2*w)
		b := make([]float32, w)
		for i := range z {
			z[i] = float32(i) - 5
		}
		z[0] = float32(math.NaN()) // an AVX2 lane when w ≥ 8
		got := append([]float32(nil), z...)
		biasActRows(Tanh, false, got, nil, b, 0, 2)
		for i := range z {
			if i == 0 {
				if !math.IsNaN(float64(got[i])) {
					t.Errorf("w=%d: tanh(NaN) = %v", w, got[i])
				}
				continue
			}
			if e := math.Abs(float64(got[i]) - math.Tanh(float64(z[i]))); e > 6*0x1p-23 {
				t.Errorf("w=%d: tanh(%v) = %v", w, z[i], got[i])
			}
		}
	}
}

// TestTanh64 measures tanh64, scalar and batched (AVX2 assembly with a
// polynomial exponential on amd64), against math.Tanh on a fine grid of
// [−30, 30] and on small arguments.
func TestTanh64(t *testing.T) {
	var xs []float64
	for i := -300000; i <= 300000; i++ {
		xs = append(xs, float64(i)*1e-4+1e-9*float64(i%7))
	}
	for x := 1e-300; x < 1; x *= 1.001 {
		xs = append(xs, x, -x)
	}
	batch := append([]float64(nil), xs...)
	biasActRows(Tanh, false, batch, nil, make([]float64, len(xs)), 0, 1)
	var worst, worstBatch float64
	for i, x := range xs {
		want := math.Tanh(x)
		if want == 0 {
			if tanh64(x) != 0 || batch[i] != 0 {
				t.Errorf("tanh(%v) = %v, batched %v", x, tanh64(x), batch[i])
			}
			continue
		}
		ulp := math.Abs(want) * 0x1p-52
		worst = math.Max(worst, math.Abs(tanh64(x)-want)/ulp)
		worstBatch = math.Max(worstBatch, math.Abs(batch[i]-want)/ulp)
	}
	t.Logf("tanh64: worst error %.2f ulp of math.Tanh, batched %.2f", worst, worstBatch)
	// The three follow math.Tanh's algorithm; each exponential (Go's
	// assembly, fdlibm's inline, the Taylor polynomial) and each rounding
	// of 1 − 2/(e+1) is good to about an ulp: 4 ulp (relative 9e-16)
	// bounds their differences. A wrong exponential coefficient, a wrong
	// 2^k or a misplaced constant in the assembly is off by ≫ 100 ulp.
	if worst > 4 || worstBatch > 4 {
		t.Errorf("tanh64 worst error %.2f ulp, batched %.2f; want ≤ 4", worst, worstBatch)
	}
	// Widths that are not multiples of 4 leave a tail to the Go loop;
	// NaN must stay NaN and the bias must be added.
	for _, w := range []int{1, 3, 5, 9} {
		z := make([]float64, 2*w)
		b := make([]float64, w)
		for i := range z {
			z[i] = float64(i)*0.3 - 1
		}
		for i := range b {
			b[i] = 0.1 * float64(i)
		}
		z[0] = math.NaN() // an AVX2 lane when w ≥ 4
		got := append([]float64(nil), z...)
		biasActRows(Tanh, false, got, nil, b, 0, 2)
		for i := range z {
			if i == 0 {
				if !math.IsNaN(got[i]) {
					t.Errorf("w=%d: tanh(NaN) = %v", w, got[i])
				}
				continue
			}
			want := math.Tanh(z[i] + b[i%w])
			if math.Abs(got[i]-want) > 4*0x1p-52 {
				t.Errorf("w=%d: tanh(%v) = %v, want %v", w, z[i]+b[i%w], got[i], want)
			}
		}
	}
}

// TestActivationDeriv checks Deriv against central differences of Apply,
// and the batched kernels (biasAct, mulDeriv) against Apply and Deriv.
func TestActivationDeriv(t *testing.T) {
	for _, act := range acts {
		for x := -8.0; x <= 8; x += 0.01 {
			const h = 1e-5
			fd := (act.Apply(x+h) - act.Apply(x-h)) / (2 * h)
			// Truncation h²/6·|f'''| ≤ 2e-11, rounding ε/h ≈ 2e-11;
			// 1e-9 has margin. Using tanh' = 1 − x² or σ' for SiLU' is
			// off by > 1e-2 for some x in the range.
			if math.Abs(fd-act.Deriv(x)) > 1e-9 {
				t.Errorf("%v'(%v) = %v, finite difference %v", act, x, act.Deriv(x), fd)
			}
		}
		// Kernels, one row of 1601 columns, bias −0.25.
		var z, b []float64
		for x := -8.0; x <= 8; x += 0.01 {
			z = append(z, x+0.25)
			b = append(b, -0.25)
		}
		a, d := kernelsAt[float64](act, z, b)
		for i := range z {
			x := z[i] + b[i]
			// Same formula up to rounding (σ computed once vs twice).
			if math.Abs(a[i]-act.Apply(x)) > 1e-15*math.Max(1, math.Abs(x)) || math.Abs(d[i]-act.Deriv(x)) > 1e-14 {
				t.Fatalf("%v kernels at %v: %v, %v; want %v, %v", act, x, a[i], d[i], act.Apply(x), act.Deriv(x))
			}
		}
		// The float32 kernels (tanh: the rational tanh32; SiLU: σ through
		// it) on the same row, 1601 columns: the assembly kernel's blocks,
		// the zero bias's chunks of 256 and a tail. tanh32 is within 3 ulp
		// (6e-8 near 1), so σ = (1 + tanh(v/2))/2 is within 1e-7 and
		// z·σ within 1e-7·|z| plus rounding; 1e-6·max(1, |x|) has margin,
		// and tanh(v) for tanh(v/2) or a dropped ½ is off by 0.1 or more.
		z32, d32 := kernelsAt[float32](act, z, b)
		for i := range z {
			x := float64(float32(z[i]) + float32(b[i]))
			if math.Abs(float64(z32[i])-act.Apply(x)) > 1e-6*math.Max(1, math.Abs(x)) || math.Abs(float64(d32[i])-act.Deriv(x)) > 1e-6*math.Max(1, math.Abs(x)) {
				t.Fatalf("%v float32 kernels at %v: %v, %v; want %v, %v", act, x, z32[i], d32[i], act.Apply(x), act.Deriv(x))
			}
		}
	}
}

// kernelsAt runs the batched kernels in width T on one row z with bias b:
// act(z + b) from biasActRows and act'(z + b) from mulDerivRange on a
// gradient of ones.
func kernelsAt[T Float](act Activation, z, b []float64) (a, d []T) {
	a, s, bt := make([]T, len(z)), make([]T, len(z)), make([]T, len(z))
	d = make([]T, len(z))
	for i := range z {
		a[i], bt[i], d[i] = T(z[i]), T(b[i]), 1
	}
	biasActRows(act, false, a, s, bt, 0, 1)
	mulDerivRange(act, d, a, s, 0, len(d))
	return a, d
}

package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveCrossEntropy is the definition −(1/n) Σ_i log(e^{z_iy}/Σ_c e^{z_ic})
// without the max shift, for logits of moderate size.
func naiveCrossEntropy(z []float64, y []int, c int) float64 {
	s := 0.0
	for i, yi := range y {
		den := 0.0
		for _, v := range z[i*c : (i+1)*c] {
			den += math.Exp(v)
		}
		s -= math.Log(math.Exp(z[i*c+yi]) / den)
	}
	return s / float64(len(y))
}

func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n, c = 5, 7
	z := randSlice[float64](r, n*c, 2)
	y := make([]int, n)
	for i := range y {
		y[i] = r.IntN(c)
	}
	grad := make([]float64, n*c)
	loss := SoftmaxCrossEntropy(grad, z, y, c)
	if want := naiveCrossEntropy(z, y, c); math.Abs(loss-want) > 1e-12*want {
		t.Fatalf("loss %v, definition gives %v", loss, want)
	}
	// Central differences: error O(h²·L''') ≈ 1e-10 at h = 1e-5, far
	// below the 1e-7 tolerance; a wrong sign, a missing 1/n or a missing
	// one-hot term is off by 1e-2 or more.
	const h = 1e-5
	for k := range z {
		zp := append([]float64(nil), z...)
		zm := append([]float64(nil), z...)
		zp[k] += h
		zm[k] -= h
		fd := (naiveCrossEntropy(zp, y, c) - naiveCrossEntropy(zm, y, c)) / (2 * h)
		if math.Abs(fd-grad[k]) > 1e-7 {
			t.Errorf("∂L/∂z[%d] = %v, finite difference %v", k, grad[k], fd)
		}
	}
}

func TestSoftmaxCrossEntropyStable(t *testing.T) {
	// Logits of 1000 overflow e^z; shifted by the row maximum the loss of
	// (1000, 0) with label 1 is log(1 + e^1000) ≈ 1000, and the gradient is
	// (1, −1)/n to rounding. In float32 too, aliasing dOut with logits.
	z := []float32{1000, 0, 0, 1000}
	loss := SoftmaxCrossEntropy(z, z, []int{1, 1}, 2)
	if math.Abs(loss-500) > 1e-9 {
		t.Fatalf("loss %v, want 500 (mean of 1000 and 0)", loss)
	}
	want := []float32{0.5, -0.5, 0, 0}
	for i := range z {
		if math.Abs(float64(z[i]-want[i])) > 1e-7 {
			t.Fatalf("gradient %v, want %v", z, want)
		}
	}
}

func TestArgmax(t *testing.T) {
	got := Argmax(make([]int, 3), []float32{0, 2, 1, 5, 5, -1, -3, -2, -2.5}, 3)
	want := []int{1, 0, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Argmax = %v, want %v", got, want)
		}
	}
}

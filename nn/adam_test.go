package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdamTwoSteps checks two Adam steps against values worked out by hand
// from the definition (β1 = 0.9, β2 = 0.999, lr = 0.1):
//
//	step 1, g = 1:  m = 0.1, v = 0.001, m̂ = 1, v̂ = 1,
//	                θ1 = θ0 − 0.1·1/(1 + ε)
//	step 2, g = −2: m = 0.9·0.1 − 0.1·2 = −0.11,  m̂ = −0.11/(1 − 0.81)
//	                v = 0.999·0.001 + 0.001·4 = 0.004999, v̂ = 0.004999/0.001999
//	                θ2 = θ1 + 0.1·(0.11/0.19)/(√v̂ + ε)
//
// A second element with zero gradient must not move, and a third with
// gradient scaled by 1000 must move exactly like the first when ε is tiny
// (Adam is invariant to the gradient's scale). With ε = 0.5 the placement
// of ε (outside √v̂, after the bias correction) is tested too: √v + ε or
// √(v̂ + ε) would give other numbers.
func TestAdamTwoSteps(t *testing.T) {
	for _, eps := range []float64{1e-8, 0.5} {
		want1 := 1 - 0.1*1/(1+eps)
		want2 := want1 + 0.1*(0.11/0.19)/(math.Sqrt(0.004999/0.001999)+eps)
		wantBig1 := 1 - 0.1*1000/(1000+eps)
		wantBig2 := wantBig1 + 0.1*(110/0.19)/(1000*math.Sqrt(0.004999/0.001999)+eps)

		// Seven parameters cycling through the three cases: on amd64
		// four go through the AVX2 kernel, three through the Go tail.
		const n = 7
		a := NewAdam[float64](n)
		a.Eps = eps
		p, g1, g2 := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range p {
			p[i] = []float64{1, -3, 1}[i%3]
			g1[i] = []float64{1, 0, 1000}[i%3]
			g2[i] = []float64{-2, 0, -2000}[i%3]
		}
		check := func(step int, want0, want2 float64) {
			for i := range p {
				want := []float64{want0, -3, want2}[i%3]
				// The closed forms and the implementation differ only
				// in rounding (a few ulps of 1): 1e-14. A parameter with
				// zero gradient must not move at all.
				if math.Abs(p[i]-want) > 1e-14 || (i%3 == 1 && p[i] != -3) {
					t.Errorf("ε=%v step %d: θ[%d] = %v, want %v", eps, step, i, p[i], want)
				}
			}
		}
		a.Update(p, g1, 0.1)
		check(1, want1, wantBig1)
		a.Update(p, g2, 0.1)
		check(2, want2, wantBig2)
		if a.Step != 2 {
			t.Errorf("Step = %d after two updates", a.Step)
		}
	}
}

// TestAdamFloat32 checks that float32 Adam follows float64 Adam over many
// steps of the same gradients.
func TestAdamFloat32(t *testing.T) {
	// 13 parameters: eight in an AVX2 block on amd64, five in the Go tail.
	const n = 13
	a64, a32 := NewAdam[float64](n), NewAdam[float32](n)
	p64, p32 := make([]float64, n), make([]float32, n)
	for i := range p64 {
		p64[i] = math.Cos(float64(i))
		p32[i] = float32(p64[i])
	}
	g64 := make([]float64, n)
	g32 := make([]float32, n)
	for step := range 50 {
		for i := range g64 {
			g64[i] = math.Sin(float64(step*(i+1))) * math.Pow(10, float64(i%5-2))
			g32[i] = float32(g64[i])
		}
		a64.Update(p64, g64, 0.01)
		a32.Update(p32, g32, 0.01)
	}
	for i := range p64 {
		// 50 steps of size ≤ 0.01, each with float32 relative error
		// ~1e-7: the paths differ by ≲ 50·0.01·1e-6; 1e-5 has margin.
		// Each step moves a parameter by ~0.01, so a wrong moment, a
		// missing bias correction or a swapped lane is off by ≫ 1e-5.
		if math.Abs(float64(p32[i])-p64[i]) > 1e-5 {
			t.Errorf("θ[%d]: float32 %v, float64 %v", i, p32[i], p64[i])
		}
	}
}

func TestAdamNilState(t *testing.T) {
	a := &Adam[float64]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	p := []float64{1}
	a.Update(p, []float64{1}, 0.1)
	if len(a.M) != 1 || math.Abs(p[0]-(1-0.1/(1+1e-8))) > 1e-15 {
		t.Errorf("Adam with nil state: θ = %v, M = %v", p, a.M)
	}
}

// TestAdamUpdateEMA checks that the fused pass gives, bit for bit, Update
// followed by ema += (1−β)(params − ema), in both precisions, on a vector
// longer than the fused pass's blocks and not a multiple of the lanes.
func TestAdamUpdateEMA(t *testing.T) {
	testAdamUpdateEMA[float32](t)
	testAdamUpdateEMA[float64](t)
}

func testAdamUpdateEMA[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	n := 3*grain + 4099
	p1 := randSlice[T](r, n, 1)
	e1 := randSlice[T](r, n, 1)
	p2, e2 := append([]T(nil), p1...), append([]T(nil), e1...)
	a1, a2 := NewAdam[T](n), NewAdam[T](n)
	beta := 0.99
	for step := 0; step < 3; step++ {
		g := randSlice[T](r, n, 1)
		a1.UpdateEMA(p1, g, 1e-2, e1, beta)
		a2.Update(p2, g, 1e-2)
		c := T(1 - beta) // as gk's emaUpdate
		for i, v := range p2 {
			e2[i] += c * (v - e2[i])
		}
	}
	for i := range p1 {
		if p1[i] != p2[i] || e1[i] != e2[i] {
			t.Fatalf("%T at %d: fused %v, %v; separate %v, %v", p1[0], i, p1[i], e1[i], p2[i], e2[i])
		}
	}
}

// TestSumSquares compares SumSquares with a plain float64 sum (equal to
// rounding: a sum of n positive terms in any order is within n·2⁻⁵³
// relative of the exact one, so the two within n·2⁻⁵²) and checks that it
// gives the same bits whatever the number of cores and allocates nothing.
func TestSumSquares(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{0, 1, 7, sumSqBlock, 3*sumSqBlock + 5, 40*sumSqBlock + 3} {
		x := randSlice[float32](r, n, 2)
		want := 0.0
		for _, v := range x {
			want += float64(v) * float64(v)
		}
		s := NewSumSquares[float32](n)
		got := s.Of(x)
		if math.Abs(got-want) > float64(n)*0x1p-52*want {
			t.Fatalf("n = %d: %v, want %v", n, got, want)
		}
		serial := 0.0
		for b := 0; b*sumSqBlock < n; b++ {
			s.x = x
			sumSqJob[float32](s, b, b+1)
			serial += s.parts[b]
		}
		s.x = nil
		if serial != got {
			t.Fatalf("n = %d: parallel %v, block by block %v", n, got, serial)
		}
		if a := testing.AllocsPerRun(3, func() { s.Of(x) }); a != 0 {
			t.Errorf("SumSquares allocates %v times", a)
		}
	}
}

// TestSumSq32 checks the float32 block sum against its definition in Go:
// sixteen running sums of the rounded squares, entry i into sum i mod 16,
// added pairwise (8, 4, 2, 1) at the end; the assembly must give the same
// bits, for lengths with and without a tail.
func TestSumSq32(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for _, n := range []int{0, 5, 16, 37, 1000, sumSqBlock} {
		x := randSlice[float32](r, n, 3)
		var acc [16]float64
		for i, v := range x {
			acc[i%16] += float64(v) * float64(v)
		}
		for w := 8; w >= 1; w /= 2 {
			for l := 0; l < w; l++ {
				acc[l] += acc[l+w]
			}
		}
		if got := sumSq32(x); math.Float64bits(got) != math.Float64bits(acc[0]) {
			t.Errorf("n = %d: %v, want %v (AVX2 %v)", n, got, acc[0], haveAVX2)
		}
	}
}

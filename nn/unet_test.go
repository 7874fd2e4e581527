package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

var testUNetSpec = UNetSpec{H: 4, W: 6, C: 2, Cond: 3, Out: 3, Widths: []int{4, 6}, Embed: 5, Groups: 2}

// randomUNet is a network of spec s with every parameter random (the
// zero-initialized layers of NewUNet would hide parts of the gradient).
func randomUNet[T Float](s UNetSpec, r *rand.Rand) *UNet[T] {
	u := NewUNet[T](s, r)
	for i := range u.Params {
		u.Params[i] = T(0.5 * (2*r.Float64() - 1))
	}
	return u
}

// TestUNetFiniteDifferences checks every parameter gradient and the
// gradients with respect to the images and the conditioning of
// L = Σ R ⊙ out against central differences, in float64. The network is
// smooth (SiLU, GroupNorm with ε), so the central difference is accurate
// to O(h²) ≈ 1e-10; the tolerance 1e-6 relative leaves room for that and
// for rounding, while a wrong term of the chain rule is off by O(1).
func TestUNetFiniteDifferences(t *testing.T) {
	for _, s := range []UNetSpec{testUNetSpec, {H: 2, W: 2, C: 1, Cond: 1, Out: 2, Widths: []int{3}, Embed: 2, Groups: 3},
		{H: 4, W: 4, C: 1, Cond: 2, Out: 2, Widths: []int{3, 4}, Embed: 3, Groups: 2, Blocks: 2}} {
		r := rand.New(rand.NewPCG(1, 2))
		u := randomUNet[float64](s, r)
		n := 3
		d := s.H * s.W * s.C
		img := randSlice[float64](r, n*d, 1)
		cond := randSlice[float64](r, n*s.Cond, 1)
		rw := randSlice[float64](r, n*s.H*s.W*s.Out, 1)
		ws := u.NewWorkspace(n)
		loss := func() float64 {
			out := u.Forward(ws, img, cond, n)
			l := 0.0
			for i, v := range out {
				l += v * rw[i]
			}
			return l
		}
		loss()
		grad := make([]float64, len(u.Params))
		dImg, dCond := make([]float64, len(img)), make([]float64, len(cond))
		u.Backward(ws, rw, grad, dImg, dCond)
		const h = 1e-5
		check := func(what string, x, g []float64) {
			t.Helper()
			for i := range x {
				v := x[i]
				x[i] = v + h
				lp := loss()
				x[i] = v - h
				lm := loss()
				x[i] = v
				if fd := (lp - lm) / (2 * h); math.Abs(fd-g[i]) > 1e-6*(1+math.Abs(fd)) {
					t.Fatalf("%v: ∂L/∂%s[%d] = %v, finite difference %v", s, what, i, g[i], fd)
				}
			}
		}
		check("params", u.Params, grad)
		check("img", img, dImg)
		check("cond", cond, dCond)

		// Backward without the parameter gradient gives the same input
		// gradients; a second Backward after the same Forward too.
		dImg2, dCond2 := make([]float64, len(img)), make([]float64, len(cond))
		loss()
		u.Backward(ws, rw, nil, dImg2, dCond2)
		for i := range dImg {
			if math.Abs(dImg[i]-dImg2[i]) > 1e-12 {
				t.Fatalf("dImg without grad differs at %d: %v vs %v", i, dImg2[i], dImg[i])
			}
		}
	}
}

// TestUNetFloat32 runs the float32 network on the float64 one's weights
// (rounding differences only, the float32 sigmoid included), checks the
// output shape, that a training step allocates nothing, and Clone.
func TestUNetFloat32(t *testing.T) {
	s := UNetSpec{H: 8, W: 8, C: 1, Cond: 4, Out: 3, Widths: []int{8, 16, 16}, Embed: 16, Groups: 4}
	r := rand.New(rand.NewPCG(3, 4))
	u64 := randomUNet[float64](s, r)
	u32 := NewUNet[float32](s, r)
	for i, v := range u64.Params {
		u32.Params[i] = float32(v)
	}
	n := 4
	img := randSlice[float64](r, n*64, 1)
	cond := randSlice[float64](r, n*4, 1)
	img32, cond32 := make([]float32, len(img)), make([]float32, len(cond))
	for i, v := range img {
		img32[i] = float32(v)
	}
	for i, v := range cond {
		cond32[i] = float32(v)
	}
	want := u64.Forward(u64.NewWorkspace(n), img, cond, n)
	ws := u32.NewWorkspace(n)
	got := u32.Forward(ws, img32, cond32, n)
	if len(got) != n*64*3 {
		t.Fatalf("%d outputs, want %d", len(got), n*64*3)
	}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > 1e-3*(1+math.Abs(want[i])) {
			t.Fatalf("float32 out[%d] = %v, float64 %v", i, got[i], want[i])
		}
	}
	grad := make([]float32, len(u32.Params))
	dImg := make([]float32, len(img32))
	// gonum's pure-Go Gemm allocates for products this large (see
	// TestTrainStepAllocs), so the count is checked on a native BLAS.
	if info, _ := BLAS(); !info.Native() {
	} else if a := testing.AllocsPerRun(5, func() {
		out := u32.Forward(ws, img32, cond32, n)
		u32.Backward(ws, out, grad, dImg, nil)
	}); a != 0 {
		t.Errorf("a U-Net step allocates %v times", a)
	}
	c := u32.Clone()
	p0 := c.Params[0]
	c.Params[0]++
	if u32.Params[0] == c.Params[0] {
		t.Error("Clone shares its parameters")
	}
	c.Params[0] = p0
	out := c.Forward(c.NewWorkspace(n), img32, cond32, n)
	for i := range out {
		if out[i] != got[i] {
			t.Fatalf("clone evaluates differently at %d", i)
		}
	}
	if UNetParams(s) != len(u32.Params) {
		t.Errorf("UNetParams = %d, network has %d", UNetParams(s), len(u32.Params))
	}
}

// TestUNetSpecValidate refuses shapes the pooling cannot halve.
func TestUNetSpecValidate(t *testing.T) {
	s := testUNetSpec
	s.H = 5
	if s.Validate() == nil {
		t.Error("odd height with two levels accepted")
	}
	s = testUNetSpec
	s.Widths = nil
	if s.Validate() == nil {
		t.Error("no levels accepted")
	}
	for _, b := range []int{-1, MaxUNetBlocks + 1} {
		s = testUNetSpec
		s.Blocks = b
		if s.Validate() == nil {
			t.Errorf("%d blocks per level accepted", b)
		}
	}
}

// TestUNetBlocks: a second block per level adds, on each side of the U
// and at every level of c channels, two 3×3 convolutions c → c (9c² + c
// parameters each) and two NormActs, whose scale and shift (2c each) are
// outputs of E's last layer (Embed + 1 parameters each).
func TestUNetBlocks(t *testing.T) {
	one := testUNetSpec
	two := one
	two.Blocks = 2
	want := 0
	for _, c := range one.Widths {
		want += 2 * (2*(9*c*c+c) + 2*2*c*(one.Embed+1))
	}
	if got := UNetParams(two) - UNetParams(one); got != want {
		t.Errorf("a second block per level adds %d parameters, want %d", got, want)
	}
	explicit := one
	explicit.Blocks = 1
	if UNetParams(explicit) != UNetParams(one) {
		t.Error("Blocks 1 differs from the default")
	}
}

// TestUNetDirectFloat32 runs a U-Net whose 3×3 layers take the direct
// convolution kernels (widths multiples of 32) in float32 against the same
// network in float64 (gathering path, Go NormAct loops): outputs, every
// parameter gradient and the image and conditioning gradients. float32
// rounding (2⁻²⁴ per operation, through a dozen layers and GroupNorm's
// divisions) stays far below 1e-3 of each vector's largest entry, while a
// wrong tap, channel block or padding moves entries by O(1) of it. It also
// checks that a float32 step allocates nothing.
func TestUNetDirectFloat32(t *testing.T) {
	s := UNetSpec{H: 4, W: 6, C: 1, Cond: 3, Out: 3, Widths: []int{32, 64}, Embed: 8, Groups: 8}
	r := rand.New(rand.NewPCG(17, 18))
	u64 := randomUNet[float64](s, r)
	for i := range u64.Params {
		u64.Params[i] *= 0.2 // keep the activations near unit scale
	}
	u32 := NewUNet[float32](s, r)
	for i, v := range u64.Params {
		u32.Params[i] = float32(v)
	}
	n := 3
	img := randSlice[float64](r, n*s.H*s.W*s.C, 1)
	cond := randSlice[float64](r, n*s.Cond, 1)
	dOut := randSlice[float64](r, n*s.H*s.W*s.Out, 1)
	f32 := func(x []float64) []float32 {
		y := make([]float32, len(x))
		for i, v := range x {
			y[i] = float32(v)
		}
		return y
	}
	ws64, ws32 := u64.NewWorkspace(n), u32.NewWorkspace(n)
	out64 := append([]float64(nil), u64.Forward(ws64, img, cond, n)...)
	g64, dImg64, dCond64 := make([]float64, len(u64.Params)), make([]float64, len(img)), make([]float64, len(cond))
	u64.Backward(ws64, dOut, g64, dImg64, dCond64)
	img32, cond32, dOut32 := f32(img), f32(cond), f32(dOut)
	out32 := u32.Forward(ws32, img32, cond32, n)
	g32, dImg32, dCond32 := make([]float32, len(u32.Params)), make([]float32, len(img)), make([]float32, len(cond))
	u32.Backward(ws32, dOut32, g32, dImg32, dCond32)
	near := func(what string, got []float32, want []float64) {
		t.Helper()
		scale := 0.0
		for _, v := range want {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range want {
			if math.Abs(float64(got[i])-want[i]) > 1e-3*scale {
				t.Fatalf("%s[%d] = %v in float32, %v in float64 (largest %v)", what, i, got[i], want[i], scale)
			}
		}
	}
	near("out", out32, out64)
	near("grad", g32, g64)
	near("dImg", dImg32, dImg64)
	near("dCond", dCond32, dCond64)
	if info, _ := BLAS(); info.Native() {
		if a := testing.AllocsPerRun(3, func() {
			u32.Forward(ws32, img32, cond32, n)
			u32.Backward(ws32, dOut32, g32, dImg32, dCond32)
		}); a != 0 {
			t.Errorf("a U-Net step allocates %v times", a)
		}
	}
}

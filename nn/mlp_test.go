package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

func randSlice[T Float](r *rand.Rand, n int, scale float64) []T {
	x := make([]T, n)
	for i := range x {
		x[i] = T(scale * r.NormFloat64())
	}
	return x
}

// naiveForward evaluates the network one sample at a time with plain loops
// straight from the definition y = act(x·W + b), in float64.
func naiveForward[T Float](m *MLP[T], in []T, n int) []float64 {
	var out []float64
	L := m.Layers()
	for i := 0; i < n; i++ {
		x := make([]float64, m.Sizes[0])
		for j := range x {
			x[j] = float64(in[i*m.Sizes[0]+j])
		}
		for l := 0; l < L; l++ {
			w, b := m.Layer(l)
			din, dout := m.Sizes[l], m.Sizes[l+1]
			y := make([]float64, dout)
			for k := 0; k < dout; k++ {
				s := float64(b[k])
				for j := 0; j < din; j++ {
					s += x[j] * float64(w[j*dout+k])
				}
				if l < L-1 {
					s = m.Act.Apply(s)
				}
				y[k] = s
			}
			x = y
		}
		out = append(out, x...)
	}
	return out
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// randomNet returns a network with random (not zero) biases, so that the
// bias paths are exercised.
func randomNet[T Float](sizes []int, act Activation, r *rand.Rand) *MLP[T] {
	m := NewMLP[T](sizes, act, r)
	for l := 0; l < m.Layers(); l++ {
		_, b := m.Layer(l)
		for i := range b {
			b[i] = T(0.3 * r.NormFloat64())
		}
	}
	return m
}

var acts = []Activation{Tanh, SiLU}

func TestForwardMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, act := range acts {
		m := randomNet[float64]([]int{3, 7, 5, 2}, act, r)
		ws := m.NewWorkspace(10)
		const n = 9 // fewer rows than the workspace holds
		in := randSlice[float64](r, n*3, 1)
		got := m.Forward(ws, in, n)
		want := naiveForward(m, in, n)
		if len(got) != len(want) {
			t.Fatalf("%v: len %d, want %d", act, len(got), len(want))
		}
		// Same sums in another order: rounding ~1e-16 per term; 1e-12
		// absolute on outputs of order 1. A transposed W, a missing bias
		// or activation is off by O(0.1).
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Errorf("%v: out[%d] = %v, want %v", act, i, got[i], want[i])
			}
		}
	}
}

// TestForwardFloat32 checks the float32 path (its BLAS boundary and the
// rational tanh) against the float64 network with the same weights.
func TestForwardFloat32(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, act := range acts {
		m64 := randomNet[float64]([]int{4, 16, 16, 3}, act, r)
		m32 := &MLP[float32]{Sizes: m64.Sizes, Act: act, Params: make([]float32, len(m64.Params))}
		for i, p := range m64.Params {
			m32.Params[i] = float32(p)
		}
		const n = 20
		in64 := randSlice[float64](r, n*4, 1)
		in32 := make([]float32, len(in64))
		for i, v := range in64 {
			in32[i] = float32(v)
		}
		want := naiveForward(m32, in32, n) // float32 weights, float64 arithmetic
		got := m32.Forward(m32.NewWorkspace(n), in32, n)
		// float32 rounding: each of ≤ 17 terms per dot product carries a
		// relative 6e-8 error, three layers deep, outputs of order 1:
		// 1e-5 absolute is ~10× that. A float64/float32 mix-up in the
		// BLAS boundary gives garbage, a wrong tanh32 coefficient ≥ 1e-3.
		for i := range got {
			if math.Abs(float64(got[i])-want[i]) > 1e-5 {
				t.Errorf("%v: out[%d] = %v, want %v", act, i, got[i], want[i])
			}
		}
	}
}

// TestBatchRowsIndependent checks that a batch gives row by row what one
// row at a time gives (strides and leading dimensions).
func TestBatchRowsIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	m := randomNet[float64]([]int{3, 8, 4}, Tanh, r)
	ws := m.NewWorkspace(16)
	in := randSlice[float64](r, 11*3, 1)
	batch := append([]float64(nil), m.Forward(ws, in, 11)...)
	for i := 0; i < 11; i++ {
		one := m.Forward(ws, in[i*3:i*3+3], 1)
		for j := range one {
			// One row of the same Gemm: rounding only.
			if math.Abs(one[j]-batch[i*4+j]) > 1e-14 {
				t.Fatalf("row %d col %d: %v alone, %v in batch", i, j, one[j], batch[i*4+j])
			}
		}
	}
}

// lossAt returns the MSE of m on (in, target).
func lossAt(m *MLP[float64], ws *Workspace[float64], in, target []float64, n int) float64 {
	out := m.Forward(ws, in, n)
	d := make([]float64, len(out))
	return MSE(d, out, target)
}

// TestBackwardFiniteDifferences compares ∂L/∂Params and ∂L/∂in with
// central differences of L = MSE(net(in), target), for every parameter and
// every input.
func TestBackwardFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	// n = 1 goes through Gemv and Ger instead of Gemm.
	for _, c := range []struct {
		act Activation
		n   int
	}{{Tanh, 7}, {SiLU, 7}, {Tanh, 1}, {SiLU, 1}} {
		act, n := c.act, c.n
		m := randomNet[float64]([]int{3, 6, 5, 2}, act, r)
		ws := m.NewWorkspace(n)
		in := randSlice[float64](r, n*3, 1)
		target := randSlice[float64](r, n*2, 1)

		out := m.Forward(ws, in, n)
		dOut := make([]float64, len(out))
		MSE(dOut, out, target)
		grad := make([]float64, len(m.Params))
		dIn := make([]float64, len(in))
		m.Backward(ws, dOut, grad, dIn)

		// Central differences: truncation h²/6·|L'''| ≈ 2e-11 and
		// rounding ε·|L|/h ≈ 2e-11 for h = 1e-5 and L, L''' = O(1), so
		// errors near 1e-10 against gradients of order 0.1: the bound
		// 1e-7·max|g| has 100× margin. A missing act' factor, a wrong
		// transpose or a bias gradient over the wrong axis is off by
		// more than 1e-2·max|g|.
		const h = 1e-5
		fd := func(x []float64, i int) float64 {
			x0 := x[i]
			x[i] = x0 + h
			lp := lossAt(m, ws, in, target, n)
			x[i] = x0 - h
			lm := lossAt(m, ws, in, target, n)
			x[i] = x0
			return (lp - lm) / (2 * h)
		}
		tol := 1e-7 * maxAbs(grad)
		for i := range m.Params {
			if e := fd(m.Params, i); math.Abs(e-grad[i]) > tol {
				t.Errorf("%v n=%d: ∂L/∂θ[%d] = %v, finite difference %v", act, n, i, grad[i], e)
			}
		}
		tol = 1e-7 * maxAbs(dIn)
		for i := range in {
			if e := fd(in, i); math.Abs(e-dIn[i]) > tol {
				t.Errorf("%v n=%d: ∂L/∂in[%d] = %v, finite difference %v", act, n, i, dIn[i], e)
			}
		}
	}
}

// TestBackwardModes checks that gradients accumulate, that dIn alone (no
// grad) gives the same dIn, that Backward may repeat after one Forward, and
// that dIn is left untouched when not asked for.
func TestBackwardModes(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	m := randomNet[float64]([]int{2, 5, 5, 3}, SiLU, r)
	const n = 4
	ws := m.NewWorkspace(n)
	in := randSlice[float64](r, n*2, 1)
	dOut := randSlice[float64](r, n*3, 1)
	m.Forward(ws, in, n)

	g1 := make([]float64, len(m.Params))
	d1 := make([]float64, len(in))
	m.Backward(ws, dOut, g1, d1)
	g2 := append([]float64(nil), g1...)
	m.Backward(ws, dOut, g2, nil)
	d2 := make([]float64, len(in))
	m.Backward(ws, dOut, nil, d2)
	for i := range g1 {
		// g2 = g1 + g1 up to rounding: Gemm with β = 1 adds the products
		// into g2 one by one, so the error is a few ulps of the terms'
		// magnitudes, ≤ 1e-15·max|g| here; 1e-12·max|g| is generous and
		// a grad that is overwritten instead of added to is off by max|g|.
		if math.Abs(g2[i]-2*g1[i]) > 1e-12*maxAbs(g1) {
			t.Fatalf("grad does not accumulate: %v after two, %v after one", g2[i], g1[i])
		}
	}
	for i := range d1 {
		if d1[i] != d2[i] {
			t.Fatalf("dIn without grad = %v, with grad %v", d2[i], d1[i])
		}
	}
}

// TestBackwardFresh checks that BackwardFresh overwrites a gradient
// buffer full of garbage (NaN included) with exactly the bits of ZeroGrad
// followed by Backward, whole and (with a native BLAS on one thread and
// several cores) split into blocks, for a batch of one row too (its
// products are matrix–vector products), and that dIn is the same.
func TestBackwardFresh(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	r := rand.New(rand.NewPCG(9, 11))
	m := randomNet[float32]([]int{6, 40, 33, 9}, Tanh, r)
	for _, threads := range []int{2, 1} {
		prev := SetBLASThreads(threads)
		for _, n := range []int{1, 100} {
			ws := m.NewWorkspace(n)
			in := randSlice[float32](r, n*6, 1)
			dOut := randSlice[float32](r, n*9, 1)
			m.Forward(ws, in, n)
			want := make([]float32, len(m.Params))
			dWant := make([]float32, len(in))
			m.Backward(ws, dOut, want, dWant)
			got := randSlice[float32](r, len(m.Params), 100)
			got[len(got)/2], got[len(got)-1] = float32(math.NaN()), float32(math.Inf(1))
			dGot := randSlice[float32](r, len(in), 1)
			m.BackwardFresh(ws, dOut, got, dGot)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("threads %d, n = %d, parts %d: grad[%d] = %v fresh, %v after ZeroGrad", threads, n, ws.parts, i, got[i], want[i])
				}
			}
			for i := range dWant {
				if dGot[i] != dWant[i] {
					t.Fatalf("threads %d, n = %d: dIn[%d] = %v fresh, %v", threads, n, i, dGot[i], dWant[i])
				}
			}
		}
		SetBLASThreads(prev)
	}
}

func TestNewMLP(t *testing.T) {
	sizes := []int{20, 300, 300, 10}
	a := NewMLP[float64](sizes, Tanh, rand.New(rand.NewPCG(11, 12)))
	b := NewMLP[float64](sizes, Tanh, rand.New(rand.NewPCG(11, 12)))
	c := NewMLP[float64](sizes, Tanh, rand.New(rand.NewPCG(11, 13)))
	f := NewMLP[float32](sizes, Tanh, rand.New(rand.NewPCG(11, 12)))
	if len(a.Params) != (20+1)*300+(300+1)*300+(300+1)*10 {
		t.Fatalf("len(Params) = %d", len(a.Params))
	}
	for i := range a.Params {
		if a.Params[i] != b.Params[i] {
			t.Fatal("same seed, different weights")
		}
		if float32(a.Params[i]) != f.Params[i] {
			t.Fatal("float32 network differs from the float64 one of the same seed")
		}
	}
	for l := 0; l < a.Layers(); l++ {
		wa, _ := a.Layer(l)
		wc, _ := c.Layer(l)
		for i := range wa {
			if wa[i] == wc[i] { // independent draws: equal with probability ~0
				t.Fatalf("different seeds, same weight %d of layer %d", i, l)
			}
		}
	}
	for _, act := range acts {
		m := NewMLP[float64](sizes, act, rand.New(rand.NewPCG(1, 1)))
		for l := 0; l < m.Layers(); l++ {
			w, bias := m.Layer(l)
			for _, v := range bias {
				if v != 0 {
					t.Fatal("bias not zero")
				}
			}
			in, out := float64(sizes[l]), float64(sizes[l+1])
			s := math.Sqrt(6 / (in + out)) // Glorot
			if act == SiLU && l < m.Layers()-1 {
				s = math.Sqrt(6 / in) // He
			}
			var sum2 float64
			for _, v := range w {
				if math.Abs(v) > s {
					t.Fatalf("%v layer %d: |w| = %v beyond the bound %v", act, l, v, s)
				}
				sum2 += v * v
			}
			// Uniform on [−s, s]: E w² = s²/3, Var w² = 4s⁴/45; the
			// mean of N ≥ 3000 squares has relative standard error
			// √(4/5/N) ≤ 1.7%; 8% is > 4.5 standard errors. The other
			// scheme's s differs by ≥ 30% in every layer here.
			ms := sum2 / float64(len(w))
			if math.Abs(ms/(s*s/3)-1) > 0.08 {
				t.Errorf("%v layer %d: mean w² = %v, want %v", act, l, ms, s*s/3)
			}
		}
	}
}

func TestClone(t *testing.T) {
	m := NewMLP[float64]([]int{2, 3, 1}, Tanh, rand.New(rand.NewPCG(1, 2)))
	c := m.Clone()
	c.Params[0]++
	c.Sizes[0]++
	if m.Params[0] == c.Params[0] || m.Sizes[0] == c.Sizes[0] {
		t.Fatal("Clone shares memory with the original")
	}
}

// trainStep is one training step on MSE: forward, loss gradient, backward,
// Adam.
func trainStep[T Float](m *MLP[T], ws *Workspace[T], opt *Adam[T], grad, dOut, in, target []T, n int) float64 {
	out := m.Forward(ws, in, n)
	loss := MSE(dOut, out, target)
	ZeroGrad(grad)
	m.Backward(ws, dOut, grad, nil)
	opt.Update(m.Params, grad, 1e-3)
	return loss
}

// TestTrainStepAllocs checks that a whole training step allocates nothing.
// The network is small enough that gonum's pure-Go Gemm stays serial (it
// spawns goroutines, and allocates, for products of four or more 64×64
// blocks); with OpenBLAS a large network is checked too.
func TestTrainStepAllocs(t *testing.T) {
	type tc struct {
		sizes []int
		n     int
	}
	cases := []tc{{[]int{5, 32, 32, 6}, 64}}
	if info, _ := BLAS(); info.Native() {
		cases = append(cases, tc{[]int{50, 256, 256, 100}, 256})
	}
	for _, c := range cases {
		for _, act := range acts {
			t.Run(fmt.Sprint(c.sizes, act), func(t *testing.T) {
				checkAllocs[float64](t, c.sizes, act, c.n)
				checkAllocs[float32](t, c.sizes, act, c.n)
			})
		}
	}
}

func checkAllocs[T Float](t *testing.T, sizes []int, act Activation, n int) {
	r := rand.New(rand.NewPCG(1, 2))
	m := NewMLP[T](sizes, act, r)
	ws := m.NewWorkspace(n)
	opt := NewAdam[T](len(m.Params))
	grad := make([]T, len(m.Params))
	in := randSlice[T](r, n*m.In(), 1)
	target := randSlice[T](r, n*m.Out(), 1)
	dOut := make([]T, n*m.Out())
	dIn := make([]T, n*m.In())
	allocs := testing.AllocsPerRun(5, func() {
		trainStep(m, ws, opt, grad, dOut, in, target, n)
		m.Backward(ws, dOut, nil, dIn)
		m.Forward(ws, in[:m.In()], 1)
	})
	if allocs != 0 {
		t.Errorf("%T: %v allocations per step, want 0", T(0), allocs)
	}
}

// TestTrainingReducesLoss is an end-to-end check: a few hundred Adam steps
// fit a smooth function (the loss must drop by 10×; an update with the
// wrong sign or a wrong gradient makes it grow or stall).
func TestTrainingReducesLoss(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, act := range acts {
		m := NewMLP[float32]([]int{2, 32, 32, 1}, act, r)
		const n = 64
		ws := m.NewWorkspace(n)
		opt := NewAdam[float32](len(m.Params))
		grad := make([]float32, len(m.Params))
		in := randSlice[float32](r, n*2, 1)
		target := make([]float32, n)
		for i := range target {
			target[i] = float32(math.Sin(2*float64(in[2*i])) * math.Cos(float64(in[2*i+1])))
		}
		dOut := make([]float32, n)
		first := trainStep(m, ws, opt, grad, dOut, in, target, n)
		var last float64
		for range 300 {
			last = trainStep(m, ws, opt, grad, dOut, in, target, n)
		}
		if !(last < first/10) {
			t.Errorf("%v: loss %v → %v after 300 steps", act, first, last)
		}
	}
}

func TestMSE(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{1, 4, 7, 33} {
		out, target := randSlice[float64](r, n, 1), randSlice[float64](r, n, 1)
		d := make([]float64, n)
		got := MSE(d, out, target)
		want := 0.0
		for i := range out {
			want += (out[i] - target[i]) * (out[i] - target[i]) / float64(n)
			// Gradient 2e/N: one rounding each.
			if math.Abs(d[i]-2*(out[i]-target[i])/float64(n)) > 1e-15 {
				t.Errorf("n=%d: dOut[%d] = %v", n, i, d[i])
			}
		}
		// Sums of ≤ 33 positive terms in another order: 1e-14 relative.
		if math.Abs(got-want) > 1e-14*want {
			t.Errorf("n=%d: MSE = %v, want %v", n, got, want)
		}
	}
}

// TestParallelAllocs checks that the elementwise passes allocate nothing
// when they are large enough to be split across goroutines, and that the
// split gives the serial result.
func TestParallelAllocs(t *testing.T) {
	const n = 8 * grain
	r := rand.New(rand.NewPCG(17, 18))
	p, g := randSlice[float32](r, n, 1), randSlice[float32](r, n, 1)
	a := NewAdam[float32](n)
	a.Update(p, g, 1e-3)
	if allocs := testing.AllocsPerRun(5, func() { a.Update(p, g, 1e-3) }); allocs != 0 {
		t.Errorf("Adam.Update: %v allocations", allocs)
	}
	z := randSlice[float64](r, n, 1)
	want := append([]float64(nil), z...)
	b := randSlice[float64](r, 64, 1)
	job := newActJob[float64]()
	job.biasAct(Tanh, false, z, nil, b, n/64)
	biasActRows(Tanh, false, want, nil, b, 0, n/64)
	for i := range z {
		if z[i] != want[i] {
			t.Fatalf("parallel biasAct differs at %d: %v, serial %v", i, z[i], want[i])
		}
	}
	if allocs := testing.AllocsPerRun(5, func() {
		job.biasAct(Tanh, false, z, nil, b, n/64)
		job.mulDeriv(Tanh, want, z, nil)
	}); allocs != 0 {
		t.Errorf("biasAct, mulDeriv: %v allocations", allocs)
	}
}

// TestConcurrentForward runs Forward from several goroutines, each with its
// own Workspace, over batches large enough to use the shared worker pool;
// each must get what a lone call gets (run with -race to check sharing).
func TestConcurrentForward(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	m := randomNet[float32]([]int{3, 1024, 4}, Tanh, r)
	const n = 2 * grain / 1024 // two grains in the hidden layer
	in := randSlice[float32](r, n*3, 1)
	want := append([]float32(nil), m.Forward(m.NewWorkspace(n), in, n)...)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := m.NewWorkspace(n)
			for range 3 {
				got := m.Forward(ws, in, n)
				for i := range got {
					if got[i] != want[i] {
						errs <- fmt.Sprintf("out[%d] = %v, alone %v", i, got[i], want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestMLPSplitRows runs Forward and Backward split into blocks (rows, and
// columns for the weight gradients; a native BLAS on one thread) and
// compares them with the unsplit passes on two threads: the same sums,
// possibly blocked differently inside BLAS, so equal to rounding (float64:
// 1e-12 relative). It also checks that the split passes allocate nothing.
func TestMLPSplitRows(t *testing.T) {
	prev := SetBLASThreads(1)
	if prev == 0 {
		t.Skip("pure-Go BLAS: the batch is never split")
	}
	defer SetBLASThreads(prev)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(3, runtime.GOMAXPROCS(0))))
	r := rand.New(rand.NewPCG(11, 12))
	for _, act := range []Activation{Tanh, SiLU} {
		m := NewMLP[float64]([]int{5, 48, 40, 7}, act, r)
		n := 100
		if mlpParts(n) < 3 {
			t.Fatalf("%d rows split into %d blocks, want 3", n, mlpParts(n))
		}
		in := randSlice[float64](r, n*5, 1)
		dOut := randSlice[float64](r, n*7, 1)
		g0 := randSlice[float64](r, len(m.Params), 1)
		ws := m.NewWorkspace(n)
		run := func() (out, grad, dIn []float64) {
			out = append([]float64(nil), m.Forward(ws, in, n)...)
			grad, dIn = append([]float64(nil), g0...), make([]float64, len(in))
			m.Backward(ws, dOut, grad, dIn)
			return
		}
		o1, g1, d1 := run()
		if a := testing.AllocsPerRun(3, func() {
			m.Forward(ws, in, n)
			m.Backward(ws, dOut, g1[:len(m.Params):len(m.Params)], nil)
		}); a != 0 {
			t.Errorf("split passes allocate %v times", a)
		}
		o1, g1, d1 = run()
		SetBLASThreads(2)
		o2, g2, d2 := run()
		SetBLASThreads(1)
		for k, p := range [][2][]float64{{o1, o2}, {g1, g2}, {d1, d2}} {
			for i := range p[0] {
				if math.Abs(p[0][i]-p[1][i]) > 1e-12*(1+math.Abs(p[1][i])) {
					t.Fatalf("%v, result %d: split %v, whole %v at %d", act, k, p[0][i], p[1][i], i)
				}
			}
		}
	}
}

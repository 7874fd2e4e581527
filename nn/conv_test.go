package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naiveConv is the definition of Conv2D's output, summed term by term.
func naiveConv(c Conv2D, w, in []float64, n int) []float64 {
	p := c.K / 2
	out := make([]float64, n*c.H*c.W*c.Out)
	bias := w[c.colWidth()*c.Out:]
	for i := 0; i < n; i++ {
		for y := 0; y < c.H; y++ {
			for x := 0; x < c.W; x++ {
				for o := 0; o < c.Out; o++ {
					s := bias[o]
					for ky := 0; ky < c.K; ky++ {
						for kx := 0; kx < c.K; kx++ {
							yy, xx := y+ky-p, x+kx-p
							if yy < 0 || yy >= c.H || xx < 0 || xx >= c.W {
								continue
							}
							for ci := 0; ci < c.In; ci++ {
								s += in[((i*c.H+yy)*c.W+xx)*c.In+ci] * w[((ky*c.K+kx)*c.In+ci)*c.Out+o]
							}
						}
					}
					out[((i*c.H+y)*c.W+x)*c.Out+o] = s
				}
			}
		}
	}
	return out
}

var convShapes = []struct {
	c Conv2D
	n int
}{
	{Conv2D{H: 5, W: 4, In: 3, Out: 2, K: 3}, 3},
	{Conv2D{H: 1, W: 6, In: 2, Out: 3, K: 3}, 2}, // one row: every kernel row but the middle one is padding
	{Conv2D{H: 4, W: 4, In: 2, Out: 5, K: 1}, 2},
	{Conv2D{H: 6, W: 5, In: 1, Out: 2, K: 5}, 2},
}

// TestConvForward compares the im2col product with the sum that defines
// it, with a scratch that holds one image and one that holds all, so that
// the chunking is exercised.
func TestConvForward(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range convShapes {
		c := s.c
		w := randSlice[float64](r, c.NumParams(), 1)
		in := randSlice[float64](r, s.n*c.H*c.W*c.In, 1)
		want := naiveConv(c, w, in, s.n)
		for _, images := range []int{1, s.n} {
			out := make([]float64, len(want))
			ConvForward(c, w, in, out, s.n, NewConvScratch[float64](c.ColLen(images)))
			for i := range want {
				if math.Abs(out[i]-want[i]) > 1e-12 {
					t.Fatalf("%+v, %d images per product: out[%d] = %v, want %v", c, images, i, out[i], want[i])
				}
			}
		}
	}
}

// TestConvBackwardFiniteDifferences checks the weight and input gradients
// of L = Σ R ⊙ conv(in) against central differences (exact up to rounding
// for a function linear in each argument: the tolerance is rounding).
func TestConvBackwardFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range convShapes {
		c := s.c
		w := randSlice[float64](r, c.NumParams(), 1)
		in := randSlice[float64](r, s.n*c.H*c.W*c.In, 1)
		rw := randSlice[float64](r, s.n*c.H*c.W*c.Out, 1)
		loss := func() float64 {
			out := naiveConv(c, w, in, s.n)
			l := 0.0
			for i, v := range out {
				l += v * rw[i]
			}
			return l
		}
		sc := NewConvScratch[float64](c.ColLen(2))
		grad := make([]float64, c.NumParams())
		dIn := randSlice[float64](r, len(in), 1) // accumulated into
		dIn0 := append([]float64(nil), dIn...)
		ConvBackward(c, w, in, rw, grad, dIn, s.n, sc)
		const h = 1e-4
		fd := func(x []float64, i int) float64 {
			v := x[i]
			x[i] = v + h
			lp := loss()
			x[i] = v - h
			lm := loss()
			x[i] = v
			return (lp - lm) / (2 * h)
		}
		for i := range w {
			if g := fd(w, i); math.Abs(g-grad[i]) > 1e-8*(1+math.Abs(g)) {
				t.Fatalf("%+v: ∂L/∂w[%d] = %v, finite difference %v", c, i, grad[i], g)
			}
		}
		for i := range in {
			if g := fd(in, i); math.Abs(g-(dIn[i]-dIn0[i])) > 1e-8*(1+math.Abs(g)) {
				t.Fatalf("%+v: ∂L/∂in[%d] = %v, finite difference %v", c, i, dIn[i]-dIn0[i], g)
			}
		}
	}
}

// TestConvAgainstGorgonia compares output, weight and input gradients of
// L = mean(conv(in)²) with gorgonia's Conv2d (NCHW, filters Out×In×K×K)
// on the same numbers, in float64.
func TestConvAgainstGorgonia(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range convShapes {
		c, n := s.c, s.n
		w := randSlice[float64](r, c.NumParams(), 1)
		in := randSlice[float64](r, n*c.H*c.W*c.In, 1)
		// NHWC → NCHW, and W[(ky K + kx) In + ci][o] → F[o][ci][ky][kx].
		nchw := make([]float64, len(in))
		for i := 0; i < n; i++ {
			for y := 0; y < c.H; y++ {
				for x := 0; x < c.W; x++ {
					for ci := 0; ci < c.In; ci++ {
						nchw[((i*c.In+ci)*c.H+y)*c.W+x] = in[((i*c.H+y)*c.W+x)*c.In+ci]
					}
				}
			}
		}
		filt := make([]float64, c.colWidth()*c.Out)
		for o := 0; o < c.Out; o++ {
			for ci := 0; ci < c.In; ci++ {
				for k := 0; k < c.K*c.K; k++ {
					filt[(o*c.In+ci)*c.K*c.K+k] = w[(k*c.In+ci)*c.Out+o]
				}
			}
		}
		g := G.NewGraph()
		x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(n, c.In, c.H, c.W), G.WithName("x"),
			G.WithValue(tensor.New(tensor.WithShape(n, c.In, c.H, c.W), tensor.WithBacking(nchw))))
		f := G.NewTensor(g, tensor.Float64, 4, G.WithShape(c.Out, c.In, c.K, c.K), G.WithName("f"),
			G.WithValue(tensor.New(tensor.WithShape(c.Out, c.In, c.K, c.K), tensor.WithBacking(filt))))
		p := c.K / 2
		y := G.Must(G.Conv2d(x, f, tensor.Shape{c.K, c.K}, []int{p, p}, []int{1, 1}, []int{1, 1}))
		var yv G.Value
		G.Read(y, &yv) // a copy: the backward pass may reuse y's memory
		cost := G.Must(G.Mean(G.Must(G.Square(y))))
		if _, err := G.Grad(cost, x, f); err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		// Ours, without the bias (gorgonia's Conv2d has none).
		wNoBias := append([]float64(nil), w...)
		clear(wNoBias[c.colWidth()*c.Out:])
		out := make([]float64, n*c.H*c.W*c.Out)
		sc := NewConvScratch[float64](c.ColLen(1))
		ConvForward(c, wNoBias, in, out, n, sc)
		gy := yv.Data().([]float64)
		dOut := make([]float64, len(out))
		loss := 0.0
		for i := 0; i < n; i++ {
			for yy := 0; yy < c.H; yy++ {
				for xx := 0; xx < c.W; xx++ {
					for o := 0; o < c.Out; o++ {
						v := out[((i*c.H+yy)*c.W+xx)*c.Out+o]
						if want := gy[((i*c.Out+o)*c.H+yy)*c.W+xx]; math.Abs(v-want) > 1e-12 {
							t.Fatalf("%+v: output differs from gorgonia: %v vs %v", c, v, want)
						}
						loss += v * v
						dOut[((i*c.H+yy)*c.W+xx)*c.Out+o] = 2 * v / float64(len(out))
					}
				}
			}
		}
		if want := cost.Value().Data().(float64); math.Abs(loss/float64(len(out))-want) > 1e-12 {
			t.Fatalf("%+v: loss %v, gorgonia %v", c, loss/float64(len(out)), want)
		}
		grad := make([]float64, c.NumParams())
		dIn := make([]float64, len(in))
		ConvBackward(c, wNoBias, in, dOut, grad, dIn, n, sc)
		gf, _ := f.Grad()
		gx, _ := x.Grad()
		gfd, gxd := gf.Data().([]float64), gx.Data().([]float64)
		for o := 0; o < c.Out; o++ {
			for ci := 0; ci < c.In; ci++ {
				for k := 0; k < c.K*c.K; k++ {
					if a, b := grad[(k*c.In+ci)*c.Out+o], gfd[(o*c.In+ci)*c.K*c.K+k]; math.Abs(a-b) > 1e-12 {
						t.Fatalf("%+v: weight gradient %v, gorgonia %v", c, a, b)
					}
				}
			}
		}
		for i := 0; i < n; i++ {
			for yy := 0; yy < c.H; yy++ {
				for xx := 0; xx < c.W; xx++ {
					for ci := 0; ci < c.In; ci++ {
						if a, b := dIn[((i*c.H+yy)*c.W+xx)*c.In+ci], gxd[((i*c.In+ci)*c.H+yy)*c.W+xx]; math.Abs(a-b) > 1e-12 {
							t.Fatalf("%+v: input gradient %v, gorgonia %v", c, a, b)
						}
					}
				}
			}
		}
		vm.Close()
	}
}

// TestConvFloat32 checks the float32 instance against float64 (same code,
// rounding only) and that a step allocates nothing.
func TestConvFloat32(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	c, n := Conv2D{H: 7, W: 7, In: 4, Out: 8, K: 3}, 5
	w64 := randSlice[float64](r, c.NumParams(), 1)
	in64 := randSlice[float64](r, n*c.H*c.W*c.In, 1)
	want := naiveConv(c, w64, in64, n)
	w, in := make([]float32, len(w64)), make([]float32, len(in64))
	for i, v := range w64 {
		w[i] = float32(v)
	}
	for i, v := range in64 {
		in[i] = float32(v)
	}
	out := make([]float32, len(want))
	sc := NewConvScratch[float32](c.ColLen(2))
	grad, dIn := make([]float32, len(w)), make([]float32, len(in))
	ConvForward(c, w, in, out, n, sc)
	for i := range want {
		if math.Abs(float64(out[i])-want[i]) > 1e-5*(1+math.Abs(want[i])) {
			t.Fatalf("float32 out[%d] = %v, want %v", i, out[i], want[i])
		}
	}
	// As for the U-Net: counted on a native BLAS only.
	if info, _ := BLAS(); !info.Native() {
	} else if a := testing.AllocsPerRun(10, func() {
		ConvForward(c, w, in, out, n, sc)
		ConvBackward(c, w, in, out, grad, dIn, n, sc)
	}); a != 0 {
		t.Errorf("a convolution step allocates %v times", a)
	}
}

// TestConvSplitParts runs the forward and backward passes with the images
// split across the cores (a BLAS on one thread) and compares them with the
// passes on a multithreaded BLAS: the same sums in another order.
func TestConvSplitParts(t *testing.T) {
	prev := SetBLASThreads(1)
	if prev == 0 {
		t.Skip("pure-Go BLAS: the convolutions never split their images")
	}
	defer SetBLASThreads(prev)
	r := rand.New(rand.NewPCG(9, 10))
	for _, s := range convShapes {
		c, n := s.c, 5
		w := randSlice[float64](r, c.NumParams(), 1)
		in := randSlice[float64](r, n*c.H*c.W*c.In, 1)
		dOut := randSlice[float64](r, n*c.H*c.W*c.Out, 1)
		run := func() (out, grad, dIn []float64) {
			out = make([]float64, len(dOut))
			grad, dIn = make([]float64, len(w)), make([]float64, len(in))
			sc := NewConvScratch[float64](c.ColLen(2))
			ConvForward(c, w, in, out, n, sc)
			ConvBackward(c, w, in, dOut, grad, dIn, n, sc)
			return
		}
		o1, g1, d1 := run()
		SetBLASThreads(2)
		o2, g2, d2 := run()
		SetBLASThreads(1)
		for _, p := range [][2][]float64{{o1, o2}, {g1, g2}, {d1, d2}} {
			for i := range p[0] {
				if math.Abs(p[0][i]-p[1][i]) > 1e-12*(1+math.Abs(p[1][i])) {
					t.Fatalf("%+v: split %v, whole %v at %d", c, p[0][i], p[1][i], i)
				}
			}
		}
	}
}

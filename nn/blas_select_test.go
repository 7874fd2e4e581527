package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"

	"gonum.org/v1/gonum/blas"
)

// useBLAS switches the process to request for the rest of the test and
// back afterwards; it skips the test when request cannot be met here (no
// OpenBLAS installed: CI installs it, so CI runs these tests).
func useBLAS(t testing.TB, request string) BLASInfo {
	t.Helper()
	prev, _ := BLAS()
	info, err := SelectBLAS(request)
	if err != nil {
		t.Skipf("MMI_BLAS=%s not available here: %v", request, err)
	}
	t.Cleanup(func() { restoreBLAS(prev) })
	return info
}

func restoreBLAS(prev BLASInfo) {
	if prev.Native() {
		_, _ = SelectBLAS(prev.Path)
	} else {
		_, _ = SelectBLAS("go")
	}
}

// stepResult is one training step's forward output, parameter gradient
// and input gradient, in float64.
func stepResult[T Float](sizes []int, n int) (out, grad, dIn []float64) {
	r := rand.New(rand.NewPCG(7, 8))
	m := NewMLP[T](sizes, Tanh, r)
	ws := m.NewWorkspace(n)
	in := randSlice[T](r, n*m.In(), 1)
	target := randSlice[T](r, n*m.Out(), 1)
	g := make([]T, len(m.Params))
	d := make([]T, n*m.Out())
	di := make([]T, n*m.In())
	o := m.Forward(ws, in, n)
	out = to64(o)
	MSE(d, o, target)
	m.Backward(ws, d, g, di)
	return out, to64(g), to64(di)
}

func to64[T Float](x []T) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// relDiff is max |x−y| / max |y|.
func relDiff(x, y []float64) float64 {
	d, s := 0.0, 0.0
	for i := range y {
		d = max(d, math.Abs(x[i]-y[i]))
		s = max(s, math.Abs(y[i]))
	}
	return d / s
}

// TestBackendsAgree runs the same forward and backward pass (a batch, so
// Gemm with and without transposes, and one row, so Gemv and Ger) on
// gonum's pure Go and on the run-time OpenBLAS. They sum in different
// orders, so they agree to rounding, not bit for bit: each product sums
// at most 257 terms, so the error is below 257 unit roundoffs of the
// largest value (3e-14 in float64, 2e-5 in float32) per layer; the
// bounds allow a factor of ~30 for four layers and the tanh derivatives.
// A wrong transpose, stride or argument gives an O(1) difference.
func TestBackendsAgree(t *testing.T) {
	useBLAS(t, "openblas")
	for _, n := range []int{1, 37, 257} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			agree[float64](t, n, 1e-12)
			agree[float32](t, n, 5e-4)
		})
	}
}

func agree[T Float](t *testing.T, n int, tol float64) {
	sizes := []int{5, 64, 48, 6}
	if _, err := SelectBLAS("go"); err != nil {
		t.Fatal(err)
	}
	o1, g1, d1 := stepResult[T](sizes, n)
	if _, err := SelectBLAS("openblas"); err != nil {
		t.Fatal(err)
	}
	o2, g2, d2 := stepResult[T](sizes, n)
	for _, c := range []struct {
		what string
		a, b []float64
	}{{"output", o2, o1}, {"∂L/∂params", g2, g1}, {"∂L/∂in", d2, d1}} {
		if e := relDiff(c.a, c.b); e > tol || math.IsNaN(e) {
			t.Errorf("%T n=%d: %s differs from pure Go by %.3g of its largest value (tolerance %g)", T(0), n, c.what, e, tol)
		}
	}
}

// TestSameSeedSameBytes: on one backend, the same seed gives the same
// parameters bit for bit after a few training steps (OpenBLAS splits a
// product the same way every time for a fixed thread count).
func TestSameSeedSameBytes(t *testing.T) {
	for _, req := range []string{"go", "openblas"} {
		t.Run(req, func(t *testing.T) {
			useBLAS(t, req)
			run := func() []byte {
				r := rand.New(rand.NewPCG(3, 4))
				sizes := []int{5, 256, 256, 6}
				const n = 512
				m := NewMLP[float32](sizes, Tanh, r)
				ws := m.NewWorkspace(n)
				opt := NewAdam[float32](len(m.Params))
				grad := make([]float32, len(m.Params))
				dOut := make([]float32, n*m.Out())
				for range 3 {
					in := randSlice[float32](r, n*m.In(), 1)
					target := randSlice[float32](r, n*m.Out(), 1)
					trainStep(m, ws, opt, grad, dOut, in, target, n)
				}
				return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(&m.Params[0])), 4*len(m.Params))...)
			}
			a, b := run(), run()
			if string(a) != string(b) {
				t.Errorf("MMI_BLAS=%s: two runs from one seed differ", req)
			}
		})
	}
}

// TestSelectBLASErrors: requests that cannot be met are errors naming
// what was tried, and leave the current choice in place.
func TestSelectBLASErrors(t *testing.T) {
	prev, _ := BLAS()
	t.Cleanup(func() { restoreBLAS(prev) })
	fake := []string{"/nonexistent/a/libopenblas.so.0", "/nonexistent/b/libopenblas.so.0"}
	for _, c := range []struct {
		request string
		want    []string
	}{
		{"openblas", []string{"no OpenBLAS found", fake[0], fake[1]}},
		{"/etc/passwd", []string{"cannot load /etc/passwd"}},
		{"libc.so.6", []string{"libc.so.6: not a CBLAS library (no cblas_sgemm)"}},
		{"mkl", []string{"want go, openblas or a library path"}},
	} {
		_, err := selectBLAS(c.request, fake)
		if err == nil {
			t.Errorf("%s: no error", c.request)
			continue
		}
		if strings.Contains(err.Error(), "BLAS loading is not supported") {
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", c.request, err, w)
			}
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %q is not one line", c.request, err)
		}
		if now, _ := BLAS(); now != prev {
			t.Errorf("%s: a failed request changed the BLAS from %v to %v", c.request, prev, now)
		}
	}
	// Automatic selection with nothing to find is pure Go, no error, and
	// says why.
	info, err := selectBLAS("", fake)
	if err != nil || info.Native() || !(strings.Contains(info.Missing, fake[0]) || strings.Contains(info.Missing, "not supported")) {
		t.Errorf("automatic selection without OpenBLAS: %+v, %v; want pure Go saying what it tried", info, err)
	}
}

// BenchmarkBackends times the engine on both backends in one process, so
// that the ratio is measured under the same machine load: the small
// network's training step at batch 512 (what `mmi train` does) and its
// forward pass at batch 1 (one sample inside an ODE solver).
func BenchmarkBackends(b *testing.B) {
	sizes := []int{5, 256, 256, 256, 6}
	for _, req := range []string{"go", "openblas"} {
		b.Run(req+"/TrainStep", func(b *testing.B) {
			useBLAS(b, req)
			benchTrainStep[float64](b, sizes, 512)
		})
		b.Run(req+"/Forward1", func(b *testing.B) {
			useBLAS(b, req)
			benchForward[float64](b, sizes, 1)
		})
	}
}

// TestLevel2Agree checks Gemv (both transposes) and Ger above level2Go,
// where they go to the library, against pure Go: sums of 600 terms agree
// to 600 unit roundoffs of the largest value (7e-14 in float64).
func TestLevel2Agree(t *testing.T) {
	useBLAS(t, "openblas")
	const rows, cols = 600, 500 // rows·cols > level2Go
	r := rand.New(rand.NewPCG(5, 6))
	a := randSlice[float64](r, rows*cols, 1)
	x, y := randSlice[float64](r, rows, 1), randSlice[float64](r, cols, 1)
	run := func() (gy, gx, ga []float64) {
		gy = append([]float64(nil), y...)
		gemv(blas.Trans, rows, cols, 0.5, a, cols, x, 0.25, gy)
		gx = append([]float64(nil), x...)
		gemv(blas.NoTrans, rows, cols, 2, a, cols, y, 1, gx)
		ga = append([]float64(nil), a...)
		ger(rows, cols, -1.5, x, y, ga, cols)
		return gy, gx, ga
	}
	if _, err := SelectBLAS("go"); err != nil {
		t.Fatal(err)
	}
	y1, x1, a1 := run()
	if _, err := SelectBLAS("openblas"); err != nil {
		t.Fatal(err)
	}
	y2, x2, a2 := run()
	for _, c := range []struct {
		what string
		p, q []float64
	}{{"Gemv Trans", y2, y1}, {"Gemv NoTrans", x2, x1}, {"Ger", a2, a1}} {
		if e := relDiff(c.p, c.q); e > 1e-13 {
			t.Errorf("%s differs from pure Go by %.3g of its largest value", c.what, e)
		}
	}
}

package cblas

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// openOrSkip opens the first default candidate, or skips the test on a
// machine without OpenBLAS (CI installs it, so CI runs these tests).
func openOrSkip(t testing.TB) *Lib {
	t.Helper()
	l, err := Find(Candidates())
	if err != nil {
		t.Skipf("no OpenBLAS here: %v", err)
	}
	return l
}

// naive is the row-major product c = alpha·op(a)·op(b) + beta·c done the
// slow obvious way, in float64.
func naive(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	at := func(i, p int) float64 {
		if tA {
			return a[p*lda+i]
		}
		return a[i*lda+p]
	}
	bt := func(p, j int) float64 {
		if tB {
			return b[j*ldb+p]
		}
		return b[p*ldb+j]
	}
	for i := range m {
		for j := range n {
			s := 0.0
			for p := range k {
				s += at(i, p) * bt(p, j)
			}
			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
		}
	}
}

func randf(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

func to32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

// maxRel is max |x−y| / max |y|.
func maxRel[T float32 | float64](x []T, y []float64) float64 {
	d, s := 0.0, 0.0
	for i := range y {
		d = max(d, math.Abs(float64(x[i])-y[i]))
		s = max(s, math.Abs(y[i]))
	}
	return d / s
}

// TestGemm checks every transpose combination, with leading dimensions
// larger than the rows and alpha, beta not 1 and 0, against the naive
// product: a wrong argument order or register (alpha in xmm0, the stack
// arguments) gives a wrong matrix, not a rounding difference. Tolerances:
// float64 sums of 37 terms agree to 1e-13; float32 to 1e-5.
func TestGemm(t *testing.T) {
	l := openOrSkip(t)
	r := rand.New(rand.NewPCG(1, 2))
	const m, n, k, pad = 13, 11, 37, 3
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			ar, ac := m, k
			if tA {
				ar, ac = k, m
			}
			br, bc := k, n
			if tB {
				br, bc = n, k
			}
			lda, ldb, ldc := ac+pad, bc+pad, n+pad
			a, b, c := randf(r, ar*lda), randf(r, br*ldb), randf(r, m*ldc)
			want := append([]float64(nil), c...)
			naive(tA, tB, m, n, k, 0.7, a, lda, b, ldb, -0.3, want, ldc)

			got := append([]float64(nil), c...)
			l.Dgemm(tA, tB, m, n, k, 0.7, a, lda, b, ldb, -0.3, got, ldc)
			if e := maxRel(got, want); e > 1e-13 {
				t.Errorf("Dgemm tA=%v tB=%v: relative error %g", tA, tB, e)
			}
			got32 := to32(c)
			l.Sgemm(tA, tB, m, n, k, 0.7, to32(a), lda, to32(b), ldb, -0.3, got32, ldc)
			if e := maxRel(got32, want); e > 1e-5 {
				t.Errorf("Sgemm tA=%v tB=%v: relative error %g", tA, tB, e)
			}
		}
	}
}

// TestGemvGer checks the Level-2 routines the same way, with strides.
func TestGemvGer(t *testing.T) {
	l := openOrSkip(t)
	r := rand.New(rand.NewPCG(3, 4))
	const m, n, lda = 9, 7, 10
	a := randf(r, m*lda)
	for _, tA := range []bool{false, true} {
		lx, ly := n, m
		if tA {
			lx, ly = m, n
		}
		x, y := randf(r, 2*lx), randf(r, 3*ly)
		want := append([]float64(nil), y...)
		for i := range ly {
			s := 0.0
			for j := range lx {
				if tA {
					s += a[j*lda+i] * x[2*j]
				} else {
					s += a[i*lda+j] * x[2*j]
				}
			}
			want[3*i] = 1.5*s + 0.5*y[3*i]
		}
		got := append([]float64(nil), y...)
		l.Dgemv(tA, m, n, 1.5, a, lda, x, 2, 0.5, got, 3)
		if e := maxRel(got, want); e > 1e-13 {
			t.Errorf("Dgemv tA=%v: relative error %g", tA, e)
		}
		got32 := to32(y)
		l.Sgemv(tA, m, n, 1.5, to32(a), lda, to32(x), 2, 0.5, got32, 3)
		if e := maxRel(got32, want); e > 1e-5 {
			t.Errorf("Sgemv tA=%v: relative error %g", tA, e)
		}
	}
	x, y := randf(r, m), randf(r, n)
	want := append([]float64(nil), a...)
	for i := range m {
		for j := range n {
			want[i*lda+j] += -2 * x[i] * y[j]
		}
	}
	got := append([]float64(nil), a...)
	l.Dger(m, n, -2, x, 1, y, 1, got, lda)
	if e := maxRel(got, want); e > 1e-14 {
		t.Errorf("Dger: relative error %g", e)
	}
	got32 := to32(a)
	l.Sger(m, n, -2, to32(x), 1, to32(y), 1, got32, lda)
	if e := maxRel(got32, want); e > 1e-6 {
		t.Errorf("Sger: relative error %g", e)
	}
}

func TestThreads(t *testing.T) {
	l := openOrSkip(t)
	if !strings.HasPrefix(l.Name(), "OpenBLAS") {
		t.Skipf("%s is not OpenBLAS", l.Name())
	}
	old := l.Threads()
	defer l.SetThreads(old)
	if !l.SetThreads(1) || l.Threads() != 1 {
		t.Errorf("SetThreads(1): Threads() = %d", l.Threads())
	}
}

// TestOpenErrors: a file that is not a shared library, and a shared
// library that is not a BLAS (the C library), are errors naming the file.
func TestOpenErrors(t *testing.T) {
	if !supported {
		if _, err := Open("/etc/passwd"); err != ErrUnsupported {
			t.Fatalf("Open on %s/%s: %v, want ErrUnsupported", runtime.GOOS, runtime.GOARCH, err)
		}
		return
	}
	if _, err := Open("/etc/passwd"); err == nil || !strings.Contains(err.Error(), "/etc/passwd") {
		t.Errorf("Open(/etc/passwd) = %v, want an error naming the file", err)
	}
	if runtime.GOOS == "linux" {
		_, err := Open("libc.so.6")
		if err == nil || !strings.Contains(err.Error(), "not a CBLAS library (no cblas_sgemm)") {
			t.Errorf("Open(libc.so.6) = %v, want not a CBLAS library", err)
		}
	}
	_, err := Find([]string{"/nonexistent/libopenblas.so.0", "/etc/passwd"})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/libopenblas.so.0") || !strings.Contains(err.Error(), "/etc/passwd") {
		t.Errorf("Find = %v, want an error listing both names", err)
	}
}

// BenchmarkCall is the cost of one call through the trampoline: a 1×1
// product, all overhead.
func BenchmarkCall(b *testing.B) {
	l := openOrSkip(b)
	a, x, y := []float32{1}, []float32{2}, []float32{0}
	b.ReportAllocs()
	for range b.N {
		l.Sgemv(false, 1, 1, 1, a, 1, x, 1, 0, y, 1)
	}
}

// TestConcurrent calls the library from several goroutines at once (the
// engine's callers may evaluate separate batches in parallel): each must
// get its own product.
func TestConcurrent(t *testing.T) {
	l := openOrSkip(t)
	const m, n, k, workers = 64, 48, 80, 4
	r := rand.New(rand.NewPCG(9, 9))
	b := randf(r, k*n)
	as := make([][]float64, workers)
	want := make([][]float64, workers)
	for w := range as {
		as[w] = randf(r, m*k)
		want[w] = make([]float64, m*n)
		naive(false, false, m, n, k, 1, as[w], k, b, n, 0, want[w], n)
	}
	errs := make(chan string, workers)
	for w := range workers {
		go func() {
			got := make([]float64, m*n)
			for range 200 {
				l.Dgemm(false, false, m, n, k, 1, as[w], k, b, n, 0, got, n)
				if e := maxRel(got, want[w]); e > 1e-13 {
					errs <- "wrong product"
					return
				}
			}
			errs <- ""
		}()
	}
	for range workers {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
}

package pathtest

import (
	"math"
	"math/rand/v2"
	"testing"
)

func problem() *Gaussians {
	return New([][]float64{{0, 0}, {2, -1}, {-1, 3}}, [][]float64{{1, 1}, {0.25, 4}, {2, 0.5}})
}

// The identity Σ_k α_k g_k(α, x) = x holds for any conditional expectation;
// a wrong gain α_k Σ_k S⁻¹ breaks it.
func TestIdentity(t *testing.T) {
	p := problem()
	alpha := []float64{0.2, 0.5, 0.3}
	x := []float64{0.3, -1.2, 4, 2}
	g := [][]float64{make([]float64, 4), make([]float64, 4), make([]float64, 4)}
	p.Eval(g, alpha, x)
	for i := range x {
		s := 0.0
		for k := range g {
			s += alpha[k] * g[k][i]
		}
		if math.Abs(s-x[i]) > 1e-14 {
			t.Errorf("Σ α_k g_k = %g, x = %g", s, x[i])
		}
	}
}

// VJP against central differences of Σ_k w_k g_k (affine in x, so the
// difference is exact up to rounding, ~1e-10).
func TestVJP(t *testing.T) {
	p := problem()
	alpha, w := []float64{0.2, 0.5, 0.3}, []float64{-1, 0.5, 0.5}
	x, u := []float64{0.3, -1.2}, []float64{0.7, -0.4}
	dx := make([]float64, 2)
	p.VJP(dx, w, alpha, x, u)
	g := [][]float64{make([]float64, 2), make([]float64, 2), make([]float64, 2)}
	f := func(x []float64) float64 {
		p.Eval(g, alpha, x)
		s := 0.0
		for k := range g {
			for j := range x {
				s += u[j] * w[k] * g[k][j]
			}
		}
		return s
	}
	for j := range x {
		xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
		xp[j] += 1e-5
		xm[j] -= 1e-5
		if fd := (f(xp) - f(xm)) / 2e-5; math.Abs(fd-dx[j]) > 1e-8 {
			t.Errorf("VJP[%d] = %g, finite difference %g", j, dx[j], fd)
		}
	}
}

// Samples of ρ(α) have the moments of Moments within 4 standard errors, and
// LogDensity is normalized (its integral over a grid is 1 within the
// grid's quadrature error).
func TestSampleAndDensity(t *testing.T) {
	p := problem()
	alpha := []float64{0.3, 0.3, 0.4}
	m, s := make([]float64, 2), make([]float64, 2)
	p.Moments(m, s, alpha)
	n := 20000
	x := make([]float64, 2*n)
	p.Sample(x, alpha, rand.New(rand.NewPCG(1, 2)))
	for j := 0; j < 2; j++ {
		mean := 0.0
		for i := j; i < len(x); i += 2 {
			mean += x[i]
		}
		mean /= float64(n)
		if se := math.Sqrt(s[j] / float64(n)); math.Abs(mean-m[j]) > 4*se {
			t.Errorf("coordinate %d: sample mean %g, want %g ± %g", j, mean, m[j], se)
		}
	}
	const h = 0.02
	total := 0.0
	for a := -15.0; a < 15; a += h {
		for b := -15.0; b < 15; b += h {
			total += math.Exp(p.LogDensity(alpha, []float64{a, b})) * h * h
		}
	}
	if math.Abs(total-1) > 1e-6 {
		t.Errorf("density integrates to %g", total)
	}
	dst := make([]float64, 2)
	p.Flow(dst, m, alpha, alpha)
	if dst[0] != m[0] || dst[1] != m[1] {
		t.Error("Flow from α to α is not the identity")
	}
}

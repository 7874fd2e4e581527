package gk

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// TestOracleVJPAlpha compares the analytic α-derivative with central
// differences of Eval in α, at interior points, faces, edges and vertices.
// Off the support (α_m = 0) the difference quotient steps to α_m = ±h,
// where the oracle runs over the components of marginal m, so it checks the
// summed-out formula independently.
func TestOracleVJPAlpha(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	const n, h = 20, 1e-5
	data := oracleSeparated(t)
	for _, m := range data {
		for j, c := range m.Components() {
			var s mat.SymDense
			s.ScaleSym(3, c.Cov())
			m.Components()[j] = oracleGaussian(t, c.Mean(), &s)
		}
	}
	o := oracleMust(t, data)
	K1, d := o.Sizes()
	var samplers []*oracleSampler
	for _, m := range data {
		samplers = append(samplers, newOracleSampler(t, m))
	}
	offSupport := 0.0
	for name, alpha := range oracleAlphas(r, K1).all() {
		x := make([]float64, n*d)
		buf := make([]float64, d)
		for i := 0; i < n; i++ {
			for a := 0; a < d; a++ {
				x[i*d+a] = alpha[0] * r.NormFloat64()
			}
			for k := 1; k < K1; k++ {
				samplers[k-1].sample(buf, r)
				floats.AddScaled(x[i*d:(i+1)*d], alpha[k], buf)
			}
		}
		w := make([]float64, K1)
		u := make([]float64, n*d)
		for k := range w {
			w[k] = r.NormFloat64()
		}
		for i := range u {
			u[i] = r.NormFloat64()
		}
		da := make([]float64, K1)
		dx := make([]float64, n*d)
		o.VJPAlpha(da, dx, w, alpha, x, u)
		// dx must be VJP's.
		ref := make([]float64, n*d)
		o.VJP(ref, w, alpha, x, u)
		for i := range ref {
			if math.Abs(ref[i]-dx[i]) > 1e-10*(1+math.Abs(ref[i])) {
				t.Fatalf("%s: dx[%d] = %g, VJP gives %g", name, i, dx[i], ref[i])
			}
		}
		// uᵀG summed over the rows, at α ± h e_m.
		obj := func(al []float64) float64 {
			s := 0.0
			for i := 0; i < n; i++ {
				g := oracleEvalSum(o, w, al, x[i*d:(i+1)*d])
				s += floats.Dot(u[i*d:(i+1)*d], g)
			}
			return s
		}
		for m := 0; m < K1; m++ {
			ap := append([]float64(nil), alpha...)
			ap[m] += h
			am := append([]float64(nil), alpha...)
			am[m] -= h
			fd := (obj(ap) - obj(am)) / (2 * h)
			// Central differences: truncation h²|∂³|/6 ≈ 1e-10·|∂³| and
			// rounding ≈ 1e-16·|uᵀG|/h ≈ 1e-9 for these magnitudes
			// (|uᵀG| summed over 20 rows ≲ 10²); 1e-5 relative covers
			// both with room, and a missing term (posterior, α_m Σ z,
			// the trace) changes the result at order 1.
			if e := math.Abs(da[m] - fd); e > 1e-5*(1+math.Abs(fd)) {
				t.Errorf("%s: dα[%d] = %.10g, finite difference %.10g", name, m, da[m], fd)
			}
			if alpha[m] == 0 {
				offSupport = max(offSupport, math.Abs(fd))
			}
		}
	}
	// The derivative off the support must be substantial, else an
	// implementation returning 0 there would pass.
	if offSupport < 0.1 {
		t.Errorf("largest derivative off the support %.3g: the test lacks power", offSupport)
	}
}

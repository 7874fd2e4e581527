package gk

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"

	"github.com/mmi-go/mmi/marginals"
)

// ---- fixtures -------------------------------------------------------------

// oracleRandSPD returns a random d×d covariance A Aᵀ/d + floor·I scaled by scale;
// its condition number stays moderate (below about (1+floor)/floor).
func oracleRandSPD(r *rand.Rand, d int, scale, floor float64) *mat.SymDense {
	a := mat.NewDense(d, d, nil)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			a.Set(i, j, r.NormFloat64())
		}
	}
	s := mat.NewSymDense(d, nil)
	s.SymOuterK(1/float64(d), a)
	for i := 0; i < d; i++ {
		s.SetSym(i, i, s.At(i, i)+floor)
	}
	s.ScaleSym(scale, s)
	return s
}

func oracleGaussian(t testing.TB, mean []float64, cov *mat.SymDense) *marginals.Gaussian {
	t.Helper()
	g, err := marginals.NewGaussian(mean, cov)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func mustMixture(t testing.TB, w []float64, comps []*marginals.Gaussian) *marginals.Mixture {
	t.Helper()
	m, err := marginals.NewMixture(w, comps)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// oracleBroaden returns the mixtures with every covariance scaled by c.
func oracleBroaden(t testing.TB, data []*marginals.Mixture, c float64) []*marginals.Mixture {
	out := make([]*marginals.Mixture, len(data))
	for k, m := range data {
		comps := m.Components()
		for j, g := range comps {
			var s mat.SymDense
			s.ScaleSym(c, g.Cov())
			comps[j] = oracleGaussian(t, g.Mean(), &s)
		}
		out[k] = mustMixture(t, m.Weights(), comps)
	}
	return out
}

// oracleRandMixtures returns K random mixtures on R^d with ncomp[k] components
// each, means spread over a box of half-width spread.
func oracleRandMixtures(t testing.TB, r *rand.Rand, d int, ncomp []int, spread float64) []*marginals.Mixture {
	var out []*marginals.Mixture
	for _, n := range ncomp {
		var w []float64
		var comps []*marginals.Gaussian
		for j := 0; j < n; j++ {
			mean := make([]float64, d)
			for i := range mean {
				mean[i] = spread * (2*r.Float64() - 1)
			}
			comps = append(comps, oracleGaussian(t, mean, oracleRandSPD(r, d, 0.2+r.Float64(), 0.3)))
			w = append(w, 0.2+r.Float64())
		}
		s := floats.Sum(w)
		floats.Scale(1/s, w)
		out = append(out, mustMixture(t, w, comps))
	}
	return out
}

func oracleMust(t testing.TB, data []*marginals.Mixture) *Oracle {
	t.Helper()
	o, err := NewOracle(data)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// oracleSeparated is a d = 2, K = 3 problem whose components are far apart
// compared with their spread, so the posterior over tuples is far from the
// prior and wrong variants of g are easy to tell apart.
func oracleSeparated(t testing.TB) []*marginals.Mixture {
	cov := func(a, b, c float64) *mat.SymDense { return mat.NewSymDense(2, []float64{a, b, b, c}) }
	return []*marginals.Mixture{
		mustMixture(t, []float64{0.4, 0.6}, []*marginals.Gaussian{
			oracleGaussian(t, []float64{-3, 0}, cov(0.3, 0.1, 0.2)),
			oracleGaussian(t, []float64{3, 1}, cov(0.2, -0.05, 0.4)),
		}),
		mustMixture(t, []float64{0.5, 0.3, 0.2}, []*marginals.Gaussian{
			oracleGaussian(t, []float64{0, 4}, cov(0.5, 0, 0.1)),
			oracleGaussian(t, []float64{-2, -3}, cov(0.2, 0.1, 0.3)),
			oracleGaussian(t, []float64{3, -2}, cov(0.1, 0, 0.1)),
		}),
		mustMixture(t, []float64{0.7, 0.3}, []*marginals.Gaussian{
			oracleGaussian(t, []float64{1, 1}, cov(0.6, 0.2, 0.5)),
			oracleGaussian(t, []float64{-4, 3}, cov(0.3, 0, 0.3)),
		}),
	}
}

// oracleSampler draws exact samples of a mixture: a component by its
// weight, then μ + L ε with Σ = L Lᵀ.
type oracleSampler struct {
	w    []float64
	mean [][]float64
	l    []*mat.TriDense
}

func newOracleSampler(t testing.TB, m *marginals.Mixture) *oracleSampler {
	s := &oracleSampler{}
	sum := floats.Sum(m.Weights())
	for j, c := range m.Components() {
		var ch mat.Cholesky
		if !ch.Factorize(c.Cov()) {
			t.Fatal("covariance not positive definite")
		}
		var l mat.TriDense
		ch.LTo(&l)
		s.w = append(s.w, m.Weights()[j]/sum)
		s.mean = append(s.mean, c.Mean())
		s.l = append(s.l, &l)
	}
	return s
}

func (s *oracleSampler) sample(dst []float64, r *rand.Rand) {
	d := len(s.mean[0])
	eps := make([]float64, d)
	for i := 0; i < len(dst)/d; i++ {
		u := r.Float64()
		j := 0
		for ; j < len(s.w)-1; j++ {
			if u < s.w[j] {
				break
			}
			u -= s.w[j]
		}
		for a := range eps {
			eps[a] = r.NormFloat64()
		}
		row := dst[i*d : (i+1)*d]
		for a := 0; a < d; a++ {
			v := s.mean[j][a]
			for b := 0; b <= a; b++ {
				v += s.l[j].At(a, b) * eps[b]
			}
			row[a] = v
		}
	}
}

func oracleDirichlet(r *rand.Rand, n int) []float64 {
	a := make([]float64, n)
	for i := range a {
		a[i] = -math.Log(1 - r.Float64())
	}
	floats.Scale(1/floats.Sum(a), a)
	return a
}

// oracleAlphas returns labelled points of Δ^K (K ≥ 3): interior, a face with
// α_0 = 0, a face with a data marginal switched off, an edge between data
// marginals, an edge from the Gaussian, and every vertex.
func oracleAlphas(r *rand.Rand, K1 int) alphaSet {
	var out alphaSet
	out.add("interior", oracleDirichlet(r, K1))
	face := oracleDirichlet(r, K1-1)
	out.add("face α0=0", append([]float64{0}, face...))
	f2 := oracleDirichlet(r, K1-1)
	out.add("face α2=0", append(append(append([]float64{}, f2[:2]...), 0), f2[2:]...))
	e := make([]float64, K1)
	e[1], e[K1-1] = 0.3, 0.7
	out.add("edge 1–K", e)
	e0 := make([]float64, K1)
	e0[0], e0[2] = 0.6, 0.4
	out.add("edge 0–2", e0)
	for k := 0; k < K1; k++ {
		v := make([]float64, K1)
		v[k] = 1
		out.add(fmt.Sprintf("vertex %d", k), v)
	}
	return out
}

// alphaSet is a list of named points of the simplex, visited in the
// order they were added. (It was a map: the tests that draw random
// samples inside the loop then drew them in the map's random order, so a
// run was not repeatable.)
type alphaSet struct {
	names  []string
	alphas [][]float64
}

func (s *alphaSet) add(name string, a []float64) {
	s.names = append(s.names, name)
	s.alphas = append(s.alphas, a)
}

// all yields the points in order.
func (s alphaSet) all() iter.Seq2[string, []float64] {
	return func(yield func(string, []float64) bool) {
		for i, n := range s.names {
			if !yield(n, s.alphas[i]) {
				return
			}
		}
	}
}

// ---- independent reference ---------------------------------------------

type gVariant int

const (
	gExact           gVariant = iota
	gPriorWeights             // wrong: π_c replaced by the prior Π w
	gDropAlpha                // wrong: g_k^c = μ + Σ_k S⁻¹(x − m), α_k left out
	gAlphaNotSquared          // wrong: S_c = Σ α_k Σ_k instead of Σ α_k² Σ_k
)

// oracleRef is a brute-force g written independently of oracle.go: it runs
// over every tuple of components of every marginal, including those with
// α_k = 0 (no analytic summing out), and uses the explicit inverse of S_c
// from gonum's Cholesky instead of triangular solves.
type oracleRef struct {
	d, K1   int
	alpha   []float64
	variant gVariant
	means   [][][]float64 // [k][j]
	covs    [][][]float64 // [k][j] d×d row-major
	tuples  []oracleRefTuple
}

type oracleRefTuple struct {
	comp   []int
	m      []float64
	sinv   []float64
	logw   float64
	logdet float64
}

func newOracleRef(t testing.TB, data []*marginals.Mixture, alpha []float64, v gVariant) *oracleRef {
	d := len(data[0].Components()[0].Mean())
	all := append([]*marginals.Mixture{mustMixture(t, []float64{1}, []*marginals.Gaussian{marginals.StandardGaussian(d)})}, data...)
	ro := &oracleRef{d: d, K1: len(all), alpha: alpha, variant: v}
	var logw [][]float64
	for _, m := range all {
		var ms, cs [][]float64
		var lw []float64
		sum := floats.Sum(m.Weights())
		for j, c := range m.Components() {
			ms = append(ms, c.Mean())
			cf := make([]float64, d*d)
			for a := 0; a < d; a++ {
				for b := 0; b < d; b++ {
					cf[a*d+b] = c.Cov().At(a, b)
				}
			}
			cs = append(cs, cf)
			lw = append(lw, math.Log(m.Weights()[j]/sum))
		}
		ro.means = append(ro.means, ms)
		ro.covs = append(ro.covs, cs)
		logw = append(logw, lw)
	}
	idx := make([]int, ro.K1)
	for {
		tp := oracleRefTuple{comp: append([]int(nil), idx...), m: make([]float64, d)}
		S := mat.NewSymDense(d, nil)
		for k, j := range idx {
			tp.logw += logw[k][j]
			f := alpha[k] * alpha[k]
			if v == gAlphaNotSquared {
				f = alpha[k]
			}
			for a := 0; a < d; a++ {
				tp.m[a] += alpha[k] * ro.means[k][j][a]
				for b := a; b < d; b++ {
					S.SetSym(a, b, S.At(a, b)+f*ro.covs[k][j][a*d+b])
				}
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(S) {
			t.Fatalf("reference: S not positive definite at α = %v", alpha)
		}
		tp.logdet = ch.LogDet()
		var inv mat.SymDense
		if err := ch.InverseTo(&inv); err != nil {
			t.Fatal(err)
		}
		tp.sinv = make([]float64, d*d)
		for a := 0; a < d; a++ {
			for b := 0; b < d; b++ {
				tp.sinv[a*d+b] = inv.At(a, b)
			}
		}
		ro.tuples = append(ro.tuples, tp)
		k := ro.K1 - 1
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < len(ro.means[k]) {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			break
		}
	}
	return ro
}

// post returns the posterior over tuples at x, z_c = S_c⁻¹(x − m_c) and
// log ρ(α, x).
func (ro *oracleRef) post(x []float64) (pi []float64, z [][]float64, logRho float64) {
	d := ro.d
	lp := make([]float64, len(ro.tuples))
	for c, tp := range ro.tuples {
		zc := make([]float64, d)
		q := 0.0
		for a := 0; a < d; a++ {
			for b := 0; b < d; b++ {
				zc[a] += tp.sinv[a*d+b] * (x[b] - tp.m[b])
			}
			q += (x[a] - tp.m[a]) * zc[a]
		}
		z = append(z, zc)
		lp[c] = tp.logw - 0.5*q - 0.5*tp.logdet - 0.5*float64(d)*math.Log(2*math.Pi)
	}
	logRho = floats.LogSumExp(lp)
	pi = make([]float64, len(lp))
	for c := range lp {
		if ro.variant == gPriorWeights {
			pi[c] = math.Exp(ro.tuples[c].logw)
		} else {
			pi[c] = math.Exp(lp[c] - logRho)
		}
	}
	return pi, z, logRho
}

// eval writes g_k(α, x) into g[k] (length d each).
func (ro *oracleRef) eval(g [][]float64, x []float64) {
	d := ro.d
	pi, z, _ := ro.post(x)
	for k := range g {
		clear(g[k])
	}
	for c, tp := range ro.tuples {
		for k, j := range tp.comp {
			f := ro.alpha[k]
			if ro.variant == gDropAlpha {
				f = 1
			}
			for a := 0; a < d; a++ {
				v := ro.means[k][j][a]
				for b := 0; b < d; b++ {
					v += f * ro.covs[k][j][a*d+b] * z[c][b]
				}
				g[k][a] += pi[c] * v
			}
		}
	}
}

func oracleNewG(K1, n int) [][]float64 {
	g := make([][]float64, K1)
	for k := range g {
		g[k] = make([]float64, n)
	}
	return g
}

// ---- tests --------------------------------------------------------------

// TestOracleIdentity checks Σ_k α_k g_k(α, x) = x, which holds tuple by
// tuple (Σ α_k μ_k = m_c and Σ α_k² Σ_k S_c⁻¹ = I) and so for any posterior.
// A missing α_k factor, a wrong S_c or a wrong constant for a switched-off
// marginal all break it.
func TestOracleIdentity(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const d, n = 3, 50
	data := oracleRandMixtures(t, r, d, []int{2, 3, 1, 2}, 3)
	o := oracleMust(t, data)
	K1, _ := o.Sizes()
	x := make([]float64, n*d)
	for i := range x {
		x[i] = 4 * r.NormFloat64()
	}
	g := oracleNewG(K1, n*d)
	for name, alpha := range oracleAlphas(r, K1).all() {
		o.Eval(g, alpha, x)
		worst := 0.0
		for i := 0; i < n*d; i++ {
			s := 0.0
			for k := 0; k < K1; k++ {
				s += alpha[k] * g[k][i]
			}
			worst = max(worst, math.Abs(s-x[i])/(1+math.Abs(x[i])))
		}
		// Rounding: each tuple's term is x up to cond(S_c)·ε with cond(S_c)
		// ≲ 10² for these covariances, times a few terms: ~1e-13; 1e-10
		// leaves room yet is far below any formula error (≥ 1e-2 here).
		if worst > 1e-10 {
			t.Errorf("%s α=%.3f: max |Σ α_k g_k − x|/(1+|x|) = %.3g", name, alpha, worst)
		}
	}
}

// TestOracleGaussian compares, for one Gaussian per marginal, with
// g_k = μ_k + α_k Σ_k S⁻¹(x − m) solved directly with mat.Solve.
func TestOracleGaussian(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const d, n = 3, 20
	data := oracleRandMixtures(t, r, d, []int{1, 1, 1}, 2)
	o := oracleMust(t, data)
	K1, _ := o.Sizes()
	mus := [][]float64{make([]float64, d)}
	covs := []mat.Symmetric{marginals.StandardGaussian(d).Cov()}
	for _, m := range data {
		mus = append(mus, m.Components()[0].Mean())
		covs = append(covs, m.Components()[0].Cov())
	}
	x := make([]float64, n*d)
	for i := range x {
		x[i] = 2 * r.NormFloat64()
	}
	g := oracleNewG(K1, n*d)
	for name, alpha := range oracleAlphas(r, K1).all() {
		o.Eval(g, alpha, x)
		S := mat.NewSymDense(d, nil)
		m := mat.NewVecDense(d, nil)
		for k := 0; k < K1; k++ {
			S.AddSym(S, oracleScaledSym(alpha[k]*alpha[k], covs[k]))
			m.AddScaledVec(m, alpha[k], mat.NewVecDense(d, append([]float64(nil), mus[k]...)))
		}
		for i := 0; i < n; i++ {
			xm := mat.NewVecDense(d, nil)
			xm.SubVec(mat.NewVecDense(d, x[i*d:(i+1)*d]), m)
			var sol mat.VecDense
			if err := sol.SolveVec(S, xm); err != nil {
				t.Fatal(err)
			}
			for k := 0; k < K1; k++ {
				var want mat.VecDense
				want.MulVec(covs[k], &sol)
				want.ScaleVec(alpha[k], &want)
				want.AddVec(&want, mat.NewVecDense(d, append([]float64(nil), mus[k]...)))
				for a := 0; a < d; a++ {
					got := g[k][i*d+a]
					// Two solvers of the same well-conditioned system
					// (cond(S) ≲ 10²) agree to ~1e-13 relative; 1e-10 is
					// rounding slack, far below a wrong α power (≥ 1e-2).
					if e := math.Abs(got - want.AtVec(a)); e > 1e-10*(1+math.Abs(want.AtVec(a))) {
						t.Errorf("%s row %d g_%d[%d] = %.12g, want %.12g", name, i, k, a, got, want.AtVec(a))
					}
				}
			}
		}
	}
}

func oracleScaledSym(f float64, a mat.Symmetric) *mat.SymDense {
	var s mat.SymDense
	s.ScaleSym(f, a)
	return &s
}

// TestOracleReference compares mixtures with the brute-force reference,
// which sums over every tuple of every marginal (also those with α_k = 0)
// and so checks the analytic summing out on faces, edges and vertices.
func TestOracleReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const d, n = 2, 40
	data := oracleRandMixtures(t, r, d, []int{2, 3, 2}, 3)
	o := oracleMust(t, data)
	K1, _ := o.Sizes()
	x := make([]float64, n*d)
	for i := range x {
		x[i] = 3 * r.NormFloat64()
	}
	g := oracleNewG(K1, n*d)
	want := oracleNewG(K1, d)
	for name, alpha := range oracleAlphas(r, K1).all() {
		o.Eval(g, alpha, x)
		ref := newOracleRef(t, data, alpha, gExact)
		for i := 0; i < n; i++ {
			ref.eval(want, x[i*d:(i+1)*d])
			for k := 0; k < K1; k++ {
				for a := 0; a < d; a++ {
					got := g[k][i*d+a]
					// Explicit inverse versus triangular solves, and a
					// softmax over more (duplicated) tuples: rounding
					// ~1e-13 relative; 1e-9 is slack, far below formula
					// errors (posterior or summing-out mistakes are O(1)).
					if e := math.Abs(got - want[k][a]); e > 1e-9*(1+math.Abs(want[k][a])) {
						t.Errorf("%s row %d g_%d[%d] = %.12g, want %.12g", name, i, k, a, got, want[k][a])
					}
				}
			}
		}
	}
}

// TestOracleMonteCarlo checks the defining property of the conditional
// expectation, E[(x_k − g_k(α, x(α))) h(x(α))] = 0 for every test function h,
// with (x_0, …, x_K) drawn exactly and independently from the marginals.
// Each of the (K+1)·d·|h| averages must be within 5 Monte Carlo standard
// errors (estimated from the same samples) of zero; with ~200 averages per α
// a correct g fails by chance with probability ≈ 200·6e-7 ≈ 1e-4 (and the
// seed is fixed). The same statistic for three wrong g, evaluated on the same
// samples, must exceed 10 standard errors somewhere: the test has power.
func TestOracleMonteCarlo(t *testing.T) {
	const n = 60000
	data := oracleSeparated(t)
	o := oracleMust(t, data)
	K1, d := o.Sizes()
	r := rand.New(rand.NewPCG(7, 8))

	samplers := []*oracleSampler{newOracleSampler(t, mustMixture(t, []float64{1}, []*marginals.Gaussian{marginals.StandardGaussian(d)}))}
	for _, m := range data {
		samplers = append(samplers, newOracleSampler(t, m))
	}
	xs := oracleNewG(K1, n*d)
	for k := range xs {
		samplers[k].sample(xs[k], r)
	}

	// Test functions of x(α) ∈ R².
	hs := []struct {
		name string
		f    func(x []float64) float64
	}{
		{"1", func(x []float64) float64 { return 1 }},
		{"x1", func(x []float64) float64 { return x[0] }},
		{"x2", func(x []float64) float64 { return x[1] }},
		{"tanh", func(x []float64) float64 { return math.Tanh(0.8*x[0] - 0.5*x[1] + 0.3) }},
		{"bump", func(x []float64) float64 {
			a, b := x[0]-0.5, x[1]-1
			return math.Exp(-(a*a + b*b) / 2)
		}},
	}

	// zmax returns max |mean|/SE over k, coordinates and h, for g evaluated
	// on x(α).
	zmax := func(g [][]float64, xa []float64, alpha []float64) (float64, string) {
		worst, where := 0.0, ""
		for k := 0; k < K1; k++ {
			for a := 0; a < d; a++ {
				for _, h := range hs {
					var s, s2 float64
					for i := 0; i < n; i++ {
						y := (xs[k][i*d+a] - g[k][i*d+a]) * h.f(xa[i*d:(i+1)*d])
						s += y
						s2 += y * y
					}
					mean := s / n
					se := math.Sqrt(max(s2/n-mean*mean, 0) / n)
					// At a vertex e_k, x_k − g_k is 0 up to rounding: the
					// absolute floor 1e-12 stands in for a zero SE there.
					z := math.Abs(mean) / (se + 1e-12)
					if z > worst {
						worst, where = z, fmt.Sprintf("k=%d coord %d h=%s mean %.3g se %.3g", k, a, h.name, mean, se)
					}
				}
			}
		}
		return worst, where
	}

	alphas := []struct {
		name  string
		alpha []float64
		power bool // check that wrong g fail here
	}{
		{"interior", []float64{0.25, 0.3, 0.2, 0.25}, true},
		{"face α0=0", []float64{0, 0.4, 0.35, 0.25}, true},
		{"edge 1–2", []float64{0, 0.45, 0.55, 0}, true},
		{"edge 0–3", []float64{0.5, 0, 0, 0.5}, false},
		{"vertex 2", []float64{0, 0, 1, 0}, false},
	}
	g := oracleNewG(K1, n*d)
	gw := oracleNewG(K1, n*d)
	tmp := oracleNewG(K1, d)
	xa := make([]float64, n*d)
	for _, tc := range alphas {
		clear(xa)
		for k := 0; k < K1; k++ {
			floats.AddScaled(xa, tc.alpha[k], xs[k])
		}
		o.Eval(g, tc.alpha, xa)
		z, where := zmax(g, xa, tc.alpha)
		t.Logf("%s: oracle max |mean|/SE = %.2f (%s)", tc.name, z, where)
		if z > 5 {
			t.Errorf("%s: E[(x_k − g_k) h] ≠ 0: %s (%.1f standard errors)", tc.name, where, z)
		}
		if !tc.power {
			continue
		}
		for _, v := range []struct {
			name string
			v    gVariant
		}{{"prior weights", gPriorWeights}, {"α_k dropped", gDropAlpha}, {"α not squared in S", gAlphaNotSquared}} {
			ref := newOracleRef(t, data, tc.alpha, v.v)
			for i := 0; i < n; i++ {
				ref.eval(tmp, xa[i*d:(i+1)*d])
				for k := 0; k < K1; k++ {
					copy(gw[k][i*d:(i+1)*d], tmp[k])
				}
			}
			zw, wwhere := zmax(gw, xa, tc.alpha)
			t.Logf("%s: wrong g (%s) max |mean|/SE = %.1f (%s)", tc.name, v.name, zw, wwhere)
			if zw < 10 {
				t.Errorf("%s: wrong g (%s) passes the Monte Carlo check (%.1f standard errors): the test lacks power", tc.name, v.name, zw)
			}
		}
	}
}

// oracleEvalSum returns G(x) = Σ_k w_k g_k(α, x) for one point.
func oracleEvalSum(o *Oracle, w, alpha, x []float64) []float64 {
	K1, d := o.Sizes()
	g := oracleNewG(K1, d)
	o.Eval(g, alpha, x)
	out := make([]float64, d)
	for k := range g {
		floats.AddScaled(out, w[k], g[k])
	}
	return out
}

// TestOracleVJP compares the analytic vector–Jacobian product with central
// differences of Eval, at points drawn from x(α) so that the posterior is in
// transition between tuples (where the ∇π term matters).
func TestOracleVJP(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const n, h = 30, 1e-5
	data := oracleSeparated(t)
	// Broaden the components so transitions are smooth enough for finite
	// differences yet the posterior still varies: scale covariances by 3.
	data = oracleBroaden(t, data, 3)
	o := oracleMust(t, data)
	K1, d := o.Sizes()
	samplers := []*oracleSampler{}
	for _, m := range data {
		samplers = append(samplers, newOracleSampler(t, m))
	}
	posteriorTerm, worstFD := 0.0, 0.0
	for name, alpha := range oracleAlphas(r, K1).all() {
		// x = x(α) from exact samples.
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
		dx := make([]float64, n*d)
		o.VJP(dx, w, alpha, x, u)
		ref := newOracleRef(t, data, alpha, gExact)
		for i := 0; i < n; i++ {
			xi := append([]float64(nil), x[i*d:(i+1)*d]...)
			ui := u[i*d : (i+1)*d]
			for j := 0; j < d; j++ {
				xi[j] += h
				gp := oracleEvalSum(o, w, alpha, xi)
				xi[j] -= 2 * h
				gm := oracleEvalSum(o, w, alpha, xi)
				xi[j] += h
				fd := 0.0
				for a := 0; a < d; a++ {
					fd += ui[a] * (gp[a] - gm[a]) / (2 * h)
				}
				got := dx[i*d+j]
				// Central differences: truncation h²|G'''|/6 ≲ 1e-10·|G'''|
				// with |G'''| ≲ 10³ here, rounding ε|G|/h ≈ 1e-10; 1e-6
				// covers both. Dropping the posterior term changes the
				// result by far more (posteriorTerm below).
				e := math.Abs(got - fd)
				worstFD = max(worstFD, e/(1+math.Abs(fd)))
				if e > 1e-6*(1+math.Abs(fd)) {
					t.Errorf("%s row %d: VJP[%d] = %.10g, finite difference %.10g", name, i, j, got, fd)
				}
				// Σ_c π_c uᵀJ_c alone (no posterior derivative), from
				// the reference, to show that term is not negligible.
				pi, _, _ := ref.post(xi)
				noPost := 0.0
				for c, tp := range ref.tuples {
					// uᵀ H_c S_c⁻¹ e_j with H_c = Σ_k w_k α_k Σ_{k,c_k}.
					for a := 0; a < d; a++ {
						for b := 0; b < d; b++ {
							hab := 0.0
							for k, jc := range tp.comp {
								hab += w[k] * alpha[k] * ref.covs[k][jc][a*d+b]
							}
							noPost += pi[c] * ui[a] * hab * tp.sinv[b*d+j]
						}
					}
				}
				posteriorTerm = max(posteriorTerm, math.Abs(fd-noPost))
			}
		}
	}
	t.Logf("max |VJP − finite difference|/(1+|fd|) = %.3g; largest contribution of the posterior-derivative term: %.3g", worstFD, posteriorTerm)
	if posteriorTerm < 1e-2 {
		t.Errorf("posterior-derivative term at most %.3g: a VJP without it would pass, the test lacks power", posteriorTerm)
	}
}

// TestOracleVJPVertex checks the vertex e_k in closed form: g_k = x and
// every other g_j is constant, so the VJP is w_k u.
func TestOracleVJPVertex(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	data := oracleRandMixtures(t, r, 2, []int{2, 2}, 2)
	o := oracleMust(t, data)
	K1, d := o.Sizes()
	const n = 5
	x := make([]float64, n*d)
	u := make([]float64, n*d)
	for i := range x {
		x[i], u[i] = 3*r.NormFloat64(), r.NormFloat64()
	}
	w := []float64{0.7, -1.3, 2.1}
	dx := make([]float64, n*d)
	for k := 0; k < K1; k++ {
		alpha := make([]float64, K1)
		alpha[k] = 1
		o.VJP(dx, w, alpha, x, u)
		for i := range dx {
			// Exact in exact arithmetic; rounding of S⁻¹Σ = I only.
			if e := math.Abs(dx[i] - w[k]*u[i]); e > 1e-12 {
				t.Errorf("vertex %d: dx[%d] = %.15g, want w_k u = %.15g", k, i, dx[i], w[k]*u[i])
			}
		}
	}
}

// TestOracleScore checks Score against central differences of LogDensity
// and against −g_0/α_0 where α_0 > 0.
func TestOracleScore(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	const n, h = 20, 1e-5
	data := oracleRandMixtures(t, r, 2, []int{2, 3, 2}, 3)
	o := oracleMust(t, data)
	K1, d := o.Sizes()
	x := make([]float64, n*d)
	for i := range x {
		x[i] = 2 * r.NormFloat64()
	}
	s := make([]float64, n*d)
	g := oracleNewG(K1, n*d)
	for name, alpha := range oracleAlphas(r, K1).all() {
		o.Score(s, alpha, x)
		for i := 0; i < n; i++ {
			xi := append([]float64(nil), x[i*d:(i+1)*d]...)
			for j := 0; j < d; j++ {
				xi[j] += h
				lp := o.LogDensity(alpha, xi)
				xi[j] -= 2 * h
				lm := o.LogDensity(alpha, xi)
				xi[j] += h
				fd := (lp - lm) / (2 * h)
				// Truncation h²|∂³ log ρ|/6 and rounding ε|log ρ|/h ≈ 1e-10.
				if e := math.Abs(s[i*d+j] - fd); e > 1e-6*(1+math.Abs(fd)) {
					t.Errorf("%s row %d: score[%d] = %.10g, finite difference %.10g", name, i, j, s[i*d+j], fd)
				}
			}
		}
		if alpha[0] == 0 {
			continue
		}
		o.Eval(g, alpha, x)
		for i := range s {
			want := -g[0][i] / alpha[0]
			// Same z̄ computed two ways; rounding only.
			if e := math.Abs(s[i] - want); e > 1e-10*(1+math.Abs(want)) {
				t.Errorf("%s: score[%d] = %.12g, −g_0/α_0 = %.12g", name, i, s[i], want)
			}
		}
	}
}

func oracleMixtureLogProb(t testing.TB, m *marginals.Mixture, x []float64) float64 {
	var lp []float64
	for j, c := range m.Components() {
		nd, ok := distmv.NewNormal(c.Mean(), c.Cov(), nil)
		if !ok {
			t.Fatal("distmv: covariance not positive definite")
		}
		lp = append(lp, math.Log(m.Weights()[j])+nd.LogProb(x))
	}
	return floats.LogSumExp(lp)
}

// TestOracleLogDensity checks log ρ(α, x) against gonum's distmv: the
// standard normal at e_0, the data mixture at e_k, N(m, S) for Gaussian
// marginals in the interior, and the brute-force sum over all tuples for
// mixtures anywhere. Values agree to rounding (1e-10 absolute on log
// densities of size ≲ 30); a wrong normalizing constant (log det S or 2π)
// or a wrong S is off by O(1).
func TestOracleLogDensity(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	const d, n = 3, 20
	data := oracleRandMixtures(t, r, d, []int{2, 3, 1}, 3)
	o := oracleMust(t, data)
	K1, _ := o.Sizes()
	x := make([]float64, n*d)
	for i := range x {
		x[i] = 2 * r.NormFloat64()
	}
	std, _ := distmv.NewNormal(make([]float64, d), marginals.StandardGaussian(d).Cov(), nil)
	for i := 0; i < n; i++ {
		xi := x[i*d : (i+1)*d]
		e0 := []float64{1, 0, 0, 0}
		if got, want := o.LogDensity(e0, xi), std.LogProb(xi); math.Abs(got-want) > 1e-10 {
			t.Errorf("e_0: log ρ = %.12g, want %.12g", got, want)
		}
		for k := 1; k < K1; k++ {
			ek := make([]float64, K1)
			ek[k] = 1
			if got, want := o.LogDensity(ek, xi), oracleMixtureLogProb(t, data[k-1], xi); math.Abs(got-want) > 1e-10 {
				t.Errorf("e_%d: log ρ = %.12g, want %.12g", k, got, want)
			}
		}
	}
	for name, alpha := range oracleAlphas(r, K1).all() {
		ref := newOracleRef(t, data, alpha, gExact)
		for i := 0; i < n; i++ {
			xi := x[i*d : (i+1)*d]
			_, _, want := ref.post(xi)
			if got := o.LogDensity(alpha, xi); math.Abs(got-want) > 1e-10 {
				t.Errorf("%s: log ρ = %.12g, brute force %.12g", name, got, want)
			}
		}
	}

	// Gaussian marginals, interior α: x(α) ~ N(m, S).
	gdata := oracleRandMixtures(t, r, d, []int{1, 1}, 2)
	og := oracleMust(t, gdata)
	alpha := []float64{0.2, 0.5, 0.3}
	S := mat.NewSymDense(d, nil)
	for a := 0; a < d; a++ {
		S.SetSym(a, a, alpha[0]*alpha[0])
	}
	m := make([]float64, d)
	for k, gm := range gdata {
		S.AddSym(S, oracleScaledSym(alpha[k+1]*alpha[k+1], gm.Components()[0].Cov()))
		floats.AddScaled(m, alpha[k+1], gm.Components()[0].Mean())
	}
	nd, ok := distmv.NewNormal(m, S, nil)
	if !ok {
		t.Fatal("S not positive definite")
	}
	for i := 0; i < n; i++ {
		xi := x[i*d : (i+1)*d]
		if got, want := og.LogDensity(alpha, xi), nd.LogProb(xi); math.Abs(got-want) > 1e-10 {
			t.Errorf("Gaussian interior: log ρ = %.12g, N(m, S) gives %.12g", got, want)
		}
	}
}

// TestOracleDensityNormalized integrates exp(log ρ(α, ·)) over a grid in
// d = 2 at an interior α of a mixture problem. The midpoint rule on a smooth,
// rapidly decaying integrand has error ≈ exp(−2π²σ²/h²) (σ ≳ 0.15 the smallest
// standard deviation of any S_c, h = 0.04: ≈ 1e-121) plus the mass outside
// the box (components within ±4 with σ ≲ 1: < 1e-10), so the integral is 1
// to 1e-8 unless the density is mis-normalized.
func TestOracleDensityNormalized(t *testing.T) {
	o := oracleMust(t, oracleSeparated(t))
	alpha := []float64{0.2, 0.3, 0.3, 0.2}
	const lo, hi, h = -10.0, 10.0, 0.04
	sum := 0.0
	x := make([]float64, 2)
	for a := lo + h/2; a < hi; a += h {
		for b := lo + h/2; b < hi; b += h {
			x[0], x[1] = a, b
			sum += math.Exp(o.LogDensity(alpha, x))
		}
	}
	sum *= h * h
	if math.Abs(sum-1) > 1e-8 {
		t.Errorf("∫ ρ(α, x) dx = %.12g, want 1", sum)
	}
}

// TestOracleConcurrent evaluates from several goroutines at more α than the
// cache holds and compares with serial results; run with -race to check the
// cache and scratch pool.
func TestOracleConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	data := oracleRandMixtures(t, r, 2, []int{2, 2, 3}, 3)
	o := oracleMust(t, data)
	K1, d := o.Sizes()
	const n = 64
	x := make([]float64, n*d)
	for i := range x {
		x[i] = 2 * r.NormFloat64()
	}
	var alphas [][]float64
	for i := 0; i < 3*oraclePlanCacheSize; i++ {
		alphas = append(alphas, oracleDirichlet(r, K1))
	}
	want := make([][][]float64, len(alphas))
	for i, a := range alphas {
		want[i] = oracleNewG(K1, n*d)
		oracleMust(t, data).Eval(want[i], a, x) // fresh oracle, empty cache
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			g := oracleNewG(K1, n*d)
			for rep := 0; rep < 3; rep++ {
				for i := range alphas {
					j := (i + w*5) % len(alphas)
					o.Eval(g, alphas[j], x)
					for k := range g {
						for e := range g[k] {
							// Same arithmetic in the same order: bit-identical.
							if g[k][e] != want[j][k][e] {
								select {
								case errs <- fmt.Sprintf("goroutine %d α#%d g_%d[%d] = %v, want %v", w, j, k, e, g[k][e], want[j][k][e]):
								default:
								}
								return
							}
						}
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestOracleZeroWeight checks that a zero-weight component is ignored: the
// oracle equals the one built without it.
func TestOracleZeroWeight(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	data := oracleRandMixtures(t, r, 2, []int{3, 2}, 3)
	o1 := oracleMust(t, data)
	withZero := []*marginals.Mixture{
		mustMixture(t, append(append([]float64{}, data[0].Weights()...), 0), append(append([]*marginals.Gaussian{}, data[0].Components()...), oracleGaussian(t, []float64{0, 0}, oracleRandSPD(r, 2, 1, 0.3)))),
		data[1],
	}
	o2 := oracleMust(t, withZero)
	x := []float64{0.5, -1, 2, 0.1}
	for _, alpha := range [][]float64{{0.2, 0.5, 0.3}, {0, 1, 0}, {0.5, 0, 0.5}} {
		g1, g2 := oracleNewG(3, 4), oracleNewG(3, 4)
		o1.Eval(g1, alpha, x)
		o2.Eval(g2, alpha, x)
		for k := range g1 {
			for i := range g1[k] {
				if math.Abs(g1[k][i]-g2[k][i]) > 1e-12 {
					t.Errorf("α=%v g_%d[%d]: %v with zero-weight component, %v without", alpha, k, i, g2[k][i], g1[k][i])
				}
			}
		}
	}
}

// TestNewOracleErrors: what NewOracle itself must refuse. The rules for
// weights and components belong to marginals.NewMixture and NewGaussian
// (the only way to make a Mixture), and are tested there.
func TestNewOracleErrors(t *testing.T) {
	good := func() *marginals.Gaussian { return marginals.StandardGaussian(2) }
	comps := make([]*marginals.Gaussian, 64)
	w := make([]float64, 64)
	for j := range comps {
		comps[j], w[j] = good(), 1
	}
	big := mustMixture(t, w, comps)
	for j := 2; j < len(w); j++ {
		w[j] = 0
	}
	two := mustMixture(t, w, comps) // 2 components that occur, 62 of weight 0
	for _, tc := range []struct {
		name string
		data []*marginals.Mixture
		want string
	}{
		{"no marginals", nil, "at least one"},
		{"nil mixture", []*marginals.Mixture{nil}, "missing"},
		{"zero Mixture", []*marginals.Mixture{{}}, "not made by marginals.NewMixture"},
		{"mismatched dims", []*marginals.Mixture{
			mustMixture(t, []float64{1}, []*marginals.Gaussian{good()}),
			mustMixture(t, []float64{1}, []*marginals.Gaussian{marginals.StandardGaussian(3)}),
		}, "want dimension 2"},
		{"too many tuples", []*marginals.Mixture{big, big, big, big}, "component tuples"},
	} {
		o, err := NewOracle(tc.data)
		if err == nil || o != nil {
			t.Errorf("%s: NewOracle = %v, %v; want an error", tc.name, o, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "gk: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want prefix \"gk: \" and %q", tc.name, err, tc.want)
		}
	}
	// Components of weight 0 never occur and do not count as tuples.
	if _, err := NewOracle([]*marginals.Mixture{big, big, big, two}); err != nil {
		t.Errorf("64³·2 tuples: %v", err)
	}
}

func TestOraclePanics(t *testing.T) {
	o := oracleMust(t, []*marginals.Mixture{mustMixture(t, []float64{1}, []*marginals.Gaussian{marginals.StandardGaussian(2)})})
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"alpha length", func() { o.Eval(oracleNewG(2, 2), []float64{1}, []float64{0, 0}) }},
		{"x length", func() { o.Eval(oracleNewG(2, 3), []float64{0.5, 0.5}, []float64{0, 0, 0}) }},
		{"g length", func() { o.Eval(oracleNewG(3, 2), []float64{0.5, 0.5}, []float64{0, 0}) }},
		{"g row length", func() { o.Eval(oracleNewG(2, 4), []float64{0.5, 0.5}, []float64{0, 0}) }},
		{"zero alpha", func() { o.Eval(oracleNewG(2, 2), []float64{0, 0}, []float64{0, 0}) }},
		{"VJP w length", func() { o.VJP(make([]float64, 2), []float64{1}, []float64{0.5, 0.5}, []float64{0, 0}, []float64{1, 1}) }},
		{"LogDensity x length", func() { o.LogDensity([]float64{0.5, 0.5}, []float64{0, 0, 0, 0}) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

func BenchmarkOracleEval(b *testing.B) {
	r := rand.New(rand.NewPCG(23, 24))
	data := oracleRandMixtures(b, r, 2, []int{2, 3, 2}, 3)
	o := oracleMust(b, data)
	K1, d := o.Sizes()
	const n = 1024
	x := make([]float64, n*d)
	for i := range x {
		x[i] = 2 * r.NormFloat64()
	}
	g := oracleNewG(K1, n*d)
	alpha := oracleDirichlet(r, K1)
	b.ReportAllocs()
	for b.Loop() {
		o.Eval(g, alpha, x)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

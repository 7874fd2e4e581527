package gk

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/metrics"
)

// threeGaussians are three 2-D Gaussians elongated along the axes at 0°,
// 50° and 110° (variances 3 and 0.15): pairwise non-commuting covariances,
// so the barycenter is not a simple average of roots.
func threeGaussians(t testing.TB) []*marginals.Mixture {
	return []*marginals.Mixture{
		trMix(t, []float64{1}, trGauss(t, -1, 0, 3, 0, 0.15)),
		trMix(t, []float64{1}, trGauss(t, 0.5, 1, 1.3276, 1.4034, 1.8224)),
		trMix(t, []float64{1}, trGauss(t, 0.5, -1, 0.4834, -0.9160, 2.6666)),
	}
}

func coupledOracle(t testing.TB, mix []*marginals.Mixture) *CoupledOracle {
	t.Helper()
	o, err := NewCoupledOracle(mix)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestGaussianOTFixedPoint: the barycenter covariance solves
// B = (1/K) Σ_k (B^{1/2} Σ_k B^{1/2})^{1/2}, the maps push N(0, B) to the
// marginals (T_k B T_k = Σ_k) and average to the identity.
func TestGaussianOTFixedPoint(t *testing.T) {
	mix := threeGaussians(t)
	o := coupledOracle(t, mix)
	_, b := o.GaussianOT().Barycenter()
	var eig mat.EigenSym
	eig.Factorize(b, true)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	vals := eig.Values(nil)
	bh := mat.NewDense(2, 2, nil)
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			s := 0.0
			for l, v := range vals {
				s += vecs.At(i, l) * math.Sqrt(v) * vecs.At(j, l)
			}
			bh.Set(i, j, s)
		}
	}
	sum := mat.NewDense(2, 2, nil)
	avgT := mat.NewDense(2, 2, nil)
	for k, m := range mix {
		g := m.Components()[0]
		var in mat.Dense
		in.Mul(bh, g.Cov())
		in.Mul(&in, bh)
		var e2 mat.EigenSym
		s := mat.NewSymDense(2, []float64{in.At(0, 0), (in.At(0, 1) + in.At(1, 0)) / 2, (in.At(0, 1) + in.At(1, 0)) / 2, in.At(1, 1)})
		e2.Factorize(s, true)
		var v2 mat.Dense
		e2.VectorsTo(&v2)
		for i := 0; i < 2; i++ {
			for j := 0; j < 2; j++ {
				r := 0.0
				for l, v := range e2.Values(nil) {
					r += v2.At(i, l) * math.Sqrt(v) * v2.At(j, l)
				}
				sum.Set(i, j, sum.At(i, j)+r/3)
			}
		}
		tk := o.GaussianOT().Map(k + 1)
		var tbt mat.Dense
		tbt.Mul(tk, b)
		tbt.Mul(&tbt, tk)
		if !mat.EqualApprox(&tbt, g.Cov(), 1e-10) {
			t.Errorf("T_%d B T_%d = %v, want Σ_%d = %v", k+1, k+1, mat.Formatted(&tbt), k+1, mat.Formatted(g.Cov()))
		}
		avgT.Add(avgT, tk)
	}
	avgT.Scale(1.0/3, avgT)
	if !mat.EqualApprox(sum, b, 1e-10) {
		t.Errorf("fixed point residual: %v vs B %v", mat.Formatted(sum), mat.Formatted(b))
	}
	if !mat.EqualApprox(avgT, mat.NewDiagDense(2, []float64{1, 1}), 1e-10) {
		t.Errorf("(1/K) Σ T_k = %v, want I", mat.Formatted(avgT))
	}
}

// TestCoupledOracleRegression: g_k agrees with the least-squares
// regression of x_k on x(α) over joint draws of the coupling, and the
// identity Σ_k α_k g_k = x holds.
func TestCoupledOracleRegression(t *testing.T) {
	o := coupledOracle(t, threeGaussians(t))
	r := rand.New(rand.NewPCG(3, 1))
	const n = 40000
	alpha := []float64{0.2, 0.3, 0.1, 0.4}
	xs := trNewG(4, 2*n)
	o.Joint().Sample(xs, r)
	x := make([]float64, 2*n)
	for k, a := range alpha {
		for i, v := range xs[k] {
			x[i] += a * v
		}
	}
	g := trNewG(4, 2*n)
	o.Eval(g, alpha, x)
	for i := 0; i < 2*n; i += 2 {
		for j := 0; j < 2; j++ {
			s := -x[i+j]
			for k, a := range alpha {
				s += a * g[k][i+j]
			}
			if math.Abs(s) > 1e-9 {
				t.Fatalf("identity residual %v", s)
			}
		}
	}
	// E[x_k − g_k] = 0 and E[(x_k − g_k) x(α)ᵀ] = 0 (the residual is
	// uncorrelated with the regressor), within 5 standard errors.
	for k := 0; k < 4; k++ {
		for a := 0; a < 2; a++ {
			for b := -1; b < 2; b++ {
				var s, s2 float64
				for i := 0; i < n; i++ {
					e := xs[k][2*i+a] - g[k][2*i+a]
					if b >= 0 {
						e *= x[2*i+b]
					}
					s += e
					s2 += e * e
				}
				mean := s / n
				se := math.Sqrt((s2/n - mean*mean) / n)
				if math.Abs(mean) > 5*se+1e-12 {
					t.Errorf("k=%d coordinate %d moment %d: %v (se %v)", k, a, b, mean, se)
				}
			}
		}
	}
}

// TestCoupledOracleDerivatives: VJP and VJPAlpha agree with central
// differences of Eval.
func TestCoupledOracleDerivatives(t *testing.T) {
	o := coupledOracle(t, threeGaussians(t))
	r := rand.New(rand.NewPCG(4, 1))
	alpha := []float64{0.15, 0.35, 0.2, 0.3}
	w := []float64{0.7, -1.2, 0.4, 2.1}
	const n = 5
	x, u := make([]float64, 2*n), make([]float64, 2*n)
	for i := range x {
		x[i], u[i] = 2*r.NormFloat64(), r.NormFloat64()
	}
	G := func(a, xx []float64) []float64 {
		g := trNewG(4, len(xx))
		o.Eval(g, a, xx)
		out := make([]float64, len(xx))
		for k := range g {
			oracleAxpy(out, w[k], g[k])
		}
		return out
	}
	dx, dx2 := make([]float64, 2*n), make([]float64, 2*n)
	dalpha := make([]float64, 4)
	o.VJP(dx, w, alpha, x, u)
	o.VJPAlpha(dalpha, dx2, w, alpha, x, u)
	const h = 1e-6
	for i := range x {
		xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
		xp[i] += h
		xm[i] -= h
		gp, gm := G(alpha, xp), G(alpha, xm)
		fd := (oracleDot(u, gp) - oracleDot(u, gm)) / (2 * h)
		if math.Abs(fd-dx[i]) > 1e-6*(1+math.Abs(fd)) || dx[i] != dx2[i] {
			t.Errorf("dx[%d] = %v (VJPAlpha %v), finite difference %v", i, dx[i], dx2[i], fd)
		}
	}
	for m := range alpha {
		ap, am := append([]float64(nil), alpha...), append([]float64(nil), alpha...)
		ap[m] += h
		am[m] -= h
		fd := (oracleDot(u, G(ap, x)) - oracleDot(u, G(am, x))) / (2 * h)
		if math.Abs(fd-dalpha[m]) > 1e-6*(1+math.Abs(fd)) {
			t.Errorf("dalpha[%d] = %v, finite difference %v", m, dalpha[m], fd)
		}
	}
	// Score and LogDensity: the gradient of the log density.
	sc := make([]float64, 2)
	o.Score(sc, alpha, x[:2])
	for j := 0; j < 2; j++ {
		xp, xm := append([]float64(nil), x[:2]...), append([]float64(nil), x[:2]...)
		xp[j] += h
		xm[j] -= h
		fd := (o.LogDensity(alpha, xp) - o.LogDensity(alpha, xm)) / (2 * h)
		if math.Abs(fd-sc[j]) > 1e-6*(1+math.Abs(fd)) {
			t.Errorf("score[%d] = %v, finite difference %v", j, sc[j], fd)
		}
	}
}

// edgeCost estimates the transport cost of the straight edge e_i → e_j,
// ∫_0^1 E|g_j − g_i|²(α(t), x(α(t))) dt, with x drawn from the joint
// coupling c: the mean over n draws at each of the midpoints of nt
// intervals, and its standard error (draws independent across t).
func edgeCost(g cond.Conditional, c marginals.Coupling, i, j, n, nt int, r *rand.Rand) (cost, se float64) {
	k1, d := g.Sizes()
	xs := trNewG(k1, n*d)
	gs := trNewG(k1, n*d)
	x := make([]float64, n*d)
	var varSum float64
	for s := 0; s < nt; s++ {
		tt := (float64(s) + 0.5) / float64(nt)
		alpha := make([]float64, k1)
		alpha[i], alpha[j] = 1-tt, tt
		c.Sample(xs, r)
		for l := range x {
			x[l] = alpha[i]*xs[i][l] + alpha[j]*xs[j][l]
		}
		g.Eval(gs, alpha, x)
		var m, m2 float64
		for row := 0; row < n; row++ {
			e := 0.0
			for l := row * d; l < (row+1)*d; l++ {
				v := gs[j][l] - gs[i][l]
				e += v * v
			}
			m += e
			m2 += e * e
		}
		m /= float64(n)
		cost += m / float64(nt)
		varSum += (m2/float64(n) - m*m) / float64(n)
	}
	return cost, math.Sqrt(varSum) / float64(nt)
}

// TestCoupledOracleEdgeW2: under the OT-coupled oracle the straight edge
// between two Gaussians costs W2² (each point has one partner, so
// g_2 − g_1 = x_2 − x_1), within 4 standard errors; the independent
// oracle of the same Gaussians costs far more and fails the same test.
func TestCoupledOracleEdgeW2(t *testing.T) {
	mix := threeGaussians(t)[:2]
	a, b := mix[0].Components()[0], mix[1].Components()[0]
	w2 := metrics.GaussianW2(a.Mean(), a.Cov(), b.Mean(), b.Cov())
	w2 *= w2
	o := coupledOracle(t, mix)
	cost, se := edgeCost(o, o.Joint(), 1, 2, 4000, 16, rand.New(rand.NewPCG(5, 5)))
	t.Logf("OT-coupled oracle: edge cost %.4f ± %.4f, W2² %.4f", cost, se, w2)
	if math.Abs(cost-w2) > 4*se {
		t.Errorf("OT-coupled edge cost %.4f ± %.4f, W2² %.4f", cost, se, w2)
	}
	ind := trOracle(t, mix)
	icost, ise := edgeCost(ind, trCoupling(t, mix), 1, 2, 4000, 16, rand.New(rand.NewPCG(5, 5)))
	t.Logf("independent oracle: edge cost %.4f ± %.4f", icost, ise)
	if math.Abs(icost-w2) <= 4*ise {
		t.Errorf("the independent oracle passes the W2² test: %.4f ± %.4f", icost, ise)
	}
}

// lawBarycenter pushes n noise rows along e_0 → α* with the velocity of
// g (classical RK4, steps steps) and returns the samples of ρ(α*).
func lawBarycenter(g cond.Conditional, alphaStar []float64, n, steps int, r *rand.Rand) []float64 {
	k1, d := g.Sizes()
	x := make([]float64, n*d)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	gs := trNewG(k1, n*d)
	vel := func(t float64, y []float64) []float64 {
		alpha := make([]float64, k1)
		for k := range alpha {
			alpha[k] = t * alphaStar[k]
		}
		alpha[0] += 1 - t
		g.Eval(gs, alpha, y)
		out := make([]float64, len(y))
		for k := range gs {
			dk := alphaStar[k]
			if k == 0 {
				dk -= 1
			}
			oracleAxpy(out, dk, gs[k])
		}
		return out
	}
	h := 1 / float64(steps)
	tmp := make([]float64, len(x))
	for s := 0; s < steps; s++ {
		t0 := float64(s) * h
		k1v := vel(t0, x)
		for i := range tmp {
			tmp[i] = x[i] + h/2*k1v[i]
		}
		k2v := vel(t0+h/2, tmp)
		for i := range tmp {
			tmp[i] = x[i] + h/2*k2v[i]
		}
		k3v := vel(t0+h/2, tmp)
		for i := range tmp {
			tmp[i] = x[i] + h*k3v[i]
		}
		k4v := vel(t0+h, tmp)
		for i := range x {
			x[i] += h / 6 * (k1v[i] + 2*k2v[i] + 2*k3v[i] + k4v[i])
		}
	}
	return x
}

// barycenterOff returns the largest deviation of the sample mean and
// covariance of x from (mean, cov), in standard errors (SE of a mean
// sd/√n; of a covariance entry √((Σ_ii Σ_jj + Σ_ij²)/n), the Gaussian
// formula).
func barycenterOff(x []float64, mean []float64, cov mat.Symmetric) float64 {
	m, c := metrics.MeanCov(x, 2)
	n := float64(len(x) / 2)
	worst := 0.0
	for i := 0; i < 2; i++ {
		worst = max(worst, math.Abs(m[i]-mean[i])/math.Sqrt(cov.At(i, i)/n))
		for j := i; j < 2; j++ {
			se := math.Sqrt((cov.At(i, i)*cov.At(j, j) + cov.At(i, j)*cov.At(i, j)) / n)
			worst = max(worst, math.Abs(c.At(i, j)-cov.At(i, j))/se)
		}
	}
	return worst
}

// TestCoupledOracleLawBarycenter: the law barycenter with equal weights,
// generated from noise along e_0 → (0, 1/3, 1/3, 1/3) by the OT-coupled
// oracle, has the mean and covariance of the closed-form Wasserstein
// barycenter of three non-commuting Gaussians within 4 standard errors.
// Two wrong couplings fail it: the maps used in the wrong direction
// (x_k = μ_k + T_k⁻¹ u) and maps that push N(0, B) to each marginal but
// are not optimal (x_k = μ_k + Σ_k^{1/2} B^{−1/2} u).
func TestCoupledOracleLawBarycenter(t *testing.T) {
	mix := threeGaussians(t)
	o := coupledOracle(t, mix)
	mean, b := o.GaussianOT().Barycenter()
	star := []float64{0, 1.0 / 3, 1.0 / 3, 1.0 / 3}
	n := 60000
	if raceEnabled || testing.Short() {
		// The race detector slows the ODE tenfold; the correct oracle and
		// the maps in the wrong direction are told apart at any size, the
		// non-optimal maps need the full sample (checked without -race).
		n = 6000
	}
	x := lawBarycenter(o, star, n, 20, rand.New(rand.NewPCG(6, 6)))
	off := barycenterOff(x, mean, b)
	t.Logf("OT-coupled oracle: law barycenter off by %.2f standard errors", off)
	if off > 4 {
		t.Errorf("law barycenter off by %.2f standard errors", off)
	}
	// Wrong maps: rebuild Γ from other maps M_k (Γ_ij = M_i B M_jᵀ).
	wrong := func(name string, maps []*mat.Dense) {
		w := &CoupledOracle{d: o.d, data: o.data, ot: o.ot, mu: o.mu}
		k1 := 4
		w.gam = append([][]float64(nil), o.gam...)
		for i := 1; i < k1; i++ {
			for j := 1; j < k1; j++ {
				var g mat.Dense
				g.Mul(maps[i-1], b)
				g.Mul(&g, maps[j-1].T())
				w.gam[i*k1+j] = append([]float64(nil), g.RawMatrix().Data...)
			}
		}
		x := lawBarycenter(w, star, n, 20, rand.New(rand.NewPCG(6, 6)))
		off := barycenterOff(x, mean, b)
		t.Logf("%s: law barycenter off by %.2f standard errors", name, off)
		if off <= 4 {
			t.Errorf("%s passes the barycenter test (%.2f standard errors)", name, off)
		}
	}
	var inv, root []*mat.Dense
	bih := sqrtPow(b, -0.5)
	for k, m := range mix {
		var ti mat.Dense
		if err := ti.Inverse(o.GaussianOT().Map(k + 1)); err != nil {
			t.Fatal(err)
		}
		inv = append(inv, &ti)
		var r mat.Dense
		r.Mul(sqrtPow(m.Components()[0].Cov(), 0.5), bih)
		root = append(root, &r)
	}
	wrong("maps in the wrong direction", inv)
	if n == 60000 {
		wrong("non-optimal maps", root)
	}
}

func sqrtPow(a mat.Symmetric, p float64) *mat.Dense {
	var eig mat.EigenSym
	eig.Factorize(a, true)
	var v mat.Dense
	eig.VectorsTo(&v)
	d := a.SymmetricDim()
	out := mat.NewDense(d, d, nil)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			s := 0.0
			for l, e := range eig.Values(nil) {
				s += v.At(i, l) * math.Pow(e, p) * v.At(j, l)
			}
			out.Set(i, j, s)
		}
	}
	return out
}

// TestCoupledOracleRefusesMixtures: no closed form for several modes.
func TestCoupledOracleRefusesMixtures(t *testing.T) {
	if _, err := NewCoupledOracle(trMixtures(t)); err == nil {
		t.Error("mixtures with several components accepted")
	}
}

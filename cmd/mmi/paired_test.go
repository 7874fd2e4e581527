package main

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/samplefile"
)

// pairedGauss is paired 2-D data with a closed-form conditional
// expectation: x_1 ~ N(0, diag(1, ¼)), x_2 = A x_1 + b + 0.1·η with A a
// rotation by 90° scaled by 1.5. Under the paired coupling (row r of both
// files one tuple, x_0 ~ N(0, I) independent) the tuple is Gaussian, so
// g_k(α, x) = μ_k + C_k S⁻¹(x − m) with m = Σ_k α_k μ_k,
// C_k = Σ_j α_j Γ_kj, S = Σ_k α_k C_k (DESIGN.md, "Exact oracles"), here
// with the rows' own means and covariances Γ (the best linear prediction
// under the empirical law, which is what a network learns from the rows).
type pairedGauss struct {
	x1, x2 []float64
	mu     [3][]float64
	gam    [3][3]*mat.Dense
}

func newPairedGauss(n int, seed uint64) *pairedGauss {
	r := rand.New(rand.NewPCG(seed, 17))
	p := &pairedGauss{x1: make([]float64, 2*n), x2: make([]float64, 2*n)}
	for i := range n {
		u0, u1 := r.NormFloat64(), 0.5*r.NormFloat64()
		p.x1[2*i], p.x1[2*i+1] = u0, u1
		p.x2[2*i] = -1.5*u1 + 2 + 0.1*r.NormFloat64()
		p.x2[2*i+1] = 1.5*u0 + 0.1*r.NormFloat64()
	}
	p.moments(gk.Affine{})
	return p
}

// moments sets μ and Γ of the rows mapped by the normalization a (the
// model's coordinates; the noise x_0 is not normalized).
func (p *pairedGauss) moments(a gk.Affine) {
	xs := [2][]float64{append([]float64(nil), p.x1...), append([]float64(nil), p.x2...)}
	for _, x := range xs {
		a.Normalize(x)
	}
	n := len(p.x1) / 2
	p.mu[0] = []float64{0, 0}
	for k, x := range xs {
		m := []float64{0, 0}
		for i := range n {
			m[0] += x[2*i] / float64(n)
			m[1] += x[2*i+1] / float64(n)
		}
		p.mu[k+1] = m
	}
	for i := range 3 {
		for j := range 3 {
			p.gam[i][j] = mat.NewDense(2, 2, nil)
		}
	}
	p.gam[0][0].Copy(mat.NewDiagDense(2, []float64{1, 1}))
	for ki, xi := range xs {
		for kj, xj := range xs {
			g := p.gam[ki+1][kj+1]
			for r := range n {
				for a := range 2 {
					for b := range 2 {
						g.Set(a, b, g.At(a, b)+(xi[2*r+a]-p.mu[ki+1][a])*(xj[2*r+b]-p.mu[kj+1][b])/float64(n))
					}
				}
			}
		}
	}
}

// g returns the closed-form g_0, g_1, g_2 at (α, x).
func (p *pairedGauss) g(alpha, x []float64) [3][]float64 {
	a, b := p.affine(alpha)
	var out [3][]float64
	for k := range 3 {
		out[k] = []float64{
			a[k].At(0, 0)*x[0] + a[k].At(0, 1)*x[1] + b[k][0],
			a[k].At(1, 0)*x[0] + a[k].At(1, 1)*x[1] + b[k][1],
		}
	}
	return out
}

// affine returns g_k(α, x) = A_k x + b_k: A_k = C_k S⁻¹, b_k = μ_k − A_k m.
func (p *pairedGauss) affine(alpha []float64) (a [3]*mat.Dense, b [3][]float64) {
	var c [3]*mat.Dense
	s := mat.NewDense(2, 2, nil)
	m := []float64{0, 0}
	for k := range 3 {
		c[k] = mat.NewDense(2, 2, nil)
		for j := range 3 {
			var t mat.Dense
			t.Scale(alpha[j], p.gam[k][j])
			c[k].Add(c[k], &t)
		}
		var t mat.Dense
		t.Scale(alpha[k], c[k])
		s.Add(s, &t)
		m[0] += alpha[k] * p.mu[k][0]
		m[1] += alpha[k] * p.mu[k][1]
	}
	var sinv mat.Dense
	if err := sinv.Inverse(s); err != nil {
		panic(err)
	}
	for k := range 3 {
		a[k] = mat.NewDense(2, 2, nil)
		a[k].Mul(c[k], &sinv)
		b[k] = []float64{
			p.mu[k][0] - a[k].At(0, 0)*m[0] - a[k].At(0, 1)*m[1],
			p.mu[k][1] - a[k].At(1, 0)*m[0] - a[k].At(1, 1)*m[1],
		}
	}
	return a, b
}

// coupling returns N(0, I) and the rows under the coupling spec.
func (p *pairedGauss) coupling(t *testing.T, spec marginals.CouplingSpec) marginals.Coupling {
	t.Helper()
	e1, err := marginals.NewEmpirical(p.x1, 2)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := marginals.NewEmpirical(p.x2, 2)
	if err != nil {
		t.Fatal(err)
	}
	c, err := spec.New(marginals.StandardGaussian(2), e1, e2)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pairedAlphas are the points of the simplex the paired tests look at:
// on the data edge e_1 – e_2 and inside.
var pairedAlphas = [][]float64{{0, 0.7, 0.3}, {0, 0.3, 0.7}, {0.3, 0.35, 0.35}, {0.6, 0.3, 0.1}, {0.2, 0.1, 0.7}}

// TestPairedClosedForm: the closed form is the regression of each x_k on
// x(α) in draws of marginals.Paired (least squares over 40000 tuples
// reproduces A_k and b_k to the sampling error, measured 0.017; the
// bar is 0.03), and not that of the independent coupling, whose
// regression is off by more than 0.3 on the data edge: a coupling that
// drew the rows independently fails.
func TestPairedClosedForm(t *testing.T) {
	p := newPairedGauss(20000, 1)
	for _, c := range []struct {
		spec   marginals.CouplingSpec
		paired bool
	}{{marginals.CouplingSpec{Kind: marginals.KindPaired}, true}, {marginals.CouplingSpec{}, false}} {
		cp := p.coupling(t, c.spec)
		worst := 0.0
		for _, alpha := range pairedAlphas {
			a, b := p.affine(alpha)
			const n = 40000
			xs := [][]float64{make([]float64, 2*n), make([]float64, 2*n), make([]float64, 2*n)}
			cp.Sample(xs, rand.New(rand.NewPCG(2, 3)))
			design := mat.NewDense(n, 3, nil)
			for i := range n {
				design.Set(i, 0, alpha[0]*xs[0][2*i]+alpha[1]*xs[1][2*i]+alpha[2]*xs[2][2*i])
				design.Set(i, 1, alpha[0]*xs[0][2*i+1]+alpha[1]*xs[1][2*i+1]+alpha[2]*xs[2][2*i+1])
				design.Set(i, 2, 1)
			}
			for k := range 3 {
				y := mat.NewDense(n, 2, nil)
				for i := range n {
					y.Set(i, 0, xs[k][2*i])
					y.Set(i, 1, xs[k][2*i+1])
				}
				var coef mat.Dense // 3×2: rows x, y, 1
				if err := coef.Solve(design, y); err != nil {
					t.Fatal(err)
				}
				for r := range 2 {
					for q := range 2 {
						worst = math.Max(worst, math.Abs(coef.At(q, r)-a[k].At(r, q)))
					}
					worst = math.Max(worst, math.Abs(coef.At(2, r)-b[k][r]))
				}
			}
		}
		if c.paired && worst > 0.03 {
			t.Errorf("paired draws: regression coefficients off the closed form by %.3g", worst)
		}
		if !c.paired && worst < 0.3 {
			t.Errorf("independent draws: regression within %.3g of the paired closed form; the test cannot tell the couplings apart", worst)
		}
		t.Logf("%s: largest coefficient difference %.3g", c.spec, worst)
	}
}

// relErr is Σ_k E|ĝ_k − g_k|² / Σ_k E|g_k − E g_k|² of the model m
// against the closed form at α, on points x(α) of the paired interpolant
// (model coordinates).
func relErr(t *testing.T, m *gk.Model, p *pairedGauss, alpha []float64) float64 {
	t.Helper()
	cp := gk.NormalizedCoupling(p.coupling(t, marginals.CouplingSpec{Kind: marginals.KindPaired}), m.Config().Norm)
	const n = 4000
	xs := [][]float64{make([]float64, 2*n), make([]float64, 2*n), make([]float64, 2*n)}
	cp.Sample(xs, rand.New(rand.NewPCG(5, 6)))
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = alpha[0]*xs[0][i] + alpha[1]*xs[1][i] + alpha[2]*xs[2][i]
	}
	g := [][]float64{make([]float64, 2*n), make([]float64, 2*n), make([]float64, 2*n)}
	m.Eval(g, alpha, x)
	var num, den float64
	truth := make([][3][]float64, n)
	mean := [3][2]float64{}
	for i := range n {
		truth[i] = p.g(alpha, x[2*i:2*i+2])
		for k := range 3 {
			mean[k][0] += truth[i][k][0] / n
			mean[k][1] += truth[i][k][1] / n
		}
	}
	for i := range n {
		for k := range 3 {
			for j := range 2 {
				e := g[k][2*i+j] - truth[i][k][j]
				num += e * e
				v := truth[i][k][j] - mean[k][j]
				den += v * v
			}
		}
	}
	return num / den
}

// TestPairedTrainExact: a model trained with mmi train --coupling paired
// on the two row-aligned files learns the closed form: relative error
// (0 exact, 1 the best guess that ignores x) at most 0.02 at every α of
// pairedAlphas, data edge included (measured 0.0006–0.0017 after 1500
// steps). The same training with --coupling independent learns another
// law and is far off on the data edge (measured 0.29–0.39; the bar 0.15). The
// checkpoint records the coupling, and --resume refuses another one.
func TestPairedTrainExact(t *testing.T) {
	if raceEnabled {
		t.Skip("trains a model: too slow under the race detector")
	}
	p := newPairedGauss(20000, 1)
	dir := t.TempDir()
	f1, f2 := filepath.Join(dir, "x1.csv"), filepath.Join(dir, "x2.csv")
	if err := samplefile.Write(f1, p.x1, 2); err != nil {
		t.Fatal(err)
	}
	if err := samplefile.Write(f2, p.x2, 2); err != nil {
		t.Fatal(err)
	}
	train := func(coupling string) *gk.Model {
		t.Helper()
		out := filepath.Join(dir, coupling+".mmi")
		if code, _, stderr := mmi(t, "train", "--data", f1+","+f2, "--coupling", coupling, "--steps", "1500", "--seed", "3", "--out", out); code != 0 {
			t.Fatalf("train --coupling %s: exit %d: %s", coupling, code, stderr)
		}
		m, err := gk.Load(out)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	paired := train("paired")
	if got := paired.Coupling(); got.Kind != marginals.KindPaired {
		t.Fatalf("checkpoint records the coupling %s", got)
	}
	indep := train("independent")
	p.moments(paired.Config().Norm)
	for _, alpha := range pairedAlphas {
		if e := relErr(t, paired, p, alpha); e > 0.02 {
			t.Errorf("paired model at α = %v: relative error %.3g against the closed form", alpha, e)
		} else {
			t.Logf("paired model at α = %v: relative error %.3g", alpha, e)
		}
	}
	p.moments(indep.Config().Norm)
	for _, alpha := range pairedAlphas[:2] {
		if e := relErr(t, indep, p, alpha); e < 0.15 {
			t.Errorf("independent model at α = %v: relative error %.3g against the paired closed form; the test cannot tell the couplings apart", alpha, e)
		} else {
			t.Logf("independent model at α = %v: relative error %.3g", alpha, e)
		}
	}
	code, _, stderr := mmi(t, "train", "--resume", filepath.Join(dir, "paired.mmi"), "--coupling", "independent", "--steps", "1600")
	if code != 2 || !strings.Contains(stderr, "--coupling paired") {
		t.Errorf("resume with another coupling: exit %d, %q", code, stderr)
	}
}

// TestPairedRefusals: data that cannot be paired is refused with one line
// naming the sets and their sizes, exit 2.
func TestPairedRefusals(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	if err := samplefile.Write(a, make([]float64, 20), 2); err != nil {
		t.Fatal(err)
	}
	if err := samplefile.Write(b, make([]float64, 30), 2); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		data string
		want []string
	}{
		{a + "," + b, []string{"equal row counts", "a.csv 10 rows", "b.csv 15 rows"}},
		{a + ",moons", []string{"moons is a generator without rows"}},
		{"digits:3,digits:all:low4", []string{"equal row counts", "digits:3 138 rows", "digits:all:low4 1352 rows"}},
		{"digits:all:first10,digits:all:test:first10:low4", []string{"digits:all:first10 (10 rows) shows the images digits:all:train:first10", "digits:all:test:first10"}},
	} {
		code, _, stderr := mmi(t, "train", "--data", c.data, "--coupling", "paired", "--steps", "1", "--out", filepath.Join(dir, "m.mmi"))
		if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("--data %s: exit %d, stderr %q; want exit 2 and one line", c.data, code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("--data %s: %q does not say %q", c.data, stderr, w)
			}
		}
	}
	if _, err := datasets.CheckPaired(nil); err != nil {
		t.Errorf("no entries: %v", err)
	}
}

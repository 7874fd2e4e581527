package styletransfer_test

import (
	"context"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/styletransfer"
	"github.com/mmi-go/mmi/viz"
)

const mix3 = "../examples/mix3.json"

// energyTol bounds the energy distance between n = 1500 generated and
// exact samples of laws of the scale of mix3.json. Measured spread of the
// distance between two exact sets of n = 1500 (100 pairs per marginal):
// 99th percentile 0.0073, largest 0.0093 (marginal 1, whose two distant
// modes make the mode weights fluctuate); at n = 2000 largest 0.0071.
// The wrong marginal or the other barycenter mode is ≥ 0.05 away (checked
// below, so the tolerance is shown to separate).
const energyTol = 0.015

func exact(t *testing.T) (*generate.Generator, []*marginals.Mixture) {
	t.Helper()
	gen, err := generate.Load(mix3)
	if err != nil {
		t.Fatal(err)
	}
	mix, _ := datasets.ReadSpec(mix3)
	return gen, mix
}

func draw(m marginals.Marginal, n int, seed uint64) []float64 {
	x := make([]float64, n*m.Dim())
	m.Sample(x, rand.New(rand.NewPCG(seed, 17)))
	return x
}

func TestTransferOracle(t *testing.T) {
	gen, mix := exact(t)
	ctx := context.Background()
	const n = 1500
	for _, tc := range []struct {
		from, to int
		via      []int
	}{{1, 3, nil}, {3, 2, nil}, {2, 1, []int{3}}} {
		route, err := styletransfer.Route(4, tc.from, tc.to, tc.via, nil)
		if err != nil {
			t.Fatal(err)
		}
		x, _ := gen.Draw(tc.from, n, rand.New(rand.NewPCG(1, uint64(tc.from))))
		res, err := gen.Run(ctx, generate.Job{Path: route, In: x, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		truth := draw(mix[tc.to-1], n, 2)
		e := metrics.Energy(res.X, truth, 2)
		floor := metrics.Energy(draw(mix[tc.to-1], n, 3), truth, 2)
		wrong := metrics.Energy(res.X, draw(mix[tc.from-1], n, 4), 2)
		t.Logf("%d → %d via %v: energy %.4f, two exact sets %.4f, against the source %.3f", tc.from, tc.to, tc.via, e, floor, wrong)
		if e > energyTol || wrong < 4*energyTol {
			t.Errorf("%d → %d: energy distance %.4f to the target (want ≤ %.3f), %.4f to the source (want ≫)", tc.from, tc.to, e, energyTol, wrong)
		}
	}
}

func TestRouteErrors(t *testing.T) {
	for _, tc := range []struct {
		from, to int
		via      []int
	}{{1, 1, nil}, {0, 4, nil}, {1, 2, []int{2}}, {-1, 2, nil}} {
		if _, err := styletransfer.Route(4, tc.from, tc.to, tc.via, nil); err == nil {
			t.Errorf("Route(%d, %d, %v) accepted", tc.from, tc.to, tc.via)
		}
	}
	p, _ := generate.Polyline(4, 1, 2)
	if _, err := styletransfer.Route(4, 1, 3, nil, p); err == nil {
		t.Error("a path that ends at 2 accepted for 1 → 3")
	}
	if _, err := styletransfer.Route(4, 1, 2, nil, p); err != nil {
		t.Error(err)
	}
}

func TestAlphaErrors(t *testing.T) {
	for _, w := range [][]float64{{0.5, 0.5}, {0.5, 0.6, -0.1}, {0.2, 0.2, 0.2}, {math.NaN(), 0.5, 0.5}} {
		if _, err := styletransfer.Alpha(4, w); err == nil {
			t.Errorf("weights %v accepted", w)
		}
	}
	a, err := styletransfer.Alpha(4, []float64{0.2, 0.3, 0.5})
	if err != nil || a[0] != 0 || a[3] != 0.5 {
		t.Errorf("Alpha = %v, %v", a, err)
	}
}

// Both barycenter modes on the mixtures of mix3.json: the law mode against
// exact samples of w_1 x_1 + w_2 x_2 + w_3 x_3 with independent x_k; the
// coupled mode is a different law (it keeps the marginals' spread), which
// the same tolerance tells apart.
func TestLawBarycenterOracle(t *testing.T) {
	gen, mix := exact(t)
	ctx := context.Background()
	const n = 1500
	w := []float64{0.5, 0.2, 0.3}
	truth := make([]float64, n*2)
	other := make([]float64, n*2)
	for k := range mix {
		a, b := draw(mix[k], n, uint64(10+k)), draw(mix[k], n, uint64(20+k))
		for i := range truth {
			truth[i] += w[k] * a[i]
			other[i] += w[k] * b[i]
		}
	}
	law, err := styletransfer.LawBarycenter(ctx, gen, w, n, 1, generate.Shard{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	coupled, err := styletransfer.CoupledBarycenter(ctx, gen, w, n, 1, generate.Shard{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, floor := metrics.Energy(law.X, truth, 2), metrics.Energy(other, truth, 2)
	wrong := metrics.Energy(coupled.X, truth, 2)
	t.Logf("law barycenter: energy %.4f (two exact sets %.4f); coupled against the law %.4f", e, floor, wrong)
	if e > energyTol {
		t.Errorf("law barycenter: energy distance %.4f to exact samples > %.3f", e, energyTol)
	}
	if wrong < 2*energyTol {
		t.Errorf("coupled barycenter is %.4f from the law barycenter: the modes must differ", wrong)
	}
}

// gaussians returns two 2-D Gaussian marginals and their oracle.
func gaussians(t *testing.T) (*generate.Generator, []*marginals.Gaussian) {
	t.Helper()
	g1, _ := marginals.NewGaussian([]float64{2, 0}, mat.NewSymDense(2, []float64{1, 0.3, 0.3, 0.5}))
	g2, _ := marginals.NewGaussian([]float64{-1, 3}, mat.NewSymDense(2, []float64{0.4, -0.1, -0.1, 0.8}))
	var mix []*marginals.Mixture
	for _, g := range []*marginals.Gaussian{g1, g2} {
		m, err := marginals.NewMixture([]float64{1}, []*marginals.Gaussian{g})
		if err != nil {
			t.Fatal(err)
		}
		mix = append(mix, m)
	}
	o, err := gk.NewOracle(mix)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := generate.FromOracle(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	return gen, []*marginals.Gaussian{g1, g2}
}

func sqrtm(s *mat.SymDense) *mat.Dense {
	var eig mat.EigenSym
	eig.Factorize(s, true)
	var v mat.Dense
	eig.VectorsTo(&v)
	vals := eig.Values(nil)
	d := mat.NewDense(len(vals), len(vals), nil)
	for i, l := range vals {
		d.Set(i, i, math.Sqrt(l))
	}
	var r mat.Dense
	r.Product(&v, d, v.T())
	return &r
}

// The law mode with Gaussian marginals N(μ_k, Σ_k), independent coupling:
// ρ(α*) = N(Σ w_k μ_k, Σ w_k² Σ_k). Mean and covariance of n = 4000
// samples are checked to 4 standard errors: sd(mean_j) = √(S_jj/n),
// sd(cov_ij) = √((S_ii S_jj + S_ij²)/n) for Gaussian samples. The coupled
// mode's covariance (Σ w_k Σ_k^{1/2})² differs from S by more than 10 of
// these standard errors, so a mix-up of the modes fails.
func TestLawBarycenterGaussianClosedForm(t *testing.T) {
	gen, gs := gaussians(t)
	w := []float64{0.3, 0.7}
	const n = 4000
	b, err := styletransfer.LawBarycenter(context.Background(), gen, w, n, 7, generate.Shard{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mean := make([]float64, 2)
	S := mat.NewSymDense(2, nil)
	C := mat.NewDense(2, 2, nil) // the coupled mode's covariance root
	for k, g := range gs {
		for j := range mean {
			mean[j] += w[k] * g.Mean()[j]
		}
		var s mat.SymDense
		s.ScaleSym(w[k]*w[k], g.Cov())
		S.AddSym(S, &s)
		var r mat.Dense
		r.Scale(w[k], sqrtm(g.Cov()))
		C.Add(C, &r)
	}
	var coupledCov mat.Dense
	coupledCov.Mul(C, C)
	m, cov := metrics.MeanCov(b.X, 2)
	separated := false
	for i := 0; i < 2; i++ {
		if se := math.Sqrt(S.At(i, i) / n); math.Abs(m[i]-mean[i]) > 4*se {
			t.Errorf("mean[%d] = %.4f, closed form %.4f ± %.4f", i, m[i], mean[i], se)
		}
		for j := 0; j < 2; j++ {
			se := math.Sqrt((S.At(i, i)*S.At(j, j) + S.At(i, j)*S.At(i, j)) / n)
			if math.Abs(cov.At(i, j)-S.At(i, j)) > 4*se {
				t.Errorf("cov[%d,%d] = %.4f, closed form %.4f ± %.4f", i, j, cov.At(i, j), S.At(i, j), se)
			}
			if math.Abs(coupledCov.At(i, j)-S.At(i, j)) > 10*se {
				separated = true
			}
		}
	}
	if !separated {
		t.Error("the test cannot tell the law mode from the coupled mode")
	}
}

// The coupled mode with Gaussian marginals: the flow of e_0 → e_k maps
// noise z to μ_k + Σ_k^{1/2} z (symmetric root), so the coupled samples
// and the barycenter are known row by row for the same noise (drawn here
// from the first chunk's stream, as CoupledBarycenter draws it). Dopri5
// at 1e-7 reproduces them to ~1e-5; a wrong pairing of rows or a law-mode
// sample is off by O(1).
func TestCoupledBarycenterGaussianExact(t *testing.T) {
	gen, gs := gaussians(t)
	w := []float64{0.3, 0.7}
	const n, seed = 500, 3
	o := &generate.Options{Solver: pathDopri(1e-7)}
	b, err := styletransfer.CoupledBarycenter(context.Background(), gen, w, n, seed, generate.Shard{}, o)
	if err != nil {
		t.Fatal(err)
	}
	z, _ := gen.Draw(0, n, generate.ChunkRand(seed, 0))
	roots := []*mat.Dense{sqrtm(gs[0].Cov()), sqrtm(gs[1].Cov())}
	worst := 0.0
	for i := 0; i < n; i++ {
		zi := mat.NewVecDense(2, z[2*i:2*i+2])
		bar := make([]float64, 2)
		for k, g := range gs {
			var v mat.VecDense
			v.MulVec(roots[k], zi)
			for j := 0; j < 2; j++ {
				want := g.Mean()[j] + v.AtVec(j)
				worst = max(worst, math.Abs(b.Parts[k][2*i+j]-want))
				bar[j] += w[k] * want
			}
		}
		for j := 0; j < 2; j++ {
			worst = max(worst, math.Abs(b.X[2*i+j]-bar[j]))
		}
	}
	t.Logf("largest deviation from μ_k + Σ_k^{1/2} z: %.2g", worst)
	if worst > 1e-3 {
		t.Errorf("coupled samples differ from the exact flow maps by %.3g", worst)
	}
}

// Every source to every target on the exact oracle: all cells at the
// noise level of two exact sets, the same source samples in every row.
func TestAllToAllOracle(t *testing.T) {
	gen, _ := exact(t)
	tab, err := styletransfer.AllToAll(context.Background(), gen, 1500, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range tab.Energy {
		for j, e := range row {
			if e > energyTol || math.IsNaN(e) {
				t.Errorf("all-to-all %d → %d: energy distance %.4f > %.3f", i+1, j+1, e, energyTol)
			}
		}
	}
	if len(tab.Samples[0][1]) != 3000 {
		t.Fatalf("cell (1, 2) has %d numbers", len(tab.Samples[0][1]))
	}
	gen1, _ := generate.Load(mix3)
	one, err := generate.New(gen1.Conditional(), gk.Affine{}, []marginals.Marginal{nil, nil, nil}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := styletransfer.AllToAll(context.Background(), one, 100, 1, nil); err == nil {
		t.Error("all-to-all without data marginals to sample accepted")
	}
}

func pathDopri(tol float64) path.Solver { return path.Dopri5{Atol: tol, Rtol: tol} }

// Images: the all-to-all picture of 2×2-pixel "images" (a 4-D mixture
// oracle) is a grid of K columns and 4 rows per source, each tile
// enlarged by viz.ImageScale.
func TestAllToAllImagePicture(t *testing.T) {
	var mix []*marginals.Mixture
	for k := 0; k < 2; k++ {
		mu := []float64{-0.5, 0.5, 0, 0}
		mu[2+k] = 0.8
		g, _ := marginals.NewGaussian(mu, mat.NewSymDense(4, []float64{0.01, 0, 0, 0, 0, 0.01, 0, 0, 0, 0, 0.01, 0, 0, 0, 0, 0.01}))
		m, _ := marginals.NewMixture([]float64{1}, []*marginals.Gaussian{g})
		mix = append(mix, m)
	}
	o, err := gk.NewOracle(mix)
	if err != nil {
		t.Fatal(err)
	}
	gen, _ := generate.FromOracle(o, []string{"a", "b"})
	shape := &datasets.ImageShape{Width: 2, Height: 2}
	tab, err := styletransfer.AllToAll(context.Background(), gen, 20, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "all.png")
	if err := tab.WritePNG(file, 4, shape); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	s := viz.ImageScale(2, 2)
	wantW, wantH := 2*2*s+3*viz.GridPad, 8*2*s+9*viz.GridPad
	if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
		t.Errorf("picture %v, want %d×%d (2 columns, 2 sources × 4 rows)", b, wantW, wantH)
	}
	if err := tab.WritePNG(file, 4, nil); err == nil {
		t.Error("a 4-D picture without an image shape accepted")
	}
}

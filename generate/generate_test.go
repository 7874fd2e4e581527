package generate_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/path"
)

const mix3 = "../examples/mix3.json"

// normalizedOracle returns a generator whose conditional expectation is
// the exact oracle of the mixtures of examples/mix3.json mapped to model
// coordinates x' = (x − c)/s, with Normalization {c, s} and the original
// mixtures as data marginals: exactly the situation of a trained model
// with a non-trivial normalization, but with a known answer. Everything
// that does not involve the noise at α_0 > 0 must agree with the data
// mixtures in data units; forgetting the map anywhere moves samples by
// |c| ≈ 3 or scales them by s = 2.5.
func normalizedOracle(t *testing.T) (*generate.Generator, []*marginals.Mixture) {
	t.Helper()
	mix, err := datasets.ReadSpec(mix3)
	if err != nil {
		t.Fatal(err)
	}
	norm := gk.Affine{Center: []float64{1.5, -2}, Scale: 2.5}
	var model []*marginals.Mixture
	var data []marginals.Marginal
	for _, m := range mix {
		var comps []*marginals.Gaussian
		for _, c := range m.Components() {
			mu := append([]float64(nil), c.Mean()...)
			norm.Normalize(mu)
			cov := mat.NewSymDense(len(mu), nil)
			cov.ScaleSym(1/(norm.Scale*norm.Scale), c.Cov())
			g, err := marginals.NewGaussian(mu, cov)
			if err != nil {
				t.Fatal(err)
			}
			comps = append(comps, g)
		}
		nm, err := marginals.NewMixture(m.Weights(), comps)
		if err != nil {
			t.Fatal(err)
		}
		model = append(model, nm)
		data = append(data, m)
	}
	o, err := gk.NewOracle(model)
	if err != nil {
		t.Fatal(err)
	}
	g, err := generate.New(o, norm, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return g, mix
}

// energyTol is the tolerance of the energy distance between n = 1500
// generated and exact samples of mix3's marginals. The distance between
// two exact sets of n = 1500, measured over 100 pairs per marginal, has
// 99th percentile 0.0073 and maximum 0.0093 (marginal 1: its two distant
// modes make the mode weights fluctuate); Dopri5 at 1e-5 adds nothing
// visible. Samples of the wrong marginal are ≥ 1 away, samples scaled by
// the normalization's s = 2.5 or shifted by its centre ≥ 0.5.
const energyTol = 0.015

func TestOracleInDataUnits(t *testing.T) {
	g, mix := normalizedOracle(t)
	ctx := context.Background()
	const n = 1500
	truth := func(k int, seed uint64) []float64 {
		x := make([]float64, n*2)
		mix[k-1].Sample(x, rand.New(rand.NewPCG(seed, 99)))
		return x
	}
	check := func(name string, x []float64, k int) {
		t.Helper()
		e := metrics.Energy(x, truth(k, 1), 2)
		floor := metrics.Energy(truth(k, 2), truth(k, 1), 2)
		t.Logf("%s: energy distance %.4f (two exact sets %.4f)", name, e, floor)
		if e > energyTol {
			t.Errorf("%s: energy distance to exact samples of marginal %d is %.4f > %.3f", name, k, e, energyTol)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	x, _, err := g.Sample(ctx, 2, n, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	check("noise → 2", x, 2)

	// Transfer 1 → 3 along the edge, from exact samples of 1.
	start, err := g.Draw(1, n, r)
	if err != nil {
		t.Fatal(err)
	}
	p, err := generate.Polyline(4, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Transport(ctx, start, p, r, nil); err != nil {
		t.Fatal(err)
	}
	check("1 → 3", start, 3)

	// Through a waypoint, with a fixed-step solver.
	y, _ := g.Draw(3, n, r)
	p, _ = generate.Polyline(4, 3, 2, 1)
	if _, err := g.Transport(ctx, y, p, r, &generate.Options{Solver: path.RK4{Steps: 40}}); err != nil {
		t.Fatal(err)
	}
	check("3 → 1 via 2", y, 1)

	// Law at α* = (0, ½, ¼, ¼): the law of ½x_1 + ¼x_2 + ¼x_3 with
	// independent x_k, in data units (the map commutes with it).
	alpha := []float64{0, 0.5, 0.25, 0.25}
	z, _, err := g.Law(ctx, alpha, n, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, n*2)
	for k := 1; k <= 3; k++ {
		xk := truth(k, uint64(10+k))
		for i := range want {
			want[i] += alpha[k] * xk[i]
		}
	}
	if e := metrics.Energy(z, want, 2); e > energyTol {
		t.Errorf("law at %v: energy distance %.4f to exact samples > %.3f", alpha, e, energyTol)
	}
}

// The log-likelihood in data units of data marginal 2 is the exact log
// density of the data mixture: the model's (normalized) log density plus
// log|det| = −2 log 2.5 ≈ −1.83. Dopri5 at 1e-7 on the oracle is exact to
// ~1e-4; forgetting the Jacobian is off by 1.83, forgetting to normalize
// the points by far more.
func TestLogLikelihoodDataUnits(t *testing.T) {
	g, mix := normalizedOracle(t)
	ctx := context.Background()
	y := make([]float64, 20*2)
	mix[1].Sample(y, rand.New(rand.NewPCG(3, 3)))
	o := &generate.Options{Solver: path.Dopri5{Atol: 1e-7, Rtol: 1e-7}}
	ll, _, err := g.LogLikelihood(ctx, y, 2, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ll {
		want := mix[1].LogProb(y[2*i : 2*i+2])
		if math.Abs(ll[i]-want) > 1e-3 {
			t.Errorf("row %d: log ρ_2 = %.5f, exact %.5f", i, ll[i], want)
		}
	}
	// The same number from the other direction: noise pushed to
	// marginal 2 with its log density.
	z, _ := g.Draw(0, 20, rand.New(rand.NewPCG(4, 4)))
	p, _ := generate.Polyline(4, 0, 2)
	ll, _, err = g.TransportLogLikelihood(ctx, z, p, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ll {
		want := mix[1].LogProb(z[2*i : 2*i+2])
		if math.Abs(ll[i]-want) > 1e-3 {
			t.Errorf("forward row %d: log ρ_2 = %.5f, exact %.5f", i, ll[i], want)
		}
	}
}

// The coupling the model sees is the normalized one: the centre of the
// pooled data marginals in it is the data centre mapped by the
// normalization. (Path optimization samples this coupling.)
func TestCouplingIsNormalized(t *testing.T) {
	g, mix := normalizedOracle(t)
	c, err := g.Coupling()
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	buf := [][]float64{make([]float64, n*2), make([]float64, n*2), make([]float64, n*2), make([]float64, n*2)}
	c.Sample(buf, rand.New(rand.NewPCG(5, 5)))
	data := make([]float64, n*2)
	mix[0].Sample(data, rand.New(rand.NewPCG(6, 6)))
	mu, _ := metrics.MeanCov(data, 2)
	g.ToModel(mu)
	got, _ := metrics.MeanCov(buf[1], 2)
	// Marginal 1 has coordinate sd ≤ 2.1 in data units, 0.84 in model
	// units: the standard error of a mean of 20000 is < 0.006.
	for j := range mu {
		if math.Abs(got[j]-mu[j]) > 0.03 {
			t.Errorf("mean of normalized marginal 1, coordinate %d: %.4f, want %.4f", j, got[j], mu[j])
		}
	}
	z, _ := metrics.MeanCov(buf[0], 2)
	for j := range z {
		if math.Abs(z[j]) > 0.03 {
			t.Errorf("noise mean %v: marginal 0 must stay N(0, I)", z)
		}
	}
}

func TestPolylineAndErrors(t *testing.T) {
	for _, stops := range [][]int{{1}, {1, 1}, {0, 4}, {-1, 2}} {
		if _, err := generate.Polyline(4, stops...); err == nil {
			t.Errorf("Polyline(4, %v) accepted", stops)
		}
	}
	p, err := generate.Polyline(4, 1, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if generate.StartVertex(p) != 1 {
		t.Errorf("StartVertex = %d, want 1", generate.StartVertex(p))
	}
	g, _ := normalizedOracle(t)
	if _, _, err := g.Law(context.Background(), []float64{0, 0.5, 0.6, -0.1}, 10, rand.New(rand.NewPCG(1, 1)), nil); err == nil {
		t.Error("Law accepted a point off the simplex")
	}
	if _, err := g.Transport(context.Background(), make([]float64, 3), p, nil, nil); err == nil {
		t.Error("Transport accepted 3 numbers in 2-D")
	}
}

package pathopt

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/simplex"
)

func gauss(t testing.TB, mean []float64, cov ...float64) *marginals.Gaussian {
	t.Helper()
	d := len(mean)
	g, err := marginals.NewGaussian(mean, mat.NewSymDense(d, cov))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// single is the one-component mixture of g.
func single(g *marginals.Gaussian) *marginals.Mixture {
	m, err := marginals.NewMixture([]float64{1}, []*marginals.Gaussian{g})
	if err != nil {
		panic(err)
	}
	return m
}

func mustMixture(t testing.TB, w []float64, comps []*marginals.Gaussian) *marginals.Mixture {
	t.Helper()
	m, err := marginals.NewMixture(w, comps)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mix3 is examples/mix3.json: three 2-D mixtures of 2, 3 and 1 components.
func mix3(t testing.TB) []*marginals.Mixture {
	return []*marginals.Mixture{
		mustMixture(t, []float64{0.5, 0.5}, []*marginals.Gaussian{
			gauss(t, []float64{-2, 2}, 0.3, 0, 0, 0.3), gauss(t, []float64{2, 2}, 0.3, 0, 0, 0.3)}),
		mustMixture(t, []float64{0.3, 0.4, 0.3}, []*marginals.Gaussian{
			gauss(t, []float64{3, -1}, 0.2, 0.05, 0.05, 0.1), gauss(t, []float64{3, 0.5}, 0.2, 0, 0, 0.1),
			gauss(t, []float64{3, 2}, 0.2, -0.05, -0.05, 0.1)}),
		mustMixture(t, []float64{1}, []*marginals.Gaussian{gauss(t, []float64{-1, -3}, 1, 0.6, 0.6, 0.5)}),
	}
}

// oracleSetup returns the exact oracle of the mixtures and the coupling it
// belongs to (independent, standard Gaussian first).
func oracleSetup(t testing.TB, mix []*marginals.Mixture) (*gk.Oracle, marginals.Coupling) {
	t.Helper()
	o, err := gk.NewOracle(mix)
	if err != nil {
		t.Fatal(err)
	}
	ms := []marginals.Marginal{marginals.StandardGaussian(mix[0].Dim())}
	for _, m := range mix {
		ms = append(ms, m)
	}
	c, err := marginals.NewIndependent(ms...)
	if err != nil {
		t.Fatal(err)
	}
	return o, c
}

func estimator(t testing.TB, g cond.Conditional, c marginals.Coupling, seed uint64, s *EstimatorSettings) *Estimator {
	t.Helper()
	e, err := NewEstimator(g, c, rand.New(rand.NewPCG(seed, 0)), s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func edge(k1, i, j int) *Family {
	return &Family{Points: [][]float64{simplex.Vertex(k1, i), simplex.Vertex(k1, j)}, Modes: 4}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 99)) }

package pathopt_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/pathopt"
	"github.com/mmi-go/mmi/simplex"
)

// Optimize the path between two centred Gaussians elongated along
// different axes, with the exact oracle standing in for a trained model,
// and save it for `mmi path --path`.
func Example() {
	g1, _ := marginals.NewGaussian([]float64{0, 0}, mat.NewSymDense(2, []float64{1, 0, 0, 0.64}))
	g2, _ := marginals.NewGaussian([]float64{0, 0}, mat.NewSymDense(2, []float64{0.64, 0, 0, 1}))
	m1, _ := marginals.NewMixture([]float64{1}, []*marginals.Gaussian{g1})
	m2, _ := marginals.NewMixture([]float64{1}, []*marginals.Gaussian{g2})
	mix := []*marginals.Mixture{m1, m2}
	o, _ := gk.NewOracle(mix)
	c, _ := marginals.NewIndependent(marginals.StandardGaussian(2), mix[0], mix[1])
	e, _ := pathopt.NewEstimator(o, c, rand.New(rand.NewPCG(1, 0)), nil)
	f := &pathopt.Family{Points: [][]float64{simplex.Vertex(3, 1), simplex.Vertex(3, 2)}, Modes: 4}
	res, err := pathopt.Optimize(context.Background(), e, f, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("straight %.2f ± %.2f, optimized %.2f ± %.2f\n",
		res.Straight.Cost, res.Straight.StdErr, res.Optimized.Cost, res.Optimized.StdErr)
	// The optimized path is the same edge run at another speed: slower
	// near the ends, where the law changes fastest.
	a := make([]float64, 3)
	for _, t := range []float64{0.25, 0.5, 0.75} {
		res.Path.Alpha(a, t)
		fmt.Printf("α_2(%.2f) = %.2f\n", t, a[2])
	}
	// Saved, it runs with mmi path --path FILE.
	if err := path.Save(io.Discard, res.Path); err != nil {
		fmt.Println(err)
	}
	// Output:
	// straight 0.77 ± 0.02, optimized 0.69 ± 0.02
	// α_2(0.25) = 0.18
	// α_2(0.50) = 0.50
	// α_2(0.75) = 0.82
}

package marginals_test

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/marginals"
)

func ExampleNewMixture() {
	// The two-component mixture of the --data specification example.
	a, _ := marginals.NewGaussian([]float64{0, 0}, mat.NewSymDense(2, []float64{1, 0, 0, 1}))
	b, _ := marginals.NewGaussian([]float64{3, 1}, mat.NewSymDense(2, []float64{0.5, 0.1, 0.1, 0.3}))
	m, err := marginals.NewMixture([]float64{1, 1}, []*marginals.Gaussian{a, b})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Weights())
	// At the first mean the first component dominates:
	// log(½ · 1/(2π)) ≈ −2.531, plus a negligible share of the second.
	fmt.Printf("%.3f\n", m.LogProb([]float64{0, 0}))
	// Output:
	// [0.5 0.5]
	// -2.531
}

func ExampleNewPaired() {
	// Row i of each file describes the same object.
	left, _ := marginals.NewEmpirical([]float64{1, 1, 2, 2, 3, 3}, 2)
	right, _ := marginals.NewEmpirical([]float64{10, 10, 20, 20, 30, 30}, 2)
	c, err := marginals.NewPaired(marginals.StandardGaussian(2), left, right)
	if err != nil {
		panic(err)
	}
	dst := [][]float64{make([]float64, 8), make([]float64, 8), make([]float64, 8)}
	c.Sample(dst, rand.New(rand.NewPCG(1, 2)))
	for i := 0; i < 4; i++ {
		fmt.Println(dst[1][2*i]*10 == dst[2][2*i])
	}
	// Output:
	// true
	// true
	// true
	// true
}

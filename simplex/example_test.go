package simplex_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/mmi-go/mmi/simplex"
)

func ExampleProject() {
	p := make([]float64, 3)
	simplex.Project(p, []float64{0.9, 0.6, -2})
	fmt.Println(p)
	// Output: [0.65 0.35 0]
}

func ExampleBarycenter() {
	// The equal-weight barycenter of data marginals 1, 2 and 3 (0 is the
	// Gaussian).
	alpha, err := simplex.Barycenter(4, []int{1, 2, 3})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.3f\n", alpha)
	// Output: [0.000 0.333 0.333 0.333]
}

func ExampleNewMixture() {
	// A training distribution of α that covers the interior, the edges
	// and the vertices of Δ^2.
	uniform, _ := simplex.NewSymmetricDirichlet(3, 1)
	nu, err := simplex.NewMixture(
		[]simplex.Sampler{uniform, simplex.Edges{}, simplex.Vertices{}},
		[]float64{0.5, 0.3, 0.2})
	if err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	alpha := make([]float64, 3)
	for i := 0; i < 3; i++ {
		nu.Sample(alpha, r)
		fmt.Println(simplex.Validate(alpha) == nil)
	}
	// Output:
	// true
	// true
	// true
}

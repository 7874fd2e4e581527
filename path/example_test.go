package path_test

import (
	"context"
	"fmt"
	"os"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// Composing paths on Δ² (the Gaussian and two data marginals): translate
// marginal 1 into marginal 2 through the barycenter of all three, starting
// and ending at rest, and save the result. At the waypoint (t = 1/2, a
// break) α̇ is the velocity of the second piece.
func Example() {
	e1, e2 := simplex.Vertex(3, 1), simplex.Vertex(3, 2)
	center, _ := simplex.Barycenter(3, []int{0, 1, 2})
	poly, err := path.Polyline(e1, center, e2)
	if err != nil {
		panic(err)
	}
	p, err := path.Reparam(poly, path.Smoothstep{})
	if err != nil {
		panic(err)
	}
	a, v := make([]float64, 3), make([]float64, 3)
	for _, t := range []float64{0, 0.5, 1} {
		p.Alpha(a, t)
		p.AlphaDot(v, t)
		fmt.Printf("t = %.1f: α = %.3f, α̇ = %.3f\n", t, a, v)
	}
	if err := path.Save(os.Stdout, p); err != nil {
		panic(err)
	}
	// Output:
	// t = 0.0: α = [0.000 1.000 0.000], α̇ = [0.000 0.000 0.000]
	// t = 0.5: α = [0.333 0.333 0.333], α̇ = [-1.000 -1.000 2.000]
	// t = 1.0: α = [0.000 0.000 1.000], α̇ = [0.000 0.000 0.000]
	// {
	//   "kind": "reparam",
	//   "warp": "smoothstep",
	//   "path": {
	//     "kind": "polyline",
	//     "points": [
	//       [0, 1, 0],
	//       [0.3333333333333333, 0.3333333333333333, 0.3333333333333333],
	//       [0, 0, 1]
	//     ]
	//   }
	// }
}

// A round trip e_1 → e_2 → e_1 as one path, and the same trip run
// backwards. Concat gives each piece half of the time.
func ExampleConcat() {
	e1, e2 := simplex.Vertex(3, 1), simplex.Vertex(3, 2)
	there, _ := path.Segment(e1, e2)
	back := path.Reverse(there)
	trip, err := path.Concat(there, back)
	if err != nil {
		panic(err)
	}
	a := make([]float64, 3)
	trip.Alpha(a, 0.25)
	fmt.Printf("α(1/4) = %.2f\n", a)
	trip.AlphaDot(a, 0.75)
	fmt.Printf("α̇(3/4) = %.0f\n", a)
	fmt.Println("breaks:", trip.(path.Piecewise).Breaks())
	_, err = path.Concat(there, there)
	fmt.Println(err)
	// Output:
	// α(1/4) = [0.00 0.50 0.50]
	// α̇(3/4) = [0 2 -2]
	// breaks: [0.5]
	// path: path 0 ends at [0 0 1] but path 1 starts at [0 1 0]
}

// Noise to data with the exact oracle: for ρ_1 = N(3, 4) on R the flow of
// e_0 → e_1 is the affine map x ↦ 3 + 2x, which RK4 reproduces.
func ExampleIntegrate() {
	rho1, _ := marginals.NewGaussian([]float64{3}, mat.NewSymDense(1, []float64{4}))
	mix, err := marginals.NewMixture([]float64{1}, []*marginals.Gaussian{rho1})
	if err != nil {
		panic(err)
	}
	o, err := gk.NewOracle([]*marginals.Mixture{mix})
	if err != nil {
		panic(err)
	}
	p, _ := path.Segment(simplex.Vertex(2, 0), simplex.Vertex(2, 1))
	v, err := path.NewVelocity(o, p)
	if err != nil {
		panic(err)
	}
	x := []float64{-1, 0, 1} // three samples of N(0, 1)
	st, err := path.Integrate(context.Background(), v, x, path.RK4{Steps: 20}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("X(1) = %.5f with %d NFE\n", x, st.NFE)
	// Output:
	// X(1) = [1.00000 3.00000 5.00000] with 80 NFE
}

// The log density of the pushed samples under ρ_1 = N(3, 4), tracked along
// the flow: log N(5; 3, 4) = −½·1 − ½·log(8π) ≈ −2.112.
func ExampleLogLikelihood() {
	rho1, _ := marginals.NewGaussian([]float64{3}, mat.NewSymDense(1, []float64{4}))
	mix, _ := marginals.NewMixture([]float64{1}, []*marginals.Gaussian{rho1})
	o, _ := gk.NewOracle([]*marginals.Mixture{mix})
	p, _ := path.Segment(simplex.Vertex(2, 0), simplex.Vertex(2, 1))
	v, err := path.NewVelocity(o, p)
	if err != nil {
		panic(err)
	}
	x := []float64{1}
	logp, _, err := path.LogLikelihood(context.Background(), v, x, nil, path.Dopri5{}, nil, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("X(1) = %.4f, log ρ_1(X(1)) = %.4f\n", x[0], logp[0])
	// Output:
	// X(1) = 5.0000, log ρ_1(X(1)) = -2.1121
}

// A noise schedule must vanish where α_0 does: a constant ε is refused on
// e_0 → e_1 (α_0(1) = 0), and ε = E·α_0 is accepted.
func ExampleCheckDiffusion() {
	p, _ := path.Segment(simplex.Vertex(2, 0), simplex.Vertex(2, 1))
	fmt.Println(path.CheckDiffusion(p, path.EpsFunc(func(float64) float64 { return 1 })))
	fmt.Println(path.CheckDiffusion(p, path.EpsAlpha0(1)))
	// Output:
	// path: diffusion ε(1) = 1 but α_0(1) = 0: the score −g_0/α_0 does not exist where α_0 = 0, so ε must vanish there (use EpsAlpha0, ε = E·α_0)
	// <nil>
}

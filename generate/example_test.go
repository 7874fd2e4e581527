package generate_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/metrics"
)

// Generation in data units: open a model (here the exact oracle of a
// Gaussian-mixture specification; a checkpoint of mmi train opens the
// same way), sample a marginal from noise, translate samples of marginal 1
// into marginal 3 through marginal 2, and sample a barycenter law.
func Example() {
	ctx := context.Background()
	gen, err := generate.Load("../examples/mix3.json") // or "model.mmi"
	if err != nil {
		panic(err)
	}
	k1, d := gen.Sizes()
	r := rand.New(rand.NewPCG(1, 0))

	// Noise → marginal 3, in data units.
	x, stats, err := gen.Sample(ctx, 3, 1000, r, nil)
	if err != nil {
		panic(err)
	}
	mean, _ := metrics.MeanCov(x, d)
	fmt.Printf("%d marginals in %d-D; marginal 3 has mean (%.1f, %.1f)\n", k1, d, mean[0], mean[1])

	// Marginal 1 → 2 → 3: fresh samples of marginal 1 pushed along the
	// polyline through the vertices e_1, e_2, e_3.
	y, _ := gen.Draw(1, 1000, r)
	p, _ := generate.Polyline(k1, 1, 2, 3)
	if _, err := gen.Transport(ctx, y, p, r, nil); err != nil {
		panic(err)
	}
	truth, _ := gen.Draw(3, 1000, r)
	fmt.Printf("transfer 1 → 3 close to marginal 3: %v\n", metrics.Energy(y, truth, d) < 0.02)

	// The law of ½x_1 + ½x_2 (a barycenter, α*_0 = 0): its mean is
	// ½(0, 2) + ½(3, 0.5) = (1.5, 1.25).
	b, _, _ := gen.Law(ctx, []float64{0, 0.5, 0.5, 0}, 1000, r, nil)
	mean, _ = metrics.MeanCov(b, d)
	fmt.Printf("barycenter of 1 and 2: mean within 0.1 of (1.5, 1.25): %v\n",
		math.Abs(mean[0]-1.5) < 0.1 && math.Abs(mean[1]-1.25) < 0.1)
	fmt.Println("dopri5 took more than 20 evaluations:", stats.NFE > 20)
	// Output:
	// 4 marginals in 2-D; marginal 3 has mean (-1.0, -3.0)
	// transfer 1 → 3 close to marginal 3: true
	// barycenter of 1 and 2: mean within 0.1 of (1.5, 1.25): true
	// dopri5 took more than 20 evaluations: true
}

// Guidance from noise: the image default, read as the command line
// spells it, applied to noise → marginal 3. It acts on the edge from the
// Gaussian only; a transfer between data marginals is refused.
func ExampleParseGuidance() {
	ctx := context.Background()
	gd, err := generate.ParseGuidance("1:0.15:0.35")
	if err != nil {
		panic(err)
	}
	fmt.Println(gd == generate.ImageGuidance, gd)
	gen, err := generate.Load("../examples/mix3.json")
	if err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(1, 0))
	x, _ := gen.Draw(0, 200, r)
	p, _ := generate.Polyline(4, 0, 3)
	_, err = gen.Transport(ctx, x, p, r, &generate.Options{Guidance: gd})
	fmt.Println("noise → 3:", err)
	y, _ := gen.Draw(1, 200, r)
	q, _ := generate.Polyline(4, 1, 3)
	_, err = gen.Transport(ctx, y, q, r, &generate.Options{Guidance: gd})
	fmt.Println("1 → 3:", err)
	// Output:
	// true 1:0.15:0.35
	// noise → 3: <nil>
	// 1 → 3: generate: guidance acts on the edge from the Gaussian to a data marginal; the path must be that edge
}

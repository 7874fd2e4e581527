package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmi-go/mmi/nn"
)

// A training loop: forward, loss gradient, backward into a cleared
// gradient, Adam. Nothing in the loop allocates.
func Example() {
	r := rand.New(rand.NewPCG(1, 2))
	m := nn.NewMLP[float64]([]int{1, 16, 16, 1}, nn.Tanh, r)

	const n = 32 // fit sin(3x) on [−1, 1]
	in, target := make([]float64, n), make([]float64, n)
	for i := range in {
		in[i] = -1 + 2*float64(i)/(n-1)
		target[i] = math.Sin(3 * in[i])
	}

	ws := m.NewWorkspace(n)
	opt := nn.NewAdam[float64](len(m.Params))
	grad := make([]float64, len(m.Params))
	dOut := make([]float64, n)
	var first, loss float64
	for step := range 1000 {
		out := m.Forward(ws, in, n)
		loss = nn.MSE(dOut, out, target)
		if step == 0 {
			first = loss
		}
		nn.ZeroGrad(grad)
		m.Backward(ws, dOut, grad, nil)
		opt.Update(m.Params, grad, 0.01)
	}
	fmt.Println("parameters:", m.NumParams())
	fmt.Println("loss fell 100-fold:", loss < first/100)
	// Output:
	// parameters: 321
	// loss fell 100-fold: true
}

// Backward with dIn gives vector–Jacobian products with respect to the
// input. For the single linear layer out = 3x + 4y + 1, ∂out/∂(x, y) is
// (3, 4) at every point.
func ExampleMLP_Backward() {
	m := &nn.MLP[float64]{Sizes: []int{2, 1}, Act: nn.Tanh, Params: []float64{3, 4, 1}}
	ws := m.NewWorkspace(2)
	out := m.Forward(ws, []float64{1, 1, 2, -1}, 2)
	fmt.Println("out:", out)

	dIn := make([]float64, 4)
	m.Backward(ws, []float64{1, 10}, nil, dIn) // weights 1 and 10 on the two rows
	fmt.Println("dIn:", dIn)
	// Output:
	// out: [8 3]
	// dIn: [3 4 30 40]
}

// A 3×3 convolution of a 1×3×3 image with one channel into two channels:
// a box filter and the centre tap, both with zero padding.
func ExampleConvForward() {
	c := nn.Conv2D{H: 3, W: 3, In: 1, Out: 2, K: 3}
	w := make([]float64, c.NumParams()) // 9 rows of 2 weights, then 2 biases
	for k := 0; k < 9; k++ {
		w[2*k] = 1 // output channel 0 sums the 3×3 neighbourhood
	}
	w[2*4+1] = 1 // output channel 1 copies the centre pixel
	img := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	out := make([]float64, 9*2)
	nn.ConvForward(c, w, img, out, 1, nn.NewConvScratch[float64](c.ColLen(1)))
	fmt.Println(out[0:2], out[8:10])
	// Output: [12 1] [45 5]
}

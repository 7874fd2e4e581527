package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gorgoniaMLP builds the same network as m as a gorgonia graph with loss
// mean((net(x) − target)²), runs it with gorgonia's reverse-mode autodiff,
// and returns the loss, ∂loss/∂Params (in Params layout) and ∂loss/∂x.
func gorgoniaMLP(t *testing.T, m *MLP[float64], in, target []float64, n int) (loss float64, grad, dIn []float64) {
	t.Helper()
	g := G.NewGraph()
	matrix := func(name string, rows, cols int, data []float64) *G.Node {
		v := tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(append([]float64(nil), data...)))
		return G.NewMatrix(g, tensor.Float64, G.WithShape(rows, cols), G.WithName(name), G.WithValue(v))
	}
	x := matrix("x", n, m.In(), in)
	y := matrix("y", n, m.Out(), target)
	var params G.Nodes
	h := x
	for l := 0; l < m.Layers(); l++ {
		w, b := m.Layer(l)
		wn := matrix(fmt.Sprint("W", l), m.Sizes[l], m.Sizes[l+1], w)
		bv := tensor.New(tensor.WithShape(len(b)), tensor.WithBacking(append([]float64(nil), b...)))
		bn := G.NewVector(g, tensor.Float64, G.WithShape(len(b)), G.WithName(fmt.Sprint("b", l)), G.WithValue(bv))
		params = append(params, wn, bn)
		z := G.Must(G.Mul(h, wn))
		// b is a row vector repeated down the n rows: broadcast on axis 0.
		z = G.Must(G.BroadcastAdd(z, bn, nil, []byte{0}))
		if l < m.Layers()-1 {
			switch m.Act {
			case Tanh:
				z = G.Must(G.Tanh(z))
			case SiLU:
				z = G.Must(G.HadamardProd(z, G.Must(G.Sigmoid(z))))
			}
		}
		h = z
	}
	cost := G.Must(G.Mean(G.Must(G.Square(G.Must(G.Sub(h, y))))))
	if _, err := G.Grad(cost, append(params, x)...); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	loss = cost.Value().Data().(float64)
	for _, p := range params {
		gv, err := p.Grad()
		if err != nil {
			t.Fatal(err)
		}
		grad = append(grad, gv.Data().([]float64)...)
	}
	gx, err := x.Grad()
	if err != nil {
		t.Fatal(err)
	}
	return loss, grad, append([]float64(nil), gx.Data().([]float64)...)
}

// TestAgainstGorgonia checks the engine's loss, weight gradients and input
// gradients against gorgonia's automatic differentiation of the same
// network, in float64.
func TestAgainstGorgonia(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, c := range []struct {
		sizes []int
		n     int
	}{
		{[]int{5, 16, 16, 16, 6}, 32}, // the shape of the "small" benchmark, narrower
		{[]int{3, 40, 2}, 17},
	} {
		for _, act := range acts {
			m := randomNet[float64](c.sizes, act, r)
			in := randSlice[float64](r, c.n*m.In(), 1)
			target := randSlice[float64](r, c.n*m.Out(), 1)

			ws := m.NewWorkspace(c.n)
			out := m.Forward(ws, in, c.n)
			dOut := make([]float64, len(out))
			loss := MSE(dOut, out, target)
			grad := make([]float64, len(m.Params))
			dIn := make([]float64, len(in))
			m.Backward(ws, dOut, grad, dIn)

			gLoss, gGrad, gDIn := gorgoniaMLP(t, m, in, target, c.n)
			name := fmt.Sprint(c.sizes, act)
			// Both sides compute the same sums in float64, in different
			// orders (and gorgonia's sigmoid may differ from ours by an
			// ulp): relative differences near 1e-15. The bound 1e-9,
			// relative to each vector's largest element, leaves room
			// for cancellation in sums of up to 40 terms; any error in a
			// formula (a factor, a transpose, a missing term) is ≥ 1e-3.
			t.Logf("%s: relative differences: loss %.1e, ∂θ %.1e, ∂x %.1e", name,
				math.Abs(loss-gLoss)/math.Abs(gLoss), maxAbsDiff(grad, gGrad)/maxAbs(gGrad), maxAbsDiff(dIn, gDIn)/maxAbs(gDIn))
			if math.Abs(loss-gLoss) > 1e-9*math.Abs(gLoss) {
				t.Errorf("%s: loss %v, gorgonia %v", name, loss, gLoss)
			}
			if len(gGrad) != len(grad) {
				t.Fatalf("%s: gorgonia has %d parameters, the engine %d", name, len(gGrad), len(grad))
			}
			if e := maxAbsDiff(grad, gGrad); e > 1e-9*maxAbs(gGrad) {
				t.Errorf("%s: max |∂L/∂θ − gorgonia| = %v (max |g| = %v)", name, e, maxAbs(gGrad))
			}
			if e := maxAbsDiff(dIn, gDIn); e > 1e-9*maxAbs(gDIn) {
				t.Errorf("%s: max |∂L/∂x − gorgonia| = %v (max |g| = %v)", name, e, maxAbs(gDIn))
			}
		}
	}
}

func maxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		panic("maxAbsDiff: lengths differ")
	}
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

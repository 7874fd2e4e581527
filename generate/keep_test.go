package generate_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/path"
)

// TestTransportKeep: with Options.Keep, the kept coordinate comes back bit
// for bit (through the normalization of the model, whose round trip alone
// changes last bits), along a data edge and along a route through the
// interior under the stochastic generator, while the other coordinate
// moves; a route that starts at the Gaussian, or a mask of the wrong size,
// is refused.
func TestTransportKeep(t *testing.T) {
	g, mix := normalizedOracle(t)
	ctx := context.Background()
	const n = 200
	x0 := make([]float64, 2*n)
	mix[0].Sample(x0, rand.New(rand.NewPCG(1, 2)))
	edge, err := generate.Polyline(4, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	through, err := path.Polyline([]float64{0, 1, 0, 0}, []float64{0.4, 0.3, 0.3, 0}, []float64{0, 0, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	keep := []bool{false, true}
	for _, c := range []struct {
		name string
		p    path.Path
		o    generate.Options
	}{
		{"edge", edge, generate.Options{Solver: path.Heun{Steps: 10}, Keep: keep}},
		{"through the interior, SDE", through, generate.Options{SDE: path.StochasticHeun{Steps: 20}, Keep: keep}},
	} {
		x := append([]float64(nil), x0...)
		if _, err := g.Transport(ctx, x, c.p, rand.New(rand.NewPCG(3, 4)), &c.o); err != nil {
			t.Fatal(err)
		}
		moved := 0
		for i := 0; i < n; i++ {
			if x[2*i+1] != x0[2*i+1] {
				t.Fatalf("%s: kept coordinate of row %d: %v, was %v", c.name, i, x[2*i+1], x0[2*i+1])
			}
			if x[2*i] != x0[2*i] {
				moved++
			}
		}
		if moved < n {
			t.Errorf("%s: only %d of %d free coordinates moved", c.name, moved, n)
		}
	}
	noise, err := generate.Polyline(4, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Transport(ctx, append([]float64(nil), x0...), noise, nil, &generate.Options{Keep: keep}); err == nil {
		t.Error("Keep on a route from the Gaussian was accepted")
	}
	if _, err := g.Transport(ctx, append([]float64(nil), x0...), edge, nil, &generate.Options{Keep: []bool{true}}); err == nil {
		t.Error("a mask of 1 value for 2-D samples was accepted")
	}
}

package path

import (
	"context"
	"fmt"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/simplex"
)

// SampleAll pushes one batch of Gaussian noise (n rows of d numbers, rows
// ~ N(0, I)) along the straight line e_0 → e_k for every data marginal
// k = 1 … K, and returns out with out[0] a copy of the noise and out[k] the
// samples of marginal k. The rows are coupled: out[1][i], …, out[K][i] all
// come from the same noise row i, which is how one model gives matching
// samples of every marginal at once. noise is not modified. Stats are summed
// over the K integrations; opts.Trajectory is not used.
func SampleAll(ctx context.Context, g cond.Conditional, noise []float64, s Solver, opts *Options) ([][]float64, Stats, error) {
	k1, d := g.Sizes()
	if err := checkBatch(noise, d); err != nil {
		return nil, Stats{}, err
	}
	var o *Options
	if opts != nil {
		o = &Options{Workers: opts.Workers}
	}
	out := make([][]float64, k1)
	out[0] = clone(noise)
	var total Stats
	for k := 1; k < k1; k++ {
		p, err := Segment(simplex.Vertex(k1, 0), simplex.Vertex(k1, k))
		if err != nil {
			return nil, total, err
		}
		v, err := NewVelocity(g, p)
		if err != nil {
			return nil, total, err
		}
		out[k] = clone(noise)
		st, err := Integrate(ctx, v, out[k], s, o)
		total = total.Add(st)
		if err != nil {
			return nil, total, fmt.Errorf("path: sampling marginal %d: %w", k, err)
		}
	}
	return out, total, nil
}

package styletransfer

import (
	"context"
	"fmt"
	"math"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// WeightTol is how far the weights of a barycenter may sum from 1.
const WeightTol = 1e-6

// Alpha returns the point α* = (0, w_1, …, w_K) of the simplex for the
// weights of the K data marginals of a model with k1 = K+1 marginals. The
// weights must be K finite non-negative numbers that sum to 1 within
// WeightTol; they are then rescaled to sum to 1 exactly.
func Alpha(k1 int, w []float64) ([]float64, error) {
	if len(w) != k1-1 {
		return nil, fmt.Errorf("styletransfer: %d weights for %d data marginals", len(w), k1-1)
	}
	sum := 0.0
	for k, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("styletransfer: weight %d is %v; weights must be non-negative", k+1, v)
		}
		sum += v
	}
	if math.Abs(sum-1) > WeightTol {
		return nil, fmt.Errorf("styletransfer: weights sum to %.6g, not 1", sum)
	}
	a := make([]float64, k1)
	for k, v := range w {
		a[k+1] = v / sum
	}
	return a, nil
}

// Barycenter is a run of barycenter samples.
type Barycenter struct {
	Lo, Hi int
	// X holds the barycenter samples, data coordinates.
	X []float64
	// Parts[k−1] holds the coupled samples X_k(z) of data marginal k
	// (coupled mode only), row i matching X's row i.
	Parts [][]float64
	Stats path.Stats
}

// LawBarycenter samples n rows of ρ(α*) for α* = Alpha(k1, w), from noise
// along e_0 → α*, in chunks (generate.Job), returning the shard's rows.
func LawBarycenter(ctx context.Context, gen *generate.Generator, w []float64, n int, seed uint64, shard generate.Shard, o *generate.Options) (*Barycenter, error) {
	k1, _ := gen.Sizes()
	alpha, err := Alpha(k1, w)
	if err != nil {
		return nil, err
	}
	p, err := path.Segment(simplex.Vertex(k1, 0), alpha)
	if err != nil {
		return nil, fmt.Errorf("styletransfer: %w", err)
	}
	res, err := gen.Run(ctx, generate.Job{Path: p, N: n, Seed: seed, Shard: shard, Options: o})
	if err != nil {
		return nil, err
	}
	return &Barycenter{Lo: res.Lo, Hi: res.Hi, X: res.X, Stats: res.Stats}, nil
}

// CoupledBarycenter samples n rows of Σ_k w_k X_k(z): per chunk, one batch
// of noise z (from the chunk's stream) pushed to every data marginal at
// once (Generator.SampleAll), then averaged with the weights per noise
// row (generate.Job.Coupled). It returns the shard's rows and the coupled
// samples.
func CoupledBarycenter(ctx context.Context, gen *generate.Generator, w []float64, n int, seed uint64, shard generate.Shard, o *generate.Options) (*Barycenter, error) {
	k1, _ := gen.Sizes()
	alpha, err := Alpha(k1, w)
	if err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("styletransfer: %d samples", n)
	}
	res, err := gen.Run(ctx, generate.Job{Coupled: alpha, N: n, Seed: seed, Shard: shard, Options: o})
	if err != nil {
		return nil, err
	}
	return &Barycenter{Lo: res.Lo, Hi: res.Hi, X: res.X, Parts: res.Parts, Stats: res.Stats}, nil
}

package generate

import (
	"context"
	"errors"
	"fmt"

	"github.com/mmi-go/mmi/path"
)

// Job is one generation run along a path, as `mmi path` and `mmi transfer`
// run it: n rows, cut into chunks (EachChunk) that each start from fresh
// samples of the path's start vertex (or from rows of In), are pushed
// along Path, and draw from their own random streams.
type Job struct {
	// Path is the path on the simplex; its start must be a vertex unless
	// In is given.
	Path path.Path
	// In holds starting rows (samples of ρ(α(0)), data coordinates or
	// noise at e_0) for the whole run; a shard takes its part. When nil,
	// each chunk draws N fresh rows of the start vertex's marginal.
	In []float64
	N  int
	// Seed seeds the chunks' random streams (ChunkRand).
	Seed uint64
	// Shard selects the part of the run to compute; the zero Shard is
	// the whole run.
	Shard Shard
	// Options of the integration; Options.Trajectory is ignored (see
	// TrajectoryRows).
	Options *Options
	// LogLikelihood also computes each row's log density
	// log ρ(α(1), X(1)) in data units (the path must start at e_0).
	LogLikelihood bool
	// TrajectoryRows > 0 records the trajectories of that many rows,
	// evenly spread over the shard's first chunk, in data coordinates.
	TrajectoryRows int
	// Coupled, when not nil, is a point α* = (0, w_1, …, w_K) and makes
	// the job a coupled barycenter instead of a run along Path (which is
	// then unused): each chunk's noise z is pushed to every data marginal
	// at once (SampleAll), and a row is Σ_k w_k X_k(z); Result.Parts holds
	// the X_k(z). It follows the probability flow (no SDE, no likelihood).
	Coupled []float64
}

// Result is the outcome of a Job for the rows [Lo, Hi) of the run.
type Result struct {
	Lo, Hi int
	// Start holds the starting rows and X the end rows, as Transport
	// takes and returns them; LogLik the log densities when asked for.
	Start, X, LogLik []float64
	// Parts[k−1] holds the coupled samples X_k(z) of data marginal k of a
	// coupled barycenter, row i matching X's row i.
	Parts      [][]float64
	Stats      path.Stats
	Trajectory *path.Trajectory
}

// Run runs the job and returns the shard's rows, all in memory (Stream
// hands them over chunk by chunk instead).
func (g *Generator) Run(ctx context.Context, job Job) (*Result, error) {
	var res *Result
	err := g.Stream(ctx, job, func(part *Result) error {
		if res == nil {
			_, d := g.Sizes()
			res = &Result{Lo: part.Lo, Trajectory: part.Trajectory}
			lo, hi, _ := job.Shard.Rows(rowsOf(job, d))
			res.Start = make([]float64, 0, (hi-lo)*d)
			res.X = make([]float64, 0, (hi-lo)*d)
		}
		res.Hi = part.Hi
		res.Start = append(res.Start, part.Start...)
		res.X = append(res.X, part.X...)
		res.LogLik = append(res.LogLik, part.LogLik...)
		if part.Parts != nil && res.Parts == nil {
			res.Parts = make([][]float64, len(part.Parts))
		}
		for i, x := range part.Parts {
			res.Parts[i] = append(res.Parts[i], x...)
		}
		res.Stats = res.Stats.Max(part.Stats)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// rowsOf is the number of rows of the whole run of job.
func rowsOf(job Job, d int) int {
	if job.In != nil {
		return len(job.In) / d
	}
	return job.N
}

// Stream runs the job chunk by chunk (EachChunk) and calls fn with each
// chunk's rows [Lo, Hi), in order, as soon as they are done: a run of any
// length needs the memory of one chunk. The part passed to fn is the
// chunk's own; fn may keep it. Its Trajectory is set on the shard's first
// chunk only. The parts, concatenated, are what Run returns.
func (g *Generator) Stream(ctx context.Context, job Job, fn func(part *Result) error) error {
	k1, d := g.Sizes()
	from, err := g.checkJob(job)
	if err != nil {
		return err
	}
	rows := rowsOf(job, d)
	lo, _, err := job.Shard.Rows(rows)
	if err != nil {
		return err
	}
	return EachChunk(ctx, rows, job.Shard, job.Seed, func(c Chunk) error {
		part := &Result{Lo: c.Lo, Hi: c.Hi}
		var x []float64
		if job.In != nil {
			x = append([]float64(nil), job.In[c.Lo*d:c.Hi*d]...)
		} else {
			var err error
			if x, err = g.Draw(from, c.Len(), c.Rand); err != nil {
				return err
			}
		}
		part.Start = append([]float64(nil), x...)
		if job.Coupled != nil {
			if err := g.coupled(ctx, part, job.Coupled, x, job.Options, k1, d); err != nil {
				return err
			}
			return fn(part)
		}
		var o Options
		if job.Options != nil {
			o = *job.Options
		}
		o.Trajectory = nil
		if job.TrajectoryRows > 0 && c.Lo == lo {
			tr := &path.Trajectory{}
			m := min(job.TrajectoryRows, c.Len())
			for i := 0; i < m; i++ {
				tr.Rows = append(tr.Rows, i*c.Len()/m)
			}
			o.Trajectory, part.Trajectory = tr, tr
		}
		if job.LogLikelihood {
			part.LogLik, part.Stats, err = g.TransportLogLikelihood(ctx, x, job.Path, c.Rand, &o)
		} else {
			part.Stats, err = g.Transport(ctx, x, job.Path, c.Rand, &o)
		}
		if err != nil {
			return err
		}
		part.X = x
		return fn(part)
	})
}

// checkJob checks what Stream needs and returns the vertex whose marginal
// fresh rows are drawn from.
func (g *Generator) checkJob(job Job) (int, error) {
	k1, d := g.Sizes()
	from := 0
	if job.Coupled != nil {
		if err := checkCoupled(job.Coupled, job.In, k1); err != nil {
			return 0, err
		}
	} else {
		if job.Path == nil || job.Path.Len() != k1 {
			return 0, fmt.Errorf("generate: need a path on %d marginals", k1)
		}
		from = StartVertex(job.Path)
	}
	rows := rowsOf(job, d)
	if job.In != nil {
		if err := g.checkBatch(job.In); err != nil {
			return 0, err
		}
	} else {
		if from < 0 {
			return 0, errors.New("generate: the path does not start at a vertex; give starting samples")
		}
		if rows < 1 {
			return 0, fmt.Errorf("generate: %d samples", rows)
		}
		if _, err := g.Marginal(from); err != nil {
			return 0, err
		}
	}
	if job.Options != nil && job.Options.SDE != nil && (job.LogLikelihood || job.Coupled != nil) {
		return 0, errors.New("generate: a likelihood and a coupled barycenter follow the probability flow, not the stochastic generator")
	}
	return from, nil
}

// checkCoupled checks the point α* of a coupled barycenter: K+1
// coordinates, none at the Gaussian, and rows drawn from noise.
func checkCoupled(alpha, in []float64, k1 int) error {
	if len(alpha) != k1 || alpha[0] != 0 {
		return fmt.Errorf("generate: a coupled barycenter needs a point (0, w_1, …, w_K) of %d coordinates, got %v", k1, alpha)
	}
	if in != nil {
		return errors.New("generate: a coupled barycenter starts from fresh noise, not from given rows")
	}
	return nil
}

// coupled fills part with the coupled barycenter of the noise rows z:
// z pushed to every data marginal at once, then weighted by alpha.
func (g *Generator) coupled(ctx context.Context, part *Result, alpha, z []float64, o *Options, k1, d int) error {
	xs, st, err := g.SampleAll(ctx, z, o)
	part.Stats = st
	if err != nil {
		return err
	}
	part.X = make([]float64, len(z))
	part.Parts = make([][]float64, k1-1)
	for k := 1; k < k1; k++ {
		for i, v := range xs[k] {
			part.X[i] += alpha[k] * v
		}
		part.Parts[k-1] = xs[k]
	}
	return nil
}

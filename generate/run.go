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
}

// Result is the outcome of a Job for the rows [Lo, Hi) of the run.
type Result struct {
	Lo, Hi int
	// Start holds the starting rows and X the end rows, as Transport
	// takes and returns them; LogLik the log densities when asked for.
	Start, X, LogLik []float64
	Stats            path.Stats
	Trajectory       *path.Trajectory
}

// Run runs the job and returns the shard's rows.
func (g *Generator) Run(ctx context.Context, job Job) (*Result, error) {
	k1, d := g.Sizes()
	if job.Path == nil || job.Path.Len() != k1 {
		return nil, fmt.Errorf("generate: need a path on %d marginals", k1)
	}
	from := StartVertex(job.Path)
	rows := job.N
	if job.In != nil {
		if err := g.checkBatch(job.In); err != nil {
			return nil, err
		}
		rows = len(job.In) / d
	} else {
		if from < 0 {
			return nil, errors.New("generate: the path does not start at a vertex; give starting samples")
		}
		if rows < 1 {
			return nil, fmt.Errorf("generate: %d samples", rows)
		}
		if _, err := g.Marginal(from); err != nil {
			return nil, err
		}
	}
	if job.LogLikelihood && job.Options != nil && job.Options.SDE != nil {
		return nil, errors.New("generate: a likelihood follows the probability flow, not the stochastic generator")
	}
	lo, hi, err := job.Shard.Rows(rows)
	if err != nil {
		return nil, err
	}
	res := &Result{Lo: lo, Hi: hi}
	res.Start = make([]float64, 0, (hi-lo)*d)
	res.X = make([]float64, 0, (hi-lo)*d)
	err = EachChunk(ctx, rows, job.Shard, job.Seed, func(c Chunk) error {
		var x []float64
		if job.In != nil {
			x = append([]float64(nil), job.In[c.Lo*d:c.Hi*d]...)
		} else {
			var err error
			if x, err = g.Draw(from, c.Len(), c.Rand); err != nil {
				return err
			}
		}
		res.Start = append(res.Start, x...)
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
			o.Trajectory, res.Trajectory = tr, tr
		}
		var st path.Stats
		var err error
		if job.LogLikelihood {
			var ll []float64
			ll, st, err = g.TransportLogLikelihood(ctx, x, job.Path, c.Rand, &o)
			res.LogLik = append(res.LogLik, ll...)
		} else {
			st, err = g.Transport(ctx, x, job.Path, c.Rand, &o)
		}
		res.Stats = res.Stats.Add(st)
		if err != nil {
			return err
		}
		res.X = append(res.X, x...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

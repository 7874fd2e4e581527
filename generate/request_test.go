package generate_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/samplefile"
	"github.com/mmi-go/mmi/simplex"
)

// settings are those of the mmi flags' defaults, on a fixed-step solver.
func settings(n int) generate.Settings {
	return generate.Settings{Solver: "rk4", Steps: 8, Atol: 1e-5, Rtol: 1e-5, Eps: 1, N: n, Seed: 3}
}

// TestStreamToIsRun: a request streamed to a file writes the bytes of
// the whole run (Run) written at once, with the log-likelihood column,
// counts the shard's rows, keeps only the first Keep of them and sums the
// log-likelihoods; on three chunks and a shard of them.
func TestStreamToIsRun(t *testing.T) {
	gen, err := generate.Load(mix3)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := generate.Polyline(4, 0, 2)
	dir := t.TempDir()
	for _, shard := range []generate.Shard{{}, {Index: 1, Count: 2}} {
		req := &generate.Request{Settings: settings(2*generate.ChunkRows + 100), Path: p, LogLikelihood: true, Keep: 50}
		req.Shard = shard
		req.Out = filepath.Join(dir, "got.npy")
		if err := gen.Check(req); err != nil {
			t.Fatal(err)
		}
		sr, err := gen.StreamTo(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		job, _ := req.Job()
		res, err := gen.Run(context.Background(), job)
		if err != nil {
			t.Fatal(err)
		}
		var x []float64
		sum := 0.0
		for i := 0; i < res.Hi-res.Lo; i++ {
			x = append(append(x, res.X[2*i:2*i+2]...), res.LogLik[i])
			sum += res.LogLik[i]
		}
		ref := filepath.Join(dir, "ref.npy")
		if err := samplefile.Write(ref, x, 3); err != nil {
			t.Fatal(err)
		}
		a, _ := os.ReadFile(ref)
		b, _ := os.ReadFile(req.Out)
		if !bytes.Equal(a, b) {
			t.Errorf("shard %v: the streamed file differs from the whole run written at once", shard)
		}
		if sr.Rows != res.Hi-res.Lo || len(sr.Kept.X) != 50*2 || sr.Kept.Lo != res.Lo || sr.Kept.Stats != res.Stats || sr.LogLik != sum {
			t.Errorf("shard %v: streamed %d rows, kept %d numbers from %d, stats %+v, Σ loglik %v; run has %d rows from %d, stats %+v, Σ %v",
				shard, sr.Rows, len(sr.Kept.X), sr.Kept.Lo, sr.Kept.Stats, sr.LogLik, res.Hi-res.Lo, res.Lo, res.Stats, sum)
		}
		if !slices.Equal(sr.Kept.X, res.X[:100]) || !slices.Equal(sr.Kept.Start, res.Start[:100]) {
			t.Errorf("shard %v: the kept rows are not the run's first rows", shard)
		}
	}
}

// TestCoupledJob: a coupled barycenter job is, chunk by chunk, the noise
// of the chunk's stream pushed to every marginal at once (SampleAll) and
// averaged with the weights.
func TestCoupledJob(t *testing.T) {
	gen, err := generate.Load(mix3)
	if err != nil {
		t.Fatal(err)
	}
	alpha := []float64{0, 0.5, 0.25, 0.25}
	o, _ := settings(0).Options()
	const n = generate.ChunkRows + 10
	res, err := gen.Run(context.Background(), generate.Job{Coupled: alpha, N: n, Seed: 5, Options: o})
	if err != nil {
		t.Fatal(err)
	}
	var want []float64
	parts := make([][]float64, 3)
	generate.EachChunk(context.Background(), n, generate.Shard{}, 5, func(c generate.Chunk) error {
		z, _ := gen.Draw(0, c.Len(), c.Rand)
		xs, _, err := gen.SampleAll(context.Background(), z, o)
		if err != nil {
			t.Fatal(err)
		}
		bar := make([]float64, len(z))
		for k := 1; k < 4; k++ {
			for i, v := range xs[k] {
				bar[i] += alpha[k] * v
			}
			parts[k-1] = append(parts[k-1], xs[k]...)
		}
		want = append(want, bar...)
		return nil
	})
	if !slices.Equal(res.X, want) || len(res.Parts) != 3 || !slices.Equal(res.Parts[2], parts[2]) {
		t.Errorf("coupled job: %d rows, %d parts; differs from SampleAll chunk by chunk", len(res.X)/2, len(res.Parts))
	}
}

// TestCheckRefuses: Check refuses what cannot run before any work, naming
// the setting at fault both plainly (Error) and as a flag (Flag).
func TestCheckRefuses(t *testing.T) {
	gen, err := generate.Load(mix3)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := generate.Polyline(4, 0, 2)
	dir := t.TempDir()
	for _, tc := range []struct {
		change  func(r *generate.Request)
		setting string // "" for an error that is no SettingError
		flag    string
	}{
		{func(r *generate.Request) { r.Steps = 0 }, "steps", "--steps must be positive, got 0"},
		{func(r *generate.Request) { r.Solver = "leapfrog" }, "solver", `unknown solver "leapfrog"`},
		{func(r *generate.Request) { r.Solver, r.Rtol = "dopri5", -1 }, "atol", "--atol and --rtol must be positive"},
		{func(r *generate.Request) { r.Eps = -1 }, "eps", "--eps must be finite and ≥ 0, got -1"},
		{func(r *generate.Request) { r.N = 0 }, "n", "--n must be positive, got 0"},
		{func(r *generate.Request) { r.N, r.Shard = 100, generate.Shard{Index: 0, Count: 8} }, "shard", "--shard 0/8: 100 rows make 1 chunk of 1024, fewer than the 8 shards: use at most 1 shard"},
		{func(r *generate.Request) { r.Out = filepath.Join(dir, "x.txt") }, "out", "--out " + filepath.Join(dir, "x.txt") + ": the extension must be .csv or .npy"},
		{func(r *generate.Request) { r.Out = filepath.Join(dir, "no", "x.csv") }, "", "folder " + filepath.Join(dir, "no") + " does not exist"},
		{func(r *generate.Request) { r.SDE, r.LogLikelihood = true, true }, "", "probability flow"},
		{func(r *generate.Request) { r.Path = simplexSegment(t) }, "", "does not start at a vertex"},
		{func(r *generate.Request) { r.Coupled, r.Path = []float64{0, 0.5, 0.5, 0}, nil; r.SDE = true }, "", "probability flow"},
	} {
		req := &generate.Request{Settings: settings(1000), Path: p}
		tc.change(req)
		err := gen.Check(req)
		var se *generate.SettingError
		switch {
		case err == nil:
			t.Errorf("want an error with %q, got none", tc.flag)
		case tc.setting != "":
			if !errors.As(err, &se) || se.Setting != tc.setting || !strings.Contains(se.Flag(), tc.flag) ||
				strings.Contains(err.Error(), "--") || !strings.HasPrefix(err.Error(), "generate: ") {
				t.Errorf("want a SettingError of %s saying %q; got %T %v", tc.setting, tc.flag, err, err)
			}
		case errors.As(err, &se) || !strings.Contains(err.Error(), tc.flag):
			t.Errorf("want an error with %q (no setting), got %T %v", tc.flag, err, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.txt")); err == nil {
		t.Error("Check wrote a file")
	}
}

// simplexSegment is a path that starts off every vertex.
func simplexSegment(t *testing.T) path.Path {
	t.Helper()
	p, err := path.Segment([]float64{0.5, 0.5, 0, 0}, simplex.Vertex(4, 2))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// rowCollector is a RowWriter that keeps the rows it is given, and the
// row range.
type rowCollector struct {
	lo, hi int
	rows   []float64
}

func (c *rowCollector) WriteStream(lo, hi int, fill func(put func([]float64) error) error) error {
	c.lo, c.hi = lo, hi
	return fill(func(b []float64) error { c.rows = append(c.rows, b...); return nil })
}

// TestStreamToSink: a request with a Sink gives it the shard's row range
// and exactly the end rows of the run, chunk by chunk; a log-likelihood
// cannot go to a sink, nor can a request have both Out and Sink.
func TestStreamToSink(t *testing.T) {
	gen, err := generate.Load(mix3)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := generate.Polyline(4, 0, 2)
	sink := &rowCollector{}
	req := &generate.Request{Settings: settings(2*generate.ChunkRows + 100), Path: p, Sink: sink}
	req.Shard = generate.Shard{Index: 1, Count: 2}
	if err := gen.Check(req); err != nil {
		t.Fatal(err)
	}
	if _, err := gen.StreamTo(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	job, _ := req.Job()
	res, err := gen.Run(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	if sink.lo != res.Lo || sink.hi != res.Hi || !slices.Equal(sink.rows, res.X) {
		t.Errorf("sink got rows %d…%d (%d numbers), want the run's %d…%d", sink.lo, sink.hi, len(sink.rows), res.Lo, res.Hi)
	}
	req.LogLikelihood = true
	if err := gen.Check(req); err == nil || !strings.Contains(err.Error(), "log-likelihood") {
		t.Errorf("a log-likelihood to a sink: %v", err)
	}
	req.LogLikelihood, req.Out = false, filepath.Join(t.TempDir(), "x.npy")
	if err := gen.Check(req); err == nil {
		t.Error("a request with Out and Sink passed Check")
	}
}

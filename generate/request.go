package generate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/mmi-go/mmi/internal/capacity"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/samplefile"
)

// Settings are how a generating run integrates and which rows it makes,
// named as a user gives them (the mmi commands' shared flags): the solver
// with its steps and tolerances, the stochastic generator and its noise,
// the number of rows, the seed and the shard.
type Settings struct {
	// Solver is "euler", "heun", "rk4" or "dopri5"; Steps the steps of a
	// fixed-step solver and of the SDE; Atol and Rtol dopri5's tolerances.
	Solver     string
	Steps      int
	Atol, Rtol float64
	// SDE integrates the stochastic generator (Euler–Maruyama, or the
	// stochastic Heun method when Solver is "heun") with the noise
	// ε(t) = Eps·α_0(t), which vanishes off the Gaussian.
	SDE bool
	Eps float64
	// Denoise is Options.Denoise: the run ends at t = 1 − Denoise and
	// reads out the model's estimate of the end marginal's sample there.
	Denoise float64
	// Guidance is Options.Guidance: class guidance on the edge from the
	// Gaussian to a data marginal.
	Guidance Guidance
	// N is the number of rows when the run starts from fresh draws.
	N int
	// Seed seeds the chunks' random streams; Shard selects the part of
	// the run to compute (the zero Shard is the whole run).
	Seed  uint64
	Shard Shard
}

// SettingError says which setting of a request is wrong. Error names it as
// the setting; a command line whose flags carry the settings' names
// prints Flag, which names it as a flag ("--steps").
type SettingError struct {
	Setting string
	msg     string // the message, with {name} where a setting is named
}

var settingName = regexp.MustCompile(`\{(solver|steps|atol|rtol|sde|eps|denoise|guidance|n|seed|shard|out)\}`)

func settingErr(setting, format string, args ...any) *SettingError {
	return &SettingError{Setting: setting, msg: fmt.Sprintf(format, args...)}
}

// Error returns the message with the settings named plainly.
func (e *SettingError) Error() string {
	return "generate: " + settingName.ReplaceAllString(e.msg, "$1")
}

// Flag returns the message with the settings named as flags: "--steps
// must be positive, got 0".
func (e *SettingError) Flag() string { return settingName.ReplaceAllString(e.msg, "--$1") }

// Options returns the integration options of s.
func (s Settings) Options() (*Options, error) {
	if s.Steps <= 0 {
		return nil, settingErr("steps", "{steps} must be positive, got %d", s.Steps)
	}
	// The solvers keep the grid of times (and the SDE its noise schedule).
	if err := capacity.Memory(fmt.Sprintf("{steps} %d", s.Steps), 16*float64(s.Steps)); err != nil {
		return nil, settingErr("steps", "%s", err)
	}
	if !(s.Eps >= 0) || math.IsInf(s.Eps, 0) {
		return nil, settingErr("eps", "{eps} must be finite and ≥ 0, got %v", s.Eps)
	}
	if !(s.Denoise >= 0 && s.Denoise < 1) {
		return nil, settingErr("denoise", "{denoise} must be in [0, 1), got %v", s.Denoise)
	}
	if err := s.Guidance.validate(); err != nil {
		return nil, err
	}
	o := &Options{Denoise: s.Denoise, Guidance: s.Guidance}
	switch s.Solver {
	case "euler":
		o.Solver = path.Euler{Steps: s.Steps}
	case "heun":
		o.Solver = path.Heun{Steps: s.Steps}
	case "rk4":
		o.Solver = path.RK4{Steps: s.Steps}
	case "dopri5", "":
		if !(s.Atol > 0) || !(s.Rtol > 0) {
			return nil, settingErr("atol", "{atol} and {rtol} must be positive")
		}
		if s.Rtol < path.MinRtol {
			return nil, settingErr("rtol", "{rtol} %g is below %.3g, what float64 can resolve: no step of dopri5 could meet it", s.Rtol, path.MinRtol)
		}
		o.Solver = path.Dopri5{Atol: s.Atol, Rtol: s.Rtol}
	default:
		return nil, settingErr("solver", "unknown solver %q: want euler, heun, rk4 or dopri5", s.Solver)
	}
	if s.SDE {
		o.Eps = path.EpsAlpha0(s.Eps)
		o.SDE = path.EulerMaruyama{Steps: s.Steps}
		if s.Solver == "heun" {
			o.SDE = path.StochasticHeun{Steps: s.Steps}
		}
	}
	return o, nil
}

// Request is one generating run as a command makes it: the settings, the
// path and its starting rows, what to compute besides the end rows, the
// file the rows stream to and how many of them to keep in memory.
// Generator.Check refuses a request that cannot run, before any work;
// Generator.StreamTo runs it.
type Request struct {
	Settings
	// Path is the path on the simplex; In holds starting rows for the
	// whole run (nil: fresh draws of the path's start vertex, N rows).
	Path path.Path
	In   []float64
	// LogLikelihood, TrajectoryRows and Coupled as in Job.
	LogLikelihood  bool
	TrajectoryRows int
	Coupled        []float64
	// Out is the sample file (.csv or .npy) the shard's rows stream to,
	// with the log-likelihood as a last column when it is computed; ""
	// writes none.
	Out string
	// Sink, if not nil, takes the shard's end rows instead of Out (a
	// folder of PNG files, viz.PNGFolder); the caller checks it before
	// the run. It cannot hold a log-likelihood column.
	Sink RowWriter
	// Keep is how many of the shard's first rows StreamTo keeps in memory
	// (for pictures and metrics).
	Keep int
	// Hold, when not nil, is Options.Keep: the values of the starting
	// rows held on their course (path.Hold), one entry per coordinate.
	Hold []bool
}

// RowWriter writes the rows lo…hi−1 of a run as they arrive: fill calls
// put with consecutive blocks of whole rows, in order, as for
// samplefile.WriteStream. viz.PNGFolder is one.
type RowWriter interface {
	WriteStream(lo, hi int, fill func(put func([]float64) error) error) error
}

// Job returns the job of the request, its integration options built from
// the settings.
func (r *Request) Job() (Job, error) {
	o, err := r.Options()
	if err != nil {
		return Job{}, err
	}
	o.Keep = r.Hold
	return Job{Path: r.Path, In: r.In, N: r.N, Seed: r.Seed, Shard: r.Shard, Options: o,
		LogLikelihood: r.LogLikelihood, TrajectoryRows: r.TrajectoryRows, Coupled: r.Coupled}, nil
}

// Rows returns the number of rows of the whole run of r on a model of
// dimension d.
func (r *Request) Rows(d int) int {
	if r.In != nil {
		return len(r.In) / d
	}
	return r.N
}

// cols is the number of numbers per row of the output file.
func (r *Request) cols(d int) int {
	if r.LogLikelihood {
		return d + 1
	}
	return d
}

// Check refuses, before any work is done, a request that cannot run on
// g: settings that build no solver; no rows, or fewer chunks than shards;
// a path that starts off a vertex without starting rows, or at a marginal
// that cannot be sampled; a likelihood of the stochastic generator; kept
// rows that do not fit in memory; an output file that cannot be written
// or does not fit on its disk. Every error is the caller's input; those
// of one setting are SettingErrors.
func (g *Generator) Check(r *Request) error {
	if _, err := r.Options(); err != nil {
		return err
	}
	_, d := g.Sizes()
	if r.In == nil && r.N <= 0 {
		return settingErr("n", "{n} must be positive, got %d", r.N)
	}
	if err := g.checkStart(r); err != nil {
		return err
	}
	lo, hi, err := r.Shard.Rows(r.Rows(d))
	if err != nil {
		return settingErr("shard", "{shard} %s: %v", r.Shard, err)
	}
	if r.SDE && (r.LogLikelihood || r.Coupled != nil) {
		return errors.New("generate: a likelihood and a coupled barycenter follow the probability flow, not the stochastic generator")
	}
	if err := g.checkEnds(r); err != nil {
		return err
	}
	keep := min(r.Keep, hi-lo)
	if err := capacity.Memory(fmt.Sprintf("keeping %d rows of %d numbers", keep, d), 4*8*float64(keep)*float64(d)); err != nil {
		return err
	}
	if r.Sink != nil {
		if r.LogLikelihood {
			return settingErr("out", "{out}: the log-likelihood column goes to a .csv or .npy file only")
		}
		if r.Out != "" {
			return errors.New("generate: a request has one output: Out or Sink")
		}
		return nil
	}
	if r.Out == "" {
		return nil
	}
	switch strings.ToLower(filepath.Ext(r.Out)) {
	case ".csv", ".npy":
	default:
		return settingErr("out", "{out} %s: the extension must be .csv or .npy", r.Out)
	}
	return capacity.OutDir(r.Out, capacity.SampleFileBytes(hi-lo, r.cols(d)))
}

// checkEnds refuses a denoising step or guidance that the run cannot
// take: with a likelihood or a coupled barycenter (the model's own flow),
// with held values, or on a path they do not apply to (denoiseEnd,
// guidanceEnd).
func (g *Generator) checkEnds(r *Request) error {
	o := &Options{Denoise: r.Denoise, Guidance: r.Guidance, Keep: r.Hold}
	if r.LogLikelihood || r.Coupled != nil {
		if err := o.flowOnly(); err != nil {
			return err
		}
	}
	if _, err := g.denoiseEnd(r.Path, o); err != nil {
		return err
	}
	_, err := g.guidanceEnd(r.Path, o)
	return err
}

// checkStart checks where the request's rows start: given rows of the
// model's dimension, or fresh draws of the marginal at the path's start.
func (g *Generator) checkStart(r *Request) error {
	k1, _ := g.Sizes()
	if r.Coupled != nil {
		return checkCoupled(r.Coupled, r.In, k1)
	}
	if r.Path == nil || r.Path.Len() != k1 {
		return fmt.Errorf("generate: need a path on %d marginals", k1)
	}
	if r.In != nil {
		return g.checkBatch(r.In)
	}
	from := StartVertex(r.Path)
	if from < 0 {
		return errors.New("generate: the path does not start at a vertex; give starting samples")
	}
	_, err := g.Marginal(from)
	return err
}

// Streamed is what StreamTo keeps of a run: the shard's first Keep rows
// (Start, X and LogLik of Kept; its Stats those of the whole shard, its
// Trajectory the one recorded), how many rows the shard had, and the sum
// of their log-likelihoods.
type Streamed struct {
	Kept   *Result
	Rows   int
	LogLik float64
}

// StreamTo runs the request chunk by chunk (Stream), writes the shard's
// rows to r.Out (or r.Sink) in the memory of one chunk (the file has the
// bytes that writing the whole result at once gives) and keeps the first
// r.Keep.
func (g *Generator) StreamTo(ctx context.Context, r *Request) (*Streamed, error) {
	job, err := r.Job()
	if err != nil {
		return nil, err
	}
	_, d := g.Sizes()
	lo, hi, err := r.Shard.Rows(r.Rows(d))
	if err != nil {
		return nil, err
	}
	out := &Streamed{Kept: &Result{Lo: lo}}
	run := func(put func([]float64) error) error {
		return g.Stream(ctx, job, func(p *Result) error {
			out.add(p, r.Keep, d)
			if put == nil {
				return nil
			}
			return put(rowsOut(p, r.LogLikelihood, d))
		})
	}
	if r.Sink != nil {
		if err := r.Sink.WriteStream(lo, hi, run); err != nil {
			return nil, err
		}
		return out, nil
	}
	if r.Out == "" {
		return out, run(nil)
	}
	if err := samplefile.WriteStream(r.Out, hi-lo, r.cols(d), run); err != nil {
		return nil, err
	}
	return out, nil
}

// add counts a chunk's rows and keeps what the first keep rows need.
func (s *Streamed) add(p *Result, keep, d int) {
	s.Rows += p.Hi - p.Lo
	k := s.Kept
	k.Stats = k.Stats.Max(p.Stats)
	k.Hi = p.Hi
	if p.Trajectory != nil {
		k.Trajectory = p.Trajectory
	}
	if m := min(keep-len(k.X)/d, p.Hi-p.Lo); m > 0 {
		k.Start = append(k.Start, p.Start[:m*d]...)
		k.X = append(k.X, p.X[:m*d]...)
		if p.Parts != nil && k.Parts == nil {
			k.Parts = make([][]float64, len(p.Parts))
		}
		for i, x := range p.Parts {
			k.Parts[i] = append(k.Parts[i], x[:m*d]...)
		}
		if p.LogLik != nil {
			k.LogLik = append(k.LogLik, p.LogLik[:m]...)
		}
	}
	for _, l := range p.LogLik {
		s.LogLik += l
	}
}

// rowsOut returns a chunk's rows as the output file holds them: the end
// rows, with the log-likelihood as a last column when it is computed.
func rowsOut(p *Result, logLik bool, d int) []float64 {
	if !logLik {
		return p.X
	}
	n := p.Hi - p.Lo
	x := make([]float64, 0, n*(d+1))
	for i := 0; i < n; i++ {
		x = append(append(x, p.X[i*d:(i+1)*d]...), p.LogLik[i])
	}
	return x
}

package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/pathopt"
	"github.com/mmi-go/mmi/simplex"
)

type pathoptFlags struct {
	model           string
	from, to        int
	via             string
	all             bool
	modes, iters, n int
	nodes           int
	reparam         bool
	seed            uint64
	out, png        string
	asJSON          bool
	domain          string
}

func newPathoptCmd() *cobra.Command {
	var f pathoptFlags
	cmd := &cobra.Command{
		Use:   "pathopt",
		Short: "Optimize a path between two marginals for low transport cost, report costs, save it",
		Long: `Minimize the transport cost C[α] = ∫ E|Σ_k α̇_k g_k(α(t), x(α(t)))|² dt over paths
from marginal --from to marginal --to (through the vertices of --via): the straight
path plus --modes sine modes per segment, projected onto the simplex (--reparam:
only time reparameterizations of the straight path). The cost is a Monte Carlo
estimate on --n fixed draws of the model's coupling (no ODE solves), in data
units; L-BFGS uses its exact gradient. The optimized path is saved with --out and
runs with 'mmi path --path FILE'. Ctrl-C stops and keeps the best path so far.

--domain ball optimizes the schedule (α_from(t), α_to(t)) off the simplex (straight
segment plus sine modes, no constraint Σα = 1) for a model trained with --domain
ball or an exact oracle, and also reports the trigonometric path's cost.

--all optimizes every pair i < j in parallel and prints one table (--out and --png
are then folders).`,
		Example: `  mmi pathopt --from 0 --to 2 --out p02.json --png p02.png
  mmi path --path p02.json --solver euler --steps 8 --out x.csv
  mmi pathopt --model examples/mix3.json --all --json`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPathopt(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "model.mmi", "checkpoint from mmi train, or a .json Gaussian-mixture specification (exact oracle)")
	fl.IntVar(&f.from, "from", 0, "start marginal (0 = the Gaussian)")
	fl.IntVar(&f.to, "to", 1, "end marginal")
	fl.StringVar(&f.via, "via", "", "marginals to pass through, comma-separated")
	fl.BoolVar(&f.all, "all", false, "optimize every pair i < j (cores in parallel) and print one table")
	fl.IntVar(&f.modes, "modes", 4, "sine modes per segment")
	fl.IntVar(&f.iters, "iters", 30, "maximum L-BFGS iterations (and 3·iters+10 cost evaluations)")
	fl.IntVar(&f.n, "n", 1024, "Monte Carlo draws of the cost estimate")
	fl.IntVar(&f.nodes, "nodes", 12, "Gauss–Legendre nodes in time per smooth stretch of a segment")
	fl.BoolVar(&f.reparam, "reparam", false, "only time reparameterizations of the straight path")
	fl.Uint64Var(&f.seed, "seed", 1, "random seed of the Monte Carlo draws")
	fl.StringVar(&f.out, "out", "", "write the optimized path (.json; with --all a folder)")
	fl.StringVar(&f.png, "png", "", "draw the straight and the optimized path on the simplex (with --all a folder)")
	fl.BoolVar(&f.asJSON, "json", false, "print a JSON summary")
	fl.StringVar(&f.domain, "domain", "simplex", "simplex, or ball: optimize the schedule (α_from(t), α_to(t)) freely off the simplex (a model trained with --domain ball, or an exact oracle)")
	return cmd
}

// pathoptJob is one path to optimize: its stops (vertex indices).
type pathoptJob struct{ stops []int }

func (j pathoptJob) name() string {
	s := make([]string, len(j.stops))
	for i, v := range j.stops {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, "-")
}

// pathoptSummary is the JSON result of one path.
type pathoptSummary struct {
	From           int     `json:"from"`
	To             int     `json:"to"`
	Via            []int   `json:"via,omitempty"`
	CostStraight   float64 `json:"cost_straight"`
	StderrStraight float64 `json:"stderr_straight"`
	CostOptimized  float64 `json:"cost_optimized"`
	Stderr         float64 `json:"stderr"`
	Iters          int     `json:"iters"`
	Evals          int     `json:"evals"`
	Seconds        float64 `json:"seconds"`
	Status         string  `json:"status"`
	N              int     `json:"n"`
	Modes          int     `json:"modes"`
	Out            string  `json:"out,omitempty"`
	// With --domain ball: the domain, and the trigonometric path's cost
	// on the same draws.
	Domain     string  `json:"domain,omitempty"`
	CostTrig   float64 `json:"cost_trig,omitempty"`
	StderrTrig float64 `json:"stderr_trig,omitempty"`
}

func (f *pathoptFlags) jobs(k1 int) ([]pathoptJob, error) {
	if f.all {
		if f.via != "" {
			return nil, usagef("--via cannot be combined with --all")
		}
		var jobs []pathoptJob
		for i := 0; i < k1; i++ {
			for j := i + 1; j < k1; j++ {
				jobs = append(jobs, pathoptJob{[]int{i, j}})
			}
		}
		return jobs, nil
	}
	via, err := parseInts("--via", f.via)
	if err != nil {
		return nil, err
	}
	stops := append(append([]int{f.from}, via...), f.to)
	if err := generate.CheckStops(k1, stops...); err != nil {
		return nil, badInput(err)
	}
	return []pathoptJob{{stops}}, nil
}

// ballModes is the default number of sine modes of --domain ball: a
// schedule's ends may bend like √t, which a sine series resolves slowly
// (pathopt's TestOptimizeBallOracle: 16 modes come within 0.6 % of the
// best noise schedule of a Gaussian target, 4 within 2 %).
const ballModes = 16

// checkPathoptDomain reads --domain of mmi pathopt against the model: a
// ball family needs a model trained on the ball (or an exact oracle).
func checkPathoptDomain(f *pathoptFlags, gen *generate.Generator) (simplex.Domain, error) {
	dom, err := parseDomainFlag(f.domain)
	if err != nil {
		return dom, err
	}
	if dom.Kind == simplex.KindSimplex {
		return dom, nil
	}
	if f.all || f.via != "" || f.reparam {
		return dom, usagef("--domain ball optimizes one schedule from --from to --to: it cannot be combined with --all, --via or --reparam")
	}
	model := cond.DomainOf(gen.Conditional())
	if model.Kind != simplex.KindBall {
		return dom, usagef("--domain ball: the model was trained on the simplex; train it with 'mmi train --domain ball' (or use an exact oracle)")
	}
	return model, nil
}

// costCoupling returns the coupling the model's g was trained on, in its
// coordinates, and the scale that turns its costs into data units.
func costCoupling(gen *generate.Generator) (marginals.Coupling, float64, error) {
	c, err := gen.Coupling()
	if err != nil {
		return nil, 0, badInput(fmt.Errorf("the transport cost needs samples of every marginal: %w", err))
	}
	scale := gen.Normalization().Scale
	if scale == 0 {
		scale = 1 // the identity normalization of an exact oracle
	}
	return c, scale, nil
}

// check refuses flag values that no model could make valid.
func (f *pathoptFlags) check(cmd *cobra.Command) error {
	switch {
	case f.modes <= 0:
		return usagef("--modes must be positive, got %d", f.modes)
	case f.iters <= 0:
		return usagef("--iters must be positive, got %d", f.iters)
	case f.n < 2:
		return usagef("--n must be at least 2, got %d", f.n)
	case f.nodes <= 0:
		return usagef("--nodes must be positive, got %d", f.nodes)
	}
	if f.out != "" && !f.all && !strings.HasSuffix(strings.ToLower(f.out), ".json") {
		return usagef("--out %s: a path is written as .json", f.out)
	}
	if f.png != "" && !f.all && !strings.HasSuffix(strings.ToLower(f.png), ".png") {
		return usagef("--png %s: want a .png file", f.png)
	}
	if !f.all {
		for _, file := range []string{f.out, f.png} {
			if err := checkOutDir(cmd, file, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// pathoptRun is one mmi pathopt: the families to optimize (one per job),
// on the model's estimator.
type pathoptRun struct {
	f    *pathoptFlags
	k1   int
	jobs []pathoptJob
	fams []*pathopt.Family
	est  *pathopt.Estimator
}

func runPathopt(cmd *cobra.Command, f *pathoptFlags) error {
	if err := f.check(cmd); err != nil {
		return err
	}
	gen, err := loadModel(f.model)
	if err != nil {
		return err
	}
	run, err := newPathoptRun(cmd, f, gen)
	if err != nil {
		return err
	}
	results, errs := run.optimize(cmd)
	canceled := false
	var sums []pathoptSummary
	for i := range run.jobs {
		if errors.Is(errs[i], context.Canceled) && results[i] != nil {
			canceled = true
		} else if errs[i] != nil {
			return run.optimizeError(errs[i])
		}
		s, err := run.report(i, results[i])
		if err != nil {
			return err
		}
		sums = append(sums, s)
	}
	if err := printPathopt(cmd.OutOrStdout(), sums, f); err != nil {
		return err
	}
	if canceled {
		fmt.Fprintln(cmd.ErrOrStderr(), "interrupted: kept the best path so far")
		return context.Canceled
	}
	return nil
}

// newPathoptRun checks the request against the model and builds the
// families and the estimator.
func newPathoptRun(cmd *cobra.Command, f *pathoptFlags, gen *generate.Generator) (*pathoptRun, error) {
	k1, d := gen.Sizes()
	jobs, err := f.jobs(k1)
	if err != nil {
		return nil, err
	}
	dom, err := checkPathoptDomain(f, gen)
	if err != nil {
		return nil, err
	}
	run := &pathoptRun{f: f, k1: k1, jobs: jobs}
	for _, job := range jobs {
		run.fams = append(run.fams, f.family(cmd, job, k1, dom))
	}
	if err := checkPathoptMemory(f.n, f.nodes, run.fams[0].Modes, k1, d); err != nil {
		return nil, err
	}
	if _, ok := gen.Conditional().(cond.AlphaVJPer); !ok {
		return nil, fmt.Errorf("the model %T cannot differentiate with respect to α", gen.Conditional())
	}
	c, scale, err := costCoupling(gen)
	if err != nil {
		return nil, err
	}
	for _, dir := range []string{f.out, f.png} {
		if f.all && dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, badInput(err)
			}
		}
	}
	if f.all {
		// Each pair's files follow the rules of any output (outputs.go):
		// an existing path-i-j.json is replaced only with --force.
		for _, job := range jobs {
			for _, o := range []struct{ dir, ext string }{{f.out, ".json"}, {f.png, ".png"}} {
				if o.dir == "" {
					continue
				}
				if err := checkOutDir(cmd, filepath.Join(o.dir, "path-"+job.name()+o.ext), 0); err != nil {
					return nil, err
				}
			}
		}
	}
	workers := runtime.GOMAXPROCS(0)
	if f.all {
		workers = 1 // one pair per core: each estimator runs single-threaded
	}
	run.est, err = pathopt.NewEstimator(gen.Conditional(), c, rand.New(rand.NewPCG(f.seed, 0)),
		&pathopt.EstimatorSettings{N: f.n, Nodes: f.nodes, Scale: scale, Workers: workers})
	if err != nil {
		return nil, badInput(err)
	}
	return run, nil
}

// family is the family of one job: the polyline through its stops plus
// sine modes on the simplex, the straight segment plus ballModes sine
// modes (unless --modes says otherwise) on a ball.
func (f *pathoptFlags) family(cmd *cobra.Command, job pathoptJob, k1 int, dom simplex.Domain) *pathopt.Family {
	fam := &pathopt.Family{Modes: f.modes, Reparam: f.reparam, Domain: dom}
	if dom.Kind == simplex.KindBall && !cmd.Flags().Changed("modes") {
		fam.Modes = ballModes
	}
	for _, s := range job.stops {
		fam.Points = append(fam.Points, simplex.Vertex(k1, s))
	}
	return fam
}

// optimize runs every job, in parallel with --all (one per core), and
// reports progress on stderr.
func (run *pathoptRun) optimize(cmd *cobra.Command) ([]*pathopt.Result, []error) {
	results := make([]*pathopt.Result, len(run.jobs))
	errs := make([]error, len(run.jobs))
	stderr := cmd.ErrOrStderr()
	var mu sync.Mutex
	one := func(i int) {
		job, fam := run.jobs[i], run.fams[i]
		var rec pathopt.Recorder
		if !run.f.all {
			label := job.name()
			if fam.Domain.Kind == simplex.KindBall {
				label += " (ball)"
			}
			rec = pathopt.RecorderFunc(func(p pathopt.Progress) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(stderr, "pathopt %s: iteration %d cost %.6g ± %.2g |grad| %.3g\n", label, p.Iter, p.Cost, p.StdErr, p.GradNorm)
			})
		}
		results[i], errs[i] = pathopt.Optimize(cmd.Context(), run.est, fam, &pathopt.Settings{Iters: run.f.iters, Recorder: rec})
		if r := results[i]; run.f.all && r != nil {
			mu.Lock()
			fmt.Fprintf(stderr, "pathopt %s: cost %.6g → %.6g, %d iterations, %.1f s\n", job.name(), r.Straight.Cost, r.Optimized.Cost, r.Iters, r.Seconds)
			mu.Unlock()
		}
	}
	if !run.f.all {
		one(0)
		return results, errs
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range run.jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			one(i)
		}()
	}
	wg.Wait()
	return results, errs
}

// optimizeError is the exit of a failed optimization: on a ball the
// family's refusals are the user's input.
func (run *pathoptRun) optimizeError(err error) error {
	if run.fams[0].Domain.Kind == simplex.KindBall {
		return badInput(err)
	}
	return err
}

// report writes job i's path and picture and returns its summary; on a
// ball it also estimates the trigonometric path's cost on the same draws.
func (run *pathoptRun) report(i int, r *pathopt.Result) (pathoptSummary, error) {
	f, job, fam := run.f, run.jobs[i], run.fams[i]
	s := pathoptSummary{
		From: job.stops[0], To: job.stops[len(job.stops)-1], Via: job.stops[1 : len(job.stops)-1],
		CostStraight: r.Straight.Cost, StderrStraight: r.Straight.StdErr,
		CostOptimized: r.Optimized.Cost, Stderr: r.Optimized.StdErr,
		Iters: r.Iters, Evals: r.Evals, Seconds: r.Seconds, Status: r.Status, N: f.n, Modes: fam.Modes,
	}
	var trig path.Path
	if fam.Domain.Kind == simplex.KindBall {
		var err error
		if trig, err = path.Trig(run.k1, s.From, s.To); err != nil {
			return s, err
		}
		tc, err := run.est.Cost(trig)
		if err != nil {
			return s, err
		}
		s.Domain, s.CostTrig, s.StderrTrig = fam.Domain.String(), tc.Cost, tc.StdErr
	}
	if f.out != "" {
		file := f.out
		if f.all {
			file = filepath.Join(f.out, "path-"+job.name()+".json")
		}
		if err := writePathFile(file, r.Path); err != nil {
			return s, err
		}
		s.Out = file
	}
	if f.png == "" {
		return s, nil
	}
	if trig != nil {
		return s, drawSchedules(f.png, job, run.k1, r, trig, s.CostTrig)
	}
	file := f.png
	if f.all {
		file = filepath.Join(f.png, "path-"+job.name()+".png")
	}
	return s, drawPathopt(file, job, run.k1, r)
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	"github.com/mmi-go/mmi/internal/atomicfile"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/pathopt"
	"github.com/mmi-go/mmi/simplex"
	"github.com/mmi-go/mmi/viz"
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
	for i, s := range stops {
		if s < 0 || s >= k1 {
			return nil, usagef("marginal %d is out of range: the model has marginals 0 (Gaussian) … %d", s, k1-1)
		}
		if i > 0 && s == stops[i-1] {
			return nil, usagef("the path stays at marginal %d: consecutive stops must differ", s)
		}
	}
	return []pathoptJob{{stops}}, nil
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

func runPathopt(cmd *cobra.Command, f *pathoptFlags) error {
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
			if err := checkOutDir(file, 0); err != nil {
				return err
			}
		}
	}
	gen, err := loadModel(f.model)
	if err != nil {
		return err
	}
	k1, d := gen.Sizes()
	if err := checkPathoptMemory(f.n, f.nodes, f.modes, k1, d); err != nil {
		return err
	}
	jobs, err := f.jobs(k1)
	if err != nil {
		return err
	}
	dom, err := checkPathoptDomain(f, gen)
	if err != nil {
		return err
	}
	if _, ok := gen.Conditional().(cond.AlphaVJPer); !ok {
		return fmt.Errorf("the model %T cannot differentiate with respect to α", gen.Conditional())
	}
	c, scale, err := costCoupling(gen)
	if err != nil {
		return err
	}
	for _, dir := range []string{f.out, f.png} {
		if f.all && dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return badInput(err)
			}
		}
	}
	stderr := cmd.ErrOrStderr()
	workers := runtime.GOMAXPROCS(0)
	if f.all {
		// One pair per core: each estimator runs single-threaded.
		workers = 1
	}
	est, err := pathopt.NewEstimator(gen.Conditional(), c, rand.New(rand.NewPCG(f.seed, 0)),
		&pathopt.EstimatorSettings{N: f.n, Nodes: f.nodes, Scale: scale, Workers: workers})
	if err != nil {
		return badInput(err)
	}
	if dom.Kind == simplex.KindBall {
		return runPathoptBall(cmd, f, k1, dom, est)
	}

	results := make([]*pathopt.Result, len(jobs))
	errs := make([]error, len(jobs))
	var mu sync.Mutex
	run := func(i int) {
		job := jobs[i]
		fam := &pathopt.Family{Modes: f.modes, Reparam: f.reparam}
		for _, s := range job.stops {
			fam.Points = append(fam.Points, simplex.Vertex(k1, s))
		}
		var rec pathopt.Recorder
		if !f.all {
			rec = pathopt.RecorderFunc(func(p pathopt.Progress) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(stderr, "pathopt %s: iteration %d cost %.6g ± %.2g |grad| %.3g\n", job.name(), p.Iter, p.Cost, p.StdErr, p.GradNorm)
			})
		}
		results[i], errs[i] = pathopt.Optimize(cmd.Context(), est, fam, &pathopt.Settings{Iters: f.iters, Recorder: rec})
		if f.all {
			mu.Lock()
			if r := results[i]; r != nil {
				fmt.Fprintf(stderr, "pathopt %s: cost %.6g → %.6g, %d iterations, %.1f s\n", job.name(), r.Straight.Cost, r.Optimized.Cost, r.Iters, r.Seconds)
			}
			mu.Unlock()
		}
	}
	if f.all {
		var wg sync.WaitGroup
		sem := make(chan struct{}, runtime.GOMAXPROCS(0))
		for i := range jobs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				run(i)
			}()
		}
		wg.Wait()
	} else {
		run(0)
	}

	canceled := false
	var sums []pathoptSummary
	for i, job := range jobs {
		r, err := results[i], errs[i]
		if errors.Is(err, context.Canceled) && r != nil {
			canceled = true
		} else if err != nil {
			return err
		}
		s := pathoptSummary{
			From: job.stops[0], To: job.stops[len(job.stops)-1], Via: job.stops[1 : len(job.stops)-1],
			CostStraight: r.Straight.Cost, StderrStraight: r.Straight.StdErr,
			CostOptimized: r.Optimized.Cost, Stderr: r.Optimized.StdErr,
			Iters: r.Iters, Evals: r.Evals, Seconds: r.Seconds, Status: r.Status, N: f.n, Modes: f.modes,
		}
		if f.out != "" {
			file := f.out
			if f.all {
				file = filepath.Join(f.out, "path-"+job.name()+".json")
			}
			if err := writePathFile(file, r.Path); err != nil {
				return err
			}
			s.Out = file
		}
		if f.png != "" {
			file := f.png
			if f.all {
				file = filepath.Join(f.png, "path-"+job.name()+".png")
			}
			if err := drawPathopt(file, job, k1, r); err != nil {
				return err
			}
		}
		sums = append(sums, s)
	}
	if err := printPathopt(cmd.OutOrStdout(), sums, f); err != nil {
		return err
	}
	if canceled {
		fmt.Fprintln(stderr, "interrupted: kept the best path so far")
		return context.Canceled
	}
	return nil
}

// writePathFile saves p atomically. A folder that is missing or may not
// be written to is the user's input.
func writePathFile(file string, p path.Path) error {
	var b bytes.Buffer
	if err := path.Save(&b, p); err != nil {
		return err
	}
	err := atomicfile.WriteBytes(file, b.Bytes())
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return badInput(err)
	}
	return err
}

func printPathopt(w io.Writer, sums []pathoptSummary, f *pathoptFlags) error {
	if f.asJSON {
		if f.all {
			return json.NewEncoder(w).Encode(sums)
		}
		return json.NewEncoder(w).Encode(sums[0])
	}
	fmt.Fprintf(w, "%-10s %14s %14s %9s %6s %8s\n", "path", "straight", "optimized", "change", "iters", "seconds")
	for _, s := range sums {
		name := strconv.Itoa(s.From)
		for _, v := range s.Via {
			name += "-" + strconv.Itoa(v)
		}
		name += "-" + strconv.Itoa(s.To)
		fmt.Fprintf(w, "%-10s %8.4g±%-5.2g %8.4g±%-5.2g %8.1f%% %6d %8.1f\n", name, s.CostStraight, s.StderrStraight,
			s.CostOptimized, s.Stderr, 100*(s.CostOptimized-s.CostStraight)/s.CostStraight, s.Iters, s.Seconds)
		if s.Domain != "" {
			fmt.Fprintf(w, "%-10s %8.4g±%-5.2g (trigonometric path; optimized over the %s)\n", "", s.CostTrig, s.StderrTrig, s.Domain)
		}
	}
	fmt.Fprintln(w, "costs in data units (transport cost ∫E|b|²dt ± standard error; same draws for both)")
	return nil
}

// drawPathopt draws the straight and the optimized path side by side.
func drawPathopt(file string, job pathoptJob, k1 int, r *pathopt.Result) error {
	pts := make([][]float64, len(job.stops))
	for i, s := range job.stops {
		pts[i] = simplex.Vertex(k1, s)
	}
	straight, err := path.Polyline(pts...)
	if err != nil {
		return err
	}
	const steps = 200
	sample := func(p path.Path) viz.SimplexCurve {
		c := viz.SimplexCurve{}
		for i := 0; i <= steps; i++ {
			a := make([]float64, k1)
			t := float64(i) / steps
			p.Alpha(a, t)
			c.T = append(c.T, t)
			c.Alpha = append(c.Alpha, a)
		}
		return c
	}
	s, o := sample(straight), sample(r.Path)
	route := strings.ReplaceAll(job.name(), "-", " → ")
	s.Title = fmt.Sprintf("straight %s: cost %.4g", route, r.Straight.Cost)
	o.Title = fmt.Sprintf("optimized %s: cost %.4g ± %.2g", route, r.Optimized.Cost, r.Optimized.StdErr)
	return viz.SimplexPaths(file, s, o)
}

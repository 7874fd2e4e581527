package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/samplefile"
	"github.com/mmi-go/mmi/simplex"
	"github.com/mmi-go/mmi/viz"
)

type pathFlags struct {
	model          string
	from, to       int
	via            string
	pathFile       string
	n              int
	in             string
	solver         string
	steps          int
	atol, rtol     float64
	sde            bool
	eps            float64
	seed           uint64
	out, png       string
	asJSON, loglik bool
}

func newPathCmd() *cobra.Command {
	var f pathFlags
	cmd := &cobra.Command{
		Use:   "path",
		Short: "Integrate samples along a path from marginal i to marginal j (0 = Gaussian)",
		Long: `Push samples of marginal --from along a path on the simplex to marginal --to:
the straight edge e_from → e_to, a polyline through the vertices of --via, or a
saved path (--path, e.g. from mmi pathopt). The probability flow
dX/dt = Σ_k α̇_k(t) g_k(α(t), X) is integrated with --solver; --sde adds the
score drift and noise of ε(t) = eps·α_0(t), which vanishes off the Gaussian.

Samples are read and written in data coordinates, except those of the
Gaussian marginal 0, which is N(0, I) in the model's coordinates.`,
		Example: `  mmi path --from 0 --to 1 --n 2000 --out x1.csv --png x1.png
  mmi path --model examples/mix3.json --from 1 --to 2 --via 3 --solver rk4 --steps 50 --json
  mmi path --from 0 --to 2 --loglik --out x2.csv`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPath(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "model.mmi", "checkpoint from mmi train, or a .json Gaussian-mixture specification (exact oracle)")
	fl.IntVar(&f.from, "from", 0, "start marginal (0 = the Gaussian)")
	fl.IntVar(&f.to, "to", 1, "end marginal")
	fl.StringVar(&f.via, "via", "", "marginals to pass through, comma-separated (a polyline through their vertices)")
	fl.StringVar(&f.pathFile, "path", "", "a saved path (.json) instead of --from/--to/--via")
	fl.IntVar(&f.n, "n", 1000, "number of samples")
	fl.StringVar(&f.in, "in", "", "starting samples (.csv or .npy) instead of fresh samples of --from")
	fl.StringVar(&f.solver, "solver", "dopri5", "euler, heun, rk4 or dopri5")
	fl.IntVar(&f.steps, "steps", 100, "steps of a fixed-step solver or of the SDE")
	fl.Float64Var(&f.atol, "atol", 1e-5, "absolute tolerance of dopri5")
	fl.Float64Var(&f.rtol, "rtol", 1e-5, "relative tolerance of dopri5")
	fl.BoolVar(&f.sde, "sde", false, "integrate the stochastic generator (Euler–Maruyama, or Heun with --solver heun)")
	fl.Float64Var(&f.eps, "eps", 1, "noise level E of the SDE: ε(t) = E·α_0(t)")
	fl.Uint64Var(&f.seed, "seed", 1, "random seed")
	fl.StringVar(&f.out, "out", "", "write the end samples (.csv or .npy); with --loglik the last column is the log-likelihood")
	fl.StringVar(&f.png, "png", "", "write a picture: start and end points with trajectories (2-D), or an image grid")
	fl.BoolVar(&f.asJSON, "json", false, "print a JSON summary")
	fl.BoolVar(&f.loglik, "loglik", false, "compute each sample's log-likelihood log ρ(α(1), X(1)) (paths from the Gaussian)")
	return cmd
}

// buildPath returns the path of the flags and checks it against K+1
// marginals.
func buildPath(f *pathFlags, k1 int) (path.Path, error) {
	if f.pathFile != "" {
		file, err := os.Open(f.pathFile)
		if err != nil {
			return nil, badInput(err)
		}
		defer file.Close()
		p, err := path.Load(file)
		if err != nil {
			return nil, badInput(fmt.Errorf("%s: %w", f.pathFile, err))
		}
		if p.Len() != k1 {
			return nil, usagef("%s is a path on %d marginals, the model has %d", f.pathFile, p.Len(), k1)
		}
		return p, nil
	}
	stops := []int{f.from}
	if f.via != "" {
		for _, s := range strings.Split(f.via, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return nil, usagef("--via: %q is not a marginal index", s)
			}
			stops = append(stops, v)
		}
	}
	stops = append(stops, f.to)
	pts := make([][]float64, len(stops))
	for i, s := range stops {
		if s < 0 || s >= k1 {
			return nil, usagef("marginal %d is out of range: the model has marginals 0 (Gaussian) … %d", s, k1-1)
		}
		if i > 0 && s == stops[i-1] {
			return nil, usagef("the path stays at marginal %d: consecutive stops must differ", s)
		}
		pts[i] = simplex.Vertex(k1, s)
	}
	p, err := path.Polyline(pts...)
	return p, badInput(err)
}

func pickSolver(f *pathFlags) (path.Solver, error) {
	if f.steps <= 0 {
		return nil, usagef("--steps must be positive, got %d", f.steps)
	}
	switch f.solver {
	case "euler":
		return path.Euler{Steps: f.steps}, nil
	case "heun":
		return path.Heun{Steps: f.steps}, nil
	case "rk4":
		return path.RK4{Steps: f.steps}, nil
	case "dopri5":
		if !(f.atol > 0) || !(f.rtol > 0) {
			return nil, usagef("--atol and --rtol must be positive")
		}
		return path.Dopri5{Atol: f.atol, Rtol: f.rtol}, nil
	}
	return nil, usagef("unknown solver %q: want euler, heun, rk4 or dopri5", f.solver)
}

// isGaussianVertex reports whether α is e_0.
func isGaussianVertex(alpha []float64) bool { return math.Abs(alpha[0]-1) < 1e-12 }

func runPath(cmd *cobra.Command, f *pathFlags) error {
	if f.n <= 0 && f.in == "" {
		return usagef("--n must be positive, got %d", f.n)
	}
	m, err := loadModel(f.model)
	if err != nil {
		return err
	}
	k1, d := m.sizes()
	p, err := buildPath(f, k1)
	if err != nil {
		return err
	}
	solver, err := pickSolver(f)
	if err != nil {
		return err
	}
	a0, a1 := make([]float64, k1), make([]float64, k1)
	p.Alpha(a0, 0)
	p.Alpha(a1, 1)
	startGauss, endGauss := isGaussianVertex(a0), isGaussianVertex(a1)
	if f.loglik && !startGauss {
		return usagef("--loglik needs a path that starts at the Gaussian (marginal 0)")
	}
	if f.loglik && f.sde {
		return usagef("--loglik follows the probability flow; it cannot be combined with --sde")
	}
	r := rand.New(rand.NewPCG(f.seed, 0))

	var x []float64
	if f.in != "" {
		var din int
		x, din, err = samplefile.Read(f.in)
		if err != nil {
			return badInput(err)
		}
		if din != d {
			return usagef("%s has dimension %d, the model has %d", f.in, din, d)
		}
		if !startGauss {
			m.toModel(x)
		}
	} else {
		from := 0
		for k, a := range a0 {
			if a == 1 {
				from = k
			}
		}
		if a0[from] != 1 {
			return usagef("the path does not start at a vertex; give starting samples with --in")
		}
		if x, err = m.sampleStart(from, f.n, r); err != nil {
			return err
		}
	}
	n := len(x) / d
	start := append([]float64(nil), x...)

	v, err := path.NewVelocity(m.g, p)
	if err != nil {
		return badInput(err)
	}
	var opts path.Options
	if f.png != "" && d == 2 {
		// A few evenly spread samples are drawn with their trajectories.
		tr := &path.Trajectory{}
		for i := 0; i < min(n, 24); i++ {
			tr.Rows = append(tr.Rows, i*max(1, n/24))
		}
		opts.Trajectory = tr
	}

	t0 := time.Now()
	var st path.Stats
	var ll []float64
	switch {
	case f.sde:
		var s path.SDESolver = path.EulerMaruyama{Steps: f.steps}
		if f.solver == "heun" {
			s = path.StochasticHeun{Steps: f.steps}
		}
		st, err = path.IntegrateSDE(cmd.Context(), v, x, path.EpsAlpha0(f.eps), s, r, &opts)
	case f.loglik:
		ll, st, err = path.LogLikelihood(cmd.Context(), v, x, nil, solver, r, &path.LikelihoodOptions{Options: opts})
	default:
		st, err = path.Integrate(cmd.Context(), v, x, solver, &opts)
	}
	secs := time.Since(t0).Seconds()
	if err != nil {
		return err
	}
	if !endGauss {
		m.toData(x)
		for i := range ll {
			ll[i] -= m.logScale
		}
	}
	if !startGauss {
		m.toData(start)
	}

	if f.out != "" {
		outX, outD := x, d
		if f.loglik {
			outD = d + 1
			outX = make([]float64, 0, n*outD)
			for i := 0; i < n; i++ {
				outX = append(append(outX, x[i*d:(i+1)*d]...), ll[i])
			}
		}
		if err := samplefile.Write(f.out, outX, outD); err != nil {
			return fmt.Errorf("writing samples: %w", err)
		}
	}
	if f.png != "" {
		if err := drawPath(f.png, m, start, x, d, opts.Trajectory, !startGauss, !endGauss); err != nil {
			return err
		}
	}

	sum := map[string]any{"n": n, "nfe": st.NFE, "accepted": st.Accepted, "rejected": st.Rejected, "seconds": secs}
	if f.loglik {
		var mean float64
		for _, l := range ll {
			mean += l
		}
		sum["loglik_mean"] = mean / float64(n)
	}
	w := cmd.OutOrStdout()
	if f.asJSON {
		return json.NewEncoder(w).Encode(sum)
	}
	fmt.Fprintf(w, "%d samples, %d velocity evaluations (%d steps accepted, %d rejected), %.3g s\n",
		n, st.NFE, st.Accepted, st.Rejected, secs)
	if f.loglik {
		fmt.Fprintf(w, "mean log-likelihood %.6g\n", sum["loglik_mean"])
	}
	return nil
}

// drawPath writes the picture of a path run: 2-D start and end points with
// trajectories, or a grid of the first images (start row above end row).
func drawPath(file string, m *model, start, end []float64, d int, tr *path.Trajectory, startData, endData bool) error {
	if d == 2 {
		var trajs [][]float64
		if tr != nil {
			for j := range tr.Rows {
				line := make([]float64, 0, 2*len(tr.X))
				for _, xs := range tr.X {
					line = append(line, xs[2*j], xs[2*j+1])
				}
				if startData || endData {
					m.toData(line) // trajectories are drawn in data coordinates
				}
				trajs = append(trajs, line)
			}
		}
		if !startData && endData {
			// Noise lives in model coordinates; draw it where the
			// trajectories start, in data coordinates.
			start = append([]float64(nil), start...)
			m.toData(start)
		}
		return viz.Trajectories2D(file, "", start, end, trajs)
	}
	if m.image == nil {
		return usagef("--png draws 2-D samples or images; these are %d-dimensional vectors", d)
	}
	n := len(end) / d
	cols := min(n, 10)
	imgs := append(append([]float64(nil), start[:cols*d]...), end[:cols*d]...)
	return viz.ImageGrid(file, imgs, m.image.Width, m.image.Height, cols, -1, 1)
}

package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
	"github.com/mmi-go/mmi/viz"
)

type pathFlags struct {
	genFlags
	model      string
	from, to   int
	via        string
	detour     float64
	pathFile   string
	schedule   string
	in         string
	png, shape string
	asJSON     bool
	loglik     bool
	guidance   string
}

func newPathCmd() *cobra.Command {
	var f pathFlags
	cmd := &cobra.Command{
		Use:   "path",
		Short: "Integrate samples along a path from marginal i to marginal j (0 = Gaussian)",
		Long: `Push samples of marginal --from along a path on the simplex to marginal --to:
the straight edge e_from → e_to, a polyline through the vertices of --via, a
detour into the interior (--detour W: through (1−W)·e_from + W·c, c the
centre of the data vertices), a saved path (--path, e.g. from mmi pathopt),
or a noise schedule off the simplex (--schedule trig or a .json file of
knots; a model trained with --domain ball, or an exact oracle). A path must stay in the model's domain.
The probability flow dX/dt = Σ_k α̇_k(t) g_k(α(t), X) is integrated with
--solver; --sde adds the score drift and noise of ε(t) = eps·α_0(t), which
vanishes off the Gaussian.

Samples are read and written in data coordinates, except those of the
Gaussian marginal 0, which is N(0, I) in the model's coordinates.`,
		Example: `  mmi path --from 0 --to 1 --n 2000 --out x1.csv --png x1.png
  mmi path --model examples/mix3.json --from 1 --to 2 --via 3 --solver rk4 --steps 50 --json
  mmi path --from 0 --to 2 --loglik --out x2.csv
  mmi path --model mnist6.mmi --from 0 --to 6 --detour 0.15 --solver rk4 --steps 40 --png fives.png`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPath(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "model.mmi", "checkpoint from mmi train, or a .json Gaussian-mixture specification (exact oracle)")
	fl.IntVar(&f.from, "from", 0, "start marginal (0 = the Gaussian)")
	fl.IntVar(&f.to, "to", 1, "end marginal")
	fl.StringVar(&f.via, "via", "", "marginals to pass through, comma-separated (a polyline through their vertices)")
	fl.Float64Var(&f.detour, "detour", 0, "pass through (1−W)·e_from + W·c, c the centre of the data vertices, instead of along the straight edge (images: 0.15 from noise lowers the Fréchet ratio, docs/images.md)")
	fl.StringVar(&f.pathFile, "path", "", "a saved path (.json) instead of --from/--to/--via")
	fl.StringVar(&f.schedule, "schedule", "", "schedule from --from to --to: linear (the straight edge), trig (cos/sin, needs a ball model) or a .json file of knots")
	fl.StringVar(&f.in, "in", "", "starting samples (.csv or .npy, or a folder of PNG/JPEG images) instead of fresh samples of --from")
	addGenFlags(cmd, &f.genFlags, "number of samples",
		"integrate the stochastic generator (Euler–Maruyama, or Heun with --solver heun)",
		"write the end samples (.csv or .npy, or a folder DIR/ of PNG files, one per sample); with --loglik the last column is the log-likelihood")
	fl.StringVar(&f.png, "png", "", "write a picture: start and end points with trajectories (2-D), or an image grid")
	addShapeFlag(cmd, &f.shape)
	fl.BoolVar(&f.asJSON, "json", false, "print a JSON summary")
	fl.BoolVar(&f.loglik, "loglik", false, "compute each sample's log-likelihood log ρ(α(1), X(1)) (paths from the Gaussian)")
	fl.StringVar(&f.guidance, "guidance", "auto", "class guidance W or W:FROM:TO on the edge from noise to a data marginal (sharper, read as the class more often, no longer the model's own law; docs/images.md); 0: none; auto: "+generate.ImageGuidance.String()+" from noise to images, none otherwise")
	return cmd
}

// buildPath returns the path of the flags and checks it against K+1
// marginals.
func buildPath(f *pathFlags, k1 int) (path.Path, error) {
	if f.schedule != "" {
		return buildSchedule(f, k1)
	}
	if f.pathFile != "" {
		return loadPathFile(f.pathFile, k1)
	}
	if f.detour != 0 {
		p, err := generate.Detour(k1, f.from, f.to, f.detour)
		return p, badInput(err)
	}
	via, err := parseInts("--via", f.via)
	if err != nil {
		return nil, err
	}
	stops := append(append([]int{f.from}, via...), f.to)
	p, err := generate.Polyline(k1, stops...)
	return p, badInput(err)
}

func runPath(cmd *cobra.Command, f *pathFlags) error {
	if err := checkIgnoredFlags(cmd, f); err != nil {
		return err
	}
	req, err := f.request(cmd, f.png)
	if err != nil {
		return err
	}
	gen, err := loadModel(f.model)
	if err != nil {
		return err
	}
	k1, _ := gen.Sizes()
	if req.Path, err = buildPath(f, k1); err != nil {
		return err
	}
	if err := checkPathEnds(cmd, f, req.Path); err != nil {
		return err
	}
	if err := checkDomain(gen, req.Path); err != nil {
		return err
	}
	if err := f.start(cmd, req, gen); err != nil {
		return err
	}
	sr, secs, err := checkAndStream(cmd, gen, req)
	if err != nil {
		return err
	}
	if f.png != "" {
		if err := drawPath(f.png, gen, req.Path, sr.Kept); err != nil {
			return err
		}
	}
	return printPathSummary(cmd.OutOrStdout(), f, sr, secs)
}

// checkIgnoredFlags refuses flags that others would silently override:
// --n with --in (the rows of --in are the samples), --via with --path
// (the saved path says where it goes; --from and --to, if given, must be
// its ends: checkPathEnds), --path with --schedule, --via with
// --schedule, and --detour with any other route; and a --detour weight
// outside (0, 1), where 0 would silently mean the straight edge.
func checkIgnoredFlags(cmd *cobra.Command, f *pathFlags) error {
	fl := cmd.Flags()
	if f.in != "" && fl.Changed("n") {
		return usagef("path: give --in or --n, not both (the rows of --in are the samples)")
	}
	if f.pathFile != "" && f.schedule != "" {
		return usagef("path: give --path or --schedule, not both")
	}
	if f.pathFile != "" && fl.Changed("via") {
		return usagef("path: a saved path (--path) says where it goes; it takes no --via")
	}
	if f.schedule != "" && fl.Changed("via") {
		return usagef("path: --schedule goes from --from to --to; it takes no --via")
	}
	if fl.Changed("detour") && (f.pathFile != "" || f.schedule != "" || fl.Changed("via")) {
		return usagef("path: --detour is its own route from --from to --to; give it without --path, --schedule or --via")
	}
	if fl.Changed("detour") && !(f.detour > 0 && f.detour < 1) {
		return usagef("path: --detour %g: the weight toward the centre must lie in (0, 1)", f.detour)
	}
	return nil
}

// checkPathEnds refuses --from or --to given with a saved --path that
// starts or ends elsewhere: the path decides, and a flag it overrides
// must not look as if it had been used.
func checkPathEnds(cmd *cobra.Command, f *pathFlags, p path.Path) error {
	if f.pathFile == "" {
		return nil
	}
	fl := cmd.Flags()
	if from := generate.StartVertex(p); fl.Changed("from") && from != f.from {
		return usagef("path: %s starts at %s, not at --from %d; drop --from or give the path that starts there", f.pathFile, vertexName(from), f.from)
	}
	if to := simplex.VertexIndex(pathEnd(p)); fl.Changed("to") && to != f.to {
		return usagef("path: %s ends at %s, not at --to %d; drop --to or give the path that ends there", f.pathFile, vertexName(to), f.to)
	}
	return nil
}

// vertexName says where a path starts or ends: "marginal 2", or "a point
// that is no vertex" for −1.
func vertexName(k int) string {
	if k < 0 {
		return "a point that is no vertex"
	}
	return fmt.Sprintf("marginal %d", k)
}

// start completes the request of mmi path along its path: where the
// samples start (--in, or fresh draws of the start vertex's marginal),
// the likelihood, the trajectories a picture needs, and the checks of the
// flags that depend on the path and the model.
func (f *pathFlags) start(cmd *cobra.Command, req *generate.Request, gen *generate.Generator) error {
	_, d := gen.Sizes()
	from := generate.StartVertex(req.Path)
	if f.loglik && from != 0 {
		return usagef("--loglik needs a path that starts at the Gaussian (marginal 0)")
	}
	if f.loglik && f.sde {
		return usagef("--loglik follows the probability flow; it cannot be combined with --sde")
	}
	req.LogLikelihood, req.Keep = f.loglik, pictureRows
	var err error
	if f.in != "" {
		if req.In, _, err = readInput(f.in, d, gen.Image()); err != nil {
			return err
		}
	} else if from < 0 {
		return usagef("the path does not start at a vertex; give starting samples with --in")
	} else if _, err := gen.Marginal(from); err != nil {
		return usagef("%v; give starting samples with --in", err)
	}
	if f.png != "" && d == 2 {
		req.TrajectoryRows = 24
	}
	if err := checkPNG(f.png, f.shape, gen); err != nil {
		return err
	}
	if err := f.setGuidance(cmd, req, gen); err != nil {
		return err
	}
	return f.folderOut(cmd, gen, req, nil)
}

// setGuidance sets the request's guidance from --guidance: as given, or
// with auto the model's default for the path (generate.Generator.
// DefaultGuidance) unless --loglik asks for the model's own flow, said on
// stderr when it applies.
func (f *pathFlags) setGuidance(cmd *cobra.Command, req *generate.Request, gen *generate.Generator) error {
	if f.guidance != "auto" {
		gd, err := generate.ParseGuidance(f.guidance)
		req.Guidance = gd
		return flagError(err)
	}
	if f.loglik {
		return nil
	}
	if req.Guidance = gen.DefaultGuidance(req.Path); req.Guidance.On() {
		k1, _ := gen.Sizes()
		fmt.Fprintf(cmd.ErrOrStderr(), "mmi: note: guidance %s from noise to images, %d more evaluations of the model at each evaluation inside it (--guidance 0 follows the model's own flow)\n", req.Guidance, k1-2)
	}
	return nil
}

// printPathSummary prints the run's size and cost (and mean
// log-likelihood) as text or, with --json, as one object.
func printPathSummary(w io.Writer, f *pathFlags, sr *generate.Streamed, secs float64) error {
	n := sr.Rows
	st := sr.Kept.Stats
	sum := map[string]any{"n": n, "nfe": st.NFE, "accepted": st.Accepted, "rejected": st.Rejected, "seconds": secs}
	if f.loglik {
		sum["loglik_mean"] = sr.LogLik / float64(n)
	}
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
func drawPath(file string, gen *generate.Generator, p path.Path, res *generate.Result) error {
	_, d := gen.Sizes()
	start := res.Start
	if d == 2 {
		var trajs [][]float64
		if tr := res.Trajectory; tr != nil {
			for j := range tr.Rows {
				line := make([]float64, 0, 2*len(tr.X))
				for _, xs := range tr.X {
					line = append(line, xs[2*j], xs[2*j+1])
				}
				trajs = append(trajs, line)
			}
		}
		if generate.StartVertex(p) == 0 && !generate.AtNoise(pathEnd(p)) {
			// Noise is exchanged as N(0, I); draw it where the
			// trajectories start, in data coordinates.
			start = append([]float64(nil), start...)
			gen.ToData(start)
		}
		return viz.Trajectories2D(file, "", start, res.X, trajs)
	}
	img := gen.Image()
	n := len(res.X) / d
	cols := min(n, 10)
	imgs := append(append([]float64(nil), start[:cols*d]...), res.X[:cols*d]...)
	return viz.ChannelGrid(file, imgs, img.Width, img.Height, img.C(), cols, -1, 1)
}

// pathEnd returns α(1).
func pathEnd(p path.Path) []float64 {
	a := make([]float64, p.Len())
	p.Alpha(a, 1)
	return a
}

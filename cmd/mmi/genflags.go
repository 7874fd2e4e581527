package main

import (
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/internal/capacity"
)

// pictureRows is how many rows of a streamed run are kept for --png: a
// scatter plot of more points is a solid blot, and keeping them all would
// undo the bounded memory of streaming.
const pictureRows = 100000

// genFlags are the flags of a generating run that path, transfer and
// barycenter share: the solver with its steps and tolerances, the
// stochastic generator and its noise, the rows, the seed, the shard and
// the output file. They make a generate.Settings; generate.Generator.Check
// refuses what cannot run, naming the flag.
type genFlags struct {
	solverFlags
	sde     bool
	eps     float64
	denoise float64
	n       int
	seed    uint64
	shard   string
	out     string
}

// solverFlags are the integration flags of genFlags.
type solverFlags struct {
	solver     string
	steps      int
	atol, rtol float64
}

// settings returns the generate.Settings of the solver flags alone.
func (f *solverFlags) settings() generate.Settings {
	return generate.Settings{Solver: f.solver, Steps: f.steps, Atol: f.atol, Rtol: f.rtol}
}

// openModel checks the solver flags and opens --model, returning the
// integration options of the flags.
func openModel(spec string, sf *solverFlags) (*generate.Generator, *generate.Options, error) {
	opts, err := sf.settings().Options()
	if err != nil {
		return nil, nil, flagError(err)
	}
	gen, err := loadModel(spec)
	if err != nil {
		return nil, nil, err
	}
	return gen, opts, nil
}

// addGenFlags registers the flags; n, sde and out say what --n, --sde and
// --out mean to the command.
func addGenFlags(cmd *cobra.Command, f *genFlags, n, sde, out string) {
	fl := cmd.Flags()
	fl.StringVar(&f.solver, "solver", "dopri5", "euler, heun, rk4 or dopri5")
	fl.IntVar(&f.steps, "steps", 100, "steps of a fixed-step solver (or of the SDE)")
	fl.Float64Var(&f.atol, "atol", 1e-5, "absolute tolerance of dopri5")
	fl.Float64Var(&f.rtol, "rtol", 1e-5, "relative tolerance of dopri5")
	fl.BoolVar(&f.sde, "sde", false, sde)
	fl.Float64Var(&f.eps, "eps", 1, "noise level E of the SDE: ε(t) = E·α_0(t)")
	fl.Float64Var(&f.denoise, "denoise", 0, "τ in [0, 1): end the flow at t = 1 − τ and write the model's estimate of the end marginal's sample there, a last denoising step (sharper edges and modes, the law a little contracted; docs/suite.md); 0: the flow's own end")
	fl.IntVar(&f.n, "n", 1000, n)
	fl.Uint64Var(&f.seed, "seed", 1, "random seed")
	addShardFlag(cmd, &f.shard)
	fl.StringVar(&f.out, "out", "", out)
}

// request returns the request of the flags, with no path yet; --shard,
// the settings and the output files (--out, and the picture png) are
// checked, and the outputs claimed (outputs.go).
func (f *genFlags) request(cmd *cobra.Command, png string) (*generate.Request, error) {
	sh, err := parseShard(f.shard)
	if err != nil {
		return nil, err
	}
	if err := checkOutOrFolder(cmd, f.out); err != nil {
		return nil, err
	}
	if err := checkPNGOut(cmd, png); err != nil {
		return nil, err
	}
	if f.sde && cmd.Flags().Changed("solver") && f.solver != "euler" && f.solver != "heun" {
		// Not silently Euler–Maruyama: the solver given has no
		// stochastic form.
		return nil, usagef("--sde integrates with euler (Euler–Maruyama) or heun (stochastic Heun), not --solver %s", f.solver)
	}
	set := f.solverFlags.settings()
	set.SDE, set.Eps, set.Denoise, set.N, set.Seed, set.Shard = f.sde, f.eps, f.denoise, f.n, f.seed, sh
	r := &generate.Request{Settings: set, Out: f.out}
	if isFolderOut(f.out) {
		r.Out = "" // the folder's writer is set once the model is open (folderOut)
	}
	if _, err := r.Options(); err != nil {
		return nil, flagError(err)
	}
	return r, nil
}

// folderOut completes a request whose --out is a folder of PNG files: its
// writer (viz.PNGFolder, one file per row at the model's image size, named
// after names, the files of --in DIR, or numbered), checked before any
// work. Other outputs are left as they are.
func (f *genFlags) folderOut(cmd *cobra.Command, gen *generate.Generator, r *generate.Request, names []string) error {
	if !isFolderOut(f.out) {
		return nil
	}
	if r.LogLikelihood {
		return usagef("--loglik adds a column of log-likelihoods to --out; a folder of PNG files cannot hold it (give a .csv or .npy file)")
	}
	_, d := gen.Sizes()
	n := r.Rows(d)
	lo, hi, err := r.Shard.Rows(n)
	if err != nil {
		return flagError(gen.Check(r))
	}
	dst, err := newPNGFolder(cmd, f.out, gen.Image(), names, n, lo, hi, d)
	if err != nil {
		return err
	}
	r.Sink = dst
	return nil
}

// checkAndStream checks the request (gen.Check, its errors as the command
// line says them) and runs it (gen.StreamTo), timing the run. The rows go
// to --out chunk by chunk, so any --n runs in the memory of one chunk;
// the first req.Keep rows stay for the picture and the summary.
func checkAndStream(cmd *cobra.Command, gen *generate.Generator, r *generate.Request) (*generate.Streamed, float64, error) {
	if err := flagError(gen.Check(r)); err != nil {
		return nil, 0, err
	}
	t0 := time.Now()
	sr, err := gen.StreamTo(cmd.Context(), r)
	return sr, time.Since(t0).Seconds(), err
}

// flagError turns a request's error into the user's input, a wrong
// setting named by its flag; a disk too small for the output is the
// machine's (exit status 1).
func flagError(err error) error {
	var se *generate.SettingError
	var space *capacity.SpaceError
	switch {
	case errors.As(err, &se):
		return usagef("%s", se.Flag())
	case errors.As(err, &space):
		return err
	}
	return badInput(err)
}

// head returns the first n numbers of x (of the rows a run kept), or all.
func head(x []float64, n int) []float64 { return x[:min(len(x), n)] }

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/samplefile"
)

// loadModel opens --model (generate.Load): a Gaussian-mixture
// specification (.json) gives the exact oracle, anything else must be a
// checkpoint written by mmi train. Every failure is the user's input.
func loadModel(spec string) (*generate.Generator, error) {
	gen, err := generate.Load(spec)
	if errors.Is(err, os.ErrNotExist) {
		return nil, usagef("model %s does not exist: train one with 'mmi train' or give --model", spec)
	}
	if err != nil {
		return nil, badInput(err)
	}
	return gen, nil
}

// solverFlags are the integration flags shared by the generating commands.
type solverFlags struct {
	solver     string
	steps      int
	atol, rtol float64
}

func addSolverFlags(cmd *cobra.Command, f *solverFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.solver, "solver", "dopri5", "euler, heun, rk4 or dopri5")
	fl.IntVar(&f.steps, "steps", 100, "steps of a fixed-step solver (or of the SDE)")
	fl.Float64Var(&f.atol, "atol", 1e-5, "absolute tolerance of dopri5")
	fl.Float64Var(&f.rtol, "rtol", 1e-5, "relative tolerance of dopri5")
}

// solverOptions returns the generate.Options of the flags.
func solverOptions(f *solverFlags) (*generate.Options, error) {
	if f.steps <= 0 {
		return nil, usagef("--steps must be positive, got %d", f.steps)
	}
	// The solvers keep the grid of times (and the SDE its noise schedule).
	if err := checkMemory(fmt.Sprintf("--steps %d", f.steps), 16*float64(f.steps)); err != nil {
		return nil, err
	}
	o := &generate.Options{}
	switch f.solver {
	case "euler":
		o.Solver = path.Euler{Steps: f.steps}
	case "heun":
		o.Solver = path.Heun{Steps: f.steps}
	case "rk4":
		o.Solver = path.RK4{Steps: f.steps}
	case "dopri5":
		if !(f.atol > 0) || !(f.rtol > 0) {
			return nil, usagef("--atol and --rtol must be positive")
		}
		o.Solver = path.Dopri5{Atol: f.atol, Rtol: f.rtol}
	default:
		return nil, usagef("unknown solver %q: want euler, heun, rk4 or dopri5", f.solver)
	}
	return o, nil
}

func addShardFlag(cmd *cobra.Command, s *string) {
	cmd.Flags().StringVar(s, "shard", "", "compute only part i/n (0 ≤ i < n) of the run: the n outputs, concatenated in order, are the whole run's output")
}

func parseShard(s string) (generate.Shard, error) {
	sh, err := generate.ParseShard(s)
	return sh, badInput(err)
}

// checkShardRows refuses more shards than a run of rows rows has chunks,
// before any work is done.
func checkShardRows(s generate.Shard, rows int) error {
	_, _, err := s.Rows(rows)
	if err != nil {
		return usagef("--shard %s: %v", s, err)
	}
	return nil
}

// readInput reads a sample file or a folder of images of dimension d
// (--in).
func readInput(file string, d int) ([]float64, error) {
	if st, err := os.Stat(file); err == nil && st.IsDir() {
		f, err := datasets.ReadFolder(file, datasets.Options{MaxBytes: physicalMemory()})
		if err != nil {
			return nil, badInput(err)
		}
		if f.Shape.Dim() != d {
			return nil, usagef("%s holds %s images (%d values each), the model has dimension %d", file, f.Shape, f.Shape.Dim(), d)
		}
		return f.Rows, nil
	}
	x, din, err := samplefile.Read(file)
	if err != nil {
		return nil, badInput(err)
	}
	if din != d {
		return nil, usagef("%s has dimension %d, the model has %d", file, din, d)
	}
	return x, nil
}

// checkOut refuses an --out file that samplefile cannot write, or that
// the rules of outputs.go refuse, before any work is done.
func checkOut(cmd *cobra.Command, file string) error {
	if err := notFolder(file); file != "" && err != nil {
		return err
	}
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv", ".npy":
		return checkOutDir(cmd, file, 0)
	}
	if file == "" {
		return nil
	}
	return usagef("--out %s: the extension must be .csv or .npy", file)
}

// openModel checks the solver flags and opens --model: the start of every
// generating command.
func openModel(spec string, sf *solverFlags) (*generate.Generator, *generate.Options, error) {
	opts, err := solverOptions(sf)
	if err != nil {
		return nil, nil, err
	}
	gen, err := loadModel(spec)
	if err != nil {
		return nil, nil, err
	}
	return gen, opts, nil
}

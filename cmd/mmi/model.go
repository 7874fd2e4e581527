package main

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/samplefile"
)

// model is what the generating commands need of --model: the generator in
// data units (package generate) and, for code written before it, a view of
// the same things as fields.
type model struct {
	gen *generate.Generator

	// The fields below are views of gen, kept for commands that predate
	// package generate; new code calls gen.
	g     gk.Conditional
	data  []marginals.Marginal
	names []string
	// toModel and toData map data coordinates to the model's and back, in
	// place; the Gaussian ρ_0 is N(0, I) in model coordinates.
	toModel, toData func(x []float64)
	// logScale is log|det ∂(data)/∂(model)|.
	logScale float64
	image    *datasets.ImageShape
}

func (m *model) sizes() (k1, d int) { return m.gen.Sizes() }

// loadModel opens --model (generate.Load): a Gaussian-mixture
// specification (.json) gives the exact oracle, anything else must be a
// checkpoint written by mmi train. Every failure is the user's input.
func loadModel(spec string) (*model, error) {
	gen, err := generate.Load(spec)
	if errors.Is(err, os.ErrNotExist) {
		return nil, usagef("model %s does not exist: train one with 'mmi train' or give --model", spec)
	}
	if err != nil {
		return nil, badInput(err)
	}
	return wrapModel(gen), nil
}

func wrapModel(gen *generate.Generator) *model {
	k1, _ := gen.Sizes()
	m := &model{gen: gen, g: gen.Conditional(), names: gen.Names(), toModel: gen.ToModel, toData: gen.ToData,
		logScale: -gen.LogScale(), image: gen.Image()}
	for k := 1; k < k1; k++ {
		mg, _ := gen.Marginal(k)
		m.data = append(m.data, mg)
	}
	return m
}

// sampleStart draws n samples of marginal i in model coordinates.
func (m *model) sampleStart(i, n int, r *rand.Rand) ([]float64, error) {
	x, err := m.gen.Draw(i, n, r)
	if err != nil {
		return nil, usagef("%v; give starting samples with --in", err)
	}
	if i > 0 {
		m.toModel(x)
	}
	return x, nil
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

// readInput reads a sample file of dimension d (--in).
func readInput(file string, d int) ([]float64, error) {
	x, din, err := samplefile.Read(file)
	if err != nil {
		return nil, badInput(err)
	}
	if din != d {
		return nil, usagef("%s has dimension %d, the model has %d", file, din, d)
	}
	return x, nil
}

// checkOut refuses an --out file that samplefile cannot write, before any
// work is done.
func checkOut(file string) error {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv", ".npy":
		return nil
	}
	if file == "" {
		return nil
	}
	return usagef("--out %s: the extension must be .csv or .npy", file)
}

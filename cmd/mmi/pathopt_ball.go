package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/pathopt"
	"github.com/mmi-go/mmi/simplex"
	"github.com/mmi-go/mmi/viz"
)

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

// runPathoptBall optimizes the schedule from --from to --to over the
// model's ball and writes and prints it like runPathopt.
func runPathoptBall(cmd *cobra.Command, f *pathoptFlags, k1 int, dom simplex.Domain, est *pathopt.Estimator) error {
	modes := f.modes
	if !cmd.Flags().Changed("modes") {
		modes = ballModes
	}
	fam := &pathopt.BallFamily{From: simplex.Vertex(k1, f.from), To: simplex.Vertex(k1, f.to), Modes: modes, Domain: dom}
	stderr := cmd.ErrOrStderr()
	job := pathoptJob{[]int{f.from, f.to}}
	rec := pathopt.RecorderFunc(func(p pathopt.Progress) {
		fmt.Fprintf(stderr, "pathopt %s (ball): iteration %d cost %.6g ± %.2g |grad| %.3g\n", job.name(), p.Iter, p.Cost, p.StdErr, p.GradNorm)
	})
	r, err := pathopt.OptimizeBall(cmd.Context(), est, fam, &pathopt.Settings{Iters: f.iters, Recorder: rec})
	canceled := errors.Is(err, context.Canceled) && r != nil
	if err != nil && !canceled {
		return badInput(err)
	}
	trig, err := path.Trig(k1, f.from, f.to)
	if err != nil {
		return err
	}
	trigCost, err := est.Cost(trig)
	if err != nil {
		return err
	}
	s := pathoptSummary{
		From: f.from, To: f.to,
		CostStraight: r.Straight.Cost, StderrStraight: r.Straight.StdErr,
		CostOptimized: r.Optimized.Cost, Stderr: r.Optimized.StdErr,
		Iters: r.Iters, Evals: r.Evals, Seconds: r.Seconds, Status: r.Status, N: f.n, Modes: modes,
		Domain: dom.String(), CostTrig: trigCost.Cost, StderrTrig: trigCost.StdErr,
	}
	if f.out != "" {
		if err := writePathFile(f.out, r.Path); err != nil {
			return err
		}
		s.Out = f.out
	}
	if f.png != "" {
		lin, err := generate.Polyline(k1, f.from, f.to)
		if err != nil {
			return err
		}
		if err := viz.Schedules(f.png, f.from, f.to,
			scheduleCurve(lin, fmt.Sprintf("linear: cost %.3g", r.Straight.Cost)),
			scheduleCurve(trig, fmt.Sprintf("trigonometric: cost %.3g", trigCost.Cost)),
			scheduleCurve(r.Path, fmt.Sprintf("optimized: cost %.3g", r.Optimized.Cost))); err != nil {
			return err
		}
	}
	if err := printPathopt(cmd.OutOrStdout(), []pathoptSummary{s}, f); err != nil {
		return err
	}
	if canceled {
		fmt.Fprintln(stderr, "interrupted: kept the best path so far")
		return context.Canceled
	}
	return nil
}

// scheduleCurve samples p at 201 times.
func scheduleCurve(p path.Path, title string) viz.SimplexCurve {
	c := viz.SimplexCurve{Title: title}
	for i := 0; i <= 200; i++ {
		t := float64(i) / 200
		a := make([]float64, p.Len())
		p.Alpha(a, t)
		c.T = append(c.T, t)
		c.Alpha = append(c.Alpha, a)
	}
	return c
}

package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/nn"
)

// defaultData are the marginals of a bare `mmi train`: three visually
// distinct 2-D sets that train in about two minutes on two cores.
const defaultData = "8gaussians,moons,checkerboard"

func newTrainCmd() *cobra.Command {
	var (
		data, out, resume string
		steps, batch      int
		hidden, layers    int
		lr                float64
		seed              uint64
		float32           bool
	)
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train g on K data marginals (plus the Gaussian) and write a checkpoint",
		Long: `Train one network for the K+1 conditional expectations g_k(α, x) of the
Gaussian (marginal 0) and the data marginals of --data (1…K, in order), on the
joint regression loss over α drawn from the interior, faces, edges and
vertices of the simplex. The checkpoint is rewritten atomically every 10 s and
at the end; Ctrl-C stops cleanly with a checkpoint, and --resume continues it.`,
		Example: `  mmi train                                   # 8gaussians, moons, checkerboard → model.mmi
  mmi train --data a.csv,b.csv,c.npy --steps 20000 --out mine.mmi
  mmi train --resume mine.mmi --steps 80000`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set := gk.DefaultSettings()
			fl := cmd.Flags()
			if steps <= 0 || batch <= 0 || hidden <= 0 || layers <= 0 || !(lr > 0) {
				return usagef("train: --steps, --batch, --hidden, --layers and --lr must be positive")
			}
			var t *gk.Trainer
			var err error
			imageLine := ""
			if resume != "" {
				t, err = resumeTrainer(resume, data, fl.Changed("data"))
				if err != nil {
					return err
				}
				if fl.Changed("steps") {
					if err := t.SetSteps(steps); err != nil {
						return badInput(err)
					}
				}
				if !fl.Changed("out") {
					out = resume
				}
			} else {
				entries, err := datasets.Open(data)
				if err != nil {
					return badInput(err)
				}
				c, err := coupling(entries)
				if err != nil {
					return err
				}
				if fl.Changed("steps") {
					set.Steps, set.Warmup = steps, 0
				}
				set.Batch, set.LR, set.Seed = batch, lr, seed
				h := make([]int, layers)
				for i := range h {
					h[i] = hidden
				}
				cfg := gk.Config{
					Marginals: len(entries) + 1,
					Dim:       c.Dim(),
					Hidden:    h,
					Float32:   float32,
					Specs:     entryNames(entries),
				}
				if img := imageShape(entries); img != nil {
					imageLine = applyImageDefaults(fl, img, &cfg, &set)
				}
				if t, err = gk.NewTrainer(cfg, c, set); err != nil {
					return badInput(err)
				}
			}
			t.Path = out
			stderr := cmd.ErrOrStderr()
			s := t.Settings()
			blas, _ := nn.BLAS()
			fmt.Fprintf(stderr, "training %d marginals (with the Gaussian) from step %d to %d, batch %d, on %s; checkpoint %s%s\n%s",
				t.Model().Config().Marginals, t.Step(), s.Steps, s.Batch, blasLine(blas), out, imageLine, fastPathHint(blas))
			bar := newProgress(stderr, t.Step(), s.Steps, "train")
			t.Recorder = gk.RecorderFunc(func(p gk.Progress) {
				bar.update(p.Step, fmt.Sprintf("loss %.4f", p.Loss))
			})
			err = t.Run(cmd.Context())
			bar.finish()
			switch {
			case errors.Is(err, context.Canceled):
				fmt.Fprintf(stderr, "interrupted at step %d; checkpoint %s (continue with --resume %s)\n", t.Step(), out, out)
				return err
			case err != nil:
				return fmt.Errorf("training stopped at step %d: %w (last good checkpoint: %s)", t.Step(), err, out)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s after %d steps\nnext: mmi path --model %s --from 0 --to 1 --png x1.png\n", out, t.Step(), out)
			return nil
		},
	}
	f := cmd.Flags()
	def := gk.DefaultSettings()
	f.StringVar(&data, "data", defaultData, "data marginals: built-in names, NAME:CLASS, .csv/.npy files or a .json mixture specification, comma-separated")
	f.IntVar(&steps, "steps", def.Steps, "training steps")
	f.IntVar(&batch, "batch", def.Batch, "batch size")
	f.IntVar(&hidden, "hidden", gk.DefaultHidden[0], "width of the hidden layers")
	f.IntVar(&layers, "layers", len(gk.DefaultHidden), "number of hidden layers")
	f.Float64Var(&lr, "lr", def.LR, "peak learning rate (Adam, warm-up then cosine decay)")
	f.Uint64Var(&seed, "seed", 1, "random seed: the same seed gives the same model")
	f.BoolVar(&float32, "float32", true, "float32 network (as accurate as float64 on the measured 2-D problems, 1.3× faster); --float32=false for float64")
	f.StringVar(&out, "out", "model.mmi", "checkpoint to write")
	f.StringVar(&resume, "resume", "", "continue training from this checkpoint")
	return cmd
}

// coupling is the independent coupling of the Gaussian and the entries.
func coupling(entries []datasets.Entry) (marginals.Coupling, error) {
	ms := []marginals.Marginal{marginals.StandardGaussian(entries[0].Marginal.Dim())}
	for _, e := range entries {
		ms = append(ms, e.Marginal)
	}
	c, err := marginals.NewIndependent(ms...)
	return c, badInput(err)
}

// resumeTrainer reopens a checkpoint's trainer on the marginals it records
// (or on --data, if given, which must match them).
func resumeTrainer(file, data string, dataGiven bool) (*gk.Trainer, error) {
	gm, err := gk.Load(file)
	if err != nil {
		return nil, badInput(err)
	}
	specs := gm.Specs()
	var entries []datasets.Entry
	if dataGiven {
		if entries, err = datasets.Open(data); err != nil {
			return nil, badInput(err)
		}
	} else {
		for _, s := range specs {
			mg, img := reopen(s)
			if mg == nil {
				return nil, usagef("%s: its marginal %q cannot be opened; give it again with --data", file, s)
			}
			entries = append(entries, datasets.Entry{Name: s, Marginal: mg, Image: img})
		}
	}
	if k1, _ := gm.Sizes(); len(entries)+1 != k1 {
		return nil, usagef("%s was trained on %d data marginals, --data gives %d", file, k1-1, len(entries))
	}
	c, err := coupling(entries)
	if err != nil {
		return nil, err
	}
	t, err := gk.Resume(file, c, nil)
	return t, badInput(err)
}

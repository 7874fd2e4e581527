package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/nn"
)

// imageDefaults are the settings `mmi train` uses when every data marginal
// is a labelled image set (mnist:3, fashion:7, digits:0, …), measured on
// the six MNIST classes 0–5 (gk/ARCHITECTURE.md, "Images"): a network and a
// step count sized for the 30 minutes of two idle cores with OpenBLAS
// (the U-Net's 9000 steps: 22 minutes, measured idle), data
// heads clamped to the pixel range [−1, 1] (gk.Bounds) and a projection
// that trusts the data heads more than the noise head (gk.Config.NoiseWeight).
// Flags given explicitly override the sizes, steps, batch and LR.
var imageDefaults = struct {
	hidden, layers, steps, batch int
	lr, noiseWeight              float64
	act                          nn.Activation
	// net is the image network unless --net, --widths, --hidden or
	// --layers is given: the U-Net, which beats the MLP within the
	// 30-minute budget on every measure (docs/images.md). A U-Net trains
	// unetSteps steps of unetBatch at unetLR after unetWarmup steps of
	// warm-up (at most a tenth of the steps), on unetCoupling unless
	// --coupling is given: optimal-transport tuples of the classes, drawn
	// and assigned in blocks of two batches, each tuple used once. On
	// them the U-Net draws better digits from noise and translates between
	// classes with fewer ghosts than on independent tuples, and half the
	// batch of the MLP with twice the updates (in the same time) and a
	// peak LR of 2e-3 instead of 1e-3 lower the ghosts that remain (mean
	// ghost ratio 1.31 → 0.94, docs/images.md); twice the steps of those
	// measurements (4500 took 13 minutes on the idle machine, not the 26
	// first written down) lower every class's Fréchet ratio from noise by
	// a quarter to a third. The MLP keeps the independent coupling, on
	// which its defaults were measured.
	net                              gk.Network
	unetSteps, unetBatch, unetWarmup int
	unetLR                           float64
	unetCoupling                     marginals.CouplingSpec
	// unetHeadFloor is the U-Net's --loss-weights alpha:δ (a simplex
	// domain only): loss weights that follow α lowered every class's
	// Fréchet ratio from noise and the ghosts of translation on every
	// pair (gk/ARCHITECTURE.md, eleventh session).
	unetHeadFloor float64
}{
	hidden: 512, layers: 3, steps: 8000, batch: 128, lr: 2e-3, noiseWeight: 0.03, act: nn.Tanh,
	net: gk.NetUNet, unetSteps: 9000, unetBatch: 64, unetWarmup: 100, unetLR: 2e-3,
	unetCoupling: marginals.CouplingSpec{Kind: marginals.KindOT, Block: 128}, unetHeadFloor: 0.05,
}

// imageShape returns the common image shape of the entries, or nil if any
// of them is not an image set or the shapes differ.
func imageShape(entries []datasets.Entry) *datasets.ImageShape {
	var s *datasets.ImageShape
	for _, e := range entries {
		if e.Image == nil || (s != nil && *e.Image != *s) {
			return nil
		}
		s = e.Image
	}
	return s
}

// applyImageDefaults sets the image defaults for every flag not given on
// the command line and returns their description for the first line of
// output.
func applyImageDefaults(fl *pflag.FlagSet, img *datasets.ImageShape, cfg *gk.Config, set *gk.Settings, spec *marginals.CouplingSpec) string {
	d := imageDefaults
	if !fl.Changed("net") && !fl.Changed("widths") && !fl.Changed("blocks") && !fl.Changed("hidden") && !fl.Changed("layers") {
		cfg.Net = d.net
	}
	cfg.Bounds = gk.Bounds{Lo: -1, Hi: 1}
	cfg.NoiseWeight = d.noiseWeight
	batch := d.batch
	if cfg.Net == gk.NetUNet {
		batch = d.unetBatch
	}
	if !fl.Changed("batch") {
		set.Batch = batch
	}
	if cfg.Net == gk.NetUNet {
		if !fl.Changed("steps") {
			set.Steps = d.unetSteps
		}
		set.Warmup = min(d.unetWarmup, set.Steps/10)
		if !fl.Changed("lr") {
			set.LR = d.unetLR
		}
		if !fl.Changed("coupling") {
			*spec = d.unetCoupling
		}
		return fmt.Sprintf("; image defaults for %v: network U-Net %s, coupling %s, LR %g, data heads clamped to [−1, 1], noise-head weight %g",
			img, unetWidths(*cfg, img), spec, set.LR, cfg.NoiseWeight)
	}
	if !fl.Changed("hidden") || !fl.Changed("layers") {
		w, n := len(cfg.Hidden), cfg.Hidden[0]
		if !fl.Changed("layers") {
			w = d.layers
		}
		if !fl.Changed("hidden") {
			n = d.hidden
		}
		cfg.Hidden = make([]int, w)
		for i := range cfg.Hidden {
			cfg.Hidden[i] = n
		}
	}
	if !fl.Changed("activation") {
		cfg.Activation = d.act
	}
	if !fl.Changed("steps") {
		set.Steps, set.Warmup = d.steps, 0
	}
	if !fl.Changed("lr") {
		set.LR = d.lr
	}
	hs := make([]string, len(cfg.Hidden))
	for i, h := range cfg.Hidden {
		hs[i] = fmt.Sprint(h)
	}
	return fmt.Sprintf("; image defaults for %v: network %s %s, LR %g, data heads clamped to [−1, 1], noise-head weight %g",
		img, strings.Join(hs, "×"), cfg.Activation, set.LR, cfg.NoiseWeight)
}

// unetWidths describes the levels of cfg's U-Net ("32/64/64", "32/64/64, 2
// blocks a level").
func unetWidths(cfg gk.Config, img *datasets.ImageShape) string {
	w := cfg.UNet.Widths
	if w == nil {
		w = gk.DefaultUNetWidthsFor(img.Height, img.Width)
	}
	s := strings.ReplaceAll(intsString(w), ",", "/")
	if cfg.UNet.Blocks > 1 {
		s += fmt.Sprintf(", %d blocks a level", cfg.UNet.Blocks)
	}
	return s
}

// intsString joins w with commas ("32,64,64").
func intsString(w []int) string {
	s := make([]string, len(w))
	for i, v := range w {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, ",")
}

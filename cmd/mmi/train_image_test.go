package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/nn"
)

// Image data (here the built-in 8×8 digits) gets the image defaults,
// announced on the first line of output and recorded in the checkpoint:
// data heads clamped to [−1, 1], the noise-head weight, the image network
// where no flag overrides it, and the image step count and batch. Flags
// given explicitly win, and 2-D data keeps the plain defaults.
func TestTrainImageDefaults(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "d.mmi")
	code, _, stderr := mmi(t, "train", "--data", "digits:0,digits:1", "--steps", "3", "--hidden", "8", "--out", ckpt)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	first, _, _ := strings.Cut(stderr, "\n")
	if !strings.Contains(first, "image defaults for 8×8") || !strings.Contains(first, "[−1, 1]") {
		t.Errorf("first line %q does not announce the image defaults", first)
	}
	m, err := gk.Load(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Config()
	d := imageDefaults
	if c.Bounds != (gk.Bounds{Lo: -1, Hi: 1}) || c.NoiseWeight != d.noiseWeight || c.Activation != d.act {
		t.Errorf("bounds %v, noise weight %v, activation %v; want [−1, 1], %v, %v", c.Bounds, c.NoiseWeight, c.Activation, d.noiseWeight, d.act)
	}
	if len(c.Hidden) != d.layers || c.Hidden[0] != 8 {
		t.Errorf("hidden %v, want %d layers of 8 (--hidden given)", c.Hidden, d.layers)
	}
	if !strings.Contains(first, "from step 0 to 3, batch "+strconv.Itoa(d.batch)) {
		t.Errorf("first line %q: want --steps 3 and the image batch %d", first, d.batch)
	}

	// The U-Net (no network flag) has its own batch and OT blocks.
	ckptU := filepath.Join(dir, "u.mmi")
	code, _, stderr = mmi(t, "train", "--data", "digits:0,digits:1", "--steps", "2", "--out", ckptU)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	first, _, _ = strings.Cut(stderr, "\n")
	if !strings.Contains(first, "batch "+strconv.Itoa(d.unetBatch)) || !strings.Contains(first, "coupling "+d.unetCoupling.String()) ||
		!strings.Contains(first, fmt.Sprintf("LR %g", d.unetLR)) {
		t.Errorf("first line %q: want the U-Net batch %d, coupling %v and LR %g", first, d.unetBatch, d.unetCoupling, d.unetLR)
	}
	mu, err := gk.Load(ckptU)
	if err != nil {
		t.Fatal(err)
	}
	if got := mu.Coupling(); !got.Same(d.unetCoupling) {
		t.Errorf("recorded coupling %v, want %v", got, d.unetCoupling)
	}

	ckpt2 := filepath.Join(dir, "m.mmi")
	code, _, stderr = mmi(t, "train", "--data", "moons,circles", "--steps", "3", "--hidden", "8", "--layers", "1", "--out", ckpt2)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "image") {
		t.Errorf("2-D data announced image defaults: %q", stderr)
	}
	m2, err := gk.Load(ckpt2)
	if err != nil {
		t.Fatal(err)
	}
	if c := m2.Config(); !c.Bounds.IsZero() || c.NoiseWeight != 0 {
		t.Errorf("2-D data: bounds %v, noise weight %v; want none", c.Bounds, c.NoiseWeight)
	}
}

// The image network is imageDefaults.net unless --net, --widths, --blocks,
// --hidden or --layers says otherwise (a U-Net on the OT coupling, an MLP on the
// independent one); the choice is announced and recorded in the checkpoint, and
// path runs on it. An unknown --net is a usage error, and a U-Net needs
// data it can see as images.
func TestTrainNet(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args    []string
		want    gk.Network
		line    string
		weights string // the loss weights the first line names, "" for none (uniform)
	}{
		{nil, imageDefaults.net, map[gk.Network]string{gk.NetMLP: "network 512×512×512", gk.NetUNet: "U-Net 32/64/64"}[imageDefaults.net], "alpha:0.05"},
		{[]string{"--net", "unet"}, gk.NetUNet, "U-Net 32/64/64", "alpha:0.05"},
		{[]string{"--net", "mlp"}, gk.NetMLP, "network 512×512×512", ""},
		{[]string{"--hidden", "8"}, gk.NetMLP, "network 8×8×8", ""},
		{[]string{"--hidden", "8", "--loss-weights", "alpha:0.2"}, gk.NetMLP, "network 8×8×8", "alpha:0.2"},
		{[]string{"--widths", "8,8"}, gk.NetUNet, "U-Net 8/8", "alpha:0.05"},
		{[]string{"--widths", "8,8", "--loss-weights", "uniform"}, gk.NetUNet, "U-Net 8/8", ""},
		{[]string{"--widths", "8,8", "--blocks", "2"}, gk.NetUNet, "U-Net 8/8, 2 blocks a level", "alpha:0.05"},
	} {
		ckpt := filepath.Join(dir, strings.Join(c.args, "")+"d.mmi")
		args := append([]string{"train", "--data", "digits:0,digits:1", "--steps", "2", "--batch", "4", "--out", ckpt}, c.args...)
		before, _ := nn.BLAS()
		code, _, stderr := mmi(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		if first, _, _ := strings.Cut(stderr, "\n"); !strings.Contains(first, c.line) {
			t.Errorf("%v: first line %q does not say %q", c.args, first, c.line)
		} else if _, w, _ := strings.Cut(first, "loss weights "); w != c.weights {
			t.Errorf("%v: first line %q names the loss weights %q, want %q", c.args, first, w, c.weights)
		}
		m, err := gk.Load(ckpt)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Config().Net; got != c.want {
			t.Errorf("%v: network %v, want %v", c.args, got, c.want)
		}
		// The U-Net's image default is the OT coupling; the MLP keeps
		// the independent one.
		wantOT := c.want == gk.NetUNet
		if got := m.Coupling(); (got.Kind == marginals.KindOT) != wantOT {
			t.Errorf("%v: coupling %v, want OT: %v", c.args, got, wantOT)
		}
		if after, _ := nn.BLAS(); after.Threads != before.Threads {
			t.Errorf("%v: BLAS threads %d after the command, %d before", c.args, after.Threads, before.Threads)
		}
		if code, _, stderr := mmi(t, "path", "--model", ckpt, "--from", "0", "--to", "1", "--n", "2", "--steps", "2", "--out", ckpt+".csv"); code != 0 {
			t.Errorf("path on %v: exit %d: %s", c.want, code, stderr)
		}
	}
	// --resume keeps the network: the same --blocks continues, another
	// is refused.
	two := filepath.Join(dir, "--widths8,8--blocks2d.mmi")
	if code, _, stderr := mmi(t, "train", "--resume", two, "--blocks", "2", "--steps", "3"); code != 0 {
		t.Errorf("resume with the same --blocks: exit %d: %s", code, stderr)
	}
	wantUsage(t, "--blocks 2", nil, "train", "--resume", two, "--blocks", "3", "--steps", "4")
	// and its loss weights, recorded in the checkpoint (the image default
	// alpha:0.05 here, given in another spelling).
	wantUsage(t, "--loss-weights alpha:0.05", nil, "train", "--resume", two, "--loss-weights", "uniform", "--steps", "4")
	if code, _, stderr := mmi(t, "train", "--resume", two, "--loss-weights", "alpha", "--steps", "4"); code != 0 {
		t.Errorf("resume with the same --loss-weights: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{
		{"--data", "digits:0", "--net", "cnn"},
		{"--data", "moons", "--net", "unet"}, // 2 numbers are not a square image
		{"--data", "digits:0", "--net", "mlp", "--widths", "8"},
		{"--data", "digits:0", "--widths", "8,0"},
		{"--data", "digits:0", "--widths", "8,8,8,8,8"}, // 8×8 does not halve four times
		{"--data", "digits:0", "--blocks", "0"},
		{"--data", "digits:0", "--net", "mlp", "--blocks", "2"},
		{"--data", "digits:0", "--loss-weights", "alpha:-1"},
		{"--data", "digits:0", "--loss-weights", "alpha:"},
		{"--data", "digits:0", "--loss-weights", "beta"},
		{"--data", "digits:0", "--domain", "ball", "--loss-weights", "alpha"},
	} {
		args = append([]string{"train", "--steps", "1", "--out", filepath.Join(dir, "x.mmi")}, args...)
		if code, _, stderr := mmi(t, args...); code != 2 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, stderr)
		}
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/samplefile"
)

// wantUsage runs mmi with args and checks the contract for bad input: exit
// status 2, one line on stderr containing want, nothing on stdout, and
// none of the files in outs written.
func wantUsage(t *testing.T, want string, outs []string, args ...string) {
	t.Helper()
	code, stdout, stderr := mmi(t, args...)
	if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
		t.Errorf("mmi %v: exit %d, stdout %q, stderr %q; want 2, nothing, one line with %q", args, code, stdout, stderr, want)
	}
	for _, f := range outs {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("mmi %v wrote %s", args, f)
			os.Remove(f)
		}
	}
}

// TestPNGShapes: --png draws 2-D points as scatter plots and images as
// grids. Vectors without a recorded image size are drawn as n×n images
// when their dimension is n², and need --shape otherwise; a 2-pixel image
// model is not scattered; --shape must fit the dimension.
func TestPNGShapes(t *testing.T) {
	dir := t.TempDir()
	train := func(name string, data ...string) string {
		t.Helper()
		model := filepath.Join(dir, name)
		args := []string{"train", "--data", strings.Join(data, ","), "--steps", "20", "--batch", "16", "--hidden", "8", "--out", model}
		if code, _, stderr := mmi(t, args...); code != 0 {
			t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
		}
		return model
	}
	vectors := func(name string, d int) string {
		x := make([]float64, 10*d)
		for i := range x {
			x[i] = float64(i%7)/3 - 1
		}
		f := filepath.Join(dir, name)
		if err := samplefile.Write(f, x, d); err != nil {
			t.Fatal(err)
		}
		return f
	}
	png := filepath.Join(dir, "x.png")
	out := filepath.Join(dir, "x.csv")
	outs := []string{png, out}

	six := train("six.mmi", vectors("a6.npy", 6), vectors("b6.npy", 6))
	four := train("four.mmi", vectors("a4.npy", 4), vectors("b4.npy", 4))
	pix2 := train("pix2.mmi", "digits:3:2x1", "digits:5:2x1")
	for _, cmd := range [][]string{
		{"path", "--from", "0", "--to", "1"},
		{"transfer", "--from", "1", "--to", "2"},
		{"barycenter", "--weights", "0.5,0.5"},
	} {
		run := func(model string, extra ...string) []string {
			return append(append(append([]string{}, cmd...), "--model", model, "--n", "4", "--solver", "euler", "--steps", "2", "--out", out), extra...)
		}
		wantUsage(t, "give --shape WxH (W·H = 6)", outs, run(six, "--png", png)...)
		wantUsage(t, "--shape 2x2 has 4 pixels, but the samples have 6 values", outs, run(six, "--png", png, "--shape", "2x2")...)
		wantUsage(t, "want WxH", outs, run(six, "--png", png, "--shape", "3by2")...)
		wantUsage(t, "give --png too", outs, run(six, "--shape", "3x2")...)
		wantUsage(t, "2-pixel images", outs, run(pix2, "--png", png)...)
		for _, ok := range [][]string{run(six, "--png", png, "--shape", "3x2"), run(four, "--png", png)} {
			if code, _, stderr := mmi(t, ok...); code != 0 {
				t.Errorf("mmi %v: exit %d: %s", ok, code, stderr)
			}
			if _, err := os.Stat(png); err != nil {
				t.Errorf("mmi %v wrote no picture", ok)
			}
			os.Remove(png)
			os.Remove(out)
		}
	}
}

// TestBadWeightsAndMissingData: barycenter weights must sum to one, and a
// data set that is not installed is named with what provides it.
func TestBadWeightsAndMissingData(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.csv")
	wantUsage(t, "weights sum to 0.9, not 1", []string{out},
		"barycenter", "--model", mix3, "--weights", "0.5,0.2,0.2", "--out", out)
	wantUsage(t, "weights sum to 1.2", []string{out},
		"barycenter", "--model", mix3, "--weights", "0.6,0.3,0.3", "--out", out)

	t.Setenv("MMI_FASHION_DIR", t.TempDir())
	model := filepath.Join(dir, "m.mmi")
	wantUsage(t, "apt-get install dataset-fashion-mnist", []string{model},
		"train", "--data", "fashion:0,fashion:1", "--steps", "10", "--out", model)
	wantUsage(t, "dataset-fashion-mnist", []string{out}, "sample", "--data", "fashion:3:test", "--out", out)
	t.Setenv("MMI_MNIST_DIR", t.TempDir())
	wantUsage(t, "MMI_MNIST_DIR", []string{model}, "train", "--data", "mnist:0,mnist:1", "--steps", "10", "--out", model)
}

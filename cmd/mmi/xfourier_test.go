package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mmi-go/mmi/gk"
)

// TestTrainXFourier: mmi train --x-fourier M:σ records the features of x
// in the checkpoint (format version 6, read back by gk.Load), --resume
// continues it with the same value and refuses another; a malformed value
// and the U-Net are refused with one line, exit 2; without the flag the
// checkpoint stays version 2.
func TestTrainXFourier(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "xf.mmi")
	args := []string{"train", "--data", "moons,circles", "--x-fourier", "16:3", "--steps", "20", "--batch", "32", "--hidden", "8", "--out", model}
	if code, _, stderr := mmi(t, args...); code != 0 {
		t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
	}
	m, err := gk.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Config().XFeatures; got != (gk.XFeatures{Frequencies: 16, Scale: 3}) {
		t.Errorf("recorded features of x %+v, want 16:3", got)
	}
	version := func(path string) byte {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data[len("mmi-checkpoint")+2+4] // last byte of the big-endian version
	}
	if v := version(model); v != 6 {
		t.Errorf("format version %d, want 6", v)
	}
	if code, _, stderr := mmi(t, "train", "--resume", model, "--x-fourier", "16:3", "--steps", "30"); code != 0 {
		t.Errorf("resume with the same --x-fourier: exit %d: %s", code, stderr)
	}
	wantUsage(t, "--x-fourier 16:3", nil, "train", "--resume", model, "--x-fourier", "16:1", "--steps", "40")
	wantUsage(t, "--x-fourier 16:3", nil, "train", "--resume", model, "--x-fourier", "off", "--steps", "40")
	out := filepath.Join(dir, "x.mmi")
	for _, bad := range []string{"16", "0:3", "16:0", "16:-1", "a:b"} {
		wantUsage(t, "--x-fourier", []string{out}, "train", "--x-fourier", bad, "--steps", "5", "--out", out)
	}
	wantUsage(t, "MLP only", []string{out}, "train", "--net", "unet", "--x-fourier", "8:1", "--steps", "5", "--out", out)
	plain := filepath.Join(dir, "plain.mmi")
	if code, _, stderr := mmi(t, "train", "--data", "moons", "--x-fourier", "off", "--steps", "5", "--batch", "8", "--hidden", "4", "--out", plain); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if v := version(plain); v != 2 {
		t.Errorf("a model with --x-fourier off is written as version %d, want 2", v)
	}
	// The default: 32:1 for vector data, none for images.
	for _, c := range []struct {
		data string
		want gk.XFeatures
	}{{"moons", gk.XFeatures{Frequencies: 32, Scale: 1}}, {"digits:0,digits:1", gk.XFeatures{}}} {
		out := filepath.Join(dir, "default.mmi")
		if code, _, stderr := mmi(t, "train", "--data", c.data, "--net", "mlp", "--steps", "5", "--batch", "8", "--hidden", "4", "--out", out, "--force"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		m, err := gk.Load(out)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Config().XFeatures; got != c.want {
			t.Errorf("--data %s without --x-fourier: features %+v, want %+v", c.data, got, c.want)
		}
	}
	// The U-Net takes none and is not refused for the default.
	unet := filepath.Join(dir, "unet.mmi")
	if code, _, stderr := mmi(t, "train", "--data", "digits:0,digits:1", "--net", "unet", "--widths", "4,4", "--steps", "2", "--batch", "4", "--out", unet); code != 0 {
		t.Errorf("U-Net without --x-fourier: exit %d: %s", code, stderr)
	}
}

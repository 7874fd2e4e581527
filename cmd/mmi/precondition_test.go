package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mmi-go/mmi/gk"
)

// TestTrainPrecondition: mmi train --precondition records the
// preconditioning with the fitted means and scales (format version 7,
// read back by gk.Load; the Gaussian's m_0 = 0, s_0 = 1), --resume
// continues it with or without the flag and refuses to turn it off; the
// U-Net is refused with one line, exit 2.
func TestTrainPrecondition(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "pre.mmi")
	args := []string{"train", "--data", "moons,circles", "--precondition", "--steps", "20", "--batch", "32", "--hidden", "8", "--out", model}
	if code, _, stderr := mmi(t, args...); code != 0 {
		t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
	}
	m, err := gk.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	p := m.Config().Precondition
	if !p.On || len(p.Scales) != 3 || len(p.Means) != 6 || p.Scales[0] != 1 || p.Means[0] != 0 || !(p.Scales[1] > 0.1 && p.Scales[2] > 0.1) {
		t.Errorf("recorded preconditioning %+v", p)
	}
	data, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	if v := data[len("mmi-checkpoint")+2+4]; v != 7 {
		t.Errorf("format version %d, want 7", v)
	}
	if code, _, stderr := mmi(t, "train", "--resume", model, "--steps", "30"); code != 0 {
		t.Errorf("resume: exit %d: %s", code, stderr)
	}
	if code, _, stderr := mmi(t, "train", "--resume", model, "--precondition", "--steps", "40"); code != 0 {
		t.Errorf("resume with --precondition: exit %d: %s", code, stderr)
	}
	if m, err := gk.Load(model); err != nil || !m.Config().Precondition.On {
		t.Errorf("resumed model lost the preconditioning (%v)", err)
	}
	wantUsage(t, "--precondition", nil, "train", "--resume", model, "--precondition=false", "--steps", "50")
	out := filepath.Join(dir, "u.mmi")
	wantUsage(t, "MLP only", []string{out}, "train", "--net", "unet", "--precondition", "--steps", "5", "--out", out)
}

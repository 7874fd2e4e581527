package main

import (
	"path/filepath"
	"testing"

	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/nn"
)

// TestTrainActivation: mmi train's MLP is SiLU on vector data unless
// --activation says tanh, and tanh on image data (where it was measured)
// unless --activation says silu; the checkpoint records it, --resume
// keeps it and refuses another, and a bad value or --activation with the
// U-Net is one line, exit 2.
func TestTrainActivation(t *testing.T) {
	dir := t.TempDir()
	train := func(name string, args ...string) nn.Activation {
		t.Helper()
		return trainSmall(t, filepath.Join(dir, name), args...).Config().Activation
	}
	for _, c := range []struct {
		name string
		args []string
		want nn.Activation
	}{
		{"vec.mmi", []string{"--data", "moons,circles"}, nn.SiLU},
		{"vec-tanh.mmi", []string{"--data", "moons,circles", "--activation", "tanh"}, nn.Tanh},
		{"img.mmi", []string{"--data", "digits:0,digits:1", "--net", "mlp"}, nn.Tanh},
		{"img-silu.mmi", []string{"--data", "digits:0,digits:1", "--net", "mlp", "--activation", "silu"}, nn.SiLU},
	} {
		if got := train(c.name, c.args...); got != c.want {
			t.Errorf("%v: activation %v, want %v", c.args, got, c.want)
		}
	}
	model := filepath.Join(dir, "vec-tanh.mmi")
	if code, _, stderr := mmi(t, "train", "--resume", model, "--activation", "tanh", "--steps", "8"); code != 0 {
		t.Errorf("resume with the same --activation: exit %d: %s", code, stderr)
	}
	wantUsage(t, "--activation tanh", nil, "train", "--resume", model, "--activation", "silu", "--steps", "10")
	out := filepath.Join(dir, "x.mmi")
	wantUsage(t, "--activation", []string{out}, "train", "--data", "moons", "--activation", "relu", "--steps", "5", "--out", out)
	wantUsage(t, "MLP's", []string{out}, "train", "--data", "digits:0,digits:1", "--activation", "silu", "--steps", "5", "--out", out)
}

// trainSmall runs mmi train with args for 5 steps of a network of width 4
// into out and loads the model.
func trainSmall(t *testing.T, out string, args ...string) *gk.Model {
	t.Helper()
	args = append([]string{"train", "--steps", "5", "--batch", "8", "--hidden", "4", "--out", out}, args...)
	if code, _, stderr := mmi(t, args...); code != 0 {
		t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
	}
	m, err := gk.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/gk"
)

// TestTrainResumePath trains a tiny model, resumes it, and runs a path on
// the checkpoint: the whole command-line round trip.
func TestTrainResumePath(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "m.mmi")
	train := []string{"train", "--data", "moons,circles", "--steps", "40", "--batch", "64", "--hidden", "16", "--layers", "2", "--out", ckpt}
	if code, _, stderr := mmi(t, train...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	m, err := gk.Load(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	if k1, d := m.Sizes(); k1 != 3 || d != 2 {
		t.Fatalf("model sizes %d, %d; want 3 marginals in 2-D", k1, d)
	}
	if got := m.Specs(); strings.Join(got, ",") != "moons,circles" {
		t.Errorf("recorded marginals %q", got)
	}

	// The same seed must give the same model through train and resume:
	// a second 40-step run resumed to 80 steps generates the same samples,
	// bit for bit, as the first. That alone would pass a resume that did
	// nothing, so the resumed checkpoint must also be at step 80 and
	// differ from the one it continued. (TestKillDuringTraining checks
	// that a resumed run equals an uninterrupted one, byte for byte.)
	before, _ := os.ReadFile(ckpt)
	if code, _, stderr := mmi(t, "train", "--resume", ckpt, "--steps", "80"); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if after, _ := os.ReadFile(ckpt); string(after) == string(before) {
		t.Error("resuming to 80 steps left the checkpoint as it was")
	}
	if s := stepOf(t, ckpt); s != 80 {
		t.Errorf("resumed checkpoint at step %d, want 80", s)
	}
	again := filepath.Join(dir, "again.mmi")
	args := append([]string(nil), train...)
	args[len(args)-1] = again
	if code, _, stderr := mmi(t, args...); code != 0 {
		t.Fatalf("train again: exit %d: %s", code, stderr)
	}
	if code, _, stderr := mmi(t, "train", "--resume", again, "--steps", "80"); code != 0 {
		t.Fatalf("resume again: exit %d: %s", code, stderr)
	}
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	for _, c := range [][]string{{ckpt, a}, {again, b}} {
		code, stdout, stderr := mmi(t, "path", "--model", c[0], "--from", "0", "--to", "2", "--n", "50", "--solver", "rk4", "--steps", "10", "--out", c[1], "--json")
		if code != 0 {
			t.Fatalf("path: exit %d: %s", code, stderr)
		}
		var sum map[string]float64
		if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum["nfe"] != 40 {
			t.Errorf("path summary %q: want nfe 40 for rk4 with 10 steps", stdout)
		}
	}
	ra, _ := os.ReadFile(a)
	rb, _ := os.ReadFile(b)
	if len(ra) == 0 || string(ra) != string(rb) {
		t.Errorf("two runs with the same seed generate different samples")
	}
	if m2, err := gk.Load(ckpt); err != nil {
		t.Fatal(err)
	} else if m2 == nil {
		t.Fatal("nil model")
	}

	for _, bad := range [][]string{
		{"train", "--data", "moons", "--steps", "0"},
		{"train", "--data", "nosuchset"},
		{"train", "--resume", filepath.Join(dir, "missing.mmi")},
		{"train", "--resume", ckpt, "--data", "moons"},
	} {
		if code, _, stderr := mmi(t, bad...); code != 2 {
			t.Errorf("mmi %v: exit %d, want 2 (%s)", bad, code, stderr)
		}
	}
}

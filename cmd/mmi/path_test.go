package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/samplefile"
)

// TestPathOracle runs mmi path on the exact oracle of examples/mix3.json and
// compares the end samples with exact samples of the target marginal.
func TestPathOracle(t *testing.T) {
	mix, err := datasets.ReadSpec(mix3)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	const n = 1500
	for _, tc := range []struct {
		name string
		args []string
		to   int
	}{
		{"noise to 2", []string{"--from", "0", "--to", "2"}, 2},
		{"1 to 3 via 2, rk4", []string{"--from", "1", "--to", "3", "--via", "2", "--solver", "rk4", "--steps", "40"}, 3},
		{"noise to 1, sde", []string{"--from", "0", "--to", "1", "--sde", "--steps", "200"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out.npy")
			args := append([]string{"path", "--model", mix3, "--n", "1500", "--out", out, "--json"}, tc.args...)
			code, stdout, stderr := mmi(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var sum map[string]float64
			if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum["nfe"] <= 0 {
				t.Fatalf("summary %q: %v", stdout, err)
			}
			x, d, err := samplefile.Read(out)
			if err != nil || d != 2 || len(x) != n*2 {
				t.Fatalf("read: %d numbers, d %d, %v", len(x), d, err)
			}
			r := rand.New(rand.NewPCG(7, 7))
			truth := make([]float64, n*2)
			other := make([]float64, n*2)
			mix[tc.to-1].Sample(truth, r)
			mix[tc.to-1].Sample(other, r)
			// Reference level: the energy distance between two exact sample
			// sets of this size (mean 0, spread ≈ 0.003 here). A flow that
			// ends at the wrong marginal is ≥ 1 away; a solver or sign error
			// that distorts the law by a few percent gives ≥ 0.02.
			got, ref := metrics.Energy(x, truth, 2), metrics.Energy(other, truth, 2)
			t.Logf("energy distance to exact samples %.4f, two exact sets %.4f", got, ref)
			if got > 0.015 {
				t.Errorf("energy distance to exact samples %.4f, two exact sets %.4f", got, ref)
			}
		})
	}
}

func TestPathBadInput(t *testing.T) {
	dir := t.TempDir()
	three := filepath.Join(dir, "three.csv")
	os.WriteFile(three, []byte("1,2,3\n4,5,6\n"), 0o644)
	notModel := filepath.Join(dir, "model.mmi")
	os.WriteFile(notModel, []byte("hello, I am not a model\n"), 0o644)
	for _, args := range [][]string{
		{"--from", "0", "--to", "4"},
		{"--from", "-1", "--to", "1"},
		{"--from", "1", "--to", "1"},
		{"--via", "x"},
		{"--solver", "leapfrog"},
		{"--steps", "0", "--solver", "rk4"},
		{"--n", "0"},
		{"--in", three, "--from", "1"},
		{"--in", filepath.Join(dir, "missing.csv")},
		{"--loglik", "--from", "1", "--to", "2"},
		{"--path", filepath.Join(dir, "missing.json")},
	} {
		code, _, stderr := mmi(t, append([]string{"path", "--model", mix3}, args...)...)
		if code != 2 {
			t.Errorf("mmi path %v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
	if code, _, stderr := mmi(t, "path", "--model", notModel); code != 2 {
		t.Errorf("a file that is not a model: exit %d, want 2 (%s)", code, stderr)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
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
		// Any path is exact under the oracle, so a detour must end on the
		// same law as the edge: a waypoint off the simplex, or a route
		// that ends elsewhere, fails here.
		{"noise to 3, detour", []string{"--from", "0", "--to", "3", "--detour", "0.4"}, 3},
		{"2 to 1, detour", []string{"--from", "2", "--to", "1", "--detour", "0.3"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out.npy")
			args := append([]string{"path", "--model", mix3, "--n", "1500", "--out", out, "--force", "--json"}, tc.args...)
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
			// ends at the wrong marginal is ≥ 1 away, but this limit passes
			// a target scaled by up to 20 %: it guards the shape and the
			// command's plumbing; TestPathOracleMoments, with limits
			// derived from wrong variants, guards the law's scale.
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
		{"--shard", "2/2"},
		{"--shard", "1"},
		{"--shard", "1/2", "--n", "1000"}, // one chunk, two shards
		{"--detour", "0"},
		{"--detour", "1"},
		{"--detour", "-0.2"},
		{"--detour", "0.2", "--via", "2"},
		{"--detour", "0.2", "--path", filepath.Join(dir, "missing.json")},
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

// shardsIdentical runs args once whole and as n shards (CSV out) and
// checks that the shard files, concatenated, are byte-identical to the
// whole run's file: what `cat shard-*.csv > all.csv` relies on.
func shardsIdentical(t *testing.T, n int, args ...string) {
	t.Helper()
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.csv")
	if code, _, stderr := mmi(t, append(args, "--out", whole)...); code != 0 {
		t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
	}
	var cat []byte
	for i := 0; i < n; i++ {
		part := filepath.Join(dir, fmt.Sprintf("part%d.csv", i))
		a := append(append([]string(nil), args...), "--out", part, "--shard", fmt.Sprintf("%d/%d", i, n))
		if code, _, stderr := mmi(t, a...); code != 0 {
			t.Fatalf("mmi %v: exit %d: %s", a, code, stderr)
		}
		b, err := os.ReadFile(part)
		if err != nil {
			t.Fatal(err)
		}
		cat = append(cat, b...)
	}
	w, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	if len(w) == 0 || !bytes.Equal(w, cat) {
		t.Errorf("mmi %v: %d shards concatenated (%d bytes) differ from the whole run (%d bytes)", args, n, len(cat), len(w))
	}
}

func TestShardsByteIdentical(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if code, _, stderr := mmi(t, "sample", "--data", mix3, "--k", "1", "--n", "2100", "--seed", "3", "--out", in); code != 0 {
		t.Fatalf("sample: %s", stderr)
	}
	shardsIdentical(t, 3, "sample", "--data", mix3, "--k", "2", "--n", "3000", "--seed", "2")
	shardsIdentical(t, 3, "path", "--model", mix3, "--from", "0", "--to", "2", "--n", "2500")
	shardsIdentical(t, 2, "path", "--model", mix3, "--from", "0", "--to", "1", "--n", "2100", "--sde", "--steps", "20")
	shardsIdentical(t, 2, "path", "--model", mix3, "--from", "1", "--to", "3", "--in", in, "--solver", "rk4", "--steps", "10")
}

// TestShardsNPYCat: .npy shards merged by mmi cat are byte-identical to
// the one-machine .npy output.
func TestShardsNPYCat(t *testing.T) {
	dir := t.TempDir()
	args := []string{"barycenter", "--model", mix3, "--weights", "0.2,0.3,0.5", "--n", "2100", "--coupled"}
	whole := filepath.Join(dir, "whole.npy")
	if code, _, stderr := mmi(t, append(args, "--out", whole)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	catArgs := []string{"cat", "--out", filepath.Join(dir, "merged.npy")}
	for i := 0; i < 3; i++ {
		part := filepath.Join(dir, fmt.Sprintf("part%d.npy", i))
		if code, _, stderr := mmi(t, append(args, "--out", part, "--shard", fmt.Sprintf("%d/3", i))...); code != 0 {
			t.Fatalf("shard %d: exit %d: %s", i, code, stderr)
		}
		catArgs = append(catArgs, part)
	}
	if code, _, stderr := mmi(t, catArgs...); code != 0 {
		t.Fatalf("cat: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(whole)
	b, _ := os.ReadFile(filepath.Join(dir, "merged.npy"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("merged shards (%d bytes) differ from the whole run (%d bytes)", len(b), len(a))
	}
	three := filepath.Join(dir, "three.csv")
	os.WriteFile(three, []byte("1,2,3\n"), 0o644)
	for _, bad := range [][]string{
		{"cat", "--out", filepath.Join(dir, "x.npy")},
		{"cat", whole},
		{"cat", "--out", filepath.Join(dir, "x.npy"), whole, three},
		{"cat", "--out", filepath.Join(dir, "x.txt"), whole},
	} {
		if code, _, stderr := mmi(t, bad...); code != 2 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("mmi %v: exit %d, %q; want 2 and one line", bad, code, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "x.npy")); err == nil {
			t.Errorf("mmi %v wrote x.npy", bad)
		}
	}
}

// TestTrajectoriesInDataUnits: the trajectories drawn by --png are in the
// data's units like the samples: on a trained model (whose normalization
// is not the identity, unlike an oracle's) each recorded trajectory
// starts at its row's start and ends at its row's end point.
func TestTrajectoriesInDataUnits(t *testing.T) {
	ckpt := filepath.Join(t.TempDir(), "m.mmi")
	if code, _, stderr := mmi(t, tinyTrain(ckpt, 5)...); code != 0 {
		t.Fatal(stderr)
	}
	gen, err := loadModel(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	if n := gen.Normalization(); n.Scale == 1 || n.Scale == 0 {
		t.Fatalf("normalization %+v: the test needs one that is not the identity", n)
	}
	p, err := generate.Polyline(3, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := generate.Settings{Solver: "rk4", Steps: 4}.Options()
	if err != nil {
		t.Fatal(err)
	}
	res, err := gen.Run(context.Background(), generate.Job{Path: p, N: 40, Seed: 2, Options: opts, TrajectoryRows: 5})
	if err != nil {
		t.Fatal(err)
	}
	tr := res.Trajectory
	if tr == nil || len(tr.X) != 5 {
		t.Fatalf("trajectory %+v, want 5 times (4 steps)", tr)
	}
	const d = 2
	for j, row := range tr.Rows {
		for c := 0; c < d; c++ {
			first, last := tr.X[0][j*d+c], tr.X[len(tr.X)-1][j*d+c]
			if s := res.Start[row*d+c]; math.Abs(first-s) > 1e-12*(1+math.Abs(s)) {
				t.Errorf("row %d: trajectory starts at %g, the row at %g", row, first, s)
			}
			if e := res.X[row*d+c]; math.Abs(last-e) > 1e-12*(1+math.Abs(e)) {
				t.Errorf("row %d: trajectory ends at %g, the row at %g", row, last, e)
			}
		}
	}
}

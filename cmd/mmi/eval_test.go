package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// mmi eval --model --spec: a specification measured against itself
// scores 0 everywhere; a checkpoint of a quick training scores well below
// the mean predictor (1); bad input exits 2 with one line.
func TestEvalOracleReport(t *testing.T) {
	code, stdout, stderr := mmi(t, "eval", "--model", mix3, "--spec", mix3, "--json", "--n", "100")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Regions []struct {
			Region string  `json:"region"`
			RelErr float64 `json:"rel_err"`
		} `json:"regions"`
		Identity, Worst float64
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--json printed %q: %v", stdout, err)
	}
	if len(rep.Regions) != 8 || rep.Worst != 0 || rep.Identity > 1e-14 {
		t.Errorf("oracle against itself: %d regions, worst %g, identity %g; want 8, 0, 0", len(rep.Regions), rep.Worst, rep.Identity)
	}

	dir := t.TempDir()
	model := filepath.Join(dir, "m.mmi")
	if code, _, stderr := mmi(t, "train", "--data", mix3, "--steps", "1000", "--batch", "256", "--hidden", "64", "--out", model); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	code, stdout, stderr = mmi(t, "eval", "--model", model, "--spec", mix3, "--n", "200")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "data-data edges") || !strings.Contains(stdout, "near vertex 3") {
		t.Errorf("report lacks regions:\n%s", stdout)
	}
	// Each region's line ends with its error split by head (K + 1 = 4
	// numbers), which sum to the region's mean up to the printed rounding
	// (5 numbers of 4 decimals: 3e-4).
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Fields(line)
		if !strings.HasPrefix(line, "near vertex") {
			continue
		}
		if len(f) != 11 {
			t.Errorf("region line %q: %d fields, want name (3), alphas, mean, worst, identity and 4 heads", line, len(f))
			continue
		}
		mean, _ := strconv.ParseFloat(f[4], 64)
		sum := 0.0
		for _, h := range f[7:] {
			v, err := strconv.ParseFloat(h, 64)
			if err != nil {
				t.Fatalf("region line %q: head %q: %v", line, h, err)
			}
			sum += v
		}
		if math.Abs(sum-mean) > 3e-4 {
			t.Errorf("region line %q: heads sum to %.4f, mean %.4f", line, sum, mean)
		}
	}
	_, stdout, _ = mmi(t, "eval", "--model", model, "--spec", mix3, "--n", "200", "--json")
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	// 1000 steps of a 3×64 network: measured worst region 0.26; the
	// data-space oracle or a wrong spec scores several units.
	if !(rep.Worst > 0 && rep.Worst < 1) {
		t.Errorf("quick model: worst region %g, want in (0, 1)\n%s", rep.Worst, stdout)
	}

	two := filepath.Join(dir, "two.json")
	os.WriteFile(two, []byte(`{"dim": 2, "marginals": [
  {"weights": [1], "means": [[0, 0]], "covs": [[[1, 0], [0, 1]]]},
  {"weights": [1], "means": [[1, 0]], "covs": [[[1, 0], [0, 1]]]}]}`), 0o644)
	three := filepath.Join(dir, "three.json")
	os.WriteFile(three, []byte(`{"dim": 3, "marginals": [
  {"weights": [1], "means": [[0, 0, 0]], "covs": [[[1, 0, 0], [0, 1, 0], [0, 0, 1]]]},
  {"weights": [1], "means": [[0, 0, 0]], "covs": [[[1, 0, 0], [0, 1, 0], [0, 0, 1]]]},
  {"weights": [1], "means": [[1, 0, 0]], "covs": [[[1, 0, 0], [0, 1, 0], [0, 0, 1]]]}]}`), 0o644)
	for _, args := range [][]string{
		{"eval", "--model", model, "--spec", two},
		{"eval", "--model", model, "--spec", three},
		{"eval", "--model", model},
		{"eval", "--model", model, "--spec", mix3, "--a", "x.csv"},
		{"eval", "--model", filepath.Join(dir, "missing.mmi"), "--spec", mix3},
		{"eval", "--model", model, "--spec", mix3, "--n", "1"},
	} {
		code, stdout, stderr := mmi(t, args...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 {
			t.Errorf("mmi %v: exit %d, stdout %q, stderr %q; want 2, nothing, one line", args, code, stdout, stderr)
		}
	}
}

// mmi eval --a --source: two translations, affine copies of their own
// sources and orthogonal (after centring) to the other one, keep their
// sources exactly (own 1, other 0); rows that do not match one to one, or
// --source beside another measure, exit 2 with one line.
func TestEvalSource(t *testing.T) {
	dir := t.TempDir()
	src, out, short := filepath.Join(dir, "src.csv"), filepath.Join(dir, "out.csv"), filepath.Join(dir, "short.csv")
	os.WriteFile(src, []byte("1,2,3\n1,0,1\n"), 0o644)
	os.WriteFile(out, []byte("2,4,6\n5,-1,5\n"), 0o644)
	os.WriteFile(short, []byte("1,2,3\n"), 0o644)
	code, stdout, stderr := mmi(t, "eval", "--a", out, "--source", src, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var tie struct{ Own, Other float64 }
	if err := json.Unmarshal([]byte(stdout), &tie); err != nil {
		t.Fatalf("--json printed %q: %v", stdout, err)
	}
	if math.Abs(tie.Own-1) > 1e-12 || math.Abs(tie.Other) > 1e-12 {
		t.Errorf("got own %v, other %v; want 1 and 0", tie.Own, tie.Other)
	}
	if _, stdout, _ := mmi(t, "eval", "--a", out, "--source", src); !strings.Contains(stdout, "own source 1.0000") {
		t.Errorf("text output %q", stdout)
	}
	for _, args := range [][]string{
		{"eval", "--a", out, "--source", short},
		{"eval", "--a", short, "--source", short},
		{"eval", "--a", out, "--source", src, "--b", src},
		{"eval", "--a", out, "--source", src, "--class", "mnist:3"},
		{"eval", "--source", src},
		{"eval", "--a", out, "--source", filepath.Join(dir, "missing.csv")},
	} {
		code, stdout, stderr := mmi(t, args...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 {
			t.Errorf("mmi %v: exit %d, stdout %q, stderr %q; want 2, nothing, one line", args, code, stdout, stderr)
		}
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
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

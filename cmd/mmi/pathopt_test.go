package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mmi pathopt on the exact oracle: the JSON summary, the saved path (which
// mmi path then runs) and the picture.
func TestPathoptOracle(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "p.json")
	png := filepath.Join(dir, "p.png")
	code, stdout, stderr := mmi(t, "pathopt", "--model", mix3, "--from", "0", "--to", "3", "--n", "256",
		"--iters", "20", "--out", out, "--png", png, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("summary %q: %v", stdout, err)
	}
	for _, key := range []string{"cost_straight", "cost_optimized", "stderr", "iters", "seconds"} {
		if _, ok := sum[key]; !ok {
			t.Errorf("summary has no %q: %s", key, stdout)
		}
	}
	cs, co := sum["cost_straight"].(float64), sum["cost_optimized"].(float64)
	if !(co <= cs) || !(co > 0) {
		t.Errorf("cost straight %v, optimized %v", cs, co)
	}
	if !strings.Contains(stderr, "iteration 1 ") {
		t.Errorf("no progress on stderr: %q", stderr)
	}
	for _, f := range []string{out, png} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if code, _, stderr := mmi(t, "path", "--model", mix3, "--path", out, "--n", "100", "--solver", "euler", "--steps", "8"); code != 0 {
		t.Errorf("mmi path --path %s: exit %d: %s", out, code, stderr)
	}
}

func TestPathoptAll(t *testing.T) {
	dir := t.TempDir()
	paths := filepath.Join(dir, "paths")
	code, stdout, stderr := mmi(t, "pathopt", "--model", mix3, "--all", "--n", "128", "--iters", "5", "--modes", "2", "--out", paths, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sums []map[string]any
	if err := json.Unmarshal([]byte(stdout), &sums); err != nil || len(sums) != 6 {
		t.Fatalf("want 6 pairs of 4 marginals, got %q: %v", stdout, err)
	}
	files, _ := filepath.Glob(filepath.Join(paths, "*.json"))
	if len(files) != 6 {
		t.Errorf("%d path files, want 6", len(files))
	}
	// The table form.
	code, stdout, stderr = mmi(t, "pathopt", "--model", mix3, "--all", "--n", "64", "--iters", "2", "--modes", "1")
	if code != 0 || strings.Count(stdout, "\n") < 7 {
		t.Errorf("exit %d, table %q (%s)", code, stdout, stderr)
	}
}

// Bad input: one line on stderr, exit status 2, nothing written.
func TestPathoptBadInput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "p.json")
	png := filepath.Join(dir, "p.png")
	for _, args := range [][]string{
		{"--from", "1", "--to", "1"},
		{"--from", "0", "--to", "4"},
		{"--from", "-1", "--to", "2"},
		{"--via", "x"},
		{"--via", "1", "--from", "1", "--to", "2"},
		{"--modes", "0"},
		{"--iters", "0"},
		{"--iters", "-3"},
		{"--n", "0"},
		{"--nodes", "0"},
		{"--all", "--via", "2"},
		{"--out", filepath.Join(dir, "p.csv")},
		{"--png", filepath.Join(dir, "p.jpg")},
		{"--model", filepath.Join(dir, "missing.mmi")},
	} {
		args = append([]string{"pathopt", "--model", mix3, "--n", "32", "--out", out, "--png", png}, args...)
		code, _, stderr := mmi(t, args...)
		if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("mmi %v: exit %d, want 2 with one line (%q)", args, code, stderr)
		}
		for _, f := range []string{out, png} {
			if _, err := os.Stat(f); err == nil {
				t.Fatalf("mmi %v wrote %s", args, f)
			}
		}
	}
	// Malformed path files, or ones off the simplex, for mmi path --path.
	for name, body := range map[string]string{
		"truncated":   `{"kind": "sine", "points": [[1,0,0,0],`,
		"off simplex": `{"kind": "sine", "points": [[1.2,-0.2,0,0],[0,1,0,0]], "modes": 0, "coef": []}`,
		"not tangent": `{"kind": "sine", "points": [[1,0,0,0],[0,1,0,0]], "modes": 1, "coef": [[0,0,0,1]]}`,
	} {
		bad := filepath.Join(dir, "bad.json")
		os.WriteFile(bad, []byte(body), 0o644)
		x := filepath.Join(dir, "x.csv")
		code, _, stderr := mmi(t, "path", "--model", mix3, "--path", bad, "--out", x)
		if code != 2 {
			t.Errorf("%s path file: exit %d, want 2 (%s)", name, code, stderr)
		}
		if _, err := os.Stat(x); err == nil {
			t.Errorf("%s path file: samples written", name)
		}
	}
}

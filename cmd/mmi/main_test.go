package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/samplefile"
)

// mmi runs the command in-process and returns its exit status, stdout and
// stderr.
func mmi(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

const mix3 = "../../examples/mix3.json"

func TestSampleAndEval(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.csv")
	b := filepath.Join(dir, "b.npy")
	c := filepath.Join(dir, "c.csv")
	for _, args := range [][]string{
		{"sample", "--data", mix3, "--k", "2", "--n", "2000", "--seed", "1", "--out", a},
		{"sample", "--data", mix3, "--k", "2", "--n", "2000", "--seed", "2", "--out", b},
		{"sample", "--data", mix3, "--k", "3", "--n", "2000", "--seed", "3", "--out", c},
	} {
		if code, _, stderr := mmi(t, args...); code != 0 {
			t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
		}
	}
	x, d, err := samplefile.Read(b)
	if err != nil || d != 2 || len(x) != 4000 {
		t.Fatalf("read %s: %d numbers of dimension %d, err %v", b, len(x), d, err)
	}
	// Marginal 2 of mix3.json has all its mass near x₁ = 3 (component
	// means 3, sd ≤ 0.45): a mean far from 3 means the wrong marginal.
	var m float64
	for i := 0; i < len(x); i += 2 {
		m += x[i]
	}
	if m /= 2000; m < 2.9 || m > 3.1 {
		t.Errorf("mean of x₁ for marginal 2 = %.3f, want 3 ± 0.1 (4 standard errors)", m)
	}

	eval := func(p, q string) map[string]float64 {
		code, stdout, stderr := mmi(t, "eval", "--a", p, "--b", q, "--json")
		if code != 0 {
			t.Fatalf("eval: exit %d: %s", code, stderr)
		}
		var rep map[string]float64
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("eval --json printed %q: %v", stdout, err)
		}
		for _, k := range []string{"energy", "mmd", "sliced_w2"} {
			if _, ok := rep[k]; !ok {
				t.Fatalf("eval --json lacks %q: %s", k, stdout)
			}
		}
		return rep
	}
	same, diff := eval(a, b), eval(a, c)
	// Two independent samples of one law: the unbiased energy distance
	// has mean 0 and standard error ≈ 0.01 at n = 2000 for sets of this
	// scale; marginals 2 and 3 are ≥ 4 apart, so their distance is > 1.
	if same["energy"] > 0.05 || diff["energy"] < 1 {
		t.Errorf("energy: same law %.4f (want < 0.05), different laws %.4f (want > 1)", same["energy"], diff["energy"])
	}
}

func TestSampleSeedReproducible(t *testing.T) {
	run := func(seed string) string {
		code, stdout, stderr := mmi(t, "sample", "--data", "moons", "--k", "1", "--n", "5", "--seed", seed)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		return stdout
	}
	if a, b := run("4"), run("4"); a != b {
		t.Errorf("same seed, different samples:\n%s\n%s", a, b)
	}
	if a, b := run("4"), run("5"); a == b {
		t.Errorf("different seeds, same samples")
	}
}

func TestBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	ragged := filepath.Join(dir, "ragged.csv")
	os.WriteFile(ragged, []byte("1,2\n3\n"), 0o644)
	nan := filepath.Join(dir, "nan.csv")
	os.WriteFile(nan, []byte("1,2\nNaN,3\n"), 0o644)
	badSpec := filepath.Join(dir, "bad.json")
	os.WriteFile(badSpec, []byte(`{"dim": 2, "marginals": [{"weights": [1], "means": [[0]], "covs": [[[1,0],[0,1]]]}]}`), 0o644)
	three := filepath.Join(dir, "three.csv")
	os.WriteFile(three, []byte("1,2,3\n4,5,6\n"), 0o644)

	for _, tc := range []struct {
		args []string
		want string // a piece of the one-line message
	}{
		{[]string{"sample", "--data", "nosuchset"}, "known: 8gaussians"},
		{[]string{"sample", "--data", "moons", "--k", "2"}, "out of range"},
		{[]string{"sample", "--data", "moons", "--k", "-1"}, "out of range"},
		{[]string{"sample", "--data", "moons", "--n", "0"}, "--n must be positive"},
		{[]string{"sample", "--data", "mnist:11"}, "mnist"},
		{[]string{"sample", "--data", ragged}, "ragged.csv"},
		{[]string{"sample", "--data", nan}, "nan.csv"},
		{[]string{"sample", "--data", badSpec}, "bad.json"},
		{[]string{"sample", "--data", "moons," + three}, "dimension"},
		{[]string{"sample", "--data", filepath.Join(dir, "missing.npy")}, "missing.npy"},
		{[]string{"sample", "--nosuchflag"}, "unknown flag"},
		{[]string{"sample", "--n", "many"}, "invalid argument"},
		{[]string{"sample", "extra"}, "no arguments"},
		{[]string{"eval", "--a", ragged}, "--b"},
		{[]string{"eval", "--a", ragged, "--b", nan}, "ragged.csv"},
		{[]string{"eval", "--a", three, "--b", mix3}, "extension"},
		{[]string{"nosuchcommand"}, "unknown command"},
	} {
		code, _, stderr := mmi(t, tc.args...)
		if code != 2 {
			t.Errorf("mmi %v: exit %d, want 2 (stderr %q)", tc.args, code, stderr)
			continue
		}
		if n := strings.Count(stderr, "\n"); n != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("mmi %v: stderr %q, want one line containing %q", tc.args, stderr, tc.want)
		}
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTransferAndBarycenterOracle runs the commands on the exact oracle of
// examples/mix3.json: their summaries report the energy distance to exact
// samples of the target (transfer) or of Σ w_k x_k (law barycenter), which
// must be at the level of two exact sets: their distance at n = 2000
// measured at most 0.0071 over 100 pairs per marginal of mix3.json.
func TestTransferAndBarycenterOracle(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"transfer", "--model", mix3, "--from", "1", "--to", "3", "--n", "2000", "--json"},
		{"transfer", "--model", mix3, "--from", "3", "--to", "2", "--via", "1", "--n", "2000", "--json", "--png", filepath.Join(dir, "t.png")},
		{"barycenter", "--model", mix3, "--weights", "0.5,0.25,0.25", "--n", "2000", "--json", "--png", filepath.Join(dir, "b.png")},
	} {
		code, stdout, stderr := mmi(t, args...)
		if code != 0 {
			t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
		}
		var sum map[string]any
		if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
			t.Fatalf("mmi %v printed %q: %v", args, stdout, err)
		}
		e, ok := sum["energy"].(float64)
		if !ok || e > 0.015 || sum["n"].(float64) != 2000 {
			t.Errorf("mmi %v: summary %s: want n 2000 and energy ≤ 0.015", args, stdout)
		}
	}
	for _, f := range []string{"t.png", "b.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 1000 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	code, stdout, stderr := mmi(t, "transfer", "--model", mix3, "--all", "--n", "300", "--png", filepath.Join(dir, "all.png"), "--json")
	if code != 0 {
		t.Fatalf("transfer --all: exit %d: %s", code, stderr)
	}
	var tab struct {
		Names  []string
		Energy [][]float64
	}
	if err := json.Unmarshal([]byte(stdout), &tab); err != nil || len(tab.Energy) != 3 || len(tab.Energy[2]) != 3 {
		t.Fatalf("transfer --all --json printed %q: %v", stdout, err)
	}
	code, stdout, _ = mmi(t, "transfer", "--model", mix3, "--all", "--n", "300")
	if code != 0 || !strings.Contains(stdout, "| 1 mix3.json[0] |") {
		t.Errorf("transfer --all table:\n%s", stdout)
	}
}

func TestTransferBarycenterShards(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if code, _, stderr := mmi(t, "sample", "--data", mix3, "--k", "1", "--n", "2100", "--out", in); code != 0 {
		t.Fatal(stderr)
	}
	shardsIdentical(t, 2, "transfer", "--model", mix3, "--from", "1", "--to", "2", "--n", "2100", "--eval-n", "0")
	shardsIdentical(t, 3, "transfer", "--model", mix3, "--from", "1", "--to", "3", "--in", in, "--eval-n", "0")
	shardsIdentical(t, 2, "barycenter", "--model", mix3, "--weights", "0.2,0.3,0.5", "--n", "2100", "--eval-n", "0")
	shardsIdentical(t, 2, "barycenter", "--model", mix3, "--weights", "0.2,0.3,0.5", "--n", "2100", "--coupled")
}

// Bad input: one line on stderr, exit status 2, and no file written.
func TestTransferBarycenterBadInput(t *testing.T) {
	dir := t.TempDir()
	three := filepath.Join(dir, "three.csv")
	os.WriteFile(three, []byte("1,2,3\n4,5,6\n"), 0o644)
	one := filepath.Join(dir, "one.json")
	os.WriteFile(one, []byte(`{"dim": 2, "marginals": [{"weights": [1], "means": [[0, 0]], "covs": [[[1, 0], [0, 1]]]}]}`), 0o644)
	out, png := filepath.Join(dir, "out.csv"), filepath.Join(dir, "out.png")
	w := []string{"--out", out, "--png", png}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"barycenter", "--weights", "0.5,0.6,0"}, "sum"},
		{[]string{"barycenter", "--weights", "0.5,0.5"}, "2 weights for 3"},
		{[]string{"barycenter", "--weights", "1.5,-0.5,0"}, "non-negative"},
		{[]string{"barycenter", "--weights", "a,b,c"}, "not a number"},
		{[]string{"barycenter"}, "--weights is required"},
		{[]string{"barycenter", "--weights", "1,0,0", "--shard", "1/2"}, "fewer than the 2 shards"},
		{[]string{"barycenter", "--weights", "1,0,0", "--shard", "x"}, "i/n"},
		{[]string{"transfer", "--from", "2", "--to", "2"}, "must differ"},
		{[]string{"transfer", "--from", "0", "--to", "2"}, "not a data marginal"},
		{[]string{"transfer", "--from", "1", "--to", "4"}, "not a data marginal"},
		{[]string{"transfer", "--from", "1", "--to", "2", "--in", three}, "dimension 3"},
		{[]string{"transfer", "--from", "1", "--to", "2", "--in", three, "--n", "5"}, "not both"},
		{[]string{"transfer", "--from", "1", "--to", "2", "--shard", "2/2"}, "0 ≤ i < n"},
		{[]string{"transfer", "--from", "1", "--to", "2", "--shard", "1/"}, "i/n"},
		{[]string{"transfer", "--from", "1", "--to", "2", "--via", "1"}, "stays at marginal 1"},
		{[]string{"transfer", "--from", "1", "--to", "2", "--out", filepath.Join(dir, "x.txt")}, ".csv or .npy"},
		{[]string{"transfer", "--all", "--from", "1"}, "not --from"},
	} {
		args := append(append(append([]string(nil), tc.args[0], "--model", mix3), w...), tc.args[1:]...)
		code, _, stderr := mmi(t, args...)
		if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("mmi %v: exit %d, stderr %q; want exit 2 and one line with %q", tc.args, code, stderr, tc.want)
		}
		for _, f := range []string{out, png, filepath.Join(dir, "x.txt")} {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("mmi %v wrote %s", tc.args, f)
				os.Remove(f)
			}
		}
	}
	code, _, stderr := mmi(t, "transfer", "--model", one, "--all", "--png", png)
	if code != 2 || !strings.Contains(stderr, "needs at least two") {
		t.Errorf("transfer --all with one data marginal: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(png); err == nil {
		t.Error("transfer --all with one data marginal wrote its picture")
	}
}

// transfer --sde is the stochastic generator along the route through the
// Gaussian: the same bytes as mmi path --sde on that polyline from the same
// rows, and it lands on the target (its energy distance to fresh target
// samples is at the floor, with the limit the probability flow meets
// above). Without --via 0 it is
// refused: ε = eps·α_0 vanishes between data marginals.
func TestTransferSDE(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.npy")
	if code, _, stderr := mmi(t, "sample", "--data", mix3, "--k", "3", "--n", "2000", "--seed", "5", "--out", src); code != 0 {
		t.Fatalf("sample: exit %d: %s", code, stderr)
	}
	a, b := filepath.Join(dir, "t.npy"), filepath.Join(dir, "p.npy")
	sde := []string{"--via", "0", "--sde", "--solver", "heun", "--steps", "40", "--seed", "3", "--in", src}
	code, stdout, stderr := mmi(t, append([]string{"transfer", "--model", mix3, "--from", "3", "--to", "1", "--json", "--out", a}, sde...)...)
	if code != 0 {
		t.Fatalf("transfer --sde: exit %d: %s", code, stderr)
	}
	if code, _, stderr := mmi(t, append([]string{"path", "--model", mix3, "--from", "3", "--to", "1", "--out", b}, sde...)...); code != 0 {
		t.Fatalf("path --sde: exit %d: %s", code, stderr)
	}
	if !bytes.Equal(readBytes(t, a), readBytes(t, b)) {
		t.Error("transfer --sde and path --sde on the same route and rows differ")
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if e, ok := sum["energy"].(float64); !ok || e > 0.015 {
		t.Errorf("transfer --sde 3 → 1: energy %v, want ≤ 0.015", sum["energy"])
	}
	code, _, stderr = mmi(t, "transfer", "--model", mix3, "--from", "3", "--to", "1", "--sde", "--in", src)
	if code != 2 || !strings.Contains(stderr, "--via 0") {
		t.Errorf("transfer --sde without --via 0: exit %d, %q; want 2 and a hint to --via 0", code, stderr)
	}
	// --all through the Gaussian: every pair lands on its target. 0.05 is
	// 2.5× the worst pair measured (3 → 1, 0.018 at n = 500 with 40 Heun
	// steps, the discretization of the SDE), and far below the energy
	// distance between two different marginals of mix3 (3.2–7.8).
	code, stdout, stderr = mmi(t, "transfer", "--model", mix3, "--all", "--n", "500", "--via", "0", "--sde", "--solver", "heun", "--steps", "40", "--json")
	if code != 0 {
		t.Fatalf("transfer --all --via 0 --sde: exit %d: %s", code, stderr)
	}
	var tab struct{ Energy [][]float64 }
	if err := json.Unmarshal([]byte(stdout), &tab); err != nil || len(tab.Energy) != 3 {
		t.Fatalf("transfer --all --json printed %q: %v", stdout, err)
	}
	for i, row := range tab.Energy {
		for j, e := range row {
			if i != j && e > 0.05 {
				t.Errorf("transfer --all --via 0 --sde %d → %d: energy %.4f, want ≤ 0.05", i+1, j+1, e)
			}
		}
	}
	if code, _, _ := mmi(t, "transfer", "--model", mix3, "--all", "--via", "1"); code != 2 {
		t.Errorf("transfer --all --via 1: exit %d, want 2", code)
	}
}

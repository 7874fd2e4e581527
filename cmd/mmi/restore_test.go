package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/samplefile"
)

// pairedDigits trains a tiny paired model on the UCI digits (low 4×4,
// lower half masked, full; built in) and returns its file.
func pairedDigits(t *testing.T, dir string) string {
	t.Helper()
	m := filepath.Join(dir, "digits-paired.mmi")
	code, _, stderr := mmi(t, "train", "--data", "digits:all:low4,digits:all:masklower,digits:all", "--coupling", "paired",
		"--steps", "60", "--batch", "64", "--hidden", "32", "--layers", "1", "--out", m)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	return m
}

// viewRows returns the rows of a view, in order.
func viewRows(t *testing.T, name string) []float64 {
	t.Helper()
	x, _, err := readInputRows(name, 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestTransferKeep: in-painting measures the change of the kept half
// exactly as the output file shows it, and with --hold the kept half of
// every output row is the input's, bit for bit, also on a route through
// the Gaussian under the SDE; the masked half moves.
func TestTransferKeep(t *testing.T) {
	dir := t.TempDir()
	m := pairedDigits(t, dir)
	in := viewRows(t, "digits:all:test:masklower")
	upper, _ := datasets.Upper.Pixels(datasets.ImageShape{Width: 8, Height: 8, Channels: 1})
	for _, c := range []struct {
		name string
		args []string
	}{
		{"measured", nil},
		{"held", []string{"--hold"}},
		{"held, SDE through the Gaussian", []string{"--hold", "--lift", "0.4", "--sde", "--copies", "2"}},
	} {
		out := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "")+".npy")
		args := append([]string{"transfer", "--model", m, "--from", "2", "--to", "3", "--in", "digits:all:test:masklower",
			"--truth", "digits:all:test", "--keep", "upper", "--solver", "heun", "--steps", "8", "--out", out, "--json"}, c.args...)
		code, stdout, stderr := mmi(t, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.name, code, stderr)
		}
		var sum map[string]float64
		if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
			t.Fatalf("%s: %v: %s", c.name, err, stdout)
		}
		x, _, err := samplefile.Read(out)
		if err != nil {
			t.Fatal(err)
		}
		copies := len(x) / len(in)
		mean, largest, moved := 0.0, 0.0, 0
		for i, v := range x {
			src := in[(i/64/copies)*64+i%64]
			if upper[i%64] {
				e := math.Abs(v - src)
				if i/64%copies == 0 {
					mean += e
				}
				largest = math.Max(largest, e)
			} else if v != src {
				moved++
			}
		}
		mean /= float64(len(in) / 2)
		if math.Abs(sum["kept_mean_change"]-mean) > 1e-12 || c.args == nil && sum["kept_max_change"] != largest {
			t.Errorf("%s: summary says kept change %v (largest %v), the file %v (%v)", c.name, sum["kept_mean_change"], sum["kept_max_change"], mean, largest)
		}
		if c.args != nil && largest != 0 {
			t.Errorf("%s: kept pixels changed by up to %v", c.name, largest)
		}
		if c.args == nil && largest == 0 {
			t.Errorf("%s: the model kept every pixel exactly; the measure cannot tell", c.name)
		}
		if moved < len(x)/4 {
			t.Errorf("%s: only %d masked pixels moved", c.name, moved)
		}
		if _, ok := sum["psnr"]; !ok {
			t.Errorf("%s: no PSNR in %v", c.name, sum)
		}
		if copies == 2 && !(sum["spread"] > 0) {
			t.Errorf("%s: spread %v of two SDE copies", c.name, sum["spread"])
		}
	}
}

// TestRestoreEval: mmi eval --truth reads the restorations of a transfer
// against the true images, with the baseline's PSNR and the classifier's
// agreement with the true labels; copies repeat the truth.
func TestRestoreEval(t *testing.T) {
	dir := t.TempDir()
	m := pairedDigits(t, dir)
	out := filepath.Join(dir, "sr.npy")
	if code, _, stderr := mmi(t, "transfer", "--model", m, "--from", "1", "--to", "3", "--in", "digits:all:test:low4:first50",
		"--lift", "0.3", "--sde", "--copies", "3", "--solver", "heun", "--steps", "8", "--out", out); code != 0 {
		t.Fatalf("transfer: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := mmi(t, "eval", "--a", out, "--truth", "digits:all:test:first50", "--baseline", "digits:all:test:low4:first50", "--copies", "3", "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	var sum struct {
		N            int     `json:"n"`
		PSNR         float64 `json:"psnr"`
		PSNRBaseline float64 `json:"psnr_baseline"`
		Classes      struct {
			Agreement float64 `json:"agreement"`
			N         int     `json:"n"`
		} `json:"classes"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.N != 150 || sum.Classes.N != 150 || !(sum.PSNR > 0) || !(sum.PSNRBaseline > 0) || !(sum.Classes.Agreement > 0) {
		t.Errorf("eval --truth: %s", stdout)
	}
	// The truth itself: PSNR at the cap, agreement the classifier's.
	self := filepath.Join(dir, "self.npy")
	if err := samplefile.Write(self, viewRows(t, "digits:all:test:first50"), 64); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := mmi(t, "eval", "--a", self, "--truth", "digits:all:test:first50", "--json"); code != 0 || !strings.Contains(stdout, `"psnr":100`) {
		t.Errorf("the truth against itself: exit %d, %s", code, stdout)
	}
}

// TestRestoreFlagErrors: restoration flags that do not fit are refused in
// one line, exit 2.
func TestRestoreFlagErrors(t *testing.T) {
	dir := t.TempDir()
	m := pairedDigits(t, dir)
	tr := []string{"transfer", "--model", m, "--from", "2", "--to", "3"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--in", "digits:all:test:masklower", "--hold"}, "give --keep"},
		{[]string{"--in", "digits:all:test:masklower", "--lift", "1"}, "--lift takes a value in (0, 1)"},
		{[]string{"--in", "digits:all:test:masklower", "--lift", "0.3", "--via", "1"}, "--lift takes a value in (0, 1) and no --via"},
		{[]string{"--in", "digits:all:test:masklower", "--truth", "digits:all:test:first10"}, "row-aligned"},
		{[]string{"--in", "digits:all:test:masklower", "--copies", "0"}, "--copies must be at least 1"},
		{[]string{"--truth", "digits:all:test"}, "go with --in"},
		{[]string{"--keep", "upper"}, "--keep goes with --in"},
		{[]string{"--in", "digits:all:test:masklower", "--keep", "middle"}, "unknown region"},
		{[]string{"--in", "digits:all:test:masklower", "--sde"}, "--lift A"},
		{[]string{"--in", "moons"}, "want a file of rows or a view"},
	} {
		code, _, stderr := mmi(t, append(append([]string(nil), tr...), c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("transfer %v: exit %d, %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if code, _, stderr := mmi(t, "transfer", "--model", m, "--all", "--lift", "0.3"); code != 2 || !strings.Contains(stderr, "--lift") {
		t.Errorf("transfer --all --lift: exit %d, %q", code, stderr)
	}
	if code, _, stderr := mmi(t, "eval", "--truth", "digits:all:test"); code != 2 || !strings.Contains(stderr, "give --a and --truth") {
		t.Errorf("eval --truth without --a: exit %d, %q", code, stderr)
	}
}

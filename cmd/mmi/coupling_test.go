package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/gk"
)

// TestTrainCoupling: mmi train --coupling ot records the coupling (with
// the block and reuse it chose) in the checkpoint; --resume with another
// coupling is refused, and an unknown --coupling is one line, exit 2.
// A specification declaring "coupling": "ot" on a mixture of several modes
// is refused the same way; on single Gaussians its oracle makes the
// straight edge cost W2² (mmi pathopt), and mmi eval compares an OT model
// with the oracle of its own coupling.
func TestTrainCoupling(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "ot.mmi")
	args := []string{"train", "--data", "../../examples/crossed.json", "--coupling", "ot", "--steps", "30", "--batch", "64", "--hidden", "8", "--out", model}
	if code, _, stderr := mmi(t, args...); code != 0 {
		t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
	}
	m, err := gk.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Coupling().String(); got != "ot:64" {
		t.Errorf("recorded coupling %q, want ot:64 (blocks of 64 for two 2-D marginals)", got)
	}
	wantUsage(t, "cannot change that on --resume", nil, "train", "--resume", model, "--coupling", "independent", "--steps", "40")
	wantUsage(t, `unknown coupling "pairs"`, nil, "train", "--coupling", "pairs", "--steps", "5", "--out", filepath.Join(dir, "x.mmi"))
	wantUsage(t, "8gaussians is a generator without rows", nil, "train", "--coupling", "paired", "--steps", "5", "--out", filepath.Join(dir, "x.mmi"))
	wantUsage(t, "--reuse", nil, "train", "--coupling", "ot", "--reuse", "-1", "--steps", "5", "--out", filepath.Join(dir, "x.mmi"))

	// A mixture of several modes cannot be OT-coupled in closed form.
	mix, err := os.ReadFile("../../examples/mix3.json")
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "mix3ot.json")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(mix), `{"dim": 2,`, `{"dim": 2, "coupling": "ot",`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	wantUsage(t, "needs single Gaussians", nil, "path", "--model", bad, "--from", "0", "--to", "1", "--n", "5")
	two := filepath.Join(dir, "two.json")
	if err := os.WriteFile(two, []byte(`{"dim": 2, "marginals": [
	  {"weights": [0.5, 0.5], "means": [[-2, 2], [2, 2]], "covs": [[[0.3, 0], [0, 0.3]], [[0.3, 0], [0, 0.3]]]},
	  {"means": [[0, 0]], "covs": [[[1, 0], [0, 1]]]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	wantUsage(t, "single Gaussians", nil, "eval", "--model", model, "--spec", two)

	// The OT oracle's straight edge costs W2² = 4.5 within 4 standard
	// errors; the independent oracle's is 20 % and more above.
	cost := func(spec string) (float64, float64) {
		code, stdout, stderr := mmi(t, "pathopt", "--model", spec, "--from", "1", "--to", "2", "--iters", "1", "--json")
		if code != 0 {
			t.Fatalf("pathopt %s: exit %d: %s", spec, code, stderr)
		}
		var r struct {
			Cost float64 `json:"cost_straight"`
			SE   float64 `json:"stderr_straight"`
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
			t.Fatal(err)
		}
		return r.Cost, r.SE
	}
	if c, se := cost("../../examples/crossed_ot.json"); math.Abs(c-4.5) > 4*se {
		t.Errorf("OT oracle: straight edge %.4f ± %.4f, W2² 4.5", c, se)
	}
	if c, _ := cost("../../examples/crossed.json"); c < 1.2*4.5 {
		t.Errorf("independent oracle: straight edge %.4f, expected ≥ 1.2 W2²", c)
	}
	code, stdout, stderr := mmi(t, "eval", "--model", model, "--spec", "../../examples/crossed.json", "--n", "50")
	if code != 0 || !strings.Contains(stdout, "relative error") {
		t.Errorf("eval of an OT model: exit %d, %s %s", code, stdout, stderr)
	}
}

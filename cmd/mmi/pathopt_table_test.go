package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/samplefile"
)

// TestPathoptTable prints the tables of docs/pathopt.md: for
// every pair i < j of a model, the transport cost of the straight and the
// optimized path (mmi pathopt) and the energy distance to fresh samples of
// marginal j after 4, 8 and 16 Euler steps along each (mmi path), beside
// the converged straight flow (dopri5) and two true sample sets (the
// floor). Run it on a trained model with
//
//	MMI_PATHOPT_TABLE=model.mmi go test ./cmd/mmi -run TestPathoptTable -v -timeout 60m
//
// and on the Gaussian pair of docs/pathopt.md (the exact oracle, with W2² in
// closed form) with MMI_PATHOPT_TABLE=gaussian.
func TestPathoptTable(t *testing.T) {
	model := os.Getenv("MMI_PATHOPT_TABLE")
	if model == "" {
		t.Skip("set MMI_PATHOPT_TABLE=model.mmi (or =gaussian) to print the table of docs/pathopt.md")
	}
	dir := t.TempDir()
	gaussian := model == "gaussian"
	if gaussian {
		model = gaussianPair
	}
	gen, err := loadModel(model)
	if err != nil {
		t.Fatal(err)
	}
	k1, d := gen.Sizes()
	const n = 4000
	r := rand.New(rand.NewPCG(2026, 11))
	var rows []string
	head := "| path | cost straight | cost optimized | change |"
	sep := "|---|---|---|---|"
	if gaussian {
		head += " W2² |"
		sep += "---|"
	}
	head += " Euler 4: straight / optimized | Euler 8 | Euler 16 | straight, dopri5 | two true sets |"
	sep += "---|---|---|---|---|"
	for i := 0; i < k1; i++ {
		for j := i + 1; j < k1; j++ {
			pfile := filepath.Join(dir, fmt.Sprintf("p%d%d.json", i, j))
			code, stdout, stderr := mmi(t, "pathopt", "--model", model, "--from", strconv.Itoa(i), "--to", strconv.Itoa(j),
				"--out", pfile, "--json")
			if code != 0 {
				t.Fatalf("pathopt %d→%d: %s", i, j, stderr)
			}
			var sum pathoptSummary
			if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
				t.Fatal(err)
			}
			truth, err := gen.Draw(j, n, r)
			if err != nil {
				t.Fatal(err)
			}
			other, err := gen.Draw(j, n, r)
			if err != nil {
				t.Fatal(err)
			}
			energy := func(args ...string) float64 {
				out := filepath.Join(dir, "x.npy")
				args = append([]string{"path", "--model", model, "--n", strconv.Itoa(n), "--seed", "3", "--out", out}, args...)
				if code, _, stderr := mmi(t, args...); code != 0 {
					t.Fatalf("%v: %s", args, stderr)
				}
				x, _, err := samplefile.Read(out)
				if err != nil {
					t.Fatal(err)
				}
				return metrics.Energy(x, truth, d)
			}
			ij := []string{"--from", strconv.Itoa(i), "--to", strconv.Itoa(j)}
			row := fmt.Sprintf("| %d → %d | %.4g ± %.2g | %.4g ± %.2g | %+.1f %% |", i, j, sum.CostStraight, sum.StderrStraight,
				sum.CostOptimized, sum.Stderr, 100*(sum.CostOptimized-sum.CostStraight)/sum.CostStraight)
			if gaussian {
				row += fmt.Sprintf(" %.4g |", gaussianPairW2(t, i, j))
			}
			for _, steps := range []string{"4", "8", "16"} {
				s := energy(append(ij, "--solver", "euler", "--steps", steps)...)
				o := energy("--path", pfile, "--solver", "euler", "--steps", steps)
				row += fmt.Sprintf(" %.4f / **%.4f** |", s, o)
			}
			row += fmt.Sprintf(" %.4f | %.4f |", energy(ij...), metrics.Energy(other, truth, d))
			t.Logf("%s (%d iterations, %.0f s)", row, sum.Iters, sum.Seconds)
			rows = append(rows, row)
		}
	}
	fmt.Printf("\n%s\n%s\n%s\n", head, sep, strings.Join(rows, "\n"))
}

// gaussianPair is the Gaussian pair of docs/pathopt.md: centred, standard
// deviations (1, 0.8) and (0.8, 1).
const gaussianPair = "../../examples/gaussian_pair.json"

// gaussianPairW2 returns W2² between marginals i and j of gaussianPair
// (0 is N(0, I)) in closed form.
func gaussianPairW2(t *testing.T, i, j int) float64 {
	mix, err := datasets.ReadSpec(gaussianPair)
	if err != nil {
		t.Fatal(err)
	}
	of := func(k int) ([]float64, mat.Symmetric) {
		if k == 0 {
			return []float64{0, 0}, mat.NewSymDense(2, []float64{1, 0, 0, 1})
		}
		c := mix[k-1].Components()[0]
		return c.Mean(), c.Cov()
	}
	mi, si := of(i)
	mj, sj := of(j)
	w := metrics.GaussianW2(mi, si, mj, sj)
	return w * w
}

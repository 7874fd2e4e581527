package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/styletransfer"
)

// TestCouplingTable prints, for each checkpoint in MMI_COUPLING_TABLE
// (comma-separated), the energy distance of every transfer i → j between
// data marginals and of noise → j to fresh samples of j (n = 2000, the
// straight edges), with the converged solver (dopri5) and with 4 Euler
// steps, and for a checkerboard target the share of the translated points
// on its squares. With MMI_COUPLING_DRAWS=S every number is the mean ±
// standard error over S independent draws of all the sets (the first draw
// is the single draw printed without it), and each transfer's energy
// minus that of noise → j, paired by draw: at this n a single energy
// distance near 0 varies by about ±0.002, with heavy tails, so comparisons
// between small values need several draws; the worst ratio to noise → j
// then comes with its standard error, which near the floor is large.
// MMI_COUPLING_N sets n (the
// spread of an energy distance near 0 falls as 1/n, its cost grows as n²)
// and MMI_COUPLING_SOLVERS=dopri5 skips the 4 Euler steps.
// docs/couplings.md has the tables and the commands.
func TestCouplingTable(t *testing.T) {
	files := os.Getenv("MMI_COUPLING_TABLE")
	if files == "" {
		t.Skip("set MMI_COUPLING_TABLE=a.mmi,b.mmi to print the coupling tables")
	}
	draws := 1
	if s := os.Getenv("MMI_COUPLING_DRAWS"); s != "" {
		var err error
		if draws, err = strconv.Atoi(s); err != nil || draws < 1 {
			t.Fatalf("MMI_COUPLING_DRAWS=%q: want a positive integer", s)
		}
	}
	n := 2000
	if s := os.Getenv("MMI_COUPLING_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 2 {
			t.Fatalf("MMI_COUPLING_N=%q: want an integer ≥ 2", s)
		}
	}
	only := os.Getenv("MMI_COUPLING_SOLVERS")
	ctx := context.Background()
	for _, file := range strings.Split(files, ",") {
		gen, err := generate.Load(file)
		if err != nil {
			t.Fatal(err)
		}
		k1, d := gen.Sizes()
		for _, solver := range []struct {
			name string
			opts *generate.Options
		}{{"dopri5", nil}, {"euler 4", &generate.Options{Solver: path.Euler{Steps: 4}}}} {
			if only != "" && !strings.Contains(only, solver.name) {
				continue
			}
			// energy[i][j] (i = j: the floor), noise[j], squares[i][j] (i = j:
			// from noise): one value per draw.
			energy, squares := make([][][]float64, k1), make([][][]float64, k1)
			noise := make([][]float64, k1)
			for i := range energy {
				energy[i], squares[i] = make([][]float64, k1), make([][]float64, k1)
			}
			for s := 1; s <= draws; s++ {
				tab, err := styletransfer.AllToAll(ctx, gen, n, uint64(s), solver.opts)
				if err != nil {
					t.Fatal(err)
				}
				for j := 1; j < k1; j++ {
					x, _, err := gen.Sample(ctx, j, n, rand.New(rand.NewPCG(7, uint64(j)+1000*uint64(s-1))), solver.opts)
					if err != nil {
						t.Fatal(err)
					}
					noise[j] = append(noise[j], metrics.Energy(x, tab.Truth[j-1], d))
					if gen.Name(j) == "checkerboard" {
						squares[j][j] = append(squares[j][j], datasets.CheckerboardShare(x))
					}
					for i := 1; i < k1; i++ {
						energy[i][j] = append(energy[i][j], tab.Energy[i-1][j-1])
						if i != j && gen.Name(j) == "checkerboard" {
							squares[i][j] = append(squares[i][j], datasets.CheckerboardShare(tab.Samples[i-1][j-1]))
						}
					}
				}
			}
			fmt.Printf("%s (%s), %s, %d draws of %d:\n", file, gen.CouplingSpec(), solver.name, draws, n)
			for j := 1; j < k1; j++ {
				row := fmt.Sprintf("  → %d %-14s noise %s", j, gen.Name(j), meanSECell(noise[j]))
				worst, worstSE := 0.0, 0.0
				mn, sn := metrics.MeanSE(noise[j])
				for i := 1; i < k1; i++ {
					if i == j {
						continue
					}
					me, _ := metrics.MeanSE(energy[i][j])
					ratio, se := me/mn, 0.0
					row += fmt.Sprintf(" | from %d %s", i, meanSECell(energy[i][j]))
					if draws > 1 {
						// Transfer and noise are measured against the same
						// fresh samples of j in each draw: their difference
						// is more precise than either.
						diff := make([]float64, draws)
						for s := range diff {
							diff[s] = energy[i][j][s] - noise[j][s]
						}
						row += fmt.Sprintf(" (− noise %s)", meanSECell(diff))
						// The ratio is 1 + D/N (D the paired difference,
						// N noise → j); its standard error to first
						// order, the two taken as independent.
						md, sd := metrics.MeanSE(diff)
						se = math.Hypot(sd/mn, md*sn/(mn*mn))
					}
					if ratio > worst {
						worst, worstSE = ratio, se
					}
					if squares[i][j] != nil {
						row += fmt.Sprintf(" (on squares %s)", meanSECell(squares[i][j]))
					}
				}
				if squares[j][j] != nil {
					row += fmt.Sprintf(" | noise on squares %s", meanSECell(squares[j][j]))
				}
				ratio := fmt.Sprintf("%.2f", worst)
				if draws > 1 {
					ratio += fmt.Sprintf(" ± %.2f", worstSE)
				}
				if mn <= 0 {
					ratio = "none (noise → j ≤ 0)" // a ratio to a value at the floor means nothing
				}
				fmt.Printf("%s | worst ratio to noise %s | floor %s\n", row, ratio, meanSECell(energy[j][j]))
			}
		}
	}
}

// meanSECell formats one value as itself and several as mean ± standard
// error.
func meanSECell(v []float64) string {
	if len(v) == 1 {
		return fmt.Sprintf("%.5f", v[0])
	}
	m, se := metrics.MeanSE(v)
	return fmt.Sprintf("%.5f ± %.5f", m, se)
}

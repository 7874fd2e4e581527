package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
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
// on its squares. docs/couplings.md has the tables and the commands.
func TestCouplingTable(t *testing.T) {
	files := os.Getenv("MMI_COUPLING_TABLE")
	if files == "" {
		t.Skip("set MMI_COUPLING_TABLE=a.mmi,b.mmi to print the coupling tables")
	}
	const n = 2000
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
			tab, err := styletransfer.AllToAll(ctx, gen, n, 1, solver.opts)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("%s (%s), %s:\n", file, gen.CouplingSpec(), solver.name)
			for j := 1; j < k1; j++ {
				x, _, err := gen.Sample(ctx, j, n, rand.New(rand.NewPCG(7, uint64(j))), solver.opts)
				if err != nil {
					t.Fatal(err)
				}
				noise := metrics.Energy(x, tab.Truth[j-1], d)
				row := fmt.Sprintf("  → %d %-14s noise %.4f", j, gen.Name(j), noise)
				worst := 0.0
				for i := 1; i < k1; i++ {
					if i == j {
						continue
					}
					e := tab.Energy[i-1][j-1]
					worst = max(worst, e/noise)
					row += fmt.Sprintf(" | from %d %.4f", i, e)
					if gen.Name(j) == "checkerboard" {
						row += fmt.Sprintf(" (on squares %.3f)", datasets.CheckerboardShare(tab.Samples[i-1][j-1]))
					}
				}
				if gen.Name(j) == "checkerboard" {
					row += fmt.Sprintf(" | noise on squares %.3f", datasets.CheckerboardShare(x))
				}
				fmt.Printf("%s | worst ratio to noise %.2f | floor %.4f\n", row, worst, tab.Energy[j-1][j-1])
			}
		}
	}
}

package main

import (
	"math"

	"github.com/mmi-go/mmi/metrics"
)

// checkEvalN refuses an --eval-n that is neither 0 (skip the energy
// distance) nor enough rows for one: the unbiased energy distance needs
// two rows of each set.
func checkEvalN(n int) error {
	if n < 0 || n == 1 {
		return usagef("--eval-n must be 0 (no energy distance) or at least 2, got %d", n)
	}
	return nil
}

// addEnergy puts the energy distance of x to truth (rows of d numbers)
// into a command's summary, or says why there is none: a run of one row
// (--n 1, an --in file of one row, a shard of one row) has no distance,
// and values so large that their distances overflow float64 have none
// either.
func addEnergy(sum map[string]any, x, truth []float64, d int) {
	if len(x) < 2*d || len(truth) < 2*d {
		sum["energy_skipped"] = "needs at least 2 rows on each side"
		return
	}
	e := metrics.Energy(x, truth, d)
	if math.IsNaN(e) || math.IsInf(e, 0) {
		sum["energy_skipped"] = "the distances overflow float64"
		return
	}
	sum["energy"] = e
}

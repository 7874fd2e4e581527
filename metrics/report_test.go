package metrics

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestCompareOverflow: finite values near 1e308 are refused with an error
// that says why, not reported as NaN or +Inf (issue 20, case 16); values
// whose squared distances still fit give finite results.
func TestCompareOverflow(t *testing.T) {
	big := []float64{1e308, -1e308, 5e307, 1e308, -1e308, 0}
	if rep, err := Compare(big, big[2:], 2, rand.New(rand.NewPCG(1, 0))); err == nil || !strings.Contains(err.Error(), "overflow") {
		t.Errorf("values near 1e308: report %+v, error %v; want an overflow error", rep, err)
	}
	ok := []float64{1e100, -1e100, 5e99, 1e100, -1e100, 0}
	if _, err := Compare(ok, ok[2:], 2, rand.New(rand.NewPCG(1, 0))); err != nil {
		t.Errorf("values near 1e100: %v", err)
	}
}

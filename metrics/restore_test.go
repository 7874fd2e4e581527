package metrics

import (
	"math"
	"testing"
)

// TestRestoreMeasures: PSNR, change and spread on hand-computed cases.
func TestRestoreMeasures(t *testing.T) {
	// Row 0 off by 0.2 everywhere: MSE 0.04, PSNR 10·log10(4/0.04) = 20 dB;
	// row 1 exact: capped at MaxPSNR.
	a := []float64{0.2, -0.8, 1, 0}
	b := []float64{0, -1, 1, 0}
	p, err := MeanPSNR(a, b, 2, 2)
	if err != nil || math.Abs(p-(20+MaxPSNR)/2) > 1e-9 {
		t.Errorf("MeanPSNR = %v, %v; want %v", p, err, (20+MaxPSNR)/2.0)
	}
	if _, err := MeanPSNR(a, b[:3], 2, 2); err == nil {
		t.Error("MeanPSNR of unequal lengths accepted")
	}
	mean, largest, err := Change([]float64{0, 1, 2, 3}, []float64{0.5, 1, 2, 2}, []bool{true, false})
	if err != nil || mean != 0.25 || largest != 0.5 {
		t.Errorf("Change = %v, %v, %v; want 0.25, 0.5", mean, largest, err)
	}
	// Two groups of 2 draws of one coordinate: {0, 2} has sd √2, {1, 1}
	// has 0.
	s, err := Spread([]float64{0, 2, 1, 1}, 2, 1)
	if err != nil || math.Abs(s-math.Sqrt2/2) > 1e-12 {
		t.Errorf("Spread = %v, %v; want %v", s, err, math.Sqrt2/2)
	}
	if _, err := Spread([]float64{0, 2, 1}, 2, 1); err == nil {
		t.Error("Spread of an incomplete group accepted")
	}
}

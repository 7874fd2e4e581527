package classify

import (
	"math"
	"testing"

	"github.com/mmi-go/mmi/datasets"
)

// TestEvaluateLabelled: the real test images with their labels agree as
// often as the classifier's test accuracy (the same images), and score a
// Fréchet distance of exactly zero against themselves; shifting the labels
// by one class drops the agreement to the share the classifier reads as
// the next class (near zero); blank images are far from the floor.
func TestEvaluateLabelled(t *testing.T) {
	c := digits(t)
	es, err := datasets.Open("digits:all:test")
	if err != nil {
		t.Fatal(err)
	}
	e := es[0]
	n, _ := e.Rows()
	x := make([]float64, 0, n*64)
	type rower interface{ Row(int) []float64 }
	for i := range n {
		x = append(x, e.Marginal.(rower).Row(i)...)
	}
	rep, err := c.EvaluateLabelled(x, e.Labels, 1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(rep.Agreement-c.TestAccuracy) > 1e-12 || rep.N != n || rep.TestImages != n {
		t.Errorf("real test images: agreement %v (classifier accuracy %v), n %d, %d test images", rep.Agreement, c.TestAccuracy, rep.N, rep.TestImages)
	}
	if rep.Frechet > 1e-6 || rep.Floor <= 0 || rep.FloorN != n {
		t.Errorf("real test images against themselves: Fréchet %v, floor %v on %d", rep.Frechet, rep.Floor, rep.FloorN)
	}
	wrong := make([]int, n)
	for i, l := range e.Labels {
		wrong[i] = (l + 1) % 10
	}
	if rep, err := c.EvaluateLabelled(x, wrong, 1); err != nil || rep.Agreement > 0.05 {
		t.Errorf("labels shifted by one: agreement %v, %v", rep.Agreement, err)
	}
	blank := make([]float64, len(x))
	for i := range blank {
		blank[i] = -1
	}
	for i := 0; i < len(blank); i += 7 {
		blank[i] = 1 // not constant: a covariance to compare
	}
	if rep, err := c.EvaluateLabelled(blank, e.Labels, 1); err != nil || rep.Ratio < 10 {
		t.Errorf("blank images: ratio %v, %v", rep.Ratio, err)
	}
	if _, err := c.EvaluateLabelled(x, e.Labels[1:], 1); err == nil {
		t.Error("one label too few was accepted")
	}
}

package viz

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// Scores draws every series (its colour appears in the picture), skips
// missing scores, and refuses scores a logarithmic axis cannot show.
func TestScores(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s.png")
	names := []string{"p00", "p01", "p02"}
	err := Scores(file, "worst region", "relative error", names, 0.02,
		ScoreSeries{"a", []float64{0.01, 0.2, math.NaN()}},
		ScoreSeries{"b", []float64{0.005, math.NaN(), 0.03}})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, file)
	// Each series is drawn in its own palette colour, solid inside the dots.
	count := make([]int, 2)
	for k := range count {
		pr, pg, pb, _ := Palette[k].RGBA()
		count[k] = tint(img, func(r, g, b int) bool { return r == int(pr>>8) && g == int(pg>>8) && b == int(pb>>8) })
	}
	if count[0] < 20 || count[1] < 20 {
		t.Errorf("pixels of the two series' colours: %v, want both drawn", count)
	}
	for _, c := range []struct {
		name   string
		series ScoreSeries
		want   string
	}{
		{"zero", ScoreSeries{"z", []float64{0, 0.1, 0.1}}, "positive"},
		{"infinite", ScoreSeries{"i", []float64{math.Inf(1), 0.1, 0.1}}, "positive"},
		{"short", ScoreSeries{"s", []float64{0.1}}, "3 problems"},
		{"missing", ScoreSeries{"m", []float64{math.NaN(), math.NaN(), math.NaN()}}, "missing"},
	} {
		err := Scores(filepath.Join(dir, c.name+".png"), "", "", names, 0.02, c.series)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one that says %q", c.name, err, c.want)
		}
	}
}

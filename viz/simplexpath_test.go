package viz

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestSimplexPaths(t *testing.T) {
	dir := t.TempDir()
	curve := func(k1 int, bend float64) SimplexCurve {
		c := SimplexCurve{Title: "c"}
		for i := 0; i <= 50; i++ {
			s := float64(i) / 50
			a := make([]float64, k1)
			a[1] = 1 - s
			a[2] = s - bend*s*(1-s)
			a[0] = bend * s * (1 - s)
			c.T = append(c.T, s)
			c.Alpha = append(c.Alpha, a)
		}
		return c
	}
	for _, k1 := range []int{3, 4} {
		file := filepath.Join(dir, "p.png")
		if err := SimplexPaths(file, curve(k1, 0), curve(k1, 0.5)); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != 2*PlotSize || cfg.Height != PlotSize {
			t.Errorf("K+1 = %d: %dx%d PNG (%v), want two panels of %d", k1, cfg.Width, cfg.Height, err, PlotSize)
		}
	}
	bad := curve(3, 0)
	bad.Alpha[3] = []float64{0.5, 0.5}
	for name, cs := range map[string][]SimplexCurve{
		"none":           nil,
		"mixed lengths":  {bad},
		"too few points": {{T: []float64{0}, Alpha: [][]float64{{1, 0, 0}}}},
	} {
		if err := SimplexPaths(filepath.Join(dir, "bad.png"), cs...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

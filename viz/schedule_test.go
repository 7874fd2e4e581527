package viz

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// Schedules writes a two-panel PNG and refuses curves it cannot draw.
func TestSchedules(t *testing.T) {
	curve := func(f func(t float64) (float64, float64)) SimplexCurve {
		c := SimplexCurve{Title: "c"}
		for i := 0; i <= 40; i++ {
			s := float64(i) / 40
			a := make([]float64, 3)
			a[0], a[2] = f(s)
			c.T = append(c.T, s)
			c.Alpha = append(c.Alpha, a)
		}
		return c
	}
	lin := curve(func(s float64) (float64, float64) { return 1 - s, s })
	trig := curve(func(s float64) (float64, float64) { return math.Cos(math.Pi / 2 * s), math.Sin(math.Pi / 2 * s) })
	file := filepath.Join(t.TempDir(), "s.png")
	if err := Schedules(file, 0, 2, lin, trig); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(f)
	f.Close()
	if err != nil || cfg.Width != 2*PlotSize || cfg.Height != PlotSize {
		t.Errorf("%dx%d PNG (%v), want two panels of %d", cfg.Width, cfg.Height, err, PlotSize)
	}
	bad := curve(func(s float64) (float64, float64) { return math.NaN(), s })
	for name, err := range map[string]error{
		"none":         Schedules(file, 0, 2),
		"not finite":   Schedules(file, 0, 2, bad),
		"no such axis": Schedules(file, 0, 3, lin),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

package viz

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestScatterGrid(t *testing.T) {
	file := filepath.Join(t.TempDir(), "grid.png")
	cell := Panel{Title: "cell", Sets: []Set{{Points: []float64{0, 0, 1, 1, 2, 0}}, {Points: []float64{5, 5}}}}
	panels := [][]Panel{{cell, cell, cell}, {cell, cell, cell}}
	if err := ScatterGrid(file, "caption", panels); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// 3 columns and 2 rows of PanelSize pixels, plus the caption line.
	if b := img.Bounds(); b.Dx() != 3*PanelSize || b.Dy() != 2*PanelSize+24 {
		t.Errorf("grid is %v, want %d×%d", b, 3*PanelSize, 2*PanelSize+24)
	}
	for _, bad := range [][][]Panel{nil, {{cell}, {cell, cell}}, {{{Title: "empty"}}}, {{{Sets: []Set{{Points: []float64{1}}}}}}} {
		if err := ScatterGrid(file, "", bad); err == nil {
			t.Errorf("ScatterGrid accepted %v", bad)
		}
	}
}

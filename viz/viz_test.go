package viz

import (
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func decode(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// noTemp fails if a temporary file of the atomic writer is left in dir.
func noTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if filepath.Ext(e.Name()) == ".tmp" {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestImageScale(t *testing.T) {
	for _, c := range []struct{ w, h, want int }{{28, 28, 3}, {8, 8, 11}, {84, 10, 1}, {100, 100, 1}, {64, 64, 2}, {10, 43, 2}} {
		if got := ImageScale(c.w, c.h); got != c.want {
			t.Errorf("ImageScale(%d, %d) = %d, want %d", c.w, c.h, got, c.want)
		}
	}
}

// Three 3×2 images in two columns: every pixel of every tile is checked
// against the value it must come from, and the border, gaps and the empty
// last tile against the pad gray.
func TestGridImagePixels(t *testing.T) {
	const w, h, cols = 3, 2, 2
	images := []float64{
		0, 1, 2, 3, 4, 5, // image 0
		-1, 10, math.NaN(), 2.5, 2.5, 5, // image 1: clamped, NaN
		5, 4, 3, 2, 1, 0, // image 2
	}
	lo, hi := 0.0, 5.0
	img, err := GridImage(images, w, h, cols, lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	s := ImageScale(w, h) // 28
	tw, th := w*s, h*s
	W, H := cols*tw+(cols+1)*GridPad, 2*th+3*GridPad
	if b := img.Bounds(); b.Dx() != W || b.Dy() != H {
		t.Fatalf("size %v, want %d×%d", b, W, H)
	}
	want := make([]uint8, W*H)
	for i := range want {
		want[i] = GridPadGray
	}
	level := func(v float64) uint8 {
		switch {
		case math.IsNaN(v) || v <= lo:
			return 0
		case v >= hi:
			return 255
		}
		return uint8(math.Round(255 * (v - lo) / (hi - lo)))
	}
	for k := 0; k < 3; k++ {
		for y := 0; y < H; y++ {
			for x := 0; x < W; x++ {
				tx, ty := x-GridPad-(k%cols)*(tw+GridPad), y-GridPad-(k/cols)*(th+GridPad)
				if tx >= 0 && tx < tw && ty >= 0 && ty < th {
					want[y*W+x] = level(images[k*w*h+(ty/s)*w+tx/s])
				}
			}
		}
	}
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			if got := img.GrayAt(x, y).Y; got != want[y*W+x] {
				t.Fatalf("pixel (%d, %d) = %d, want %d", x, y, got, want[y*W+x])
			}
		}
	}
	// Spot checks written out by hand: image 0 value 4 (row 1, column 1) is
	// gray 204 at the centre of its 28×28 block; image 1's −1, 10 and 2.5
	// are 0, 255 and 128 (127.5 rounds up).
	for _, c := range []struct {
		x, y int
		want uint8
	}{
		{GridPad + s + s/2, GridPad + s + s/2, 204},
		{2*GridPad + tw + s/2, GridPad + s/2, 0},
		{2*GridPad + tw + s + s/2, GridPad + s/2, 255},
		{2*GridPad + tw + s/2, GridPad + s + s/2, 128},
		{2*GridPad + tw + 5, 2*GridPad + th + 5, GridPadGray}, // empty tile
	} {
		if got := img.GrayAt(c.x, c.y).Y; got != c.want {
			t.Errorf("pixel (%d, %d) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
}

func TestImageGridFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "grid.png")
	r := rand.New(rand.NewPCG(1, 2))
	const n, w, h = 10, 28, 28
	images := make([]float64, n*w*h)
	for i := range images {
		images[i] = r.Float64()
	}
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ImageGrid(path, images, w, h, 4, 0, 1); err != nil {
		t.Fatal(err)
	}
	got := decode(t, path)
	want, _ := GridImage(images, w, h, 4, 0, 1)
	// 4 columns, 3 rows of 84×84 tiles with 2-pixel gaps.
	if b := got.Bounds(); b.Dx() != 4*84+5*2 || b.Dy() != 3*84+4*2 {
		t.Fatalf("size %v", b)
	}
	for y := 0; y < want.Bounds().Dy(); y++ {
		for x := 0; x < want.Bounds().Dx(); x++ {
			r, _, _, _ := got.At(x, y).RGBA()
			if uint8(r>>8) != want.GrayAt(x, y).Y {
				t.Fatalf("decoded pixel (%d, %d) differs", x, y)
			}
		}
	}
	noTemp(t, dir)
	if err := ImageGrid(filepath.Join(dir, "missing", "g.png"), images, w, h, 4, 0, 1); err == nil {
		t.Error("missing directory: no error")
	}
}

func TestGridImageErrors(t *testing.T) {
	x := make([]float64, 12)
	for _, c := range []struct {
		name      string
		images    []float64
		w, h, col int
		lo, hi    float64
	}{
		{"w=0", x, 0, 2, 1, 0, 1},
		{"h<0", x, 2, -1, 1, 0, 1},
		{"cols=0", x, 2, 2, 0, 0, 1},
		{"empty", nil, 2, 2, 1, 0, 1},
		{"ragged", x, 5, 1, 1, 0, 1},
		{"lo=hi", x, 2, 2, 1, 1, 1},
		{"lo>hi", x, 2, 2, 1, 1, 0},
		{"NaN", x, 2, 2, 1, math.NaN(), 1},
		{"Inf", x, 2, 2, 1, 0, math.Inf(1)},
	} {
		if _, err := GridImage(c.images, c.w, c.h, c.col, c.lo, c.hi); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// tint counts pixels clearly of the given hue family.
func tint(img image.Image, pred func(r, g, b int) bool) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if pred(int(r>>8), int(g>>8), int(bl>>8)) {
				n++
			}
		}
	}
	return n
}

func bluish(r, g, b int) bool   { return b > r+60 && b > g+20 }
func reddish(r, g, b int) bool  { return r > b+60 && r > g+60 }
func orangish(r, g, b int) bool { return r > b+60 && g > b+20 && r > g }

func ring(r *rand.Rand, n int, cx, rad float64) []float64 {
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * r.Float64()
		x[2*i] = cx + rad*math.Cos(a) + 0.1*r.NormFloat64()
		x[2*i+1] = rad*math.Sin(a) + 0.1*r.NormFloat64()
	}
	return x
}

func TestScatter2D(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "scatter.png")
	r := rand.New(rand.NewPCG(3, 4))
	if err := Scatter2D(path, "two rings", Set{Name: "data", Points: ring(r, 1000, 0, 2)}, Set{Name: "model", Points: ring(r, 1000, 5, 1)}); err != nil {
		t.Fatal(err)
	}
	img := decode(t, path)
	if b := img.Bounds(); b.Dx() != PlotSize || b.Dy() != PlotSize {
		t.Fatalf("size %v, want %d×%d", b, PlotSize, PlotSize)
	}
	// Both sets must be drawn in their palette colours (blue, orange):
	// 1000 discs of radius ≈ 2 pixels cover thousands of pixels each.
	if nb, no := tint(img, bluish), tint(img, orangish); nb < 1000 || no < 1000 {
		t.Errorf("%d bluish and %d orangish pixels, want ≥ 1000 each", nb, no)
	}
	noTemp(t, dir)

	for _, c := range []struct {
		name string
		sets []Set
	}{
		{"no sets", nil},
		{"empty set", []Set{{Name: "a"}}},
		{"odd", []Set{{Points: []float64{1, 2, 3}}}},
		{"NaN", []Set{{Points: []float64{1, 2, math.NaN(), 0}}}},
		{"Inf", []Set{{Points: []float64{1, 2}}, {Points: []float64{math.Inf(-1), 0}}}},
	} {
		if err := Scatter2D(filepath.Join(dir, "bad.png"), "", c.sets...); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.png")); !os.IsNotExist(err) {
		t.Error("a failed plot left a file")
	}
}

func TestTrajectories2D(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "paths.png")
	r := rand.New(rand.NewPCG(5, 6))
	const n, steps = 300, 20
	start := make([]float64, 2*n)
	end := make([]float64, 2*n)
	var trajs [][]float64
	for i := 0; i < n; i++ {
		x0, y0 := r.NormFloat64(), r.NormFloat64()
		x1, y1 := 4+0.3*x0, 0.3*y0 // contraction towards (4, 0)
		start[2*i], start[2*i+1] = x0, y0
		end[2*i], end[2*i+1] = x1, y1
		if i < 30 {
			tr := make([]float64, 0, 2*(steps+1))
			for k := 0; k <= steps; k++ {
				s := float64(k) / steps
				tr = append(tr, (1-s)*x0+s*x1, (1-s)*y0+s*y1+0.5*math.Sin(math.Pi*s))
			}
			trajs = append(trajs, tr)
		}
	}
	if err := Trajectories2D(path, "Gaussian → cluster", start, end, trajs); err != nil {
		t.Fatal(err)
	}
	img := decode(t, path)
	if b := img.Bounds(); b.Dx() != PlotSize || b.Dy() != PlotSize {
		t.Fatalf("size %v", b)
	}
	if nb, nr := tint(img, bluish), tint(img, reddish); nb < 300 || nr < 300 {
		t.Errorf("%d bluish (start) and %d reddish (end) pixels, want ≥ 300 each", nb, nr)
	}
	noTemp(t, dir)

	for _, c := range []struct {
		name       string
		start, end []float64
		trajs      [][]float64
	}{
		{"nothing", nil, nil, nil},
		{"odd start", []float64{1}, end, nil},
		{"odd end", start, []float64{1, 2, 3}, nil},
		{"one-point trajectory", start, end, [][]float64{{1, 2}}},
		{"odd trajectory", start, end, [][]float64{{1, 2, 3}}},
		{"NaN trajectory", start, end, [][]float64{{1, 2, math.NaN(), 3}}},
	} {
		if err := Trajectories2D(filepath.Join(dir, "bad.png"), "", c.start, c.end, c.trajs); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

func ExampleGridImage() {
	// Six 28×28 MNIST-size images in three columns: tiles are enlarged 3×
	// to 84×84 and separated by 2-pixel gaps.
	img, err := GridImage(make([]float64, 6*28*28), 28, 28, 3, 0, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(img.Bounds().Dx(), "×", img.Bounds().Dy())
	// Output:
	// 260 × 174
}

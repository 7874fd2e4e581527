package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// strokes draws n 8×8 images on −1 … 1: a vertical bar in column col
// (the class), jittered by one column, plus, with weight ghost, a faint
// horizontal bar in row 1 (a source left behind).
func strokes(r *rand.Rand, n, col int, ghost float64) []float64 {
	x := make([]float64, n*64)
	for i := 0; i < n; i++ {
		img := x[i*64 : (i+1)*64]
		for j := range img {
			img[j] = -1
		}
		c := col + r.IntN(3) - 1
		for y := 1; y < 7; y++ {
			img[y*8+c] = 1
		}
		if ghost > 0 {
			for xx := 0; xx < 8; xx++ {
				if img[8+xx] < 0 {
					img[8+xx] = -1 + 2*ghost
				}
			}
		}
	}
	return x
}

// TestGhost: real images of the class score 1 within their sampling
// noise; images with a faint second stroke where the class never has ink
// score far more; ink below the 0.3 level does not count.
func TestGhost(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	train, test := strokes(r, 2000, 4, 0), strokes(r, 500, 4, 0)
	// The test images alone have no ink off the class: add a stray pixel
	// to a few, as real test sets have.
	for i := 0; i < 50; i++ {
		test[i*64+7*8+0] = 1
	}
	g, err := NewGhost(train, test, 64, -1, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Forbidden: rows 0 and 7 and every column but 3, 4, 5 (jitter ±1
	// of column 4).
	for j, f := range g.Forbidden {
		want := j%8 < 3 || j%8 > 5 || j/8 == 0 || j/8 == 7
		if f != want {
			t.Fatalf("pixel %d forbidden %v, want %v", j, f, want)
		}
	}
	real := strokes(r, 500, 4, 0)
	for i := 0; i < 50; i++ {
		real[i*64+7*8+0] = 1
	}
	if s := g.Score(real); math.Abs(s-1) > 0.2 {
		t.Errorf("real images score %v, want about 1", s)
	}
	if s := g.Score(strokes(r, 500, 4, 0.5)); s < 5 {
		t.Errorf("ghosted images score %v, want far above 1", s)
	}
	if s := g.Score(strokes(r, 500, 4, 0.1)); s > 0.1 {
		t.Errorf("a ghost below the ink level scores %v, want 0 (only the stray-free class strokes)", s)
	}
	if _, err := NewGhost(train, strokes(r, 10, 4, 0), 64, -1, 1); err == nil {
		t.Error("test images without ink on forbidden pixels: no error")
	}
	if _, err := NewGhost(train[:5], test, 64, -1, 1); err == nil {
		t.Error("partial image: no error")
	}
}

func ExampleGhost() {
	// Two 1×4 "images" per set: the class has ink on the two middle pixels.
	train := []float64{-1, 1, 1, -1, -1, 1, 0.8, -1}
	test := []float64{-1, 1, 1, -1, 0.5, 1, 1, -1} // one real stray stroke
	g, _ := NewGhost(train, test, 4, -1, 1)
	fmt.Println(g.Forbidden, g.Reference)
	ghosted := []float64{1, 1, 1, -1, 1, 1, 1, 1}
	fmt.Printf("%.2f %.2f\n", g.Score(test), g.Score(ghosted))
	// Output:
	// [true false false true] 0.2
	// 1.00 2.14
}

// TestGhostScoreSE: the standard error of the score matches the spread
// of the score over independent sets of images. Each image carries the
// faint source stroke with probability 0.3, so the score varies from set
// to set; 400 sets of 200 images give that spread to about 4 % (1/√(2·400)
// relative), and the delta method is good to a few per cent at n = 200,
// so 15 % separates it from an error off by a factor √2 or more (n in
// place of n − 1 is well inside; a missing 1/mean(all) or √n is not).
func TestGhostScoreSE(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	g, err := NewGhost(strokes(r, 2000, 4, 0), strokes(r, 500, 4, 0.5), 64, -1, 1)
	if err != nil {
		t.Fatal(err)
	}
	set := func() []float64 {
		x := strokes(r, 200, 4, 0)
		for i := 0; i < 200; i++ {
			if r.Float64() < 0.3 {
				copy(x[i*64:(i+1)*64], strokes(r, 1, 4, 0.5))
			}
		}
		return x
	}
	var sum, sq, se float64
	const sets = 400
	for range sets {
		s, e := g.ScoreSE(set())
		sum += s
		sq += s * s
		se += e / sets
	}
	mean := sum / sets
	sd := math.Sqrt((sq - sets*mean*mean) / (sets - 1))
	t.Logf("ghost score %.3f: standard error %.4f, spread over sets %.4f", mean, se, sd)
	if math.Abs(se/sd-1) > 0.15 {
		t.Errorf("ghost score %.3f: standard error %.4f on average, spread over sets %.4f", mean, se, sd)
	}
	if s, e := g.ScoreSE(strokes(r, 1, 4, 0.5)); s <= 0 || !math.IsNaN(e) {
		t.Errorf("one image: score %v, error %v; want a score and NaN", s, e)
	}
}

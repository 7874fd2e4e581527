package datasets

import (
	"math"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/marginals"
)

// TestResampleArea: shrinking 4×4 to 2×2 averages 2×2 blocks exactly;
// 7 → 2 averages blocks of 3.5 pixels, the middle pixel split between the
// two outputs, and the mean value (the ink) is kept.
func TestResampleArea(t *testing.T) {
	img := []float64{
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12,
		13, 14, 15, 16,
	}
	got, err := Resample(img, ImageShape{4, 4, 1}, ImageShape{2, 2, 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{3.5, 5.5, 11.5, 13.5}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("4×4 → 2×2 = %v, want %v", got, want)
		}
	}
	// One row of 7: outputs are (x0+x1+x2+x3/2)/3.5 and (x3/2+x4+x5+x6)/3.5.
	row := []float64{1, 2, 3, 4, 5, 6, 7}
	got, err = Resample(row, ImageShape{7, 1, 1}, ImageShape{2, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if w0, w1 := (1+2+3+2.0)/3.5, (2+5+6+7.0)/3.5; math.Abs(got[0]-w0) > 1e-12 || math.Abs(got[1]-w1) > 1e-12 {
		t.Fatalf("7 → 2 = %v, want [%v %v]", got, w0, w1)
	}
	// MNIST 28×28 → 8×8 keeps the mean pixel and the range [−1, 1].
	rows, shape, err := Class("digits", 5) // any images; digits are built in
	if err != nil {
		t.Fatal(err)
	}
	big, err := Resample(rows[:64*3], shape, ImageShape{28, 28, 1})
	if err != nil {
		t.Fatal(err)
	}
	small, err := Resample(big, ImageShape{28, 28, 1}, ImageShape{8, 8, 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		mb, ms := mean(big[i*784:(i+1)*784]), mean(small[i*64:(i+1)*64])
		if math.Abs(mb-ms) > 1e-12 {
			t.Errorf("image %d: mean %v at 28×28, %v after area averaging to 8×8", i, mb, ms)
		}
	}
	for _, v := range append(big, small...) {
		if v < -1-1e-12 || v > 1+1e-12 {
			t.Fatalf("resampled value %v outside [−1, 1]", v)
		}
	}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// TestResampleBilinear: enlarging interpolates linearly between pixel
// centres: 2 → 4 samples the input at −0.25, 0.25, 0.75, 1.25, clamped to
// the ends; a linear ramp stays linear inside; a constant stays constant.
func TestResampleBilinear(t *testing.T) {
	got, err := Resample([]float64{0, 1}, ImageShape{2, 1, 1}, ImageShape{4, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 0.25, 0.75, 1}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("2 → 4 = %v, want %v", got, want)
		}
	}
	c := make([]float64, 64)
	for i := range c {
		c[i] = 0.3
	}
	big, _ := Resample(c, ImageShape{8, 8, 1}, ImageShape{28, 20, 1})
	if len(big) != 28*20 {
		t.Fatalf("%d values, want 560", len(big))
	}
	for _, v := range big {
		if math.Abs(v-0.3) > 1e-12 {
			t.Fatalf("constant image resampled to %v", v)
		}
	}
	if _, err := Resample(c[:63], ImageShape{8, 8, 1}, ImageShape{4, 4, 1}); err == nil {
		t.Error("63 values accepted as 8×8 images")
	}
	if _, err := Resample(c, ImageShape{8, 8, 1}, ImageShape{0, 4, 1}); err == nil {
		t.Error("0×4 accepted")
	}
}

func TestOpenImageOptions(t *testing.T) {
	for _, c := range []struct {
		spec string
		rows int
		w, h int
	}{
		{"digits:3:test", 45, 8, 8},
		{"digits:3:train", 138, 8, 8},
		{"DIGITS:3:28X28", 138, 28, 28},
		{"digits:3:test:4x2", 45, 4, 2},
		{"digits:3:crop6", 138, 6, 6},
		{"digits:3:16x16:crop7:test", 45, 16, 16},
	} {
		es, err := Open(c.spec)
		if err != nil {
			t.Errorf("%s: %v", c.spec, err)
			continue
		}
		e := es[0]
		if e.Image == nil || e.Image.Width != c.w || e.Image.Height != c.h || e.Marginal.Dim() != c.w*c.h {
			t.Errorf("%s: image %v, dim %d; want %d×%d", c.spec, e.Image, e.Marginal.Dim(), c.w, c.h)
		}
		if n := e.Marginal.(*marginals.Empirical).Len(); n != c.rows {
			t.Errorf("%s: %d images, want %d", c.spec, n, c.rows)
		}
	}
	// crop keeps the centre: cropping 8×8 to 6×6 drops the outer ring.
	full, _, _ := ClassSplit("digits", 3, Test)
	es, _ := Open("digits:3:test:crop6")
	got := es[0].Marginal.(*marginals.Empirical).Row(0)
	for y := 0; y < 6; y++ {
		for x := 0; x < 6; x++ {
			if got[y*6+x] != full[(y+1)*8+x+1] {
				t.Fatalf("crop6 pixel (%d, %d) = %v, want %v", y, x, got[y*6+x], full[(y+1)*8+x+1])
			}
		}
	}
	for _, c := range []struct{ spec, want string }{
		{"digits:3:valid", `unknown option "valid"`},
		{"digits:3:test:train", "a second split option"},
		{"digits:3:crop9", "only 8×8"},
		{"digits:3:crop0", "cropN"},
		{"digits:3:8x", "size WxH"},
		{"digits:3:0x8", "size WxH"},
		{"digits:3:5000x8", "size WxH"},
		{"digits:3:", `unknown option ""`},
	} {
		_, err := Open(c.spec)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.spec) {
			t.Errorf("%s: err = %v, want %q and the element", c.spec, err, c.want)
		}
	}
}

// TestViews: ViewClass is what Open samples from for the same options;
// LoadView holds every class of the view, rounded to 256 levels.
func TestViews(t *testing.T) {
	want, shape, err := ViewClass("digits:crop6:12x12", 3, Test)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := ViewShape("digits:crop6:12x12"); s != shape || shape != (ImageShape{12, 12, 1}) {
		t.Fatalf("shape %v, ViewShape %v, want 12×12", shape, s)
	}
	es, err := Open("digits:3:test:crop6:12x12")
	if err != nil {
		t.Fatal(err)
	}
	emp := es[0].Marginal.(*marginals.Empirical)
	for i := 0; i < emp.Len(); i++ {
		for j, v := range emp.Row(i) {
			if v != want[i*144+j] {
				t.Fatalf("image %d pixel %d: Open %v, ViewClass %v", i, j, v, want[i*144+j])
			}
		}
	}
	im, err := LoadView("digits:crop6:12x12", Test)
	if err != nil {
		t.Fatal(err)
	}
	if im.Len() != 445 || im.Shape != shape || len(im.Pixels) != 445*144 {
		t.Fatalf("LoadView: %d images of %v, %d pixels", im.Len(), im.Shape, len(im.Pixels))
	}
	// Class 3 comes after classes 0, 1, 2 (44 + 45 + 44 test images).
	off := (44 + 45 + 44) * 144
	for j, v := range want {
		got := 2*float64(im.Pixels[off+j])/im.MaxPixel - 1
		if im.Labels[off/144+j/144] != 3 || math.Abs(got-v) > 1/255.0+1e-12 {
			t.Fatalf("LoadView pixel %d: %v (label %d), want %v within 1/255", j, got, im.Labels[off/144+j/144], v)
		}
	}
	for _, bad := range []string{"digits:test", "cifar", "digits:crop9", "digits:3"} {
		if _, err := LoadView(bad, Train); err == nil {
			t.Errorf("LoadView(%q) accepted", bad)
		}
	}
}

package datasets

import (
	"strings"
	"testing"
)

// TestRegionHalves: a half and its opposite cover every pixel exactly
// once, also for odd sizes, and each half has the expected pixels.
func TestRegionHalves(t *testing.T) {
	s := ImageShape{Width: 5, Height: 7}
	for _, r := range []Region{Upper, Lower, Left, Right} {
		a, err := r.Pixels(s)
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.Opposite().Pixels(s)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for i := range a {
			if a[i] == b[i] {
				t.Fatalf("%s and %s: pixel %d in both or neither", r, r.Opposite(), i)
			}
			if a[i] {
				n++
			}
		}
		want := map[Region]int{Upper: 3 * 5, Lower: 4 * 5, Left: 2 * 7, Right: 3 * 7}[r]
		if n != want {
			t.Errorf("%s half of 5×7: %d pixels, want %d", r, n, want)
		}
	}
	in, _ := Upper.Pixels(s)
	if !in[0] || !in[2*5+4] || in[3*5] {
		t.Errorf("upper half of 5×7 = rows 0…2: %v", in)
	}
	if _, err := ParseRegion("middle"); err == nil {
		t.Error("ParseRegion(middle) accepted")
	}
}

// TestPairedViews: the views of one selection are row-aligned: lowN is
// LowRes of the same image, maskR keeps the other half exactly and fills
// R with −1, all lists the set's images in its own order with labels, and
// firstN cuts every view to the same first images.
func TestPairedViews(t *testing.T) {
	open := func(name string) Entry {
		t.Helper()
		es, err := Open(name)
		if err != nil {
			t.Fatal(err)
		}
		return es[0]
	}
	im, err := LoadImages("digits", Test)
	if err != nil {
		t.Fatal(err)
	}
	full, low, masked := open("digits:all:test"), open("digits:all:test:low4"), open("digits:all:test:masklower")
	n, ok := full.Rows()
	if !ok || n != im.Len() {
		t.Fatalf("digits:all:test has %d rows (%v), the split %d images", n, ok, im.Len())
	}
	if full.Source != "digits:all:test" || low.Source != full.Source || masked.Source != full.Source {
		t.Fatalf("sources %q %q %q, want one", full.Source, low.Source, masked.Source)
	}
	rows := func(e Entry) []float64 {
		x := make([]float64, 0, n*64)
		for i := range n {
			x = append(x, row(e, i)...)
		}
		return x
	}
	fx := rows(full)
	for i := range n {
		if full.Labels[i] != int(im.Labels[i]) {
			t.Fatalf("label of row %d: %d, the set says %d", i, full.Labels[i], im.Labels[i])
		}
		for j := range 64 {
			if want := 2*float64(im.Pixels[i*64+j])/16 - 1; fx[i*64+j] != want {
				t.Fatalf("row %d pixel %d = %v, the set's image %v", i, j, fx[i*64+j], want)
			}
		}
	}
	wantLow, err := LowRes(fx, ImageShape{8, 8, 1}, 4)
	if err != nil {
		t.Fatal(err)
	}
	lx, mx := rows(low), rows(masked)
	for i := range fx {
		if lx[i] != wantLow[i] {
			t.Fatalf("low4 value %d = %v, LowRes of the image %v", i, lx[i], wantLow[i])
		}
		if y := i % 64 / 8; y < 4 && mx[i] != fx[i] || y >= 4 && mx[i] != -1 {
			t.Fatalf("masklower value %d (image row %d) = %v, image %v", i, y, mx[i], fx[i])
		}
	}
	// LowRes of a constant image is the constant.
	c, err := LowRes([]float64{0.25, 0.25, 0.25, 0.25}, ImageShape{2, 2, 1}, 1)
	if err != nil || c[0] != 0.25 || c[3] != 0.25 {
		t.Fatalf("LowRes of a constant = %v, %v", c, err)
	}
	first := open("digits:all:test:first10:low4")
	if m, _ := first.Rows(); m != 10 || first.Source != "digits:all:test:first10" || len(first.Labels) != 10 {
		t.Fatalf("first10: %d rows, source %q, %d labels", m, first.Source, len(first.Labels))
	}
	for i := range 10 {
		for j, v := range row(first, i) {
			if v != lx[i*64+j] {
				t.Fatalf("first10:low4 row %d differs from low4 row %d", i, i)
			}
		}
	}
	three := open("digits:3:masklower")
	if three.Source != "digits:3:train" || three.Labels[0] != 3 {
		t.Errorf("digits:3:masklower: source %q, label %d", three.Source, three.Labels[0])
	}
	if toy := open("moons"); toy.Source != "" {
		t.Errorf("moons has source %q", toy.Source)
	} else if _, ok := toy.Rows(); ok {
		t.Error("moons has rows")
	}
}

func row(e Entry, i int) []float64 {
	type rower interface{ Row(int) []float64 }
	return e.Marginal.(rower).Row(i)
}

// TestPairedViewErrors: malformed options are refused with the option
// named.
func TestPairedViewErrors(t *testing.T) {
	for name, want := range map[string]string{
		"digits:all:low0":               "low0",
		"digits:all:maskmiddle":         "maskmiddle",
		"digits:all:first0":             "first0",
		"digits:all:low2:low3":          "a second low option",
		"digits:all:masklower:maskleft": "a second mask option",
		"digits:al":                     "class must be a digit 0…9 or all",
	} {
		if _, err := Open(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) = %v, want an error with %q", name, err, want)
		}
	}
	if _, err := ViewShape("digits:first10"); err == nil {
		t.Error("ViewShape(digits:first10) accepted")
	}
}

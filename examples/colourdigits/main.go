// Command colourdigits makes and measures mmi's colour example, which
// needs no download: MNIST digits (from the Go module cache, see package
// datasets) in two colour casts, as two folders of PNG files, so that
// translating one folder into the other must change the colour and keep
// the digit.
//
//	go run ./examples/colourdigits make DIR
//
// writes DIR/orange and DIR/blue (3000 training digits each, different
// images, 28×28), and DIR/orange-test (300 held-out test digits, for mmi
// transfer --in). A digit of ink p ∈ [0, 1] (MNIST's level / 255) has the
// channel levels 0.6·p + cast, the cast (0.4, 0.15, 0) in orange and
// (0, 0.15, 0.4) in blue: a digit photographed under two lights. The two
// marginals differ by a shift of every pixel, which is what makes the
// translation through the Gaussian keep the digit (see
// docs/images-folders.md). Files are named INDEX-LABEL.png.
//
//	go run ./examples/colourdigits measure SIZE FOLDER…
//
// prints, for each folder (its images resized to SIZE, e.g. 14x14, as mmi
// train --size does), the colour cast: the mean of R − B over all pixels
// in levels 0…255 (+102 for orange, −102 for blue), and the share of
// images whose grayscale version (the mean of the channels, stretched to
// the full range image by image) the MNIST classifier of that size
// (classify, view mnist:WxH) reads as the label in the file name.
package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mmi-go/mmi/classify"
	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/viz"
)

// The colour casts of the two marginals, and the share of the range the
// ink takes.
var (
	orange = [3]float64{0.4, 0.15, 0}
	blue   = [3]float64{0, 0.15, 0.4}
)

const inkShare = 0.6

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "colourdigits:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 2 && args[0] == "make":
		return makeFolders(args[1])
	case len(args) >= 3 && args[0] == "measure":
		return measure(args[1], args[2:])
	}
	return errors.New("usage: colourdigits make DIR | colourdigits measure WxH FOLDER…")
}

// makeFolders writes the three folders of the example into dir.
func makeFolders(dir string) error {
	train, err := datasets.LoadImages("mnist", datasets.Train)
	if err != nil {
		return err
	}
	test, err := datasets.LoadImages("mnist", datasets.Test)
	if err != nil {
		return err
	}
	// Training images 0, 2, 4, … are drawn in orange and 1, 3, 5, … in
	// blue: the two folders hold different digits. The first 300 test
	// images are the held-out sources.
	for _, f := range []struct {
		name   string
		im     *datasets.Images
		colour [3]float64
		first  int
		step   int
		n      int
	}{
		{"orange", train, orange, 0, 2, 3000},
		{"blue", train, blue, 1, 2, 3000},
		{"orange-test", test, orange, 0, 1, 300},
	} {
		out := filepath.Join(dir, f.name)
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
		s := f.im.Shape
		d := s.Width * s.Height
		row := make([]float64, 3*d)
		for k := 0; k < f.n; k++ {
			i := f.first + k*f.step
			for j, p := range f.im.Pixels[i*d : (i+1)*d] {
				ink := float64(p) / f.im.MaxPixel
				for c := 0; c < 3; c++ {
					// The 8-bit level, as the value a PNG reader gives.
					row[3*j+c] = 2*math.Round(255*(inkShare*ink+f.colour[c]))/255 - 1
				}
			}
			name := fmt.Sprintf("%05d-%d.png", i, f.im.Labels[i])
			if err := viz.WritePicture(filepath.Join(out, name), row, s.Width, s.Height, 3, -1, 1); err != nil {
				return err
			}
		}
		fmt.Printf("wrote %d images to %s\n", f.n, out)
	}
	return nil
}

// measure prints the red share and the classifier's reading of each
// folder, at size size.
func measure(size string, folders []string) error {
	ws, hs, _ := strings.Cut(size, "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if err1 != nil || err2 != nil || w < 1 || h < 1 {
		return fmt.Errorf("size %q: want WxH", size)
	}
	view := fmt.Sprintf("mnist:%dx%d", w, h)
	if w == 28 && h == 28 {
		view = "mnist"
	}
	c, err := classify.Load(context.Background(), view, &classify.Options{Log: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Printf("%-28s %6s %10s %14s\n", "folder", "images", "mean R − B", "read as label")
	for _, dir := range folders {
		f, err := datasets.ReadFolder(dir, datasets.Options{Size: datasets.ImageShape{Width: w, Height: h}})
		if err != nil {
			return err
		}
		if f.Shape.C() != 3 {
			return fmt.Errorf("%s: grayscale images, want colour", dir)
		}
		n, d := len(f.Files), w*h
		var cast float64
		gray := make([]float64, n*d)
		for i := 0; i < n*d; i++ {
			r, g, b := f.Rows[3*i], f.Rows[3*i+1], f.Rows[3*i+2]
			cast += (r - b) / 2 * 255
			gray[i] = (r + g + b) / 3
		}
		for k := 0; k < n; k++ {
			stretch(gray[k*d : (k+1)*d])
		}
		classes, _, err := c.Predict(gray, false)
		if err != nil {
			return err
		}
		right, labelled := 0, 0
		for i, name := range f.Files {
			_, l, ok := strings.Cut(strings.TrimSuffix(name, filepath.Ext(name)), "-")
			want, err := strconv.Atoi(l)
			if !ok || err != nil {
				continue
			}
			labelled++
			if classes[i] == want {
				right++
			}
		}
		rate := "-"
		if labelled > 0 {
			rate = fmt.Sprintf("%.3f", float64(right)/float64(labelled))
		}
		fmt.Printf("%-28s %6d %10.1f %14s\n", dir, n, cast/float64(n*d), rate)
	}
	return nil
}

// stretch maps the values of one image linearly onto [−1, 1], its darkest
// pixel to −1 and its brightest to 1 (a flat image to −1).
func stretch(x []float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
	}
	for i, v := range x {
		if hi > lo {
			x[i] = 2*(v-lo)/(hi-lo) - 1
		} else {
			x[i] = -1
		}
	}
}

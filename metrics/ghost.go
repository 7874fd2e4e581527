package metrics

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// Ghost measures ghosting in images meant as one class: ink where real
// images of the class almost never have any, such as the faint strokes of
// a source digit left in a translation (a sneaker with a 7 painted on it
// still reads as a sneaker to a classifier). It is fitted on real images
// of the class (NewGhost) and scores others (Score).
//
// Pixels are on a scale from Lo (no ink) to Hi (full intensity). A pixel
// has ink when it is above Lo + InkLevel·(Hi − Lo). The forbidden pixels
// are those where the mean intensity of the class's training images,
// (mean − Lo)/(Hi − Lo), is below ForbiddenMean. The ink share of a set of
// images is the ink on forbidden pixels divided by all their ink (pooled
// over the set); the score divides it by the ink share of the class's real
// test images, so real images score about 1 and a ghost scores more.
type Ghost struct {
	Lo, Hi    float64
	Forbidden []bool  // per pixel
	Reference float64 // ink share of the real test images
	d         int
}

// InkLevel and ForbiddenMean are Ghost's thresholds: ink is above 0.3 of
// full intensity; a pixel is forbidden where the class's mean intensity is
// below 5 %.
const (
	InkLevel      = 0.3
	ForbiddenMean = 0.05
)

// NewGhost fits a Ghost to the real training images train and test images
// test of one class (rows of d pixels on the scale lo … hi; mmi's images
// use −1 … 1). It fails when a set is empty or the test images have no ink
// at all, or no pixel is forbidden (the class covers the whole frame).
func NewGhost(train, test []float64, d int, lo, hi float64) (*Ghost, error) {
	if d < 1 || len(train) == 0 || len(test) == 0 || len(train)%d != 0 || len(test)%d != 0 {
		return nil, fmt.Errorf("metrics: ghost needs whole images of %d pixels, got %d and %d values", d, len(train), len(test))
	}
	if !(hi > lo) {
		return nil, fmt.Errorf("metrics: ghost pixel scale %v … %v", lo, hi)
	}
	mean := make([]float64, d)
	for i, v := range train {
		mean[i%d] += v
	}
	n := float64(len(train) / d)
	g := &Ghost{Lo: lo, Hi: hi, Forbidden: make([]bool, d), d: d}
	any := false
	for j, s := range mean {
		if (s/n-lo)/(hi-lo) < ForbiddenMean {
			g.Forbidden[j] = true
			any = true
		}
	}
	if !any {
		return nil, errors.New("metrics: ghost: no pixel where the class almost never has ink")
	}
	g.Reference = g.InkShare(test)
	if !(g.Reference > 0) {
		return nil, errors.New("metrics: ghost: the real test images have no ink on the forbidden pixels, so no ratio can be formed")
	}
	return g, nil
}

// InkShare returns the share of the ink of the images x (rows of the
// fitted size) that lies on forbidden pixels; 0 for images without ink.
func (g *Ghost) InkShare(x []float64) float64 {
	on, all := g.ink(x)
	sumOn, sumAll := floats.Sum(on), floats.Sum(all)
	if sumAll == 0 {
		return 0
	}
	return sumOn / sumAll
}

// ink returns, per image of x, the number of its pixels with ink on
// forbidden pixels and in all.
func (g *Ghost) ink(x []float64) (on, all []float64) {
	if len(x)%g.d != 0 {
		panic(fmt.Sprintf("metrics: ghost: %d values are not whole images of %d pixels", len(x), g.d))
	}
	n := len(x) / g.d
	level := g.Lo + InkLevel*(g.Hi-g.Lo)
	on, all = make([]float64, n), make([]float64, n)
	for i, v := range x {
		if v > level {
			all[i/g.d]++
			if g.Forbidden[i%g.d] {
				on[i/g.d]++
			}
		}
	}
	return on, all
}

// Score returns InkShare(x) / Reference: about 1 for real images of the
// class, more for images with ink where the class has none.
func (g *Ghost) Score(x []float64) float64 { return g.InkShare(x) / g.Reference }

// ScoreSE returns Score(x) and its standard error over the images of x,
// by the delta method for a ratio of sums: with on_i and all_i the ink of
// image i on forbidden pixels and in all, R = Σ on_i / Σ all_i and
//
//	SE(R)² = Σ_i (on_i − R·all_i)² / (n(n − 1)·mean(all)²) ,
//
// divided by Reference like the score (the reference, fitted once on the
// class's test images, is taken as fixed). A pair's ghost at 60
// translations has an error of 10–25 % of its value, so a claim such as
// "≤ 1.5" needs it. The error is NaN for fewer than two images or no ink.
func (g *Ghost) ScoreSE(x []float64) (score, se float64) {
	on, all := g.ink(x)
	n, sumAll := len(on), floats.Sum(all)
	if sumAll == 0 {
		return 0, math.NaN() // InkShare's 0 for images without ink
	}
	r := floats.Sum(on) / sumAll
	if n < 2 {
		return r / g.Reference, math.NaN()
	}
	ss := 0.0
	for i := range on {
		e := on[i] - r*all[i]
		ss += e * e
	}
	mean := sumAll / float64(n)
	return r / g.Reference, math.Sqrt(ss/(float64(n)*float64(n-1))) / mean / g.Reference
}

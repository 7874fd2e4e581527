package datasets

import (
	"fmt"
	"strings"
)

// Region is a part of an image: the upper, lower, left or right half. A
// view option maskR sets region R to the background (the input of
// in-painting); the complement is the part such an image keeps.
type Region string

// The regions. For an odd height (width) the middle row (column) belongs
// to the lower (right) half, so that a half and its opposite cover the
// image without overlap.
const (
	Upper Region = "upper"
	Lower Region = "lower"
	Left  Region = "left"
	Right Region = "right"
)

// ParseRegion reads "upper", "lower", "left" or "right".
func ParseRegion(s string) (Region, error) {
	switch r := Region(strings.ToLower(strings.TrimSpace(s))); r {
	case Upper, Lower, Left, Right:
		return r, nil
	}
	return "", fmt.Errorf("unknown region %q: want upper, lower, left or right", s)
}

// Opposite returns the other half: what an image masked in r keeps.
func (r Region) Opposite() Region {
	switch r {
	case Upper:
		return Lower
	case Lower:
		return Upper
	case Left:
		return Right
	case Right:
		return Left
	}
	return ""
}

// Pixels returns, for images of size s, whether each value of a sample
// (row-major pixels, channels innermost) lies in r.
func (r Region) Pixels(s ImageShape) ([]bool, error) {
	if s.Width < 1 || s.Height < 1 {
		return nil, fmt.Errorf("datasets: region of a %d×%d image", s.Width, s.Height)
	}
	c := s.C()
	in := make([]bool, 0, s.Dim())
	for y := 0; y < s.Height; y++ {
		for x := 0; x < s.Width; x++ {
			var ok bool
			switch r {
			case Upper:
				ok = y < s.Height/2
			case Lower:
				ok = y >= s.Height/2
			case Left:
				ok = x < s.Width/2
			case Right:
				ok = x >= s.Width/2
			default:
				return nil, fmt.Errorf("datasets: unknown region %q", string(r))
			}
			for range c {
				in = append(in, ok)
			}
		}
	}
	return in, nil
}

// Fill returns a copy of rows (whole images of size s) with the values in
// r set to v (the background −1 of mmi's images).
func (r Region) Fill(rows []float64, s ImageShape, v float64) ([]float64, error) {
	in, err := r.Pixels(s)
	if err != nil {
		return nil, err
	}
	d := len(in)
	if len(rows)%d != 0 {
		return nil, fmt.Errorf("datasets: mask: %d values are not whole %d×%d images", len(rows), s.Width, s.Height)
	}
	out := append([]float64(nil), rows...)
	for i := range out {
		if in[i%d] {
			out[i] = v
		}
	}
	return out, nil
}

// LowRes returns a low-resolution copy of rows (whole images of size s)
// at the same size: each image area-averaged to n×n pixels and enlarged
// back to s bilinearly (see Resample), the input of super-resolution and
// the plain-upsampling baseline it is measured against. Values stay in
// the input's range.
func LowRes(rows []float64, s ImageShape, n int) ([]float64, error) {
	small := ImageShape{Width: n, Height: n, Channels: s.Channels}
	lo, err := Resample(rows, s, small)
	if err != nil {
		return nil, err
	}
	return Resample(lo, small, s)
}

// openAll opens NAME:all[:OPTION…]: every image of the split of the
// labelled set s, in the set's own order (classes mixed, as the files
// list them), with their labels.
func openAll(s *labelled, elem, opts string, hasOpts bool) ([]Entry, error) {
	var v imageView
	if hasOpts {
		var err error
		if v, err = parseImageOptions(opts, s.shape); err != nil {
			return nil, fmt.Errorf("datasets: %q: %w", elem, err)
		}
	}
	im, err := LoadImages(s.name, v.Split)
	if err != nil {
		return nil, err
	}
	n := im.Len()
	if v.First > 0 {
		n = min(n, v.First)
	}
	d := im.Shape.Width * im.Shape.Height
	rows := make([]float64, n*d)
	for i, p := range im.Pixels[:n*d] {
		rows[i] = 2*float64(p)/im.MaxPixel - 1
	}
	labels := make([]int, n)
	for i, l := range im.Labels[:n] {
		labels[i] = int(l)
	}
	rows, shape, err := v.transform(rows, im.Shape)
	if err != nil {
		return nil, err
	}
	return viewEntry(elem, rows, shape, labels, v.source(s.name, "all"))
}

// source names the images a view with options v of class (a digit or
// "all") of set shows: views with one source are row-aligned.
func (v imageView) source(set, class string) string {
	src := set + ":" + class + ":" + v.Split.String()
	if v.First > 0 {
		src += fmt.Sprintf(":first%d", v.First)
	}
	return src
}

// CheckPaired reports whether entries can be paired row by row (the
// paired coupling, row r of every entry one tuple): every entry must have
// rows (a sample file, a folder, a view of a labelled set; not a toy
// generator or a specification entry), all as many, and views of labelled
// sets must show the same images (one Source: mnist:all:low7 and mnist:all
// pair, mnist:3 and mnist:all do not). It returns the number of rows, or
// an error of one line naming the sets and their sizes.
func CheckPaired(entries []Entry) (int, error) {
	var sizes []string
	rows, equal := -1, true
	for _, e := range entries {
		n, ok := e.Rows()
		if !ok {
			return 0, fmt.Errorf("datasets: %s is a generator without rows; paired data sets are row-aligned files (.csv, .npy), folders or views of a labelled set (mnist:all, mnist:all:low7)", e.Name)
		}
		sizes = append(sizes, fmt.Sprintf("%s %d rows", e.Name, n))
		equal = equal && (rows < 0 || n == rows)
		rows = n
	}
	if !equal {
		return 0, fmt.Errorf("datasets: paired data sets need equal row counts, have %s", strings.Join(sizes, ", "))
	}
	var first *Entry
	for i, e := range entries {
		if e.Source == "" {
			continue
		}
		if first != nil && e.Source != first.Source {
			return 0, fmt.Errorf("datasets: %s (%d rows) shows the images %s, %s the images %s; paired views must show the same images (the same set, class or all, split and firstN)", first.Name, rows, first.Source, e.Name, e.Source)
		}
		if first == nil {
			first = &entries[i]
		}
	}
	return max(rows, 0), nil
}

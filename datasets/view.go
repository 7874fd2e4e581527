package datasets

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// imageView says which images of a labelled class an element
// NAME:CLASS[:OPTION…] of a --data list stands for, and how they are
// transformed (see Open). The options, separated by colons, in any order,
// each at most once:
//
//	train   the training split (the default)
//	test    the held-out split (see Test): source images a model has not
//	        seen, e.g. for mmi transfer --in
//	cropN   keep the central N×N pixels (N ≤ the image size; for odd
//	        margins the extra pixel is cut at the bottom and right):
//	        MNIST draws its digits in the central 20×20 box, the UCI
//	        digits fill their frame, so crop20 makes the two comparable
//	WxH     resample to W×H pixels (Resample: area averages to shrink,
//	        bilinear to enlarge), after any crop
//	lowN    a low-resolution copy at the same size: area-averaged to N×N
//	        and enlarged back (bilinear), after any crop and WxH; the
//	        input of super-resolution (see LowRes)
//	maskR   the region R (upper, lower, left or right half; see Region)
//	        set to the background −1, last: the input of in-painting
//	firstN  only the first N images of the selection (in the set's
//	        order), e.g. to evaluate on part of a test split
//
// For example mnist:3:test:crop20:8x8 is the MNIST test images of class 3,
// cropped to 20×20 and area-averaged to the UCI digits' 8×8, and
// mnist:all:test:low7 every MNIST test image at 7×7 shown at 28×28. The
// views of one selection (set, class or all, split, firstN) list the same
// images in the same order, so they are row-aligned: paired data
// (Entry.Source).
type imageView struct {
	Split Split
	// Crop is the side of the central square kept, 0 for the whole
	// image.
	Crop int
	// Size is the output size, the zero value for the (cropped) size.
	Size ImageShape
	// Low is the side of the low-resolution copy, 0 for none.
	Low int
	// Mask is the region set to the background, "" for none.
	Mask Region
	// First is the number of images kept, 0 for all.
	First int
}

// parseImageOptions parses the colon-separated options of NAME:CLASS
// (everything after the class) for images of size native.
func parseImageOptions(opts string, native ImageShape) (imageView, error) {
	var v imageView
	seen := map[string]bool{}
	for _, o := range strings.Split(opts, ":") {
		kind := o
		switch {
		case o == "train" || o == "test":
			kind = "split"
			if o == "test" {
				v.Split = Test
			}
		case strings.HasPrefix(o, "crop"):
			kind = "crop"
			n, err := strconv.Atoi(o[len("crop"):])
			if err != nil || n < 1 {
				return v, fmt.Errorf("option %q: want cropN with N a positive number of pixels, e.g. crop20", o)
			}
			if n > native.Width || n > native.Height {
				return v, fmt.Errorf("option %q: the images are only %d×%d", o, native.Width, native.Height)
			}
			v.Crop = n
		case strings.HasPrefix(o, "low"):
			kind = "low"
			n, err := strconv.Atoi(o[len("low"):])
			if err != nil || n < 1 || n > 1024 {
				return v, fmt.Errorf("option %q: want lowN with N a number of pixels 1…1024, e.g. low7", o)
			}
			v.Low = n
		case strings.HasPrefix(o, "mask"):
			kind = "mask"
			r, err := ParseRegion(o[len("mask"):])
			if err != nil {
				return v, fmt.Errorf("option %q: %w", o, err)
			}
			v.Mask = r
		case strings.HasPrefix(o, "first"):
			kind = "first"
			n, err := strconv.Atoi(o[len("first"):])
			if err != nil || n < 1 {
				return v, fmt.Errorf("option %q: want firstN with N a positive number of images, e.g. first1000", o)
			}
			v.First = n
		case strings.Contains(o, "x"):
			kind = "size"
			ws, hs, _ := strings.Cut(o, "x")
			w, err1 := strconv.Atoi(ws)
			h, err2 := strconv.Atoi(hs)
			if err1 != nil || err2 != nil || w < 1 || h < 1 || w > 1024 || h > 1024 {
				return v, fmt.Errorf("option %q: want a size WxH of 1…1024 pixels each, e.g. 8x8", o)
			}
			v.Size = ImageShape{w, h, 1}
		default:
			return v, fmt.Errorf("unknown option %q: want train, test, cropN, WxH, lowN, maskREGION or firstN (e.g. mnist:3:test:crop20:8x8, mnist:all:test:low7, mnist:all:masklower)", o)
		}
		if seen[kind] {
			return v, fmt.Errorf("option %q: a second %s option", o, kind)
		}
		seen[kind] = true
	}
	return v, nil
}

// rows returns the images of class c of the labelled set named set as v
// says, and their size.
func (v imageView) rows(set string, c int) ([]float64, ImageShape, error) {
	rows, shape, err := ClassSplit(set, c, v.Split)
	if err != nil {
		return nil, ImageShape{}, err
	}
	return v.transform(rows, shape)
}

// transform applies the options of v after the selection (firstN, crop,
// size, low, mask) to rows of images of size shape.
func (v imageView) transform(rows []float64, shape ImageShape) ([]float64, ImageShape, error) {
	var err error
	if d := shape.Width * shape.Height; v.First > 0 && len(rows) > v.First*d {
		rows = rows[:v.First*d]
	}
	if v.Crop > 0 {
		if rows, shape, err = crop(rows, shape, v.Crop); err != nil {
			return nil, ImageShape{}, err
		}
	}
	if v.Size != (ImageShape{}) {
		if rows, err = Resample(rows, shape, v.Size); err != nil {
			return nil, ImageShape{}, err
		}
		shape = v.Size
	}
	if v.Low > 0 {
		if rows, err = LowRes(rows, shape, v.Low); err != nil {
			return nil, ImageShape{}, err
		}
	}
	if v.Mask != "" {
		if rows, err = v.Mask.Fill(rows, shape, -1); err != nil {
			return nil, ImageShape{}, err
		}
	}
	return rows, shape, nil
}

// crop keeps the central n×n pixels of each image.
func crop(rows []float64, s ImageShape, n int) ([]float64, ImageShape, error) {
	if n > s.Width || n > s.Height {
		return nil, s, errors.New("datasets: crop larger than the image")
	}
	x0, y0 := (s.Width-n)/2, (s.Height-n)/2
	d := s.Width * s.Height
	out := make([]float64, 0, len(rows)/d*n*n)
	for i := 0; i+d <= len(rows); i += d {
		for y := y0; y < y0+n; y++ {
			out = append(out, rows[i+y*s.Width+x0:i+y*s.Width+x0+n]...)
		}
	}
	return out, ImageShape{n, n, 1}, nil
}

// splitView parses a view name: a labelled set and options without a
// class, "mnist" or "mnist:crop20:8x8" (the options of Open after
// NAME:CLASS, except train and test: the split is given apart).
func splitView(name string) (*labelled, imageView, error) {
	set, opts, hasOpts := strings.Cut(strings.ToLower(strings.TrimSpace(name)), ":")
	s := findLabelled(set)
	if s == nil {
		return nil, imageView{}, fmt.Errorf("datasets: %q: no labelled set %q (known: %s)", name, set, labelledNames())
	}
	var v imageView
	if hasOpts {
		var err error
		if v, err = parseImageOptions(opts, s.shape); err != nil {
			return nil, v, fmt.Errorf("datasets: %q: %w", name, err)
		}
		for _, o := range strings.Split(opts, ":") {
			if o == "train" || o == "test" {
				return nil, v, fmt.Errorf("datasets: %q: a view of a whole set takes no split option", name)
			}
		}
		if v.First > 0 {
			return nil, v, fmt.Errorf("datasets: %q: a view of a whole set takes no firstN option", name)
		}
	}
	return s, v, nil
}

// ViewClass returns the images of class c in split sp of a view of a
// labelled set: name is the set, optionally followed by the cropN and WxH
// options of Open ("mnist", "mnist:crop20:8x8"), so that
// ViewClass("mnist:crop20:8x8", 3, Test) is what Open("mnist:3:test:crop20:8x8")
// samples from.
func ViewClass(name string, c int, sp Split) ([]float64, ImageShape, error) {
	s, v, err := splitView(name)
	if err != nil {
		return nil, ImageShape{}, err
	}
	v.Split = sp
	return v.rows(s.name, c)
}

// LoadView returns split sp of a view of a labelled set (see ViewClass),
// all classes, class by class. Without options it is LoadImages. A crop
// keeps the raw pixels; resampled pixels are averages, rounded to 256
// levels of [−1, 1] (MaxPixel 255), a rounding of at most 1/255.
func LoadView(name string, sp Split) (*Images, error) {
	s, v, err := splitView(name)
	if err != nil {
		return nil, err
	}
	if v.Crop == 0 && v.Size == (ImageShape{}) && v.Low == 0 && v.Mask == "" && v.First == 0 {
		return LoadImages(s.name, sp)
	}
	im := &Images{MaxPixel: 255}
	for c := 0; c < 10; c++ {
		v.Split = sp
		rows, shape, err := v.rows(s.name, c)
		if err != nil {
			return nil, err
		}
		im.Shape = shape
		for _, x := range rows {
			im.Pixels = append(im.Pixels, byte(math.Round((max(-1, min(1, x))+1)/2*255)))
		}
		for range len(rows) / (shape.Width * shape.Height) {
			im.Labels = append(im.Labels, byte(c))
		}
	}
	return im, nil
}

// ViewShape returns the image size of a view (see ViewClass) without
// reading any data.
func ViewShape(name string) (ImageShape, error) {
	s, v, err := splitView(name)
	if err != nil {
		return ImageShape{}, err
	}
	return v.shape(s.shape), nil
}

// shape returns the size of the images of native size s under v.
func (v imageView) shape(s ImageShape) ImageShape {
	if v.Crop > 0 {
		s = ImageShape{v.Crop, v.Crop, 1}
	}
	if v.Size != (ImageShape{}) {
		s = v.Size
	}
	return s
}

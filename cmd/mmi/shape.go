package main

import (
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/internal/capacity"
)

func addShapeFlag(cmd *cobra.Command, s *string) {
	cmd.Flags().StringVar(s, "shape", "", "with --png: draw each sample as a W×H image (WxH, W·H = the dimension), for models of images read from sample files")
}

// parseShape parses --shape WxH.
func parseShape(s string) (datasets.ImageShape, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 1 || h < 1 {
		return datasets.ImageShape{}, usagef("--shape %q: want WxH with positive widths, e.g. --shape 28x28", s)
	}
	return datasets.ImageShape{Width: w, Height: h, Channels: 1}, nil
}

// folderOptions returns how folders of images in --data are read: resized
// to --size WxH if given, refused if they would not fit in memory.
func folderOptions(size string) (datasets.Options, error) {
	o := datasets.Options{MaxBytes: capacity.PhysicalMemory()}
	if size == "" {
		return o, nil
	}
	ws, hs, ok := strings.Cut(strings.ToLower(strings.TrimSpace(size)), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 1 || h < 1 || w > 4096 || h > 4096 {
		return o, usagef("--size %q: want WxH of 1…4096 pixels each, e.g. --size 32x32", size)
	}
	o.Size = datasets.ImageShape{Width: w, Height: h}
	return o, nil
}

// checkPNG decides, before any work is done, how --png draws the model's
// samples, and refuses what it cannot draw. 2-D points are scattered;
// images are drawn as a grid, at the size recorded in the model (an image
// class of --data), else at --shape, else, for a dimension d = n², as n×n
// squares. Anything else needs --shape: a picture of 600-pixel samples
// could be 30×20 or 20×30, and of 3-D samples is no picture at all.
// --shape must have as many pixels as the samples have values. An image
// model of 2 pixels (digits:3:2x1) is refused: the 2-D pictures are scatter
// plots, which would show its pixel values as points.
func checkPNG(png, shape string, gen *generate.Generator) error {
	_, d := gen.Sizes()
	if png != "" && d == 2 && (shape != "" || gen.Image() != nil) {
		return usagef("--png: these samples are 2-pixel images, and 2-D samples are drawn as scatter plots of points; resample the images to a larger size (e.g. digits:3:8x8) or drop --png")
	}
	if shape != "" {
		if png == "" {
			return usagef("--shape says how --png draws the samples; give --png too")
		}
		s, err := parseShape(shape)
		if err != nil {
			return err
		}
		if s.Width*s.Height != d {
			return usagef("--shape %dx%d has %d pixels, but the samples have %d values", s.Width, s.Height, s.Width*s.Height, d)
		}
		gen.SetImage(&s)
		return nil
	}
	if png == "" || gen.Image() != nil || d == 2 {
		return nil
	}
	if n := int(math.Round(math.Sqrt(float64(d)))); n*n == d && n > 1 {
		gen.SetImage(&datasets.ImageShape{Width: n, Height: n, Channels: 1})
		return nil
	}
	return usagef("--png draws 2-D points or images; these %d-dimensional samples are not a square image: give --shape WxH (W·H = %d) to draw them as images", d, d)
}

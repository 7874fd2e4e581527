package samplefile

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testData returns n×d numbers that stress exact round trips: random
// values over many magnitudes, negative zero, subnormals and the largest
// finite float64.
func testData(n, d int) []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
	}
	special := []float64{math.Copysign(0, -1), 5e-324, math.MaxFloat64, -math.SmallestNonzeroFloat64 * 3, 1.0 / 3}
	copy(x, special)
	return x
}

func equalBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// TestRoundTrip writes and reads back both formats: the numbers must come
// back bit for bit (a CSV writer with fixed precision, or an NPY writer
// with the wrong byte order, fails), and the dimension must survive.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"x.csv", "x.npy", "X.CSV", "X.NPY"} {
		for _, shape := range [][2]int{{1, 1}, {7, 1}, {1, 5}, {300, 3}, {9000, 2}} {
			n, d := shape[0], shape[1]
			x := testData(n, d)
			path := filepath.Join(dir, name)
			if err := Write(path, x, d); err != nil {
				t.Fatalf("%s %v: Write: %v", name, shape, err)
			}
			y, dy, err := Read(path)
			if err != nil {
				t.Fatalf("%s %v: Read: %v", name, shape, err)
			}
			if dy != d || !equalBits(x, y) {
				t.Fatalf("%s %v: read back d=%d, %d numbers, not the %d written", name, shape, dy, len(y), len(x))
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("directory holds %d files after the writes, want 4 (temporary files left behind?)", len(entries))
	}
}

// TestWriteAtomicKeepsOldFile checks that a failed write leaves the file
// that was there untouched and no temporary file behind.
func TestWriteAtomicKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keep.csv")
	if err := Write(path, []float64{1, 2}, 2); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []float64{1, math.NaN()}, 2); err == nil {
		t.Fatal("writing a NaN succeeded")
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "1,2\n" {
		t.Errorf("old file now %q, %v; want %q", b, err, "1,2\n")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in directory after a failed write, want 1", len(entries))
	}
	if err := Write(filepath.Join(dir, "missing", "x.npy"), []float64{1}, 1); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
	if err := Write(filepath.Join(dir, "x.txt"), []float64{1}, 1); err == nil || !strings.Contains(err.Error(), ".csv or .npy") {
		t.Errorf("unknown extension: err = %v", err)
	}
	if err := Write(filepath.Join(dir, "e.npy"), nil, 3); err == nil {
		t.Error("writing no samples succeeded; Read would refuse the file")
	}
	if _, _, err := Read(filepath.Join(dir, "absent.csv")); err == nil {
		t.Error("reading a missing file succeeded")
	}
}

func TestWriteShapePanics(t *testing.T) {
	for _, c := range []struct {
		n, d int
	}{{5, 2}, {4, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Write of %d numbers with d=%d did not panic", c.n, c.d)
				}
			}()
			Write(filepath.Join(t.TempDir(), "p.csv"), make([]float64, c.n), c.d)
		}()
	}
}

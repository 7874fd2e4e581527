package samplefile

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/internal/fuzzcheck"
)

// The fuzz targets below run their f.Add seeds and the files in
// testdata/fuzz/<target>/ as ordinary tests; `go test -fuzz` explores
// further. Each checks, for every input, that the reader
//   - does not panic or hang;
//   - allocates no more than a fixed base plus a multiple of the input's
//     size, whatever sizes the input declares (an NPY header of 10^12
//     rows, a CSV line of absurd width);
//   - returns an error that is one line naming the file;
//   - returns, when it accepts the input, a well-formed finite batch that
//     a write and a second read reproduce bit for bit.

// csvAllocPerByte bounds what ReadCSV keeps per input byte: a one-digit
// field followed by a separator (2 bytes) becomes an 8-byte float64 and a
// 16-byte string header, each in a slice that may be grown by doubling
// (so up to ~3× that in copies): (8+16)·3 / 2 = 36 bytes per input byte.
const csvAllocPerByte = 40

// npyAllocPerByte bounds what ReadNPY keeps per input byte: a 1-byte
// element becomes an 8-byte float64, in a slice grown by doubling (~3×
// in copies), plus the same again for a Fortran-order transpose.
const npyAllocPerByte = 48

// allocBase covers fixed buffers: the 64 KiB-element chunk of NPY reads
// (512 KiB of float64, its byte buffer) and the CSV scanner's buffer.
const allocBase = 4 << 20

func FuzzReadCSV(f *testing.F) {
	for _, seed := range []string{
		"1,2\n3,4\n",
		"x,y\n1.5,-2e3\n",
		"# numpy\n1 2 3\n4 5 6\n",
		"1,2\nNaN,4\n",
		"1e999\n2\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var x []float64
		var d int
		var err error
		fuzzcheck.Bounded(t, fuzzcheck.Limit(len(b), csvAllocPerByte, allocBase), func() {
			x, d, err = ReadCSV(bytes.NewReader(b), "fuzz.csv")
		})
		if err != nil {
			fuzzcheck.Error(t, err, "samplefile: fuzz.csv")
			return
		}
		checkBatch(t, x, d)
		var out bytes.Buffer
		if err := WriteCSV(&out, x, d); err != nil {
			t.Fatalf("accepted values cannot be written: %v", err)
		}
		y, dy, err := ReadCSV(&out, "rewritten.csv")
		if err != nil || dy != d || !equalBits(x, y) {
			t.Fatalf("rewritten file reads back differently (d %d, %d): %v", d, dy, err)
		}
	})
}

// FuzzReadNPY reads each input twice: from a reader whose length is
// known (the declared size is checked before reading, as Read does with a
// file) and from one whose length is not (memory then grows as data
// arrives). Both must agree.
func FuzzReadNPY(f *testing.F) {
	six := pack(le, []float64{1, 2, 3, 4, 5, 6})
	for _, seed := range [][]byte{
		npyFile(1, dict("<f8", "False", "(2, 3)"), six),
		npyFile(2, dict("<f4", "True", "(3, 1)"), pack(le, []float32{1, 2, 3})),
		npyFile(3, dict(">i2", "False", "(1, 2)"), pack(be, []int16{1, -2})),
		npyFile(1, dict("|u1", "False", "(1, 1)"), []byte{9}),
		npyFile(1, dict("<f8", "False", "(5,)"), six),
		npyFile(1, dict("<f8", "False", "(1000000000000, 3)"), six),
		npyFile(1, "{'descr': [('a', '<f8')], 'shape': ((1, 2),)}", six),
		npyFile(1, "{'descr': '\\", nil),
		[]byte("\x93NUMPY\x01\x00\x05\x00{'a':"),
		[]byte("\x93NUMPY\x02\x00\x00\x00\x01\x00"),
		nil,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		limit := fuzzcheck.Limit(len(b), npyAllocPerByte, allocBase)
		var x, xs []float64
		var d, ds int
		var err, errs error
		fuzzcheck.Bounded(t, limit, func() {
			x, d, err = ReadNPY(bytes.NewReader(b))
		})
		fuzzcheck.Bounded(t, limit, func() {
			xs, ds, errs = ReadNPY(struct{ io.Reader }{bytes.NewReader(b)})
		})
		if (err == nil) != (errs == nil) {
			t.Fatalf("known length: %v; unknown length: %v", err, errs)
		}
		if err != nil {
			fuzzcheck.Error(t, err, "samplefile: npy: ")
			fuzzcheck.Error(t, errs, "samplefile: npy: ")
			return
		}
		if ds != d || !equalBits(x, xs) {
			t.Fatal("reading with and without a known length differs")
		}
		checkBatch(t, x, d)
		var out bytes.Buffer
		if err := WriteNPY(&out, x, d); err != nil {
			t.Fatalf("accepted values cannot be written: %v", err)
		}
		y, dy, err := ReadNPY(&out)
		if err != nil || dy != d || !equalBits(x, y) {
			t.Fatalf("rewritten file reads back differently: %v", err)
		}
	})
}

// checkBatch fails t unless x is a non-empty batch of finite rows of
// dimension d.
func checkBatch(t *testing.T, x []float64, d int) {
	t.Helper()
	if d < 1 || len(x) == 0 || len(x)%d != 0 {
		t.Fatalf("accepted %d numbers with d=%d", len(x), d)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("accepted non-finite value %v at %d", v, i)
		}
	}
}

// TestReadNPYDeclaredSize checks that a header declaring far more data
// than the file holds is refused up front with the sizes, whether or not
// the reader's length is known, and without allocating for the declared
// size.
func TestReadNPYDeclaredSize(t *testing.T) {
	b := npyFile(1, dict("<f8", "False", "(1000000000000, 3)"), pack(le, []float64{1, 2, 3}))
	_, _, err := ReadNPY(bytes.NewReader(b))
	if err == nil || !strings.Contains(err.Error(), "24000000000000 bytes of data, but only 24 bytes follow the header") {
		t.Errorf("known length: err = %v", err)
	}
	_, _, err = ReadNPY(struct{ io.Reader }{bytes.NewReader(b)})
	if err == nil || !strings.Contains(err.Error(), "truncated after 0 of 3000000000000 numbers") {
		t.Errorf("unknown length: err = %v", err)
	}
}

package samplefile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/mmi-go/mmi/internal/atomicfile"
)

// Read reads the samples in the file at path, chosen by its extension:
// ".csv" (see ReadCSV) or ".npy" (see ReadNPY), in any letter case. It
// returns the n×d samples row-major in data (len(data) = n*d) and d.
// Every error names the file.
func Read(path string) (data []float64, d int, err error) {
	data, shape, err := ReadShape(path)
	return data, prod(shape), err
}

// ReadShape is Read that also returns the shape of one sample: [d] for
// vectors (every CSV file, and NPY arrays of shape (n, d)), [H, W] for
// grayscale images (NPY (n, H, W)) and [H, W, C] for images of C channels
// (NPY (n, H, W, C)), whose pixels are stored row-major, channels
// innermost. The product of the shape is the dimension d.
func ReadShape(path string) (data []float64, shape []int, err error) {
	ext, err := format(path)
	if err != nil {
		return nil, nil, err
	}
	f, err := atomicfile.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("samplefile: %w", err)
	}
	defer f.Close()
	switch ext {
	case ".csv":
		data, d, err := ReadCSV(f, path)
		if err != nil {
			return nil, nil, err
		}
		return data, []int{d}, nil
	default:
		size := int64(-1)
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		return readNPY(bufio.NewReaderSize(f, 1<<16), path, size)
	}
}

// Write writes n = len(data)/d samples of dimension d to the file at path,
// as CSV or NPY by its extension (see WriteCSV, WriteNPY). The file is
// replaced atomically: the samples go to a temporary file in the same
// directory, which is renamed over path only once it is complete, so a
// crash never leaves a half-written file behind (internal/atomicfile).
//
// d < 1 or len(data) not a multiple of d is a programmer error and panics;
// no samples or non-finite values are errors, because Read refuses such
// files.
func Write(path string, data []float64, d int) error {
	checkShape(data, d)
	ext, err := format(path)
	if err != nil {
		return err
	}
	var werr error // the encoder's own errors already say "samplefile:"
	err = atomicfile.Write(path, func(w io.Writer) error {
		if ext == ".csv" {
			werr = WriteCSV(w, data, d)
		} else {
			werr = WriteNPY(w, data, d)
		}
		return werr
	})
	if err != nil && err != werr {
		return fmt.Errorf("samplefile: %w", err)
	}
	return err
}

// format returns the lower-case extension of path if it is a sample file
// format.
func format(path string) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".csv", ".npy":
		return ext, nil
	}
	return "", fmt.Errorf("samplefile: %s: unknown extension %q (want .csv or .npy)", path, ext)
}

// checkShape panics on a d or len(data) that no caller should pass.
func checkShape(data []float64, d int) {
	if d < 1 {
		panic(fmt.Sprintf("samplefile: dimension %d < 1", d))
	}
	if len(data)%d != 0 {
		panic(fmt.Sprintf("samplefile: %d numbers are not rows of dimension %d", len(data), d))
	}
}

// checkWritable returns an error if data cannot be read back: no rows, or
// a value that is NaN or infinite.
func checkWritable(data []float64, d int) error {
	if len(data) == 0 {
		return errors.New("samplefile: no samples to write")
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("samplefile: sample %d, coordinate %d is %v", i/d, i%d, v)
		}
	}
	return nil
}

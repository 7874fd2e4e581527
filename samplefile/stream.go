package samplefile

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/mmi-go/mmi/internal/atomicfile"
)

// WriteStream writes a file of rows samples of dimension d (CSV or NPY by
// the extension of path) whose rows arrive in parts: fill calls put with
// consecutive blocks of rows, in order, so a file of any length is written
// in the memory of one block. The bytes are those Write gives for all the
// rows at once, and the file is replaced atomically (internal/atomicfile): a fill
// that fails or delivers other than rows rows leaves path as it was.
//
// d < 1, rows < 1 or a block that is not whole rows is a programmer error
// and panics; non-finite values are errors.
func WriteStream(path string, rows, d int, fill func(put func(block []float64) error) error) error {
	if d < 1 || rows < 1 {
		panic(fmt.Sprintf("samplefile: WriteStream of %d rows of dimension %d", rows, d))
	}
	ext, err := format(path)
	if err != nil {
		return err
	}
	var werr error // the encoder's own errors already say "samplefile:"
	err = atomicfile.Write(path, func(w io.Writer) error {
		werr = stream(w, path, ext, rows, d, fill)
		return werr
	})
	if err != nil && err != werr {
		return fmt.Errorf("samplefile: %w", err)
	}
	return err
}

// stream writes the file's bytes: the NPY preamble, then the blocks.
func stream(w io.Writer, path, ext string, rows, d int, fill func(put func(block []float64) error) error) error {
	if ext == ".npy" {
		if _, err := w.Write(npyPreamble(rows, d)); err != nil {
			return fmt.Errorf("samplefile: %w", err)
		}
	}
	got := 0
	put := func(block []float64) error {
		checkShape(block, d)
		if n := len(block) / d; n > rows-got {
			return fmt.Errorf("samplefile: %s: more than the %d rows announced", path, rows)
		}
		if len(block) == 0 {
			return nil
		}
		if ext == ".csv" {
			if err := WriteCSV(w, block, d); err != nil {
				return fmt.Errorf("%w (row %d and on)", err, got)
			}
		} else if err := writeNPYData(w, block, d); err != nil {
			return fmt.Errorf("%w (row %d and on)", err, got)
		}
		got += len(block) / d
		return nil
	}
	if err := fill(put); err != nil {
		return err
	}
	if got != rows {
		return fmt.Errorf("samplefile: %s: %d rows written of the %d announced", path, got, rows)
	}
	return nil
}

// writeNPYData writes the data part of an NPY file: little-endian float64.
func writeNPYData(w io.Writer, data []float64, d int) error {
	if err := checkWritable(data, d); err != nil {
		return err
	}
	var buf [8 * 1024]byte
	for i := 0; i < len(data); {
		k := 0
		for ; k+8 <= len(buf) && i < len(data); i, k = i+1, k+8 {
			binary.LittleEndian.PutUint64(buf[k:], math.Float64bits(data[i]))
		}
		if _, err := w.Write(buf[:k]); err != nil {
			return fmt.Errorf("samplefile: %w", err)
		}
	}
	return nil
}

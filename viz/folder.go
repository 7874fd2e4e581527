package viz

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// PNGFolder writes samples that are images as a folder of PNG files, one
// per row, each at its own size (see Picture; values in [Lo, Hi] map to
// the levels 0…255, outside are clamped). Rows are numbered in the whole
// job, so shards of one job write distinct files into one folder.
type PNGFolder struct {
	// Dir is the folder; it is created (not its parents) when the first
	// file is written.
	Dir string
	// Width, Height and Channels (1 or 3) are the size of an image: a
	// row has Width·Height·Channels values, channels innermost.
	Width, Height, Channels int
	// Lo and Hi are the values drawn black and white; both zero mean
	// [−1, 1], the pixel scale of mmi's images.
	Lo, Hi float64
	// Rows is the number of rows of the whole job: the file numbers have
	// as many digits as Rows−1 (at least 4), so names sort as rows.
	Rows int
	// Names, if not nil, names the rows of the whole job instead (len
	// Rows): row i is written as Names[i] with its extension replaced by
	// .png, so that translated images keep the names of their sources.
	Names []string
}

// Name returns the file name of row i: "%0Nd.png" of i, or Names[i] with
// the extension .png.
func (f *PNGFolder) Name(i int) string {
	if f.Names != nil {
		n := filepath.Base(f.Names[i])
		return strings.TrimSuffix(n, filepath.Ext(n)) + ".png"
	}
	digits := max(4, len(strconv.Itoa(max(0, f.Rows-1))))
	return fmt.Sprintf("%0*d.png", digits, i)
}

// Check refuses, before any work is done, to write rows lo…hi−1 when the
// image size is not one of Channels 1 or 3, when Names has another length
// than Rows or two rows would write one file (a.jpg and a.png both give
// a.png), when Dir exists and is not a folder or its parent folder does
// not exist, and when a file to be written exists already, unless
// replace (the error then wraps fs.ErrExist and names the first such
// file and how many there are).
func (f *PNGFolder) Check(lo, hi int, replace bool) error {
	if f.Width < 1 || f.Height < 1 || (f.Channels != 1 && f.Channels != 3) {
		return fmt.Errorf("viz: %s: images of %d×%d pixels of %d channels cannot be written as PNG files (1 or 3 channels)", f.Dir, f.Width, f.Height, f.Channels)
	}
	if f.Names != nil && len(f.Names) != f.Rows {
		return fmt.Errorf("viz: %s: %d names for %d rows", f.Dir, len(f.Names), f.Rows)
	}
	if lo < 0 || hi > f.Rows || lo > hi {
		return fmt.Errorf("viz: %s: rows %d…%d of %d", f.Dir, lo, hi, f.Rows)
	}
	st, err := os.Stat(f.Dir)
	switch {
	case err == nil && !st.IsDir():
		return fmt.Errorf("viz: %s exists and is not a folder", f.Dir)
	case err != nil:
		parent := filepath.Dir(filepath.Clean(f.Dir))
		if pst, perr := os.Stat(parent); perr != nil || !pst.IsDir() {
			return fmt.Errorf("viz: cannot make folder %s: %s is not a folder", f.Dir, parent)
		}
	}
	seen := map[string]int{}
	var exist []string
	for i := lo; i < hi; i++ {
		name := f.Name(i)
		if j, ok := seen[name]; ok {
			return fmt.Errorf("viz: %s: rows %d (%s) and %d (%s) would both be written as %s",
				f.Dir, j, f.Names[j], i, f.Names[i], name)
		}
		seen[name] = i
		if err == nil && !replace {
			if _, serr := os.Lstat(filepath.Join(f.Dir, name)); serr == nil {
				exist = append(exist, name)
			}
		}
	}
	if len(exist) > 0 {
		return existError(fmt.Sprintf("viz: %s already holds %s and %d more of the %d files to write",
			f.Dir, exist[0], len(exist)-1, hi-lo))
	}
	return nil
}

// existError is the error of files that exist; it is fs.ErrExist.
type existError string

func (e existError) Error() string        { return string(e) }
func (e existError) Is(target error) bool { return target == fs.ErrExist }

// WriteStream writes rows lo…hi−1 as their blocks arrive: fill calls put
// with consecutive blocks of whole rows, in order, and each row is written
// at once to its own file, atomically (a temporary file renamed over the
// name once complete), so a run in the memory of one block writes any
// number of files and a crash never leaves a half-written picture. It
// returns an error if fill fails or delivers other than hi − lo rows; the
// files already written stay. Check should be called first.
func (f *PNGFolder) WriteStream(lo, hi int, fill func(put func(block []float64) error) error) error {
	d := f.Width * f.Height * f.Channels
	lohi := [2]float64{f.Lo, f.Hi}
	if lohi == [2]float64{} {
		lohi = [2]float64{-1, 1}
	}
	made := false
	next := lo
	put := func(block []float64) error {
		if d < 1 || len(block)%d != 0 {
			return fmt.Errorf("viz: %s: a block of %d values is not whole images of %d values", f.Dir, len(block), d)
		}
		if next+len(block)/d > hi {
			return fmt.Errorf("viz: %s: more than the %d rows announced", f.Dir, hi-lo)
		}
		if !made && len(block) > 0 {
			if err := os.Mkdir(f.Dir, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("viz: %w", err)
			}
			made = true
		}
		for i := 0; i < len(block); i += d {
			if err := WritePicture(filepath.Join(f.Dir, f.Name(next)), block[i:i+d], f.Width, f.Height, f.Channels, lohi[0], lohi[1]); err != nil {
				return err
			}
			next++
		}
		return nil
	}
	if err := fill(put); err != nil {
		return err
	}
	if next != hi {
		return fmt.Errorf("viz: %s: %d rows written of the %d announced", f.Dir, next-lo, hi-lo)
	}
	return nil
}

package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/samplefile"
	"github.com/mmi-go/mmi/viz"
)

// isFolderOut reports whether --out names a folder of PNG files, one per
// row: a name that ends in a path separator (--out translated/), or an
// existing folder.
func isFolderOut(out string) bool {
	if out == "" {
		return false
	}
	if strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(filepath.Separator)) {
		return true
	}
	st, err := os.Stat(out)
	return err == nil && st.IsDir()
}

// checkOutOrFolder is checkOut for the commands that also write folders
// of PNG files (--out DIR/).
func checkOutOrFolder(cmd *cobra.Command, file string) error {
	if isFolderOut(file) {
		return nil
	}
	if err := checkOut(cmd, file); err != nil {
		return usagef("%v, or name a folder of PNG files: --out DIR/", err)
	}
	return nil
}

// sameFolder reports whether a and b name one existing folder.
func sameFolder(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// replacing reports whether cmd was told to replace existing output files
// (--force).
func replacing(cmd *cobra.Command) bool {
	f := cmd.Flags().Lookup(forceFlag)
	return f != nil && f.Value.String() == "true"
}

// rowsOut is where a command writes the rows lo…hi−1 of a job of n rows:
// a sample file (.csv, .npy) or a folder of PNG files, one per row.
type rowsOut struct {
	file   string
	folder *viz.PNGFolder
	lo, hi int
	cols   int
}

// newRowsOut checks --out before any work is done and returns where the
// rows go. A folder needs images (img, the shape of a row) and refuses to
// replace existing files without --force; names (the files of
// --in DIR, or nil) name the PNG files after their sources, which are
// otherwise numbered by row. For a sample file it checks the folder and
// its free space (cols numbers a row).
func newRowsOut(cmd *cobra.Command, out string, img *datasets.ImageShape, names []string, n, lo, hi, cols int) (*rowsOut, error) {
	r := &rowsOut{file: out, lo: lo, hi: hi, cols: cols}
	if !isFolderOut(out) {
		return r, checkOutDir(cmd, out, sampleFileBytes(hi-lo, cols))
	}
	if img == nil || img.Dim() != cols {
		return nil, usagef("--out %s: a folder of PNG files holds images, and these samples are not images (give a .csv or .npy file)", out)
	}
	r.folder = &viz.PNGFolder{Dir: out, Width: img.Width, Height: img.Height, Channels: img.C(), Rows: n, Names: names}
	if err := r.folder.Check(lo, hi, replacing(cmd)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, usagef("--out %s; give --%s to replace them", strings.TrimPrefix(err.Error(), "viz: "), forceFlag)
		}
		return nil, badInput(err)
	}
	return r, nil
}

// write writes the rows that fill delivers (see samplefile.WriteStream):
// to the sample file, or each to its PNG file as it arrives.
func (r *rowsOut) write(fill func(put func([]float64) error) error) error {
	if r.folder != nil {
		return r.folder.WriteStream(r.lo, r.hi, fill)
	}
	return samplefile.WriteStream(r.file, r.hi-r.lo, r.cols, fill)
}

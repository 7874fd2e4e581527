package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
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

// newPNGFolder checks --out DIR/ before any work is done and returns its
// writer for the rows lo…hi−1 of a run of n rows of cols numbers: images
// of shape img, one PNG file per row, named after names (the files of --in
// DIR) or numbered. It refuses samples that are not images and, without
// --force, a folder that already holds any of the files to write.
func newPNGFolder(cmd *cobra.Command, out string, img *datasets.ImageShape, names []string, n, lo, hi, cols int) (*viz.PNGFolder, error) {
	if img == nil || img.Dim() != cols {
		return nil, usagef("--out %s: a folder of PNG files holds images, and these samples are not images (give a .csv or .npy file)", out)
	}
	f := &viz.PNGFolder{Dir: out, Width: img.Width, Height: img.Height, Channels: img.C(), Rows: n, Names: names}
	if err := f.Check(lo, hi, replacing(cmd)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, usagef("--out %s; give --%s to replace them", strings.TrimPrefix(err.Error(), "viz: "), forceFlag)
		}
		return nil, badInput(err)
	}
	return f, nil
}

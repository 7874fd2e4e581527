package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/internal/atomicfile"
	"github.com/mmi-go/mmi/internal/capacity"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/samplefile"
)

// The files the commands read (--in, --path) and write (--out, --png): what may
// be read, and what may be written where (outputs.go holds the rules for
// replacing files).

// readInput reads --in: a sample file of dimension d, or a folder of
// images, resized to the model's image size img when they differ, whose
// file names it returns too (for --out DIR/).
func readInput(file string, d int, img *datasets.ImageShape) ([]float64, []string, error) {
	if st, err := os.Stat(file); err == nil && st.IsDir() {
		o := datasets.Options{MaxBytes: capacity.PhysicalMemory()}
		if img != nil {
			o.Size = *img
		}
		f, err := datasets.ReadFolder(file, o)
		if err != nil {
			return nil, nil, badInput(err)
		}
		if f.Shape.Dim() != d {
			return nil, nil, usagef("%s holds %s images (%d values each), the model has dimension %d", file, f.Shape, f.Shape.Dim(), d)
		}
		return f.Rows, f.Files, nil
	}
	x, din, err := samplefile.Read(file)
	if err != nil {
		return nil, nil, badInput(err)
	}
	if din != d {
		return nil, nil, usagef("%s has dimension %d, the model has %d", file, din, d)
	}
	return x, nil, nil
}

// checkOut refuses an --out file that samplefile cannot write, or that
// the rules of outputs.go refuse, before any work is done.
func checkOut(cmd *cobra.Command, file string) error {
	if err := notFolder(file); file != "" && err != nil {
		return err
	}
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv", ".npy":
		return checkOutDir(cmd, file, 0)
	}
	if file == "" {
		return nil
	}
	return usagef("--out %s: the extension must be .csv or .npy", file)
}

// checkOutDir refuses an output file whose folder does not exist, is not
// a folder, cannot be written, or has too little free space for bytes
// bytes (0: unknown), or that the rules of outputs.go refuse, before any
// work is done; then it holds the file's lock for the rest of the run. A
// full disk is not the user's input: exit 1, as when it fills while
// writing.
func checkOutDir(cmd *cobra.Command, file string, bytes float64) error {
	if file == "" {
		return nil
	}
	if err := checkFolder(file); err != nil {
		return err
	}
	if err := claimOutput(cmd, file, ""); err != nil {
		return err
	}
	return capacity.Space(file, bytes)
}

// checkFolder refuses an output file whose folder does not exist, is not
// a folder or cannot be written.
func checkFolder(file string) error { return badInput(capacity.Folder(file)) }

// checkPNGOut refuses a --png file that is not named .png (PNG bytes in
// x.jpg mislead every viewer), or that checkOutDir refuses.
func checkPNGOut(cmd *cobra.Command, file string) error { return checkPictureOut(cmd, "png", file) }

// checkPictureOut is checkPNGOut for the picture of the flag named flag.
func checkPictureOut(cmd *cobra.Command, flag, file string) error {
	if file == "" {
		return nil
	}
	if err := notFolder(file); err != nil {
		return err
	}
	if !strings.EqualFold(filepath.Ext(file), ".png") {
		return usagef("--%s %s: the picture is a PNG file; name it .png", flag, file)
	}
	return checkOutDir(cmd, file, 0)
}

// notFolder refuses an output name that is a folder or ends in a
// separator, before its extension is looked at.
func notFolder(file string) error {
	if st, err := os.Stat(file); (err == nil && st.IsDir()) || strings.HasSuffix(file, "/") || strings.HasSuffix(file, string(filepath.Separator)) {
		return usagef("%s is a folder; name the file to write", file)
	}
	return nil
}

// loadPathFile reads a saved path (path.Save) for a model of k1 marginals.
func loadPathFile(file string, k1 int) (path.Path, error) {
	r, err := atomicfile.Open(file)
	if err != nil {
		return nil, badInput(err)
	}
	defer r.Close()
	p, err := path.Load(r)
	if err != nil {
		return nil, badInput(fmt.Errorf("%s: %w", file, err))
	}
	if p.Len() != k1 {
		return nil, usagef("%s is a path on %d marginals, the model has %d", file, p.Len(), k1)
	}
	return p, nil
}

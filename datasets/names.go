package datasets

import (
	"os"
	"path/filepath"

	"github.com/mmi-go/mmi/marginals"
)

// The names a checkpoint records for its data marginals, and the
// marginals they stand for when the checkpoint is opened again.

// Reopen returns the marginal that an entry name recorded by EntryNames
// (or Entry.Name) stands for, and its image shape for image
// classes, or nil if it cannot be opened any more (a sample file that
// moved).
func Reopen(name string) (marginals.Marginal, *ImageShape) {
	if e, err := ParseSpecEntry(name); err == nil {
		mix, err := ReadSpec(e.File)
		if err != nil || e.Index >= len(mix) {
			return nil, nil
		}
		return mix[e.Index], nil
	}
	es, err := Open(name)
	if err != nil || len(es) != 1 {
		return nil, nil
	}
	return es[0].Marginal, es[0].Image
}

// ReopenAt is Reopen for a model whose images have the given shape (nil
// for none): a folder of images is read at that size, as it was trained.
func ReopenAt(name string, shape *ImageShape) (marginals.Marginal, *ImageShape) {
	if st, err := os.Stat(name); shape == nil || err != nil || !st.IsDir() {
		return Reopen(name)
	}
	es, err := OpenWith(name, Options{Size: *shape})
	if err != nil || len(es) != 1 || es[0].Marginal.Dim() != shape.Dim() {
		return nil, nil
	}
	return es[0].Marginal, es[0].Image
}

// EntryNames returns the names to record in a checkpoint for the entries
// of a --data list: sample files and specifications by absolute path, so
// that Reopen finds them from another directory.
func EntryNames(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Name
		if _, err := os.Stat(e.Name); err == nil {
			if abs, err := filepath.Abs(e.Name); err == nil {
				out[i] = abs
			}
		} else if se, err := ParseSpecEntry(e.Name); err == nil {
			if abs, err := filepath.Abs(se.File); err == nil {
				out[i] = SpecEntry{File: abs, Index: se.Index}.String()
			}
		}
	}
	return out
}

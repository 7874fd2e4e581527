package generate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
)

// Load opens a model: a Gaussian-mixture specification (.json, see
// datasets.ReadSpecCoupling) gives the exact oracle of its mixtures under
// the coupling it declares (gk.NewExact); anything else
// must be a checkpoint written by gk (mmi train), whose data marginals are
// reopened from the names it records (Reopen). A missing file is an error
// that wraps os.ErrNotExist.
func Load(spec string) (*Generator, error) {
	if strings.HasSuffix(strings.ToLower(spec), ".json") {
		mix, cs, err := datasets.ReadSpecCoupling(spec)
		if err != nil {
			return nil, err
		}
		o, err := gk.NewExact(mix, cs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", spec, err)
		}
		names := make([]string, len(mix))
		for i := range mix {
			names[i] = datasets.SpecEntry{File: filepath.Base(spec), Index: i}.String()
		}
		return FromOracle(o, names)
	}
	if _, err := os.Stat(spec); err != nil {
		return nil, err
	}
	m, err := gk.Load(spec)
	if err != nil {
		return nil, err
	}
	return FromModel(m)
}

// FromModel returns the generator of a trained model, with the data
// marginals reopened from the names recorded in it (Reopen); a marginal
// that cannot be reopened is left unavailable.
func FromModel(m *gk.Model) (*Generator, error) {
	var data []marginals.Marginal
	var image *datasets.ImageShape
	specs := m.Specs()
	k1, _ := m.Sizes()
	if len(specs) != k1-1 {
		specs = nil
	}
	shape := datasets.ShapeHWC(m.Shape())
	for _, s := range specs {
		mg, img := ReopenAt(s, shape)
		data = append(data, mg)
		if img != nil {
			image = img
		}
	}
	if shape != nil {
		image = shape
	}
	if specs == nil {
		data = make([]marginals.Marginal, k1-1)
	}
	g, err := New(m, m.Normalization(), data, specs)
	if err != nil {
		return nil, err
	}
	g.image = image
	return g, nil
}

// Reopen returns the marginal that an entry name recorded by EntryNames
// (or datasets.Entry.Name) stands for, and its image shape for image
// classes, or nil if it cannot be opened any more (a sample file that
// moved).
func Reopen(name string) (marginals.Marginal, *datasets.ImageShape) {
	if e, err := datasets.ParseSpecEntry(name); err == nil {
		mix, err := datasets.ReadSpec(e.File)
		if err != nil || e.Index >= len(mix) {
			return nil, nil
		}
		return mix[e.Index], nil
	}
	es, err := datasets.Open(name)
	if err != nil || len(es) != 1 {
		return nil, nil
	}
	return es[0].Marginal, es[0].Image
}

// ReopenAt is Reopen for a model whose images have the given shape (nil
// for none): a folder of images is read at that size, as it was trained.
func ReopenAt(name string, shape *datasets.ImageShape) (marginals.Marginal, *datasets.ImageShape) {
	if st, err := os.Stat(name); shape == nil || err != nil || !st.IsDir() {
		return Reopen(name)
	}
	es, err := datasets.OpenWith(name, datasets.Options{Size: *shape})
	if err != nil || len(es) != 1 || es[0].Marginal.Dim() != shape.Dim() {
		return nil, nil
	}
	return es[0].Marginal, es[0].Image
}

// EntryNames returns the names to record in a checkpoint for the entries
// of a --data list: sample files and specifications by absolute path, so
// that Reopen finds them from another directory.
func EntryNames(es []datasets.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Name
		if _, err := os.Stat(e.Name); err == nil {
			if abs, err := filepath.Abs(e.Name); err == nil {
				out[i] = abs
			}
		} else if se, err := datasets.ParseSpecEntry(e.Name); err == nil {
			if abs, err := filepath.Abs(se.File); err == nil {
				out[i] = datasets.SpecEntry{File: abs, Index: se.Index}.String()
			}
		}
	}
	return out
}

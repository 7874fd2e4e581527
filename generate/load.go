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
// reopened from the names it records (datasets.Reopen). A missing file is an error
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
// marginals reopened from the names recorded in it (datasets.ReopenAt); a marginal
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
		mg, img := datasets.ReopenAt(s, shape)
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
	_, d := m.Sizes()
	g.lo, g.hi = m.Config().Bounds.InModel(g.norm, d)
	return g, nil
}

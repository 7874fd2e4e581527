package main

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
)

// model is what the generating commands need of --model: the conditional
// expectations, the marginals they connect, and the map between data
// coordinates (files, plots) and the model's coordinates.
type model struct {
	g gk.Conditional
	// data holds the data marginals ρ_1 … ρ_K in data coordinates; nil
	// entries could not be reopened (a moved sample file), which only
	// matters when fresh samples of them are asked for.
	data  []marginals.Marginal
	names []string
	// toModel and toData map data coordinates to the model's and back, in
	// place; the Gaussian ρ_0 is N(0, I) in model coordinates.
	toModel, toData func(x []float64)
	// logScale is log|det ∂(data)/∂(model)|, the change of log density
	// from model to data coordinates.
	logScale float64
	image    *datasets.ImageShape
}

func (m *model) sizes() (k1, d int) { return m.g.Sizes() }

// loadModel opens --model: a Gaussian-mixture specification (.json) gives
// the exact oracle, anything else must be a checkpoint written by mmi train.
func loadModel(spec string) (*model, error) {
	if strings.HasSuffix(strings.ToLower(spec), ".json") {
		mix, err := datasets.ReadSpec(spec)
		if err != nil {
			return nil, badInput(err)
		}
		o, err := gk.NewOracle(mix)
		if err != nil {
			return nil, badInput(fmt.Errorf("%s: %w", spec, err))
		}
		m := &model{g: o, toModel: func([]float64) {}, toData: func([]float64) {}}
		for i, x := range mix {
			m.data = append(m.data, x)
			m.names = append(m.names, fmt.Sprintf("%s[%d]", spec, i))
		}
		return m, nil
	}
	return loadCheckpoint(spec)
}

// sampleStart draws n samples of marginal i in model coordinates.
func (m *model) sampleStart(i, n int, r *rand.Rand) ([]float64, error) {
	_, d := m.sizes()
	x := make([]float64, n*d)
	if i == 0 {
		marginals.StandardGaussian(d).Sample(x, r)
		return x, nil
	}
	if m.data[i-1] == nil {
		return nil, usagef("marginal %d (%s) cannot be opened any more; give starting samples with --in", i, m.names[i-1])
	}
	m.data[i-1].Sample(x, r)
	m.toModel(x)
	return x, nil
}

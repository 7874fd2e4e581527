package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
)

// loadCheckpoint opens a checkpoint written by mmi train and reopens the
// data marginals it records, so that paths can start from fresh samples.
func loadCheckpoint(file string) (*model, error) {
	if _, err := os.Stat(file); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, usagef("model %s does not exist: train one with 'mmi train' or give --model", file)
		}
		return nil, badInput(err)
	}
	gm, err := gk.Load(file)
	if err != nil {
		return nil, badInput(err)
	}
	norm := gm.Normalization()
	_, d := gm.Sizes()
	m := &model{
		g:        gm,
		toModel:  norm.Normalize,
		toData:   norm.Denormalize,
		logScale: -norm.LogDetJacobian(d),
	}
	for _, spec := range gm.Specs() {
		mg, img := reopen(spec)
		m.data = append(m.data, mg)
		m.names = append(m.names, spec)
		if img != nil {
			m.image = img
		}
	}
	return m, nil
}

var specEntry = regexp.MustCompile(`^(.*\.json)\[(\d+)\]$`)

// reopen returns the marginal an entry name of datasets.Open stands for, or
// nil if it cannot be opened any more (a sample file that moved).
func reopen(name string) (marginals.Marginal, *datasets.ImageShape) {
	if m := specEntry.FindStringSubmatch(name); m != nil {
		mix, err := datasets.ReadSpec(m[1])
		i, _ := strconv.Atoi(m[2])
		if err != nil || i >= len(mix) {
			return nil, nil
		}
		return mix[i], nil
	}
	es, err := datasets.Open(name)
	if err != nil || len(es) != 1 {
		return nil, nil
	}
	return es[0].Marginal, es[0].Image
}

// entryNames returns the names recorded in a checkpoint for the entries of
// --data; sample files are recorded by absolute path so that the model
// finds them from another directory.
func entryNames(es []datasets.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Name
		if _, err := os.Stat(e.Name); err == nil {
			if abs, err := filepath.Abs(e.Name); err == nil {
				out[i] = abs
			}
		} else if m := specEntry.FindStringSubmatch(e.Name); m != nil {
			if abs, err := filepath.Abs(m[1]); err == nil {
				out[i] = fmt.Sprintf("%s[%s]", abs, m[2])
			}
		}
	}
	return out
}

package main

import (
	"errors"
	"os"

	"github.com/mmi-go/mmi/generate"
)

// loadModel opens --model (generate.Load): a Gaussian-mixture
// specification (.json) gives the exact oracle, anything else must be a
// checkpoint written by mmi train. Every failure is the user's input.
func loadModel(spec string) (*generate.Generator, error) {
	gen, err := generate.Load(spec)
	if errors.Is(err, os.ErrNotExist) {
		return nil, usagef("model %s does not exist: train one with 'mmi train' or give --model", spec)
	}
	if err != nil {
		return nil, badInput(err)
	}
	unetBLAS(gen.Conditional())
	return gen, nil
}

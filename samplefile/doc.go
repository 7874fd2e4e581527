// Package samplefile reads and writes sets of samples as .csv (rows are
// samples, numbers only, optional header) or .npy (2-D, float32 or float64)
// files, chosen by extension.
package samplefile

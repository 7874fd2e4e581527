// Package samplefile reads and writes sets of samples as .csv (rows are
// samples, numbers only, optional header) or .npy (2-D, float32 or float64)
// files, chosen by extension.
//
// A set of n samples of dimension d is a flat row-major []float64 of n*d
// numbers and the dimension d, as everywhere in mmi. Readers refuse
// anything that is not such a set of finite numbers, with an error that
// names the file (and for CSV the line); writers replace files atomically.
package samplefile

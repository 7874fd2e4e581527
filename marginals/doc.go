// Package marginals holds the probability distributions that mmi connects:
// the Marginal interface (a dimension and a way to draw a batch), Gaussian and
// Gaussian-mixture marginals with exact log densities, empirical marginals
// that resample the rows of a data set, and couplings that draw one joint
// sample (x_0, …, x_K) of several marginals at once.
//
// Batches are flat row-major []float64 slices: n samples of dimension d
// occupy n*d numbers, sample i in [i*d, (i+1)*d).
package marginals

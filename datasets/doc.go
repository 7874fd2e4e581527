// Package datasets names the built-in data of mmi (2-D toy sets, classes of
// MNIST, Fashion-MNIST and UCI 8×8 digits) and reads the user's own sample
// files (CSV, NPY) and Gaussian-mixture specifications (JSON) as marginals.
package datasets

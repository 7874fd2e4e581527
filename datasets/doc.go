// Package datasets names the built-in data of mmi (2-D toy sets, classes of
// MNIST, Fashion-MNIST and UCI 8×8 digits) and reads the user's own sample
// files (CSV, NPY) and Gaussian-mixture specifications (JSON) as marginals.
//
// Open turns the comma-separated --data list into marginals ρ_1 … ρ_K.
// The toy sets (EightGaussians, Moons, Circles, Checkerboard, Spirals,
// Pinwheel, SwissRoll) draw fresh points from a known law, scaled to a
// standard deviation of order one; their doc comments give the formulas.
// Image classes (Class, ClassSplit) are the flattened images scaled to
// [−1, 1], from the training split by default or the held-out test split
// (mnist:3:test), optionally cropped and resampled (mnist:3:crop20:8x8,
// see Resample) to compare sets of different resolutions; they and sample
// files become empirical marginals that resample their rows.
// Specifications (ReadSpec) give exact Gaussian mixtures, for which the
// conditional expectations are known in closed form.
//
// The 8×8 digits are embedded (data/digits.csv.gz, see data/README.md for
// their origin and licence); MNIST is read from the GoMNIST module in the
// Go module cache and Fashion-MNIST from Debian's dataset-fashion-mnist.
package datasets

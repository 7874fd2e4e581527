//go:build !openblas

package nn

// OpenBLAS reports whether the engine was built against OpenBLAS (the
// openblas build tag); without it gonum's pure-Go BLAS does the work.
const OpenBLAS = false

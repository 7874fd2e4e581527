//go:build !openblas

package nn

const cgoOpenBLAS = false

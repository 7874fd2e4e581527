//go:build openblas

package nn

// With the openblas build tag, every BLAS call of the process (the engine's
// and any other user of gonum's blas32/blas64, gonum/mat included) goes to
// OpenBLAS through gonum's cgo bindings. netlib's own cgo directives name no
// library, so the link flag is given here: `go test -tags openblas ./nn/`
// works with no CGO_LDFLAGS on a machine with libopenblas-dev installed.
// OPENBLAS_NUM_THREADS sets the number of threads OpenBLAS uses.

/*
#cgo LDFLAGS: -lopenblas
*/
import "C"

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// OpenBLAS reports whether the engine was built against OpenBLAS.
const OpenBLAS = true

func init() {
	blas64.Use(netlib.Implementation{})
	blas32.Use(netlib.Implementation{})
}

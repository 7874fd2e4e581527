//go:build openblas

package nn

// With the openblas build tag, every BLAS call of the process (the engine's
// and any other user of gonum's blas32/blas64, gonum/mat included) goes to
// OpenBLAS through gonum's cgo bindings, and internal/openblas links the
// library: `go test -tags openblas ./nn/` works with no CGO_LDFLAGS on a
// machine with libopenblas-dev installed. OPENBLAS_NUM_THREADS sets the
// number of threads OpenBLAS uses.

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"

	_ "github.com/mmi-go/mmi/nn/internal/openblas" // -lopenblas
)

const cgoOpenBLAS = true

func init() {
	blas64.Use(netlib.Implementation{})
	blas32.Use(netlib.Implementation{})
}

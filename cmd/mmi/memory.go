package main

import (
	"fmt"

	"github.com/mmi-go/mmi/internal/capacity"
)

// Checks, before any work is done, of the memory a command's work needs
// (package capacity says how much the machine has).

// checkMemory refuses, before allocating, work that needs more memory than
// the machine has, saying how much it would need.
func checkMemory(what string, bytes float64) error { return badInput(capacity.Memory(what, bytes)) }

// checkGaussianMemory refuses a dimension whose standard Gaussian
// (marginals.StandardGaussian keeps a dense d×d covariance and its
// Cholesky factor, float64) does not fit: a CSV of 200 000 columns asked
// for 600 GiB and died in the runtime's "out of memory".
func checkGaussianMemory(d int) error {
	return checkMemory(fmt.Sprintf("data of dimension %d (the standard Gaussian's d×d covariance)", d), 16*float64(d)*float64(d))
}

// checkTrainMemory refuses a training that cannot fit: the Gaussian of
// dimension d, and a network of the given shape for k1 marginals (inputs
// d plus the α features, outputs k1·d) with its weights, gradients, Adam
// moments and averaged copy (about 6 copies of the parameters) and the
// activations of a batch forward and backward (about 4 copies of all
// layer widths per row).
func checkTrainMemory(d, k1, hidden, layers, batch int, float32 bool) error {
	if err := checkGaussianMemory(d); err != nil {
		return err
	}
	elt := 8.0
	if float32 {
		elt = 4
	}
	in, out, h := float64(d+k1+64), float64(k1*d), float64(hidden)
	params := in*h + float64(layers-1)*h*h + h*out
	acts := float64(batch) * (in + float64(layers)*h + out)
	need := elt*(6*params+4*acts) + 16*float64(d)*float64(d)
	return checkMemory(fmt.Sprintf("training on data of dimension %d with %d hidden layers of %d, batch %d,", d, layers, hidden, batch), need)
}

// checkSamplesMemory refuses a command that keeps rows rows of cols
// numbers in memory several times over (start, end, fresh samples to
// compare with: about 4 copies of float64) when they cannot fit.
func checkSamplesMemory(cmd string, rows, cols int) error {
	return checkMemory(fmt.Sprintf("%s of %d rows of %d numbers", cmd, rows, cols), 4*8*float64(rows)*float64(cols))
}

// checkPathoptMemory refuses a path optimization that cannot fit: n joint
// draws of the k1 marginals, the path's points and velocities at every
// Gauss–Legendre node for every draw, and the sine coefficients (a few
// copies of each, float64).
func checkPathoptMemory(n, nodes, modes, k1, d int) error {
	fn, fd := float64(n), float64(d)
	need := 8 * (4*fn*float64(k1)*fd + 4*fn*float64(nodes)*fd + 16*float64(modes)*float64(k1)*float64(k1) + 64*float64(nodes))
	return checkMemory(fmt.Sprintf("pathopt with --n %d, --nodes %d and --modes %d", n, nodes, modes), need)
}

// Package nn is the network engine of mmi: a multilayer perceptron on gonum
// BLAS with forward and backward passes (gradients with respect to the
// weights and the inputs) and Adam, allocating nothing per training step.
package nn

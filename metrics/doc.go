// Package metrics measures distances between two sets of samples: energy
// distance, MMD with a mixture of RBF kernels, sliced W2, and exact W2 by
// optimal assignment for small sets.
package metrics

// Package metrics measures distances between two sets of samples: energy
// distance, MMD with a mixture of RBF kernels, sliced W2, and exact W2 by
// optimal assignment for small sets, plus the closed-form W2 between two
// Gaussians for checking them.
//
// A sample set is a flat row-major batch: n samples of dimension d are n*d
// numbers, as everywhere in mmi. Sets whose length is not a multiple of d,
// or that have too few rows for an estimator, are programmer errors and
// panic; Compare checks user input and returns errors instead.
//
// Costs: Energy and MMD look at every pair of points, O((n+m)²·d); they are
// fine up to about 10,000 points per set (Compare subsamples larger sets).
// SlicedW2 is O(L·(n+m)·(d + log(n+m))) for L directions. W2Exact solves an
// assignment problem, O(n³), and refuses sets larger than MaxExactPoints.
package metrics

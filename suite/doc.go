// Package suite is a seeded family of test problems for the defaults of
// mmi: Gaussian-mixture specifications (so that the exact oracle of gk
// judges a trained model everywhere on the simplex) of every kind a user
// may bring — single anisotropic Gaussians, many tight modes, thin
// elongated modes, marginals of very different scales and locations —
// with K from 2 to 5 data marginals in 2 to 10 dimensions, and the score
// of a model on one of them: its worst region against the oracle, its
// identity residual, and each transfer i → j measured against noise → j.
//
// A problem is a pure function of (seed, index): problem 7 of seed 1 is
// the same whatever the size of the suite, so a suite can grow without
// changing the problems already measured.
package suite

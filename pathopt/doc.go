// Package pathopt optimizes paths on the simplex for low transport cost
//
//	C[α] = ∫_0^1 E |Σ_k α̇_k g_k(α(t), x(α(t)))|² dt
//
// with fixed end points (and optional waypoints). The cheaper the path, the
// straighter the flow it generates and the fewer solver steps a good sample
// needs; from the Gaussian it is the choice of a noise schedule.
//
// Three parts, one file each:
//
//   - Sine and Family (sine.go): the straight segment plus a sine series,
//     projected onto the simplex (simplexmap.go). θ = 0 is the straight
//     path; the family contains its time reparameterizations; a Sine is a
//     path.Path saved as JSON of kind "sine", which path.Load reads.
//   - Estimator (cost.go): a simulation-free Monte Carlo estimate of C with
//     common random numbers (fixed draws of the coupling), Gauss–Legendre
//     in time on every smooth stretch, a standard error, data units; and
//     CostGrad, its exact gradient with respect to θ, which needs
//     cond.AlphaVJPer.
//   - Optimize (optimize.go): L-BFGS from the straight path, progress
//     through a Recorder, cancellation returning the best path so far.
//
// Off the simplex (ball.go): BallSine, the straight segment plus a sine
// series with no projection and no constraint Σ α_k = 1, BallFamily and
// OptimizeBall choose a noise schedule (α_0(t), α_k(t)), or a data → data
// path through the interior of the ball, for a model trained on the ball
// (or an exact oracle); a penalty keeps L-BFGS inside the model's domain.
//
// The pages docs/pathopt.md and docs/schedules.md have the measurements.
package pathopt

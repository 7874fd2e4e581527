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
//   - Family (sine.go): the paths of one route on the model's domain, θ = 0
//     the straight path. On the simplex a Sine, the straight segment plus
//     a sine series projected onto the simplex (simplexmap.go), whose
//     family contains its time reparameterizations; on a ball (ball.go) a
//     BallSine, the straight segment plus a sine series with no projection
//     and no constraint Σ α_k = 1: a noise schedule (α_0(t), α_k(t)) of any
//     shape, or a data → data path through the interior of the ball, for a
//     model trained on the ball (or an exact oracle). Both are path.Path
//     values saved as JSON (kinds "sine" and "ballsine") that path.Load
//     reads.
//   - Estimator (cost.go): a simulation-free Monte Carlo estimate of C with
//     common random numbers (fixed draws of the coupling), Gauss–Legendre
//     in time on every smooth stretch, a standard error, data units; and
//     CostGrad, its exact gradient with respect to θ, which needs
//     cond.AlphaVJPer.
//   - Optimize (optimize.go): L-BFGS from the straight path, progress
//     through a Recorder, cancellation returning the best path so far; on
//     a ball a penalty keeps it inside the model's domain.
//
// The pages docs/pathopt.md and docs/schedules.md have the measurements.
package pathopt

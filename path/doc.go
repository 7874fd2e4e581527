// Package path holds paths α(t) on the simplex Δ^K, the probability-flow
// velocity b(t, x) = Σ_k α̇_k(t) g_k(α(t), x) they induce with a conditional
// expectation, and the ODE and SDE integrators that push samples along them.
//
// Paths. Segment, Polyline, Concat, Reverse and Reparam build paths from
// points of the simplex (index 0 is the Gaussian): e_0 → e_k samples marginal
// k from noise, e_i → e_j translates samples of marginal i into marginal j,
// e_0 → a barycenter samples the barycenter law. Every constructor validates
// its points (on the simplex within Tol, matching lengths); Save and Load
// write and read them as JSON with a "kind" field, and RegisterKind lets
// other packages add kinds. Polylines and concatenations give each piece an
// equal share of time and report their kinks (Piecewise), on which the
// solvers land exactly.
//
// Schedules off the simplex. Trig (cos(πt/2) e_i + sin(πt/2) e_j),
// NewSchedule (any two-coordinate schedule given as a function) and
// NewSplineSchedule (knots, saved as JSON of kind "schedule") need not stay
// on the simplex: NewVelocity checks every path against its model's domain
// (cond.DomainOf, CheckIn) rather than the simplex, so they run on models
// trained with the ball domain and on the exact oracles, and every solver,
// likelihood and SDE sampler works on them unchanged (the SDE needs α_0 > 0
// where ε > 0, as on the simplex).
//
// Velocity and NFE. A Velocity evaluates b on a batch (flat row-major,
// n rows of d numbers). One NFE is one evaluation of b on the whole batch,
// the unit of cost of every solver (for a network: one forward pass of the
// batch), counted atomically.
//
// ODE solvers. Integrate runs Euler, Heun, RK4 (fixed steps) or Dopri5
// (adaptive, error norm over the batch) from t = 0 to 1 in place, splitting
// each evaluation across cores; results do not depend on the split. SampleAll
// pushes one noise batch to every marginal.
//
// SDE solvers. IntegrateSDE runs EulerMaruyama or StochasticHeun on
// dX = (b + ε s) dt + √(2ε) dW with the score s = −g_0/α_0; the noise level ε
// must vanish where α_0 does (EpsAlpha0, ε = E·α_0, is the natural choice).
//
// Likelihood. LogLikelihood integrates dℓ/dt = −∇·b beside X, with the exact
// trace (d vector–Jacobian products) for small d and Hutchinson's estimator
// for large d; MarginalLogLikelihood gives log ρ_k of data rows.
//
// The package pathtest holds test problems with closed-form flows.
package path

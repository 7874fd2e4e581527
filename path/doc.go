// Package path holds paths α(t) on the simplex Δ^K, the probability-flow
// velocity b(t, x) = Σ_k α̇_k(t) g_k(α(t), x) they induce with a conditional
// expectation, and the ODE and SDE integrators that push samples along them.
package path

// Package styletransfer translates samples of one data marginal into
// another along paths of the simplex, compares every marginal with every
// other (all-to-all tables and pictures), and samples barycenters of the
// data marginals, all in data units through a generate.Generator.
//
// Two barycenters of weights w (α* = (0, w_1, …, w_K)):
//
//   - Law: samples of ρ(α*), the law of Σ_k w_k x_k under the coupling the
//     model was trained on (independent), reached from noise along
//     e_0 → α*. It is a mixture-like average of the marginals' laws: with
//     Gaussian marginals N(μ_k, Σ_k) it is N(Σ w_k μ_k, Σ w_k² Σ_k), narrower
//     than any of them.
//   - Coupled: one batch of noise z pushed to every marginal at once
//     (generate.Generator.SampleAll) and Σ_k w_k X_k(z) per noise point: the
//     average of matched samples, one per marginal, that the model's flows
//     assign to the same z. With Gaussian marginals the flow of e_0 → e_k is
//     X_k(z) = μ_k + Σ_k^{1/2} z, so the coupled barycenter is
//     N(Σ w_k μ_k, (Σ w_k Σ_k^{1/2})²): it keeps the spread of the marginals
//     and blends their shapes, like a displacement interpolation.
package styletransfer

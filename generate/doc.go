// Package generate is the front door for generation in data units: a
// Generator wraps a conditional expectation g (a trained gk.Model or an
// exact gk.Oracle) with the normalization it was trained in and the data
// marginals it connects, and offers sampling, transport, barycenter laws
// and likelihoods in the coordinates of the data.
//
// Coordinates. A trained model works in normalized coordinates
// x' = (x − c)/s (gk.Affine; the oracle's map is the identity). The
// Generator applies that map, in exactly one place, to every point it
// takes or returns, with one exception: samples AT the Gaussian vertex
// e_0 (marginal 0, "noise") are the model's base N(0, I) itself, so noise
// drawn by any tool (mmi sample --k 0, numpy) can be fed in as it is. A
// point at any other α of the simplex is in data coordinates. Since
// Σ_k α_k x_k commutes with the map when α_0 = 0, transfers and
// barycenters between data marginals mean the same in both coordinates.
//
// Determinism across machines. Generation is embarrassingly parallel;
// EachChunk cuts a run of n rows into fixed chunks of ChunkRows rows, each with
// its own random stream derived from (seed, chunk index), so that a run
// split into shards (Shard) produces, concatenated, exactly the rows of the
// one-machine run.
package generate

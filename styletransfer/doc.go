// Package styletransfer translates samples of one marginal into another
// along paths of the simplex, builds all-to-all tables, and samples
// barycenters of the data marginals.
package styletransfer

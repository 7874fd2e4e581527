// Command mmi trains and samples multimarginal stochastic interpolants:
// one model of the conditional expectations g_k(α, x), k = 0 … K, turns any
// path on the simplex into a generator between the Gaussian and K data
// marginals. Run `mmi help` for the commands.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

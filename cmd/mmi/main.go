// Command mmi trains and samples multimarginal stochastic interpolants.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "mmi: not built yet")
	os.Exit(1)
}

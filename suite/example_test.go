package suite_test

import (
	"fmt"

	"github.com/mmi-go/mmi/suite"
)

// The first problems of seed 1 with d ≤ 5 and K ≤ 4: every four
// consecutive problems start with each kind of marginal; each marginal's
// kind is followed by its scale.
func ExampleGenerate() {
	probs, err := suite.Generate(1, 4, suite.Options{MaxDim: 5, MaxK: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range probs {
		fmt.Println(p.Name, p.Describe())
	}
	// Output:
	// p00-d5-k2 d=5 K=2: single×0.45, single×1.6
	// p01-d2-k2 d=2 K=2: tight×1.8, single×0.96
	// p02-d2-k3 d=2 K=3: elongated×1, elongated×1.7, single×1.8
	// p03-d4-k4 d=4 K=4: mixed×1.3, elongated×1.1, single×1.1, single×0.92
}

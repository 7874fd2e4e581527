package classify_test

import (
	"context"
	"fmt"
	"os"

	"github.com/mmi-go/mmi/classify"
	"github.com/mmi-go/mmi/datasets"
)

// Measure images meant to be 7s of the UCI 8×8 digits; here, real
// held-out 7s, which any good generator should resemble. Load trains the
// classifier (a second for 8×8 digits) and caches it; Dir keeps this
// example's cache out of the user's.
func ExampleClassifier_Evaluate() {
	dir, err := os.MkdirTemp("", "classify")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	c, err := classify.Load(context.Background(), "digits", &classify.Options{Dir: dir})
	if err != nil {
		panic(err)
	}
	sevens, _, err := datasets.ClassSplit("digits", 7, datasets.Test)
	if err != nil {
		panic(err)
	}
	rep, err := c.Evaluate(sevens, 7, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println("samples:", rep.N)
	fmt.Println("read as 7 (share above 0.9):", rep.Share > 0.9)
	fmt.Println("Fréchet distance within 3× its floor:", rep.Frechet < 3*rep.Floor)
	// Output:
	// samples: 44
	// read as 7 (share above 0.9): true
	// Fréchet distance within 3× its floor: true
}

package nn_test

import (
	"fmt"

	"github.com/mmi-go/mmi/nn"
)

// A program chooses its BLAS as MMI_BLAS says when it starts (a request
// that could not be met is an error), and may switch backends itself, e.g.
// to compare them.
func ExampleSelectBLAS() {
	prev, err := nn.UseEnvBLAS()
	if err != nil {
		fmt.Println(err) // e.g. MMI_BLAS=openblas: no OpenBLAS found (tried …)
		return
	}
	info, err := nn.SelectBLAS("go")
	fmt.Println(info.Name, info.Native(), err)

	_, err = nn.SelectBLAS("/etc/passwd")
	fmt.Println(err != nil)

	if prev.Native() { // back to the library MMI_BLAS chose
		_, _ = nn.SelectBLAS(prev.Path)
	}
	// Output:
	// gonum false <nil>
	// true
}

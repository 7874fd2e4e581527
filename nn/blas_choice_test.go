package nn

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestImportChoosesNothing: importing the package makes no BLAS choice and
// leaves gonum's BLAS as gonum set it; the network's first product makes
// the MMI_BLAS choice. It runs in a child process of the test binary, so
// that no other test has chosen before: once with a request that fails
// (the failure is recorded only after the first product) and, where
// OpenBLAS is installed, with MMI_BLAS=openblas (gonum's BLAS is replaced
// only after the first product).
func TestImportChoosesNothing(t *testing.T) {
	if req := os.Getenv("MMI_NN_CHILD"); req != "" {
		if _, ok := blas64.Implementation().(gonum.Implementation); !ok || blasEnv != nil {
			t.Fatal("a BLAS choice was made before the network's first product")
		}
		m := NewMLP[float64]([]int{3, 4, 2}, Tanh, rand.New(rand.NewPCG(1, 2)))
		m.Forward(m.NewWorkspace(2), make([]float64, 6), 2)
		_, native := blas64.Implementation().(cblasImpl)
		if req == "openblas" && !native || req != "openblas" && blasEnv == nil {
			t.Fatalf("the network's first product did not make the MMI_BLAS=%s choice", req)
		}
		return
	}
	reqs := []string{"/etc/passwd"}
	if _, err := SelectBLAS("openblas"); err == nil {
		reqs = append(reqs, "openblas")
	}
	restoreBLAS(BLASInfo{})
	for _, req := range reqs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestImportChoosesNothing$", "-test.count=1")
		cmd.Env = append(os.Environ(), "MMI_NN_CHILD="+req, "MMI_BLAS="+req)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("MMI_BLAS=%s: %v\n%s", req, err, out)
		}
	}
}

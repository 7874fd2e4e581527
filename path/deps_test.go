package path

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDepsLight: importing path loads neither the network engine (package
// nn, which loads a BLAS) nor the checkpoint format (msgpack) nor the
// run-time loader (purego): path meets the models at package cond.
func TestDepsLight(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command here")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasSuffix(dep, "/mmi/nn") || strings.Contains(dep, "msgpack") || strings.Contains(dep, "purego") {
			t.Errorf("path depends on %s", dep)
		}
	}
}

package main

import (
	"os"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/nn"
)

// unetBLAS puts OpenBLAS on one thread when c is a U-Net and the
// environment does not set OpenBLAS's threads: the U-Net's convolutions
// then split their images across the cores themselves, and OpenBLAS's
// idle threads no longer spin on the cores that the elementwise passes
// between its products need (1.8× faster training steps measured on two
// cores; gk/ARCHITECTURE.md, "U-Net").
func unetBLAS(c cond.Conditional) {
	m, ok := c.(*gk.Model)
	if !ok || m.Config().Net != gk.NetUNet || os.Getenv("OPENBLAS_NUM_THREADS") != "" || os.Getenv("OMP_NUM_THREADS") != "" {
		return
	}
	nn.SetBLASThreads(1)
}

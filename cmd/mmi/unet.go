package main

import (
	"os"
	"sync"

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
	blasRestore.Lock()
	defer blasRestore.Unlock()
	if prev := nn.SetBLASThreads(1); prev > 1 && blasRestore.threads == 0 {
		blasRestore.threads = prev
	}
}

// blasRestore holds the thread count unetBLAS replaced, 0 if none, so that
// run leaves the process as it found it (the tests run many commands in
// one process).
var blasRestore struct {
	sync.Mutex
	threads int
}

// restoreBLASThreads undoes unetBLAS.
func restoreBLASThreads() {
	blasRestore.Lock()
	defer blasRestore.Unlock()
	if blasRestore.threads > 0 {
		nn.SetBLASThreads(blasRestore.threads)
		blasRestore.threads = 0
	}
}

package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/mmi-go/mmi/nn"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestGolden (run with MMI_BLAS=go)")

// TestGolden pins a few small outputs byte for byte: samples of a data
// set, oracle flows with and without the log-likelihood, a tiny trained
// checkpoint, samples of that network and an eval summary. Any change to
// the numbers a command writes, however small, shows here first; if it is
// intended, rewrite them with
//
//	MMI_BLAS=go go test ./cmd/mmi -run TestGolden -update
//
// and say why in the commit. The files are pinned on gonum's pure-Go BLAS,
// whose results are the same on every amd64 machine; OpenBLAS picks its
// kernels by CPU, so its last bits vary between machines and this test
// skips there (CI's second pass, MMI_BLAS=go, runs it).
func TestGolden(t *testing.T) {
	if info, _ := nn.BLAS(); info.Native() {
		t.Skip("golden files are pinned on the pure-Go BLAS (MMI_BLAS=go)")
	}
	dir := t.TempDir()
	f := func(n string) string { return filepath.Join(dir, n) }
	steps := []struct {
		args   []string
		stdout string // golden name of stdout, or ""
		file   string // golden name of an output file, or ""
	}{
		{[]string{"sample", "--data", "moons", "--k", "1", "--n", "5", "--seed", "3"}, "sample_moons.csv", ""},
		{[]string{"path", "--model", mix3, "--from", "1", "--to", "3", "--via", "2", "--solver", "rk4", "--steps", "10", "--n", "6", "--seed", "2", "--out", f("oracle.csv")}, "", "oracle.csv"},
		{[]string{"path", "--model", mix3, "--from", "0", "--to", "2", "--loglik", "--n", "4", "--seed", "5", "--out", f("loglik.csv")}, "", "loglik.csv"},
		{[]string{"train", "--data", "moons,circles", "--steps", "5", "--batch", "8", "--hidden", "4", "--layers", "1", "--float32=false", "--seed", "7", "--out", f("tiny.mmi")}, "", "tiny.mmi"},
		{[]string{"path", "--model", f("tiny.mmi"), "--from", "0", "--to", "1", "--solver", "euler", "--steps", "5", "--n", "4", "--out", f("tiny.csv")}, "", "tiny.csv"},
		{[]string{"eval", "--a", f("oracle.csv"), "--b", f("tiny.csv"), "--json"}, "eval.json", ""},
	}
	for _, s := range steps {
		code, stdout, stderr := mmi(t, s.args...)
		if code != 0 {
			t.Fatalf("mmi %v: exit %d: %s", s.args, code, stderr)
		}
		name, got := s.stdout, []byte(stdout)
		if s.file != "" {
			name, got = s.file, mustRead(t, f(s.file))
		}
		golden := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (create the golden files with -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("mmi %v: output differs from %s (%d bytes, golden %d)", s.args, golden, len(got), len(want))
		}
	}
}

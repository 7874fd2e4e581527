package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/samplefile"
)

// mmiCmd returns the command that runs this test binary as mmi args.
func mmiCmd(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "MMI_TEST_AS_MAIN=1"), env...)
	return cmd
}

// tinyTrain are the flags of a training that takes well under a second.
//
// Without features of x: with them the first layer has about 100 inputs,
// where OpenBLAS's float32 kernels round differently by thread count and
// TestSameBytesAnyGOMAXPROCS would measure OpenBLAS, not mmi (docs/sharding.md).
func tinyTrain(out string, steps int) []string {
	return []string{"train", "--data", "moons,circles", "--x-fourier", "off", "--steps", fmt.Sprint(steps), "--batch", "32",
		"--hidden", "8", "--layers", "1", "--seed", "3", "--out", out}
}

// stepOf returns the step a checkpoint of tinyTrain records.
func stepOf(t *testing.T, file string) int {
	t.Helper()
	es, err := datasets.Open("moons,circles")
	if err != nil {
		t.Fatal(err)
	}
	c, err := coupling(es, marginals.CouplingSpec{})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := gk.Resume(file, c, nil)
	if err != nil {
		t.Fatalf("%s is not a whole checkpoint: %v", file, err)
	}
	return tr.Step()
}

// TestInterrupt: Ctrl-C (SIGINT) during training writes a checkpoint and
// exits with status 130; resuming with --steps not above the steps done
// says so, exits 0 and leaves the file untouched; resuming on other data
// is refused.
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "m.mmi")
	cmd := mmiCmd(nil, tinyTrain(ckpt, 10000000)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The first line is printed just before training starts.
	sc := bufio.NewScanner(stderr)
	sc.Split(bufio.ScanLines)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "training") {
		t.Fatalf("first stderr line %q", sc.Text())
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var rest strings.Builder
	for sc.Scan() {
		rest.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Fatalf("exit %d (%v), want 130; stderr %s", code, err, rest.String())
	}
	if !strings.Contains(rest.String(), "interrupted at step") || !strings.HasSuffix(rest.String(), "mmi: interrupted\n") {
		t.Errorf("stderr after the signal: %q", rest.String())
	}
	step := stepOf(t, ckpt)
	if step <= 0 || step >= 10000000 {
		t.Fatalf("checkpoint after Ctrl-C at step %d", step)
	}

	before, _ := os.ReadFile(ckpt)
	st0, _ := os.Stat(ckpt)
	for _, steps := range []string{fmt.Sprint(step), fmt.Sprint(step - 1)} {
		code, stdout, stderr := mmi(t, "train", "--resume", ckpt, "--steps", steps)
		if code != 0 || !strings.Contains(stdout, "nothing to do") || strings.Contains(stderr, "mmi:") {
			t.Errorf("resume --steps %s of %d done: exit %d, stdout %q, stderr %q", steps, step, code, stdout, stderr)
		}
	}
	after, _ := os.ReadFile(ckpt)
	st1, _ := os.Stat(ckpt)
	if !bytes.Equal(before, after) || !st0.ModTime().Equal(st1.ModTime()) {
		t.Error("a resume with nothing to do rewrote the checkpoint")
	}
	for _, data := range []string{"circles,moons", "moons,spirals"} {
		code, _, stderr := mmi(t, "train", "--resume", ckpt, "--data", data, "--steps", fmt.Sprint(step+5))
		if code != exitUsage || !strings.Contains(stderr, "resume with the same data") {
			t.Errorf("resume on --data %s: exit %d, stderr %q", data, code, stderr)
		}
	}
	// The same data given again is accepted, and training continues.
	if code, _, stderr := mmi(t, "train", "--resume", ckpt, "--data", "moons,circles", "--steps", fmt.Sprint(step+5)); code != 0 {
		t.Errorf("resume with the same --data: exit %d: %s", code, stderr)
	} else if s := stepOf(t, ckpt); s != step+5 {
		t.Errorf("resumed to step %d, want %d", s, step+5)
	}
}

// TestKillDuringTraining kills training (SIGKILL, no chance to clean up)
// at random moments, checkpointing after every step, and checks after
// each kill that the checkpoint on disk is a whole one, at a step not
// before the last one seen; `mmi train --resume` then continues, and the
// final checkpoint is byte-identical to that of an uninterrupted run with
// the same seed.
func TestKillDuringTraining(t *testing.T) {
	if testing.Short() {
		t.Skip("kills subprocesses for a few seconds")
	}
	dir := t.TempDir()
	// 5000 steps: on a fast idle machine 1500 finished after 4 kills.
	const steps, maxKills = 5000, 12
	ref := filepath.Join(dir, "ref.mmi")
	if code, _, stderr := mmi(t, append(tinyTrain(ref, steps), "--checkpoint-every", "1ns")...); code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
	}
	want, _ := os.ReadFile(ref)

	ckpt := filepath.Join(dir, "m.mmi")
	r := rand.New(rand.NewPCG(5, 0))
	last, kills := 0, 0
	for round := 0; round < 40 && last < steps; round++ {
		args := append(tinyTrain(ckpt, steps), "--checkpoint-every", "1ns")
		if _, err := os.Stat(ckpt); err == nil {
			args = []string{"train", "--resume", ckpt}
		}
		cmd := mmiCmd(nil, args...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Start-up takes some 50-150 ms; kill anywhere from before the
		// first step to well into training.
		killAfter := time.Duration(30+r.IntN(300)) * time.Millisecond
		if kills >= maxKills {
			killAfter = time.Hour // enough: let it finish
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d: %v: %s", round, err, errb.String())
			}
		case <-time.After(killAfter):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
		}
		if _, err := os.Stat(ckpt); err != nil {
			if last > 0 {
				t.Fatalf("after kill %d the checkpoint is gone", kills)
			}
			continue
		}
		s := stepOf(t, ckpt)
		if s < last {
			t.Fatalf("after kill %d the checkpoint is at step %d, before the %d seen earlier", kills, s, last)
		}
		last = s
	}
	if last != steps {
		t.Fatalf("training did not finish: step %d of %d after %d kills", last, steps, kills)
	}
	if kills < 5 {
		t.Errorf("only %d kills landed during training", kills)
	}
	got, _ := os.ReadFile(ckpt)
	if !bytes.Equal(got, want) {
		t.Errorf("after %d kills and resumes the checkpoint differs from an uninterrupted run's (%d vs %d bytes)", kills, len(got), len(want))
	}
	// A SIGKILL between creating the temporary file and renaming it
	// leaves that file behind; the next `mmi train` of the same
	// checkpoint removes them, and the last run here was one.
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".m.mmi.*")); len(tmp) > 0 {
		t.Errorf("%d temporary files left after the final resume: %v", len(tmp), tmp)
	}
	t.Logf("%d kills, training resumed to step %d, checkpoint identical to the uninterrupted run", kills, last)
}

// TestSameBytesAnyGOMAXPROCS: the same command with the same seed writes
// the same bytes whatever GOMAXPROCS is (and with it the OpenBLAS thread
// count): a training's checkpoint; the samples of the network, of the
// oracle and of the SDE; and paths optimized on both.
func TestSameBytesAnyGOMAXPROCS(t *testing.T) {
	dir := t.TempDir()
	var first map[string][]byte
	for _, procs := range []string{"1", "2", "8"} {
		env := []string{"GOMAXPROCS=" + procs}
		d := filepath.Join(dir, procs)
		os.Mkdir(d, 0o755)
		f := func(name string) string { return filepath.Join(d, name) }
		for _, args := range [][]string{
			tinyTrain(f("m.mmi"), 60),
			{"path", "--model", f("m.mmi"), "--from", "0", "--to", "2", "--n", "2500", "--out", f("net.npy")},
			{"path", "--model", mix3, "--from", "1", "--to", "3", "--n", "2500", "--out", f("oracle.csv")},
			{"path", "--model", mix3, "--from", "0", "--to", "2", "--n", "2500", "--sde", "--solver", "heun", "--steps", "20", "--out", f("sde.npy")},
			// The cost estimate is summed by GOMAXPROCS workers.
			{"pathopt", "--model", f("m.mmi"), "--from", "0", "--to", "2", "--iters", "3", "--n", "256", "--out", f("net.json")},
			{"pathopt", "--model", mix3, "--from", "1", "--to", "3", "--iters", "3", "--n", "256", "--out", f("oracle.json")},
		} {
			cmd := mmiCmd(env, args...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("GOMAXPROCS=%s mmi %v: %v\n%s", procs, args, err, out)
			}
		}
		got := map[string][]byte{}
		for _, name := range []string{"m.mmi", "net.npy", "oracle.csv", "sde.npy", "net.json", "oracle.json"} {
			got[name], _ = os.ReadFile(f(name))
		}
		if first == nil {
			first = got
			continue
		}
		for name, b := range got {
			if len(b) == 0 || !bytes.Equal(b, first[name]) {
				t.Errorf("GOMAXPROCS=%s: %s differs from GOMAXPROCS=1's", procs, name)
			}
		}
	}
}

// TestStreamedOutputMatchesOneBatch: mmi path and mmi sample write their
// rows chunk by chunk; the file must have the bytes of the whole result
// written at once (generate.Run, samplefile.Write), on a run of three
// chunks, with and without the log-likelihood column.
func TestStreamedOutputMatchesOneBatch(t *testing.T) {
	dir := t.TempDir()
	const n = 2*generate.ChunkRows + 100
	gen, opts, err := openModel(mix3, &solverFlags{solver: "dopri5", steps: 100, atol: 1e-5, rtol: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	k1, d := gen.Sizes()
	p, err := generate.Polyline(k1, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, loglik := range []bool{false, true} {
		res, err := gen.Run(context.Background(), generate.Job{Path: p, N: n, Seed: 4, Options: opts, LogLikelihood: loglik})
		if err != nil {
			t.Fatal(err)
		}
		x, cols := res.X, d
		if loglik {
			x, cols = nil, d+1
			for i := 0; i < n; i++ {
				x = append(append(x, res.X[i*d:(i+1)*d]...), res.LogLik[i])
			}
		}
		for _, ext := range []string{".csv", ".npy"} {
			ref, got := filepath.Join(dir, "ref"+ext), filepath.Join(dir, "got"+ext)
			if err := samplefile.Write(ref, x, cols); err != nil {
				t.Fatal(err)
			}
			args := []string{"path", "--model", mix3, "--from", "0", "--to", "2", "--n", fmt.Sprint(n), "--seed", "4", "--out", got, "--force"}
			if loglik {
				args = append(args, "--loglik")
			}
			if code, _, stderr := mmi(t, args...); code != 0 {
				t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
			}
			a, _ := os.ReadFile(ref)
			b, _ := os.ReadFile(got)
			if !bytes.Equal(a, b) {
				t.Errorf("path --loglik=%v %s: streamed file (%d bytes) differs from one batch (%d bytes)", loglik, ext, len(b), len(a))
			}
		}
	}

	// mmi transfer streams too: marginal 1 → 3 of fresh samples.
	route, err := generate.Polyline(k1, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gen.Run(context.Background(), generate.Job{Path: route, N: n, Seed: 4, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	ref, got := filepath.Join(dir, "tref.npy"), filepath.Join(dir, "tgot.npy")
	if err := samplefile.Write(ref, res.X, d); err != nil {
		t.Fatal(err)
	}
	args := []string{"transfer", "--model", mix3, "--from", "1", "--to", "3", "--n", fmt.Sprint(n), "--seed", "4", "--out", got}
	if code, _, stderr := mmi(t, args...); code != 0 {
		t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
	}
	if a, b := readBytes(t, ref), readBytes(t, got); !bytes.Equal(a, b) {
		t.Errorf("transfer: streamed file (%d bytes) differs from one batch (%d bytes)", len(b), len(a))
	}

	ms, _, err := openMarginals("moons")
	if err != nil {
		t.Fatal(err)
	}
	var all []float64
	generate.EachChunk(context.Background(), n, generate.Shard{}, 9, func(c generate.Chunk) error {
		part := make([]float64, c.Len()*2)
		ms[1].Sample(part, c.Rand)
		all = append(all, part...)
		return nil
	})
	ref, got = filepath.Join(dir, "sref.npy"), filepath.Join(dir, "sgot.npy")
	if err := samplefile.Write(ref, all, 2); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mmi(t, "sample", "--data", "moons", "--k", "1", "--n", fmt.Sprint(n), "--seed", "9", "--out", got); code != 0 {
		t.Fatalf("sample: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(ref)
	b, _ := os.ReadFile(got)
	if !bytes.Equal(a, b) {
		t.Error("mmi sample: streamed file differs from one batch")
	}
}

// TestInterruptPath: Ctrl-C during a long streamed run (10⁸ rows) exits
// with 130 and leaves neither the output file nor a temporary file.
func TestInterruptPath(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "big.npy")
	cmd := mmiCmd(nil, "path", "--model", mix3, "--n", "100000000", "--solver", "euler", "--steps", "2", "--out", out)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || errb.String() != "mmi: interrupted\n" {
		t.Errorf("exit %d, stderr %q; want 130, \"mmi: interrupted\"", code, errb.String())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func readBytes(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

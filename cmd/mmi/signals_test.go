package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startTraining starts a long tinyTrain of ckpt in a subprocess and
// returns once its first line (printed just before training) is out;
// rest collects the remaining stderr, done the exit.
func startTraining(t *testing.T, ckpt string, extra ...string) (cmd interface{ Signal(os.Signal) error }, rest *strings.Builder, done chan int) {
	t.Helper()
	c := mmiCmd(nil, append(tinyTrain(ckpt, 10000000), extra...)...)
	stderr, err := c.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "training") {
		t.Fatalf("first stderr line %q", sc.Text())
	}
	rest = &strings.Builder{}
	done = make(chan int, 1)
	go func() {
		for sc.Scan() {
			rest.WriteString(sc.Text() + "\n")
		}
		c.Wait()
		done <- c.ProcessState.ExitCode()
	}()
	return c.Process, rest, done
}

// TestStopSignals: SIGTERM and SIGHUP (timeout, docker stop, systemd,
// Slurm, a closed terminal) stop training as Ctrl-C does: a checkpoint
// at the step reached, exit 128 + the signal (143, 129), even when no
// periodic checkpoint was due (issue 20, case 6).
func TestStopSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		if signal.Ignored(sig) {
			// Started under nohup: the child inherits the ignored SIGHUP,
			// and mmi rightly keeps training through it (root.go).
			t.Logf("%v is ignored by this process (nohup?): not tested", sig)
			continue
		}
		ckpt := filepath.Join(t.TempDir(), "m.mmi")
		p, rest, done := startTraining(t, ckpt, "--checkpoint-every", "1h")
		time.Sleep(300 * time.Millisecond)
		p.Signal(sig)
		code := <-done
		if code != 128+int(sig) || !strings.Contains(rest.String(), "interrupted at step") {
			t.Errorf("%v: exit %d, stderr %q; want %d and a checkpoint", sig, code, rest.String(), 128+int(sig))
			continue
		}
		if step := stepOf(t, ckpt); step <= 0 {
			t.Errorf("%v: checkpoint at step %d", sig, step)
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(ckpt), ".*")); len(left) > 0 {
			t.Errorf("%v: left %v", sig, left)
		}
	}
}

// TestOneTrainingPerCheckpoint: while one training writes a checkpoint, a
// second training of the same --out (even with --force) and a --resume of
// it are refused at start-up, before they could remove the first one's
// temporary file or replace its checkpoint; the first run then finishes
// with a whole checkpoint (issue 20, case 5).
func TestOneTrainingPerCheckpoint(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "m.mmi")
	p, rest, done := startTraining(t, ckpt, "--checkpoint-every", "1ms")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(ckpt); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint after 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, args := range [][]string{
		append(tinyTrain(ckpt, 50), "--force"),
		{"train", "--resume", ckpt, "--steps", "20000000"},
		{"train", "--resume", ckpt, "--steps", "20000000", "--out", ckpt},
	} {
		code, _, stderr := mmi(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "being written by another process") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("mmi %v during another training: exit %d, stderr %q", args, code, stderr)
		}
	}
	p.Signal(os.Interrupt)
	if code := <-done; code != exitInterrupted {
		t.Fatalf("first training: exit %d: %s", code, rest.String())
	}
	if step := stepOf(t, ckpt); step <= 0 {
		t.Errorf("checkpoint at step %d", step)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("left %v", left)
	}
}

// TestKilledWriterLeavesNothing: SIGTERM during a streamed mmi path ends
// it (143) with no output and no temporary file; after a SIGKILL, which
// leaves its temporary file, the next command writing the same file
// removes it (issue 20, case 8).
func TestKilledWriterLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "pk.npy")
	long := []string{"path", "--model", mix3, "--n", "100000000", "--solver", "euler", "--steps", "2", "--out", out}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		c := mmiCmd(nil, long...)
		var errb bytes.Buffer
		c.Stderr = &errb
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the temporary file exists: the rows are being written.
		deadline := time.Now().Add(10 * time.Second)
		for {
			if tmp, _ := filepath.Glob(filepath.Join(dir, ".pk.npy.*.tmp")); len(tmp) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no temporary file after 10 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		c.Process.Signal(sig)
		c.Wait()
		left, _ := filepath.Glob(filepath.Join(dir, "*"))
		hidden, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
		if sig == syscall.SIGTERM {
			if code := c.ProcessState.ExitCode(); code != 143 || errb.String() != "mmi: interrupted (terminated)\n" {
				t.Errorf("SIGTERM: exit %d, stderr %q", code, errb.String())
			}
			if len(left)+len(hidden) > 0 {
				t.Errorf("SIGTERM left %v %v", left, hidden)
			}
			continue
		}
		if len(hidden) == 0 {
			t.Fatal("SIGKILL left no temporary file: the test did not kill a writer")
		}
		if code, _, stderr := mmi(t, "path", "--model", mix3, "--n", "10", "--out", out); code != 0 {
			t.Fatalf("next write: exit %d: %s", code, stderr)
		}
		if hidden, _ := filepath.Glob(filepath.Join(dir, ".*")); len(hidden) > 0 {
			t.Errorf("after the next write of pk.npy: %v", hidden)
		}
	}
}

// TestStopSignalEvalCat: Ctrl-C stops mmi eval (here a long oracle
// report) at once, and mmi cat without writing its output (issue 20,
// case 12).
func TestStopSignalEvalCat(t *testing.T) {
	c := mmiCmd(nil, "eval", "--model", mix3, "--spec", mix3, "--n", "3000000")
	var errb bytes.Buffer
	c.Stderr = &errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	t0 := time.Now()
	c.Process.Signal(os.Interrupt)
	c.Wait()
	if code := c.ProcessState.ExitCode(); code != exitInterrupted || errb.String() != "mmi: interrupted\n" || time.Since(t0) > 5*time.Second {
		t.Errorf("eval after Ctrl-C: exit %d after %v, stderr %q", code, time.Since(t0), errb.String())
	}

	// cat of many files: interrupted between two of them.
	dir := t.TempDir()
	src := filepath.Join(dir, "a.npy")
	if code, _, stderr := mmi(t, "sample", "--data", "moons", "--n", "200000", "--out", src); code != 0 {
		t.Fatalf("sample: %d %s", code, stderr)
	}
	args := []string{"cat", "--out", filepath.Join(dir, "all.npy")}
	for range 400 {
		args = append(args, src)
	}
	c = mmiCmd(nil, args...)
	errb.Reset()
	c.Stderr = &errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	c.Process.Signal(os.Interrupt)
	c.Wait()
	if code := c.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("cat after Ctrl-C: exit %d, stderr %q", code, errb.String())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*all*")); len(left) > 0 {
		t.Errorf("cat after Ctrl-C left %v", left)
	}
}

// TestWriteFailsMidway: a file that cannot be written to the end (here
// the shell's file-size limit, as a full disk would) is exit 1, the
// machine's failure and not the user's input, with one line on stderr
// and neither the output nor a temporary file left (issue 20, case 19;
// the up-front refusal of a file larger than the free space is exit 1
// too: TestCLIErrorPaths).
func TestWriteFailsMidway(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh to set a file-size limit")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "big.csv")
	c := exec.Command("/bin/sh", "-c", `ulimit -f 20 && exec "$0" "$@"`, os.Args[0], "sample", "--data", "moons", "--n", "100000", "--out", out)
	c.Env = append(os.Environ(), "MMI_TEST_AS_MAIN=1")
	var errb bytes.Buffer
	c.Stderr = &errb
	c.Run()
	if code := c.ProcessState.ExitCode(); code != exitFail || strings.Count(errb.String(), "\n") != 1 || !strings.HasPrefix(errb.String(), "mmi: ") {
		t.Errorf("exit %d, stderr %q; want 1 and one line", code, errb.String())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
		t.Errorf("left %v", left)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("left %v", left)
	}
}

// TestNohupKeepsSIGHUPIgnored: a training started with SIGHUP ignored (as
// nohup starts it) keeps ignoring it, and stops on SIGTERM as usual.
func TestNohupKeepsSIGHUPIgnored(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh to start a process with SIGHUP ignored")
	}
	ckpt := filepath.Join(t.TempDir(), "m.mmi")
	c := exec.Command("/bin/sh", append([]string{"-c", `trap "" HUP && exec "$0" "$@"`, os.Args[0]}, tinyTrain(ckpt, 10000000)...)...)
	c.Env = append(os.Environ(), "MMI_TEST_AS_MAIN=1")
	var errb bytes.Buffer
	c.Stderr = &errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	c.Process.Signal(syscall.SIGHUP)
	time.Sleep(300 * time.Millisecond)
	c.Process.Signal(syscall.SIGTERM)
	c.Wait()
	if code := c.ProcessState.ExitCode(); code != 143 || !strings.HasSuffix(errb.String(), "mmi: interrupted (terminated)\n") {
		t.Errorf("exit %d, stderr ends %q; want SIGHUP ignored, then 143 on SIGTERM", code, errb.String()[max(0, errb.Len()-80):])
	}
}

package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/nn"
)

// TestMain lets a test run this test binary as the mmi command itself
// (MMI_TEST_AS_MAIN=1), so that environment read at start-up, MMI_BLAS,
// is tested the way a user meets it.
func TestMain(m *testing.M) {
	if os.Getenv("MMI_TEST_AS_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// mmiEnv runs mmi args in a new process with the extra environment env.
func mmiEnv(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "MMI_TEST_AS_MAIN=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, stdout, stderr := mmi(t, "version")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	info, _ := nn.BLAS()
	for _, want := range []string{"mmi:", "github.com/mmi-go/mmi", "go:", "go1.", "blas:", "threads:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("version output lacks %q:\n%s", want, stdout)
		}
	}
	if info.Native() && !strings.Contains(stdout, info.Path) {
		t.Errorf("version output does not name the library %s:\n%s", info.Path, stdout)
	}

	code, stdout, stderr = mmiEnv(t, []string{"MMI_BLAS=go"}, "version")
	if code != 0 || !strings.Contains(stdout, "blas:     gonum pure Go (MMI_BLAS=go)") {
		t.Errorf("MMI_BLAS=go mmi version: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestBadBLAS: an MMI_BLAS that cannot be met stops every command with
// one line naming what was tried and exit status 2, before any output.
func TestBadBLAS(t *testing.T) {
	for _, c := range []struct{ env, want string }{
		{"MMI_BLAS=/etc/passwd", "mmi: MMI_BLAS=/etc/passwd: cannot load /etc/passwd"},
		{"MMI_BLAS=/nonexistent/libopenblas.so.0", "mmi: MMI_BLAS=/nonexistent/libopenblas.so.0: cannot load /nonexistent/libopenblas.so.0"},
		{"MMI_BLAS=libc.so.6", "mmi: MMI_BLAS=libc.so.6: libc.so.6: not a CBLAS library (no cblas_sgemm)"},
		{"MMI_BLAS=fastest", "mmi: MMI_BLAS=fastest: want go, openblas or a library path"},
	} {
		for _, args := range [][]string{{"version"}, {"sample", "--data", "moons", "--k", "1", "--n", "3"}} {
			code, stdout, stderr := mmiEnv(t, []string{c.env}, args...)
			if strings.Contains(stderr, "BLAS loading is not supported") {
				t.Skip(stderr)
			}
			if code != 2 || stdout != "" || !strings.HasPrefix(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("%s mmi %v: exit %d, stdout %q, stderr %q; want exit 2, one line starting %q",
					c.env, args, code, stdout, stderr, c.want)
			}
		}
	}
}

// TestTrainNamesBLAS: the first progress line of mmi train names the BLAS,
// and the hint about the fast path appears only when the automatic search
// found nothing (not when MMI_BLAS=go asked for pure Go).
func TestTrainNamesBLAS(t *testing.T) {
	out := t.TempDir() + "/m.mmi"
	args := []string{"train", "--data", mix3, "--steps", "2", "--hidden", "8", "--layers", "1", "--batch", "16", "--out", out, "--force"}
	code, _, stderr := mmiEnv(t, []string{"MMI_BLAS=go"}, args...)
	first, _, _ := strings.Cut(stderr, "\n")
	if code != 0 || !strings.Contains(first, "on pure-Go BLAS (gonum)") || strings.Contains(stderr, "apt-get") {
		t.Errorf("MMI_BLAS=go mmi train: exit %d, stderr %q", code, stderr)
	}
	info, _ := nn.BLAS()
	code, _, stderr = mmi(t, args...)
	first, _, _ = strings.Cut(stderr, "\n")
	if code != 0 || !strings.Contains(first, "on "+blasLine(info)+";") {
		t.Errorf("mmi train: exit %d, first line %q, want it to name %q", code, first, blasLine(info))
	}

	missing := nn.BLASInfo{Name: "gonum", Missing: "no OpenBLAS found (tried libopenblas.so.0)"}
	if h := fastPathHint(missing); !strings.Contains(h, "install") || strings.Count(h, "\n") != 1 {
		t.Errorf("hint without OpenBLAS = %q, want one line saying what to install", h)
	}
	if h := fastPathHint(nn.BLASInfo{Name: "gonum", Request: "go"}); h != "" {
		t.Errorf("hint with MMI_BLAS=go = %q, want none", h)
	}
}

// TestBadThreadCount: OPENBLAS_NUM_THREADS that is not a positive whole
// number is refused in one line (OpenBLAS silently took its default, 2,
// for 0 or abc: issue 20); a valid one is taken.
func TestBadThreadCount(t *testing.T) {
	for _, v := range []string{"0", "abc", "-1"} {
		code, _, stderr := mmiEnv(t, []string{"OPENBLAS_NUM_THREADS=" + v}, "version")
		if code != exitUsage || !strings.HasPrefix(stderr, "mmi: OPENBLAS_NUM_THREADS="+v) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("OPENBLAS_NUM_THREADS=%s: exit %d, stderr %q", v, code, stderr)
		}
	}
	if code, _, stderr := mmiEnv(t, []string{"OPENBLAS_NUM_THREADS=1"}, "version"); code != 0 {
		t.Errorf("OPENBLAS_NUM_THREADS=1: exit %d: %s", code, stderr)
	}
}

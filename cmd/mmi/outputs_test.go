package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestNeverReplaceInputs: an output is never one of the command's inputs,
// and an existing file is replaced only with --force; a device, a FIFO, a
// folder and a read-only file are refused with or without it. Each case
// exits 2 with one line on stderr before any work, and leaves every file
// as it was (issue 20, cases 1–4, 7 and 13).
func TestNeverReplaceInputs(t *testing.T) {
	dir := t.TempDir()
	fx := cliFixtures(t, dir)
	p := func(name string) string { return filepath.Join(dir, name) }
	write := func(name, s string, mode os.FileMode) {
		if err := os.WriteFile(p(name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p(name), mode)
	}
	write("victim.csv", "1,2\n3,4\n5,6\n", 0o644)
	write("ok.csv", "1,2\n3,5\n5,7\n", 0o644)
	write("old.csv", "old\n", 0o644)
	write("old.png", "old\n", 0o644)
	write("ro.csv", "old\n", 0o444)
	write("ok.npy", "not really\n", 0o644)
	mix, _ := os.ReadFile(mix3)
	write("mix.json", string(mix), 0o644)
	ckpt, _ := os.ReadFile(fx["good"])
	write("ro.mmi", string(ckpt), 0o444)
	if err := syscall.Mkfifo(p("fifo.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Symlink("/dev/null", p("null.csv"))
	os.Mkdir(p("sub"), 0o755)
	tiny := []string{"--steps", "2", "--batch", "8", "--hidden", "4", "--layers", "1"}
	train := func(args ...string) []string { return append(append([]string{"train"}, tiny...), args...) }

	for _, c := range []struct {
		want string
		args []string
	}{
		// 1: an input CSV, a specification and an unrelated file are
		// not replaced by a checkpoint, nor a trained model by a new run.
		{"input", train("--data", p("victim.csv")+","+p("ok.csv"), "--out", p("victim.csv"))},
		{"input", train("--data", p("victim.csv")+","+p("ok.csv"), "--out", p("victim.csv"), "--force")},
		{"input", train("--data", p("mix.json"), "--out", p("mix.json"), "--force")},
		{"--force", train("--data", p("mix.json"), "--out", p("ok.npy"))},
		{"--resume", train("--data", "moons", "--out", fx["good"])},
		{"--force", []string{"train", "--resume", fx["good"], "--data", "moons,circles", "--out", p("victim.csv"), "--steps", "9"}},
		// 2: a model is not replaced by a picture; a picture is a .png.
		{".png", []string{"path", "--model", fx["good"], "--n", "10", "--png", fx["good"], "--force"}},
		{"input", []string{"pathopt", "--model", p("mix.json"), "--from", "0", "--to", "1", "--out", p("mix.json"), "--force"}},
		{".png", []string{"path", "--model", mix3, "--n", "10", "--png", p("x.jpg")}},
		{"--force", []string{"path", "--model", mix3, "--n", "10", "--png", p("old.png")}},
		{"input", []string{"path", "--model", mix3, "--from", "1", "--in", p("victim.csv"), "--out", p("victim.csv"), "--force"}},
		{"input", []string{"cat", "--out", p("victim.csv"), "--force", p("victim.csv"), p("ok.csv")}},
		{"input", []string{"transfer", "--model", mix3, "--in", p("victim.csv"), "--out", p("victim.csv"), "--force"}},
		{"--force", []string{"sample", "--data", "moons", "--out", p("old.csv")}},
		{"--force", []string{"barycenter", "--model", mix3, "--weights", "0.5,0.5,0", "--out", p("old.csv")}},
		// 3: devices and FIFOs are not replaced, directly or through a link.
		{"regular", []string{"sample", "--data", "moons", "--out", p("fifo.csv"), "--force"}},
		{"regular", []string{"sample", "--data", "moons", "--out", p("null.csv"), "--force"}},
		{"regular", train("--data", "moons", "--out", "/dev/full", "--force")},
		// 4: read-only files, also the checkpoint --resume continues.
		{"read-only", []string{"sample", "--data", "moons", "--out", p("ro.csv"), "--force"}},
		{"read-only", []string{"train", "--resume", p("ro.mmi"), "--steps", "9"}},
		// 7 and 13: an empty name and folders.
		{"--out", train("--data", "moons", "--out", "")},
		{"folder", train("--data", "moons", "--out", dir)},
		{"folder", train("--data", "moons", "--out", ".")},
		{"folder", train("--data", "moons", "--out", p("sub")+"/")},
		{"folder", []string{"path", "--model", mix3, "--png", p("sub")}},
		{"folder", []string{"path", "--model", mix3, "--out", p("sub") + "/"}},
	} {
		before := snapshot(t, dir)
		code, _, stderr := mmi(t, c.args...)
		name := strings.Join(c.args, " ")
		if code != exitUsage || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "mmi: ") || !strings.Contains(stderr, c.want) {
			t.Errorf("mmi %s: exit %d, stderr %q; want 2 and one line with %q", name, code, stderr, c.want)
		}
		if after := snapshot(t, dir); after != before {
			t.Errorf("mmi %s changed the folder:\n%s\nwas\n%s", name, after, before)
		}
	}
	if st, _ := os.Stat("/dev/full"); st == nil || st.Mode()&os.ModeDevice == 0 {
		t.Error("/dev/full is no longer a device")
	}
}

// snapshot describes every entry of dir: name, type, mode and content.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range es {
		st, err := os.Lstat(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		content := ""
		if st.Mode().IsRegular() {
			c, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			content = string(bytes.TrimSpace(c[:min(len(c), 40)]))
		}
		b.WriteString(e.Name() + " " + st.Mode().String() + " " + content + "\n")
	}
	return b.String()
}

// TestForceReplaces: with --force an existing output is replaced, keeping
// its mode (a private 0600 file stays 0600); through a symbolic link the
// target is written and the link stays (issue 20, cases 3 and 4).
func TestForceReplaces(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	os.WriteFile(p("private.csv"), []byte("old\n"), 0o600)
	os.WriteFile(p("target.csv"), []byte("old\n"), 0o644)
	os.Symlink("target.csv", p("link.csv"))
	for _, out := range []string{"private.csv", "link.csv"} {
		if code, _, stderr := mmi(t, "sample", "--data", "moons", "--n", "3", "--out", p(out), "--force"); code != 0 {
			t.Fatalf("sample --out %s --force: exit %d: %s", out, code, stderr)
		}
	}
	if st, _ := os.Stat(p("private.csv")); st.Mode().Perm() != 0o600 {
		t.Errorf("private.csv became %v", st.Mode())
	}
	if st, _ := os.Lstat(p("link.csv")); st.Mode()&os.ModeSymlink == 0 {
		t.Error("link.csv is no longer a link")
	}
	for _, f := range []string{"private.csv", "target.csv"} {
		if b, _ := os.ReadFile(p(f)); bytes.HasPrefix(b, []byte("old")) {
			t.Errorf("%s was not replaced", f)
		}
	}
}

// TestCLIIssue20Refusals: the crashes and the silently ignored input of
// issue 20 (cases 9, 10, 11, 16 and 18) are one line on stderr and exit 2,
// no panic, no output file.
func TestCLIIssue20Refusals(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	os.WriteFile(p("big.csv"), []byte("1e308,-1e308\n-1e308,1e308\n1e308,1e308\n"), 0o644)
	os.WriteFile(p("two.csv"), []byte("0.5,0.5\n1,0\n-1,2\n"), 0o644)
	for _, n := range []string{"zero.mmi", "zero.csv", "zero.json", "zero.npy"} {
		os.Symlink("/dev/zero", p(n))
	}
	out := p("out.csv")
	if code, _, stderr := mmi(t, "pathopt", "--model", mix3, "--from", "0", "--to", "1", "--iters", "1", "--n", "16", "--out", p("p01.json")); code != 0 {
		t.Fatalf("pathopt: exit %d: %s", code, stderr)
	}
	for _, c := range []struct {
		want string
		args []string
	}{
		// 9: tolerances below what float64 resolves.
		{"--rtol", []string{"path", "--model", mix3, "--n", "10", "--atol", "1e-160", "--rtol", "1e-160"}},
		{"--rtol", []string{"transfer", "--model", mix3, "--n", "10", "--atol", "1e-160", "--rtol", "1e-160"}},
		{"--rtol", []string{"barycenter", "--model", mix3, "--weights", "0.5,0.5,0", "--n", "10", "--rtol", "1e-17"}},
		// 10: an energy distance of one row.
		{"--eval-n", []string{"transfer", "--model", mix3, "--n", "10", "--eval-n", "1"}},
		{"--eval-n", []string{"barycenter", "--model", mix3, "--weights", "0.5,0.5,0", "--eval-n", "1"}},
		// 11: devices read without end, directly or through a link.
		{"regular", []string{"path", "--model", "/dev/zero", "--n", "10"}},
		{"regular", []string{"path", "--model", p("zero.mmi"), "--n", "10"}},
		{"regular", []string{"train", "--data", p("zero.csv"), "--out", p("m.mmi")}},
		{"regular", []string{"train", "--data", p("zero.json"), "--out", p("m.mmi")}},
		{"regular", []string{"eval", "--a", p("zero.npy"), "--b", p("two.csv")}},
		{"regular", []string{"path", "--model", mix3, "--from", "1", "--to", "2", "--in", p("zero.csv")}},
		// 16: values whose distances overflow.
		{"overflow", []string{"eval", "--a", p("big.csv"), "--b", p("two.csv")}},
		{"overflow", []string{"eval", "--a", p("big.csv"), "--b", p("big.csv"), "--json"}},
		// 18: flags that others would silently override.
		{"--sde", []string{"path", "--model", mix3, "--sde", "--solver", "rk4", "--out", out}},
		{"--sde", []string{"path", "--model", mix3, "--sde", "--solver", "dopri5", "--out", out}},
		{"--sde", []string{"transfer", "--model", mix3, "--via", "0", "--sde", "--solver", "rk4", "--out", out}},
		{"--in or --n", []string{"path", "--model", mix3, "--from", "1", "--in", p("two.csv"), "--n", "7", "--out", out}},
		{"--from", []string{"path", "--model", mix3, "--path", p("p01.json"), "--from", "2", "--to", "3", "--out", out}},
		{"--eval-n", []string{"transfer", "--model", mix3, "--eval-n", "-1", "--out", out}},
		{"--eval-n", []string{"barycenter", "--model", mix3, "--weights", "0.5,0.5,0", "--eval-n", "-1", "--out", out}},
	} {
		code, _, stderr := mmi(t, c.args...)
		name := strings.Join(c.args, " ")
		if code != exitUsage || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "mmi: ") || !strings.Contains(stderr, c.want) {
			t.Errorf("mmi %s: exit %d, stderr %q; want 2 and one line with %q", name, code, stderr, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("mmi %s wrote %s", name, out)
			os.Remove(out)
		}
	}
}

// TestOneRowRuns: a run of one row writes its row and says the energy
// distance is skipped, instead of panicking after writing it (issue 20,
// case 10).
func TestOneRowRuns(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	os.WriteFile(p("one.csv"), []byte("0.5,0.5\n"), 0o644)
	for i, args := range [][]string{
		{"transfer", "--model", mix3, "--n", "1"},
		{"transfer", "--model", mix3, "--in", p("one.csv")},
		{"transfer", "--model", mix3, "--n", "1025", "--shard", "1/2"},
		{"barycenter", "--model", mix3, "--weights", "0.5,0.5,0", "--n", "1"},
	} {
		out := p(fmt.Sprintf("out%d.csv", i))
		code, stdout, stderr := mmi(t, append(args, "--out", out)...)
		if code != 0 || !strings.Contains(stdout, "energy distance skipped") {
			t.Errorf("mmi %v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
		if b, err := os.ReadFile(out); err != nil || bytes.Count(b, []byte("\n")) != 1 {
			t.Errorf("mmi %v: output %q, %v; want one row", args, b, err)
		}
	}
}

// failWriter fails every write, as standard output redirected to
// /dev/full does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestStdoutChecked: a command whose standard output cannot be written
// exits 1 with one line on stderr, not 0 (issue 20, case 17).
func TestStdoutChecked(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"version"},
		{"path", "--model", mix3, "--n", "10"},
		{"path", "--model", mix3, "--n", "10", "--json"},
		{"train", "--data", "moons", "--steps", "2", "--batch", "8", "--hidden", "4", "--layers", "1", "--out", filepath.Join(dir, "m.mmi")},
		{"sample", "--data", "moons", "--n", "3"},
		{"eval", "--a", "testdata/golden/tiny.csv", "--b", "testdata/golden/tiny.csv"},
	} {
		var errb bytes.Buffer
		code := run(args, failWriter{}, &errb)
		lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
		if last := lines[len(lines)-1]; code != exitFail || !strings.HasPrefix(last, "mmi: ") || !strings.Contains(last, "no space left") {
			t.Errorf("mmi %v > /dev/full: exit %d, stderr %q; want 1 and the error", args, code, errb.String())
		}
	}
}

// TestPathoptAllKeepsFiles: pathopt --all writes one file per pair into
// its --out folder; a second run replaces them only with --force.
func TestPathoptAllKeepsFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "paths")
	args := []string{"pathopt", "--model", mix3, "--all", "--n", "16", "--iters", "1", "--modes", "1", "--out", dir}
	if code, _, stderr := mmi(t, args...); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	before := snapshot(t, dir)
	if code, _, stderr := mmi(t, args...); code != exitUsage || !strings.Contains(stderr, "--force") {
		t.Errorf("second run: exit %d, stderr %q; want 2 and --force", code, stderr)
	}
	if snapshot(t, dir) != before {
		t.Error("the refused run changed the folder")
	}
	if code, _, stderr := mmi(t, append(args, "--force")...); code != 0 {
		t.Errorf("with --force: exit %d: %s", code, stderr)
	}
}

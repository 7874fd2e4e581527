package main

import (
	"bytes"
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
		{"--force", train("--resume", fx["good"], "--data", "moons,circles", "--out", p("victim.csv"), "--steps", "9")},
		// 2: a model is not replaced by a picture; a picture is a .png.
		{".png", []string{"path", "--model", fx["good"], "--n", "10", "--png", fx["good"], "--force"}},
		{"input", []string{"pathopt", "--model", p("mix.json"), "--from", "0", "--to", "1", "--out", p("mix.json"), "--force"}},
		{".png", []string{"path", "--model", mix3, "--n", "10", "--png", p("x.jpg")}},
		{"--force", []string{"path", "--model", mix3, "--n", "10", "--png", p("old.png")}},
		{"input", []string{"path", "--model", mix3, "--n", "10", "--in", p("victim.csv"), "--out", p("victim.csv"), "--force"}},
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
		{"read-only", train("--resume", p("ro.mmi"), "--steps", "9")},
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

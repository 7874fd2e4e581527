package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cliFixtures writes the bad and good inputs the error-path table uses
// into dir and returns their paths by name.
func cliFixtures(t *testing.T, dir string) map[string]string {
	t.Helper()
	p := func(name string) string { return filepath.Join(dir, name) }
	write := func(name string, b []byte) {
		if err := os.WriteFile(p(name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ragged.csv", []byte("1,2\n3\n"))
	write("three.csv", []byte("1,2,3\n4,5,6\n"))
	write("two.csv", []byte("0.5,0.5\n1,0\n-1,2\n"))
	write("random.mmi", []byte("\x93\x01\xffnot a checkpoint at all, just bytes \x00\x01\x02"))
	write("random.json", []byte("{\"dim\": 2, \"marg"))
	write("badpath.json", []byte(`{"kind": "segment", "from": [1, 0], "to": [0, 1]}`))
	write("notafolder", []byte("x"))
	// 200 000 columns: its standard Gaussian alone (a dense d×d
	// covariance and factor) would need 600 GiB.
	wide := strings.Repeat("0.5,", 199999) + "0.5\n"
	write("wide.csv", []byte(wide+wide))
	if err := os.Mkdir(p("dir.csv"), 0o755); err != nil { // a "file" that cannot be read
		t.Fatal(err)
	}
	// A small checkpoint, then a truncated copy and one from a future
	// format version (the version is the big-endian uint32 after the
	// 2-byte array/string prefix, the magic and a 1-byte type tag).
	good := p("good.mmi")
	if code, _, stderr := mmi(t, "train", "--data", "moons,circles", "--steps", "3", "--batch", "16", "--hidden", "8", "--layers", "1", "--out", good); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write("truncated.mmi", b[:len(b)/2])
	future := append([]byte(nil), b...)
	future[2+len("mmi-checkpoint")+4] = 99
	write("future.mmi", future)
	return map[string]string{"good": good}
}

// TestCLIErrorPaths runs every subcommand through its error paths: missing
// and unreadable files, wrong dimensions, out-of-range indices, unknown
// names, negative or zero counts, a truncated, random or future-version
// model, and output folders that do not exist. Each must exit with status
// 2 (bad input), print one line on stderr starting "mmi: " (no stack
// trace, no usage text), and leave no output file and no temporary file
// behind.
func TestCLIErrorPaths(t *testing.T) {
	dir := t.TempDir()
	cliFixtures(t, dir)
	p := func(name string) string { return filepath.Join(dir, name) }
	out := p("out.csv")         // must not appear
	png := p("out.png")         // must not appear
	missingDir := p("no/x.csv") // its folder does not exist
	notDir := p("notafolder/x.csv")
	type tc struct {
		args []string
		want string // a piece of the message
		code int    // exit status: 2 (bad input) unless said
	}
	var cases []tc
	add := func(want string, args ...string) { cases = append(cases, tc{args, want, exitUsage}) }
	// A disk too small for the output is not the user's input: exit 1,
	// whether found up front or while writing.
	addFail := func(want string, args ...string) { cases = append(cases, tc{args, want, exitFail}) }

	// train
	add("positive", "train", "--data", "moons", "--steps", "0", "--out", p("m.mmi"))
	add("positive", "train", "--data", "moons", "--batch", "-3", "--out", p("m.mmi"))
	add("positive", "train", "--data", "moons", "--hidden", "0", "--out", p("m.mmi"))
	add("positive", "train", "--data", "moons", "--lr", "-1", "--out", p("m.mmi"))
	add("known:", "train", "--data", "nosuchset", "--out", p("m.mmi"))
	add("missing.csv", "train", "--data", p("missing.csv"), "--out", p("m.mmi"))
	add("dir.csv", "train", "--data", p("dir.csv"), "--out", p("m.mmi"))
	add("ragged.csv", "train", "--data", p("ragged.csv"), "--out", p("m.mmi"))
	add("dimension", "train", "--data", "moons,"+p("three.csv"), "--out", p("m.mmi"))
	add("mnist", "train", "--data", "mnist:10", "--out", p("m.mmi"))
	add("dimension 200000", "train", "--data", p("wide.csv"), "--out", p("m.mmi"))
	add("dimension 200000", "sample", "--data", p("wide.csv"), "--k", "0", "--out", out)
	add("missing.mmi", "train", "--resume", p("missing.mmi"))
	add("truncated.mmi", "train", "--resume", p("truncated.mmi"), "--out", p("m.mmi"))
	add("random.mmi", "train", "--resume", p("random.mmi"), "--out", p("m.mmi"))
	add("version 99", "train", "--resume", p("future.mmi"), "--out", p("m.mmi"))
	add("folder", "train", "--data", "moons", "--steps", "2", "--out", p("no/m.mmi"))
	add("folder", "train", "--data", "moons", "--steps", "2", "--out", p("notafolder/m.mmi"))

	// path
	add("does not exist", "path", "--model", p("missing.mmi"), "--out", out)
	add("truncated.mmi", "path", "--model", p("truncated.mmi"), "--out", out)
	add("random.mmi", "path", "--model", p("random.mmi"), "--out", out)
	add("version 99", "path", "--model", p("future.mmi"), "--out", out)
	add("random.json", "path", "--model", p("random.json"), "--out", out)
	add("3", "path", "--model", mix3, "--from", "0", "--to", "7", "--out", out)
	add("-1", "path", "--model", mix3, "--from", "-1", "--to", "2", "--out", out)
	add("9", "path", "--model", mix3, "--from", "0", "--to", "2", "--via", "9", "--out", out)
	add("--via", "path", "--model", mix3, "--from", "0", "--to", "2", "--via", "one", "--out", out)
	add("--n must be positive", "path", "--model", mix3, "--n", "0", "--out", out)
	add("--n must be positive", "path", "--model", mix3, "--n", "-5", "--out", out)
	add("--steps must be positive", "path", "--model", mix3, "--solver", "rk4", "--steps", "0", "--out", out)
	add("unknown solver", "path", "--model", mix3, "--solver", "leapfrog", "--out", out)
	add("--atol", "path", "--model", mix3, "--atol", "0", "--out", out)
	add("would need about", "path", "--model", mix3, "--solver", "euler", "--steps", "100000000000", "--out", out)
	add("--atol", "path", "--model", mix3, "--rtol", "-1e-3", "--out", out)
	add("--eps", "path", "--model", mix3, "--sde", "--eps", "-1", "--out", out)
	add("--eps", "path", "--model", mix3, "--sde", "--eps", "NaN", "--out", out)
	add("--denoise must be in [0, 1)", "path", "--model", mix3, "--denoise", "1", "--out", out)
	add("--denoise must be in [0, 1)", "path", "--model", mix3, "--denoise", "-0.1", "--out", out)
	add("end at a data marginal", "path", "--model", mix3, "--from", "2", "--to", "0", "--denoise", "0.1", "--out", out)
	add("likelihood", "path", "--model", mix3, "--loglik", "--denoise", "0.1", "--out", out)
	add("end at a data marginal", "barycenter", "--model", mix3, "--weights", "0.5,0.25,0.25", "--denoise", "0.1", "--out", out)
	add("coupled barycenter", "barycenter", "--model", mix3, "--weights", "0.5,0.25,0.25", "--coupled", "--denoise", "0.1", "--out", out)
	add("--guidance \"x\": \"x\" is not a number", "path", "--model", mix3, "--guidance", "x", "--out", out)
	add("--guidance interval [0.6, 0.2]", "path", "--model", mix3, "--guidance", "1:0.6:0.2", "--out", out)
	add("the edge from the Gaussian to a data marginal", "path", "--model", mix3, "--from", "1", "--to", "2", "--guidance", "1", "--out", out)
	add("likelihood", "path", "--model", mix3, "--loglik", "--guidance", "1", "--out", out)
	add("dimension 3", "path", "--model", mix3, "--in", p("three.csv"), "--out", out)
	add("missing.csv", "path", "--model", mix3, "--in", p("missing.csv"), "--out", out)
	add("dir.csv", "path", "--model", mix3, "--in", p("dir.csv"), "--out", out)
	add("missing.json", "path", "--model", mix3, "--path", p("missing.json"), "--out", out)
	add("badpath.json", "path", "--model", mix3, "--path", p("badpath.json"), "--out", out)
	add("extension", "path", "--model", mix3, "--out", p("out.txt"))
	add("does not exist", "path", "--model", mix3, "--out", missingDir)
	add("not a folder", "path", "--model", mix3, "--out", notDir)
	add("does not exist", "path", "--model", mix3, "--png", p("no/x.png"))
	add("--shard", "path", "--model", mix3, "--shard", "4/4", "--out", out)
	add("fewer than the 8 shards", "path", "--model", mix3, "--n", "100", "--shard", "0/8", "--out", out)
	add("Gaussian", "path", "--model", mix3, "--from", "1", "--to", "2", "--loglik", "--out", out)
	addFail("would take at least", "path", "--model", mix3, "--n", "1000000000000000", "--out", p("big.npy"))

	// transfer and barycenter
	add("differ", "transfer", "--model", mix3, "--from", "2", "--to", "2", "--out", out)
	add("--n must be positive", "transfer", "--model", mix3, "--from", "1", "--to", "2", "--n", "0", "--out", out)
	add("does not exist", "transfer", "--model", p("missing.mmi"), "--from", "1", "--to", "2", "--out", out)
	add("truncated.mmi", "transfer", "--model", p("truncated.mmi"), "--from", "1", "--to", "2", "--out", out)
	add("dimension 3", "transfer", "--model", mix3, "--from", "1", "--to", "2", "--in", p("three.csv"), "--out", out)
	add("7", "transfer", "--model", mix3, "--from", "1", "--to", "7", "--out", out)
	add("does not exist", "transfer", "--model", mix3, "--from", "1", "--to", "2", "--out", missingDir)
	// transfer streams its rows to --out: the disk is what runs out,
	// unless the energy distance is asked to keep them all.
	addFail("would take at least", "transfer", "--model", mix3, "--from", "1", "--to", "2", "--n", "100000000000", "--out", out)
	add("would need about", "transfer", "--model", mix3, "--from", "1", "--to", "2", "--n", "100000000000", "--eval-n", "100000000000", "--out", out)
	add("would need about", "transfer", "--model", mix3, "--all", "--n", "100000000000")
	add("would need about", "barycenter", "--model", mix3, "--weights", "0.5,0.25,0.25", "--n", "100000000000", "--out", out)
	add("--weights", "barycenter", "--model", mix3, "--weights", "0.5,x,0.5", "--out", out)
	add("weights", "barycenter", "--model", mix3, "--weights", "1.5,-0.5,0", "--out", out)
	add("weights", "barycenter", "--model", mix3, "--weights", "0.5,0.5", "--out", out)
	add("--n", "barycenter", "--model", mix3, "--weights", "0.5,0.25,0.25", "--n", "-1", "--out", out)
	add("random.mmi", "barycenter", "--model", p("random.mmi"), "--weights", "0.5,0.25,0.25", "--out", out)
	add("does not exist", "barycenter", "--model", mix3, "--weights", "0.5,0.25,0.25", "--out", missingDir)

	// pathopt
	add("9", "pathopt", "--model", mix3, "--from", "0", "--to", "9", "--out", p("p.json"))
	add("random.mmi", "pathopt", "--model", p("random.mmi"), "--from", "0", "--to", "1", "--out", p("p.json"))
	add("--n", "pathopt", "--model", mix3, "--from", "0", "--to", "1", "--n", "0", "--out", p("p.json"))
	add("--iters", "pathopt", "--model", mix3, "--from", "0", "--to", "1", "--iters", "-1", "--out", p("p.json"))
	add("--modes", "pathopt", "--model", mix3, "--from", "0", "--to", "1", "--modes", "0", "--out", p("p.json"))
	add("does not exist", "pathopt", "--model", mix3, "--from", "0", "--to", "1", "--out", p("no/p.json"))
	for _, flag := range []string{"--n", "--nodes", "--modes"} {
		add("would need about", "pathopt", "--model", mix3, "--from", "0", "--to", "1", flag, "100000000000", "--out", p("p.json"))
	}

	// sample, eval, cat, datasets, version
	add("known:", "sample", "--data", "nosuchset", "--out", out)
	add("out of range", "sample", "--data", "moons", "--k", "5", "--out", out)
	add("--n must be positive", "sample", "--data", "moons", "--n", "-2", "--out", out)
	add("extension", "sample", "--data", "moons", "--out", p("out.txt"))
	add("does not exist", "sample", "--data", "moons", "--out", missingDir)
	addFail("would take at least", "sample", "--data", "moons", "--n", "1000000000000000", "--out", p("big.npy"))
	add("missing.csv", "eval", "--a", p("missing.csv"), "--b", p("two.csv"))
	add("dir.csv", "eval", "--a", p("dir.csv"), "--b", p("two.csv"))
	add("dimension", "eval", "--a", p("three.csv"), "--b", p("two.csv"))
	add("random.mmi", "eval", "--model", p("random.mmi"), "--spec", mix3)
	add("random.json", "eval", "--model", mix3, "--spec", p("random.json"))
	add("would need about", "eval", "--model", mix3, "--spec", mix3, "--n", "100000000000")
	add("missing.csv", "cat", "--out", out, p("two.csv"), p("missing.csv"))
	add("dimension", "cat", "--out", out, p("two.csv"), p("three.csv"))
	add("does not exist", "cat", "--out", missingDir, p("two.csv"))
	add("no arguments", "datasets", "extra")
	add("no arguments", "version", "extra")
	add("unknown flag", "path", "--nosuchflag")
	add("unknown command", "nosuchcommand")

	for _, c := range cases {
		code, stdout, stderr := mmi(t, c.args...)
		name := strings.Join(c.args, " ")
		if code != c.code {
			t.Errorf("mmi %s: exit %d, want %d (stdout %q, stderr %q)", name, code, c.code, stdout, stderr)
			continue
		}
		if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "mmi: ") || !strings.Contains(stderr, c.want) {
			t.Errorf("mmi %s: stderr %q, want one line \"mmi: …\" containing %q", name, stderr, c.want)
		}
		if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
			t.Errorf("mmi %s: stack trace: %s", name, stderr)
		}
		for _, f := range []string{out, png, p("m.mmi"), p("p.json"), p("big.npy")} {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("mmi %s: left %s behind", name, filepath.Base(f))
				os.Remove(f)
			}
		}
		if tmp, _ := filepath.Glob(filepath.Join(dir, ".*")); len(tmp) > 0 {
			t.Errorf("mmi %s: left temporary files %v", name, tmp)
			for _, f := range tmp {
				os.RemoveAll(f)
			}
		}
	}
}

// TestCLIReadOnlyFolder: an output folder the user cannot write is bad
// input, found before any work. Root (CI) writes into a folder of mode
// 0555, so there the folder is /proc/self, where no one can create files
// (Linux only).
func TestCLIReadOnlyFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ro")
	if os.Geteuid() == 0 {
		if _, err := os.Stat("/proc/self"); err != nil {
			t.Skip("root writes into read-only folders, and there is no /proc")
		}
		dir = "/proc/self"
	} else if err := os.Mkdir(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"path", "--model", mix3, "--out", filepath.Join(dir, "x.csv")},
		{"sample", "--data", "moons", "--out", filepath.Join(dir, "x.csv")},
		{"train", "--data", "moons", "--steps", "2", "--out", filepath.Join(dir, "m.mmi")},
	} {
		if code, _, stderr := mmi(t, args...); code != exitUsage || !strings.Contains(stderr, "not writable") {
			t.Errorf("mmi %v: exit %d, stderr %q; want 2, not writable", args, code, stderr)
		}
	}
}

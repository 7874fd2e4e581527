package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The README's commands must not rot. Every command line of its indented
// blocks that runs mmi (as `mmi`, `go run ./cmd/mmi` or a built binary)
// must name a subcommand whose flags all parse; the ones inline in the
// text (`mmi path --from 0 …`, often with placeholders such as I or FILE)
// must name a subcommand and existing flags. Then the blocks run, in
// README order, in a scratch folder: they depend on each other (train
// writes model.mmi, path reads it), so they run as a user would type
// them, made cheap by flags appended to each (pflag keeps the last value):
// tiny trainings, a few hundred samples, two optimizer iterations. Running
// them, rather than only parsing, is what catches a command that parses
// but fails (a file the text forgot to create, a flag combination refused).
// The go test/go build lines are the test suite and benchmarks themselves
// and are not run here.

var readmeMMI = regexp.MustCompile(`^(?:[A-Z_]+=\S+\s+)*(?:time\s+)?(?:mmi|go run \./cmd/mmi|/tmp/mmi)\s+(.*)$`)

// readmeCommands returns the argument lists of the mmi commands in the
// README's indented blocks, and those inline in backquotes.
func readmeCommands(t *testing.T) (blocks, inline [][]string) {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "    ") {
			code, _, _ := strings.Cut(strings.TrimSpace(line), " #")
			for _, part := range strings.Split(code, "&&") {
				if m := readmeMMI.FindStringSubmatch(strings.TrimSpace(part)); m != nil {
					blocks = append(blocks, strings.Fields(m[1]))
				}
			}
			continue
		}
		for _, m := range regexp.MustCompile("`mmi ([a-z]+[^`]*)`").FindAllStringSubmatch(line, -1) {
			inline = append(inline, strings.Fields(m[1]))
		}
	}
	if len(blocks) < 15 || len(inline) < 15 {
		t.Fatalf("found %d block and %d inline commands in the README: the extraction is broken", len(blocks), len(inline))
	}
	return blocks, inline
}

func TestREADMECommandsParse(t *testing.T) {
	blocks, inline := readmeCommands(t)
	// The go install line names the module path of go.mod.
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	module := strings.Fields(strings.SplitN(string(mod), "\n", 2)[0])[1]
	if readme, _ := os.ReadFile("../../README.md"); !strings.Contains(string(readme), "    go install "+module+"/cmd/mmi@latest") {
		t.Errorf("README lacks the line `go install %s/cmd/mmi@latest`", module)
	}
	root := newRoot(nil, nil)
	find := func(args []string) (*cobra.Command, []string) {
		c, rest, err := root.Find(args)
		if err != nil || c == root {
			t.Errorf("README: mmi %s: no such command", strings.Join(args, " "))
			return nil, nil
		}
		return c, rest
	}
	for _, args := range blocks {
		c, rest := find(args)
		if c == nil {
			continue
		}
		c.Flags().VisitAll(func(f *pflag.Flag) { f.Changed = false })
		if err := c.ParseFlags(rest); err != nil {
			t.Errorf("README: mmi %s: %v", strings.Join(args, " "), err)
		}
	}
	for _, args := range inline {
		c, rest := find(args)
		if c == nil {
			continue
		}
		for _, a := range rest {
			a = strings.TrimLeft(a, "[(")
			name, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
			name = strings.TrimRight(name, "]),.;:")
			if strings.HasPrefix(a, "--") && c.Flags().Lookup(name) == nil {
				t.Errorf("README: `mmi %s`: %s has no flag --%s", strings.Join(args, " "), c.Name(), name)
			}
		}
	}
}

// readmeCheap are the flags appended to a README command to make it
// cheap; the README's own values come first and are overridden.
var readmeCheap = map[string][]string{
	"train":      {"--steps", "60", "--batch", "64", "--hidden", "16", "--layers", "1"},
	"path":       {"--n", "200"},
	"sample":     {"--n", "200"},
	"transfer":   {"--n", "200"},
	"barycenter": {"--n", "200"},
	"pathopt":    {"--n", "64", "--iters", "2", "--nodes", "4", "--modes", "1"},
}

func TestREADMECommandsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's commands")
	}
	blocks, _ := readmeCommands(t)
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(repo, "examples"), filepath.Join(dir, "examples")); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "docs"), 0o755)
	t.Chdir(dir)
	ran := 0
	// missing holds the files that skipped commands would have written:
	// a command that reads one is skipped too.
	missing := map[string]bool{}
	for _, args := range blocks {
		if len(args) == 0 || args[0] == "help" {
			continue
		}
		why := readmeSkipRun(args)
		for i, a := range args[:len(args)-1] {
			if (a == "--model" || a == "--in" || a == "--a" || a == "--b") && missing[args[i+1]] {
				why = "reads " + args[i+1] + ", the output of a command not run"
			}
		}
		if why != "" {
			for i, a := range args[:len(args)-1] {
				if a == "--out" {
					missing[args[i+1]] = true
				}
			}
			t.Logf("not run (%s): mmi %s", why, strings.Join(args, " "))
			continue
		}
		for i, a := range args[:len(args)-1] {
			if a == "--out" {
				delete(missing, args[i+1])
			}
		}
		full := append(append([]string(nil), args...), readmeCheap[args[0]]...)
		if readmeCheap[args[0]] != nil || args[0] == "cat" {
			// The README's sections are independent examples that reuse
			// file names (model.mmi, x.csv); run in one folder, a later
			// one replaces an earlier one's file.
			full = append(full, "--force")
		}
		code, _, stderr := mmi(t, full...)
		if code != 0 {
			t.Errorf("README: mmi %s (made cheap: %v): exit %d: %s", strings.Join(args, " "), readmeCheap[args[0]], code, stderr)
		}
		ran++
	}
	t.Logf("ran %d README commands", ran)
}

// readmeSkipRun says why a README command is only parsed, not run: it
// needs what a fresh CI machine may lack or what takes minutes whatever
// the flags (the image data sets, the evaluation classifier trained on
// first use). "" means run it.
func readmeSkipRun(args []string) string {
	for i, a := range args {
		switch {
		case a == "--class":
			return "trains the evaluation classifier on first use"
		case (a == "--data" || a == "--model") && i+1 < len(args) &&
			(strings.Contains(args[i+1], "mnist") || strings.Contains(args[i+1], "fashion")):
			return "image data set"
		}
	}
	return ""
}

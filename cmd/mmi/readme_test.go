package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The README's commands must not rot, nor those of the pages under docs/
// (docPages: the README, then the pages in the order of docs/README.md,
// the index, which must name every page). Every command line of their
// indented blocks that runs mmi (as `mmi`, `go run ./cmd/mmi` or a built
// binary) must name a subcommand whose flags all parse; the ones inline in
// the text (`mmi path --from 0 …`, often with placeholders such as I or
// FILE) must name a subcommand and existing flags. Then the blocks run, in
// that order, in a scratch folder: they depend on each other (train writes
// model.mmi, path reads it), so they run as a user would type them, made
// cheap by flags appended to each (pflag keeps the last value): tiny
// trainings, a few hundred samples, two optimizer iterations. Running
// them, rather than only parsing, is what catches a command that parses
// but fails (a file the text forgot to create, a flag combination refused).
// The go test/go build lines are the test suite and benchmarks themselves
// and are not run here.

var readmeMMI = regexp.MustCompile(`^(?:[A-Z_]+=\S+\s+)*(?:time\s+)?(?:mmi|go run \./cmd/mmi|/tmp/mmi)\s+(.*)$`)

// docPages returns the files whose commands are checked, relative to the
// repository root: README.md, then the pages docs/README.md links to, in
// its order. A page under docs/ that the index does not name is an error,
// so that a new page cannot escape the checks.
func docPages(t *testing.T) []string {
	t.Helper()
	index, err := os.ReadFile("../../docs/README.md")
	if err != nil {
		t.Fatal(err)
	}
	pages := []string{"README.md", "docs/README.md"}
	named := map[string]bool{"README.md": true}
	for _, m := range regexp.MustCompile(`\]\(([a-z0-9-]+\.md)\)`).FindAllStringSubmatch(string(index), -1) {
		if !named[m[1]] {
			named[m[1]] = true
			pages = append(pages, "docs/"+m[1])
		}
	}
	all, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range all {
		if !named[filepath.Base(f)] {
			t.Errorf("docs/%s is not named in the index docs/README.md", filepath.Base(f))
		}
	}
	return pages
}

// readmeCommands returns the argument lists of the mmi commands in the
// indented blocks of the README and the docs pages, and those inline in
// backquotes.
func readmeCommands(t *testing.T) (blocks, inline [][]string) {
	t.Helper()
	for _, page := range docPages(t) {
		b, err := os.ReadFile(filepath.Join("../..", page))
		if err != nil {
			t.Fatal(err)
		}
		pb, pi := pageCommands(string(b))
		blocks, inline = append(blocks, pb...), append(inline, pi...)
	}
	if len(blocks) < 15 || len(inline) < 15 {
		t.Fatalf("found %d block and %d inline commands in the README and docs: the extraction is broken", len(blocks), len(inline))
	}
	return blocks, inline
}

// pageCommands is readmeCommands for one page's text.
func pageCommands(text string) (blocks, inline [][]string) {
	for _, line := range strings.Split(text, "\n") {
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
			t.Errorf("README/docs: mmi %s: no such command", strings.Join(args, " "))
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
			t.Errorf("README/docs: mmi %s: %v", strings.Join(args, " "), err)
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
				t.Errorf("README/docs: `mmi %s`: %s has no flag --%s", strings.Join(args, " "), c.Name(), name)
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
	"suite":      {"--n", "2", "--train", "--steps 60 --batch 64 --hidden 16 --layers 1", "--points", "50", "--eval-n", "100"},
}

// readmeCheapFor is readmeCheap for one command, but a sharded run keeps
// its own --n: a shard needs whole chunks of rows, and shards are shown
// on the cheap oracle; a transfer of the rows of --in has no --n.
func readmeCheapFor(args []string) []string {
	cheap := readmeCheap[args[0]]
	if (slices.Contains(args, "--shard") || slices.Contains(args, "--in")) && len(cheap) == 2 && cheap[0] == "--n" {
		return nil
	}
	return cheap
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
		cheap := readmeCheapFor(args)
		full := append(append([]string(nil), args...), cheap...)
		if writesFiles[args[0]] {
			// The pages' sections are independent examples that reuse
			// file names (model.mmi, x.csv); run in one folder, a later
			// one replaces an earlier one's file.
			full = append(full, "--force")
		}
		code, _, stderr := mmi(t, full...)
		if code != 0 {
			t.Errorf("README/docs: mmi %s (made cheap: %v): exit %d: %s", strings.Join(args, " "), cheap, code, stderr)
		}
		ran++
	}
	t.Logf("ran %d README and docs commands", ran)
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
		case (a == "--data" || a == "--in") && i+1 < len(args) && missingFolder(args[i+1]):
			return "reads a folder of images made outside mmi"
		}
	}
	return ""
}

// missingFolder reports whether a --data list or --in names a folder
// (a path with a slash and no extension) that does not exist here: the
// folders of images of docs/images-folders.md, made by a Go program.
func missingFolder(list string) bool {
	for _, e := range strings.Split(list, ",") {
		if strings.Contains(e, "/") && filepath.Ext(e) == "" {
			if _, err := os.Stat(e); err != nil {
				return true
			}
		}
	}
	return false
}

// TestREADMELength: the README stays a page a newcomer reads in ten
// minutes; measurements, pictures and long how-tos go to pages under
// docs/ (named in docs/README.md).
func TestREADMELength(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n > 250 {
		t.Errorf("README.md has %d lines, more than 250: move the detail to a page under docs/", n)
	}
}

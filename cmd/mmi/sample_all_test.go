package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mmi-go/mmi/samplefile"
)

// mmi sample --all writes every row of a sample file once, in order (a
// resampling or a reordering fails), and its --shard parts concatenate to
// the whole; a marginal that is drawn, or --all with --n, is refused.
func TestSampleAll(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "rows.csv")
	// 2100 rows: three chunks of the run (1024 rows each), so two shards.
	var rows []float64
	text := ""
	for i := range 2100 {
		rows = append(rows, float64(i), float64(-i))
		text += fmt.Sprintf("%d,%d\n", i, -i)
	}
	if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func(f string) []float64 {
		x, d, err := samplefile.Read(f)
		if err != nil || d != 2 {
			t.Fatalf("%s: dimension %d: %v", f, d, err)
		}
		return x
	}
	whole := filepath.Join(dir, "all.npy")
	if code, _, stderr := mmi(t, "sample", "--data", src, "--all", "--out", whole); code != 0 {
		t.Fatalf("--all: exit %d: %s", code, stderr)
	}
	if got := read(whole); !slices.Equal(got, rows) {
		t.Errorf("--all wrote %d numbers, not the file's %d rows in order", len(got), len(rows)/2)
	}
	var parts []float64
	for _, s := range []string{"0/2", "1/2"} {
		f := filepath.Join(dir, "part"+s[:1]+".npy")
		if code, _, stderr := mmi(t, "sample", "--data", src, "--all", "--shard", s, "--out", f); code != 0 {
			t.Fatalf("--all --shard %s: exit %d: %s", s, code, stderr)
		}
		parts = append(parts, read(f)...)
	}
	if !slices.Equal(parts, rows) {
		t.Errorf("--all in two shards: %d numbers, not the file's rows in order", len(parts))
	}
	for _, args := range [][]string{
		{"sample", "--data", "moons", "--all"},
		{"sample", "--data", src, "--all", "--n", "3"},
		{"sample", "--data", src, "--k", "0", "--all"},
	} {
		if code, stdout, stderr := mmi(t, args...); code != 2 || stdout != "" || len(stderr) == 0 {
			t.Errorf("mmi %v: exit %d, stdout %q, stderr %q; want 2 and one line", args, code, stdout, stderr)
		}
	}
}
